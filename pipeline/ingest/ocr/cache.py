"""OCR results cached by page content, so a re-run never OCRs the same page twice.

The key is the SHA-256 of the rendered page bitmap together with the resolution, the
engine (name and model version) and PREPARE_VERSION (bump it when seal suppression or
deskew change). One small JSON file per page: the recognised boxes, before layout, so a
layout change needs no new recognition. A damaged or unreadable entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from pipeline.ingest.ocr.box import OcrBox

PREPARE_VERSION = "4"  # bump when preparation or recognition decoding change


def page_key(bitmap, dpi: int, engine: str) -> str:
    """Content hash of a rendered page (numpy array) and how it is read."""
    h = hashlib.sha256()
    h.update(f"{engine}|{dpi}|{PREPARE_VERSION}|{bitmap.shape}|".encode())
    h.update(memoryview(bitmap).cast("B") if bitmap.flags["C_CONTIGUOUS"] else bitmap.tobytes())
    return h.hexdigest()


class OcrCache:
    """A directory of page results; `None` directory means no caching."""

    def __init__(self, directory: Path | None):
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[list[OcrBox], dict] | None:
        if self.directory is None:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return [OcrBox.from_json(b) for b in data["boxes"]], data.get("info", {})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, boxes: list[OcrBox], info: dict) -> None:
        """Store atomically; a cache that cannot be written is silently skipped."""
        if self.directory is None:
            return
        path = self._path(key)
        payload = json.dumps({"boxes": [b.to_json() for b in boxes], "info": info}, ensure_ascii=False)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            os.replace(tmp, path)
        except OSError:
            return

"""Content-hash cache keys.

A result is valid while two fingerprints match: the extractor's (perfaudit's
version plus the source of every stage up to extraction, so a code change
re-extracts even before the version is bumped) and the rules' (the loaded
catalogue plus the code that turns a Record into a report: the check kinds,
the audit, the excerpt). When only the rules changed, the Record and source
text kept in the store are audited again without reading the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline import __version__

PACKAGE = Path(__file__).resolve().parents[1]
EXTRACTOR_SOURCES = ("ingest/*.py", "ingest/ocr/*.py", "extract/*.py", "numbers.py", "model.py",
                     "report/serialize.py")
RULES_SOURCES = ("audit/*.py", "audit/checks/*.py", "run/work.py", "run/result.py", "report/excerpt.py",
                 "report/highlight.py")


def _sources_digest(patterns: tuple[str, ...]) -> hashlib._Hash:
    h = hashlib.sha256()
    for pattern in patterns:
        for p in sorted(PACKAGE.glob(pattern)):
            h.update(p.relative_to(PACKAGE).as_posix().encode())
            h.update(p.read_bytes())
    return h


def extractor_fingerprint(read=None) -> str:
    """`read`: the ReadSettings (--pdf-engine and OCR change the text read)."""
    h = _sources_digest(EXTRACTOR_SOURCES)
    h.update(__version__.encode())
    h.update((read.text_key() if read is not None else "").encode())
    return h.hexdigest()[:16]


def rules_fingerprint(rules, context: int | None = None) -> str:
    """`context`: the excerpt's lines of context (a report keeps them)."""
    h = _sources_digest(RULES_SOURCES)
    h.update(repr(rules).encode())
    h.update(repr(context).encode())
    return h.hexdigest()[:16]


def file_sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()

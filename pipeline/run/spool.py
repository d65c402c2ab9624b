"""Results of a batch on disk instead of in memory.

Each finished report is appended to a scratch JSON-lines file as it arrives
(in completion order); only its offset is kept. Reading back goes by input
order, so the output matches a sequential run while memory stays flat however
large the archive. The SPEC §3 document is then written piece by piece, in
exactly the layout `json.dumps(document, indent=2)` gives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline import __version__
from pipeline.model import SEVERITIES

PRETTY_MAX_REPORTS = 100  # above this, one compact line per report in the JSON document


class Spool:
    def __init__(self, path: Path, size: int):
        self.path = path
        self._fh = open(path, "w+b")  # noqa: SIM115 - lives as long as the spool
        self._offsets: list[tuple[int, int] | None] = [None] * size
        self.shas: list[str] = [""] * size
        self.reports = self.failed = self.cached = 0
        self.counts = dict.fromkeys(SEVERITIES, 0)
        self.transform: Callable[[dict], dict] | None = None  # applied while reading back
        self.extra: dict[str, list[dict]] = {}  # sha256 -> batch-level findings (data quality, cross-document)
        self.executor = None  # executor.WorkSpread of the run (None: one file, run in the main process)
        # Scanned pages OCR'd as tasks of their own in the pool (pipeline.run.batch): planned, done, of those cached.
        self.ocr_planned = self.ocr_pages = self.ocr_pages_cached = 0

    def add(self, index: int, source: str, result: dict | str, sha256: str = "", cached: bool = False) -> dict:
        """Store one report (result JSON without source, as dict or text)."""
        if isinstance(result, str):  # a cached result: splice the source in rather than re-encode
            rep = json.loads(result)
            data = ('{"source": ' + json.dumps(source, ensure_ascii=False) + ", " + result.strip()[1:]).encode()
            rep = {"source": source, **rep}
        else:
            rep = {"source": source, **result}
            data = json.dumps(rep, ensure_ascii=False).encode("utf-8")
        data = data.replace(b"\n", b" ") + b"\n"
        self._fh.seek(0, 2)
        pos = self._fh.tell()
        self._fh.write(data)
        self._offsets[index] = (pos, len(data))
        self.shas[index] = sha256
        self.reports += 1
        self.failed += rep["status"] != "ok"
        self.cached += cached
        for f in rep["findings"]:
            self.counts[f["severity"]] += 1
        return rep

    def add_extra(self, by_sha: dict[str, list[dict]]) -> None:
        """Findings computed after the batch, shown on every report of that content."""
        for i, sha in enumerate(self.shas):
            if self._offsets[i] is not None:
                for f in by_sha.get(sha, ()):
                    self.counts[f["severity"]] += 1
        for sha, findings in by_sha.items():
            self.extra.setdefault(sha, []).extend(findings)

    def __iter__(self) -> Iterator[dict]:
        self._fh.flush()
        with open(self.path, "rb") as fh:
            for entry, sha in zip(self._offsets, self.shas, strict=True):
                if entry is None:
                    continue  # not finished (interrupted run)
                fh.seek(entry[0])
                rep = json.loads(fh.read(entry[1]))
                if sha in self.extra:
                    rep["findings"] = rep["findings"] + self.extra[sha]
                yield self.transform(rep) if self.transform else rep

    def __len__(self) -> int:
        return self.reports

    def summary(self) -> dict:
        out = {"reports": self.reports, "failed": self.failed, "findings": dict(self.counts),
               "cached": self.cached}
        if self.executor is not None:  # how many workers took part and how the work spread
            out["executor"] = self.executor.summary()
        if self.ocr_pages:  # scanned pages OCR'd in the pool, each as its own task (of them from the page cache)
            out["ocr_pages"], out["ocr_pages_cached"] = self.ocr_pages, self.ocr_pages_cached
        return out

    def exit_code(self) -> int:
        """SPEC §2: 3 if any input unreadable, else 1 if any error finding, else 0."""
        if self.failed:
            return 3
        return 1 if self.counts["error"] else 0

    def document(self) -> dict:
        """The SPEC §3 document with lazily read reports (iterate, do not index)."""
        return {"tool": {"name": "perfaudit", "version": __version__}, "reports": self,
                "summary": self.summary()}

    def close(self) -> None:
        self._fh.close()


def write_json(document: dict, out) -> None:
    """Write `document` (whose "reports" may be lazy) to the text stream `out`."""
    out.write("{")
    for n, (key, value) in enumerate(document.items()):
        out.write(("," if n else "") + f"\n  {json.dumps(key)}: ")
        if key == "reports":
            _write_list(value, out)
        else:
            out.write(_indent(json.dumps(value, ensure_ascii=False, indent=2)))
    out.write("\n}")


def _write_list(items, out) -> None:
    # Indented JSON goes through Python's slow pure-Python encoder; big batches
    # get one compact line per report instead (C encoder, and greppable).
    pretty = len(items) <= PRETTY_MAX_REPORTS
    first = True
    for item in items:
        text = _indent(json.dumps(item, ensure_ascii=False, indent=2), 2) if pretty else json.dumps(
            item, ensure_ascii=False)
        out.write(("," if not first else "[") + "\n    " + text)
        first = False
    out.write("[]" if first else "\n  ]")


def _indent(text: str, levels: int = 1) -> str:
    return text.replace("\n", "\n" + "  " * levels)


def write_markdown(document: dict, path: Path) -> None:
    """summary.md, streamed: the same text as report.markdown(document)."""
    from pipeline.report.summary import _markdown_report, markdown

    with open(path, "w", encoding="utf-8") as out:
        out.write(markdown({"summary": document["summary"], "reports": []}))
        for rep in document["reports"]:
            out.write("\n".join(_markdown_report(rep)) + "\n")

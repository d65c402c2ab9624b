"""Results of a batch on disk instead of in memory.

Each finished report is appended to a scratch JSON-lines file as it arrives
(in completion order); only its offset is kept. Reading back goes by input
order, so the output matches a sequential run while memory stays flat however
large the archive; pipeline.report.document writes the SPEC §3 document
from it piece by piece.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.report.document import Summary, document, exit_code


class Spool:
    def __init__(self, path: Path, size: int):
        self.path = path
        self._fh = open(path, "w+b")  # noqa: SIM115 - lives as long as the spool
        self._offsets: list[tuple[int, int] | None] = [None] * size
        self.shas: list[str] = [""] * size
        self.tally = Summary()
        self.transform: Callable[[dict], dict] | None = None  # applied while reading back
        self.extra: dict[str, list[dict]] = {}  # sha256 -> batch-level findings (data quality, cross-document)
        self.executor = None  # executor.WorkSpread of the run (None: run in the main process)
        # Scanned pages OCR'd as tasks of their own in the pool (pipeline.run.batch): planned, done, of those cached.
        self.ocr_planned = self.ocr_pages = self.ocr_pages_cached = 0

    @property
    def reports(self) -> int:
        return self.tally.reports

    @property
    def failed(self) -> int:
        return self.tally.failed

    @property
    def cached(self) -> int:
        return self.tally.cached

    @property
    def counts(self) -> dict[str, int]:
        """Findings per severity so far."""
        return self.tally.findings

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
        try:
            self._fh.write(data)
        except OSError as exc:  # a full temporary folder: say which file
            raise OSError(exc.errno, exc.strerror, str(self.path)) from exc
        self._offsets[index] = (pos, len(data))
        self.shas[index] = sha256
        self.tally.add(rep, cached)
        return rep

    def add_extra(self, by_sha: dict[str, list[dict]]) -> None:
        """Findings computed after the batch, shown on every report of that content."""
        for i, sha in enumerate(self.shas):
            if self._offsets[i] is not None:
                self.tally.count(by_sha.get(sha, ()))
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

    def carry_decisions(self, decisions: dict[str, dict], new_only: bool = False) -> int:
        """Reports read back carry each finding's latest review decision, and
        with `new_only` lose the decided findings (counts and exit status
        follow). Returns how many findings `new_only` hides."""
        from pipeline.store.review import carry_decisions

        def apply(rep: dict) -> dict:
            return carry_decisions(rep, decisions, new_only)

        hidden = 0
        if new_only:
            from pipeline.store.review import add_hidden, hidden_block

            self.tally.hidden = add_hidden(None, hidden_block([]))
            for rep in self:
                shown = apply(rep)
                kept = {f["id"] for f in shown["findings"]}
                gone = [f for f in rep["findings"] if f["id"] not in kept]
                self.tally.count(gone, -1)
                hidden += len(gone)
                if "hidden" in shown:
                    self.tally.hidden = add_hidden(self.tally.hidden, shown["hidden"])
        self.transform = apply
        return hidden

    def __len__(self) -> int:
        return self.tally.reports

    def summary(self) -> dict:
        out = self.tally.to_json()
        if self.executor is not None:  # how many workers took part and how the work spread
            out["executor"] = self.executor.summary()
        if self.ocr_pages:  # scanned pages OCR'd in the pool, each as its own task (of them from the page cache)
            out["ocr_pages"], out["ocr_pages_cached"] = self.ocr_pages, self.ocr_pages_cached
        return out

    def exit_code(self) -> int:
        return exit_code(self.summary())

    def document(self) -> dict:
        """The SPEC §3 document with lazily read reports (iterate, do not index)."""
        return document(self, self.summary())

    def close(self) -> None:
        self._fh.close()

"""The SPEC §3 document: its summary block, counted as reports arrive; the
exit status it gives (SPEC §2); and its JSON, written piece by piece so a
batch's reports can be streamed from disk.

    summary = Summary()
    for rep in reports: summary.add(rep)
    doc = document(reports, summary)     # reports: a list or a re-iterable spool
    write_json(doc, sys.stdout); exit_code(doc["summary"])
"""

from __future__ import annotations

import json

from pipeline import __version__
from pipeline.model import SEVERITIES

PRETTY_MAX_REPORTS = 100  # above this, one compact line per report in the JSON document


# Exit statuses (SPEC §2, and 4 added here): what a scheduler keys on.
EXIT_CLEAN = 0  # every input read, no error finding
EXIT_ERRORS = 1  # at least one error finding
EXIT_USAGE = 2  # usage error: nothing (or not everything asked for) was audited
EXIT_UNREADABLE = 3  # at least one input could not be read (takes precedence over 1)
EXIT_INTERNAL = 4  # perfaudit itself failed (a bug, a damaged or full store, outputs not written): never a normal result
INTERNAL_ERROR = "internal_error"  # the error code of a report perfaudit failed on through its own fault


class Summary:
    """`{"reports", "failed", "findings": {severity: n}, "cached"}`, plus
    `internal_errors` when perfaudit failed on some input, and the run's extra
    blocks (`extra`: executor spread, OCR pages)."""

    def __init__(self):
        self.reports = self.failed = self.cached = self.internal = 0
        self.findings = dict.fromkeys(SEVERITIES, 0)
        self.extra: dict = {}
        self.hidden: dict | None = None  # what a filter (--new-only) dropped: report.hidden

    def add(self, rep: dict, cached: bool = False) -> None:
        self.reports += 1
        self.failed += rep["status"] != "ok"
        self.internal += (rep.get("error") or {}).get("code") == INTERNAL_ERROR
        self.cached += cached
        self.count(rep["findings"])

    def count(self, findings, sign: int = 1) -> None:
        for f in findings:
            self.findings[f["severity"]] += sign

    def to_json(self) -> dict:
        out = {"reports": self.reports, "failed": self.failed, "findings": dict(self.findings),
               "cached": self.cached, **self.extra}
        if self.hidden is not None:
            out["hidden"] = self.hidden
        if self.internal:
            out["internal_errors"] = self.internal
        return out


def exit_code(summary: dict) -> int:
    """4 if perfaudit failed on some input through its own fault; else SPEC §2:
    3 if any input unreadable, else 1 if any error finding, else 0."""
    if summary.get("internal_errors"):
        return EXIT_INTERNAL
    if summary["failed"]:
        return EXIT_UNREADABLE
    return EXIT_ERRORS if summary["findings"]["error"] else EXIT_CLEAN


def document(reports, summary: dict) -> dict:
    """The SPEC §3 document; `reports` may be a lazily read, re-iterable spool."""
    return {"tool": {"name": "perfaudit", "version": __version__}, "reports": reports, "summary": summary}


def build_document(results) -> dict:
    """The document for results in memory (ReportResult, as the Python API returns them)."""
    reports = [r.to_json() for r in results]
    summary = Summary()
    for rep in reports:
        summary.add(rep)
    return document(reports, summary.to_json())


def write_json(doc: dict, out) -> None:
    """Write `doc` (whose "reports" may be lazy) to the text stream `out`, in
    exactly the layout `json.dumps(doc, indent=2)` gives; above
    PRETTY_MAX_REPORTS reports, one compact line per report."""
    out.write("{")
    for n, (key, value) in enumerate(doc.items()):
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

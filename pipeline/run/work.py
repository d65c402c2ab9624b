"""The work one input needs, the same wherever it runs (this process, a pool
worker, a Dask worker): read -> extract -> audit -> a ReportResult with its
source excerpt. Every way of running perfaudit goes through `audit_document`.

A task handler (`make_handler`) runs the batch's `Task`s: "full" (read,
extract, audit), "rules" (audit a cached Record and source again under
changed rules) and "ocr_page" (OCR one page of a scan, for its final
reading). Handlers never raise: an unexpected error is a failed result that
is not cached (it may be ours, not the file's).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.audit.engine import audit_record
from pipeline.ingest.document import Cell, Document, Line, Table, document_identity
from pipeline.model import SEVERITY_RANK
from pipeline.numbers import arithmetic
from pipeline.report.excerpt import EXCERPT_CONTEXT_LINES, capture
from pipeline.report.serialize import record_to_json
from pipeline.run.result import NOT_A_REPORT, ReportResult, failed, internal_error, public_meta

OCR_PENDING = "ocr_pending"  # the status of a deferring full task whose file needs its pages OCR'd first


@dataclass(frozen=True)
class Task:
    index: int
    kind: str  # "full": read, extract, audit; "rules": audit a cached Record again; "ocr_page": OCR `page`
    display: str
    path: str | None = None
    blob: bytes | None = None
    meta: dict | None = None
    sha256: str = ""  # the content the coordinator hashed (a remote worker checks its copy against it)
    data: bytes | None = None  # the file's bytes, sent to a worker that cannot read `path`
    page: int | None = None  # "ocr_page": the 1-based page to OCR
    defer_ocr: bool = False  # "full": answer OCR_PENDING rather than OCR several pages here
    ocr_done: dict | None = None  # "full": page -> its "ocr_page" result, laid out instead of OCR'd again
    keep_record: bool = True  # "full": also send back the pickled Record and Source (a store caches them)


@dataclass(frozen=True)
class Source:
    """What the views need of a Document: its lines and tables as text (no
    OCR scores or geometry). Kept with the cached Record, so a re-audit under
    changed rules captures its excerpt without reading the file."""

    lines: tuple[Line, ...]
    tables: tuple[Table, ...]

    @classmethod
    def of(cls, doc: Document) -> Source:
        return cls(tuple(Line(ln.text, ln.line, ln.page) for ln in doc.lines),
                   tuple(Table(tuple(tuple(Cell(c.text, c.row, c.col, c.page) for c in row) for row in t.rows),
                               t.page, t.after_line) for t in doc.tables))


def audit_document(doc: Document, rules, context: int = EXCERPT_CONTEXT_LINES) -> ReportResult:
    """Extract and audit a Document read already; not a report -> failed result."""
    from pipeline.extract import looks_like_report

    several = several_reports(doc)
    if several is not None:
        return failed(doc.source, "several_reports", several, doc.meta)
    with arithmetic():  # long figures stay exact (pipeline.numbers)
        record = read_record(doc)
    if not looks_like_report(record):
        return failed(doc.source, "not_a_report", NOT_A_REPORT, doc.meta)
    return audit_extracted(record, Source.of(doc), doc.source, doc.meta, rules, context)


def several_reports(doc: Document) -> str | None:
    """The refusal of a file holding several reports (extract.several), or None."""
    from pipeline.extract.normalize import normalize_document
    from pipeline.extract.several import report_starts, several_reports_message

    starts = report_starts(normalize_document(doc))
    return several_reports_message(starts) if len(starts) > 1 else None


def read_record(doc: Document):
    """The document's Record, knowing which document it came from (finding ids derive from that)."""
    from pipeline.extract import extract_record

    record = extract_record(doc)
    record.document_id = document_identity(doc)
    return record


def audit_extracted(record, source: Source, display: str, meta: dict, rules,
                    context: int = EXCERPT_CONTEXT_LINES) -> ReportResult:
    """Audit an extracted Record (also a cached one, when only the rules changed)."""
    findings, checks_run = audit_record(record, rules)
    findings.sort(key=lambda f: (SEVERITY_RANK[f.severity], _subject_key(f.subject), f.rule))
    rec = record_to_json(record)
    if meta.get("ocr_pages"):  # the record says which pages were read by OCR (their numbers may be misread)
        rec["ocr_pages"] = list(meta["ocr_pages"])
    out = [f.to_json() for f in findings]
    return ReportResult(
        source=display, status="ok", record=rec, findings=out, document_id=record.document_id,
        coverage=_coverage(record, checks_run),
        meta=public_meta(meta), excerpt=capture(source.lines, source.tables, out, context, _cited(rec)))


def _coverage(record, checks_run: int) -> dict:
    """SPEC §3 coverage, with how many indicators the document announced and numbered
    against those read (`indicators`); null where it says nothing of the kind."""
    count = getattr(record, "indicator_count", None)
    return {"numbers_found": record.numbers_found, "checks_run": checks_run,
            "indicators": len(record.indicators), "budget_lines": len(record.budget),
            "indicators_announced": count.announced if count else None,
            "indicators_numbered": count.numbered if count else None,
            "indicators_unread": len(count.unread) if count else 0}


def _subject_key(subject: str) -> tuple:
    head, _, tail = subject.partition(".")
    return (head, int(tail)) if tail.isdigit() else (head, 0, tail)


def _cited(record: dict) -> list[dict]:
    """The figures batch-level checks cite after the audit (XDOC-01: the total
    line, the score, the rating), so their evidence is in the excerpt too."""
    total = ((record.get("budget") or {}).get("total") or {}).get("sources") or {}
    sources = record.get("sources") or {}
    return [ev for ev in (*(total.get(f) for f in ("budget", "executed", "rate")), sources.get("score"),
                          sources.get("rating")) if ev and ev.get("line")]


def full_task(path: Path, display: str, rules, read, context: int = EXCERPT_CONTEXT_LINES,
              ocr_plan=None, keep_record: bool = True) -> tuple[dict, bytes | None, bool]:
    """Read, extract and audit one file: (result JSON without source, pickled
    Record and Source or None, cacheable). `keep_record` False: no pickled
    Record (a batch without a store has no use for it).

    `ocr_plan` (a pipeline.ingest.ocr.pdf.OcrPlan) is passed to the reader.
    When a deferring plan finds pages to OCR, the result is not a report but
    ({"status": OCR_PENDING, "pages": [...], "page_count": n}, None, False):
    the batch OCRs the pages as separate tasks (page_task) and runs this again
    with their results (`OcrPlan(done=...)`)."""
    from pipeline.extract import looks_like_report
    from pipeline.ingest import text as ingest_text  # looked up at call time (test hooks replace it)
    from pipeline.ingest.document import IngestError

    try:
        if ocr_plan is None:
            doc = ingest_text.read_document(path, display, read)
        else:
            from pipeline.ingest.ocr.pdf import OcrPending

            try:
                doc = ingest_text.read_document(path, display, read, ocr_plan=ocr_plan)
            except OcrPending as pending:
                return {"status": OCR_PENDING, "pages": list(pending.pages),
                        "page_count": pending.page_count}, None, False
    except IngestError as exc:
        return failed(display, exc.code, exc.message).to_json(with_source=False), None, True
    except Exception as exc:  # noqa: BLE001 - one bad input never stops the batch
        return internal_error(display, exc).to_json(with_source=False), None, False
    try:
        several = several_reports(doc)
        if several is not None:
            return failed(display, "several_reports", several, doc.meta).to_json(with_source=False), None, True
        with arithmetic():  # long figures stay exact (pipeline.numbers)
            record = read_record(doc)
        if not looks_like_report(record):
            return failed(display, "not_a_report", NOT_A_REPORT, doc.meta).to_json(with_source=False), None, True
        source = Source.of(doc)
        result = audit_extracted(record, source, display, doc.meta, rules, context)
        blob = pickle.dumps((record, source), pickle.HIGHEST_PROTOCOL) if keep_record else None
        return result.to_json(with_source=False), blob, True
    except Exception as exc:  # noqa: BLE001
        return internal_error(display, exc).to_json(with_source=False), None, False


def page_task(path: Path, number: int, read) -> dict:
    """OCR one 1-based page of a PDF (or take it from the OCR page cache): the
    JSON `ocr_pdf.ocr_page` gives, for `OcrPlan(done=...)`. Never raises: an
    error is {"page": number, "error": message}, and the file's final reading
    then OCRs that page itself (and fails, or not, as a plain reading would)."""
    try:
        from pipeline.ingest.ocr import pdf as ocr_pdf  # looked up at call time (test hooks replace it)

        return ocr_pdf.ocr_page(Path(path).read_bytes(), number, read.ocr)
    except Exception as exc:  # noqa: BLE001 - the final reading decides what the file's result is
        return {"page": number, "error": f"{type(exc).__name__}: {exc}"}


def rules_task(blob: bytes, display: str, meta: dict, rules,
               context: int = EXCERPT_CONTEXT_LINES) -> tuple[dict, bytes | None, bool]:
    """Audit a cached Record (and its Source) again under the current rules."""
    try:
        record, source = pickle.loads(blob)  # our own local cache, written by full_task
        return audit_extracted(record, source, display, meta, rules, context).to_json(with_source=False), blob, True
    except Exception as exc:  # noqa: BLE001
        return internal_error(display, exc).to_json(with_source=False), None, False


def make_handler(rules, read, context: int = EXCERPT_CONTEXT_LINES,
                 engine_threads: int | None = None) -> Callable[[Task], tuple | dict]:
    """The task handler, built once per worker. `engine_threads`: the OCR
    engine's share of the cores in this worker (see ocr.engine.set_engine_threads)."""
    from pipeline.ingest.ocr.engine import set_engine_threads, set_loading_hook
    from pipeline.run.pool import warming_up

    set_loading_hook(warming_up)  # in a pool worker, loading the OCR models does not eat a page's --timeout
    if engine_threads:
        set_engine_threads(engine_threads)

    def run(task: Task, path: Path) -> tuple | dict:
        if task.kind == "ocr_page":
            return page_task(path, task.page, read)
        return full_task(path, task.display, rules, read, context, _ocr_plan(task), task.keep_record)

    def handle(task: Task) -> tuple | dict:
        if task.kind == "rules":
            return rules_task(task.blob, task.display, task.meta or {}, rules, context)
        if task.data is None:
            return run(task, Path(task.path))
        with tempfile.TemporaryDirectory(prefix="perfaudit-task-") as tmp:
            path = Path(tmp) / ("input" + Path(task.path or task.display).suffix.lower())
            path.write_bytes(task.data)
            return run(task, path)

    return handle


def _ocr_plan(task: Task):
    """The reading's OcrPlan (ocr.pdf is imported only for the tasks that need one)."""
    if not task.defer_ocr and task.ocr_done is None:
        return None
    from pipeline.ingest.ocr.pdf import OcrPlan

    return OcrPlan(defer=True) if task.defer_ocr else OcrPlan(done=task.ocr_done)


def engine_threads(jobs: int) -> int | None:
    """Each of `jobs` workers' share of the cores for OCR; None for a single worker (all)."""
    import os

    cores = os.cpu_count() or 1
    jobs = jobs or cores
    return None if jobs <= 1 else max(1, cores // jobs)

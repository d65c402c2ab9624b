"""Content-hash cache keys and the work one input needs.

A result is valid while two fingerprints match: the extractor's (perfaudit's
version plus the source of every stage up to extraction, so a code change
re-extracts even before the version is bumped) and the rules' (the loaded
catalogue plus the check code). When only the rules changed, the pickled
Record kept in the store is audited again without reading the file.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from pipeline import __version__

PACKAGE = Path(__file__).resolve().parents[1]
EXTRACTOR_SOURCES = ("ingest/*.py", "ingest/ocr/*.py", "extract/*.py", "numbers.py", "model.py",
                     "report/serialize.py")
RULES_SOURCES = ("audit/*.py", "audit/checks/*.py")


def _sources_digest(patterns: tuple[str, ...]) -> hashlib._Hash:
    h = hashlib.sha256()
    for pattern in patterns:
        for p in sorted(PACKAGE.glob(pattern)):
            h.update(p.relative_to(PACKAGE).as_posix().encode())
            h.update(p.read_bytes())
    return h


def extractor_fingerprint(read_opts: dict | None = None) -> str:
    h = _sources_digest(EXTRACTOR_SOURCES)
    h.update(__version__.encode())
    h.update(repr(sorted((read_opts or {}).items())).encode())  # --pdf-engine changes the text read
    return h.hexdigest()[:16]


def rules_fingerprint(rules) -> str:
    h = _sources_digest(RULES_SOURCES)
    h.update(repr(rules).encode())
    return h.hexdigest()[:16]


def file_sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


OCR_PENDING = "ocr_pending"  # the status of a deferring full_task whose file needs its pages OCR'd first


def full_task(path: Path, display: str, rules, read_opts: dict, ocr_plan=None) -> tuple[dict, bytes | None, bool]:
    """Read, extract and audit one file. Returns (result JSON without source,
    pickled Record or None, cacheable). Never raises: an unexpected error is a
    failed result that is not cached (it may be ours, not the file's).

    `ocr_plan` (a pipeline.ingest.ocr.pdf.OcrPlan) is passed to the reader. When a
    deferring plan finds pages to OCR, the result is not a report but
    ({"status": OCR_PENDING, "pages": [...], "page_count": n}, None, False):
    the batch OCRs the pages as separate tasks (page_task) and runs this again
    with their results (`OcrPlan(done=...)`)."""
    from pipeline.api import _failed, audit_extracted
    from pipeline.extract import extract_record, looks_like_report
    from pipeline.ingest.document import IngestError
    from pipeline.ingest.text import read_document

    try:
        if ocr_plan is None:
            doc = read_document(path, display, **read_opts)
        else:
            from pipeline.ingest.ocr.pdf import OcrPending

            try:
                doc = read_document(path, display, **read_opts, ocr_plan=ocr_plan)
            except OcrPending as pending:
                return {"status": OCR_PENDING, "pages": list(pending.pages),
                        "page_count": pending.page_count}, None, False
    except IngestError as exc:
        return _strip(_failed(display, exc.code, exc.message).to_json()), None, True
    except Exception as exc:  # noqa: BLE001 - one bad input never stops the batch
        return _internal(display, exc), None, False
    try:
        record = extract_record(doc)
        if not looks_like_report(record):
            return _strip(_failed(display, "not_a_report", "文件可以读取，但没有找到自评报告的内容（预算执行、绩效指标或自评得分）。",
                                  doc.meta).to_json()), None, True
        result = audit_extracted(record, display, doc.meta, rules)
        return _strip(result.to_json()), pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL), True
    except Exception as exc:  # noqa: BLE001
        return _internal(display, exc), None, False


def page_task(path: Path, number: int, read_opts: dict) -> dict:
    """OCR one 1-based page of a PDF (or take it from the OCR page cache): the
    JSON `ocr_pdf.ocr_page` gives, for `OcrPlan(done=...)`. Never raises: an
    error is {"page": number, "error": message}, and the file's final reading
    then OCRs that page itself (and fails, or not, as a plain reading would)."""
    try:
        from pipeline.ingest.ocr.engine import as_settings
        from pipeline.ingest.ocr.pdf import ocr_page

        settings = as_settings(read_opts.get("ocr"), read_opts.get("ocr_cache_dir"))
        return ocr_page(Path(path).read_bytes(), number, settings)
    except Exception as exc:  # noqa: BLE001 - the final reading decides what the file's result is
        return {"page": number, "error": f"{type(exc).__name__}: {exc}"}


def rules_task(blob: bytes, display: str, meta: dict, rules) -> tuple[dict, bytes | None, bool]:
    """Audit a cached Record again under the current rules."""
    from pipeline.api import audit_extracted

    try:
        record = pickle.loads(blob)  # our own local cache, written by full_task
        return _strip(audit_extracted(record, display, meta, rules).to_json()), blob, True
    except Exception as exc:  # noqa: BLE001
        return _internal(display, exc), None, False


def _internal(display: str, exc: Exception) -> dict:
    from pipeline.api import _failed

    msg = f"处理该文件时 perfaudit 内部出错（{type(exc).__name__}: {exc}），请将文件反馈给开发者。"
    return _strip(_failed(display, "unreadable", msg).to_json())


def _strip(result: dict) -> dict:
    result.pop("source", None)  # the same content may sit under several names
    return result

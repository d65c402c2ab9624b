"""The pipeline in one call, for the CLI and for notebooks.

    from pipeline.api import audit_paths
    results = audit_paths(["reports/2023/"])
    results[0].record, results[0].findings

Each input becomes a `ReportResult`; a file that cannot be read becomes a
failed result with a SPEC §3 error, and the others go on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.audit.engine import audit_record
from pipeline.audit.rules import Rule, load_rules
from pipeline.extract import extract_record, looks_like_report
from pipeline.ingest.document import Document, IngestError
from pipeline.ingest.text import read_document
from pipeline.model import SEVERITY_RANK
from pipeline.report.serialize import record_to_json
from pipeline.run.inputs import expand_inputs


@dataclass
class ReportResult:
    source: str
    status: str  # "ok" | "failed"
    error: dict | None = None
    record: dict | None = None
    findings: list[dict] = field(default_factory=list)
    coverage: dict = field(default_factory=lambda: {"numbers_found": 0, "checks_run": 0})
    meta: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {
            "source": self.source,
            "status": self.status,
            "error": self.error,
            "record": self.record,
            "findings": self.findings,
            "coverage": self.coverage,
        }
        if self.meta:
            out["meta"] = self.meta
        return out

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f["severity"] == severity)


def audit_document(doc: Document, rules: list[Rule]) -> ReportResult:
    record = extract_record(doc)
    if not looks_like_report(record):
        return _failed(doc.source, "not_a_report",
                       "文件可以读取，但没有找到自评报告的内容（预算执行、绩效指标或自评得分）。", doc.meta)
    return audit_extracted(record, doc.source, doc.meta, rules)


def audit_extracted(record, source: str, meta: dict, rules: list[Rule]) -> ReportResult:
    """Audit an extracted Record (also a cached one, when only the rules changed)."""
    findings, checks_run = audit_record(record, rules)
    findings.sort(key=lambda f: (SEVERITY_RANK[f.severity], _subject_key(f.subject), f.rule))
    return ReportResult(
        source=source,
        status="ok",
        record=_with_ocr_pages(record_to_json(record), meta),
        findings=[f.to_json() for f in findings],
        coverage={"numbers_found": record.numbers_found, "checks_run": checks_run,
                  "indicators": len(record.indicators), "budget_lines": len(record.budget)},
        meta=_public_meta(meta),
    )


def _with_ocr_pages(record: dict, meta: dict) -> dict:
    """The record says which pages were read by OCR (their numbers may be misread)."""
    if meta.get("ocr_pages"):
        record["ocr_pages"] = list(meta["ocr_pages"])
    return record


def _subject_key(subject: str) -> tuple:
    head, _, tail = subject.partition(".")
    return (head, int(tail)) if tail.isdigit() else (head, 0, tail)


def _public_meta(meta: dict) -> dict:
    return {k: v for k, v in meta.items()
            if k in ("encoding", "pages", "skipped_pages", "warnings", "engine", "ocr_pages", "ocr")}


def _failed(source: str, code: str, message: str, meta: dict | None = None) -> ReportResult:
    return ReportResult(source=source, status="failed", error={"code": code, "message": message},
                        meta=_public_meta(meta or {}))


def audit_file(path: str | Path, rules: list[Rule], display_name: str | None = None, **read_opts) -> ReportResult:
    name = display_name or str(path)
    try:
        doc = read_document(path, name, **read_opts)
    except IngestError as exc:
        return _failed(name, exc.code, exc.message)
    return audit_document(doc, rules)


def audit_paths(
    paths: list[str | Path],
    rules_dirs: list[str | Path] | None = None,
    jobs: int = 1,
    progress=None,
    profile: str | None = None,
    **read_opts,
) -> list[ReportResult]:
    """Audit every input under `paths`; results in input order. `profile`
    names rules/profiles/NAME.yml (regional rule parameters; default national)."""
    import tempfile

    rules = load_rules(rules_dirs, profile=profile)
    # The same expansion as the CLI's batch: files, folders, globs, @lists, zip members.
    with tempfile.TemporaryDirectory(prefix="perfaudit-") as tmp:
        items = expand_inputs(paths, Path(tmp))
        if jobs <= 1 or len(items) <= 1:
            out = []
            for i, item in enumerate(items):
                out.append(_audit_item(item, i, rules, read_opts, Path(tmp)))
                if progress:
                    progress(item.display)
            return out
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, os.cpu_count() or 1)) as pool:
            futures = [pool.submit(_audit_item, item, i, rules, read_opts, Path(tmp)) for i, item in enumerate(items)]
            results = []
            for item, fut in zip(items, futures, strict=True):
                results.append(fut.result())
                if progress:
                    progress(item.display)
            return results


def _audit_item(item, index: int, rules: list[Rule], read_opts: dict, workdir: Path) -> ReportResult:
    """One expanded input: a refusal, an archive member (copied out first) or a file."""
    from pipeline.run.inputs import InputError, extract_member

    if item.error:
        return _failed(item.display, *item.error)
    path = item.path
    if item.member is not None:
        path = workdir / f"m{index}{Path(item.member.filename).suffix.lower()}"
        try:
            extract_member(item, path)
        except InputError as exc:
            return _failed(item.display, exc.code, exc.message)
    return _safe_audit(path, rules, read_opts, item.display)


def _safe_audit(path: Path, rules: list[Rule], read_opts: dict, display: str | None = None) -> ReportResult:
    """One bad file must never stop the batch: an unexpected exception becomes
    a failed result that says it is a perfaudit bug, not the user's."""
    try:
        return audit_file(path, rules, display or str(path), **read_opts)
    except Exception as exc:  # noqa: BLE001 - the batch must go on
        return _failed(display or str(path), "unreadable",
                       f"处理该文件时 perfaudit 内部出错（{type(exc).__name__}: {exc}），请将文件反馈给开发者。")

"""One input's result: the SPEC §3 report, and the failed results a run
gives for inputs it could not read or finish.

Every way of running (the CLI batch, the Python API, `perfaudit show`, a
Dask worker) produces these through pipeline.run.work and keeps them as
JSON (`to_json`); `from_json` turns a stored or spooled report back into a
`ReportResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.report.document import INTERNAL_ERROR

NOT_A_REPORT = "文件可以读取，但没有找到自评报告的内容（预算执行、绩效指标或自评得分）。"
# Reading facts a report shows (SPEC allows extra keys); anything else stays internal.
PUBLIC_META = ("encoding", "pages", "skipped_pages", "warnings", "engine", "ocr_pages", "ocr")


@dataclass
class ReportResult:
    source: str
    status: str  # "ok" | "failed"
    error: dict | None = None
    record: dict | None = None
    findings: list[dict] = field(default_factory=list)
    coverage: dict = field(default_factory=lambda: {"numbers_found": 0, "checks_run": 0})
    meta: dict = field(default_factory=dict)
    # The source lines and tables around the findings' evidence, captured when
    # the file was audited (pipeline.report.excerpt): what the views show.
    excerpt: dict | None = None
    # The document's identity (ingest.document.document_identity), which its finding ids derive from.
    document_id: str | None = None

    def to_json(self, with_source: bool = True) -> dict:
        """SPEC §3 report. Without the source for storing: the same content may sit under several names."""
        out = {
            "source": self.source,
            "status": self.status,
            "error": self.error,
            "record": self.record,
            "findings": self.findings,
            "coverage": self.coverage,
        }
        if self.document_id:
            out["document_id"] = self.document_id
        if self.meta:
            out["meta"] = self.meta
        if self.excerpt is not None:
            out["excerpt"] = self.excerpt
        if not with_source:
            del out["source"]
        return out

    @classmethod
    def from_json(cls, rep: dict) -> ReportResult:
        return cls(source=rep["source"], status=rep["status"], error=rep.get("error"), record=rep.get("record"),
                   findings=list(rep.get("findings") or []),
                   coverage=rep.get("coverage") or {"numbers_found": 0, "checks_run": 0},
                   meta=rep.get("meta") or {}, excerpt=rep.get("excerpt"), document_id=rep.get("document_id"))

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f["severity"] == severity)


def public_meta(meta: dict | None) -> dict:
    return {k: v for k, v in (meta or {}).items() if k in PUBLIC_META}


def failed(source: str, code: str, message: str, meta: dict | None = None) -> ReportResult:
    """A SPEC §3 failed report: status failed, no record, no findings, an error."""
    return ReportResult(source=source, status="failed", error={"code": code, "message": message},
                        meta=public_meta(meta))


def internal_error(source: str, exc: Exception) -> ReportResult:
    """An unexpected exception: a failed report that says it is perfaudit's bug,
    not the file's (code `internal_error`; the run exits 4, not 3)."""
    return failed(source, INTERNAL_ERROR,
                  f"处理该文件时 perfaudit 内部出错（{type(exc).__name__}: {exc}），这是 perfaudit 的缺陷，"
                  "不是文件的问题；请将文件反馈给开发者。")


def worker_failure(source: str, failure: str, timeout: float | None) -> ReportResult:
    """A file whose worker had to be killed ("timeout") or died ("worker_crash", "crashed")."""
    if failure == "timeout":
        return failed(source, "timeout", f"处理超过 {timeout:g} 秒仍未完成，已终止并跳过（可能是异常复杂或损坏的文件）；"
                                         "可用 --timeout 调大时限。")
    if failure == "worker_crash":
        return failed(source, "unreadable", "处理该文件时工作节点进程多次崩溃（已在其他工作节点重试，仍然崩溃），"
                                            "判定为会导致崩溃的文件，已跳过；请将文件反馈给开发者。")
    return failed(source, "unreadable", "处理该文件的进程意外退出（可能是解析库崩溃），已跳过；请将文件反馈给开发者。")


def page_failure(source: str, page: int, failure: str, timeout: float | None) -> ReportResult:
    """A scan whose page `page` timed out or crashed its worker while being OCR'd."""
    if failure == "timeout":
        return failed(source, "timeout", f"第 {page} 页 OCR 识别超过 {timeout:g} 秒仍未完成，已终止并跳过该文件"
                                         "（扫描页可能异常复杂或损坏）；扫描件按每页计时，可用 --timeout 调大时限。")
    return failed(source, "unreadable", f"OCR 识别第 {page} 页时进程意外退出（可能是 OCR 或 PDF 解析库崩溃），"
                                        "已跳过该文件；请将文件反馈给开发者。")

"""Shared fixtures for the HTML report tests: a small batch (the sample, two
synthetic reports, an XSS report and an unreadable file) rendered once."""

from pathlib import Path

from .conftest import FIXTURES, SAMPLE

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def xss_text() -> str:
    """The sample with script and img payloads in an indicator's name (heading
    and body) and in a plain paragraph."""
    s = SAMPLE.read_text(encoding="utf-8")
    s = s.replace("（二）指标二：重度残疾人护理补贴补贴的发放人", f"（二）指标二：重度残疾人{SCRIPT}护理补贴补贴的发放人{IMG}")
    s = s.replace("重度残疾人护理补贴补贴的发放人，预期", f"重度残疾人{SCRIPT}护理补贴补贴的发放人{IMG}，预期")
    s = s.replace("（一）部门单位基本情况：", f"（一）部门单位基本情况：{IMG}")
    assert s.count(SCRIPT) == 2 and s.count(IMG) == 3
    return s


def build_batch(tmp: Path) -> tuple[Path, dict]:
    """Audit the batch and write the HTML report; (index.html, document)."""
    from pipeline.api import audit_paths
    from pipeline.report.summary import build_document, write_outputs

    xss = tmp / "xss_report.txt"
    xss.write_text(xss_text(), encoding="utf-8")
    empty = tmp / "empty.txt"
    empty.write_bytes(b"")
    synth = FIXTURES / "synth" / "corpus"
    results = audit_paths([SAMPLE, synth / "report_000.txt", synth / "report_001.txt", xss, empty])
    document = build_document(results)
    [index] = write_outputs(document, tmp / "out", ["html"])
    return index, document

"""The sample report gives the same audit whether it arrives as text, PDF or DOCX.

fixtures/pdf/sample.pdf and sample.docx are the text fixture re-flowed and rendered by
LibreOffice (fixtures/pdf/render.py); only locations and raw spellings may differ.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.api import audit_paths
from pipeline.ingest.text import read_document

ROOT = Path(__file__).resolve().parent.parent
TEXT = ROOT / "fixtures" / "minzhengju_2023_self_evaluation.txt"
RENDERED = [ROOT / "fixtures" / "pdf" / "sample.pdf", ROOT / "fixtures" / "pdf" / "sample.docx"]
# Where a value was read and how it was spelled depend on the format, not the value.
LOCATION_KEYS = {"source", "sources", "raw", "text", "page", "line", "line_end"}


def values_only(obj):
    if isinstance(obj, dict):
        return {k: values_only(v) for k, v in obj.items() if k not in LOCATION_KEYS}
    if isinstance(obj, list):
        return [values_only(v) for v in obj]
    if isinstance(obj, str):
        return re.sub(r"\s+", "", obj)
    return obj


@pytest.fixture(scope="module")
def results():
    out = audit_paths([str(TEXT)] + [str(p) for p in RENDERED])
    assert [r.status for r in out] == ["ok", "ok", "ok"], [r.error for r in out]
    return dict(zip(["txt", "pdf", "docx"], out, strict=True))


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_same_record_as_the_text(results, kind):
    text, other = results["txt"].record, results[kind].record
    assert values_only(other["budget"]) == values_only(text["budget"])
    assert len(other["indicators"]) == len(text["indicators"]) == 8
    assert values_only(other["indicators"]) == values_only(text["indicators"])
    assert (other["score"], other["rating"]) == (text["score"], text["rating"]) == (99.94, "优")
    assert values_only(other) == values_only(text)


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_same_findings_as_the_text(results, kind):
    def keys(result):
        return sorted((f["subject"], f["category"], f["severity"]) for f in result.findings)

    assert keys(results[kind]) == keys(results["txt"])
    assert ("indicator.4", "rate_mismatch", "error") in keys(results[kind])


@pytest.mark.parametrize("kind, path", [("pdf", RENDERED[0]), ("docx", RENDERED[1])])
def test_evidence_points_at_a_page_and_line_holding_the_text(results, kind, path):
    doc = read_document(path)
    by_place = {(ln.page, ln.line): i for i, ln in enumerate(doc.lines)}
    for finding in results[kind].findings:
        ev = finding["evidence"][0]
        assert ev["page"] is not None and ev["line"] is not None, finding
        index = by_place[(ev["page"], ev["line"])]
        # Evidence may run on over the next visual line of a wrapped paragraph.
        here = "".join(ln.text for ln in doc.lines[index:index + 2] if ln.page == ev["page"])
        assert re.sub(r"\s+", "", ev["text"])[:6] in re.sub(r"\s+", "", here), finding

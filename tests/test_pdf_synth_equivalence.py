"""Synthetic reports give the same audit whether they arrive as text, PDF or DOCX.

fixtures/pdf/synth/ holds 24 reports of fixtures/synth/corpus/ rendered by
fixtures/pdf/render_synth.py (every defect type, clean ones, UTF-8/GB18030 originals,
万元/元/亿元 amounts, full-width digits). For each, the PDF and the DOCX must give the
text original's SPEC §4 values and (subject, category, severity) findings, and every
finding must point at a page and line that hold its evidence text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.api import audit_document
from pipeline.ingest.text import read_document

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "synth" / "corpus"
RENDERED = ROOT / "fixtures" / "pdf" / "synth"
NAMES = sorted(json.loads((RENDERED / "manifest.json").read_text(encoding="utf-8")))
KINDS = ("pdf", "docx")
CASES = [(name, kind) for name in NAMES for kind in KINDS]
# An evidence span never runs over more lines than this (guards the walk to line_end).
MAX_SPAN_LINES = 12


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def audited(rules):
    """{(name, kind): (document, result)}: every file read and audited once."""
    out = {}
    for name in NAMES:
        paths = {"txt": CORPUS / f"{name}.txt", "pdf": RENDERED / f"{name}.pdf",
                 "docx": RENDERED / f"{name}.docx"}
        for kind, path in paths.items():
            doc = read_document(path)
            result = audit_document(doc, rules)
            assert result.status == "ok", (name, kind, result.error)
            out[name, kind] = (doc, result)
    return out


def spec_values(record: dict) -> dict:
    """The SPEC §4 values: budget line numbers, indicator target/actual/rate/achieved,
    score, rating, unit and year (not where or how they were spelled)."""
    budget = {line: {k: v for k, v in vals.items() if k not in ("sources", "explanation")}
              for line, vals in record["budget"].items()}

    def part(obj, keys):
        return None if obj is None else {k: obj.get(k) for k in keys}

    indicators = [{"index": ind["index"], "target": part(ind["target"], ("op", "value", "unit")),
                   "actual": part(ind["actual"], ("value", "unit")), "rate": ind["rate"],
                   "achieved": ind["achieved"]} for ind in record["indicators"]]
    return {"budget": budget, "indicators": indicators, "score": record["score"],
            "rating": record["rating"], "unit": record["unit"], "year": record["year"]}


def finding_keys(result) -> list[tuple[str, str, str]]:
    return sorted((f["subject"], f["category"], f["severity"]) for f in result.findings)


def test_enough_reports_rendered():
    assert len(NAMES) >= 20
    for name in NAMES:
        assert (RENDERED / f"{name}.pdf").is_file() and (RENDERED / f"{name}.docx").is_file()


@pytest.mark.parametrize("name, kind", CASES)
def test_same_record_values_as_the_text(audited, name, kind):
    text, other = audited[name, "txt"][1].record, audited[name, kind][1].record
    assert text["indicators"] and text["score"] is not None
    expected, got = spec_values(text), spec_values(other)
    assert got["budget"] == expected["budget"]
    assert got["indicators"] == expected["indicators"]
    assert got == expected


@pytest.mark.parametrize("name, kind", CASES)
def test_same_findings_as_the_text(audited, name, kind):
    assert finding_keys(audited[name, kind][1]) == finding_keys(audited[name, "txt"][1])


def pointed_text(doc, ev: dict) -> str:
    """The source line(s) evidence names: (page, line) through line_end, which may lie on
    the next page when the span crosses a page break."""
    places = {(ln.page, ln.line): i for i, ln in enumerate(doc.lines)}
    start = places[ev["page"], ev["line"]]
    end = start
    if ev.get("line_end"):
        end = next(j for j in range(start + 1, min(start + MAX_SPAN_LINES, len(doc.lines)))
                   if doc.lines[j].line == ev["line_end"])
    return "".join(ln.text for ln in doc.lines[start:end + 1])


@pytest.mark.parametrize("name, kind", CASES)
def test_evidence_points_at_lines_holding_its_text(audited, name, kind):
    doc, result = audited[name, kind]
    for finding in result.findings:
        assert finding["evidence"], finding
        for ev in finding["evidence"]:  # evidence[0] is the issue's; the rest its operands
            assert ev["page"] is not None and ev["line"] is not None, finding
            assert compact(ev["text"]) in compact(pointed_text(doc, ev)), (ev, finding["subject"])


def test_the_rendered_reports_have_findings_to_check(audited):
    kinds = {f["category"] for name in NAMES for f in audited[name, "pdf"][1].findings}
    assert {"rate_mismatch", "sum_mismatch", "adjustment_mismatch", "rating_mismatch",
            "out_of_range", "unit_mismatch", "missing_explanation"} <= kinds

"""The user's sample report: SPEC §7 in-project, and a golden file pinning the
full record and findings (update with `python -m tests.golden` after review)."""

import json

import pytest

from pipeline.api import audit_file

from .conftest import SAMPLE
from .golden import CASES, GOLDEN_DIR, snapshot

REQUIRED = [
    ("indicator.4", "rate_mismatch", "error"),
    ("budget.year_start", "sum_mismatch", "error"),
    ("budget.project", "adjustment_mismatch", None),
    ("budget.total", "adjustment_mismatch", None),
    ("budget.additions", "zero_base_rate", None),
    ("budget.project", "zero_base_rate", None),
    ("indicator.6", "missing_explanation", "warning"),
    ("indicator.2", "text_defect", "info"),
    ("indicator.5", "name_mismatch", "info"),
    ("indicator.7", "text_defect", "info"),
]
FORBIDDEN = [
    ("budget.total", "sum_mismatch"),
    ("budget.basic", "adjustment_mismatch"),
    ("indicator.2", "rate_mismatch"),
    ("indicator.6", "rate_mismatch"),
    ("indicator.7", "rate_mismatch"),
    ("indicator.7", "missing_deviation_reason"),
    ("evaluation", "rating_mismatch"),
]


@pytest.fixture(scope="module")
def sample(rules):
    return audit_file(SAMPLE, rules)


def test_required_findings(sample):
    got = {(f["subject"], f["category"]): f for f in sample.findings}
    for subject, category, severity in REQUIRED:
        assert (subject, category) in got, f"missing {subject} {category}"
        if severity:
            assert got[(subject, category)]["severity"] == severity


def test_no_false_alarms(sample):
    for f in sample.findings:
        if (f["subject"], f["category"]) in FORBIDDEN:
            assert f["severity"] == "info", f["message"]


def test_rate_typo_suggestion_and_evidence(sample):
    f = next(f for f in sample.findings if f["subject"] == "indicator.4" and f["category"] == "rate_mismatch")
    assert f["suggestion"] == "100.5%"
    assert f["expected"] == "100.51%"
    assert f["stated"] == "100.005%"
    assert "100.005%" in f["evidence"][0]["text"]
    assert f["evidence"][0]["line"] == 213 and f["evidence"][0]["page"] is None


def test_record_fields(sample):
    rec = sample.record
    assert (rec["unit"], rec["year"], rec["filled_on"], rec["doc_type"]) == ("民政局", 2023, "2024-04-23", "department_overall")
    assert rec["region"] == "乌鲁木齐经济技术开发区（乌鲁木齐市头屯河区）"
    b = rec["budget"]
    assert b["total"]["budget"] == 3921.85 and b["basic"]["adjustment"] == -32.09
    assert b["special"]["count"] == 21 and b["project"]["year_start"] == 4202.7
    assert len(rec["indicators"]) == 8
    ind4 = rec["indicators"][3]
    assert ind4["target"] == {"op": "=", "value": 395, "unit": "人", "raw": "395人"}
    assert ind4["rate"] == 100.005 and ind4["achieved"] is True
    ind8 = rec["indicators"][7]
    assert ind8["midyear"]["text"] == "未达到监控节点" and ind8["target"]["op"] == ">="
    assert rec["indicators"][6]["deviation_reason"].startswith("2023年年末有部分老人去世")
    assert (rec["score"], rec["rating"]) == (99.94, "优")


def test_coverage_is_reported(sample):
    assert sample.coverage["numbers_found"] > 50
    assert sample.coverage["checks_run"] > 50


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    want = json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert snapshot(CASES[name]) == want, "output changed: review, then run `python -m tests.golden`"

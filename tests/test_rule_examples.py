"""Every rule's documented examples are its tests (sqlfluff/ruff style):
each `fail` example must give the listed findings of that rule, each `pass`
example none. A rule without both kinds of example fails the build (the
loader refuses it). Batch-level rules' examples are batch data, run by
tests/test_batch_rule_examples.py."""

import pytest

from pipeline.audit.checks import KINDS
from pipeline.audit.rules import load_rules

RULES = load_rules()
CASES = [
    pytest.param(rule, kind, i, ex, id=f"{rule.id}-{kind}-{i}")
    for rule in RULES if KINDS[rule.check].scope == "record"
    for kind in ("fail", "pass")
    for i, ex in enumerate(rule.examples.get(kind) or [])
]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_documented_with_both_examples(rule):
    assert rule.examples.get("fail"), f"{rule.id} has no failing example"
    assert rule.examples.get("pass"), f"{rule.id} has no passing example"
    assert rule.why and rule.references, f"{rule.id} lacks why/references"


# An example is an excerpt of a report: the harness gives it a report's title, as
# the document around it would (a bare fragment is not a report, extract.genre).
EXCERPT_TITLE = "绩效自评报告\n"


@pytest.mark.parametrize("rule,kind,i,example", CASES)
def test_rule_example(rule, kind, i, example, audit_text):
    result = audit_text(EXCERPT_TITLE + example["text"])
    assert result.status == "ok", result.error
    mine = [f for f in result.findings if f["rule"] == rule.id]
    if kind == "pass":
        assert not mine, f"{rule.id} pass example {i} flagged: {[f['message'] for f in mine]}"
        return
    for want in example["findings"]:
        matches = [f for f in mine if all(f.get(k) == v for k, v in want.items())]
        assert matches, (
            f"{rule.id} fail example {i}: no finding {want}; got "
            f"{[(f['subject'], f['stated'], f['expected'], f['suggestion']) for f in mine]}"
        )
        for f in matches:
            assert f["evidence"] and f["evidence"][0]["text"], "finding without evidence"
            assert f["category"] == rule.category

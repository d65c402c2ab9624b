"""The contract between a check kind and the rules that name it (STYLE §2-3):
a rule may use only the parameters, message values and message variants its
kind declares, and must come with a failing and a passing example; the kinds
give their messages exactly the values they declare."""

import pytest

from pipeline.audit.checks import KINDS
from pipeline.audit.rules import PLACEHOLDER_RE, RuleError, load_rules

RULE = """rules:
  - id: IND-11
    name: over_achievement
    title: 大幅超额完成应说明原因
    category: missing_explanation
    severity: warning
    check: {check}
    params: {params}
    message: "{message}"
{extra}"""
EXAMPLES = """    examples:
      fail: [{text: a, findings: []}]
      pass: [{text: b}]
"""


def load_one(tmp_path, check="over_achievement", params="{ratio: 400}", message="超额 {share}", extra=EXAMPLES):
    (tmp_path / "r.yml").write_text(RULE.format(check=check, params=params, message=message, extra=extra),
                                    encoding="utf-8")
    return load_rules([tmp_path])


def test_a_well_formed_override_loads(tmp_path):
    [rule] = [r for r in load_one(tmp_path) if r.id == "IND-11"]
    assert rule.params["ratio"] == 400 and rule.message == "超额 {share}"


@pytest.mark.parametrize("kw,says", [
    ({"message": "超额 {scroe}"}, "{scroe}"),
    ({"extra": "    messages: {capped: \"{share}\"}\n" + EXAMPLES}, "没有消息变体 ['capped']"),
    ({"extra": "    messages: {}\n"}, "缺少 examples"),
    ({"extra": "    examples:\n      fail: [{text: a, findings: []}]\n"}, "缺少 pass 示例"),
    ({"extra": "    examples:\n      pass: [{text: a}]\n"}, "缺少 fail 示例"),
    ({"check": "over_achievment"}, "未知检查类型"),
    ({"params": "{ratoi: 400}"}, "不认识参数 ['ratoi']"),
])
def test_loader_refuses_what_the_kind_does_not_declare(tmp_path, kw, says):
    with pytest.raises(RuleError) as err:
        load_one(tmp_path, **kw)
    assert says in str(err.value) and "IND-11" in str(err.value)


def test_variant_placeholders_are_checked_too(tmp_path):
    extra = "    messages: {as_printed: \"{rate} {computd}\"}\n" + EXAMPLES
    with pytest.raises(RuleError, match=r"messages\.as_printed .*\{computd\}"):
        load_one(tmp_path, check="completion_rate", params="{}", message="{rate}", extra=extra)


def test_every_builtin_rule_uses_only_declared_values():
    for rule in load_rules(include_retired=True):
        kind = KINDS[rule.check]
        for template in (rule.message, *rule.messages.values()):
            assert set(PLACEHOLDER_RE.findall(template)) <= set(kind.values), rule.id
        assert set(rule.messages) <= set(kind.variants), rule.id


@pytest.fixture
def recorded_values(monkeypatch):
    """Every record kind's hits, recorded as {kind: [set of value names, ...]}."""
    from dataclasses import replace

    seen: dict[str, list[set]] = {}

    def spy(name, fn):
        def run(record, params, tally):
            for hit in fn(record, params, tally):
                seen.setdefault(name, []).append(set(hit.values))
                yield hit
        return run

    for name, k in list(KINDS.items()):
        if k.fn is not None:
            monkeypatch.setitem(KINDS, name, replace(k, fn=spy(name, k.fn)))
    return seen


def test_hits_give_exactly_the_declared_values(recorded_values, audit_text):
    rules = [r for r in load_rules() if KINDS[r.check].scope == "record"]
    for rule in rules:
        for example in rule.examples["fail"]:
            result = audit_text(example["text"])
            for f in result.findings:
                assert not PLACEHOLDER_RE.search(f["message"]), (f["rule"], f["message"])
    assert recorded_values, "no hits recorded"
    for name, value_sets in recorded_values.items():
        for values in value_sets:
            assert values == set(KINDS[name].values), (name, values ^ set(KINDS[name].values))

"""SPEC §6 comparisons (pipeline/compare.py): the boundaries the spec names,
and hypothesis properties: a claim or a rate that exact arithmetic on the
printed figures supports is never contradicted, and nothing gross rests on
a supported claim."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline.audit.compare import MET, NOT_MET, UNDECIDED, achievement, judge_rate, quotient
from pipeline.numbers import parse_number

D = Decimal


def n(text: str):
    return parse_number(text)


def test_achievement_boundaries_from_spec():
    assert achievement(n("97%"), ">=", n("98%")) == NOT_MET
    assert achievement(n("99%"), "=", n("100%")) == NOT_MET
    assert achievement(n("100%"), ">=", n("100%")) == UNDECIDED
    assert achievement(n("98.6%"), ">=", n("98%")) == MET
    assert achievement(n("5964人"), ">=", n("6000人")) == NOT_MET  # counts are exact
    assert achievement(n("6000人"), ">=", n("6000人")) == MET
    assert achievement(n("0次"), "=", n("0次")) == MET
    assert achievement(n("8%"), "<=", n("5%")) == NOT_MET
    assert achievement(n("5%"), "<=", n("5%")) == UNDECIDED


def test_rates_read_twice():
    # 97/98 printed as 98.098%: fails both readings; the slip gives 98.98%.
    v = judge_rate(n("98.098%"), [quotient(n("97%"), n("98%"), exact_den=True)])
    assert (v.severity, v.reading, v.slip[0]) == ("error", "slip", "98.98")
    # 94/90 printed as 104.04%: within rounding of 94%, not what the figures give.
    v = judge_rate(n("104.04%"), [quotient(n("94%"), n("90%"), exact_den=True)])
    assert (v.severity, v.reading) == ("warning", "as_printed")
    assert str(v.value.quantize(D("0.01"))) == "104.44"
    # 92/95 printed as 96.08% (96.84%): an error.
    assert judge_rate(n("96.08%"), [quotient(n("92%"), n("95%"), exact_den=True)]).severity == "error"
    # the sample: 397/395 printed as 100.005%
    v = judge_rate(n("100.005%"), [quotient(n("397人"), n("395人"), exact_den=True)])
    assert (v.severity, v.slip[0]) == ("error", "100.5")
    assert judge_rate(n("102.69%"), [quotient(n("955人"), n("930人"), exact_den=True)]) is None
    assert judge_rate(n("99.4%"), [quotient(n("5964人"), n("6000人"), exact_den=True)]) is None
    # conventions are info
    assert judge_rate(n("100%"), [quotient(n("955人"), n("930人"), exact_den=True)]).reading == "capped"
    assert judge_rate(n("94.96%"), [quotient(n("94966人"), n("100000人"), exact_den=True)]).reading == "truncated"


OPS = [">=", ">", "<=", "<", "="]
PCT_NAMES = ["验收合格率", "群众满意度", "资金拨付率"]


def _exact_met(actual: Decimal, op: str, target: Decimal) -> bool:
    if op == "=":
        op = "<=" if target == 0 else ">="
    return {">=": actual >= target, ">": actual > target, "<=": actual <= target, "<": actual < target}[op]


def _printed(value: Decimal, decimals: int) -> str:
    return str(value.quantize(D(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


figures = st.tuples(
    st.integers(min_value=0, max_value=2000),   # target in tenths
    st.integers(min_value=0, max_value=1),      # target decimals
    st.sampled_from(OPS),
    st.integers(min_value=-300, max_value=300),  # actual − target, in hundredths
    st.integers(min_value=0, max_value=2),      # actual decimals
    st.sampled_from(["%", "人", "万元", "公里"]),
)


@given(figures)
def test_achievement_never_contradicts_exact_arithmetic(fig):
    t10, td, op, delta, ad, unit = fig
    target = D(t10) / 10
    actual = max(D(0), target + D(delta) / 100)
    t_text, a_text = _printed(target, td), _printed(actual, ad)
    t, a = n(t_text + unit), n(a_text + unit)
    verdict = achievement(a, op, t)
    exact = _exact_met(D(a_text), op, D(t_text))
    if verdict == MET:
        assert exact
    if verdict == NOT_MET:
        assert not exact


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(figures, st.integers(min_value=0, max_value=2), st.sampled_from(PCT_NAMES))
def test_supported_claim_is_never_contradicted_end_to_end(audit_text, fig, rate_dec, name):
    """A whole indicator paragraph whose claim (达到/未达到) is what exact
    arithmetic on its printed figures says, and whose completion rate is the
    printed quotient rounded: no claim contradiction, no rate error or warning,
    and no gross finding at all."""
    t10, td, op, delta, ad, unit = fig
    target = D(t10) / 10
    if target == 0 or op in ("<", "<="):
        target += 1  # a rate on a zero or reverse target is another rule's matter
        op = ">="
    actual = max(D(0), target + D(delta) / 100)
    t_text, a_text = _printed(target, td), _printed(actual, ad)
    assume(D(a_text) != 0 and D(t_text) != 0)
    met = _exact_met(D(a_text), op, D(t_text))
    rate = _printed(D(a_text) / D(t_text) * 100, rate_dec)
    claim = "达到预期目标。" if met else "未达到预期目标。偏差原因：工作推进滞后。"
    sym = {">=": "≥", ">": ">", "=": ""}[op]
    text = (f"（一）指标一：{name}\n{name}，预期指标是{sym}{t_text}{unit}，本次评价实际完成值是 {a_text}{unit}，"
            f"指标完成率是 {rate}%，{claim}\n")
    result = audit_text(text)
    assert result.status == "ok"
    bad = [f for f in result.findings
           if f["rule"] == "IND-17" or f["gross"]
           or (f["category"] == "rate_mismatch" and f["severity"] in ("error", "warning"))]
    assert not bad, (text, [f["message"] for f in bad])


def test_messages_say_which_reading_failed(audit_text):
    warn = audit_text("（一）指标一：设备完好率\n设备完好率，预期指标是>=90%，本次评价实际完成值是 94%，"
                      "指标完成率是 104.04%，达到预期目标。\n")
    (f,) = [f for f in warn.findings if f["rule"] == "IND-09"]
    assert f["severity"] == "warning" and "按所列数字 94%/90% 计算为 104.44%，与 104.04% 不符" in f["message"]
    err = audit_text("（一）指标一：资金拨付率\n资金拨付率，预期指标是>=98%，本次评价实际完成值是 97%，"
                     "指标完成率是 98.098%，未达到预期目标。偏差原因：年末有一笔资金未拨付。\n")
    (f,) = [f for f in err.findings if f["rule"] == "IND-09"]
    assert f["severity"] == "error" and "舍入不能解释" in f["message"] and "疑为 98.98% 之误" in f["message"]

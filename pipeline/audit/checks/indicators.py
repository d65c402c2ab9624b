"""Check kinds over performance indicators: completion rates, claims, units."""

from __future__ import annotations

from decimal import Decimal

import regex

from pipeline.audit.checks.base import Hit, Tally, evid, kind, pct, show, target_text
from pipeline.audit.compare import (
    MET,
    NOT_MET,
    UNDECIDED,
    Quotient,
    RateVerdict,
    achievement,
    crosses,
    inverse_quotient,
    judge_rate,
    one_minus_excess,
    quotient,
    rate_achievement,
)
from pipeline.model import Indicator, Record
from pipeline.numbers import Number

REVERSE_OPS = ("<=", "<")
QUAL_MET = regex.compile(r"(?<!未|部分)(?:达成|达到|完成|实现|效果明显|显著|良好)")
QUAL_MISSED = regex.compile(r"未(?:能)?(?:达成|达到|完成|实现)|部分(?:达成|完成|实现)|效果较差|不明显")


def is_reverse(op: str) -> bool:
    return op in REVERSE_OPS


def _same_unit(a: Number, b: Number) -> bool:
    return a.unit == b.unit or a.unit is None or b.unit is None


def outcome(ind: Indicator) -> str | None:
    """From the numbers, never the claim (SPEC §6): 'met', 'not_met',
    'undecided' (within rounding of the target), or None (cannot tell)."""
    t = ind.target
    if t is None:
        return None
    if t.number is None or (ind.actual is None and ind.actual_text):
        text = ind.actual_text or ""
        if QUAL_MISSED.search(text):
            return NOT_MET
        return MET if QUAL_MET.search(text) else None
    if ind.actual is None:
        return rate_achievement(ind.rate) if ind.rate is not None else None
    if not _same_unit(t.number, ind.actual):
        return None
    return achievement(ind.actual, t.op, t.number)


def _completion_readings(ind: Indicator) -> list[Quotient]:
    """The completion rate as each accepted convention computes it."""
    t, a = ind.target.number, ind.actual
    if is_reverse(ind.target.op):
        return [inverse_quotient(t, a, name="target_over_actual"), one_minus_excess(a, t)]
    return [quotient(a, t, exact_den=True, name="actual_over_target")]


@kind("completion_rate", values=("name", "rate", "formula", "computed", "label", "slip"),
      variants=("capped", "truncated", "as_printed"),
      threshold=100)
def check_completion_rate(record: Record, params: dict, tally: Tally):
    for ind in record.indicators:
        t, a, rate = ind.target, ind.actual, ind.rate
        if not t or t.number is None or a is None or rate is None or t.number.value == 0:
            continue
        if not _same_unit(t.number, a) or (is_reverse(t.op) and a.value == 0):
            continue
        tally.ran()
        verdict = judge_rate(rate, _completion_readings(ind))
        if verdict is not None:
            yield _completion_hit(ind, verdict, Decimal(params["threshold"]))


def _completion_hit(ind: Indicator, verdict: RateVerdict, threshold: Decimal) -> Hit:
    t, a, rate = ind.target.number, ind.actual, ind.rate
    reverse = is_reverse(ind.target.op)
    value = verdict.value
    formula = f"{show(t)}/{show(a)}" if reverse else f"{show(a)}/{show(t)}"
    if verdict.quotient.name == "one_minus_excess":
        formula = f"1 − ({show(a)} − {show(t)})/{show(t)}"
    values = {"name": ind.name or "", "rate": show(rate), "formula": formula, "computed": pct(value, 2),
              "label": "预期指标值/实际完成值" if reverse else "实际完成值/预期指标值",
              "slip": f"，疑为 {verdict.slip[0]}% 之误（{verdict.slip[1]}）" if verdict.slip else ""}
    gross = verdict.severity == "error" and crosses(threshold, rate.value, value)
    variant = verdict.reading if verdict.reading in ("capped", "truncated", "as_printed") else None
    return Hit(f"indicator.{ind.index}", values, evid(rate, a, t), show(rate), pct(value, 2),
               verdict.suggestion(rate), gross=gross, severity=verdict.severity, variant=variant)


@kind("indicator_zero_base", values=("name", "rate", "target"))
def check_indicator_zero_base(record: Record, params: dict, tally: Tally):
    for ind in record.indicators:
        t = ind.target
        if not t or t.number is None or ind.rate is None:
            continue
        tally.ran()
        if t.number.value != 0:
            continue
        yield Hit(f"indicator.{ind.index}", {"name": ind.name or "", "rate": show(ind.rate),
                  "target": show(t.number)}, evid(ind.rate, t.number), stated=show(ind.rate), expected="—")


@kind("claim", values=("name", "said", "truth", "target", "actual"))
def check_claim(record: Record, params: dict, tally: Tally):
    """达到/未达到预期目标 against the numbers: the actual's interval against the exact target."""
    for ind in record.indicators:
        if ind.achieved is None:
            continue
        result = outcome(ind)
        if result is None:
            continue
        tally.ran()
        # Only met and not met can contradict a claim; undecided never does.
        if result == UNDECIDED or (result == MET) == ind.achieved:
            continue
        said = "达到预期目标" if ind.achieved else "未达到预期目标"
        truth = "未达到" if result == NOT_MET else "已达到"
        ev = [e for e in [ind.achieved_evidence] if e] + evid(ind.actual, ind.target.number if ind.target else None)
        yield Hit(f"indicator.{ind.index}",
                  {"name": ind.name or "", "said": said, "truth": truth, "target": target_text(ind),
                   "actual": show(ind.actual) if ind.actual else (ind.actual_text or "")},
                  ev, stated=said, expected=f"{truth}预期目标", suggestion=f"{truth}预期目标", gross=True)


@kind("percent_range", values=("name", "actual"), high=100, low=0,
      names="率|满意度|达标|覆盖|合格|及时|知晓|参与度|入学|占比",
      # a ratio of two amounts may pass 100%: spending against a cap, growth, completion
      not_names="控制率|增长率|增幅|增速|完成率|执行率|变动率|调整率|偏差率|超支率|提高率|周转率|收益率|回报率|比率")
def check_percent_range(record: Record, params: dict, tally: Tally):
    """Rates of the 满意度/覆盖率/合格率 kind (shares of a whole) cannot leave [0, 100%]."""
    high, low = Decimal(params["high"]), Decimal(params["low"])
    names, not_names = regex.compile(params["names"]), regex.compile(params["not_names"])
    for ind in record.indicators:
        a = ind.actual
        name = ind.name or ""
        if a is None or a.unit != "%" or not names.search(name) or not_names.search(name):
            continue
        tally.ran()
        if low <= a.value <= high:
            continue
        yield Hit(f"indicator.{ind.index}", {"name": ind.name or "", "actual": show(a)}, evid(a),
                  stated=show(a), expected=f"{low}%–{high}%")


@kind("unit_match", values=("name", "target", "actual", "tunit", "aunit"))
def check_unit_match(record: Record, params: dict, tally: Tally):
    for ind in record.indicators:
        t, a = ind.target, ind.actual
        if not t or t.number is None or a is None or not t.number.unit or not a.unit:
            continue
        tally.ran()
        if t.number.unit == a.unit:
            continue
        yield Hit(f"indicator.{ind.index}", {"name": ind.name or "", "target": show(t.number),
                  "actual": show(a), "tunit": t.number.unit, "aunit": a.unit},
                  evid(t.number, a), stated=a.unit, expected=t.number.unit)


@kind("midyear_progress", values=("name", "midyear", "actual"))
def check_midyear(record: Record, params: dict, tally: Tally):
    """A cumulative count at mid-year above the year-end value needs a word."""
    for ind in record.indicators:
        m, a = ind.midyear, ind.actual
        if m is None or a is None or m.unit != a.unit or m.unit in ("%", None):
            continue
        if ind.target and is_reverse(ind.target.op):
            continue
        tally.ran()
        if m.interval()[0] <= a.interval()[1]:
            continue
        yield Hit(f"indicator.{ind.index}", {"name": ind.name or "", "midyear": show(m), "actual": show(a)},
                  evid(m, a), stated=show(a))

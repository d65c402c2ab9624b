"""Check kinds over a form's budget block and its scores: the execution
score, score bounds, over-execution, 元/万元 confusion, the 总分 roll-up and
narrative-vs-form values. They run only on records read from a form
(`record.form_layout`), so narrative reports are untouched."""

from __future__ import annotations

from decimal import Decimal

from pipeline.audit.checks.base import Hit, Tally, evid, kind, show
from pipeline.audit.compare import HUNDRED, definition, meets, ratio_interval, sum_holds, sum_value
from pipeline.labels import BUDGET_FIELD_ZH, BUDGET_LINE_ZH
from pipeline.model import Record
from pipeline.numbers import Number, format_decimal

FORM_LINES = ["total", "fiscal", "carryover", "other"]


def _score(value: Decimal) -> str:
    return format_decimal(value, 2) + "分"


def _capped_rate(rate: tuple[Decimal, Decimal]) -> tuple[Decimal, Decimal]:
    return max(Decimal(0), min(rate[0], HUNDRED)), max(Decimal(0), min(rate[1], HUNDRED))


def _times(rate: tuple[Decimal, Decimal], weight: Number) -> tuple[Decimal, Decimal]:
    w_lo, w_hi = definition(weight)
    return rate[0] * w_lo / HUNDRED, rate[1] * w_hi / HUNDRED


@kind("execution_score", values=("line", "rate", "weight", "score", "expected"), lines=["total"])
def check_execution_score(record: Record, params: dict, tally: Tally):
    """得分 = min(执行率, 100%) × 分值, on the stated rate or on 执行数/预算数 (a form
    with no 全年预算数 column, only 年初预算数(A) | 全年执行数(B), rates B/A)."""
    for line in params["lines"]:
        bl = record.budget.get(line)
        if not record.form_layout or not bl:
            continue
        weight, score, rate = bl.get("weight"), bl.get("score"), bl.get("rate")
        executed, budget = bl.get("executed"), bl.get("budget") or bl.get("year_start")
        if weight is None or score is None:
            continue
        rates = [rate.interval()] if rate is not None else []
        if executed is not None and budget is not None and budget.value != 0:
            rates.append(ratio_interval(executed.interval(), budget.interval()))
        if not rates:
            continue
        tally.ran()
        expected = [_times(_capped_rate(r), weight) for r in rates]
        if any(meets(score.interval(), e) for e in expected):
            continue
        r0 = rate.value if rate is not None else executed.value / budget.value * HUNDRED
        value = min(max(r0, Decimal(0)), HUNDRED) * weight.value / HUNDRED
        shown = show(rate) if rate is not None else format_decimal(r0, 2) + "%"
        yield Hit(f"budget.{line}", {"line": BUDGET_LINE_ZH[line], "rate": shown, "weight": show(weight),
                  "score": show(score), "expected": _score(value)},
                  evid(score, weight, rate, executed, budget), stated=show(score), expected=_score(value),
                  suggestion=_score(value))


@kind("fund_score_range", values=("line", "score", "weight"), lines=["total"])
def check_fund_score_range(record: Record, params: dict, tally: Tally):
    """0 ≤ 执行率得分 ≤ 分值."""
    for line in params["lines"]:
        bl = record.budget.get(line)
        if not record.form_layout or not bl or bl.get("weight") is None or bl.get("score") is None:
            continue
        weight, score = bl.get("weight"), bl.get("score")
        tally.ran()
        if Decimal(0) <= score.value <= weight.value:
            continue
        yield Hit(f"budget.{line}", {"line": BUDGET_LINE_ZH[line], "score": show(score), "weight": show(weight)},
                  evid(score, weight), stated=show(score), expected=f"0–{show(weight)}")


@kind("over_execution", values=("line", "executed", "budget"), lines=FORM_LINES)
def check_over_execution(record: Record, params: dict, tally: Tally):
    """全年执行数 above 全年预算数 beyond rounding; an error when the
    execution score also exceeds its 分值."""
    for line in params["lines"]:
        bl = record.budget.get(line)
        if not record.form_layout or not bl or bl.get("executed") is None or bl.get("budget") is None:
            continue
        executed, budget = bl.get("executed"), bl.get("budget")
        tally.ran()
        if executed.interval()[0] <= budget.interval()[1]:
            continue
        score, weight = bl.get("score"), bl.get("weight")
        worse = score is not None and weight is not None and score.value > weight.value
        yield Hit(f"budget.{line}", {"line": BUDGET_LINE_ZH[line], "executed": show(executed), "budget": show(budget)},
                  evid(executed, budget, score), stated=show(executed), expected=f"≤ {show(budget)}",
                  severity="error" if worse else None)


SCALE = Decimal(10000)


def _scaled(a: Number, b: Number, rel: Decimal) -> bool:
    """a/b or b/a within 10,000 × (1 ± rel), on the interval rule."""
    for x, y in ((a, b), (b, a)):
        r = ratio_interval(x.interval(), y.interval(), Decimal(1))
        if r is not None and meets(r, (SCALE * (1 - rel), SCALE * (1 + rel))):
            return True
    return False


def _unit_pairs(record: Record):
    """(subject, label, a, b): quantities that should be the same amount."""
    for name in FORM_LINES:
        bl = record.budget.get(name)
        if not bl:
            continue
        for f1, f2 in (("year_start", "budget"), ("budget", "executed")):
            a, b = bl.get(f1), bl.get(f2)
            if a is not None and b is not None:
                yield f"budget.{name}", f"{BUDGET_LINE_ZH[name]}{BUDGET_FIELD_ZH[f1]}/{BUDGET_FIELD_ZH[f2]}", a, b
    total = record.budget.get("total")
    for f in ("year_start", "budget", "executed"):
        parts = [record.budget[p].get(f) for p in ("fiscal", "carryover", "other") if p in record.budget]
        parts = [p for p in parts if p is not None and p.value != 0]
        if total is not None and total.get(f) is not None and len(parts) == 1:
            yield "budget.total", f"{BUDGET_LINE_ZH['total']}{BUDGET_FIELD_ZH[f]}/分项", total.get(f), parts[0]
    for cc in record.cross_checks:
        if isinstance(cc.form, Number) and cc.path.startswith("budget.") and cc.form.unit == "万元":
            yield "budget.total", "自评表/正文", cc.form, cc.narrative


@kind("unit_scale", values=("label", "big", "small"), relative=0.0001)
def check_unit_scale(record: Record, params: dict, tally: Tally):
    """The same amount stated twice with a ratio of 10,000: 元 written as 万元."""
    if not record.form_layout:
        return
    rel = Decimal(str(params["relative"]))
    seen = set()
    for subject, label, a, b in _unit_pairs(record):
        if a.value == 0 or b.value == 0:
            continue
        tally.ran()
        if not _scaled(a, b, rel) or subject in seen:
            continue
        seen.add(subject)
        big, small = (a, b) if abs(a.value) > abs(b.value) else (b, a)
        yield Hit(subject, {"label": label, "big": show(big), "small": show(small)}, evid(big, small),
                  stated=show(big), expected=show(small), suggestion=show(small))


@kind("score_rollup", values=("total", "sum", "n", "fund"))
def check_score_rollup(record: Record, params: dict, tally: Tally):
    """总分 = 执行率得分 + Σ indicator 得分."""
    total = record.score
    fund = record.budget.get("total")
    fund_score = fund.get("score") if fund else None
    scores = [i.score for i in record.indicators]
    if not record.form_layout or total is None or not scores or any(s is None for s in scores):
        return
    if record.form_unread_groups:
        return  # rows of the table were not read (an extraction_gap says which): their 得分 are missing
    parts = ([fund_score] if fund_score is not None else []) + scores
    tally.ran()
    if sum_holds(total, [(n, 1) for n in parts]):
        return
    value = sum_value([(n, 1) for n in parts])
    yield Hit("evaluation", {"total": show(total), "sum": _score(value), "n": len(scores),
              "fund": show(fund_score) if fund_score is not None else "未填"},
              evid(total, fund_score), stated=show(total), expected=_score(value), suggestion=_score(value))


@kind("narrative_vs_form", values=("label", "form", "narrative"))
def check_narrative_vs_form(record: Record, params: dict, tally: Tally):
    """A quantity stated in the narrative and in the attached form differs."""
    labels = {"score": "总分", "rating": "评价等级"}
    for cc in record.cross_checks:
        tally.ran()
        if isinstance(cc.form, Number):
            if meets(cc.form.interval(), cc.narrative.interval()):
                continue
            form, narr = show(cc.form), show(cc.narrative)
        else:
            if cc.form == cc.narrative:
                continue
            form, narr = cc.form, cc.narrative
        parts = cc.path.split(".")
        subject = "budget.total" if parts[0] == "budget" else "evaluation"
        label = labels.get(cc.path) or BUDGET_LINE_ZH["total"] + BUDGET_FIELD_ZH.get(parts[-1], parts[-1])
        ev = [e for e in (cc.narrative_evidence, cc.form_evidence) if e]
        yield Hit(subject, {"label": label, "form": form, "narrative": narr}, ev, stated=narr, expected=form,
                  gross=cc.path == "rating")

"""Check kinds over a form's weights (分值) and indicator scores (得分):
weights adding to 100 and to their headings, the standard split, score
bounds, 正向/反向/"=" scoring (DOMAIN §1.5), qualitative bands and points
deducted from a met target without a reason."""

from __future__ import annotations

from decimal import Decimal

import regex

from pipeline.audit.checks.base import Hit, Tally, evid, kind, show, target_text
from pipeline.audit.checks.indicators import is_reverse, outcome
from pipeline.audit.compare import MET, definition, exact_sum_holds, meets, sum_value
from pipeline.model import Indicator, Record
from pipeline.numbers import Number, format_decimal

ZERO = Decimal(0)
ONE = Decimal(1)


def _pts(value: Decimal) -> str:
    return format_decimal(value, 2) + "分"


def _weights(record: Record) -> list[Number] | None:
    ws = [i.weight for i in record.indicators]
    return ws if ws and all(w is not None for w in ws) else None


@kind("weight_total", values=("sum", "total", "fund", "n"), total=100)
def check_weight_total(record: Record, params: dict, tally: Tally):
    """执行率分值 + Σ 三级指标分值 = 100."""
    if record.form_end is False or record.form_unread_groups:
        return  # the form stops before its 总分 row, or rows were not read: its indicators may not all be here
    ws = _weights(record)
    if not record.form_layout or ws is None:
        return
    fund = record.budget.get("total")
    fw = fund.get("weight") if fund else None
    parts = ([fw] if fw is not None else []) + ws
    total = Decimal(str(params["total"]))
    tally.ran()
    if exact_sum_holds((total, total), parts):
        return
    value = sum_value([(n, 1) for n in parts])
    yield Hit("evaluation", {"sum": format_decimal(value, 2), "total": params["total"],
              "fund": show(fw) if fw is not None else "未填", "n": len(ws)},
              evid(fw, record.total_weight, *ws[:3]), stated=format_decimal(value, 2), expected=str(params["total"]))


@kind("weight_hierarchy", values=("heading", "weight", "sum", "n"))
def check_weight_hierarchy(record: Record, params: dict, tally: Tally):
    """Each weighted heading (产出指标(50分)) = Σ the 分值 of its indicators."""
    if not record.form_layout or record.form_unread_groups:
        return  # rows under a 二级 group were not read: a heading may miss some of its indicators
    for h in record.headings:
        key = "level1" if h.level == 1 else "level2"
        kids = [i for i in record.indicators if getattr(i, key) == h.name]
        if not kids or any(i.weight is None for i in kids):
            continue
        tally.ran()
        if exact_sum_holds(definition(h.weight), [i.weight for i in kids]):
            continue
        value = sum_value([(i.weight, 1) for i in kids])
        yield Hit(f"indicator.{kids[0].index}", {"heading": h.name, "weight": show(h.weight),
                  "sum": format_decimal(value, 2), "n": len(kids)},
                  [e for e in [h.evidence] if e] + evid(*(i.weight for i in kids[:3])),
                  stated=show(h.weight), expected=format_decimal(value, 2))


def _level1_weights(record: Record) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for i in record.indicators:
        out[i.level1 or "?"] = out.get(i.level1 or "?", ZERO) + i.weight.value
    return out


@kind("weight_split", values=("got", "accepted"), splits=[{"预算执行率": 10, "产出指标": 50, "效益指标": 30, "满意度指标": 10}])
def check_weight_split(record: Record, params: dict, tally: Tally):
    """The first-level split against the accepted ones ("*" = all indicators)."""
    ws = _weights(record)
    fund = record.budget.get("total")
    fw = fund.get("weight") if fund else None
    if not record.form_layout or ws is None or fw is None or record.form_unread_groups:
        return
    tally.ran()
    got = {"预算执行率": fw.value, **_level1_weights(record)}
    everything = {"预算执行率": fw.value, "*": sum((w.value for w in ws), ZERO)}
    for split in params["splits"]:
        want = {k: Decimal(str(v)) for k, v in split.items()}
        if want == (everything if "*" in want else got):
            return
    shown = "、".join(f"{k}{format_decimal(v, 0) if v == v.to_integral() else v}" for k, v in got.items())
    accepted = "；".join("、".join(f"{k}{v}" for k, v in s.items()) for s in params["splits"])
    yield Hit("evaluation", {"got": shown, "accepted": accepted}, evid(fw, *ws[:2]), stated=shown,
              expected=accepted)


@kind("indicator_score_range", values=("name", "score", "weight"))
def check_indicator_score_range(record: Record, params: dict, tally: Tally):
    """0 ≤ 得分 ≤ 分值 per indicator."""
    for ind in record.indicators:
        if ind.weight is None or ind.score is None:
            continue
        tally.ran()
        if ZERO <= ind.score.value <= ind.weight.value:
            continue
        yield Hit(f"indicator.{ind.index}", {"name": ind.name or "", "score": show(ind.score),
                  "weight": show(ind.weight)}, evid(ind.score, ind.weight), stated=show(ind.score),
                  expected=f"0–{show(ind.weight)}")


# --- quantitative scoring -------------------------------------------------------

def _scorable(ind: Indicator) -> bool:
    t = ind.target
    return (t is not None and t.number is not None and ind.actual is not None and ind.weight is not None
            and ind.score is not None and (t.number.unit == ind.actual.unit or not t.number.unit
                                           or not ind.actual.unit))


def _clip(x: Decimal) -> Decimal:
    return max(ZERO, min(x, ONE))


def _positive(t: Number, a: Number, w: Number) -> tuple[Decimal, Decimal] | None:
    """w × min(a/t, 1) as an interval (negative actuals count as 0); the
    target and the weight are definitions, exact."""
    t_lo, t_hi = definition(t)
    a_lo, a_hi = (max(x, ZERO) for x in a.interval())
    w_lo, w_hi = definition(w)
    if t_lo <= 0:
        return None
    return w_lo * _clip(a_lo / t_hi), w_hi * _clip(a_hi / t_lo)


def _reverse(t: Number, a: Number, w: Number, conventions: list[str]) -> list[tuple[Decimal, Decimal]]:
    """Accepted score intervals for a ≤ target: full marks when met; else
    (a) w × t/a or (b) w × max(0, 1 − (a − t)/t)."""
    t_lo, t_hi = definition(t)
    a_lo, a_hi = a.interval()
    w_lo, w_hi = definition(w)
    out = []
    if a_lo <= t_hi:
        out.append((w_lo if a_hi <= t_lo else ZERO, w_hi))
    if a_hi <= 0 or t_lo <= 0:
        return out or [(w_lo, w_hi)]
    if "target_over_actual" in conventions:
        out.append((w_lo * _clip(t_lo / a_hi), w_hi * _clip(t_hi / max(a_lo, Decimal("1e-9")))))
    if "one_minus_excess" in conventions:
        out.append((w_lo * _clip(2 - a_hi / t_lo), w_hi * _clip(2 - a_lo / t_hi)))
    return out


def expected_scores(ind: Indicator, conventions: list[str]) -> list[tuple[Decimal, Decimal]]:
    t, a, w = ind.target.number, ind.actual, ind.weight
    if is_reverse(ind.target.op):
        return _reverse(t, a, w, conventions)
    if t.value == 0 and ind.target.op == "=":
        return [definition(w)] if a.value <= 0 else [(ZERO, ZERO)]
    iv = _positive(t, a, w)
    return [iv] if iv else []


DIRECTIONS = {"positive": (">=", ">"), "reverse": ("<=", "<"), "equal": ("=",)}


@kind("indicator_score", values=("name", "score", "weight", "target", "actual", "expected"),
      variants=("high", "low"),
      direction="positive", conventions=["target_over_actual", "one_minus_excess"])
def check_indicator_score(record: Record, params: dict, tally: Tally):
    """得分 against 分值 × completion (正向, 反向 or "="): above every accepted
    value is an error; below it (a partly met target) a warning."""
    ops = DIRECTIONS[params["direction"]]
    for ind in record.indicators:
        if not _scorable(ind) or ind.target.op not in ops:
            continue
        ivs = expected_scores(ind, params["conventions"])
        if not ivs:
            continue
        tally.ran()
        s_lo, s_hi = ind.score.interval()
        if any(meets((s_lo, s_hi), iv) for iv in ivs):
            continue
        high = max(iv[1] for iv in ivs)
        if s_lo <= high and outcome(ind) == MET:
            continue  # a deduction from a met target: IND-18's question
        best = min((iv for iv in ivs), key=lambda iv: min(abs(iv[0] - ind.score.value), abs(iv[1] - ind.score.value)))
        value = (best[0] + best[1]) / 2
        yield Hit(f"indicator.{ind.index}",
                  {"name": ind.name or "", "score": show(ind.score), "weight": show(ind.weight),
                   "target": target_text(ind), "actual": show(ind.actual), "expected": _pts(value)},
                  evid(ind.score, ind.actual, ind.target.number, ind.weight), stated=show(ind.score),
                  expected=_pts(value), suggestion=_pts(value), severity="error" if s_lo > high else "warning",
                  variant="high" if s_lo > high else "low")


# --- qualitative ---------------------------------------------------------------

QUAL_LEVELS = (
    ("missed", regex.compile(r"未(?:能)?(?:达成|达到|完成|实现)|效果较差|较差|不明显")),
    ("partial", regex.compile(r"部分(?:达成|达到|完成|实现)|基本(?:达成|达到|完成|实现)|一定效果")),
    ("met", regex.compile(r"达成|达到|完成|实现|效果明显|效果显著|显著|良好|有效")),
)


def qualitative_level(text: str | None) -> str | None:
    for level, rx in QUAL_LEVELS:
        if text and rx.search(text):
            return level
    return None


@kind("qualitative_band", values=("name", "actual", "score", "weight", "band"),
      bands={"met": [0.8, 1.0], "partial": [0.6, 0.8], "missed": [0, 0.6]},
      tolerance=0.005)
def check_qualitative_band(record: Record, params: dict, tally: Tally):
    """达成 → [80%,100%]·分值, 部分达成 → [60%,80%), 未达成 → [0,60%)."""
    for ind in record.indicators:
        level = qualitative_level(ind.actual_text) if ind.actual is None else None
        if level is None and ind.actual is None and ind.actual_text and ind.target is not None and \
                ind.target.number is None and ind.actual_text == ind.target.text:
            level = "met"  # 健全 of 健全: the qualitative target as its own actual
        if level is None or ind.weight is None or ind.score is None:
            continue
        tally.ran()
        lo, hi = (Decimal(str(x)) for x in params["bands"][level])
        tol = Decimal(str(params["tolerance"])) * ind.weight.value
        w, s = ind.weight.value, ind.score.value
        upper_ok = s <= hi * w + tol if hi == ONE else s < hi * w + tol
        if lo * w - tol <= s and upper_ok:
            continue
        band = f"[{format_decimal(lo * w, 2)}, {format_decimal(hi * w, 2)}{']' if hi == ONE else ')'}"
        yield Hit(f"indicator.{ind.index}", {"name": ind.name or "", "actual": ind.actual_text, "score": show(ind.score),
                  "weight": show(ind.weight), "band": band},
                  evid(ind.score, ind.weight) + ([ind.evidence] if ind.evidence else []),
                  stated=show(ind.score), expected=band)


@kind("met_deducted", values=("name", "target", "actual", "score", "weight"))
def check_met_deducted(record: Record, params: dict, tally: Tally):
    """A quantitative target met (by the numbers) that lost points, with no
    偏差原因 to say why (a 偏离度 deduction must be explained)."""
    for ind in record.indicators:
        if not _scorable(ind):
            continue
        if outcome(ind) != MET:
            continue
        tally.ran()
        if ind.score.interval()[1] >= ind.weight.value or ind.deviation_reason or ind.explanation:
            continue
        yield Hit(f"indicator.{ind.index}", {"name": ind.name or "", "target": target_text(ind),
                  "actual": show(ind.actual), "score": show(ind.score), "weight": show(ind.weight)},
                  evid(ind.score, ind.actual, ind.weight), stated=show(ind.score), expected=show(ind.weight))


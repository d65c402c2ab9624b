"""Check kinds over budget lines: sums, adjustments, execution rates."""

from __future__ import annotations

from decimal import Decimal

from ..intervals import meets, ratio_interval, ratio_value, sum_interval, sum_value, truncation_interval
from ..model import Record
from ..numbers import Number, format_decimal
from ..slips import find_slip
from .base import FIELD_NAMES, LINE_NAMES, Hit, Tally, evid, kind, money, pct, present_lines, show


def _path(record: Record, path: str) -> Number | None:
    line, _, field = path.partition(".")
    bl = record.budget.get(line)
    return bl.get(field) if bl else None


def _label(path: str) -> str:
    line, _, field = path.partition(".")
    return LINE_NAMES.get(line, line) + ("" if field == "budget" else FIELD_NAMES.get(field, field))


@kind("sum", sums=[], min_parts=2)
def check_sum(record: Record, params: dict, tally: Tally):
    """total = Σ parts, for each listed sum; absent parts are left out but at
    least `min_parts` must be present (else nothing is claimed)."""
    for spec in params["sums"]:
        total = _path(record, spec["total"])
        parts = [(p, _path(record, p)) for p in spec["parts"]]
        present = [(p, n) for p, n in parts if n is not None]
        if total is None or not present:
            continue
        computed = sum_interval([(n, 1) for _, n in present])
        if len(present) < params["min_parts"]:
            # Unstated parts are unknown but not negative: the present parts
            # alone exceeding the total is already a certain mismatch.
            tally.ran()
            if total.interval()[1] >= computed[0]:
                continue
        else:
            tally.ran()
            if meets(total.interval(), computed):
                continue
        value = sum_value([(n, 1) for _, n in present])
        d = max([total.decimals] + [n.decimals for _, n in present])
        terms = " + ".join(f"{_label(p)} {show(n)}" for p, n in present)
        yield Hit(
            subject=f"budget.{spec['total'].split('.')[0]}",
            values={"total_label": _label(spec["total"]), "total": show(total), "terms": terms,
                    "sum": money(value, d), "diff": money(abs(total.value - value), d)},
            evidence=evid(total, *(n for _, n in present)),
            stated=show(total), expected=money(value, d), suggestion=money(value, d),
        )


@kind("adjustment", lines=["basic", "project", "special"])
def check_line_adjustment(record: Record, params: dict, tally: Tally):
    """full-year budget = year-start budget + signed adjustment, per line."""
    for line, bl in present_lines(record, params):
        start, adj, full = bl.get("year_start"), bl.get("adjustment"), bl.get("budget")
        if start is None or adj is None or full is None:
            continue
        tally.ran()
        computed = sum_interval([(start, 1), (adj, 1)])
        if meets(full.interval(), computed):
            continue
        value = start.value + adj.value
        d = max(start.decimals, adj.decimals, full.decimals)
        yield Hit(
            subject=f"budget.{line}",
            values={"line": LINE_NAMES[line], "year_start": show(start), "adjustment": _signed(adj),
                    "computed": money(value, d), "budget": show(full)},
            evidence=evid(start, adj, full), stated=show(full), expected=money(value, d),
            suggestion=money(value, d),
        )


def _signed(n: Number) -> str:
    text = format_decimal(abs(n.value), n.decimals) + "万元"
    return ("− " if n.value < 0 else "+ ") + text


@kind("total_adjustment", components=["basic", "project", "special"])
def check_total_adjustment(record: Record, params: dict, tally: Tally):
    """total full-year = year-start total + additions + Σ signed line adjustments.
    Also accepted: positive line adjustments already counted in the additions."""
    total, start = _path(record, "total.budget"), _path(record, "year_start.budget")
    additions = _path(record, "additions.budget")
    adjs = [n for c in params["components"] if (n := _path(record, f"{c}.adjustment")) is not None]
    if total is None or start is None or (additions is None and not adjs):
        return
    tally.ran()
    base = [(start, 1)] + ([(additions, 1)] if additions is not None else [])
    readings = [base + [(n, 1) for n in adjs], base + [(n, 1) for n in adjs if n.value < 0]]
    if any(meets(total.interval(), sum_interval(r)) for r in readings):
        return
    terms = [(start, 1)] + ([(additions, 1)] if additions is not None else []) + [(n, 1) for n in adjs]
    value = sum_value(terms)
    d = max(n.decimals for n, _ in terms + [(total, 1)])
    formula = f"{show(start)}" + (f" + {show(additions)}" if additions is not None else "")
    formula += "".join(f" {_signed(n)}" for n in adjs)
    yield Hit(
        subject="budget.total",
        values={"formula": formula, "computed": money(value, d), "total": show(total)},
        evidence=evid(total, start, additions, *adjs), stated=show(total), expected=money(value, d),
        suggestion=money(value, d),
    )


@kind("execution_rate", lines=["total", "year_start", "additions", "basic", "project", "special"],
      threshold=90)
def check_execution_rate(record: Record, params: dict, tally: Tally):
    """stated 执行率 vs executed / full-year budget; conventions become info."""
    for line, bl in present_lines(record, params):
        rate, executed, budget = bl.get("rate"), bl.get("executed"), bl.get("budget")
        if rate is None or executed is None or budget is None or budget.value == 0:
            continue
        tally.ran()
        computed = ratio_interval(executed, budget)
        if computed is None or meets(rate.interval(), computed):
            continue
        yield _rate_hit(record, line, rate, executed, budget, Decimal(params["threshold"]))


def _rate_hit(record, line, rate, executed, budget, threshold) -> Hit:
    value = ratio_value(executed.value, budget.value)
    d = 2
    values = {"line": LINE_NAMES[line], "rate": show(rate), "executed": show(executed),
              "budget": show(budget), "computed": pct(value, d)}
    base = _year_start_base(record, line)
    if base is not None:
        alt = ratio_interval(executed, base)
        if alt is not None and meets(rate.interval(), alt):
            values["base"] = show(base)
            return Hit(f"budget.{line}", values, evid(rate, executed, budget, base), show(rate),
                       pct(value, d), pct(value, d), severity="info", variant="year_start_base")
    if value > 100 and meets(rate.interval(), (Decimal(100), Decimal(100))):
        return Hit(f"budget.{line}", values, evid(rate, executed, budget), show(rate), pct(value, d),
                   None, severity="info", variant="capped")
    if meets(truncation_interval(rate), ratio_interval(executed, budget)):
        return Hit(f"budget.{line}", values, evid(rate, executed, budget), show(rate), pct(value, d),
                   pct(value, rate.decimals), severity="info", variant="truncated")
    slip = find_slip(rate.raw.rstrip("%"), lambda v, dd: meets(_iv(v, dd), ratio_interval(executed, budget)))
    gross = (rate.value >= threshold) != (value >= threshold)
    suggestion = slip[0] + "%" if slip else pct(value, rate.decimals)
    values["slip"] = f"，疑为 {slip[0]}% 之误（{slip[1]}）" if slip else ""
    return Hit(f"budget.{line}", values, evid(rate, executed, budget), show(rate), pct(value, d),
               suggestion, gross=gross)


def _iv(v: Decimal, d: int):
    h = Decimal(5) * Decimal(10) ** (-d - 1)
    return v - h, v + h


def _year_start_base(record: Record, line: str) -> Number | None:
    if line == "total":
        return _path(record, "year_start.budget")
    bl = record.budget.get(line)
    start = bl.get("year_start") if bl else None
    budget = bl.get("budget") if bl else None
    if start is not None and budget is not None and start.value != budget.value and start.value != 0:
        return start
    return None


@kind("zero_base", lines=["total", "year_start", "additions", "basic", "project", "special"])
def check_zero_base(record: Record, params: dict, tally: Tally):
    """A rate stated on a zero budget (0/0 written as 100% or 0%)."""
    for line, bl in present_lines(record, params):
        if bl.get("rate") is None or bl.get("budget") is None:
            continue
        tally.ran()
        budget, rate, executed = bl.get("budget"), bl.get("rate"), bl.get("executed")
        if budget.value != 0:
            continue
        yield Hit(
            f"budget.{line}",
            {"line": LINE_NAMES[line], "budget": show(budget),
             "executed": show(executed) if executed else "未填", "rate": show(rate)},
            evid(rate, budget, executed), stated=show(rate), expected="—（预算数为 0，执行率无意义）",
            suggestion="—",
        )

"""Check kinds over budget lines: sums, adjustments, execution rates."""

from __future__ import annotations

from decimal import Decimal

from pipeline.audit.checks.base import Hit, Tally, evid, kind, money, pct, present_lines, show
from pipeline.audit.compare import crosses, judge_rate, quotient, sum_holds, sum_interval, sum_value
from pipeline.labels import BUDGET_FIELD_ZH, BUDGET_LINE_ZH
from pipeline.model import Record
from pipeline.numbers import Number, format_decimal


def _path(record: Record, path: str) -> Number | None:
    line, _, field = path.partition(".")
    bl = record.budget.get(line)
    return bl.get(field) if bl else None


def _label(path: str) -> str:
    line, _, field = path.partition(".")
    return BUDGET_LINE_ZH.get(line, line) + ("" if field == "budget" else BUDGET_FIELD_ZH.get(field, field))


@kind("sum", values=("total_label", "total", "terms", "sum", "diff"), sums=[], min_parts=2, doc_types=None,
      form_only=False)
def check_sum(record: Record, params: dict, tally: Tally):
    """total = Σ parts, for each listed sum; absent parts are left out but at
    least `min_parts` must be present (else nothing is claimed). `doc_types`
    limits the sums to those documents (a department's composition is no
    project report's); `form_only` to figures read from a form's rows."""
    if params["doc_types"] and record.doc_type not in params["doc_types"]:
        return
    if params["form_only"] and not record.form_layout:
        return
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
            if sum_holds(total, [(n, 1) for _, n in present]):
                continue
        value = sum_value([(n, 1) for _, n in present])
        d = max([total.decimals] + [n.decimals for _, n in present])
        terms = " + ".join(f"{_label(p)} {show(n)}" for p, n in present)
        yield Hit(
            subject=f"budget.{spec['total'].split('.')[0]}",
            values={"total_label": _label(spec["total"]), "total": show(total), "terms": terms,
                    "sum": money(value, d, total, beside=True),
                    "diff": money(abs(total.value - value), d, total, beside=True)},
            evidence=evid(total, *(n for _, n in present)),
            stated=show(total), expected=money(value, d, total), suggestion=money(value, d, total),
        )


@kind("adjustment", values=("line", "year_start", "adjustment", "computed", "budget"),
      lines=["basic", "project", "special"])
def check_line_adjustment(record: Record, params: dict, tally: Tally):
    """full-year budget = year-start budget + signed adjustment, per line."""
    for line, bl in present_lines(record, params):
        start, adj, full = bl.get("year_start"), bl.get("adjustment"), bl.get("budget")
        if start is None or adj is None or full is None:
            continue
        tally.ran()
        if sum_holds(full, [(start, 1), (adj, 1)]):
            continue
        value = start.value + adj.value
        d = max(start.decimals, adj.decimals, full.decimals)
        yield Hit(
            subject=f"budget.{line}",
            values={"line": BUDGET_LINE_ZH[line], "year_start": show(start), "adjustment": _signed(adj),
                    "computed": money(value, d, full, beside=True), "budget": show(full)},
            evidence=evid(start, adj, full), stated=show(full), expected=money(value, d, full),
            suggestion=money(value, d, full),
        )


def _signed(n: Number) -> str:
    text = money(abs(n.value), n.decimals, n) if n.source_unit else format_decimal(abs(n.value), n.decimals) + "万元"
    return ("− " if n.value < 0 else "+ ") + text


@kind("total_adjustment", values=("formula", "computed", "total"), components=["basic", "project", "special"])
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
    if any(sum_holds(total, r) for r in readings):
        return
    terms = [(start, 1)] + ([(additions, 1)] if additions is not None else []) + [(n, 1) for n in adjs]
    value = sum_value(terms)
    d = max(n.decimals for n, _ in terms + [(total, 1)])
    formula = f"{show(start)}" + (f" + {show(additions)}" if additions is not None else "")
    formula += "".join(f" {_signed(n)}" for n in adjs)
    yield Hit(
        subject="budget.total",
        values={"formula": formula, "computed": money(value, d, total, beside=True), "total": show(total)},
        evidence=evid(total, start, additions, *adjs), stated=show(total), expected=money(value, d, total),
        suggestion=money(value, d, total),
    )


@kind("execution_rate", values=("line", "rate", "executed", "budget", "computed", "base", "slip"),
      variants=("year_start_base", "as_printed", "capped", "truncated"),
      lines=["total", "year_start", "additions", "basic", "project", "special"],
      threshold=90)
def check_execution_rate(record: Record, params: dict, tally: Tally):
    """stated 执行率 vs executed / full-year budget, read twice (SPEC §6);
    a rate that holds on the year-start budget is info naming that convention."""
    for line, bl in present_lines(record, params):
        rate, executed, budget = bl.get("rate"), bl.get("executed"), bl.get("budget")
        if rate is None or executed is None or budget is None or budget.value == 0:
            continue
        tally.ran()
        base = _year_start_base(record, line)
        conventions = [quotient(executed, base, name="year_start_base")] if base is not None else []
        verdict = judge_rate(rate, [quotient(executed, budget)], conventions)
        if verdict is None:
            continue
        values = {"line": BUDGET_LINE_ZH[line], "rate": show(rate), "executed": show(executed),
                  "budget": show(budget), "computed": pct(verdict.value, 2), "base": show(base) if base else "",
                  "slip": f"，疑为 {verdict.slip[0]}% 之误（{verdict.slip[1]}）" if verdict.slip else ""}
        gross = verdict.severity == "error" and crosses(Decimal(params["threshold"]), rate.value, verdict.value)
        variant = verdict.reading if verdict.reading not in ("interval", "slip") else None
        suggestion = pct(verdict.value, 2) if verdict.reading == "year_start_base" else verdict.suggestion(rate)
        yield Hit(f"budget.{line}", values,
                  evid(rate, executed, budget, base if verdict.reading == "year_start_base" else None),
                  show(rate), pct(verdict.value, 2), suggestion, gross=gross, severity=verdict.severity,
                  variant=variant)


def _year_start_base(record: Record, line: str) -> Number | None:
    if line == "total":
        return _path(record, "year_start.budget")
    bl = record.budget.get(line)
    start = bl.get("year_start") if bl else None
    budget = bl.get("budget") if bl else None
    if start is not None and budget is not None and start.value != budget.value and start.value != 0:
        return start
    return None


@kind("zero_base", values=("line", "budget", "executed", "rate"),
      lines=["total", "year_start", "additions", "basic", "project", "special"])
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
            {"line": BUDGET_LINE_ZH[line], "budget": show(budget),
             "executed": show(executed) if executed else "未填", "rate": show(rate)},
            evid(rate, budget, executed), stated=show(rate), expected="—（预算数为 0，执行率无意义）",
            suggestion="—",
        )

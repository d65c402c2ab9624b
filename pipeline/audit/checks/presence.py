"""Check kinds for things that must be explained, and amounts out of range."""

from __future__ import annotations

from decimal import Decimal

from pipeline.audit.checks.base import Hit, Tally, evid, kind, pct, present_lines, show, target_text
from pipeline.audit.checks.indicators import is_reverse, outcome
from pipeline.audit.compare import NOT_MET, meets, ratio_value
from pipeline.labels import BUDGET_LINE_ZH
from pipeline.model import Record

LOW_EXECUTION_REASONS = ["原因", "由于", "因为", "导致", "致使", "系因", "主要是", "主要系", "延期", "推迟",
                         "延迟", "未到位", "未完成", "结转", "跨年", "滞后"]


@kind("low_execution_explained", values=("line", "rate", "threshold"),
      lines=["total", "basic", "project", "special"], threshold=90,
      reason_words=LOW_EXECUTION_REASONS)
def check_low_execution(record: Record, params: dict, tally: Tally):
    """执行率 below the threshold needs a reason (Sichuan: 未达到90%的需说明原因)."""
    threshold = Decimal(params["threshold"])
    for line, bl in present_lines(record, params):
        rate, executed, budget = bl.get("rate"), bl.get("executed"), bl.get("budget")
        if (budget is not None and budget.value == 0) or bl.unrated_part:
            continue
        # the stated rate where there is one (a form may print no 全年预算数)
        value = rate.value if rate is not None else (
            ratio_value(executed.value, budget.value) if executed is not None and budget is not None else None)
        if value is None:
            continue
        tally.ran()
        # What the money was for (资金主要用于…) does not say why it was not spent;
        # a form's 原因 cell says why whatever its words.
        stated = bl.reason_cell or any(w in (bl.explanation or "") for w in params["reason_words"])
        if value >= threshold or stated:
            continue
        shown = show(rate) if rate is not None else pct(value)
        yield Hit(f"budget.{line}", {"line": BUDGET_LINE_ZH[line], "rate": shown, "threshold": f"{threshold}%"},
                  evid(rate, executed, budget), stated=shown)


@kind("adjustment_explained", values=("line", "amount"), lines=["basic", "project", "special", "additions"])
def check_adjustment_explained(record: Record, params: dict, tally: Tally):
    """A budget adjustment (追加/追减/调整) must say why; on a form, a 全年预算数
    that differs from the 年初预算数 beyond rounding is one."""
    for line, bl in present_lines(record, params):
        amount = bl.get("budget") if line == "additions" else bl.get("adjustment")
        shown = show(amount) if amount is not None else None
        if amount is None and line == "total" and record.form_layout:
            start, full = bl.get("year_start"), bl.get("budget")
            if start is None or full is None or meets(start.interval(), full.interval()):
                continue
            shown = f"{show(start)} → {show(full)}"
        elif amount is None or amount.value == 0:
            if amount is not None:
                tally.ran()
            continue
        tally.ran()
        if bl.explanation:
            continue
        yield Hit(f"budget.{line}", {"line": BUDGET_LINE_ZH[line], "amount": shown},
                  evid(amount) if amount is not None else evid(bl.get("year_start"), bl.get("budget")), stated=shown)


@kind("amount_range", values=("line", "value"),
      lines=["total", "year_start", "additions", "basic", "project", "special"])
def check_amount_range(record: Record, params: dict, tally: Tally):
    """Amounts cannot be negative (adjustments excepted)."""
    for line, bl in present_lines(record, params):
        for field in ("budget", "executed", "year_start"):
            n = bl.get(field)
            if n is None:
                continue
            tally.ran()
            if n.value < 0:
                yield Hit(f"budget.{line}", {"line": BUDGET_LINE_ZH[line], "value": show(n)}, evid(n),
                          stated=show(n), expected="≥ 0")


@kind("deviation_reason", values=("name", "target", "actual"))
def check_deviation_reason(record: Record, params: dict, tally: Tally):
    """An indicator that missed its target (by its own claim or by the numbers)
    must give 偏差原因分析及改进措施."""
    for ind in record.indicators:
        result = outcome(ind)
        if result is None and ind.achieved is None:
            continue
        tally.ran()
        # The numbers decide; the claim only where the numbers cannot tell (a
        # wrong 未达到 on a met target is IND-17's, not a missing reason). An
        # undecided result (within rounding of the target) owes nothing.
        missed = result == NOT_MET or (result is None and ind.achieved is False)
        if not missed or ind.deviation_reason:
            continue
        yield Hit(f"indicator.{ind.index}", {"name": ind.name or "", "target": target_text(ind, "未填"),
                  "actual": show(ind.actual) if ind.actual else (ind.actual_text or "未填")},
                  evid(ind.actual, ind.target.number if ind.target else None) or
                  # a qualitative indicator (部分达成): its claim, or at least its row
                  [e for e in (ind.achieved_evidence or ind.evidence,) if e is not None])


@kind("over_achievement", values=("name", "actual", "target", "share", "ratio"),
      ratio=130, zero_target_actual=30)
def check_over_achievement(record: Record, params: dict, tally: Tally):
    """实际 ≥ 130% of a positive target (or ≥ 30 on a zero target) with no
    explanation: was the target set too low? (10号; Guangxi 130%)."""
    ratio = Decimal(params["ratio"])
    for ind in record.indicators:
        t = ind.target
        if not t or t.number is None or ind.actual is None or is_reverse(t.op):
            continue
        if t.number.unit != ind.actual.unit:
            continue
        tally.ran()
        if t.number.value == 0:
            over = ind.actual.value >= Decimal(params["zero_target_actual"])
            share = None
        else:
            share = ratio_value(ind.actual.value, t.number.value)
            over = share >= ratio
        if not over or ind.explanation:
            continue
        yield Hit(f"indicator.{ind.index}",
                  {"name": ind.name or "", "actual": show(ind.actual), "target": target_text(ind, "未填"),
                   "share": pct(share, 0) if share is not None else "—", "ratio": f"{ratio}%"},
                  evid(ind.actual, t.number), stated=show(ind.actual))


@kind("paid_claim", values=("claim", "line", "rate"), lines=["total"])
def check_paid_claim(record: Record, params: dict, tally: Tally):
    """A sentence saying the money was all paid out (资金已全部拨付) while the
    line's execution rate is, on every reading of its figures, below 100%. In a
    project report the one 项目/专项 line stands for the project when there is
    no total; a department's several scopes are not guessed between."""
    claims = [f for f in record.text_flaws if f.kind == "all_paid"]
    if not claims:
        return
    line = next((n for n in params["lines"] if n in record.budget), None)
    if line is None and record.doc_type == "project":
        own = [n for n in ("project", "special") if n in record.budget]
        line = own[0] if len(own) == 1 else None
    if line is None:
        return
    bl = record.budget[line]
    rate, executed, budget = bl.get("rate"), bl.get("executed"), bl.get("budget")
    tally.ran()
    if rate is not None:
        below = rate.value + rate.half_step < 100
        shown = show(rate)
    elif executed is not None and budget is not None and budget.value > 0:
        below = executed.value + executed.half_step < budget.value - budget.half_step
        shown = pct(ratio_value(executed.value, budget.value))
    else:
        return
    if not below:
        return
    claim = claims[0]
    yield Hit(f"budget.{line}", {"claim": claim.text, "line": BUDGET_LINE_ZH[line], "rate": shown},
              [e for e in (claim.evidence,) if e] + evid(rate, executed, budget), stated=claim.text)


@kind("tiny_amount", values=("line", "value", "fixed"), below=100,
      lines=["total", "year_start", "additions", "basic", "project", "special"])
def check_tiny_amount(record: Record, params: dict, tally: Tally):
    """A line's budget or spending printed in 元 below `below` 元 (市级资金配套3.6元, where
    120人 × 300元 = 3.6万元): no fund of a budget line is that small; 万 was lost."""
    limit = Decimal(params["below"]) / Decimal(10000)
    for line, bl in present_lines(record, params):
        for field in ("budget", "executed", "year_start"):
            n = bl.get(field)
            if n is None or n.source_unit != "元" or not n.raw.endswith("元"):
                continue  # printed with its 元 (a form's cell takes its unit from the header)
            tally.ran()
            if 0 < n.value < limit:
                raw = n.raw[:-1]
                yield Hit(f"budget.{line}", {"line": BUDGET_LINE_ZH[line], "value": n.raw, "fixed": f"{raw}万元"},
                          evid(n), stated=n.raw, expected=f"{raw}万元", suggestion=f"{raw}万元")

"""Check kinds over what extraction noticed: gaps and conflicting statements."""

from __future__ import annotations

from decimal import Decimal

from pipeline.audit.checks.base import Hit, Tally, evid, kind, show
from pipeline.audit.compare import meets, sum_interval, sum_value
from pipeline.labels import BUDGET_FIELD_ZH, BUDGET_LINE_ZH
from pipeline.model import Number, Record
from pipeline.numbers import format_decimal


@kind("extraction_gap", values=("part",))
def check_gaps(record: Record, params: dict, tally: Tally):
    """Every part the extractor looked for and did not find is reported, so a
    clean result never hides an unread part (statcheck's lesson)."""
    for gap in record.gaps:
        tally.ran()
        yield Hit(gap.subject, {"part": gap.part}, [gap.evidence] if gap.evidence else [],
                  severity=gap.severity)


@kind("indicator_coverage", values=("item", "announced", "read"), variants=("announced",))
def check_indicator_coverage(record: Record, params: dict, tally: Tally):
    """Indicators the document numbers or announces but the extractor did not
    read (model.IndicatorCount): each unread numbered item, and an announced
    count above the indicators read, so a dropped indicator is never silent."""
    count = record.indicator_count
    if count is None:
        return
    for ev in count.unread:
        tally.ran()
        yield Hit("document", {"item": ev.text, "announced": "", "read": str(len(record.indicators))}, [ev],
                  stated=ev.text)
    if count.announced is not None:
        tally.ran()
        read = len(record.indicators)
        if count.announced > read:
            yield Hit("document", {"item": "", "announced": str(count.announced), "read": str(read)},
                      [count.announced_evidence] if count.announced_evidence else [], stated=str(count.announced),
                      expected=str(read), variant="announced")


@kind("restated_value", values=("label", "first", "other"))
def check_conflicts(record: Record, params: dict, tally: Tally):
    """The same quantity stated twice with values whose intervals do not meet."""
    for path, first, other in record.conflicts:
        tally.ran()
        if meets(first.interval(), other.interval()):
            continue
        _, line, field = path.split(".")
        label = BUDGET_LINE_ZH.get(line, line) + BUDGET_FIELD_ZH.get(field, field)
        yield Hit(f"budget.{line}", {"label": label, "first": show(first), "other": show(other)},
                  evid(first, other), stated=show(other), expected=show(first))


@kind("breakdown_sum", values=("total", "terms", "sum", "diff"), variants=("short",), short_share=0.05,
      short_count=2, max_ratio=1.3)
def check_breakdowns(record: Record, params: dict, tally: Tally):
    """The parts a sentence lists after 其中 against the figure before it: parts
    that exceed it are certain to be wrong; parts a little short of it (within
    `short_share`, or `short_count` for head counts) may be a slip or an item
    left out, worth a look (a list that names only some parts falls well short)."""
    for b in record.breakdowns:
        if not _plain_list(b, Decimal(str(params["max_ratio"]))):
            continue
        tally.ran()
        lo, hi = sum_interval([(p, 1) for p in b.parts])
        t_lo, t_hi = b.total.interval()
        total = sum_value([(p, 1) for p in b.parts])
        gap = abs(b.total.value - total)
        exceeds = lo > t_hi
        short = hi < t_lo and (gap <= Decimal(str(params["short_share"])) * abs(b.total.value) or (
            b.total.exact and gap <= Decimal(params["short_count"])))
        if not exceeds and not short:
            continue
        places = max(p.decimals for p in b.parts)
        values = {"total": show(b.total), "terms": " + ".join(show(p) for p in b.parts),
                  "sum": _same_unit(total, b.total, places), "diff": _same_unit(gap, b.total, places)}
        yield Hit(_subject(record, b.total), values, [e for e in [b.evidence] if e], stated=show(b.total),
                  expected=values["sum"], variant=None if exceeds else "short")


def _subject(record: Record, total: Number) -> str:
    """The budget line whose figure the listed total is (the same amount in the
    same unit: 基本支出2956.36万元，其中：…), else the document."""
    for name, bl in record.budget.items():
        for n in bl.fields.values():
            if n.unit == total.unit and n.value == total.value and n.decimals == total.decimals and n.unit == "万元":
                return f"budget.{name}"
    return "document"


def _plain_list(b, max_ratio: Decimal) -> bool:
    """Parts that can be one flat breakdown of the total: none as large as it (a
    restated total), none the sum of two others (a nested list), and together not
    far beyond it (another dimension listed alongside)."""
    values = [p.value for p in b.parts]
    if any(v > b.total.value for v in values):
        return False
    whole = [i for i, v in enumerate(values) if v == b.total.value]
    if whole:
        # a part that restates the total heads a nested list (its pieces follow and add up
        # to it); followed by pieces that do not, it is one part among others (预算数60万元，
        # 其中包括兵团补贴60万，结余资金12.664万元: 72.664 in all)
        rest = [v for i, v in enumerate(values) if i not in whole]
        return len(whole) == 1 and all(v > 0 for v in rest) and abs(sum(rest) - b.total.value) > \
            Decimal("0.011") * b.total.value
    if sum(values) > max_ratio * b.total.value:
        return False
    for i, v in enumerate(values):
        rest = values[:i] + values[i + 1:]
        for j in range(len(rest)):
            for k in range(j + 1, len(rest)):
                if abs(rest[j] + rest[k] - v) <= Decimal("0.011") * max(abs(v), 1):
                    return False
    return True


def _same_unit(value: Decimal, like: Number, places: int = 0) -> str:
    """`value` in `like`'s unit, to the places the figures summed carry (60 + 12.664 is 72.664, not 72.66)."""
    decimals = max(like.decimals, places, 0)
    return format_decimal(value, decimals if like.unit != "万元" else min(max(decimals, 2), 6)) + (
        "万元" if like.unit == "万元" else (like.unit or ""))

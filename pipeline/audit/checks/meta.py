"""Check kinds over what extraction noticed: gaps and conflicting statements."""

from __future__ import annotations

from pipeline.audit.checks.base import Hit, Tally, evid, kind, show
from pipeline.audit.compare import meets
from pipeline.labels import BUDGET_FIELD_ZH, BUDGET_LINE_ZH
from pipeline.model import Record


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

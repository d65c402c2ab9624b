"""How many indicators the document says it has (model.IndicatorCount).

Two counts, both from the narrative (a form's rows are read as a table):
what it announces (共设置绩效指标12个: lexicon `indicators.announced`) and the
numbered items that state a target value ((3) 审批办理时限，年度指标值≤3个…).
A numbered item whose lines no indicator was read from is kept as unread
evidence; the audit reports it (EXT-02) rather than let it vanish.
"""

from __future__ import annotations

import regex

from pipeline.extract.common import cn_to_int
from pipeline.extract.indicators import HEADING_RE, MARKER_RE, TARGET_RE
from pipeline.extract.lexicon import pattern
from pipeline.extract.normalize import Text
from pipeline.model import IndicatorCount, Record

DIGIT_NEAR = regex.compile(r"^\D{0,8}\d")  # a figure soon after the target label (operators, 是/为 between)


def count_indicators(blocks: list[Text], whole: Text, record: Record) -> None:
    """Set record.indicator_count from the prose blocks (narrative indicators
    already extracted) and the whole text."""
    count = IndicatorCount()
    announced = [(int(n) if n.isdigit() else cn_to_int(n), m) for m in pattern("indicators", "announced")
                 .finditer(whole.text) if (n := m.group("n"))]
    announced = [(n, m) for n, m in announced if n]
    if announced:
        n, m = max(announced, key=lambda x: x[0])
        count.announced, count.announced_evidence = n, whole.evidence(*m.span())
    read_lines = _read_lines(record)
    for block in blocks:
        items = _numbered_items(block)
        count.numbered += items
        if items:
            read = sum(1 for nl in block.nlines if (nl.src.page, nl.src.line) in read_lines)
            if not read:
                first = block.nlines[0]
                count.unread.append(Text([first]).evidence(0, len(first.text)))
    record.indicator_count = count


def _numbered_items(block: Text) -> int:
    """1 when the block is a numbered item (list marker or 指标N heading) that
    states a target value; else 0."""
    if not block.nlines:
        return 0
    first = block.nlines[0].text
    if not (MARKER_RE.match(first) or HEADING_RE.match(first)):
        return 0
    return int(any(DIGIT_NEAR.match(m.group("v")) for m in TARGET_RE.finditer(block.text)))


def _read_lines(record: Record) -> set[tuple[int | None, int]]:
    """The (page, line) each narrative indicator was read from (its heading and body)."""
    out = set()
    for ind in record.indicators:
        for ev in (ind.evidence, ind.heading_evidence):
            if ev is not None and ev.table is None:
                out.update((ev.page, ln) for ln in range(ev.line, (ev.line_end or ev.line) + 1))
    return out

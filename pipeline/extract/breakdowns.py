"""Breakdowns the narrative states: a figure and, after 其中/包括, its parts
(在职人员总数25人，其中：行政编制人员7人、参公编制人员4人、事业编制人员13人;
下达资金2263万元。其中：中小河流治理工程1435万元，…). Each part family (money,
or one count unit) is matched with the last figure of that family before the
其中, in the same sentence or the one just before. The audit stage compares
them (CONS-03); extraction only records what was stated, with evidence."""

from __future__ import annotations

import regex

from pipeline.extract.normalize import Text
from pipeline.model import Breakdown, Number, Record
from pipeline.numbers import COUNT_UNITS, MONEY_UNITS, number_from_match

PARTS_WORD = regex.compile(r"其中[:：，,]?|包括[:：]?")
FIGURE = regex.compile(r"(?<![\d.])(?P<sign>)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?(?P<unit>万元|亿元|元|万(?![元人户亩次平方公里吨])|"
                       + "|".join(sorted(COUNT_UNITS, key=len, reverse=True)) + r"|%)")
PEOPLE = {"人", "名"}
MIN_PARTS = 2


TIME_UNITS = {"年", "月", "日", "天", "小时"}


def _family(unit: str) -> str | None:
    if unit in MONEY_UNITS or unit == "万":
        return "money"
    if unit == "%" or unit in TIME_UNITS:
        return None
    return "人" if unit in PEOPLE else unit


def _number(block: Text, m: regex.Match) -> Number | None:
    unit = "万元" if m.group("unit") == "万" else m.group("unit")
    n = number_from_match(m, unit if unit in MONEY_UNITS else None)
    if n is None:
        return None
    if unit not in MONEY_UNITS:
        n = Number(m.group(0), n.value, n.decimals, unit, not m.group("frac"))
    return n.with_evidence(block.evidence(*m.span()))


def extract_breakdowns(blocks: list[Text], record: Record) -> None:
    for block in blocks:
        text = block.text
        for pw in PARTS_WORD.finditer(text):
            start = max(text.rfind("。", 0, max(pw.start() - 1, 0)), text.rfind("；", 0, pw.start())) + 1
            ends = [i for i in (text.find("。", pw.end()), len(text)) if i >= 0]
            nxt = PARTS_WORD.search(text, pw.end())
            end = min(ends + ([nxt.start()] if nxt else []))  # a second 其中 opens another list
            before = [m for m in FIGURE.finditer(text, start, pw.start())]
            after = [m for m in FIGURE.finditer(text, pw.end(), end)]
            for family in {_family(m.group("unit")) for m in after} - {None}:
                parts = [m for m in after if _family(m.group("unit")) == family]
                totals = [m for m in before if _family(m.group("unit")) == family]
                if len(parts) < MIN_PARTS or not totals:
                    continue
                total = _number(block, totals[-1])
                numbers = [n for m in parts if (n := _number(block, m)) is not None]
                if total is not None and len(numbers) == len(parts):
                    record.breakdowns.append(Breakdown(total, numbers, block.evidence(start, end)))

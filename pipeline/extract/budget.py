"""Budget lines from the narrative: the facts of `facts.block_facts` put into
the record's lines (SPEC §4).

One scope at a time (SPEC §6): a figure stated twice for the same line is a
conflict (CONS-02) only when both mentions named that line in their own
clause with the same words (农机购置补贴专项资金 and 上级专项资金 are two
scopes); a figure whose scope was only inherited from the sentence or the
heading never overrides nor contradicts an earlier one, because it may be
another scope's (a project in a list, a county in a breakdown).
"""

from __future__ import annotations

import regex

from pipeline.extract.facts import Fact, block_facts
from pipeline.extract.normalize import Text
from pipeline.model import BudgetLine, Record
from pipeline.numbers import Number

REASON_RE = regex.compile(r"原因|由于|因为|主要(?:是|系|用于)|用于|系因|因[^此而]|导致|致使|说明")


def extract_budget(blocks: list[Text], record: Record) -> None:
    explicit: dict[tuple[str, str], str] = {}  # (line, field) -> the scope phrase that named it
    for block in blocks:
        for fact in block_facts(block, record.doc_type):
            _store(record, fact, block, explicit)
    _year_start_stands(record)


def _year_start_stands(record: Record) -> None:
    """A project report that states its 年初预算 and what was spent, and no
    adjustment at all: the year-start budget is the budget the year executed."""
    total, start = record.budget.get("total"), record.budget.get("year_start")
    if record.doc_type != "project" or total is None or start is None or start.get("budget") is None:
        return
    if total.get("budget") is not None or "additions" in record.budget or total.get("adjustment") is not None:
        return
    if total.get("executed") is not None or total.get("rate") is not None:
        total.fields["budget"] = start.get("budget")


def _store(record: Record, fact: Fact, block: Text, explicit: dict[tuple[str, str], str]) -> None:
    key = (fact.line, fact.field)
    bl = record.budget.setdefault(fact.line, BudgetLine(fact.line))
    old = bl.fields.get(fact.field)
    number = fact.number
    if old is None:
        bl.fields[fact.field] = number
    elif fact.field == "adjustment" and old.evidence != number.evidence:
        bl.fields[fact.field] = Number(
            f"{old.raw}{'+' if number.value >= 0 else ''}{number.raw}", old.value + number.value,
            min(old.decimals, number.decimals), old.unit, old.exact and number.exact, old.evidence,
            source_unit=old.source_unit)
    elif old.value != number.value and fact.explicit and explicit.get(key) == fact.scope_phrase:
        record.conflicts.append((f"budget.{fact.line}.{fact.field}", old, number))
    elif old.value != number.value and fact.explicit and key not in explicit:
        bl.fields[fact.field] = number  # a named figure outranks one whose scope was guessed
    if fact.explicit:
        explicit.setdefault(key, fact.scope_phrase)
    sentence = _sentence_span(block.text, fact.pos)
    if bl.evidence is None:
        bl.evidence = block.evidence(*sentence)
    if bl.explanation is None:
        reason = _reason_near(block.text, sentence)
        if reason:
            bl.explanation = reason


def _sentence_span(text: str, pos: int) -> tuple[int, int]:
    start = max(text.rfind("。", 0, pos), text.rfind("；", 0, pos)) + 1
    end = min((i for i in (text.find("。", pos), text.find("；", pos)) if i >= 0), default=len(text))
    return start, end + 1


SENTENCE_END = regex.compile(r"(?<=[。；])")


def _reason_near(text: str, span: tuple[int, int]) -> str | None:
    """The reason sentence for the mention: its own sentence or the next one."""
    start, end = span
    nxt = text.find("。", end)
    window = text[start : (nxt + 1 if nxt >= 0 else len(text))]
    for sentence in SENTENCE_END.split(window):
        if REASON_RE.search(sentence):
            return sentence.strip()
    return None

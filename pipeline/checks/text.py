"""Check kinds over wording: duplicated and truncated words in indicator
names, and a heading name that differs from the body's. jieba segments the
names so that only whole words count as duplicated or cut off."""

from __future__ import annotations

from functools import lru_cache

import regex

from ..model import Evidence, Record
from .base import Hit, Tally, kind

HAN = regex.compile(r"^\p{Han}+$")


@lru_cache(maxsize=1)
def _jieba(domain_words: tuple[str, ...]):
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter goes to stderr, not stdout
    for w in domain_words:
        jieba.add_word(w, freq=20000)
    return jieba


def _repeated(tokens: list[str], min_length: int) -> str | None:
    """A word written twice in a row: equal tokens, or a token ending in the
    next one (jieba keeps 护理补贴 whole, so 护理补贴补贴 is 护理补贴 + 补贴)."""
    for a, b in zip(tokens, tokens[1:], strict=False):
        if len(b) >= min_length and HAN.match(b) and a.endswith(b):
            return b
    return None


def _names(ind) -> list[tuple[str, Evidence | None]]:
    out = []
    if ind.heading_name:
        out.append((ind.heading_name, ind.heading_evidence))
    if ind.body_name and ind.body_name != ind.heading_name:
        out.append((ind.body_name, ind.body_name_evidence))
    return out


def _name_hits(record: Record, tally: Tally, fix):
    """For each indicator, the first of its names (heading, then body) that
    `fix(name)` corrects: fix returns (message values, corrected name) or None."""
    for ind in record.indicators:
        names = _names(ind)
        if not names:
            continue
        tally.ran()
        for name, ev in names:
            found = fix(name)
            if found:
                values, fixed = found
                yield Hit(f"indicator.{ind.index}", {"name": name, "fixed": fixed, **values},
                          [ev] if ev else [], stated=name, expected=fixed, suggestion=fixed)
                break


@kind("duplicated_word", domain_words=[], min_length=2)
def check_duplicated_word(record: Record, params: dict, tally: Tally):
    jieba = _jieba(tuple(params["domain_words"]))

    def fix(name: str):
        dup = _repeated(jieba.lcut(name), params["min_length"])
        return ({"word": dup}, name.replace(dup + dup, dup, 1)) if dup else None

    return _name_hits(record, tally, fix)


@kind("truncated_word", words=[], complete_endings=[], domain_words=[])
def check_truncated_word(record: Record, params: dict, tally: Tally):
    """A name that ends in the first character(s) of a domain word whose rest
    is missing (高龄津 for 高龄津贴), where that stub is a token of its own."""
    jieba = _jieba(tuple(params["domain_words"]))
    complete = set(params["complete_endings"])

    def fix(name: str):
        hit = _truncation(name, params["words"], complete, jieba)
        if not hit:
            return None
        stub, word = hit
        return {"stub": stub, "word": word}, name + word[len(stub):]

    return _name_hits(record, tally, fix)


def _truncation(name: str, words: list[str], complete: set[str], jieba) -> tuple[str, str] | None:
    tokens = jieba.lcut(name)
    if not tokens:
        return None
    last = tokens[-1]
    if last in complete or not HAN.match(last):
        return None
    for word in words:
        if len(last) < len(word) and word.startswith(last):
            return last, word
    return None


@kind("heading_body_name")
def check_heading_body_name(record: Record, params: dict, tally: Tally):
    for ind in record.indicators:
        h, b = ind.heading_name, ind.body_name
        if not h or not b:
            continue
        tally.ran()
        if _plain(h) == _plain(b):
            continue
        ev = [e for e in (ind.heading_evidence, ind.body_name_evidence) if e]
        yield Hit(f"indicator.{ind.index}", {"heading": h, "body": b}, ev, stated=b, expected=h)


def _plain(s: str) -> str:
    return regex.sub(r"[\s，,。:：;；]", "", s)

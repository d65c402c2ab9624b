"""OCR digit confusions repaired where the context is unambiguous.

The recogniser sometimes reads a digit as a look-alike letter (``O`` for ``0``, ``l`` or
``I`` for ``1``), a decimal point as the Chinese full stop ``。``, or a thousands separator
as a full-width comma (or loses one). Such a character is
repaired only inside a number: a look-alike right after a digit (and not before a Latin
letter, as in a model name), or right before a digit or a decimal point and not after a
letter; ``。``/``·`` only between two digits. Repairs are (column, replacement) pairs on the raw text, which itself is kept,
so the evidence shows what was recognised and the record what it was read as.

A dropped decimal point (``392185`` for ``3921.85``) cannot be told from a real number
by its context and is not repaired here. The commonest cause, a point that begins a
wrapped line and falls outside the detected text box, is prevented by `ocr_rapid`
widening the boxes; the rest usually break a sum or a rate and so show up as a finding
whose evidence carries the OCR confidence.
"""

from __future__ import annotations

import regex

ZERO_LIKE = "OoОо"  # Latin and Cyrillic O
ONE_LIKE = "lI|"
POINT_LIKE = "。·"
# A money amount with thousands separators, which OCR often reads as full-width commas or
# drops: digit groups joined by commas, optional decimals, then a money unit.
# The end of a line and the start of the next that may belong to one wrapped amount.
NUMBER_TAIL_RE = regex.compile(r"[\d,，.。]*$")
NUMBER_HEAD_RE = regex.compile(r"[\d,，.。]*(?:[万亿千百]?元)?")
GROUPED_MONEY_RE = regex.compile(r"(?<![\d.,，])\d+(?:[.。]\d{3})*(?:[,，]\d+)+(?:[.。]\d+)?(?=[万亿千百]?元)")


def find_repairs(text: str, before: str = "", after: str = "") -> tuple[tuple[int, str], ...]:
    """(column, replacement) for every unambiguous digit confusion in `text` (a
    replacement "" deletes the character). `before` and `after` are the neighbouring
    lines, for amounts wrapped across a line break."""
    out = dict(char_repairs(text))
    out.update(separator_repairs(text, before, after))
    return tuple(sorted(out.items()))


def separator_repairs(text: str, before: str = "", after: str = "") -> list[tuple[int, str]]:
    """Thousands separators of a money amount ("38，800，185.90元", "20312,503.63元",
    "39.581，409.97元", "7，053325.09元") are dropped when every one is followed by three
    digits (or six or nine: a separator lost between them), so the amount reads as one
    number whichever separator OCR saw, misread or lost. A point counts as a separator
    only before a comma (a number has one decimal point)."""
    head = NUMBER_TAIL_RE.search(before).group(0) if before else ""
    tail = NUMBER_HEAD_RE.match(after).group(0) if after else ""
    full = head + text + tail
    out = []
    for m in GROUPED_MONEY_RE.finditer(full):
        token = m.group(0)
        seps = [i for i, ch in enumerate(token) if ch in ",，.。"]
        decimal = seps[-1] if token[seps[-1]] in ".。" else None
        grouping = [i for i in seps if i != decimal]
        ends = [*grouping[1:], decimal if decimal is not None else len(token)]
        groups = [end - i - 1 for i, end in zip(grouping, ends, strict=True)]
        # three digits after each separator; six or nine where OCR lost one in between
        # ("7，053325.09元": 7,053,325.09), which reads the same once they are dropped
        if all(g in (3, 6, 9) for g in groups) and (3 in groups or len(groups) == 1):
            cols = (m.start() + i - len(head) for i in grouping)
            out.extend((c, "") for c in cols if 0 <= c < len(text))
    return out


def char_repairs(text: str) -> list[tuple[int, str]]:
    """Look-alike letters and full stops inside numbers."""
    chars = list(text)  # repaired as we go, so "1OO" becomes "100"
    out = []
    for i, ch in enumerate(chars):
        prev = chars[i - 1] if i > 0 else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        after = text[i + 2] if i + 2 < len(text) else ""
        fix = None
        if ch in ZERO_LIKE or ch in ONE_LIKE:
            digit_next = _digit(nxt) or (nxt in ".。" and _digit(after) if nxt else False)
            if _digit(prev) and not _letter(nxt):
                fix = "0" if ch in ZERO_LIKE else "1"
            elif digit_next and not _letter(prev) and (_digit(nxt) or not _digit(prev)):
                fix = "0" if ch in ZERO_LIKE else "1"
        elif ch in POINT_LIKE and _digit(prev) and _digit(nxt):
            fix = "."
        if fix is not None:
            chars[i] = fix
            out.append((i, fix))
    return out


def _digit(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isdigit()


def _letter(ch: str) -> bool:
    """A Latin letter that is not itself a digit look-alike."""
    return bool(ch) and ch.isascii() and ch.isalpha() and ch not in ZERO_LIKE + ONE_LIKE

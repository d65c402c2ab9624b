"""Helpers the extractors share: finding numbers in normalised text and
turning value phrases ('>=6000人', '不低于95%', '效果明显') into numbers."""

from __future__ import annotations

import regex

from pipeline.extract.normalize import Text
from pipeline.model import Target
from pipeline.numbers import NUMBER_RE, Number, number_from_match, split_operator

CN_DIGITS = "零〇一二两三四五六七八九十百千万"
CN_NUMBER_RE = regex.compile(rf"[{CN_DIGITS}]+")


def cn_to_int(text: str) -> int | None:
    """Chinese numerals (二十一, 十二, 一百零五) to int: a numeral written the standard way
    from 1 to 9999 directly (`standard_numeral`), any other via cn2an (whose first use
    costs a tenth of a second or more: it compiles large patterns)."""
    if not text or not CN_NUMBER_RE.fullmatch(text):
        return None
    text = text.replace("两", "二")
    value = standard_numeral(text)
    if value is not None:
        return value
    if text in ZEROS:  # as cn2an reads them (a table's 零 is common; tests/test_numbers.py)
        return 0
    import cn2an  # small, but keep `perfaudit --help` free of it

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError):
        return None
    return int(value) if value == int(value) else None


ZEROS = ("零", "〇")
CN_DIGIT_VALUES = {ch: i for i, ch in enumerate("零一二三四五六七八九")}
CN_UNIT_VALUES = {"千": 1000, "百": 100, "十": 10}


def cn_numeral(n: int) -> str:
    """The standard numeral for 1 <= n <= 9999: 十二, 二十, 一百零五, 一百一十, 二千零二十."""
    out, zero, started = [], False, False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit % 10
        if not digit:
            zero = zero or started
            continue
        if zero:
            out.append("零")
            zero = False
        if not (unit == 10 and digit == 1 and not started):  # 十二, not 一十二
            out.append("零一二三四五六七八九"[digit])
        out.append(name)
        started = True
    return "".join(out)


def standard_numeral(text: str) -> int | None:
    """The value of `text` if it is exactly cn_numeral(n) for some 1 <= n <= 9999, else
    None. cn2an reads every such numeral as n (tests/test_numbers.py checks all 9999)."""
    total, digit = 0, None
    for ch in text:
        if ch in CN_DIGIT_VALUES:
            digit = CN_DIGIT_VALUES[ch]
        elif ch in CN_UNIT_VALUES:
            total += (1 if digit is None else digit) * CN_UNIT_VALUES[ch]
            digit = None
        else:
            return None
    total += digit or 0
    return total if 1 <= total <= 9999 and cn_numeral(total) == text else None


def ordinal(text: str) -> int | None:
    """'十二' or '12' -> 12."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    return cn_to_int(text)


def number_at(text: Text, m: regex.Match, group: str | int = 0) -> Number | None:
    """The Number printed in match group `group`, with its evidence."""
    start, end = m.span(group)
    nm = NUMBER_RE.match(text.text, start)
    if not nm or nm.start() != start:
        return None
    n = number_from_match(nm)
    if n is None:
        return None
    return n.with_evidence(text.evidence(start, nm.end()))


def parse_value(phrase: str) -> tuple[str | None, Number | None, str | None]:
    """Parse a value phrase into (operator or None, Number or None, text).

    The Number has no evidence; callers attach it. Text is the qualitative
    wording when no number leads the phrase (after any operator)."""
    phrase = phrase.strip().strip("“”\"'「」")
    op, rest = split_operator(phrase)
    rest = _skip_lead(rest.strip("“”\"'「」"))
    m = NUMBER_RE.match(rest)
    if m and m.start() == 0:
        n = number_from_match(m)
        if n is not None and n.unit is None:
            unit = _trailing_unit(rest[m.end() :])
            if unit:
                n = Number(n.raw + unit, n.value, n.decimals, unit, n.exact or (not m.group("frac") and unit_is_count(unit)))
        return op, n, None
    cm = CN_NUMBER_RE.match(rest)
    if cm and cm.end() < len(rest) and (value := cn_to_int(cm.group(0))) is not None:
        unit = _trailing_unit(rest[cm.end() :])
        from decimal import Decimal

        return op, Number(rest[: cm.end()] + (unit or ""), Decimal(value), 0, unit, True), None
    return op, None, rest or None


def _skip_lead(text: str) -> str:
    """平均2个工作日 -> 2个工作日: words that leave the figure after them as it is
    (lexicon indicators.value_lead), skipped only when a digit follows."""
    from pipeline.extract.lexicon import lexicon

    for word in sorted(lexicon()["indicators"]["value_lead"], key=len, reverse=True):
        if text.startswith(word) and text[len(word):len(word) + 1].isdigit():
            return text[len(word):]
    return text


def unit_is_count(unit: str) -> bool:
    from pipeline.numbers import COUNT_UNITS

    return unit in COUNT_UNITS


def _trailing_unit(tail: str) -> str | None:
    m = regex.match(r"([\p{Han}A-Za-z/%]{1,4})", tail)
    if not m:
        return None
    word = m.group(1)
    # Units are short; stop at words that begin the next clause.
    for stop in ("以上", "以内", "以下", "及以上", "左右"):
        if stop in word:
            word = word.split(stop)[0]
    return word or None


def make_target(phrase: str, evidence) -> Target:
    op, number, text = parse_value(phrase)
    if number is not None:
        number = number.with_evidence(evidence)
    return Target(op=op or "=", number=number, text=text, op_stated=op is not None)

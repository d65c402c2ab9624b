"""Numbers with provenance, units, operators and the interval rule (SPEC §6).

A `Number` keeps the printed text, the Decimal value, how many decimals were
printed and the unit; its interval is what those digits allow. Money is
converted to 万元 exactly (the decimals shift with the unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import regex

from pipeline.model import Evidence

MONEY_UNITS = {"万元": 0, "元": -4, "亿元": 4, "千元": -1, "百万元": 2}
PERCENT_UNITS = {"%"}
# Measure words for counted things: an integer with one of these is exact.
COUNT_UNITS = (
    "人次", "人", "户", "家", "个", "次", "场", "所", "项", "名", "位", "座", "处", "件",
    "批", "篇", "期", "份", "辆", "台", "套", "张", "本", "册", "条", "宗", "起", "例",
    "天", "日", "月", "年", "小时", "公里", "千米", "米", "亩", "公顷", "平方米", "吨", "床",
    "所学校", "村", "社区", "镇", "乡", "元/人", "元/月", "万人",
)
UNIT_PATTERN = "|".join(
    sorted([*MONEY_UNITS, "%", "‰", "分", *COUNT_UNITS], key=len, reverse=True)
)

# A printed number: optional sign, digits with optional thousands commas, decimals.
NUMBER_RE = regex.compile(
    r"(?<![\d.])(?P<sign>[-−])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    rf"(?P<unit>{UNIT_PATTERN})?"
)

HALF = Decimal("0.5")


@dataclass(frozen=True)
class Number:
    """A stated number. `value` is in the canonical unit (万元 for money,
    percent for rates); `decimals` counts the digits that value carries, so
    `257.14` 万元 has 2 and `2,571,400` 元 -> 257.14 万元 has 0 + 4 = 4."""

    raw: str
    value: Decimal
    decimals: int
    unit: str | None = None
    exact: bool = False
    evidence: Evidence | None = None
    # Lowest OCR recognition score of the printed digits (None: read from a text layer).
    confidence: float | None = None

    @property
    def half_step(self) -> Decimal:
        if self.exact:
            return Decimal(0)
        return HALF * Decimal(10) ** (-self.decimals)

    def interval(self) -> tuple[Decimal, Decimal]:
        h = self.half_step
        return self.value - h, self.value + h

    def json_value(self) -> int | float:
        if self.value == self.value.to_integral_value() and self.decimals <= 0:
            return int(self.value)
        return float(self.value)

    def with_evidence(self, evidence: Evidence | None) -> Number:
        """The same number placed at `evidence`; OCR confidence comes with the evidence."""
        confidence = evidence.confidence if evidence is not None else self.confidence
        return Number(self.raw, self.value, self.decimals, self.unit, self.exact, evidence, confidence)


def parse_number(raw: str, unit: str | None = None) -> Number | None:
    """Parse a normalised number string like '3921.85', '2,571,400.00', '-32.09'
    with an optional unit (taken from the string's tail if not given)."""
    m = NUMBER_RE.fullmatch(raw.strip())
    if not m:
        return None
    return number_from_match(m, unit)


def number_from_match(m: regex.Match, unit: str | None = None) -> Number | None:
    digits = m.group("int").replace(",", "")
    frac = m.group("frac") or ""
    unit = unit or m.group("unit")
    try:
        value = Decimal(f"{digits}.{frac}" if frac else digits)
    except InvalidOperation:
        return None
    if m.group("sign"):
        value = -value
    decimals = len(frac)
    exact = False
    if unit in MONEY_UNITS:
        shift = MONEY_UNITS[unit]
        value = value.scaleb(shift)
        decimals -= shift
        unit = "万元"
    elif unit in COUNT_UNITS and not frac:
        exact = True  # a head count is not a rounded figure
    if value == 0 and not frac:
        exact = True  # a stated nought is a nought
    return Number(raw=m.group(0), value=value, decimals=decimals, unit=unit, exact=exact)


def is_money(n: Number | None) -> bool:
    return n is not None and n.unit == "万元"


def format_decimal(value: Decimal, decimals: int) -> str:
    """Round half-up for display, as reports do."""
    decimals = max(decimals, 0)
    q = Decimal(1).scaleb(-decimals)
    return str(value.quantize(q, rounding="ROUND_HALF_UP"))


def display(n: Number) -> str:
    """Canonical display of a stated number: its digits and unit. Amounts
    converted from 元 carry 6 decimals in 万元; trailing zeros past the second
    are dropped for reading (229.500000 -> 229.50), the value is unchanged."""
    text = format_decimal(n.value, n.decimals) if n.decimals >= 0 else str(n.value)
    if n.unit == "万元" and n.decimals > 2:
        head, _, frac = text.partition(".")
        frac = frac.rstrip("0")
        text = f"{head}.{frac.ljust(2, '0')}"
    return text + ("%" if n.unit == "%" else (n.unit or ""))


# --- operators ---------------------------------------------------------------

# Prefix words before a target value, and the operator they mean. Inclusivity
# follows 民法典 §1259: 以上/以下/以内 include the number, 超过/不满 do not.
PREFIX_OPERATORS = (
    (">=", "≥"), ("<=", "≤"), ("≧", "≥"), ("≦", "≤"), ("=>", "≥"), ("=<", "≤"),
    ("≥", "≥"), ("≤", "≤"), (">", ">"), ("<", "<"), ("=", "="),
    ("不低于", "≥"), ("不少于", "≥"), ("不小于", "≥"), ("达到", "≥"), ("大于等于", "≥"),
    ("不高于", "≤"), ("不超过", "≤"), ("不大于", "≤"), ("不多于", "≤"), ("小于等于", "≤"),
    ("控制在", "≤"), ("低于", "<"), ("少于", "<"), ("小于", "<"), ("不满", "<"),
    ("超过", ">"), ("高于", ">"), ("多于", ">"), ("大于", ">"), ("等于", "="),
)
SUFFIX_OPERATORS = (("以上", "≥"), ("及以上", "≥"), ("以下", "≤"), ("及以下", "≤"), ("以内", "≤"))
# SPEC §4 spells operators in ASCII.
OP_TO_SPEC = {"≥": ">=", "≤": "<=", ">": ">", "<": "<", "=": "="}


def split_operator(text: str) -> tuple[str | None, str]:
    """Return (SPEC operator or None, the rest) for a target phrase such as
    '>=6000人', '不低于95%', '5家以上', '控制在90万元以内'."""
    t = text.strip()
    op = None
    for word, sym in PREFIX_OPERATORS:
        if t.startswith(word):
            op, t = sym, t[len(word) :].strip()
            break
    for word, sym in SUFFIX_OPERATORS:
        if t.endswith(word):
            op = op if op in ("≤", "<") and sym == "≤" else sym
            t = t[: -len(word)].strip()
            break
    return (OP_TO_SPEC[op] if op else None), t

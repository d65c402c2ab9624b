"""Reading printed numbers: units, operators and display (SPEC §6).

A `Number` (the data class, in pipeline.model with the other plain data)
keeps the printed text, the Decimal value, how many decimals were printed and
the unit; its interval is what those digits allow. Parsing converts money to
万元 exactly (the decimals shift with the unit).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, localcontext

import regex

from pipeline.model import Number

MONEY_UNITS = {"万元": 0, "元": -4, "亿元": 4, "千元": -1, "百万元": 2}
# Measure words for counted things: an integer with one of these is exact.
COUNT_UNITS = (
    "人次", "人", "户", "家", "个", "次", "场", "所", "项", "名", "位", "座", "处", "件",
    "批", "篇", "期", "份", "辆", "台", "套", "张", "本", "册", "条", "宗", "起", "例",
    "天", "日", "个工作日", "工作日", "个月", "月", "年", "小时", "公里", "千米", "米", "亩", "公顷", "平方米", "吨", "床",
    "所学校", "村", "社区", "镇", "乡", "元/人", "元/月", "万人", "只", "头", "株", "棵", "尾", "羽",
    "种", "类", "部", "栋", "间", "块", "包", "盒", "支", "双", "箱", "架", "艘", "眼", "片", "段", "幅", "轮",
    "匹", "人天", "个次", "课时", "学时", "节", "场次", "台次", "批次", "家次", "户次", "人月",
)
UNIT_PATTERN = "|".join(
    sorted([*MONEY_UNITS, "%", "‰", "分", *COUNT_UNITS], key=len, reverse=True)
)

# A printed number: optional sign, digits with optional thousands commas, decimals.
NUMBER_RE = regex.compile(
    r"(?<![\d.])(?P<sign>[-−])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    rf"(?P<unit>{UNIT_PATTERN})?"
)

# Decimal's default 28 digits rounded a 27-digit amount's sums and made rounding it for display
# raise (a crash shown as 内部出错, not a finding). Figures and everything computed from them use
# ARITHMETIC_PREC digits; a run of more than MAX_DIGITS digits is not read as a figure at all.
MAX_DIGITS = 40
ARITHMETIC_PREC = 100


def arithmetic():
    """The Decimal context figures are read, added, divided and rounded in:
    exact for any figure of up to MAX_DIGITS digits (`with arithmetic(): ...`)."""
    return localcontext(prec=ARITHMETIC_PREC)


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
    if len(digits) + len(frac) > MAX_DIGITS:
        return None  # an identifier or a row of digits, not a figure
    unit = unit or m.group("unit")
    try:
        value = Decimal(f"{digits}.{frac}" if frac else digits)
    except InvalidOperation:
        return None
    if m.group("sign"):
        value = -value
    decimals = len(frac)
    exact = False
    source_unit = None
    if unit in MONEY_UNITS:
        shift = MONEY_UNITS[unit]
        with arithmetic():
            value = value.scaleb(shift)
        decimals -= shift
        source_unit = unit if unit != "万元" else None
        unit = "万元"
    elif unit in COUNT_UNITS and not frac:
        exact = True  # a head count is not a rounded figure
    if value == 0 and not frac:
        exact = True  # a stated nought is a nought
    return Number(raw=m.group(0), value=value, decimals=decimals, unit=unit, exact=exact, source_unit=source_unit)


def format_decimal(value: Decimal, decimals: int) -> str:
    """Round half-up for display, as reports do."""
    decimals = max(decimals, 0)
    with arithmetic():
        q = Decimal(1).scaleb(-decimals)
        return str(value.quantize(q, rounding="ROUND_HALF_UP"))


def display(n: Number) -> str:
    """Canonical display of a stated number: its digits and unit. An amount the
    document printed in 元 (亿元…) is shown in that unit (2,571,400.00元);
    amounts converted from 元 carry 6 decimals in 万元, and trailing zeros past
    the second are dropped for reading (229.500000 -> 229.50), the value is
    unchanged."""
    if n.unit == "万元" and n.source_unit:
        return display_money(n.value, n.decimals, n.source_unit)
    text = format_decimal(n.value, n.decimals) if n.decimals >= 0 else str(n.value)
    if n.unit == "万元" and n.decimals > 2:
        head, _, frac = text.partition(".")
        frac = frac.rstrip("0")
        text = f"{head}.{frac.ljust(2, '0')}"
    return text + ("%" if n.unit == "%" else (n.unit or ""))


def display_money(value: Decimal, decimals: int, unit: str | None = None, beside: bool = False) -> str:
    """An amount of `value` 万元 known to `decimals` places, quoted in `unit` (the
    document's: 元 with thousands separators, 亿元…; 万元 when None) and, with
    `beside`, its 万元 after it: 2,571,400.00元（257.14万元）."""
    if not unit or unit == "万元":
        return format_decimal(value, max(decimals, 2)) + "万元"
    shift = MONEY_UNITS[unit]
    digits = max(decimals + shift, 0)
    text = f"{value.scaleb(-shift).quantize(Decimal(1).scaleb(-digits), rounding='ROUND_HALF_UP'):,}"
    return text + unit + (f"（{format_decimal(value, 2)}万元）" if beside else "")


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

"""SPEC §6 in one place: what a printed figure stands for, and the three
comparisons every check kind makes with it.

- Rounded figures (amounts, measured actuals, derived rates and scores) stand
  for the interval their printed digits allow (XBRL Calculations 1.1,
  round-to-nearest): `Number.interval()`. Counts and a stated 0 are exact
  (the parser marks them).
- Definitions (a target, a weight or 分值, a band, a threshold) are exact:
  `definition()`.
- Sums hold when intervals meet (`sum_holds`); rates are read twice, on
  intervals and as printed (`judge_rate`); achievement is three-valued
  (`achievement`).

Decimal arithmetic throughout; nothing here knows about records or rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

from pipeline.audit.slips import find_slip
from pipeline.numbers import Number

Interval = tuple[Decimal, Decimal]
HUNDRED = Decimal(100)
ZERO = Decimal(0)

MET, NOT_MET, UNDECIDED = "met", "not_met", "undecided"


# --- what a figure stands for ---------------------------------------------------

def rounded(n: Number) -> Interval:
    """A printed figure's interval (a point for counts and a stated 0)."""
    return n.interval()


def definition(n: Number) -> Interval:
    """A definition is exact: `>=98%` means at least 98, not [97.5, 98.5]."""
    return n.value, n.value


def meets(a: Interval, b: Interval) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def digits_interval(value: Decimal, decimals: int) -> Interval:
    """The interval of `value` printed with `decimals` digits after the point."""
    h = Decimal(5) * Decimal(10) ** (-decimals - 1)
    return value - h, value + h


def truncation_interval(n: Number) -> Interval:
    """What the digits allow if the writer cut off rather than rounded."""
    step = Decimal(10) ** (-n.decimals)
    return (n.value, n.value + step) if n.value >= 0 else (n.value - step, n.value)


# --- sums -----------------------------------------------------------------------

def sum_interval(parts: Iterable[tuple[Number, int]]) -> Interval:
    """Σ sign·part as an interval; sign is +1 or −1."""
    lo = hi = ZERO
    for n, sign in parts:
        a, b = n.interval()
        if sign < 0:
            a, b = -b, -a
        lo += a
        hi += b
    return lo, hi


def sum_value(parts: Iterable[tuple[Number, int]]) -> Decimal:
    return sum((n.value * sign for n, sign in parts), ZERO)


def sum_holds(total: Number, parts: list[tuple[Number, int]]) -> bool:
    """|total − Σ parts| ≤ ½·10^−d_total + Σ ½·10^−d_i."""
    return meets(total.interval(), sum_interval(parts))


def exact_sum_holds(total: Interval, parts: Iterable[Number]) -> bool:
    """Definitions (weights) add up exactly."""
    return meets(total, (sum((p.value for p in parts), ZERO),) * 2)


# --- quotients ------------------------------------------------------------------

def ratio_interval(num: Interval, den: Interval, scale: Decimal = HUNDRED) -> Interval | None:
    """num/den·scale over intervals; None when the denominator may be 0."""
    n_lo, n_hi = num
    d_lo, d_hi = den
    if d_lo <= 0 <= d_hi:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        cands = [n_lo / d_lo, n_lo / d_hi, n_hi / d_lo, n_hi / d_hi]
        return min(cands) * scale, max(cands) * scale


def ratio_value(num: Decimal, den: Decimal, scale: Decimal = HUNDRED) -> Decimal | None:
    if den == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return num / den * scale


@dataclass(frozen=True)
class Quotient:
    """One way of computing a rate: its interval reading (printed figures as
    intervals, definitions exact) and its as-printed value (the quotient of
    the printed figures, unrounded)."""

    name: str
    interval: Interval | None
    printed: Decimal | None


def quotient(num: Number, den: Number, *, exact_den: bool = False, name: str = "ratio") -> Quotient:
    """num/den in percent; `exact_den` for a definition in the denominator (a target)."""
    den_iv = definition(den) if exact_den else den.interval()
    return Quotient(name, ratio_interval(num.interval(), den_iv), ratio_value(num.value, den.value))


def inverse_quotient(num: Number, den: Number, *, name: str = "ratio") -> Quotient:
    """num/den in percent with the numerator a definition (target/actual)."""
    return Quotient(name, ratio_interval(definition(num), den.interval()), ratio_value(num.value, den.value))


def one_minus_excess(actual: Number, target: Number, *, name: str = "one_minus_excess") -> Quotient:
    """(1 − (actual − target)/target)·100 = (2 − actual/target)·100 (pmkpi 反向)."""
    r = ratio_interval(actual.interval(), definition(target), Decimal(1))
    v = ratio_value(actual.value, target.value, Decimal(1))
    iv = ((2 - r[1]) * HUNDRED, (2 - r[0]) * HUNDRED) if r else None
    return Quotient(name, iv, (2 - v) * HUNDRED if v is not None else None)


def round_to(value: Decimal, decimals: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=rounding)


def printed_as(value: Decimal, stated: Decimal, decimals: int) -> bool:
    """Does `value` rounded to `decimals` print as `stated`? Half-up and
    half-even both count as rounding."""
    return any(round_to(value, decimals, r) == stated for r in (ROUND_HALF_UP, ROUND_HALF_EVEN))


def truncated_as(value: Decimal, stated: Decimal, decimals: int) -> bool:
    return round_to(value, decimals, ROUND_DOWN) == stated


@dataclass(frozen=True)
class RateVerdict:
    """Why a stated rate fails (SPEC §6): `reading` is `interval` (no value
    its digits allow fits: error), `slip` (the same, and a typing slip of the
    stated digits gives the as-printed quotient: error with that suggestion),
    `as_printed` (it holds only within rounding: warning) or a convention name (`year_start_base`, `capped`,
    `truncated`: info)."""

    severity: str
    reading: str
    quotient: Quotient
    slip: tuple[str, str] | None = None

    @property
    def value(self) -> Decimal:
        return self.quotient.printed

    def suggestion(self, stated: Number, decimals: int | None = None) -> str | None:
        if self.slip:
            return self.slip[0] + "%"
        if self.reading == "capped":
            return None
        d = stated.decimals if decimals is None else decimals
        return str(round_to(self.value, max(d, 0))) + "%"


def judge_rate(stated: Number, readings: list[Quotient],
               conventions: list[Quotient] = ()) -> RateVerdict | None:
    """Read a stated rate twice against the accepted ways of computing it
    (`readings`) and, if it fails, against looser conventions. None: it holds."""
    readings = [q for q in readings if q.printed is not None]
    if not readings:
        return None
    d = stated.decimals
    interval_ok = any(q.interval is not None and meets(stated.interval(), q.interval) for q in readings)
    printed_ok = any(printed_as(q.printed, stated.value, d) for q in readings)
    if interval_ok and printed_ok:
        return None
    best = min(readings, key=lambda q: abs(q.printed - stated.value))
    for q in conventions:
        if q.printed is not None and (printed_as(q.printed, stated.value, d) or (
                q.interval is not None and meets(stated.interval(), q.interval))):
            return RateVerdict("info", q.name, best)
    if stated.value == HUNDRED and best.printed > HUNDRED:
        return RateVerdict("info", "capped", best)
    if any(truncated_as(q.printed, stated.value, d) for q in readings):
        return RateVerdict("info", "truncated", best)
    if interval_ok:
        # Within rounding of the figures but not what they give as printed:
        # 94/90 printed as 104.04% (104.44%). A slip is not looked for here:
        # dropping digits (104.04 -> 104.4) would always "explain" it.
        return RateVerdict("warning", "as_printed", best)
    slip = find_slip(stated.raw.rstrip("%"),
                     lambda v, dd: any(printed_as(q.printed, v, dd) for q in readings))
    return RateVerdict("error", "slip" if slip else "interval", best, slip)


def crosses(threshold: Decimal, stated: Decimal, computed: Decimal) -> bool:
    """Whether a stated and a computed value fall on two sides of a threshold."""
    return (stated >= threshold) != (computed >= threshold)


# --- achievement ----------------------------------------------------------------

def achievement(actual: Number, op: str, target: Number) -> str:
    """The actual's interval against the exact target: met when every value
    it allows meets the target, not met when none does, else undecided.
    `=` reads as `>=` (正向) for a positive target and as `<=` for a zero one."""
    lo, hi = actual.interval()
    t = target.value
    if op == "=":
        op = "<=" if t == 0 else ">="
    if op == ">=":
        return MET if lo >= t else NOT_MET if hi < t else UNDECIDED
    if op == ">":
        return MET if lo > t else NOT_MET if hi <= t else UNDECIDED
    if op == "<=":
        return MET if hi <= t else NOT_MET if lo > t else UNDECIDED
    if op == "<":
        return MET if hi < t else NOT_MET if lo >= t else UNDECIDED
    raise ValueError(f"unknown operator {op!r}")


def rate_achievement(rate: Number) -> str:
    """A completion rate alone: 100% exactly is the target."""
    lo, hi = rate.interval()
    return MET if lo >= HUNDRED else NOT_MET if hi < HUNDRED else UNDECIDED

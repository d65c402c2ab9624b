"""The interval rule of SPEC §6 (XBRL Calculations 1.1, round-to-nearest).

A stated number stands for [v − ½·10^−d, v + ½·10^−d]; sums and quotients of
stated numbers are intervals too, and a statement holds when its interval
meets the computed one. Decimal arithmetic throughout."""

from __future__ import annotations

from decimal import Decimal, localcontext

from .numbers import Number

Interval = tuple[Decimal, Decimal]
HUNDRED = Decimal(100)


def meets(a: Interval, b: Interval) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def sum_interval(parts: list[tuple[Number, int]]) -> Interval:
    """Σ weight·part as an interval; weight is +1 or −1."""
    lo = hi = Decimal(0)
    for n, w in parts:
        a, b = n.interval()
        if w < 0:
            a, b = -b, -a
        lo += a
        hi += b
    return lo, hi


def sum_value(parts: list[tuple[Number, int]]) -> Decimal:
    return sum((n.value * w for n, w in parts), Decimal(0))


def ratio_interval(num: Number | Interval, den: Number | Interval, scale: Decimal = HUNDRED) -> Interval | None:
    """num/den·scale as an interval; None when the denominator interval holds 0."""
    n_lo, n_hi = num.interval() if isinstance(num, Number) else num
    d_lo, d_hi = den.interval() if isinstance(den, Number) else den
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


def tolerance(parts: list[Number]) -> Decimal:
    return sum((n.half_step for n in parts), Decimal(0))


def truncation_interval(n: Number) -> Interval:
    """What the digits allow if the writer cut off rather than rounded; a
    statement that holds only this way is info (SPEC §6), not an error."""
    step = Decimal(10) ** (-n.decimals)
    return (n.value, n.value + step) if n.value >= 0 else (n.value - step, n.value)

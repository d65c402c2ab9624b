"""Likely slips behind a wrong stated number.

Given the printed digits and a test for "this value would be right", try the
edits people make when typing numbers — a zero too many or too few, two digits
swapped, the decimal point shifted — and return the smallest edit that fits.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

Fits = Callable[[Decimal, int], bool]


def _decimals(s: str) -> int:
    return len(s.split(".", 1)[1]) if "." in s else 0


def _valid(s: str) -> bool:
    return bool(s) and s.count(".") <= 1 and not s.startswith(".") and not s.endswith(".") and not (
        len(s) > 1 and s[0] == "0" and s[1] != "."
    )


def _candidates(digits: str):
    n = len(digits)
    zeros = [i for i, c in enumerate(digits) if c == "0"]
    for i in zeros:
        yield digits[:i] + digits[i + 1 :], "多写了一个 0", 1
    for i in range(n + 1):
        yield digits[:i] + "0" + digits[i:], "漏写了一个 0", 1
    for i in range(n - 1):
        a, b = digits[i], digits[i + 1]
        if a != b and a.isdigit() and b.isdigit():
            yield digits[:i] + b + a + digits[i + 2 :], "相邻两位数字颠倒", 1
    plain = digits.replace(".", "")
    point = digits.find(".") if "." in digits else n
    for shift in (-2, -1, 1, 2):
        p = point + shift
        if 0 < p <= len(plain):
            moved = plain[:p] + ("." + plain[p:] if p < len(plain) else "")
            yield _strip_zeros(moved), "小数点位置错误", 1
    for i, j in ((i, j) for i in zeros for j in zeros if j > i):
        yield digits[:i] + digits[i + 1 : j] + digits[j + 1 :], "多写了两个 0", 2


def _strip_zeros(s: str) -> str:
    while len(s) > 1 and s[0] == "0" and s[1] != ".":
        s = s[1:]
    return s


def find_slip(stated_digits: str, fits: Fits) -> tuple[str, str] | None:
    """(corrected digits, description) for the cheapest edit that fits, or None."""
    best = None
    for cand, why, cost in _candidates(stated_digits):
        if cand == stated_digits or not _valid(cand):
            continue
        try:
            value = Decimal(cand)
        except InvalidOperation:
            continue
        if fits(value, _decimals(cand)) and (best is None or cost < best[2]):
            best = (cand, why, cost)
    return (best[0], best[1]) if best else None

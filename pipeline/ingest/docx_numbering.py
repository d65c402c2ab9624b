"""Word automatic list numbering rendered "as shown" (一、 （一） 1. ①).

Word stores list numbers as rules (numbering.xml), not as text; a paragraph that Word shows
as "（二）资金管理情况" holds only "资金管理情况". This module replays the counters in
document order so the label can be put back in front of the text. Bullets give no label.
Counters are kept per abstract list (Word continues a list across its instances unless a
start override restarts it); a level restarts when a shallower level advances.
"""

from __future__ import annotations

import re

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CN_DIGITS = "零一二三四五六七八九"
CHINESE_FORMATS = {
    "chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
    "ideographDigital", "japaneseCounting", "taiwaneseCounting", "koreanCounting",
}
STEMS = {"ideographTraditional": "甲乙丙丁戊己庚辛壬癸", "ideographZodiac": "子丑寅卯辰巳午未申酉戌亥"}


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九; larger stay Arabic."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")
    return head + (CN_DIGITS[ones] if ones else "")


def roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


def letters(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA (Word repeats the letter)."""
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt in CHINESE_FORMATS:
        return chinese_number(n)
    if fmt in STEMS:
        stems = STEMS[fmt]
        return stems[(n - 1) % len(stems)]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperLetter", "lowerLetter"):
        return letters(n) if fmt == "upperLetter" else letters(n).lower()
    if fmt in ("upperRoman", "lowerRoman"):
        return roman(n) if fmt == "upperRoman" else roman(n).lower()
    return str(n)


def val(el, child: str, default=None):
    found = el.find(f"{W}{child}") if el is not None else None
    return found.get(f"{W}val", default) if found is not None else default


class Numbering:
    """Replays list counters; `label(p)` is called once per paragraph in document order."""

    def __init__(self, levels: dict, nums: dict, style_numpr: dict):
        self.levels = levels  # abstractNumId -> {ilvl: (start, fmt, text)}
        self.nums = nums  # numId -> (abstractNumId, {ilvl: startOverride})
        self.style_numpr = style_numpr  # styleId -> (numId, ilvl)
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()

    @classmethod
    def from_document(cls, wd) -> Numbering:
        levels, nums, style_numpr = {}, {}, {}
        try:
            root = wd.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            root = None
        if root is not None:
            for absn in root.iterchildren(f"{W}abstractNum"):
                levels[absn.get(f"{W}abstractNumId")] = {
                    int(lvl.get(f"{W}ilvl", "0")): (
                        int(val(lvl, "start", "1")), val(lvl, "numFmt", "decimal"), val(lvl, "lvlText", "")
                    )
                    for lvl in absn.iterchildren(f"{W}lvl")
                }
            for num in root.iterchildren(f"{W}num"):
                overrides = {
                    int(o.get(f"{W}ilvl", "0")): int(val(o, "startOverride"))
                    for o in num.iterchildren(f"{W}lvlOverride")
                    if val(o, "startOverride") is not None
                }
                nums[num.get(f"{W}numId")] = (val(num, "abstractNumId"), overrides)
        for style in wd.styles.element.iterchildren(f"{W}style"):
            numpr = style.find(f"{W}pPr/{W}numPr")
            if numpr is not None:
                style_numpr[style.get(f"{W}styleId")] = (val(numpr, "numId"), int(val(numpr, "ilvl", "0")))
        return cls(levels, nums, style_numpr)

    def numpr(self, p) -> tuple[str | None, int]:
        ppr = p.find(f"{W}pPr")
        numpr = ppr.find(f"{W}numPr") if ppr is not None else None
        if numpr is not None:
            return val(numpr, "numId"), int(val(numpr, "ilvl", "0"))
        return self.style_numpr.get(val(ppr, "pStyle"), (None, 0))

    def label(self, p) -> str:
        """The list label Word shows before this paragraph ('' if none)."""
        num_id, ilvl = self.numpr(p)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract, {})
        if num_id not in self.started:  # a start override restarts the list instance
            self.started.add(num_id)
            for lvl, start in overrides.items():
                counters[lvl] = start - 1
        start, fmt, text = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt in ("bullet", "none"):
            return ""

        def fill(m: re.Match) -> str:
            lvl = int(m.group(1)) - 1
            lvl_start, lvl_fmt, _ = levels.get(lvl, (1, "decimal", ""))
            return format_number(counters.get(lvl, lvl_start), lvl_fmt)

        return re.sub(r"%([1-9])", fill, text or "")

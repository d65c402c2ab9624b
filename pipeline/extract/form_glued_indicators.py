"""A form's indicator block whose cells lost every separator (中江 032):

    一级指标二级指标三级指标分值年度指标值全年实际值得分未完成原因及拟采取的改进措施
    产出指标(70分)数量指标安装坡面水标尺10≥266米≥266米10水标尺宽度10≥50厘米≥50厘米10…总分100100

The header words are read in order; after them the block is read as level
labels (产出指标(70分), 数量指标) and rows of name + the header's value columns
(分值, 指标值, 实际值, 得分 in any order). All or nothing: the rows are given
only when the whole block, from its header to 总分 (or the line's end), reads
one way with no text left over and every 得分 within its 分值. A partial or
ambiguous reading would make the weight sums (IND-01/IND-05) raise errors the
form does not have, so it gives nothing.
"""

from __future__ import annotations

import functools
from decimal import Decimal

import regex

from pipeline.extract.form_glued import GLUED_TOTAL
from pipeline.extract.form_grid import GCell
from pipeline.extract.form_labels import INDICATOR_HEADERS, LEVEL1_RE, LEVEL2_RE
from pipeline.extract.form_rows import FormRow
from pipeline.extract.normalize import NLine, Text

# Header words, longest first.
_WORDS = sorted(INDICATOR_HEADERS.items(), key=lambda wr: -len(wr[0]))
VALUE_ROLES = ("weight", "target", "actual", "score")
# The level labels as prefixes of the run; the longest one at a place (服务对象满意度指标, not 满意度指标).
LEVEL1 = regex.compile("(?p)" + LEVEL1_RE.pattern.removeprefix("^").removesuffix("$"))
LEVEL2 = regex.compile("(?p)" + LEVEL2_RE.pattern.removeprefix("^").removesuffix("$"))
BLOCK_END = regex.compile(r"总分|合计得分|总得分")
# a template row left unfilled: ……, or 指标1: / 指标2： with no name
PLACEHOLDER = regex.compile(r"[.…·。]{2,}|指标\d{1,2}[:：]")
WEIGHT = regex.compile(r"(?:[1-9]\d{0,2}|0)(?:\.\d{1,2})?")
OP = regex.compile(r"≥|≤|>=|<=|>|<|=|＝|≧|≦")
NUM = regex.compile(r"(?:[1-9]\d*|0)(?:\.\d+)?")
HAN = regex.compile(r"\p{Han}+")
MAX_UNIT = 4  # a longer run of words after a figure is not its unit
MAX_WORDS = 12  # a word target or actual (显著提升)
MAX_NAME = 40
NAME_BAD = regex.compile(r"[≥≤<>=＝%]")
MAX_LINES = 4  # lines a block may run over
MAX_PARSES = 2  # two complete readings: ambiguous, nothing is read


def glued_indicator_rows(nlines: list[NLine]) -> list[FormRow]:
    """The indicator rows of the first glued indicator block read whole, or []."""
    for k, nl in enumerate(nlines):
        if "一级指标" not in nl.text.replace(" ", ""):
            continue
        # the block may run on over the next lines (a page's text cut into lines)
        t = Text(nlines[k:k + MAX_LINES])
        # spaces a copied cell kept (分 值, 满意度 指标) are no separators: read without them
        where = [i for i, ch in enumerate(t.text) if not ch.isspace()]
        text = "".join(t.text[i] for i in where)
        first_line = len(nl.text.replace(" ", ""))
        for m in regex.finditer("一级指标", text, endpos=first_line):
            roles, end = _header(text, m.start())
            if roles is None:
                continue
            stop = BLOCK_END.search(text, end)
            limit = stop.start() if stop else first_line
            parses = _parse(text, end, limit, roles)
            if len(parses) != 1:
                continue

            cell = functools.partial(_cell, t, text, where)
            rows = [_row(cell, item) for item in parses[0]]
            if not any("name" in r.cells for r in rows):
                continue
            total = GLUED_TOTAL.match(text, limit) if stop else None
            if total:
                rows.append(FormRow("total", cell(total.start(), total.start("w")),
                                    {"weight": cell(*total.span("w")), "score": cell(*total.span("s"))}))
            return rows
    return []


def _header(text: str, pos: int) -> tuple[list[str] | None, int]:
    """The roles of the header words glued from pos up to the first 一级 label:
    一级指标, 二级指标, 三级指标, then value columns, a 原因 column only last."""
    roles: list[str] = []
    i = pos
    while not LEVEL1.match(text, i):
        word = next(((w, r) for w, r in _WORDS if text.startswith(w, i)), None)
        if word is None:
            return None, i
        roles.append(word[1])
        i += len(word[0])
    if roles[:3] != ["level1", "level2", "name"]:
        return None, i
    values = roles[3:]
    if values and values[-1] == "reason":
        values = values[:-1]  # its cells are read as blank: text there leaves the block unread
    if sorted(values) != sorted(VALUE_ROLES):
        return None, i
    return values, i


def _parse(text: str, start: int, limit: int, roles: list[str]) -> list[list]:
    """The best-agreeing complete readings of text[start:limit] (at most MAX_PARSES), each
    a list of ("level1"|"level2", (a, b)) and ("row", (a, b), {role: (a, b)})."""
    memo: dict[int, tuple[float, list[list]]] = {}
    words_first = roles[0] in ("target", "actual")
    none = (float("-inf"), [])

    def at(p: int) -> tuple[float, list[list]]:
        if p == limit:
            return 0.0, [[]]
        if p in memo:
            return memo[p]
        best = none
        ph = PLACEHOLDER.match(text, p, limit)
        l1, l2 = LEVEL1.match(text, p, limit), LEVEL2.match(text, p, limit)
        if ph:
            best = at(ph.end())
        elif l1 or l2:
            # 成本指标 is an 一级 label in some templates and a 二级 in others: an 一级
            # label is followed by its first 二级 label
            lab = ("level1", l1) if l1 and LEVEL2.match(text, l1.end(), limit) else ("level2", l2) if l2 else None
            if lab:
                got, tails = at(lab[1].end())
                best = (got, [[(lab[0], lab[1].span()), *t] for t in tails])
        elif not text[p].isdigit():
            options = []
            for e in range(p + 1, min(limit, p + MAX_NAME + 1)):
                if NAME_BAD.match(text, e - 1) or LEVEL1.match(text, e - 1) or LEVEL2.match(text, e - 1):
                    break
                if text[e].isdigit() == text[e - 1].isdigit() and not (words_first and _value_start(text, e)):
                    continue  # a name ends before a figure, or (指标值 first) before a word value
                for cells, q in _cells(text, e, limit, roles):
                    got, tails = at(q)
                    if tails:
                        row = ("row", (p, e), cells)
                        options.append((got + _agree(text, cells), [[row, *t] for t in tails]))
            for got, tails in options:
                if got > best[0]:
                    best = (got, tails)
                elif got == best[0]:
                    best = (got, best[1] + tails)
        memo[p] = (best[0], best[1][:MAX_PARSES])
        return memo[p]

    return at(start)[1]


def _value_start(text: str, e: int) -> bool:
    return bool(OP.match(text, e) or HAN.match(text, e))


UNIT_END = regex.compile(r"(?:%|\p{Han}+)$")


def _agree(text: str, cells: dict) -> float:
    """How well one row's reading agrees with itself: a figure actual in the target's
    unit (≥266米 | ≥266米, not ≥266米 | ≥26), a 分值 of fives."""
    target, actual = (text[slice(*cells[r])] for r in ("target", "actual"))
    ut, ua = UNIT_END.search(target), UNIT_END.search(actual)
    out = 1.0 if (ut and ut.group()) == (ua and ua.group()) else -2.0
    out += 0.5 if Decimal(text[slice(*cells["weight"])]) % 5 == 0 else -0.5
    return out


def _cells(text: str, pos: int, limit: int, roles: list[str]):
    """(cells, end) readings of one row's value columns from pos."""
    def go(p: int, k: int, acc: dict):
        if k == len(roles):
            w, s = (Decimal(text[slice(*acc[r])]) for r in ("weight", "score"))
            if 0 < w <= 100 and 0 <= s <= w:
                yield dict(acc), p
            return
        role = roles[k]
        if role in ("weight", "score"):
            ends = [e for e in range(p + 1, min(limit, p + 6) + 1) if WEIGHT.fullmatch(text, p, e)]
            for e in ends:
                acc[role] = (p, e)
                yield from go(e, k + 1, acc)
            acc.pop(role, None)
            return
        nxt = roles[k + 1] if k + 1 < len(roles) else None
        for e in _values(text, p, limit, pair=nxt in ("target", "actual")):
            if e == "pair":  # a word target and actual: the run's two equal halves
                run = HAN.match(text, p, limit)
                half = (run.end() - p) // 2
                acc[role], acc[nxt] = (p, p + half), (p + half, run.end())
                yield from go(run.end(), k + 2, acc)
                acc.pop(nxt, None)
            else:
                acc[role] = (p, e)
                yield from go(e, k + 1, acc)
        acc.pop(role, None)

    yield from go(pos, 0, {})


def _values(text: str, p: int, limit: int, pair: bool):
    """Ends of a target or actual from p: a figure (an operator, a unit of words or %)
    or words; "pair" when a word value is followed by a word value."""
    op = OP.match(text, p, limit)
    q = op.end() if op else p
    for e in range(q + 1, min(limit, q + 16) + 1):
        if not NUM.fullmatch(text, q, e):
            continue
        if e < limit and text[e] == "%":
            yield e + 1
            continue
        unit = HAN.match(text, e, limit)
        if unit is None:
            yield e
        elif unit.end() - e <= MAX_UNIT:
            yield unit.end()
    if op:
        return
    run = HAN.match(text, p, limit)
    if run is None or run.end() - p > (2 * MAX_WORDS if pair else MAX_WORDS) or "指标" in run.group():
        return
    if pair:
        n = run.end() - p
        if n % 2 == 0 and text[p:p + n // 2] == text[p + n // 2:run.end()]:
            yield "pair"
        return
    yield run.end()


def _cell(t: Text, text: str, where: list[int], a: int, b: int) -> GCell:
    """text[a:b] of the space-free text, with the evidence of the source it was read from."""
    return GCell(text[a:b], t.evidence(where[a], where[b - 1] + 1))


def _row(cell, item) -> FormRow:
    if item[0] in ("level1", "level2"):
        return FormRow("indicator", None, {item[0]: cell(*item[1])})
    _, name, cells = item
    return FormRow("indicator", None, {"name": cell(*name), **{r: cell(a, b) for r, (a, b) in cells.items()}})

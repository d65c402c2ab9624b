"""A form's budget block whose cells lost every separator: a Word or PDF table
copied as one run of text (中江 032, 海淀 033, 襄阳 150, 衡山 152, 新洲 169):

    全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:202010100.00%10其中:本年财政拨款2020

The header words are read in order; after them, each budget row label's run of
figures is cut into the columns' numbers. Of the ways to cut it, the one whose
figures agree with each other is kept (执行数 / 预算数 = 执行率, 得分 within 分值
and = 执行率 × 分值; a 其中 row repeating the total's figures), and only the
figures every best cut shares; a run no cut makes agree gives nothing.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import regex

from pipeline.extract.form_grid import GCell
from pipeline.extract.form_labels import BUDGET_HEADERS
from pipeline.extract.form_rows import FormRow
from pipeline.extract.lexicon import lexicon
from pipeline.extract.normalize import NLine, Text

# Header words, longest first; a word that ends in 数 also read without it (全年执行).
_WORDS = sorted({(w, r) for w, r in BUDGET_HEADERS.items()}
                | {(w[:-1], r) for w, r in BUDGET_HEADERS.items() if w.endswith("数") and len(w) >= 5}
                | {(w, "method") for w in ("得分计算方法", "计算方法", "评分标准")},
                key=lambda wr: -len(wr[0]))
# A header's bracketed label: (A), (B/A), (10分), (20分*执行率), (%) — OCR may lose the closing one.
LABEL = regex.compile(r"[（(][^（()）]{0,14}[)）]|[（(][A-Za-z0-9/*%×.]{0,6}")
ROW = regex.compile(r"(?p)(?:其中[:：]?)?(?P<label>" + "|".join(
    f"(?:{p})" for p in lexicon()["form"]["budget_rows"].values()) + r")[:：]?")
FIGURES = regex.compile(r"[\d.%]+")
PIECE = regex.compile(r"(?:0|[1-9]\d{0,9})(?:\.\d{1,6})?%?")
BLOCK_WEIGHT = regex.compile(r"[（(](\d+)\s*分")
MIN_HEADER = 3
MAX_RUN = 32  # longer figure runs are not one row's cells
KEEP = 3  # a cut must agree this well to be read
KEEP_TOTAL = 5  # the first row's rate must agree with its amounts
ROW_GAP = 40
MAX_READINGS = 16
MAX_CUTS = 20000


def _headers(text: str, pos: int) -> list[tuple[list[str], int, tuple]]:
    """Readings of the budget header words from pos up to a budget row label, as
    (roles, end, block weight): 执行率得分 is one column, or 执行率 | 得分 two."""
    out: list[tuple[list[str], int, tuple]] = []

    def go(i: int, roles: list[str], weight: tuple) -> None:
        if len(out) >= MAX_READINGS:
            return
        if len(roles) >= MIN_HEADER and ROW.match(text, i):
            out.append((list(roles), i, weight))
        for w, r in _WORDS:
            if not text.startswith(w, i):
                continue
            j, wt = i + len(w), weight
            lab = LABEL.match(text, j)
            if lab:
                bw = BLOCK_WEIGHT.match(text, j, lab.end())
                wt = (int(bw.group(1)), bw.start(1), bw.end(1)) if bw and r in ("weight", "score") else wt
                j = lab.end()
            roles.append(r)
            go(j, roles, wt)
            roles.pop()

    go(pos, [], (0, 0, 0))
    return out


def glued_budget_rows(nlines: list[NLine]) -> list[FormRow]:
    for k, nl in enumerate(nlines):
        text = nl.text
        for m in regex.finditer(r"(?:全年|年初|调整后)?预算数|预算执行数|全年执行数", text):
            best, score = [], KEEP
            for roles, end, weight in _headers(text, m.start()):
                if not {"executed", "rate"} & set(roles):
                    continue
                rows, got = _rows(nl, end, [r for r in roles if r not in ("method", "group", "reason")], weight[0])
                if rows and got > score:
                    best, score = rows, got
                    header = _rate_header(nl, m.start(), end, roles)
                    if weight[0]:  # 得分(20分*执行率): the block's 分值
                        header["block_weight"] = GCell(str(weight[0]), Text([nl]).evidence(weight[1], weight[2]))
                    if header:
                        best = [FormRow("header", None, header), *rows]
            if best:
                return best + _glued_total(nlines, k, m.end())
    return []


YEAR_START_A = regex.compile(r"年初预算数?\s*[（(]A[)）]")
RATE_BA = regex.compile(r"执行率\s*[（(]\s*B\s*/\s*A")


def _rate_header(nl: NLine, start: int, end: int, roles: list[str]) -> dict:
    """年初预算数(A) … 执行率(B/A) with no 全年预算数 column: the header cells the form
    reader needs to measure the rate on the 年初 figure (form._rate_base)."""
    text = nl.text[start:end]
    ys, rate = YEAR_START_A.search(text), RATE_BA.search(text)
    if "budget" in roles or ys is None or rate is None:
        return {}
    t = Text([nl])
    return {"year_start": GCell(ys.group(0), t.evidence(start + ys.start(), start + ys.end())),
            "rate": GCell(rate.group(0) + ")", t.evidence(start + rate.start(), start + rate.end()))}


# 总分100100 / 总分10098: the 总分 row's 分值 (100) and 得分 run together.
GLUED_TOTAL = regex.compile(r"(?:总分|合计得分|总得分)[:：]?(?P<w>100)(?P<s>(?:100|[1-9]?\d)(?:\.\d{1,2})?)(?![\d.%])")


def _glued_total(nlines: list[NLine], k: int, pos: int) -> list[FormRow]:
    """The first glued 总分 row after the budget block (line k, offset pos)."""
    for j in range(k, len(nlines)):
        m = GLUED_TOTAL.search(nlines[j].text, pos if j == k else 0)
        if m:
            t = Text([nlines[j]])
            return [FormRow("total", GCell("总分", t.evidence(m.start(), m.start("w"))),
                            {"weight": GCell(m.group("w"), t.evidence(*m.span("w"))),
                             "score": GCell(m.group("s"), t.evidence(*m.span("s")))})]
    return []


def _rows(nl: NLine, pos: int, roles: list[str], block_weight: int) -> tuple[list[FormRow], float]:
    """The budget rows from pos on, and how well the first (the total) agrees."""
    text, out, total, first = nl.text, [], None, 0.0
    while True:
        # a 得分计算方法 sentence may stand between two rows
        row = ROW.search(text, pos, pos + ROW_GAP) if out else ROW.match(text, pos)
        if row is None:
            return out, first
        figs = FIGURES.match(text, row.end())
        pos = figs.end() if figs else row.end()
        if not figs or len(figs.group()) > MAX_RUN or not any(ch.isdigit() for ch in figs.group()):
            continue
        if any(nl.cols[i + 1] - nl.cols[i] != 1 for i in range(figs.start(), figs.end() - 1)):
            return out, first  # figures a space apart in the source: cells the other readers see
        cut, got = _best_cut(figs.group(), roles, block_weight, total)
        if not cut or (total is None and got < KEEP_TOTAL):
            continue  # the total row must agree with itself (执行数 / 预算数 = 执行率) to be read
        if total is None:
            total, first = {r: v for r, (v, _, _) in cut.items()}, got
        t = Text([nl])
        base, run = figs.start(), figs.group()
        cells = {r: GCell(run[a:b], t.evidence(base + a, base + b)) for r, (_, a, b) in cut.items()}
        out.append(FormRow("budget", GCell(row.group("label"), t.evidence(row.start("label"), row.end("label"))),
                           cells))


def _splits(s: str, most: int):
    """Ways to cut s into at most `most` well-formed numbers (a % closes its number)."""
    def go(p: int, acc: list[tuple[int, int]]):
        if p == len(s):
            yield list(acc)
            return
        if len(acc) == most:
            return
        for e in range(p + 1, len(s) + 1):
            piece = s[p:e]
            if "%" in piece[:-1]:
                break
            if e < len(s) and s[e] == "%":
                continue  # a number stops at its %, not before it
            if PIECE.fullmatch(piece):
                acc.append((p, e))
                yield from go(e, acc)
                acc.pop()
    yield from go(0, [])


def _best_cut(s: str, roles: list[str], block_weight: int, total: dict | None):
    """({role: (value, start, end)} on which every best-agreeing cut of s agrees, its score)."""
    best, score = [], KEEP
    for cut in itertools.islice(_splits(s, len(roles)), MAX_CUTS):
        for picks in itertools.combinations(range(len(roles)), len(cut)):
            if any(s[b - 1] == "%" and roles[k] != "rate" for k, (a, b) in zip(picks, cut, strict=True)):
                continue
            assign = {roles[k]: (Decimal(s[a:b].rstrip("%")), a, b) for k, (a, b) in zip(picks, cut, strict=True)}
            got = _agree(assign, s, block_weight, total, "budget" in roles)
            if got > score:
                best, score = [assign], got
            elif got == score:
                best.append(assign)
    if not best:
        return None, score
    return {r: v for r, v in best[0].items() if all(r in b and b[r][0] == v[0] for b in best)}, score


def _agree(a: dict, s: str, block_weight: int, total: dict | None, has_budget: bool = False) -> float:
    """How well one reading of a row's figures agrees with itself and the total row."""
    v = {r: x[0] for r, x in a.items()}
    out = 0.0
    rate, executed = v.get("rate"), v.get("executed")
    base = v.get("budget", v.get("year_start"))
    if rate is not None:
        if s[a["rate"][2] - 1] != "%":
            out -= 2
        if executed is not None and base:
            q = executed / base * 100
            # a unit of the rate's last place (rounded or cut), and the amounts' own rounding
            tol = _unit(rate) + q * (_unit(executed) / 2 / max(executed, _unit(executed)) + _unit(base) / 2 / base)
            out += 5 if abs(q - rate) <= tol or (rate == 100 and q >= 100) else -5
        out -= 2 * max(0, _places(rate) - 2)
        # nothing spent: possible (中央财政资金 102 | 0 | 0%, a transfer not yet paid out), but the
        # rarer reading where another also agrees
        out -= 1 if rate == 0 else 0
        out -= 10 if rate > 200 else 0  # no budget is spent twice over
    weight = v.get("weight", Decimal(block_weight) if block_weight else None)
    if "weight" in v:
        out += (1 if v["weight"] % 5 == 0 else 0) if 1 <= v["weight"] <= 100 else -10
    score = v.get("score")
    if score is not None and weight is not None:
        out += 0 if 0 <= score <= weight else -5
        if rate is not None and abs(min(rate, Decimal(100)) * weight / 100 - score) <= Decimal("0.6"):
            out += 2
    if "year_start" in v and "budget" in v and v["year_start"] == v["budget"]:
        out += 0.5
    if "budget" not in v and "executed" in v and has_budget:
        out -= 1  # the rate is on the 全年预算数 column where there is one
    for r in ("year_start", "budget", "executed"):
        if r in v:
            out -= 0.5 * max(0, _places(v[r]) - 2)
    if total:
        out += sum(4 for r, x in v.items() if total.get(r) == x)
        # a 其中 row's 分值 / 得分, when printed, repeats the total's
        out -= sum(3 for r, x in v.items() if r in ("weight", "score") and total.get(r) != x)
    return out


def _places(d: Decimal) -> int:
    return max(0, -d.as_tuple().exponent)


def _unit(d: Decimal) -> Decimal:
    return Decimal(1).scaleb(-_places(d))

"""A form's budget rows whose cells ran together.

Web and PDF copies of a 绩效自评表 often lose the table: its header and rows
come out as one string, `年初预算数(A)全年执行数(B)分值(10分)执行率(B/A)得分
年度资金总额:310.2154.741050%5`. The header names the columns in order; each
row's run of digits is split back into those cells. A split is taken only
when the figures vouch for it — the printed rate lies within a point of
executed ÷ budget, or a 其中 row repeats the figures of the row above — and
only when exactly one split does, so a run that could be read two ways stays
unread (an extraction gap, never a guess). The rate is then checked exactly,
as any printed rate is (SPEC §6): `1484631.00%` is 148 | 46 | 31.00%, and
46/148 is 31.08%, not 31.00%.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

import regex

from pipeline.extract.form_labels import BUDGET_HEADERS, BUDGET_ROWS, budget_line_of, header_role
from pipeline.extract.normalize import Text
from pipeline.model import BudgetLine, CrossCheck, Record
from pipeline.numbers import Number, parse_number

ROLES = ("year_start", "budget", "executed", "weight", "rate", "score")
MONEY = ("year_start", "budget", "executed")
# A bracket after a header word: (A), (B/A×100%), (10分), (20分*执行率), or one
# that lost its closing mark in the copy (B/A1).
BRACKET = r"(?:\s*[（(][^（()）]{0,14}[)）]|\s*[（(][A-Za-z/×*%\d\s]{1,8}(?![^（()）]*[)）]))?"
CELL = {
    "money": regex.compile(r"0(?:\.\d{1,6})?|[1-9]\d{0,9}(?:\.\d{1,6})?"),
    "weight": regex.compile(r"[1-9]\d?"),
    "rate": regex.compile(r"(?:0|[1-9]\d{0,2})(?:\.\d{1,2})?%"),
    "score": regex.compile(r"(?:0|[1-9]\d?)(?:\.\d{1,2})?|100"),
}
KIND = {"year_start": "money", "budget": "money", "executed": "money", "weight": "weight",
        "rate": "rate", "score": "score"}
RATE_SLACK = Decimal(1)  # percentage points: a rate printed to the unit is within half a point
MAX_SPLITS = 2000  # a run that long is not a budget row


@functools.lru_cache(maxsize=1)
def _patterns():
    words = sorted({w for w, role in BUDGET_HEADERS.items() if role in ROLES} | {"全年执行"}, key=len, reverse=True)
    word = "|".join(regex.escape(w) for w in words)
    header = regex.compile(rf"(?:(?:{word}){BRACKET}\s*){{3,}}")
    one = regex.compile(rf"(?:{word}){BRACKET}")
    labels = "|".join(p.pattern[4:-2] for _, p in BUDGET_ROWS if _ not in ("basic", "project"))
    row = regex.compile(rf"(?:其中[:：]?)?\s*(?P<label>{labels})\s*[:：]?\s*(?P<tok>\d[\d.%\s]*)")
    return header, one, row


@dataclass
class _Header:
    roles: list[str]
    end: int
    weight: Decimal | None  # 分值(10分): the weight the header states
    rate_on_year_start: bool
    unit: str


def joined_rows(blocks: list[Text]) -> dict[str, BudgetLine]:
    """The budget lines of the document's first run-together form, by SPEC §4
    line. A later form (a file holding several projects' forms) is another
    project's money: it never stands in for a first form whose total row
    could not be split."""
    for block in blocks:
        found = _block_rows(block)
        if found is not None:
            return found
    return {}


def _block_rows(block: Text) -> dict[str, BudgetLine] | None:
    """The lines of the first run-together budget block in `block`; None when
    the block has none (a header with a 资金总额 row, read or not)."""
    squeezed, index = _squeeze(block.text)
    header_re, _, row_re = _patterns()
    out: dict[str, BudgetLine] = {}
    for hm in header_re.finditer(squeezed):
        header = _read_header(squeezed, hm)
        if header is None:
            continue
        window_end = _window_end(squeezed, header.end)
        previous: dict[str, str] = {}
        rows = list(row_re.finditer(squeezed, header.end, window_end))
        if not any(budget_line_of(rm.group("label")) == "total" for rm in rows):
            continue
        for rm in rows:
            line = budget_line_of(rm.group("label"))
            if line is None or line in out:
                continue
            # 分值 and 得分 belong to the 年度资金总额 row alone; its 其中 rows hold money and rates
            roles = header.roles if line == "total" else [r for r in header.roles if r not in ("weight", "score")]
            cells = _split(rm.group("tok").rstrip(), header, roles, previous)
            if cells is None:
                continue
            previous = cells
            start, end = index[rm.start("label")], index[rm.start("tok") + len(rm.group("tok").rstrip()) - 1] + 1
            evidence = block.evidence(start, end)
            fields = {role: _number(raw, role, header.unit).with_evidence(evidence) for role, raw in cells.items()}
            if line == "total" and header.weight is not None and "weight" not in fields:
                fields["weight"] = Number(str(header.weight), header.weight, 0, None, True, evidence)
            if header.rate_on_year_start and "year_start" in fields and "budget" not in fields:
                fields["budget"] = fields["year_start"]
            out[line] = BudgetLine(line, fields, None, evidence)
        return out
    return None


def merge_joined(record: Record, lines: dict[str, BudgetLine]) -> None:
    """The rows' figures are the form's: they take the line's place, and a
    differing narrative figure for the total is kept for CONS-01."""
    if lines and record.form_layout is None:
        record.form_layout = "joined"  # the form's own checks (得分 = 执行率 × 分值, 资金来源之和) apply
    for name, line in lines.items():
        old = record.budget.get(name)
        if old is not None:
            if name == "total":
                for f, n in line.fields.items():
                    o = old.get(f)
                    if o is not None and o.value != n.value and f in ("budget", "executed", "rate", "year_start"):
                        record.cross_checks.append(CrossCheck(f"budget.total.{f}", n, o, n.evidence, o.evidence))
            line.explanation = old.explanation
        record.budget[name] = line


# --- the header -------------------------------------------------------------------

def _read_header(text: str, hm: regex.Match) -> _Header | None:
    _, one, _ = _patterns()
    roles, weight, rate_on_ys, texts = [], None, False, {}
    for m in one.finditer(hm.group(0)):
        role = header_role(m.group(0), BUDGET_HEADERS) or ("executed" if m.group(0).startswith("全年执行") else None)
        if role == "score" and m.group(0).startswith("执行率得分") and "rate" not in roles:
            roles.append("rate")  # 执行率得分 run on from 执行率: two columns, not one
            texts["rate"] = "执行率"
        if role in roles:
            break  # 得分 | 得分计算方法: the columns past the budget cells are no concern here
        if role not in ROLES:
            return None
        roles.append(role)
        texts[role] = m.group(0)
        w = regex.search(r"[（(](\d{1,2})\s*分", m.group(0))
        if w and role in ("weight", "score"):
            weight = Decimal(w.group(1))
    if not ({"executed", "rate"} <= set(roles) and ({"budget", "year_start"} & set(roles))):
        return None
    if "budget" not in roles and "A" in texts.get("year_start", "") and regex.search(r"B\s*/\s*A", texts["rate"]):
        rate_on_ys = True
    before = text[max(0, hm.start() - 40) : hm.start()]
    unit = "元" if regex.search(r"[（(]元[)）]", before) else "万元"
    if weight is None:
        w = regex.search(r"[（(]\s*(\d{1,2})\s*分\s*[)）]\s*$", before)
        weight = Decimal(w.group(1)) if w else None
    return _Header(roles, hm.end(), weight, rate_on_ys, unit)


def _window_end(text: str, start: int) -> int:
    stop = regex.compile(r"目标|绩效指标|一级指标|指标名称|说明").search(text, start, start + 400)
    return stop.start() if stop else min(len(text), start + 400)


# --- one row ----------------------------------------------------------------------

def _split(token: str, header: _Header, roles: list[str], previous: dict[str, str]) -> dict[str, str] | None:
    """The one split of `token` into the row's cells that the figures vouch for."""
    token = regex.sub(r"\s+", " ", token)
    splits: list[dict[str, str]] = []
    _enumerate(token, 0, roles, 0, {}, splits)
    if not splits or len(splits) >= MAX_SPLITS:
        return None
    # A nonzero rate matching executed ÷ budget is strong evidence (a chance split rarely
    # does); a nought over a nought, or a row repeating the one above, is weaker.
    strength = [(_vouched(s, header, previous), s) for s in splits]
    top = max(v for v, _ in strength)
    if top == 0:
        return None
    vouched = [s for v, s in strength if v == top]
    most = max(len(s) for s in vouched)
    best = [s for s in vouched if len(s) == most]
    return best[0] if len(best) == 1 else None


def _enumerate(token: str, pos: int, roles: list[str], k: int, cur: dict[str, str], out: list) -> None:
    if len(out) >= MAX_SPLITS:
        return
    if pos < len(token) and token[pos] == " ":
        pos += 1
    if pos == len(token):
        out.append(dict(cur))  # the remaining columns are blank
        return
    if k == len(roles):
        return
    role = roles[k]
    for m in _prefixes(CELL[KIND[role]], token, pos):
        cur[role] = m
        _enumerate(token, pos + len(m), roles, k + 1, cur, out)
        del cur[role]
    _enumerate(token, pos, roles, k + 1, cur, out)  # this column blank


def _prefixes(pattern: regex.Pattern, token: str, pos: int) -> list[str]:
    """Every prefix of token[pos:] that is one whole cell (a cell never stops
    inside a number's decimals nor before its % sign)."""
    out = []
    end = token.find(" ", pos)
    end = len(token) if end < 0 else end
    for stop in range(pos + 1, end + 1):
        piece = token[pos:stop]
        if pattern.fullmatch(piece) and (stop == end or token[stop] != "%"):
            out.append(piece)
    return out


def _vouched(cells: dict[str, str], header: _Header, previous: dict[str, str]) -> int:
    """How strongly the figures vouch for a split: 3 a nonzero rate that executed ÷
    budget gives, 2 a nought executed at a nought rate, 1 the row above repeated, 0 not."""
    v = {r: Decimal(s.rstrip("%")) for r, s in cells.items()}
    if "weight" in v and header.weight is not None and v["weight"] != header.weight:
        return 0
    if "score" in v and v["score"] > v.get("weight", header.weight or Decimal(100)):
        return 0
    if "rate" in v and v["rate"] > 300:
        return 0
    executed = v.get("executed")
    bases = [v[b] for b in ("budget", "year_start") if b in v and v[b] != 0]
    if "rate" in v and executed is not None:
        rate = v["rate"]
        if rate == 0 or executed == 0:
            return 2 if rate == executed == 0 and any(b in v for b in ("budget", "year_start")) else 0
        # within a point (a misprint is still read, and then checked exactly), and within
        # a twentieth of the rate itself, so that 3/14846 is no 1.00%
        slack = max(min(RATE_SLACK, rate / 20), _half_unit(cells["rate"]))
        return 3 if any(abs(executed / b * 100 - rate) <= slack for b in bases) else 0
    # No rate to check against: only the figures of the row above, repeated (其中：财政拨款 = 总额).
    money = {r: s for r, s in cells.items() if r in MONEY}
    return int(bool(previous) and len(money) >= 2 and all(previous.get(r) == s for r, s in money.items()))


def _half_unit(raw: str) -> Decimal:
    digits = raw.rstrip("%").partition(".")[2]
    return Decimal(5) / Decimal(10) ** (len(digits) + 1)


def _number(raw: str, role: str, unit: str) -> Number:
    if role == "rate":
        n = parse_number(raw[:-1], "%")
    elif role in MONEY:
        n = parse_number(raw, unit)
    else:
        n = parse_number(raw)
    if role == "weight":
        n = Number(n.raw, n.value, n.decimals, n.unit, True)
    return Number(raw, n.value, n.decimals, n.unit, n.exact, source_unit=n.source_unit)


def _squeeze(text: str) -> tuple[str, list[int]]:
    """`text` without the spaces a copy puts between characters (年度财政 资金总额),
    with each kept character's offset in `text`. Spaces between figures stay:
    they are the cells' own boundaries."""
    keep, index = [], []
    for i, ch in enumerate(text):
        if ch.isspace():
            prev = text[i - 1] if i else ""
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if not (prev.isdigit() or prev == "%") or not (nxt.isdigit()):
                continue
            if keep and keep[-1] == " ":
                continue
        keep.append(" " if ch.isspace() else ch)
        index.append(i)
    return "".join(keep), index

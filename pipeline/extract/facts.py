"""Budget facts from the narrative: every money, percent or count mention read
with the words before it, as a `Fact` of one scope (whose money: the
department as a whole, 基本支出, 项目支出, 专项/转移支付, 上年结转 …), period
(年初 / 全年) and measure (预算, 执行, 执行率, 调整, 个数).

A mention's scope is *explicit* when its own clause names it; otherwise it is
inherited, within a sentence, from the mention before, or from the block's
heading (（1）基本支出情况), or, in a project report, from the report itself
when the clause names the project's money. The words are data (lexicon.yml,
section budget). `budget.assemble` turns facts into the record's lines.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import regex

from pipeline.extract.common import CN_DIGITS, cn_to_int, number_at
from pipeline.extract.lexicon import lexicon
from pipeline.extract.normalize import HEADING_RE, Text
from pipeline.numbers import MONEY_UNITS, Number, parse_number

COMPONENTS = ("basic", "project", "special")
MENTION_RE = regex.compile(
    r"(?<![\d.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万元|亿元|千元|元|%|个|项|万(?=[。，,；;、）)\s]|$))"
    rf"|(?<=共计|共|计)[{CN_DIGITS}]+(?:个|项)"
)
LIST_ITEM = regex.compile(r"[①-⑳]")
COUNT_THEN_MONEY = regex.compile(r"\p{Han}{0,4}\d[\d.,]*(?:万元|亿元|元)")
# A clause whose only money word is 资金 (中央财政补助资金): it names a source, not a measure.
WEAK_BUDGET = regex.compile(r"[^预算批复安排下达总额规模投资]*资金")
CLAUSE_SPLIT = regex.compile(r"[，,：:；;]")
# Dates, figures and filler dropped from a scope phrase before two are compared.
PHRASE_NOISE = regex.compile(r"(?:19|20)\d{2}年度?|截至\d{1,2}月\d{1,2}日|[\d.,%]+|[的为是共计及和、\s]")


@dataclass(frozen=True)
class Fact:
    number: Number
    line: str  # SPEC §4 budget line
    field: str  # budget, executed, rate, year_start, adjustment, count
    explicit: bool  # the mention's own clause named its scope
    label: str  # the words read before the number
    pos: int  # where the mention stands in its block's text
    # The words that named the scope, with what qualifies them (农机购置补贴专项资金,
    # 上级专项资金): two figures for a line are one quantity only if these agree.
    scope_phrase: str = ""


class Words:
    """The budget section of the lexicon, compiled."""

    def __init__(self):
        b = lexicon()["budget"]
        self.scopes = regex.compile("|".join(f"(?P<{k}>{v})" for k, v in b["scopes"].items()))
        self.project_total = regex.compile(b["project_total"])
        self.year_start = regex.compile(b["periods"]["year_start"])
        self.full_year = regex.compile(b["periods"]["full_year"])
        m = b["measures"]
        self.executed, self.budget = regex.compile(m["executed"]), regex.compile(m["budget"])
        self.rate = regex.compile(m["rate"])
        self.decrease, self.increase = regex.compile(m["decrease"]), regex.compile(m["increase"])
        self.parts = regex.compile(b["parts"])
        self.cell_skip = regex.compile(b["cell_skip"])


_WORDS: Words | None = None


def words() -> Words:
    global _WORDS
    if _WORDS is None:
        _WORDS = Words()
    return _WORDS


@dataclass
class _Ctx:
    """What the sentence is currently about."""

    line: str | None
    base: str | None = None  # the line named by the last scope word, before any 年初 turn
    in_parts: bool = False  # after 其中: unnamed figures are parts, not the line's own
    field: str | None = None  # the last money measure read: 其中：基本支出 X 万元 is a 预算 too
    phrase: str = ""  # the clause words up to the scope word that set `line`

    def __post_init__(self):
        self.base = self.base or self.line


def block_facts(block: Text, doc_type: str | None) -> list[Fact]:
    """Every budget fact of one block, in order."""
    text = block.text
    project_doc = doc_type == "project"
    default = _heading_line(block, project_doc)
    ctx = _Ctx(default)
    out: list[Fact] = []
    prev_end = 0
    for m in MENTION_RE.finditer(text):
        label, prev_start = text[prev_end : m.start()], prev_end
        prev_end = m.end()
        if m.group(0)[-1] in "个项" and COUNT_THEN_MONEY.match(text, m.end()):
            prev_end = prev_start  # 年初批复预算8个项目985万元: the amount's words run through the count
        if "。" in label:
            field = ctx.field
            ctx = _Ctx(default)
            prev_start += label.rindex("。") + 1
            label = label.rsplit("。", 1)[1]
            if words().parts.match(label.lstrip()):
                ctx.field = field  # 其中：… lists parts of the sentence before, in its measure
        found = _classify(label, m.group(0), ctx, project_doc, max(0, block.line_start(m.start()) - prev_start))
        if found is None:
            continue
        line, field, sign, explicit = found
        number = _mention_number(block, m)
        if number is None:
            continue
        if sign < 0:
            number = replace(number, value=-number.value)
        out.append(Fact(number, line, field, explicit, label, m.start(), ctx.phrase))
    return out + _cell_facts(block, project_doc)


# A table cell naming an amount with its unit in brackets and the amount in the
# next cell: 计划安排资金(万元) | 1088.00 (浙江 评价报告, Word tables run into pipes).
CELL_MONEY = regex.compile(
    r"(?P<label>[^|\d：:，,。；;]{2,20}?)\s*[（(](?P<u>万元|亿元|千元|元)[)）]\s*\|\s*"
    r"(?P<n>[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?=\||$)", regex.M)


def _cell_facts(block: Text, project_doc: bool) -> list[Fact]:
    if "|" not in block.text:
        return []
    out = []
    for m in CELL_MONEY.finditer(block.text):
        label = m.group("label").strip()
        if words().cell_skip.search(label):
            continue  # 到位资金: money received, neither the budget nor what was spent
        found = _classify(label, m.group("n") + m.group("u"), _Ctx("total" if project_doc else None), project_doc)
        if found is None:
            continue
        line, field, sign, explicit = found
        number = parse_number(m.group("n"), m.group("u"))
        if number is None or field not in ("budget", "executed", "year_start"):
            continue
        number = number.with_evidence(block.evidence(m.start("label"), m.end("n")))
        out.append(Fact(number, line, field, explicit, label, m.start("n"), label))
    return out


def _heading_line(block: Text, project_doc: bool) -> str | None:
    first = block.nlines[0].text if block.nlines else ""
    found = [m.lastgroup for m in words().scopes.finditer(first[:30])]
    line = found[-1] if found and found[-1] != "ignore" else None
    return "total" if line == "project" and project_doc else line


def _classify(label: str, mention: str, ctx: _Ctx, project_doc: bool,
              line_start: int = 0) -> tuple[str, str, int, bool] | None:
    """(line, field, sign, explicit) for one mention, updating the sentence context.
    `line_start`: where, in `label`, the number's own source line begins."""
    w = words()
    scope, scope_end = None, 0
    last_clause_at = max(label.rfind(c) for c in "，,：:；;") + 1
    for sm in w.scopes.finditer(label):
        # 人员经费/标准/收入 name the figure only in the clause that closes with it
        if sm.lastgroup != "ignore" or sm.start() >= last_clause_at:
            scope, scope_end = sm.lastgroup, sm.end()
    clause_at = max(label.rfind(c, 0, scope_end) for c in "，,：:；;。") + 1 if scope else 0
    parts_before = bool(scope) and bool(ctx.in_parts or w.parts.search(label, max(0, clause_at - 4), scope_end))
    if scope in ("project", "special") and project_doc and not parts_before:
        scope = "total"  # 项目支出/专项资金 in a project report is the report's own money, unless listed as a part
    if scope == "ignore":
        ctx.line = None  # 人员经费/三公/收入 amounts are no SPEC lines
        return None
    clause = CLAUSE_SPLIT.split(label)[-1] if label else ""
    if not clause.strip() and label:
        clause = label
    year_start = bool(w.year_start.search(label))
    if scope:
        ctx.line = ctx.base = scope
        ctx.in_parts = False
        start = max(label.rfind(c, 0, scope_end) + 1 for c in "，,：:；;。）)")
        start = max(start, line_start if line_start < scope_end else 0)
        ctx.phrase = PHRASE_NOISE.sub("", label[start:scope_end])
        if w.parts.search(label, scope_end):
            ctx.in_parts = True  # 专项资金，具体用于：① … X 万元: a part of the line, not the line
    elif w.parts.search(label) or LIST_ITEM.search(label):
        ctx.in_parts = True  # 其中… or an item of a ①②③ list: a part, not the line
    elif ctx.line in ("year_start", "additions") and w.full_year.search(clause) and not year_start:
        ctx.line = ctx.base or "total"  # "年初… X，追加… Y，全年预算数 Z": back to the line itself
    named = scope is not None  # this mention's own words name its line (not the sentence's)
    if project_doc and ctx.line is None and not ctx.in_parts and w.project_total.search(clause):
        ctx.line = ctx.base = "total"
        named = bool(regex.search(r"项目|总", clause))
    line, explicit = ctx.line, named
    if project_doc and line == "year_start" and not year_start and (
            mention.endswith("%") or w.executed.search(clause)):
        line = ctx.line = "total"  # 年初下达5万元，…实际支出5万元，执行率100%: what the project spent
    if mention.endswith("%"):
        if line is None and project_doc and ctx.base and w.rate.search(clause):
            line = ctx.base  # …，结余0万元，资金执行率100%: the 结余 clause named no line of its own
        return (line, "rate", 1, explicit) if line and w.rate.search(clause) else None
    if mention.endswith(("个", "项")):
        return (line, "count", 1, explicit) if line in COMPONENTS else None
    if w.decrease.search(clause) or w.increase.search(clause):
        sign = -1 if w.decrease.search(clause) else 1
        if line in COMPONENTS:
            return line, "adjustment", sign, explicit
        if sign > 0 and line in ("total", "year_start", "additions", None):
            ctx.line, ctx.in_parts = "additions", False
            return "additions", "budget", 1, scope == "total"
        return None
    if year_start:
        if line in COMPONENTS:
            return line, "year_start", 1, explicit
        if line in (None, "total"):
            ctx.line, ctx.in_parts = "year_start", False
            return "year_start", (_money_field(clause, label) or ("budget",))[0], 1, True
        return None
    if ctx.in_parts and not scope:
        return None  # 其中 X 万元 …: a part of the line, not the line
    if line is None:
        return None
    field = _money_field(clause, label) or ((ctx.field,) if ctx.field and scope else ())
    if field == ("budget",) and ctx.field == "executed" and scope and parts_before and WEAK_BUDGET.fullmatch(
            PHRASE_NOISE.sub("", clause)):
        field = ("executed",)  # 已使用X万元，其中：中央财政补助资金Y万元: a part of what was used
    if not field:
        return None
    ctx.field = field[0]
    return line, field[0], 1, explicit


BUDGET_NOT_EXECUTED = regex.compile(r"预算数(?!.*执行)")


def _money_field(clause: str, label: str) -> tuple[str] | tuple:
    w = words()
    if w.executed.search(clause) and not BUDGET_NOT_EXECUTED.search(clause):
        return ("executed",)
    if w.budget.search(clause) or w.budget.search(label):
        return ("budget",)
    if w.executed.search(clause):
        return ("executed",)
    return ()


def _mention_number(block: Text, m: regex.Match) -> Number | None:
    raw = m.group(0)
    if raw[0] in CN_DIGITS:
        value = cn_to_int(raw[:-1])
        if value is None:
            return None
        return Number(raw, Decimal(value), 0, raw[-1], True, block.evidence(m.start(), m.end()))
    if raw.endswith("万"):  # 安排资金19204.096万。: 万元 without its 元
        n = parse_number(raw[:-1], "万元")
        return n.with_evidence(block.evidence(max(clause_start(block.text, m.start()), body_start(block)), m.end())) \
            if n is not None else None
    n = number_at(block, m)
    if n is None:
        return None
    n = n.with_evidence(block.evidence(max(clause_start(block.text, m.start()), body_start(block)), m.end()))
    if n.unit not in MONEY_UNITS and n.unit not in ("万元", "%", "个", "项"):
        return None
    return n


def body_start(block: Text) -> int:
    """Where the block's text begins after a heading line (1.基本支出), so evidence
    does not run the heading into the sentence."""
    if len(block.nlines) > 1 and HEADING_RE.match(block.nlines[0].text) and "，" not in block.nlines[0].text:
        return len(block.nlines[0].text)
    return 0


def clause_start(text: str, pos: int, longest: int = 40) -> int:
    """Start of the clause a number closes, so evidence reads 执行数 3921.85 万元."""
    floor = max(0, pos - longest)
    cut = max(text.rfind(sep, floor, pos) for sep in "，,；;。：:")
    return cut + 1 if cut >= 0 else floor

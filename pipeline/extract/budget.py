"""Budget lines from the narrative (一、基本概况 … 预算规模及安排情况).

Each money, percent or count mention is assigned a (line, field) from the
words between it and the previous mention: the nearest line word (基本支出,
项目支出, 专项, 整体支出 …) names the line, the words right before the number
name the field (预算数, 执行数, 执行率, 追减 …). Without a line word the
sentence's current line (or the block heading's) is inherited, as readers do.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from pipeline.extract.common import CN_DIGITS, cn_to_int, number_at
from pipeline.extract.normalize import HEADING_RE, Text
from pipeline.model import BudgetLine, Record
from pipeline.numbers import MONEY_UNITS, Number

LINE_WORDS = regex.compile(
    r"(?P<special>(?:上级)?专项(?:资金)?(?:项目)?(?:支出)?|转移支付(?:资金)?(?:项目)?)"
    r"|(?P<basic>基本支出)"
    r"|(?P<project>项目支出|项目经费)"
    r"|(?P<total>整体支出|预算总额|支出总额|总预算|全部支出|部门预算总)"
    r"|(?P<other>人员经费|公用经费|三公|“三公”|\"三公\")"
)
COMPONENTS = ("basic", "project", "special")
MENTION_RE = regex.compile(
    r"(?<![\d.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万元|亿元|千元|元|%|个|项)"
    rf"|(?<=共计|共|计)[{CN_DIGITS}]+(?:个|项)"
)
REASON_RE = regex.compile(r"原因|由于|因为|主要(?:是|系|用于)|用于|系因|因[^此而]|导致|致使|说明")
# The rate word must lead straight to the number: "执行率未达到90%" states a threshold.
RATE_WORD = regex.compile(r"(?:执行率|执行进度|支出率|完成率)\s*(?:为|是|达|:|：)?\s*$")
DECREASE = regex.compile(r"追减|调减|核减|减少|压减|调出")
INCREASE = regex.compile(r"追加|调增|增加|调整(?!后)|调剂|调入|补充")
EXECUTED = regex.compile(r"执行数|执行金额|实际支出|支出数|决算数|已支出|实际使用|实际执行|执行")
BUDGET = regex.compile(r"预算|批复|安排|下达|总额|规模")
YEAR_START = regex.compile(r"年初")
FULL_YEAR = regex.compile(r"全年|调整后")
CLAUSE_SPLIT = regex.compile(r"[，,：:；;]")


@dataclass
class _Ctx:
    line: str | None  # the line the sentence is currently about
    base: str | None = None  # the line named by the last line word, before any 年初 turn
    project_doc: bool = False  # in a project report, 项目支出 is the report's own total

    def __post_init__(self):
        self.base = self.base or self.line


def extract_budget(blocks: list[Text], record: Record) -> None:
    # In a project report the project's own funds are the total line.
    fallback = "total" if record.doc_type == "project" else None
    for block in blocks:
        _scan_block(block, record, fallback)
    if fallback and "project" in record.budget and "total" not in record.budget:
        # 项目支出 in a project report is the report's own money, i.e. its total.
        moved = record.budget.pop("project")
        moved.name = "total"
        record.budget["total"] = moved


def _heading_line(block: Text) -> str | None:
    first = block.nlines[0].text if block.nlines else ""
    found = [m.lastgroup for m in LINE_WORDS.finditer(first[:30])]
    return found[-1] if found and found[-1] != "other" else None


def _scan_block(block: Text, record: Record, fallback: str | None = None) -> None:
    text = block.text
    default = _heading_line(block) or fallback
    ctx = _Ctx(default, project_doc=fallback == "total")
    prev_end = 0
    for m in MENTION_RE.finditer(text):
        label = text[prev_end : m.start()]
        prev_end = m.end()
        if "。" in label:
            ctx = _Ctx(default, project_doc=fallback == "total")
            label = label.rsplit("。", 1)[1]
        target = _classify(label, m.group(0), ctx)
        if target is None:
            continue
        line, field, sign = target
        number = _mention_number(block, m)
        if number is None:
            continue
        if sign < 0:
            number = Number(number.raw, -number.value, number.decimals, number.unit, number.exact, number.evidence)
        _store(record, line, field, number, block, m.start())


def _classify(label: str, mention: str, ctx: _Ctx) -> tuple[str, str, int] | None:
    """(line, field, sign) for one mention, updating the sentence context."""
    explicit = None
    for lm in LINE_WORDS.finditer(label):
        explicit = lm.lastgroup
    if explicit == "project" and ctx.project_doc:
        explicit = "total"
    if explicit == "other":
        ctx.line = None  # 人员经费/三公 amounts are not SPEC budget lines
        return None
    clause = CLAUSE_SPLIT.split(label)[-1] if label else ""
    if not clause.strip() and label:
        clause = label
    year_start = bool(YEAR_START.search(label))
    if explicit:
        ctx.line = ctx.base = explicit
    elif ctx.line in ("year_start", "additions") and FULL_YEAR.search(clause) and not year_start:
        ctx.line = ctx.base  # "年初… X，追加… Y，全年预算数 Z": back to the line itself
    line = ctx.line
    if mention.endswith("%"):
        return (line, "rate", 1) if line and RATE_WORD.search(clause) else None
    if mention.endswith(("个", "项")):
        return (line, "count", 1) if line in COMPONENTS else None
    if DECREASE.search(clause) or INCREASE.search(clause):
        sign = -1 if DECREASE.search(clause) else 1
        if line in COMPONENTS:
            return line, "adjustment", sign
        if sign > 0 and "追加" in clause:
            ctx.line = "additions"
            return "additions", "budget", 1
        return None
    if year_start:
        if line in COMPONENTS:
            return line, "year_start", 1
        ctx.line = "year_start"
        line = "year_start"
    if line is None:
        return None
    if EXECUTED.search(clause) and not regex.search(r"预算数(?!.*执行)", clause):
        return line, "executed", 1
    if BUDGET.search(clause) or BUDGET.search(label):
        return line, "budget", 1
    if EXECUTED.search(clause):
        return line, "executed", 1
    return None


def _mention_number(block: Text, m: regex.Match) -> Number | None:
    raw = m.group(0)
    if raw[0] in CN_DIGITS:
        from decimal import Decimal

        value = cn_to_int(raw[:-1])
        if value is None:
            return None
        return Number(raw, Decimal(value), 0, raw[-1], True, block.evidence(m.start(), m.end()))
    n = number_at(block, m)
    if n is None:
        return None
    n = n.with_evidence(block.evidence(max(_clause_start(block.text, m.start()), _body_start(block)), m.end()))
    if n.unit not in MONEY_UNITS and n.unit not in ("万元", "%", "个", "项"):
        return None
    return n


def _body_start(block: Text) -> int:
    """Where the block's text begins after a heading line (1.基本支出), so evidence
    does not run the heading into the sentence."""
    if len(block.nlines) > 1 and HEADING_RE.match(block.nlines[0].text) and "，" not in block.nlines[0].text:
        return len(block.nlines[0].text)
    return 0


def _clause_start(text: str, pos: int, longest: int = 40) -> int:
    """Start of the clause a number closes, so evidence reads 执行数 3921.85 万元."""
    floor = max(0, pos - longest)
    cut = max(text.rfind(sep, floor, pos) for sep in "，,；;。：:")
    return cut + 1 if cut >= 0 else floor


def _store(record: Record, line: str, field: str, number: Number, block: Text, pos: int) -> None:
    bl = record.budget.setdefault(line, BudgetLine(line))
    old = bl.fields.get(field)
    if old is None:
        bl.fields[field] = number
    elif field == "adjustment" and old.evidence != number.evidence:
        bl.fields[field] = Number(
            f"{old.raw}{'+' if number.value >= 0 else ''}{number.raw}",
            old.value + number.value,
            min(old.decimals, number.decimals),
            old.unit,
            old.exact and number.exact,
            old.evidence,
        )
    elif old.value != number.value:
        record.conflicts.append((f"budget.{line}.{field}", old, number))
    sentence = _sentence_span(block.text, pos)
    if bl.evidence is None:
        bl.evidence = block.evidence(*sentence)
    if bl.explanation is None:
        reason = _reason_near(block.text, sentence)
        if reason:
            bl.explanation = reason


def _sentence_span(text: str, pos: int) -> tuple[int, int]:
    start = max(text.rfind("。", 0, pos), text.rfind("；", 0, pos)) + 1
    end = min((i for i in (text.find("。", pos), text.find("；", pos)) if i >= 0), default=len(text))
    return start, end + 1


def _reason_near(text: str, span: tuple[int, int]) -> str | None:
    """The reason sentence for the mention: its own sentence or the next one."""
    start, end = span
    nxt = text.find("。", end)
    window = text[start : (nxt + 1 if nxt >= 0 else len(text))]
    for sentence in regex.split(r"(?<=[。；])", window):
        if REASON_RE.search(sentence):
            return sentence.strip()
    return None

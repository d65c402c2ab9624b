"""Table forms (项目支出/部门整体支出绩效自评表) -> the SPEC §4 record parts.

Reads every rendering the form comes in — PDF/DOCX tables, pipe tables in
text, one cell per line, cells flattened onto one line — into FormRows
(form_rows, form_tokens), then maps them: budget rows to the lines total /
fiscal / carryover / other with year_start, budget, executed, rate, weight,
score; indicator rows to Indicators with level1/level2 (carried down over
merged cells), target (operator, value, unit, or qualitative text), actual,
weight, score and deviation reason; 总分 and 等级.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import regex

from pipeline.extract.common import parse_value
from pipeline.extract.conclusion import SENTENCE_RATING_RE, SENTENCE_SCORE_RE
from pipeline.extract.form_glued import glued_budget_rows
from pipeline.extract.form_glued_indicators import glued_indicator_rows
from pipeline.extract.form_grid import GCell, grids_from_tables, token_runs
from pipeline.extract.form_labels import (
    BLANK,
    BRACKETS,
    HEADER_FIELDS,
    LEVEL1_RE,
    LEVEL2_RE,
    OPS,
    QUALITATIVE_OP,
    RATING_CANON,
    RATING_VALUE,
    achieved_of,
    budget_line_of,
)
from pipeline.extract.form_rows import FormRow, rows_from_grid
from pipeline.extract.form_tokens import PLACEHOLDER_ROW, rows_from_tokens
from pipeline.extract.lexicon import lexicon
from pipeline.extract.normalize import NLine
from pipeline.ingest.document import Document
from pipeline.model import BudgetLine, Evidence, Heading, Indicator, Target
from pipeline.numbers import NUMBER_RE, Number, number_from_match

UNIT_ALIASES = {"百分比": "%", "％": "%"}
TEMPLATE_TEXT = regex.compile(lexicon()["form"]["template_text"])
MET_CLAIM = regex.compile(lexicon()["form"]["met_claim"])
MONEY_ROLES = ("year_start", "budget", "executed")


@dataclass
class FormPart:
    """What the form says, before it is merged with the narrative."""

    budget: dict[str, BudgetLine] = field(default_factory=dict)
    indicators: list[Indicator] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    score: Number | None = None
    total_weight: Number | None = None
    rating: str | None = None
    rating_evidence: object = None
    fields: dict[str, GCell] = field(default_factory=dict)
    layout: str = "national"
    lines: set = field(default_factory=set)  # (page, line) of text the form used
    numbers: int = 0
    # 二级指标 cells (质量指标, 社会效益指标) under which no indicator was read: the
    # table was not read whole, so its sums (分值 to 100, 得分 to 总分) are unchecked.
    unread_groups: list[GCell] = field(default_factory=list)


# Words only a form's header has (a narrative says 综合得分 and 实际完成值 too):
# without a table and without one of these, there is no form to look for.
FORM_ONLY_WORDS = ("一级指标", "二级指标", "三级指标", "分值", "指标权重", "得分系数", "指标性质",
                   "年度资金总额", "权重")


def might_have_form(doc: Document, nlines: list[NLine]) -> bool:
    if doc.tables:
        return True
    return any("|" in nl.text or any(w in nl.text for w in FORM_ONLY_WORDS) for nl in nlines)


def extract_form(doc: Document, nlines: list[NLine]) -> FormPart | None:
    """The form in the document, or None when there is none."""
    if not might_have_form(doc, nlines):
        return None
    rows: list[FormRow] = []
    used: set = set()
    cells: list[GCell] = []
    table_cells: list[GCell] = []
    tails: list[FormRow] = []
    for grid in grids_from_tables(doc):
        got = rows_from_grid(grid)
        if _has_body(got):
            rows += got
            used |= grid.lines
            table_cells += [c for row in grid.rows for c in row]
        elif rows:  # the form's last rows, a page break or a gap apart (评价等级 | 优)
            tails += [r for r in got if r.section in ("total", "rating")]
    rows += tails
    cells += table_cells
    for run in token_runs(nlines, list(doc.lines)):
        got = rows_from_tokens(run)
        if _has_body(got):
            rows += got
            used |= run.lines
            cells += run.tokens
    if not any(r.section == "budget" and budget_line_of(r.label.text) == "total" and r.cells for r in rows):
        rows += glued_budget_rows(nlines)  # a budget block whose cells lost their separators
    if not any(r.section == "indicator" for r in rows):
        glued = glued_indicator_rows(nlines)  # an indicator block likewise, read whole or not at all
        rows += [r for r in glued if r.section == "indicator" or not any(o.section == "total" for o in rows)]
    if not _has_body(rows):
        return None
    part = FormPart(lines=used)
    _map_rows(rows, part)
    _conclusion_cell(table_cells, part)
    part.unread_groups = _unread_groups(cells, part.indicators)
    return part


def _conclusion_cell(cells: list[GCell], part: FormPart) -> None:
    """The 等级 (and 总分) a table's 评价结论 cell writes as a sentence (经自评，本项目
    自评总分89分，评价等级为“良”。) when no row of the form gave them (a text
    rendering's cells are lines, which the conclusion reader sees already)."""
    for c in cells:
        if part.rating is None and (r := SENTENCE_RATING_RE.search(c.text)):
            part.rating = RATING_CANON.get(r.group("r"), r.group("r"))
            part.rating_evidence = c.evidence
        if part.score is None and (m := SENTENCE_SCORE_RE.search(c.text)):
            nm = NUMBER_RE.match(m.group("v") or m.group("v2"))
            n = number_from_match(nm) if nm else None
            part.score = n.with_evidence(c.evidence) if n else None


def _unread_groups(cells: list[GCell], indicators: list[Indicator]) -> list[GCell]:
    """Each 二级指标 cell of the form heads at least one indicator: one whose
    name no indicator read carries (as its 一级 or 二级) marks rows not read."""
    if not indicators:
        return []
    named = {BRACKETS.sub("", n) for i in indicators for n in (i.level1, i.level2) if n}
    out: list[GCell] = []
    for c in cells:
        text = BRACKETS.sub("", c.text.strip())
        if LEVEL2_RE.match(text) and text not in named and all(BRACKETS.sub("", u.text.strip()) != text for u in out):
            out.append(c)
    return out


def _has_body(rows: list[FormRow]) -> bool:
    return any(r.section in ("budget", "indicator") for r in rows)


def _map_rows(rows: list[FormRow], part: FormPart) -> None:
    state = {"level1": None, "level2": None, "block_weight": None}
    for row in rows:
        if row.section == "header":
            part.layout = _layout(row, part.layout)
            if "executed" in row.cells or "year_start" in row.cells:
                state["rate_base"] = _rate_base(row)
            if "block_weight" in row.cells:
                state["block_weight"] = _weight(row.cells["block_weight"])
        elif row.section == "budget":
            _budget_row(row, part, state.get("rate_base"))
        elif row.section == "indicator":
            _indicator_row(row, part, state)
        elif row.section == "total":
            part.score = part.score or _plain(row.cells.get("score"))
            part.total_weight = part.total_weight or _weight(row.cells.get("weight"))
        elif row.section == "rating" and part.rating is None:
            m = RATING_VALUE.match(row.cells["rating"].text)
            part.rating = RATING_CANON.get(m.group("r"), m.group("r"))
            part.rating_evidence = row.cells["rating"].evidence
        elif row.section == "field":
            key = HEADER_FIELDS[row.label.text.strip("：:")]
            part.fields.setdefault(key, row.cells["value"])
        part.numbers += sum(1 for c in row.cells.values() if NUMBER_RE.search(c.text))
    total = part.budget.get("total")
    if total is not None and total.get("weight") is None and state["block_weight"] is not None:
        total.fields["weight"] = state["block_weight"]  # 预算执行情况(20分): the block's own 分值


def _layout(row: FormRow, current: str) -> str:
    roles = set(row.cells)
    if "op" in roles:
        return "sichuan"
    if "coef" in roles or "target_ys" in roles:
        return "chongqing"
    if any(("A)" in c.text or "A）" in c.text) for c in row.cells.values()):
        return "ab"
    return current


# --- numbers from cells ----------------------------------------------------------

def _num(cell: GCell | None, unit: str | None, strip: tuple[str, ...] = ()) -> Number | None:
    if cell is None or cell.text in BLANK:
        return None
    text = cell.text
    for s in strip:
        if text.endswith(s):
            text = text[: -len(s)]
    m = NUMBER_RE.fullmatch(text)
    if not m or m.group("unit"):
        return None
    n = number_from_match(m, unit)
    return n.with_evidence(cell.evidence) if n else None


def _money(cell: GCell | None, unit: str) -> Number | None:
    if cell is not None and cell.text.endswith("万元"):
        return _num(cell, "万元", ("万元",))
    return _num(cell, unit, ("元",) if unit == "元" else ())


def _pct(cell: GCell | None) -> Number | None:
    return _num(cell, "%", ("%",))


def _plain(cell: GCell | None) -> Number | None:
    return _num(cell, None, ("分",))


def _weight(cell: GCell | None) -> Number | None:
    """A 分值/权重 is set, not measured: exact, no rounding interval."""
    n = _plain(cell)
    return Number(n.raw, n.value, n.decimals, n.unit, True, n.evidence) if n is not None else None


# --- budget ---------------------------------------------------------------------

def _rate_base(header: FormRow) -> str | None:
    """年初预算数(A) | 全年执行数(B) | 执行率(B/A) without a 全年预算数 column: the
    form defines its rate on the 年初 figure, which is then the budget it executes.
    So does a form with no rate column whose only budget is the 年初 one (绥阳 008:
    年初预算数(A) | 全年执行数(B) | 分值 | 得分, scored 执行率*分值); its rows then
    state no rate of their own ("year_start/unrated")."""
    c = header.cells
    if "budget" in c or "year_start" not in c:
        return None
    if "rate" not in c:
        return "year_start/unrated" if "executed" in c else None
    if "A" in c["year_start"].text and regex.search(r"B\s*/\s*A", c["rate"].text):
        return "year_start"
    return None


def _budget_row(row: FormRow, part: FormPart, rate_base: str | None = None) -> None:
    name = budget_line_of(row.label.text)
    fields = {}
    for role in MONEY_ROLES:
        n = _money(row.cells.get(role), row.money_unit)
        if n is not None:
            fields[role] = n
    base, _, unrated = (rate_base or "").partition("/")
    on_year_start = base in fields and "budget" not in fields
    if on_year_start:
        fields["budget"] = fields[base]
    for role, fn in (("rate", _pct), ("weight", _weight), ("score", _plain)):
        n = fn(row.cells.get(role))
        if n is not None:
            fields[role] = n
    reason = row.cells.get("reason")
    explanation = reason.text if reason is not None and reason.text not in BLANK else None
    if explanation and TEMPLATE_TEXT.search(explanation):
        explanation = None  # the form's own instructions (…需说明原因(100字以内)) say nothing
    old = part.budget.get(name)
    if not fields and not explanation:
        return
    if old is None:
        part.budget[name] = BudgetLine(name, fields, explanation, row.label.evidence,
                                       reason_cell=explanation is not None,
                                       unrated_part=bool(unrated) and on_year_start and name != "total")
        return
    for k, n in fields.items():  # a second 其他资金-kind row adds to the line
        o = old.fields.get(k)
        old.fields[k] = n if o is None or k not in MONEY_ROLES else Number(
            f"{o.raw}+{n.raw}", o.value + n.value, min(o.decimals, n.decimals), o.unit, o.exact and n.exact,
            o.evidence, source_unit=o.source_unit)
    if not old.explanation and explanation:
        old.explanation, old.reason_cell = explanation, True


# --- indicators -----------------------------------------------------------------

def _indicator_row(row: FormRow, part: FormPart, state: dict) -> None:
    c = row.cells
    for level, rx in ((1, LEVEL1_RE), (2, LEVEL2_RE)):
        cell = c.get(f"level{level}")
        if cell is None or not cell.text:
            continue
        m = rx.match(cell.text)
        name = m.group("name") if m and level == 1 else (cell.text.split("(")[0].split("（")[0])
        state[f"level{level}"] = name
        if level == 1:
            state["level2"] = None
        w = _heading_weight(cell, m)
        if w is not None:
            part.headings.append(Heading(level, name, w, cell.evidence))
    name = c.get("name")
    if name is None or name.text in BLANK or PLACEHOLDER_ROW.match(name.text):
        return  # a template row left unfilled (……)
    ind = Indicator(index=len(part.indicators) + 1, name=name.text, level1=state["level1"],
                    level2=state["level2"], evidence=name.evidence)
    unit = c.get("unit")
    unit_text = UNIT_ALIASES.get(unit.text, unit.text) if unit is not None and unit.text not in BLANK else None
    ind.target = _target(c.get("target"), c.get("op"), unit_text) or _target(c.get("target_ys"), c.get("op"), unit_text)
    if c.get("target_ys") is not None and c.get("target") is not None:
        ind.target_year_start = _target(c.get("target_ys"), c.get("op"), unit_text)
    if unit_text is None and ind.target is not None and ind.target.number is not None:
        unit_text = ind.target.number.unit  # a bare 完成值 takes the 指标值 unit (and a 度量单位 read into it)
    ind.actual, ind.actual_text = _actual(c.get("actual"), unit_text)
    ind.weight, ind.score = _weight(c.get("weight")), _plain(c.get("score"))
    ind.coefficient = _pct(c.get("coef"))
    ind.rate = _pct(c.get("rate"))
    claim = c.get("achieved")
    ind.achieved = achieved_of(claim.text) if claim is not None else None
    ind.achieved_evidence = claim.evidence if ind.achieved is not None else None
    reason = c.get("reason")
    if reason is not None and reason.text not in BLANK and not TEMPLATE_TEXT.search(reason.text):
        if MET_CLAIM.match(reason.text):
            ind.achieved, ind.achieved_evidence = True, reason.evidence  # 已完成: a claim, not a reason
        else:
            ind.deviation_reason = ind.explanation = reason.text
    part.indicators.append(ind)


def _heading_weight(cell: GCell, m) -> Number | None:
    if not m or not m.group("w"):
        return None
    nm = NUMBER_RE.match(m.group("w"))
    n = number_from_match(nm) if nm else None
    return Number(n.raw, n.value, n.decimals, None, True, cell.evidence) if n else None


def _value(text: str, unit: str | None) -> tuple[str | None, Number | None, str | None]:
    op, n, qual = parse_value(text)
    if n is not None:
        u = UNIT_ALIASES.get(n.unit, n.unit) if n.unit else unit
        if u != n.unit:
            m = NUMBER_RE.match(n.raw)
            n2 = number_from_match(m, u) if m else None
            if n2 is not None:
                n = Number(n.raw if n.unit else n.raw + (u or ""), n2.value, n2.decimals, n2.unit, n2.exact,
                           source_unit=n2.source_unit)
    return op, n, qual


def _target(cell: GCell | None, op_cell: GCell | None, unit: str | None) -> Target | None:
    if cell is None or cell.text in BLANK:
        return None
    op, n, qual = _value(cell.text, unit)
    col_op = OPS.get(op_cell.text) if op_cell is not None else None
    if op_cell is not None and op_cell.text in QUALITATIVE_OP:
        n, qual = None, cell.text
    op = col_op or op
    if n is not None:
        n = n.with_evidence(_weakest(cell.evidence, op_cell.evidence if col_op else None))
    return Target(op=op or "=", number=n, text=qual if n is None else None, op_stated=op is not None)


def _weakest(evidence: Evidence | None, op_evidence: Evidence | None) -> Evidence | None:
    """The target's evidence, scored no higher than the OCR'd sign in its own column (a
    finding that rests on a doubtful "≥" is as doubtful as one on a doubtful digit)."""
    if evidence is None or op_evidence is None or op_evidence.confidence is None:
        return evidence
    if evidence.confidence is not None and evidence.confidence <= op_evidence.confidence:
        return evidence
    return dataclasses.replace(evidence, confidence=op_evidence.confidence)


def _actual(cell: GCell | None, unit: str | None) -> tuple[Number | None, str | None]:
    if cell is None or cell.text in BLANK:
        return None, None
    _, n, qual = _value(cell.text, unit)
    if n is not None:
        return n.with_evidence(cell.evidence), None
    return None, qual or cell.text


def rating_word(text: str) -> str | None:
    m = RATING_VALUE.match(text)
    return RATING_CANON.get(m.group("r"), m.group("r")) if m else None

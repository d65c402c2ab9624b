"""Rows of a 绩效自评表 by role, from a grid of cells (tables, pipe text).

A header row maps each column to a role by its header words
(form_labels); the rows under it are read through that map. Vertically
merged 一级/二级指标 cells arrive empty and are carried down by form.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from pipeline.extract.form_grid import GCell, Grid
from pipeline.extract.form_labels import (
    BRACKETS,
    BUDGET_HEADERS,
    BUDGET_MARKERS,
    HEADER_FIELDS,
    INDICATOR_HEADERS,
    INDICATOR_MARKERS,
    RATING_LABEL,
    RATING_VALUE,
    TOTAL_ROW,
    budget_line_of,
    header_role,
    spanned_roles,
)
from pipeline.extract.lexicon import lexicon
from pipeline.model import Evidence

MIN_HEADER_CELLS = 3


@dataclass
class FormRow:
    """One row of the form: `section` is budget, indicator, total, rating or
    field; `label` the row label (budget line word, 总分, field name)."""

    section: str
    label: GCell | None = None
    cells: dict[str, GCell] = field(default_factory=dict)
    money_unit: str = "万元"


def join_cells(cells: list[GCell]) -> GCell:
    """Several tokens read as one cell: texts joined, evidence spanning them."""
    cells = [c for c in cells if c.text]
    if not cells:
        return GCell("", None)
    if len(cells) == 1:
        return cells[0]
    evs = [c.evidence for c in cells if c.evidence]
    first, last = evs[0], evs[-1]
    ev = Evidence(text=" ".join(e.text for e in evs), line=first.line, page=first.page,
                  line_end=last.line if last.line != first.line else None, table=first.table,
                  row=first.row, col=first.col)
    return GCell("".join(c.text for c in cells), ev)


def header_map(row: list[GCell]) -> tuple[str, dict[int, str]] | None:
    """(section, {col: role}) when the row is a budget or indicator header."""
    for section, table, markers in (("indicator", INDICATOR_HEADERS, INDICATOR_MARKERS),
                                    ("budget", BUDGET_HEADERS, BUDGET_MARKERS)):
        # A group header (资金情况, 预算执行情况) labels the row-label column or spans
        # the columns a second header row names: it takes no values.
        roles = {i: r for i, c in enumerate(row) if c.text and (r := header_role(c.text, table)) and r != "group"}
        if len(roles) >= MIN_HEADER_CELLS and markers & set(roles.values()):
            return section, roles
    return None


def _drop_spanning(row: list[GCell], roles: dict[int, str]) -> dict[int, str]:
    """A spanning header (年度预算数(万元) over the row labels 总额 / 其中：财政资金)
    whose role another cell of the row names: that cell is the column."""
    out = dict(roles)
    for i, r in roles.items():
        if spanned_roles(row[i].text) and any(j != i and q == r for j, q in roles.items()):
            del out[i]
    return out


def continuation_map(row: list[GCell], section: str | None) -> tuple[str, dict[int, str]] | None:
    """A second header row under a spanning one (指标性质 | 指标值 | 度量单位 under
    年度指标值): every filled cell a header word of the section, no marker needed."""
    table = {"indicator": INDICATOR_HEADERS, "budget": BUDGET_HEADERS}.get(section or "")
    filled = [(i, c) for i, c in enumerate(row) if c.text]
    if table is None or len(filled) < 2:
        return None
    roles = {i: r for i, c in filled if (r := header_role(c.text, table)) and r != "group"}
    return (section, roles) if len(roles) == len(filled) else None


def block_weight(cells: list[GCell]) -> GCell | None:
    """The execution weight a budget header states (预算执行情况(20分), 分值(10分),
    得分(20分*执行率)), as a cell with its evidence."""
    rx = regex.compile(lexicon()["form"]["block_weight"])
    for c in cells:
        m = rx.search(c.text)
        if m:
            return GCell(m.group(1), c.evidence)
    return None


def money_unit_of(row: list[GCell]) -> str:
    joined = "".join(c.text for c in row)
    if "（元）" in joined or "(元)" in joined or "单位：元" in joined or "单位:元" in joined:
        return "元"
    return "万元"


def rows_from_grid(grid: Grid) -> list[FormRow]:
    out: list[FormRow] = []
    section, roles, unit = None, {}, "万元"
    last_header = False
    for row in grid.rows:
        hm = header_map(row)
        hm = (hm[0], _drop_spanning(row, hm[1])) if hm else (continuation_map(row, section) if last_header else None)
        if hm:
            new_section, new_roles = hm
            if last_header and new_section == section:
                # a second header row names the columns under the first's spanning
                # cells; the first row's other columns (权重, 得分, 原因) stay
                new_roles = {**{i: r for i, r in roles.items() if r not in new_roles.values()}, **new_roles}
            section, roles = new_section, new_roles
            unit = money_unit_of(row) if section == "budget" else unit
            cells = {r: row[i] for i, r in roles.items() if i < len(row)}
            weight = block_weight(row) if section == "budget" else None
            if weight is not None:
                cells["block_weight"] = weight
            out.append(FormRow("header", None, cells))
            last_header = True
            continue
        after_header, last_header = last_header, False
        special = _special_rows(row)
        out.extend(special)
        if special:
            continue
        first = next((c for c in row if c.text), None)
        if first is not None and TOTAL_ROW.match(first.text) and (section != "budget" or first.text != "合计"):
            numbers = [c for c in row if c.text and c is not first]
            cells = {r: row[i] for i, r in roles.items() if section == "indicator" and i < len(row) and row[i].text}
            if not cells.get("score") and numbers:
                cells = {"score": numbers[-1], **({"weight": numbers[-2]} if len(numbers) > 1 else {})}
            out.append(FormRow("total", first, cells))
            grade = next((c for c in row if c is not first and RATING_VALUE.match(c.text)), None)
            if grade is not None:  # 总分 | 100 | 99.5 | 优: a 等级 closing the total row
                out.append(FormRow("rating", first, {"rating": grade}))
            continue
        keyed = _keyed_rows(row, unit) if section == "budget" else []
        if keyed:
            out.extend(keyed)
            continue
        if section is not None:
            fr = _role_row(row, section, roles, unit, first_row=after_header)
            if fr is not None:
                out.append(fr)
    return out


def _special_rows(row: list[GCell]) -> list[FormRow]:
    """等级 cells and 项目名称/实施单位 fields anywhere in the grid."""
    cells = [c for c in row if c.text]
    out: list[FormRow] = []
    for i, c in enumerate(cells):
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        if RATING_LABEL.match(c.text) and nxt and RATING_VALUE.match(nxt.text):
            out.append(FormRow("rating", c, {"rating": nxt}))
        elif c.text.strip("：:") in HEADER_FIELDS and nxt and nxt.text.strip("：:") not in HEADER_FIELDS:
            out.append(FormRow("field", c, {"value": nxt}))
        elif i > 0 and TOTAL_ROW.match(BRACKETS.sub("", c.text)) and nxt and NUMERIC.match(nxt.text):
            out.append(FormRow("total", c, {"score": nxt}))  # 自评总分(分) | 97.6 on a header line
    return out


# 基本支出：1887.5 — a budget line and its amount in one cell (湖南 按收入/支出性质分).
KEYED_VALUE = regex.compile(r"^(?:其中[:：])?(?P<label>[^:：\d]{2,16})[:：](?P<v>[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
                            r"(?:万元)?$")


def _keyed_rows(row: list[GCell], unit: str) -> list[FormRow]:
    out = []
    for c in row:
        k = KEYED_VALUE.match(c.text)
        if k and budget_line_of(k.group("label")):
            out.append(FormRow("budget", GCell(k.group("label"), c.evidence), {"budget": GCell(k.group("v"), c.evidence)},
                               unit))
    return out


NUMERIC = regex.compile(r"^[-−]?\d[\d,]*(?:\.\d+)?(?:%|万元|元)?$")


def _role_row(row: list[GCell], section: str, roles: dict[int, str], unit: str,
              first_row: bool = False) -> FormRow | None:
    first_col = min(roles)
    cells: dict[str, GCell] = {}
    for i, c in enumerate(row):
        role = roles.get(i)
        if role and c.text:
            cells[role] = c if role not in cells else join_cells([cells[role], c])
    label = join_cells([c for i, c in enumerate(row) if i < first_col and i not in roles])
    if section == "budget":
        if not label.text and first_row and any(NUMERIC.match(c.text) for c in cells.values()):
            # figures right under the header, their label the header's merged cell
            label = GCell("年度资金总额", next(c.evidence for c in cells.values() if c.evidence))
        if not label.text or budget_line_of(label.text) is None:
            return None
        return FormRow("budget", label, cells, unit)
    if not cells.get("name") and not cells.get("level1") and not cells.get("level2"):
        return None
    return FormRow("indicator", label, cells)

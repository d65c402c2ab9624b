"""Cells of a 绩效自评表 with evidence, from any rendering of the form.

- `grids_from_tables`: PDF/DOCX tables (Document.tables) -> rows of cells;
  evidence line = row number within the table, plus table/row/col.
- `grids_from_pipes`: pipe tables in text (`a | b | c`), one row per line.
- `token_runs`: the rest of a form's text — one cell per line, or several
  cells flattened onto one line — as a flat run of whitespace-separated
  tokens; form_tokens.py re-parses them by anchoring on header words.

Cell text is folded like running text (full-width digits, ％, ≥) and spaces
inside it are dropped, so '806 人' reads '806人'.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from pipeline.extract.form_labels import (
    ALL_HEADER_WORDS,
    BRACKETS,
    BUDGET_HEADERS,
    HEADER_FIELDS,
    INDICATOR_HEADERS,
    LEVEL1_RE,
    TITLE_RE,
    budget_line_of,
    header_role,
)
from pipeline.extract.normalize import DirtyText, NLine, Text, fold_char
from pipeline.ingest.document import Document, Line
from pipeline.model import Evidence

PIPE_MIN = 2  # a pipe-table line has at least this many '|'
# A line of running prose ends the token run of a form.
PROSE_RE = regex.compile(r"[。；]")
PROSE_MIN_CHARS = 40
SPACE_RE = regex.compile(r"[\s\u3000\u00a0]+")


@dataclass(frozen=True)
class GCell:
    text: str  # folded, no spaces
    evidence: Evidence | None


@dataclass
class Grid:
    rows: list[list[GCell]]
    kind: str  # "table", "pipe"
    lines: set[tuple[int | None, int]] = field(default_factory=set)  # (page, line) consumed


def fold(text: str) -> str:
    return SPACE_RE.sub("", "".join(fold_char(ch) for ch in text)).replace("｜", "|")


def grids_from_tables(doc: Document) -> list[Grid]:
    out = []
    for ti, table in enumerate(doc.tables, 1):
        rows = []
        for r, row in enumerate(table.rows):
            cells = []
            for cell in row:
                raw = cell.text.strip()
                ev = Evidence(text=raw, line=r + 1, page=cell.page or table.page, table=ti, row=cell.row,
                              col=cell.col, confidence=cell.confidence, repairs=cell.repair_notes()) if raw else None
                cells.append(GCell(fold(cell.repaired() if cell.repairs else raw), ev))
            rows.append(cells)
        out.append(Grid(rows, "table"))
    return out


def _is_pipe(nl: NLine, continuing: bool = False) -> bool:
    return nl.text.count("|") >= (1 if continuing else PIPE_MIN)


def _pipe_row(nl: NLine, framed: bool) -> list[GCell]:
    text = Text([nl])
    s = nl.text
    bounds = [i for i, ch in enumerate(s) if ch == "|"]
    edges = [-1, *bounds, len(s)]
    cells = []
    for a, b in zip(edges, edges[1:], strict=False):
        start, end = a + 1, b
        piece = s[start:end]
        if not piece.strip():
            cells.append(GCell("", None))
            continue
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        cells.append(GCell(fold(piece), text.evidence(start + lead, end - trail)))
    # In a framed table (every row '| a | b |') the outer bars open no cells.
    if framed:
        cells = cells[1:-1]
    return cells


def grids_from_pipes(nlines: list[NLine]) -> list[Grid]:
    groups: list[list[NLine]] = []
    for k, nl in enumerate(nlines):
        leads = k + 1 < len(nlines) and _is_pipe(nlines[k + 1]) and _is_pipe(nl, continuing=True)
        if groups and groups[-1] and _is_pipe(nl, continuing=True):
            groups[-1].append(nl)
        elif _is_pipe(nl) or leads:
            groups.append([nl])
        elif not groups or groups[-1]:
            groups.append([])
    grids = []
    for group in (g for g in groups if g):
        framed = all(nl.text.strip().startswith("|") and nl.text.strip().endswith("|") for nl in group)
        grid = Grid([_pipe_row(nl, framed) for nl in group], "pipe")
        grid.lines = {(nl.src.page, nl.src.line) for nl in group}
        grids.append(grid)
    return grids


def _anchor_words(text: str) -> int:
    t = BRACKETS.sub("", fold(text))
    return sum(1 for w in ALL_HEADER_WORDS if len(w) >= 3 and w in t)


def _starts_form(nl: NLine) -> bool:
    t = nl.text
    if _is_prose(nl):
        return False
    # a title, alone or with the form's first cells after it (…自评表 主管部门 X 自评总分(分) 96)
    titled = bool(TITLE_RE.search(t)) and (len(t) <= PROSE_MIN_CHARS or any(f in t for f in HEADER_FIELDS))
    return titled or _anchor_words(t) >= 2 or _header_tokens(nl.src.text) >= 3 or (
        fold(t) in ALL_HEADER_WORDS and len(fold(t)) >= 4)


def _is_prose(nl: NLine) -> bool:
    """A sentence of the narrative, not a line of a form dump (a flattened form
    line holds sentences too, between its header words and figures)."""
    if not (PROSE_RE.search(nl.text) and len(nl.text) >= PROSE_MIN_CHARS):
        return False
    pieces = regex.findall(r"[^\s\u3000\u00a0|]+", nl.src.text)[:2]
    if len(pieces) == 2 and budget_line_of(fold(pieces[0])) and FIGURE_TOKEN.fullmatch(pieces[1]):
        return False  # 其他资金 85.33 79.08 / 93% / 年度总体目标 …: a budget row, the goal text after it
    keyed = KEYED_START.match(fold(pieces[0])) if pieces else None
    if keyed and budget_line_of(keyed.group("label")):
        return False  # 其他资金:357.27 年度总体目标 …: a line and its amount in one cell, then the goal
    if pieces and LEVEL1_RE.match(fold(pieces[0])) and _row_figures(nl.src.text):
        return False  # 产出指标(50分) 数量指标 … 完成值达到指标值,记满分;… 3 ≥299米 331米 3: indicator rows
    return _header_tokens(nl.src.text) < 2 and len(FIGURE_PAIR.findall(nl.src.text)) < 2


def _header_tokens(text: str) -> int:
    """Space- or bar-separated pieces of a line that are header cells on their
    own (a sentence that mentions 执行数 holds none)."""
    pieces = regex.findall(r"[^\s\u3000\u00a0|]+", text)
    return sum(1 for p in pieces if len(p) >= 3 and not CLAUSE_MARK.search(p) and (header_role(fold(p), BUDGET_HEADERS)
                                                     or header_role(fold(p), INDICATOR_HEADERS)))


def _row_figures(text: str) -> bool:
    """A 分值 or 得分 cell (a bare number between spaces) in the line: rows of a form."""
    return len(FIGURE_TOKEN.findall(text)) >= 2


KEYED_START = regex.compile(r"^(?:其中[:：])?(?P<label>[^:：\d]{2,16})[:：][-−]?\d")
CLAUSE_MARK = regex.compile(r"[，。；、,;]")
FIGURE_TOKEN = regex.compile(r"(?<![^\s|])[-−]?\d+(?:\.\d+)?%?(?![^\s|])")
# Two figures side by side, only space or bars between: cells of a flattened form row.
FIGURE_PAIR = regex.compile(r"(?<![^\s|])[-−]?\d+(?:\.\d+)?%?[\s|]+(?=[-−]?\d+(?:\.\d+)?%?(?![^\s|]))")


@dataclass
class TokenRun:
    tokens: list[GCell]
    lines: set[tuple[int | None, int]]


def token_runs(nlines: list[NLine], source: list[Line] | None = None) -> list[TokenRun]:
    """Maximal runs of form lines (pipe rows, one cell per line, cells
    flattened onto lines; not prose) that start at a form title or a header
    line, as a flat run of cells that form_tokens re-parses."""
    runs: list[TokenRun] = []
    current: list[NLine] | None = None
    groups: list[list[NLine]] = []
    for nl in nlines:
        if _is_prose(nl) and "|" not in nl.text:
            current = None
            continue
        if current is None:
            if not _starts_form(nl):
                continue
            current = []
            groups.append(current)
        current.append(nl)
    dirty = DirtyText.detect(source or [nl.src for nl in nlines])
    for group in groups:
        one_per_line = _cells_per_line(group)
        lines = [nl.src for nl in group]
        if one_per_line and source and all(line.page is None for line in lines):
            # a line of spaces between the cells of a plain-text dump is an empty cell
            first, last = lines[0].line, lines[-1].line
            lines = [line for line in source[first - 1: last] if line.text]
        tokens = [t for line in lines for t in _line_tokens(line, one_per_line, dirty)]
        runs.append(TokenRun(tokens, {(nl.src.page, nl.src.line) for nl in group}))
    return runs


def _cells_per_line(group: list[NLine]) -> bool:
    """A dump with one cell per line (its lines rarely hold a figure beside
    other words) rather than cells flattened onto lines."""
    multi = sum(1 for nl in group if len(regex.findall(r"[^\s\u3000\u00a0|]+", nl.src.text)) > 1
                and FIGURE_TOKEN.search(nl.src.text))
    return multi <= len(group) * 0.1


def _line_tokens(line: Line, one_per_line: bool = False, dirty: DirtyText | None = None) -> list[GCell]:
    """A line's cells: split at '|' (a trailing bar closes the last cell; a bar
    alone is an empty cell); a line without bars is one cell in a one-cell-
    per-line dump, else whitespace-separated tokens. On an OCR'd line each
    keeps its lowest character score and reads with its digit repairs (so a
    low-confidence cell can downgrade)."""
    text = line.text
    if "|" in text or "｜" in text:
        bounds = [i for i, ch in enumerate(text) if ch in "|｜"]
        edges = [-1, *bounds, len(text)]
        spans = [(a + 1, b) for a, b in zip(edges, edges[1:], strict=False)]
        if not text[bounds[-1] + 1:].strip():
            spans = spans[:-1]  # the closing bar
        if spans and not text[: bounds[0]].strip() and len(spans) > 1:
            spans = spans[1:]  # an opening bar of a framed row
    elif one_per_line:
        spans = [(0, len(text))]
    else:
        spans = [m.span() for m in regex.finditer(r"[^\s\u3000\u00a0]+", text)]
    out = []
    for a, b in spans:
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        a2, b2 = a + lead, b - (len(piece) - len(piece.rstrip()))
        raw = text[a2:b2]
        if not raw:
            out.append(GCell("", None))
            continue
        cell = line.repaired(a2, b2) if line.repairs else raw
        if dirty is not None:
            cell = "".join(ch for _, ch in dirty.clean(cell))  # 項(xiàng)目 -> 项目
        folded = fold(cell)
        out.append(GCell(folded, Evidence(text=raw, line=line.line, page=line.page,
                                          confidence=line.span_confidence(a2, b2),
                                          repairs=line.span_repairs(a2, b2))))
    return out

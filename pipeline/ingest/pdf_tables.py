"""Ruled tables in PDFs: find them with pdfplumber's table finder, read cells, stitch page breaks.

The finder runs on a page's edges: pdfplumber's own (`find_page_tables`, the pdfplumber
engine, after pdfminer parsed the page) or pdfium's path objects turned into the same edges
(`find_edge_tables`, the auto engine: no second parse of the page). Either way the cells
hold the text of our glyphs.

Merged cells: pdfplumber reports the positions a merged cell covers as None; we give those
positions a `Cell` with text "" and bbox None (never a repeated value), in both PDF and DOCX,
so a consumer that needs the value of a vertically merged label (一级指标) carries the last
non-empty value down. A table that ends one page and starts the next page with the same
column layout is one table; a repeated header row on the new page is dropped.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from pipeline.ingest.document import Cell, Table
from pipeline.ingest.pdf_layout import Glyph, group_rows, is_cjk, row_text

# Ruled tables only: text-alignment strategies invent tables in running text.
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
# Column edges of two table parts on consecutive pages agree within this many points.
COLUMN_EDGE_TOLERANCE = 4.0
MIN_ROWS = 1  # a lone header row at a page foot still starts a table
MIN_COLS = 2


@dataclass
class PageTable:
    """A table as found on one page, before cross-page stitching."""

    page: int
    bbox: tuple[float, float, float, float]
    col_edges: tuple[float, ...]
    rows: list[list[tuple[str, tuple | None]]]  # (text, bbox) per position
    # OCR'd cells: (row, col) -> (confidence, repairs), see document.Cell
    facts: dict | None = None


def find_page_tables(page, glyphs: list[Glyph], page_no: int) -> list[PageTable]:
    """Ruled tables on a pdfplumber page, with cell text built from our glyphs."""
    return page_tables(page.find_tables(TABLE_SETTINGS), glyphs, page_no)


class EdgePage:
    """What pdfplumber's TableFinder reads of a page with the "lines" strategies: its edges
    (and its box)."""

    def __init__(self, edges: list[dict], bbox: tuple[float, float, float, float]) -> None:
        self.edges = edges
        self.bbox = bbox


def find_edge_tables(edges: list[dict], bbox, glyphs: list[Glyph], page_no: int) -> list[PageTable]:
    """Ruled tables from a page's edges (see pdf_engines.pdfium_edges) through pdfplumber's
    table finder, with cell text built from our glyphs."""
    return page_tables(table_finder()(EdgePage(edges, bbox), TABLE_SETTINGS).tables, glyphs, page_no)


_FINDER: list = []
PRIVATE = "_perfaudit_pdfplumber"


def table_finder():
    """pdfplumber's TableFinder class. `import pdfplumber.table` runs pdfplumber's package
    first, which imports pdfminer's whole parser (50 ms a worker) that the "lines"
    strategies never use: unless pdfplumber is imported already, its own table.py is loaded
    under a private name with the one part of `pdfplumber.utils` it reads for ruled tables
    (clustering, geometry, generic; `utils.extract_text` is only for Table.extract). Any
    surprise there (another pdfplumber layout) falls back to the plain import."""
    if _FINDER:
        return _FINDER[0]
    import sys

    finder = None
    if "pdfplumber" not in sys.modules:
        try:
            finder = _private_table_module().TableFinder
        except Exception:  # noqa: BLE001 - the plain import below is always right
            for name in [m for m in sys.modules if m == PRIVATE or m.startswith(PRIVATE + ".")]:
                del sys.modules[name]
    if finder is None:
        from pdfplumber.table import TableFinder as finder
    _FINDER.append(finder)
    return finder


def _private_table_module():
    import importlib.util
    import sys
    import types
    from pathlib import Path

    spec = importlib.util.find_spec("pdfplumber")  # finds the package without running it
    root = Path(spec.submodule_search_locations[0])

    def load(name: str, path: Path):
        mod_spec = importlib.util.spec_from_file_location(f"{PRIVATE}.{name}", path)
        module = importlib.util.module_from_spec(mod_spec)
        sys.modules[mod_spec.name] = module
        mod_spec.loader.exec_module(module)
        return module

    package = types.ModuleType(PRIVATE)
    package.__path__ = [str(root)]
    sys.modules[PRIVATE] = package
    load("_typing", root / "_typing.py")
    utils = types.ModuleType(f"{PRIVATE}.utils")
    utils.__path__ = [str(root / "utils")]
    sys.modules[utils.__name__] = utils
    package.utils = utils
    for part in ("clustering", "generic", "geometry"):
        module = load(f"utils.{part}", root / "utils" / f"{part}.py")
        utils.__dict__.update({k: v for k, v in vars(module).items() if not k.startswith("_")})
    return load("table", root / "table.py")


def page_tables(tables, glyphs: list[Glyph], page_no: int) -> list[PageTable]:
    """PageTables from the tables pdfplumber found (enough rows and columns), each cell's
    text from the glyphs whose centre it holds."""
    found = []
    by_y = sorted(glyphs, key=mid_y)
    mids = [mid_y(g) for g in by_y]
    for tf in tables:
        rows = [list(r.cells) for r in tf.rows]
        if len(rows) < MIN_ROWS or max(len(r) for r in rows) < MIN_COLS:
            continue
        edges = sorted({round(c[0], 1) for c in tf.cells} | {round(c[2], 1) for c in tf.cells})
        texts = []
        for row in rows:
            texts.append([
                (cell_text(by_y[bisect_left(mids, box[1]):bisect_right(mids, box[3])], box), box)
                if box else ("", None)
                for box in row
            ])
        found.append(PageTable(page_no, tuple(tf.bbox), tuple(edges), texts))
    return found


def mid_y(g: Glyph) -> float:
    return (g.top + g.bottom) / 2


def inside(g: Glyph, box: tuple[float, float, float, float]) -> bool:
    mid_x = (g.x0 + g.x1) / 2
    mid_y = (g.top + g.bottom) / 2
    return box[0] <= mid_x <= box[2] and box[1] <= mid_y <= box[3]


def cell_text(glyphs: list[Glyph], box) -> str:
    """A cell's text: its wrapped lines joined the CJK way (no space unless two Latin
    words meet)."""
    text = ""
    for row in group_rows([g for g in glyphs if inside(g, box)]):
        part = row_text(row)
        if text and part and not (is_cjk(text[-1]) or is_cjk(part[0])) and (text[-1].isalpha() and part[0].isalpha()):
            text += " "
        text += part
    return text


def glyphs_outside(glyphs: list[Glyph], tables: list[PageTable]) -> list[Glyph]:
    if not tables:
        return glyphs
    return [g for g in glyphs if not any(inside(g, t.bbox) for t in tables)]


def same_columns(a: PageTable, b: PageTable) -> bool:
    if len(a.col_edges) != len(b.col_edges):
        return False
    return all(abs(x - y) <= COLUMN_EDGE_TOLERANCE for x, y in zip(a.col_edges, b.col_edges, strict=True))


def stitch(parts: list[PageTable], continues: list[bool]) -> list[list[PageTable]]:
    """Group table parts into tables: continues[i] says part i goes on from part i-1
    (decided by the caller from page positions); column layouts must also agree."""
    groups: list[list[PageTable]] = []
    for part, cont in zip(parts, continues, strict=True):
        if groups and cont and same_columns(groups[-1][-1], part):
            groups[-1].append(part)
        else:
            groups.append([part])
    return groups


def texts_of(row) -> list[str]:
    return [text for text, _ in row]


def build_table(group: list[PageTable], after_line: int) -> Table:
    """One Table from its parts, dropping header rows repeated at the top of a new page."""
    header = texts_of(group[0].rows[0])
    rows: list[tuple[Cell, ...]] = []
    for n, part in enumerate(group):
        part_rows = part.rows
        if n and texts_of(part_rows[0]) == header:
            part_rows = part_rows[1:]
        skip = len(part.rows) - len(part_rows)
        for k, row in enumerate(part_rows):
            r = len(rows)
            facts = part.facts or {}
            rows.append(tuple(
                Cell(text, r, c, part.page, rounded(box), *facts.get((k + skip, c), (None, ())))
                for c, (text, box) in enumerate(row)
            ))
    return Table(rows=tuple(rows), page=group[0].page, after_line=after_line)


def rounded(box):
    return None if box is None else tuple(round(v, 2) for v in box)

"""Ruled tables on scans (pipeline/ocr_tables.py) and lone signs read by shape
(pipeline/ocr_symbols.py), on drawn images: no OCR engine runs here."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from pipeline.ingest.ocr.box import OcrBox
from pipeline.ingest.ocr.symbols import classify, read_lone_signs
from pipeline.ingest.ocr.tables import (
    Rule,
    erase_rules,
    fill_cells,
    find_rules,
    split_at_walls,
    table_cells,
    walls,
)

DPI = 200
PX = DPI / 72


def _grid(cols: list[int], rows: list[int], size=(1600, 1200), width: int = 3) -> Image.Image:
    """A white page with a ruled grid: vertical rules at `cols`, horizontal at `rows` (px)."""
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    for y in rows:
        d.line((cols[0], y, cols[-1], y), fill=(20, 20, 20), width=width)
    for x in cols:
        d.line((x, rows[0], x, rows[-1]), fill=(20, 20, 20), width=width)
    return img


def _grey(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L").convert("RGB"))


def _box(text: str, x0: float, y0: float, x1: float, y1: float, conf: float = 0.99) -> OcrBox:
    return OcrBox(text, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), conf, (conf,) * len(text))


def test_grid_rules_become_cells_in_rows_and_columns():
    cols, rows = [100, 400, 700, 1000], [100, 200, 300, 400]
    rules = find_rules(_grey(_grid(cols, rows)), DPI)
    assert sum(r.orientation == "h" for r in rules) == 4 and sum(r.orientation == "v" for r in rules) == 4
    (table,) = table_cells(rules, DPI)
    assert [len(r) for r in table] == [3, 3, 3]
    assert table[0][0] == pytest.approx((100 / PX, 100 / PX, 400 / PX, 200 / PX), abs=1.5)


def test_a_glyph_stroke_in_a_one_line_cell_is_not_a_column_rule():
    """A vertical stroke almost as tall as a low row, but stopping short of its rules
    (a character's stroke), does not split the row's cell (it once made a stray column)."""
    img = _grid([100, 400, 700], [100, 150, 250])
    ImageDraw.Draw(img).line((250, 106, 250, 144), fill=(20, 20, 20), width=3)  # 38 px: long enough
    (table,) = table_cells(find_rules(_grey(img), DPI), DPI)
    assert [len(r) for r in table] == [2, 2]


def test_rules_of_a_slightly_skewed_grid_snap_into_one_column_layout():
    img = _grid([100, 400, 700, 1000], [100, 200, 300, 400, 500]).rotate(0.08, fillcolor="white")
    (table,) = table_cells(find_rules(_grey(img), DPI), DPI)
    assert {len(r) for r in table} == {3} and len(table) == 4


def test_text_without_rules_finds_no_table():
    img = Image.new("RGB", (800, 400), "white")
    d = ImageDraw.Draw(img)
    for k in range(6):
        d.line((100 + 30 * k, 100, 120 + 30 * k, 100), fill=(0, 0, 0), width=2)  # short strokes
    assert table_cells(find_rules(_grey(img), DPI), DPI) == []


def test_erased_rules_leave_the_cell_text():
    img = _grid([100, 400, 700], [100, 200, 300])
    ImageDraw.Draw(img).rectangle((150, 140, 200, 160), fill=(0, 0, 0))  # "text" in a cell
    grey = _grey(img)
    out = erase_rules(grey, find_rules(grey, DPI))
    assert (out[100, 250] == 255).all() and (out[250, 400] == 255).all()  # rules gone
    assert (out[150, 175] == 0).all()  # text kept


def test_a_box_crossing_a_column_rule_is_split_there():
    wall = [(400.0, 100.0, 300.0)]
    pieces = split_at_walls(((350, 140), (460, 140), (460, 170), (350, 170)), wall, 30)
    assert len(pieces) == 2
    assert pieces[0][1][0] < 400 < pieces[1][0][0]
    # a sliver past the rule (under half the box height) is dropped
    assert len(split_at_walls(((300, 140), (405, 140), (405, 170), (300, 170)), wall, 30)) == 1
    # a box beside the rule's rows is untouched
    assert split_at_walls(((350, 340), (460, 340), (460, 370), (350, 370)), wall, 30) == [
        ((350, 340), (460, 340), (460, 370), (350, 370))]
    assert walls([Rule("v", 399, 100, 401, 300), Rule("h", 0, 99, 900, 101)]) == [(400.0, 100, 300)]


def test_boxes_fill_their_cells_and_wrapped_lines_join():
    rules = find_rules(_grey(_grid([100, 400, 700], [100, 200, 300])), DPI)
    tables = table_cells(rules, DPI)
    boxes = [
        _box("94.06", 420, 110, 500, 140, 0.99), _box("%", 420, 150, 440, 180, 0.8),  # wrapped in one cell
        _box("资金执行率", 110, 110, 300, 140), _box("页眉", 100, 20, 200, 50),  # a cell; running text
    ]
    filled, outside = fill_cells(tables, boxes, DPI)
    row = filled[0][0]
    assert row[0].text == "资金执行率" and row[1].text == "94.06%"
    assert row[1].confidence == 0.8  # the cell's weakest character
    assert [b.text for b in outside] == ["页眉"]
    assert filled[0][1][0].text == "" and filled[0][1][0].confidence is None


def test_cell_repairs_are_kept_beside_the_raw_text():
    rules = find_rules(_grey(_grid([100, 400, 700], [100, 200, 300])), DPI)
    filled, _ = fill_cells(table_cells(rules, DPI), [_box("1O0%", 420, 110, 500, 140)], DPI)
    cell = filled[0][0][1]
    assert cell.text == "1O0%" and (1, "0") in cell.repairs


# --- signs -----------------------------------------------------------------------------

def _sign(sign: str, size: int = 28, width: int = 3, pad: int = 6) -> np.ndarray:
    """A printed sign drawn as strokes (as a Song face draws it), as a bool ink array."""
    img = Image.new("L", (size + 2 * pad, size + 2 * pad), 255)
    d = ImageDraw.Draw(img)
    x0, x1, y0, y1 = pad, pad + size, pad, pad + size
    chevron_bottom = y0 + (0.62 if sign in "≥≤" else 1.0) * size
    mid = (y0 + chevron_bottom) / 2
    if sign in "≥>":
        d.line((x0, y0, x1, mid), fill=0, width=width)
        d.line((x1, mid, x0, chevron_bottom), fill=0, width=width)
    if sign in "≤<":
        d.line((x1, y0, x0, mid), fill=0, width=width)
        d.line((x0, mid, x1, chevron_bottom), fill=0, width=width)
    if sign in "≥≤":
        d.line((x0, y1, x1, y1), fill=0, width=width)
    if sign == "=":
        d.line((x0, y0 + size * 0.3, x1, y0 + size * 0.3), fill=0, width=width)
        d.line((x0, y0 + size * 0.7, x1, y0 + size * 0.7), fill=0, width=width)
    if sign == "二":
        d.line((x0 + size * 0.2, y0 + size * 0.2, x1 - size * 0.2, y0 + size * 0.2), fill=0, width=width)
        d.line((x0, y0 + size * 0.85, x1, y0 + size * 0.85), fill=0, width=width)
    ink = np.asarray(img) < 128
    ys, xs = np.nonzero(ink)
    return ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


@pytest.mark.parametrize("sign", ["≥", "≤", "=", ">", "<"])
def test_each_sign_is_read_by_its_shape(sign):
    assert classify(_sign(sign)) == (sign, 0.9)


@settings(max_examples=60, deadline=None)
@given(sign=st.sampled_from(["≥", "≤", "=", ">", "<"]), size=st.integers(16, 48), width=st.integers(1, 4))
def test_signs_read_at_any_print_size_and_stroke(sign, size, width):
    assert classify(_sign(sign, size, width))[0] == sign


WU = """
..#######################..
..#######################..
....##....#####............
...........###.............
............##.............
...........###.............
.#########################.
##########################.
..........######...........
.........###.###...........
........###...##...........
......###....###.........#.
....####.....###........###
.#####........############.
####..........############.
"""  # 无, as a scan of a cell the recogniser missed showed it (a shape that once read ">")


def test_other_glyphs_are_not_taken_for_signs():
    wu = np.array([[ch == "#" for ch in row] for row in WU.split()])
    assert classify(wu) is None
    assert classify(_sign("二")) is None  # a short upper bar: not "="
    blob = np.ones((20, 20), dtype=bool)
    assert classify(blob) is None


def test_lone_signs_replace_misreads_in_empty_or_misread_cells_only():
    img = _grid([100, 400, 700, 1000], [100, 200, 300])
    page = np.asarray(img.convert("L")).copy()
    sign = _sign("≥", 30, 3)
    for x, y in ((240, 135), (540, 135), (840, 135), (240, 235)):
        page[y:y + sign.shape[0], x:x + sign.shape[1]][sign] = 0
    m = Image.new("L", (34, 34), 255)  # a real letter M in the last cell
    ImageDraw.Draw(m).line((2, 32, 2, 2, 17, 20, 32, 2, 32, 32), fill=0, width=3)
    page[235:269, 840:874] = np.minimum(page[235:269, 840:874], np.asarray(m))
    grey = np.repeat(page[..., None], 3, axis=2)
    rules = find_rules(grey, DPI)
    grey = erase_rules(grey, rules)
    cells = [tuple(v * PX for v in c) for t in table_cells(rules, DPI) for row in t for c in row if c]
    boxes = [
        _box("M", 240, 135, 270, 165, 0.52),   # misread: replaced
        _box("M", 540, 135, 570, 165, 0.97),   # misread with confidence (0.91 seen): replaced too
        _box("%", 840, 135, 870, 165, 0.80),   # not a letter the recogniser makes of a sign: kept
        _box("资金", 420, 230, 480, 260),       # a text cell (and some height for the page)
        _box("M", 840, 235, 874, 269, 0.95),   # a real M: its ink is no sign, kept
    ]                                          # (240, 235): nothing read at all -> sign added
    out, n = read_lone_signs(grey, cells, boxes)
    texts = sorted(b.text for b in out)
    assert n == 3 and texts == sorted(["≥", "≥", "≥", "%", "资金", "M"])
    added = [b for b in out if b.text == "≥"]
    assert all(b.confidence == 0.9 and b.char_conf == (0.9,) for b in added)


def test_a_box_split_at_a_rule_is_dropped_where_another_box_holds_it():
    """The detector boxed "≤9个工" across the column rule and also "12个工" beyond it:
    the piece beyond the rule would read "1" a second time ("112个工作日")."""
    from pipeline.ingest.ocr.rapid import widen

    crossing = [[672, 1469], [848, 1469], [848, 1509], [672, 1509]]
    next_cell = [[814, 1472], [954, 1472], [954, 1506], [814, 1506]]
    out = widen([crossing, next_cell], 2000, [(811.0, 1400.0, 1600.0)])
    spans = sorted((round(float(q[:, 0].min())), round(float(q[:, 0].max()))) for q in out)
    assert len(out) == 2 and spans[0][1] < 811 < spans[1][0]
    alone = widen([crossing], 2000, [(811.0, 1400.0, 1600.0)])  # nothing else holds it: kept
    assert len(alone) == 2


# --- OCR confidence into form cells ------------------------------------------------------

def test_ocr_cell_confidence_and_repairs_reach_the_form_evidence():
    from pipeline.extract.form_grid import grids_from_tables
    from pipeline.ingest.document import Cell, Document, Table

    cell = Cell("1O0%", 1, 2, page=1, confidence=0.62, repairs=((1, "0"),))
    doc = Document("scan.pdf", "pdf", (), (Table(rows=((cell,),), page=1),))
    (grid,) = grids_from_tables(doc)
    g = grid.rows[0][0]
    assert g.text == "100%"  # read with the repair
    assert g.evidence.text == "1O0%"  # evidence shows what was recognised
    assert g.evidence.confidence == 0.62 and g.evidence.repairs == ("O→0",)


def test_tokens_of_an_ocr_line_carry_their_own_confidence():
    from pipeline.extract.form_grid import _line_tokens
    from pipeline.ingest.document import Line

    text = "资金总额  1O0.5  98"
    conf = tuple(0.99 if i < 8 else (0.55 if text[i] == "5" else 0.97) for i in range(len(text)))
    line = Line(text, 3, page=1, confidence=min(conf), char_conf=conf, repairs=((7, "0"),))
    tokens = _line_tokens(line)
    assert [t.text for t in tokens] == ["资金总额", "100.5", "98"]
    assert tokens[1].evidence.confidence == 0.55 and tokens[1].evidence.repairs == ("O→0",)
    assert tokens[2].evidence.confidence == 0.97 and tokens[0].evidence.confidence == 0.99


def test_a_doubtful_sign_lowers_its_targets_confidence():
    """The target's number is read well, but its operator came from a doubtful cell: a
    finding resting on the target is as doubtful as the sign."""
    from pipeline.extract.form import _target
    from pipeline.extract.form_grid import GCell
    from pipeline.model import Evidence

    target = GCell("97", Evidence("97", 10, 1, confidence=0.99))
    sign = GCell("≥", Evidence("≥", 10, 1, confidence=0.6))
    t = _target(target, sign, "%")
    assert t.op == ">=" and t.number.evidence.confidence == 0.6 and t.number.confidence == 0.6
    plain = _target(target, GCell("≥", Evidence("≥", 10, 1)), "%")  # a text PDF: nothing to lower
    assert plain.number.evidence.confidence == 0.99


def test_strokes_chaining_from_rule_to_rule_in_a_wrapped_cell_are_not_a_column_rule():
    """A wrapped cell's characters stacked one under the other can make one long
    vertical run from rule to rule; their other strokes cross it, a rule's sides are blank."""
    img = _grid([100, 400, 700], [100, 200, 300])
    d = ImageDraw.Draw(img)
    d.line((250, 100, 250, 200), fill=(20, 20, 20), width=2)
    for y in range(104, 198, 3):  # the characters' other strokes, as dense as in 年度资金总额
        d.line((238, y, 262, y), fill=(20, 20, 20), width=1)
    (table,) = table_cells(find_rules(_grey(img), DPI), DPI)
    assert [len(r) for r in table] == [2, 2]


def test_a_table_part_opening_the_next_page_continues_under_a_misread_header():
    from pipeline.ingest.document import Line
    from pipeline.ingest.ocr.pdf import continues_from
    from pipeline.ingest.pdf_tables import PageTable

    prev = PageTable(1, (80, 300, 500, 760), (80, 500), [[("a", None), ("b", None)]])
    part = PageTable(2, (80, 70, 500, 200), (80, 500), [[("c", None), ("d", None)]])
    page1 = [Line("项目支出绩效自评表（2023年度）", 1, 1, (200, 30, 380, 45)), Line("-1.", 2, 1, (280, 790, 310, 805))]
    page2 = [Line("项目支出绩效自评表（2023年度)", 1, 2, (200, 30, 380, 45)), Line("- 2 -", 2, 2, (280, 790, 310, 805))]
    assert continues_from(prev, part, {1: page1, 2: page2})
    prose = [*page1, Line("以上为本项目自评情况。", 3, 1, (80, 770, 300, 785))]
    assert not continues_from(prev, part, {1: prose, 2: page2})
    other = [Line("附件2：部门整体支出绩效自评表", 1, 2, (80, 30, 380, 45))]
    assert not continues_from(prev, part, {1: page1, 2: other})


def test_a_thick_outer_frame_is_a_rule_too():
    """Government forms are often ruled 外粗内细: a 2 pt frame around 0.5 pt rules."""
    img = _grid([100, 400, 700, 1000], [100, 200, 300], width=2)
    d = ImageDraw.Draw(img)
    d.rectangle((100, 100, 1000, 300), outline=(20, 20, 20), width=6)
    (table,) = table_cells(find_rules(_grey(img), DPI), DPI)
    assert [len(r) for r in table] == [3, 3]

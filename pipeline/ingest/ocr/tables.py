"""Ruled tables on scanned pages: rules found in the image, cells read from OCR boxes.

A 绩效自评表 is a ruled grid whose cells wrap ("94.06" over "%", an indicator name over
three lines). Read as free text its cells interleave, so on a scan the rules are found in
the page image before recognition:

1. `find_rules`: long dark horizontal runs (at least H_MIN_PT) are horizontal rules;
   shorter vertical runs (at least V_MIN_PT) count only when both their ends meet a
   horizontal rule, which a character's stroke inside a padded cell never does.
2. `erase_rules`: the rules are whitened so no recognised text includes a rule read as
   "1" or "|"; their x positions are handed to the engine as walls that no text box may
   cross (two cells' texts close to an erased rule are split, not read as one).
3. `page_tables`: pdfplumber's own table geometry (merge_edges, intersections, cells,
   rows) turns the rules into cells, exactly as for a text PDF; each OCR box goes to the
   cell holding its centre, a cell's wrapped lines are joined the CJK way, and the cell
   keeps its lowest character score and its digit repairs.

Rules are plain tuples in image pixels so they can be cached with the recognised boxes.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.ingest.ocr.box import OcrBox
from pipeline.ingest.ocr.layout import rows_of
from pipeline.ingest.ocr.repair import find_repairs

# A pixel darker than this (0..255, after seal suppression) is ink.
RULE_INK = 170
H_MIN_PT = 40.0  # a horizontal rule is at least this long (a "——" dash is shorter)
V_MIN_PT = 12.0  # a vertical rule segment at least this (then it must join two rules)
# A vertical rule's run goes into the horizontal rules it meets (both are ink): its ends
# lie within this many pixels of their bands. A glyph's stroke in a one-line cell stops
# short of the rules, and is not taken for a column rule.
END_TOL_PX = 2
GAP_PX = 2  # gaps this wide in a rule (JPEG, a faint stroke) are bridged
# Beside a vertical rule (SIDE_PAD_PX to SIDE_PAD_PX + SIDE_BAND_PX away, its ends
# skipped) at most this share of rows may have ink.
SIDE_PAD_PX, SIDE_BAND_PX, SIDE_SKIP_PX = 2, 4, 4
MAX_SIDE_INK = 0.3
RULE_WIDTH_PT = 3.0  # a ruling line is thinner than this, a thick outer frame too (a block of strokes is not)
JOIN_GAP_PT = 6.0  # pieces of one rule this far apart are joined (a seal's stroke across it)
ERASE_PAD_PX = 2  # whitened beyond a rule's detected thickness
SNAP_PT = 3.0  # pdfplumber's default snap/join/intersection tolerance, in points
MIN_ROWS, MIN_COLS = 1, 2  # a lone row at a page top (评价等级) is a table part too
WALL_MARGIN_PX = 2  # a box split at a wall keeps this far from it


@dataclass(frozen=True)
class Rule:
    """A ruling line in image pixels: "h" or "v", and its extent."""

    orientation: str
    x0: float
    top: float
    x1: float
    bottom: float

    def to_json(self) -> list:
        return [self.orientation, *(round(float(v), 1) for v in (self.x0, self.top, self.x1, self.bottom))]

    @classmethod
    def from_json(cls, v: list) -> Rule:
        return cls(v[0], *v[1:])


def find_rules(grey, dpi: int) -> list[Rule]:
    """Horizontal rules, and the vertical ones that join two of them."""
    g = grey[..., 0] if grey.ndim == 3 else grey
    ink = g < RULE_INK
    px = dpi / 72.0
    join = JOIN_GAP_PT * px
    horizontal = _joined(_segments(_bridged(ink, axis=1), round(H_MIN_PT * px)), join)
    h_rules = [Rule("h", x0, top, x1, bottom) for top, bottom, x0, x1 in horizontal]
    if len(h_rules) < 2:
        return h_rules
    # Only pieces at least V_MIN_PT long are joined: the strokes of a wrapped cell's
    # lines, one under the other, would otherwise join into a column rule.
    vertical = _joined(_segments(_bridged(ink, axis=0).T, round(V_MIN_PT * px)), join)
    tol = END_TOL_PX
    v_rules = [Rule("v", left, y0, right, y1) for left, right, y0, y1 in vertical
               if _meets(h_rules, (left + right) / 2, y0, tol) and _meets(h_rules, (left + right) / 2, y1, tol)]
    widest = RULE_WIDTH_PT * px + 3  # (the thickening adds a pixel each side)
    return h_rules + [r for r in v_rules if r.x1 - r.x0 <= widest and _clear_sides(ink, r) <= MAX_SIDE_INK]


def _clear_sides(ink, rule: Rule) -> float:
    """Share of a vertical rule's rows with ink just beside it. A rule runs through a
    cell's blank padding (about 0.02 measured on the scans); strokes of a wrapped cell's
    lines that happen to chain from rule to rule are crossed by their characters' other
    strokes (about 0.8)."""
    x0, x1 = int(rule.x0), int(rule.x1)
    a, b = int(rule.top) + SIDE_SKIP_PX, int(rule.bottom) - SIDE_SKIP_PX
    if b <= a:
        return 0.0
    left = ink[a:b, max(0, x0 - SIDE_PAD_PX - SIDE_BAND_PX):max(0, x0 - SIDE_PAD_PX)]
    right = ink[a:b, x1 + SIDE_PAD_PX:x1 + SIDE_PAD_PX + SIDE_BAND_PX]
    beside = (left.any(axis=1) if left.size else False) | (right.any(axis=1) if right.size else False)
    return float(beside.mean()) if hasattr(beside, "mean") else 0.0


def _bridged(ink, axis: int):
    """Ink thickened by a pixel across `axis` (a residual skew of a fraction of a degree
    moves a long rule by a pixel or two) with gaps of GAP_PX along it closed."""
    import numpy as np

    thick = ink.copy()
    if axis == 1:  # rules along rows: thickened up and down
        thick[1:] |= ink[:-1]
        thick[:-1] |= ink[1:]
    else:
        thick[:, 1:] |= ink[:, :-1]
        thick[:, :-1] |= ink[:, 1:]
    left = np.zeros_like(thick)
    right = np.zeros_like(thick)
    for k in range(1, GAP_PX + 1):
        if axis == 1:
            left[:, k:] |= thick[:, :-k]
            right[:, :-k] |= thick[:, k:]
        else:
            left[k:] |= thick[:-k]
            right[:-k] |= thick[k:]
    return thick | (left & right)


def _segments(mask, min_len: int) -> list[tuple[float, float, float, float]]:
    """Runs of at least `min_len` along each row of `mask`, merged over adjacent rows:
    (first row, last row + 1, start, end) of each merged run."""
    import numpy as np

    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    starts, ends = np.argwhere(d == 1), np.argwhere(d == -1)
    keep = ends[:, 1] - starts[:, 1] >= min_len
    groups: list[list[float]] = []  # [first row, last row, start, end]
    open_: list[list[float]] = []
    for row, start, end in zip(starts[keep, 0], starts[keep, 1], ends[keep, 1], strict=True):
        open_ = [g for g in open_ if g[1] >= row - 1]
        for g in open_:
            overlap = min(g[3], end) - max(g[2], start)
            if overlap >= 0.5 * min(g[3] - g[2], end - start):
                g[1], g[2], g[3] = row, min(g[2], start), max(g[3], end)
                break
        else:
            g = [float(row), float(row), float(start), float(end)]
            groups.append(g)
            open_.append(g)
    return [(float(g[0]), float(g[1]) + 1, float(g[2]), float(g[3])) for g in groups]


def _joined(segments: list[tuple[float, float, float, float]], gap: float) -> list[tuple[float, float, float, float]]:
    """Pieces of one rule joined: a seal's stroke or a faint stretch of the scan can cut a
    rule, and a column rule cut in two would meet a horizontal rule at one end only.
    Segments are (first, last + 1 across, start, end along); pieces overlap across."""
    out: list[list[float]] = []
    for seg in sorted(segments, key=lambda g: (g[2], g[0])):
        for o in out:
            if min(o[1], seg[1]) - max(o[0], seg[0]) > -2 and seg[2] - o[3] <= gap and seg[3] > o[3]:
                o[0], o[1], o[3] = min(o[0], seg[0]), max(o[1], seg[1]), seg[3]
                break
            if min(o[1], seg[1]) - max(o[0], seg[0]) > -2 and o[2] <= seg[2] and seg[3] <= o[3]:
                break  # inside a rule already found
        else:
            out.append(list(seg))
    return [tuple(o) for o in out]


def _meets(h_rules: list[Rule], x: float, y: float, tol: float) -> bool:
    return any(r.x0 - tol <= x <= r.x1 + tol and r.top - tol <= y <= r.bottom + tol for r in h_rules)


def erase_rules(grey, rules: list[Rule]):
    """A copy of the image with the rules whitened."""
    import numpy as np

    out = np.array(grey, copy=True)
    h, w = out.shape[:2]
    for r in rules:
        y0, y1 = max(0, int(r.top) - ERASE_PAD_PX), min(h, int(r.bottom) + ERASE_PAD_PX + 1)
        x0, x1 = max(0, int(r.x0) - ERASE_PAD_PX), min(w, int(r.x1) + ERASE_PAD_PX + 1)
        out[y0:y1, x0:x1] = 255
    return out


def walls(rules: list[Rule]) -> list[tuple[float, float, float]]:
    """Vertical rules as (x, top, bottom): no text box may cross one."""
    return [((r.x0 + r.x1) / 2, r.top, r.bottom) for r in rules if r.orientation == "v"]


def split_at_walls(quad, wall_list, height: float):
    """Split a text box (four corners, image pixels) where it crosses a wall; pieces
    narrower than half the box's height (a stray mark) are dropped."""
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    mid = (y0 + y1) / 2
    cuts = sorted(x for x, top, bottom in wall_list if x0 < x < x1 and top <= mid <= bottom)
    if not cuts:
        return [quad]
    edges = [x0, *cuts, x1]
    pieces = []
    for a, b in zip(edges, edges[1:], strict=False):
        a2 = a + (WALL_MARGIN_PX if a in cuts else 0)
        b2 = b - (WALL_MARGIN_PX if b in cuts else 0)
        if b2 - a2 >= 0.5 * height:
            pieces.append(((a2, y0), (b2, y0), (b2, y1), (a2, y1)))
    return pieces


# --- cells -----------------------------------------------------------------------------


@dataclass
class OcrCell:
    text: str
    bbox: tuple[float, float, float, float]  # PDF points
    confidence: float | None
    repairs: tuple[tuple[int, str], ...]


def table_cells(rules: list[Rule], dpi: int) -> list[list[list[tuple | None]]]:
    """Tables (top to bottom) as rows of cell boxes in PDF points (None where a merged
    cell covers the position), from pdfplumber's table geometry."""
    from pdfplumber.table import (
        Table,
        cells_to_tables,
        edges_to_intersections,
        intersections_to_cells,
        merge_edges,
    )

    scale = 72.0 / dpi
    edges = []
    for r in rules:
        x0, top, x1, bottom = (v * scale for v in (r.x0, r.top, r.x1, r.bottom))
        if r.orientation == "h":
            y = (top + bottom) / 2
            edges.append({"orientation": "h", "x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0,
                          "height": 0.0})
        else:
            x = (x0 + x1) / 2
            edges.append({"orientation": "v", "x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0.0,
                          "height": bottom - top})
    edges = merge_edges(edges, SNAP_PT, SNAP_PT, SNAP_PT, SNAP_PT)
    cells = intersections_to_cells(edges_to_intersections(edges, SNAP_PT, SNAP_PT))
    out = []
    for group in cells_to_tables(cells):
        rows = [list(r.cells) for r in Table(None, _snapped(group)).rows]
        if len(rows) >= MIN_ROWS and max(len(r) for r in rows) >= MIN_COLS:
            out.append(rows)
    return out


def _snapped(cells: list[tuple]) -> list[tuple]:
    """Cell corners within SNAP_PT of each other made equal: pdfplumber groups cells into
    rows and columns by exact coordinates, and rules measured in an image differ by a
    pixel from segment to segment (a stray column of None cells otherwise)."""
    def snap(values: list[float]) -> dict[float, float]:
        out, group = {}, []
        for v in sorted(set(values)):
            if group and v - group[0] > SNAP_PT:
                out.update({g: group[0] for g in group})
                group = []
            group.append(v)
        out.update({g: group[0] for g in group})
        return out

    xs = snap([c[0] for c in cells] + [c[2] for c in cells])
    ys = snap([c[1] for c in cells] + [c[3] for c in cells])
    return [(xs[c[0]], ys[c[1]], xs[c[2]], ys[c[3]]) for c in cells]


def fill_cells(tables: list[list[list[tuple | None]]], boxes: list[OcrBox], dpi: int
               ) -> tuple[list[list[list[OcrCell | None]]], list[OcrBox]]:
    """Each box goes to the cell that holds its centre; returns the tables' cells and
    the boxes outside every table (running text)."""
    scale = 72.0 / dpi
    spans = [(_bounds(t), t) for t in tables]
    owned: dict[tuple, list[OcrBox]] = {}
    outside = []
    for box in boxes:
        x0, y0, x1, y1 = box.bounds
        cx, cy = (x0 + x1) / 2 * scale, (y0 + y1) / 2 * scale
        cell = next((c for span, t in spans if _inside(cx, cy, span)
                     for row in t for c in row if c is not None and _inside(cx, cy, c)), None)
        if cell is None:
            if not any(_inside(cx, cy, span) for span, _ in spans):
                outside.append(box)
            continue  # on a rule inside a table: nothing a cell can hold
        owned.setdefault(cell, []).append(box)
    filled = [[[cell_of(c, owned.get(c, [])) if c is not None else None for c in row] for row in t]
              for t in tables]
    return filled, outside


def cell_of(bbox: tuple, boxes: list[OcrBox]) -> OcrCell:
    """A cell's text: its boxes in reading order, wrapped lines joined the CJK way (a
    space only where two Latin words or numbers meet), with one score per character."""
    text, conf = "", []
    for row in rows_of(boxes):
        for box in row:
            if text and _needs_space(text[-1], box.text[:1]):
                text += " "
                conf.append(1.0)
            text += box.text
            conf.extend(box.char_conf or [box.confidence] * len(box.text))
    scores = [c for ch, c in zip(text, conf, strict=False) if not ch.isspace()]
    return OcrCell(text, tuple(round(v, 2) for v in bbox), round(min(scores), 4) if scores else None,
                   find_repairs(text, "", ""))


def _needs_space(a: str, b: str) -> bool:
    return bool(a and b) and a.isascii() and b.isascii() and a.isalpha() and b.isalpha()


def _bounds(table) -> tuple[float, float, float, float]:
    boxes = [c for row in table for c in row if c is not None]
    return (min(c[0] for c in boxes), min(c[1] for c in boxes), max(c[2] for c in boxes), max(c[3] for c in boxes))


def _inside(x: float, y: float, box) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]

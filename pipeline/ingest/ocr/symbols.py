"""Lone comparison signs in scanned table cells (≥ ≤ = > <), read by their shape.

Sichuan-style forms put the operator of each target in a column of its own (指标性质).
The PP-OCR recogniser reads a lone "≥" as "M" or "N" and its detector often misses a lone
"≤" altogether: the model has only seen these signs next to digits. A sign is a few
strokes, so its shape decides it: one or two ink bands stacked vertically; a band is a
bar (thin and wide) or a chevron (tall, its two arms meeting at an apex on one side).

    = : bar over bar      ≥ / ≤ : chevron over bar      > / < : a chevron alone

Only cells that the recogniser left empty or read as one letter it makes of a sign ("M",
"N", "=", "一"...) are looked at, and only when their ink is a single glyph's size and
fits a sign's shape exactly; anything else is left as read.
A sign read this way scores SHAPE_SCORE.
"""

from __future__ import annotations

from pipeline.ingest.ocr.box import OcrBox

SHAPE_SCORE = 0.9
INK = 128  # darker than this is a stroke (the JPEG halo is lighter)
INSET_PX = 4  # keep clear of the erased rules
MIN_INK_PX = 12
MAX_GLYPH_HEIGHT = 1.3  # times the page's median text height
MAX_GLYPH_WIDTH = 1.6
BAR_HEIGHT = 0.4  # a bar is at most this share of the glyph's height ...
BAR_WIDTH = 0.6  # ... and has a row of ink at least this share of its width
BAR_MATCH = 0.8  # the two bars of "=" are about as long ("二" has a short upper bar)
CHEVRON_HEIGHT = 0.3  # a chevron is at least this share of the glyph's height,
ARM_WIDTH = 0.6  # its arms cross a row (the median row) no wider than this share of the width,
APEX_SHIFT = 0.35  # and the middle row's arm sits this share of the width toward the apex
SPLIT_ROWS = 0.25  # at most this share of a chevron's rows shows two runs
# A one-character read that may be a misread sign (the recogniser's "M", "N", "W"...).
MISREAD = frozenset("MNWVZzmnwvx=-一二")


def classify(ink) -> tuple[str, float] | None:
    """The sign a glyph's ink (2-D bool array, cropped to the ink) shows, with a score."""
    h, w = ink.shape
    if h < 4 or w < 4:
        return None
    bands = _runs(ink.any(axis=1))  # horizontal bands of ink rows
    if not 1 <= len(bands) <= 2:
        return None
    runs = [[_runs(row) for row in ink[a:b]] for a, b in bands]
    kinds = [_band_kind(r, h, w) for r in runs]
    if kinds == ["bar", "bar"]:
        lengths = [max(e - s for row in r for s, e in row) for r in runs]
        return ("=", SHAPE_SCORE) if min(lengths) >= BAR_MATCH * max(lengths) else None
    if kinds[0] not in (">", "<") or (len(kinds) == 2 and kinds[1] != "bar"):
        return None
    if len(kinds) == 1:
        return kinds[0], SHAPE_SCORE
    return ("≥" if kinds[0] == ">" else "≤"), SHAPE_SCORE


def _runs(row) -> list[tuple[int, int]]:
    """(start, end) of each run of True in a sequence (ink in a row, rows with ink)."""
    out, start = [], None
    for i, v in enumerate(row):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(row)))
    return out


def _band_kind(rows: list[list[tuple[int, int]]], h: int, w: int) -> str | None:
    """"bar": a few rows, one with a wide run. ">" / "<": every row crossed once by a
    short arm, the arms' middle moving to the apex side and back (a chevron)."""
    if len(rows) <= max(3, BAR_HEIGHT * h) and max(e - s for r in rows for s, e in r) >= BAR_WIDTH * w:
        return "bar"  # specks of an erased rule may touch it: its rows need not be solid
    if not all(rows) or sum(len(r) > 1 for r in rows) > SPLIT_ROWS * len(rows):
        return None  # (near the apex the two arms may show as two runs)
    spans = [(r[0][0], r[-1][1]) for r in rows]
    widths = sorted(e - s for s, e in spans)
    if len(rows) < CHEVRON_HEIGHT * h or widths[len(widths) // 2] > ARM_WIDTH * w:
        return None
    centres = [(s + e) / 2 for s, e in spans]
    top, mid, bottom = centres[0], centres[len(centres) // 2], centres[-1]
    reach = APEX_SHIFT * w
    if mid - top >= reach and mid - bottom >= reach:
        return ">"
    if top - mid >= reach and bottom - mid >= reach:
        return "<"
    return None


def read_lone_signs(image, cells_px: list[tuple[float, float, float, float]], boxes: list[OcrBox]
                    ) -> tuple[list[OcrBox], int]:
    """Boxes with lone signs read into table cells the recogniser left empty or read as
    one doubtful character; returns the boxes and how many signs were read."""
    import numpy as np

    if not boxes or not cells_px:
        return boxes, 0
    grey = image[..., 0] if image.ndim == 3 else image
    text_h = float(np.median([b.bounds[3] - b.bounds[1] for b in boxes]))
    by_cell: dict[int, list[OcrBox]] = {}
    for box in boxes:
        x0, y0, x1, y1 = box.bounds
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        k = next((i for i, c in enumerate(cells_px) if c[0] <= cx <= c[2] and c[1] <= cy <= c[3]), None)
        if k is not None:
            by_cell.setdefault(k, []).append(box)
    drop, add = set(), []
    for k, (x0, y0, x1, y1) in enumerate(cells_px):
        held = by_cell.get(k, [])
        if len(held) > 1 or (held and held[0].text not in MISREAD):
            continue  # (a lone "M" is looked at however sure the recogniser was: 0.91 seen)
        a, b = int(y0) + INSET_PX, int(y1) - INSET_PX
        c, d = int(x0) + INSET_PX, int(x1) - INSET_PX
        if b - a < 4 or d - c < 4:
            continue
        ink = grey[a:b, c:d] < INK
        if np.count_nonzero(ink) < MIN_INK_PX:
            continue
        ys, xs = np.nonzero(ink)
        top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        if bottom - top > MAX_GLYPH_HEIGHT * text_h or right - left > MAX_GLYPH_WIDTH * text_h:
            continue
        got = classify(ink[top:bottom, left:right])
        if got is None:
            continue
        sign, score = got
        drop.update(id(bx) for bx in held)
        qx0, qy0, qx1, qy1 = (float(v) for v in (c + left, a + top, c + right, a + bottom))
        add.append(OcrBox(sign, ((qx0, qy0), (qx1, qy0), (qx1, qy1), (qx0, qy1)), score, (score,)))
    if not add:
        return boxes, 0
    return [bx for bx in boxes if id(bx) not in drop] + add, len(add)

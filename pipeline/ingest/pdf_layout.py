"""Engine-neutral PDF layout: characters -> lines in reading order.

Both PDF engines (pdfplumber and pypdfium2) reduce a page to `Glyph` records; everything
after that is shared here, so the two engines give the same text on the same page:
de-duplication of fake-bold glyphs, grouping into visual lines by baseline, CJK-aware
spacing (no spaces between Chinese characters or inside numbers, also for letter-spaced
text), simple two-column reading order, and removal of running headers, footers and page
numbers. No PDF library is imported here.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

# Glyph box around the baseline, in font-size units (engines report heights differently).
ASCENT = 0.8
DESCENT = 0.2
# Two glyphs with the same text closer than this (pt) are one glyph drawn twice (fake bold).
DEDUPE_TOLERANCE = 1.0
# Glyphs whose baselines differ by less than this share of the font size are on one line
# (Latin digits in another font often sit slightly off the CJK baseline).
BASELINE_TOLERANCE = 0.45
# A gap wider than the line's usual letter gap plus this share of the font size is a space.
SPACE_GAP = 0.15
# Inside a number, only a gap wider than this share of the font size separates two numbers.
NUMBER_GAP = 0.6
# A gap wider than this share of the font size splits a line into segments (a column gutter
# is usually about two characters wide).
SEGMENT_GAP = 1.0
# A two-column block needs at least this many segments in each column.
MIN_COLUMN_SEGMENTS = 3
# Share of page height at the top and bottom where headers, footers and page numbers live.
MARGIN_SHARE = 0.12
# A margin line repeated at the same place on more than this share of pages is running.
RUNNING_SHARE = 0.5
# A page number stands this many of its line heights away from the nearest body line.
PAGE_NUMBER_GAP = 1.2

PAGE_NUMBER_RE = re.compile(
    r"^(?:[-－—–_·•\s]*\d{1,4}[-－—–_·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|Page|PAGE)\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"
)


class Glyph(NamedTuple):
    """One drawn character in top-down page coordinates (pt). A named tuple: a page has
    hundreds of them, and a tuple is built four times faster than a frozen dataclass."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float

    @property
    def top(self) -> float:
        return self.baseline - ASCENT * self.size

    @property
    def bottom(self) -> float:
        return self.baseline + DESCENT * self.size


@dataclass(frozen=True, slots=True)
class TextLine:
    """A visual line of running text on one page."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (round(self.x0, 2), round(self.top, 2), round(self.x1, 2), round(self.bottom, 2))


def is_cjk(ch: str) -> bool:
    """CJK ideographs, CJK punctuation and full-width forms: text that takes no spaces."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
        or ch in "“”‘’…—·"
    )


def is_numeric(ch: str) -> bool:
    return ch.isdigit() or ch in ".,%‰"


# Sort keys on Glyph's fields (text, x0, x1, baseline, size): C-speed, same order as
# lambda g: (g.baseline, g.x0) and lambda g: g.x0.
BY_BASELINE_X0 = itemgetter(3, 1)
BY_X0 = itemgetter(1)


def group_rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Group glyphs into visual rows by baseline, each row sorted left to right and
    cleared of fake-bold duplicates."""
    rows: list[list[Glyph]] = []
    row: list[Glyph] = []
    anchor = None
    for g in sorted(glyphs, key=BY_BASELINE_X0):
        baseline, size = g[3], g[4]
        if anchor is None or baseline - anchor > BASELINE_TOLERANCE * (1.0 if size < 1.0 else size):
            row = []
            rows.append(row)
            anchor = baseline
        row.append(g)
    return [dedupe(sorted(row, key=BY_X0)) for row in rows]


def dedupe(row: list[Glyph]) -> list[Glyph]:
    """Drop a glyph drawn again at (almost) the same place: fake bold and shadows. The row
    is sorted by x0, so a glyph more than DEDUPE_TOLERANCE right of the last kept one
    cannot repeat any kept glyph (the usual case: checked first)."""
    kept: list[Glyph] = []
    append = kept.append
    for g in row:
        x0 = g[1]
        if not kept or x0 - kept[-1][1] > DEDUPE_TOLERANCE:
            append(g)
            continue
        text, baseline = g[0], g[3]
        for k in kept[-4:]:
            if k[0] == text and abs(k[1] - x0) <= DEDUPE_TOLERANCE and abs(k[3] - baseline) <= DEDUPE_TOLERANCE:
                break
        else:
            append(g)
    return kept


def largest_size(a: Glyph, b: Glyph) -> float:
    """max(a.size, b.size, 1.0), inlined where it runs per glyph."""
    m = a[4]
    if b[4] > m:
        m = b[4]
    return 1.0 if 1.0 > m else m


def split_segments(row: list[Glyph]) -> list[list[Glyph]]:
    """Split a row at wide gaps (a column gutter or a tab stop): wider than SEGMENT_GAP
    times the larger font size of the two glyphs (at least 1.0)."""
    cuts = [i for i, (a, b) in enumerate(zip(row, row[1:], strict=False), 1)
            if b[1] - a[2] > SEGMENT_GAP and b[1] - a[2] > SEGMENT_GAP * largest_size(a, b)]
    if not cuts:
        return [row]
    bounds = [0, *cuts, len(row)]
    return [row[i:j] for i, j in zip(bounds, bounds[1:], strict=False)]


def row_text(glyphs: list[Glyph]) -> str:
    """Join a row's glyphs, inserting a space only where the gap is wider than the
    row's usual letter gap and the neighbours are not both CJK or both numeric."""
    if not glyphs:
        return ""
    gaps = [b[1] - a[2] for a, b in zip(glyphs, glyphs[1:], strict=False)]
    base = max(statistics.median(gaps), 0.0) if len(gaps) >= 3 else 0.0
    # A space needs gap - base > SPACE_GAP * size, and size is at least 1.0.
    wide = [i for i, gap in enumerate(gaps) if gap - base > SPACE_GAP]
    texts = [g[0] for g in glyphs]
    if not wide:
        return "".join(texts)
    out, start = [], 0
    for i in wide:
        a, b = glyphs[i], glyphs[i + 1]
        extra = gaps[i] - base
        size = largest_size(a, b)
        if extra > SPACE_GAP * size and not (is_cjk(a[0][-1]) and is_cjk(b[0][0])):
            numeric = is_numeric(a[0][-1]) and is_numeric(b[0][0])
            if not numeric or extra > NUMBER_GAP * size:
                out.append("".join(texts[start:i + 1]))
                out.append(" ")
                start = i + 1
    out.append("".join(texts[start:]))
    return "".join(out)


def make_line(glyphs: list[Glyph]) -> TextLine:
    first = glyphs[0]
    x0, x1 = first[1], first[2]
    top = first[3] - ASCENT * first[4]
    bottom = first[3] + DESCENT * first[4]
    for g in glyphs:  # min()/max() of x0, top, x1, bottom in one pass (same values)
        if g[1] < x0:
            x0 = g[1]
        if g[2] > x1:
            x1 = g[2]
        t = g[3] - ASCENT * g[4]
        if t < top:
            top = t
        b = g[3] + DESCENT * g[4]
        if b > bottom:
            bottom = b
    return TextLine(text=row_text(glyphs), x0=x0, top=top, x1=x1, bottom=bottom)


def page_lines(glyphs: list[Glyph], page_width: float) -> list[TextLine]:
    """Visual lines of a page in reading order (two-column blocks: left, then right)."""
    rows = [split_segments(r) for r in group_rows(glyphs) if r]
    gutter = find_gutter(rows, page_width)
    if gutter is None:
        return [make_line([g for seg in row for g in seg]) for row in rows]
    lines: list[TextLine] = []
    for block, two_col in column_blocks(rows, gutter):
        if not two_col:
            lines.extend(make_line([g for seg in row for g in seg]) for row in block)
            continue
        for side in (0, 1):
            for row in block:
                part = [g for seg in row for g in seg if (seg[0].x0 >= gutter) == bool(side)]
                if part:
                    lines.append(make_line(part))
    return lines


def crosses(row: list[list[Glyph]], x: float) -> bool:
    return any(seg[0].x0 < x < seg[-1].x1 for seg in row)


def column_blocks(rows, gutter: float):
    """Split rows into runs that do not cross the gutter; say which runs are two-column."""
    blocks: list[tuple[list, bool]] = []
    run: list = []

    def flush() -> None:
        if run and is_two_column(run, gutter):
            blocks.extend(trim_run(list(run), gutter))
        elif run:
            blocks.append((list(run), False))
        run.clear()

    for row in rows:
        if crosses(row, gutter):
            flush()
            blocks.append(([row], False))
        else:
            run.append(row)
    flush()
    return blocks


def trim_run(run, gutter: float) -> list[tuple[list, bool]]:
    """Single-column rows above or below the right column (a heading after a balanced
    two-column block) are not part of the block."""
    right = [i for i, row in enumerate(run) if any(seg[0].x0 >= gutter for seg in row)]
    first, last = right[0], right[-1]
    top = min(g.top for seg in run[first] if seg[0].x0 >= gutter for g in seg)
    bottom = max(g.bottom for seg in run[last] if seg[0].x0 >= gutter for g in seg)
    pre = [row for row in run[:first] if max(g.bottom for seg in row for g in seg) < top]
    post = [row for row in run[last + 1:] if min(g.top for seg in row for g in seg) > bottom]
    core = run[len(pre):len(run) - len(post)]
    return [(part, two) for part, two in ((pre, False), (core, True), (post, False)) if part]


def is_two_column(run, gutter: float) -> bool:
    left = [seg for row in run for seg in row if seg[-1].x1 <= gutter]
    right = [seg for row in run for seg in row if seg[0].x0 >= gutter]
    if len(left) < MIN_COLUMN_SEGMENTS or len(right) < MIN_COLUMN_SEGMENTS:
        return False
    # The right column must start at one x (a column edge), not at scattered values.
    starts = sorted(seg[0].x0 for seg in right)
    median = starts[len(starts) // 2]
    size = statistics.median(seg[0].size for seg in right)
    aligned = sum(1 for s in starts if abs(s - median) <= 2 * size)
    return aligned >= max(MIN_COLUMN_SEGMENTS, 0.6 * len(starts))


def gutter_candidates(rows, page_width: float) -> list[float]:
    """x positions in the middle of the page that lie in a gap of some row: only there can
    a gutter be (keeps single-column pages cheap)."""
    lo, hi = 0.3 * page_width, 0.7 * page_width
    gaps = []
    for row in rows:
        edges = [(0.0, row[0][0].x0)] + [(a[-1].x1, b[0].x0) for a, b in zip(row, row[1:], strict=False)]
        gaps.extend((max(a, lo), min(b, hi)) for a, b in edges if min(b, hi) > max(a, lo))
    if len(gaps) < MIN_COLUMN_SEGMENTS:
        return []
    return sorted({round((a + b) / 2 / 3) * 3.0 for a, b in gaps})


def find_gutter(rows, page_width: float) -> float | None:
    """The x of a column gutter in the middle of the page, if some block of rows has text
    on both sides of it and none across it; None for single-column pages."""
    best, best_score = None, 0
    for x in gutter_candidates(rows, page_width):
        score = sum(
            sum(len(row) for row in block) for block, two in column_blocks(rows, x) if two
        )
        if score > best_score:
            best, best_score = x, score
    return best


# ---- running headers, footers and page numbers -------------------------------------------


def margin_key(line: TextLine) -> tuple[str, int]:
    """Identity of a margin line across pages: its text with digits masked, and its height."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", line.text))
    return re.sub(r"\d+", "#", text), round(line.top / 6)


def in_margin(line: TextLine, height: float) -> bool:
    return line.bottom <= MARGIN_SHARE * height or line.top >= (1 - MARGIN_SHARE) * height


def edge_lines(lines: list[TextLine], height: float) -> list[int]:
    """Indexes of the two top-most and two bottom-most lines of a page that lie in its
    margins (by position: reading order may put a footer before a table's text)."""
    order = sorted(range(len(lines)), key=lambda i: lines[i].top)
    picks = set(order[:2] + order[-2:])
    return sorted(i for i in picks if in_margin(lines[i], height))


def is_page_number(lines: list[TextLine], i: int) -> bool:
    """A page-number-looking margin line set apart from the body by a gap wider than a
    line: a wrapped body line that is only a number ("3921.85") sits closer."""
    line = lines[i]
    if not PAGE_NUMBER_RE.match(line.text.strip()):
        return False
    height = line.bottom - line.top
    above = [ln.bottom for ln in lines if ln.bottom <= line.top + 0.5]
    below = [ln.top for ln in lines if ln.top >= line.bottom - 0.5]
    if above and below:  # not the top-most or bottom-most line
        return False
    if not above and not below:
        return True
    gap = line.top - max(above) if above else min(below) - line.bottom
    return gap >= PAGE_NUMBER_GAP * height


def remove_running(pages: dict[int, list[TextLine]], heights: dict[int, float]) -> tuple[dict, int]:
    """Drop running headers/footers (same text at the same height on more than half of the
    pages) and page numbers in the margins. Returns the cleaned pages and the count removed."""
    seen: dict[tuple[str, int], set[int]] = {}
    for page, lines in pages.items():
        for i in edge_lines(lines, heights[page]):
            seen.setdefault(margin_key(lines[i]), set()).add(page)
    limit = max(1, RUNNING_SHARE * len(pages))
    running = {k for k, pgs in seen.items() if len(pgs) > limit and len(pgs) >= 2}
    cleaned, removed = {}, 0
    for page, lines in pages.items():
        drop = {
            i
            for i in edge_lines(lines, heights[page])
            if margin_key(lines[i]) in running or is_page_number(lines, i)
        }
        removed += len(drop)
        cleaned[page] = [ln for i, ln in enumerate(lines) if i not in drop]
    return cleaned, removed

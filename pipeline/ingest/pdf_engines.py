"""The two PDF text engines, each reducing a page to engine-neutral `PageScan` facts.

pypdfium2 is the fast path (about 10x pdfplumber) and reads running text; pdfplumber is
used where a page has ruling lines, because only it finds tables. Both produce `Glyph`s
with the same geometry conventions so the shared layout code gives the same text.
Libraries are imported by the callers' `open_*` functions, never at module import.
"""

from __future__ import annotations

import ctypes
import unicodedata
from dataclasses import dataclass, field

from pipeline.ingest.pdf_layout import Glyph

# A path thinner than this (pt) and longer than RULE_MIN_LENGTH is a ruling line.
RULE_MAX_THICKNESS = 2.5
RULE_MIN_LENGTH = 10.0
# A single path with this many segments and a large box is drawn as a grid.
GRID_MIN_SEGMENTS = 8
# pdfium page object types (fpdf_edit.h).
PAGEOBJ_PATH = 2
PAGEOBJ_IMAGE = 3
PAGEOBJ_FORM = 5
MAX_FORM_DEPTH = 8


@dataclass
class PageScan:
    """What one engine saw on one page."""

    number: int
    width: float
    height: float
    engine: str
    glyphs: list[Glyph] = field(default_factory=list)
    bad_glyphs: int = 0  # (cid:N), private-use, U+FFFD or unmapped characters
    image_share: float = 0.0  # page area covered by images
    plumber_page: object = None  # set while tables must still be found on this page
    tables: list = field(default_factory=list)  # PageTable parts found on this page
    notes: list[str] = field(default_factory=list)  # warnings for the reader (Chinese)


def is_bad_text(text: str) -> bool:
    """A character the font could not map to Unicode."""
    if text.startswith("(cid:") or "\ufffd" in text:
        return True
    return any(unicodedata.category(ch) in ("Co", "Cc") for ch in text)


def image_share(boxes: list[tuple[float, float, float, float]], width: float, height: float) -> float:
    """Share of the page covered by the largest image (images rarely overlap in scans)."""
    if not boxes or width <= 0 or height <= 0:
        return 0.0
    largest = max(max(0.0, x1 - x0) * max(0.0, y1 - y0) for x0, y0, x1, y1 in boxes)
    return min(1.0, largest / (width * height))


# ---- pdfplumber --------------------------------------------------------------------------


def scan_plumber_page(page, number: int) -> PageScan:
    """Glyphs of a pdfplumber page, fake-bold duplicates removed by pdfplumber itself."""
    scan = PageScan(number, float(page.width), float(page.height), "pdfplumber", plumber_page=page)
    for c in page.dedupe_chars(tolerance=1, extra_attrs=("fontname", "size")).chars:
        text = c["text"]
        if not text or text.isspace() or not c.get("upright", True):
            continue
        if is_bad_text(text):
            scan.bad_glyphs += 1
            text = "\ufffd"
        size = float(c["size"]) or 1.0
        # Baseline from the text matrix: the same reference point pdfium reports.
        baseline = float(c["bottom"]) - (float(c["matrix"][5]) - float(c["y0"]))
        scan.glyphs.append(Glyph(text, float(c["x0"]), float(c["x1"]), baseline, size))
    boxes = [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in page.images]
    scan.image_share = image_share(boxes, scan.width, scan.height)
    return scan


# ---- pypdfium2 ---------------------------------------------------------------------------


def scan_pdfium_page(page, number: int) -> PageScan:
    """Glyphs of a pypdfium2 page through the raw C API."""
    import pypdfium2.raw as raw

    left, bottom, right, top = page.get_cropbox()
    scan = PageScan(number, right - left, top - bottom, "pdfium")
    textpage = page.get_textpage()
    try:
        scan.glyphs, scan.bad_glyphs = pdfium_glyphs(raw, textpage.raw, left, top)
    finally:
        textpage.close()
    boxes = [box for kind, box, _ in pdfium_objects(raw, page.raw) if kind == PAGEOBJ_IMAGE]
    scan.image_share = image_share(boxes, scan.width, scan.height)
    return scan


def page_chars(raw, tp) -> str:
    """All of a text page's UTF-16 units in one call (index i is character i)."""
    count = raw.FPDFText_CountChars(tp)
    buf = ctypes.create_string_buffer(2 * (count + 1))
    raw.FPDFText_GetText(tp, 0, count, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    return buf.raw[: 2 * count].decode("utf-16-le", errors="surrogatepass")


def pdfium_glyphs(raw, tp, left: float, top: float) -> tuple[list[Glyph], int]:
    glyphs: list[Glyph] = []
    bad = 0
    ox, oy = ctypes.c_double(), ctypes.c_double()
    rect = raw.FS_RECTF()
    units = page_chars(raw, tp)
    i, count = 0, len(units)
    while i < count:
        text, index = units[i], i
        i += 1
        if "\ud800" <= text < "\udc00" and i < count:  # a surrogate pair is one character
            text = (text + units[i]).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
            i += 1
        if text.isspace() or text == "\x00":  # pdfium's generated characters are all spaces
            continue
        if text < " " or text >= "\ue000" and is_bad_text(text) or raw.FPDFText_HasUnicodeMapError(tp, index) == 1:
            bad += 1
            text = "\ufffd"
        raw.FPDFText_GetCharOrigin(tp, index, ctypes.byref(ox), ctypes.byref(oy))
        raw.FPDFText_GetLooseCharBox(tp, index, ctypes.byref(rect))
        size = raw.FPDFText_GetFontSize(tp, index) or 1.0
        glyphs.append(Glyph(text, rect.left - left, rect.right - left, top - oy.value, size))
    return glyphs, bad


def pdfium_objects(raw, container, depth: int = 0):
    """(type, (x0, y0, x1, y1), raw object) of every page object, inside forms too."""
    form = depth > 0
    count = raw.FPDFFormObj_CountObjects(container) if form else raw.FPDFPage_CountObjects(container)
    x0, y0, x1, y1 = (ctypes.c_float() for _ in range(4))
    for k in range(max(count, 0)):
        obj = raw.FPDFFormObj_GetObject(container, k) if form else raw.FPDFPage_GetObject(container, k)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            yield from pdfium_objects(raw, obj, depth + 1)
        elif kind in (PAGEOBJ_PATH, PAGEOBJ_IMAGE):
            raw.FPDFPageObj_GetBounds(obj, *(ctypes.byref(v) for v in (x0, y0, x1, y1)))
            yield kind, (x0.value, y0.value, x1.value, y1.value), obj


def pdfium_has_rules(page) -> bool:
    """Cheap test for ruled tables: at least two horizontal and two vertical rules, or a
    single path drawn as a grid. Pages that pass go to pdfplumber's table finder."""
    import pypdfium2.raw as raw

    horizontal = vertical = 0
    for kind, (x0, y0, x1, y1), obj in pdfium_objects(raw, page.raw):
        if kind != PAGEOBJ_PATH:
            continue
        w, h = x1 - x0, y1 - y0
        if h <= RULE_MAX_THICKNESS and w >= RULE_MIN_LENGTH:
            horizontal += 1
        elif w <= RULE_MAX_THICKNESS and h >= RULE_MIN_LENGTH:
            vertical += 1
        elif w >= RULE_MIN_LENGTH and h >= RULE_MIN_LENGTH:
            if raw.FPDFPath_CountSegments(obj) >= GRID_MIN_SEGMENTS:
                return True
            horizontal += 1
            vertical += 1
        if horizontal >= 2 and vertical >= 2:
            return True
    return False

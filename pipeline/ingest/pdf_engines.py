"""The two PDF text engines, each reducing a page to engine-neutral `PageScan` facts.

pypdfium2 is the fast path (about 10x pdfplumber) and reads every page in `auto` mode; on a
page with ruling lines it also hands the page's path objects to pdfplumber's table finder
as the edges pdfplumber itself would have drawn from pdfminer's parse (`pdfium_edges`), so
tables are found without parsing the page a second time. The pdfplumber engine reads a
page through pdfminer. Both produce `Glyph`s with the same geometry conventions so the
shared layout code gives the same text. Libraries are imported by the callers' `open_*`
functions, never at module import.
"""

from __future__ import annotations

import ctypes
import re
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
# pdfium path segment types (fpdf_edit.h).
SEGMENT_LINETO = 0
SEGMENT_BEZIERTO = 1
SEGMENT_MOVETO = 2
IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


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


class _Pdfium:
    """The pdfium functions read per glyph and per page object, bound again without ctypes
    argtypes. pypdfium2.raw declares every argument's pointer type, and checking and
    converting them is most of a call's cost (about 1 us of 1.2 us); without argtypes a
    Python int goes as a C int, and handles and out-parameters are passed as c_void_p and
    byref() objects, which ctypes hands over as they are. Every handle passed here must be
    a c_void_p (see `handle`): a bare int would be truncated to 32 bits."""

    def __init__(self) -> None:
        import pypdfium2.raw as raw

        self.raw = raw

        def bind(name: str, restype=ctypes.c_int):
            fn = getattr(raw, name)
            fast = type(fn)(ctypes.cast(fn, ctypes.c_void_p).value)
            fast.restype = restype
            return fast

        self.count_chars = bind("FPDFText_CountChars")
        self.get_text = bind("FPDFText_GetText")
        self.loose_box = bind("FPDFText_GetLooseCharBox")
        self.origin = bind("FPDFText_GetCharOrigin")
        self.font_size = bind("FPDFText_GetFontSize", ctypes.c_double)
        self.map_error = bind("FPDFText_HasUnicodeMapError")
        self.page_count_objects = bind("FPDFPage_CountObjects")
        self.page_object = bind("FPDFPage_GetObject", ctypes.c_void_p)
        self.form_count_objects = bind("FPDFFormObj_CountObjects")
        self.form_object = bind("FPDFFormObj_GetObject", ctypes.c_void_p)
        self.object_type = bind("FPDFPageObj_GetType")
        self.bounds = bind("FPDFPageObj_GetBounds")
        self.count_segments = bind("FPDFPath_CountSegments")
        self.path_segment = bind("FPDFPath_GetPathSegment", ctypes.c_void_p)
        self.segment_point = bind("FPDFPathSegment_GetPoint")
        self.segment_type = bind("FPDFPathSegment_GetType")
        self.segment_close = bind("FPDFPathSegment_GetClose")
        self.object_matrix = bind("FPDFPageObj_GetMatrix")
        self.char_matrix = bind("FPDFText_GetMatrix")


class _Matrix(ctypes.Structure):
    """FS_MATRIX: a, b, c, d, e, f as C floats."""

    _fields_ = [(name, ctypes.c_float) for name in "abcdef"]


_API: list[_Pdfium] = []


def pdfium_api() -> _Pdfium:
    if not _API:
        _API.append(_Pdfium())
    return _API[0]


def handle(obj) -> ctypes.c_void_p:
    """A pypdfium2 raw handle (a typed ctypes pointer) as a c_void_p for `_Pdfium` calls."""
    return ctypes.c_void_p(ctypes.cast(obj, ctypes.c_void_p).value)


@dataclass
class PageObjects:
    """What one walk over a page's objects found: ruling lines, and image boxes."""

    has_rules: bool
    images: list[tuple[float, float, float, float]]


def scan_pdfium_page(page, number: int, objects: PageObjects | None = None, upright_only: bool = False) -> PageScan:
    """Glyphs of a pypdfium2 page through the raw C API. `upright_only`: leave out the
    glyphs pdfplumber leaves out (see `pdfium_glyphs`)."""
    api = pdfium_api()
    left, bottom, right, top = page.get_cropbox()
    scan = PageScan(number, right - left, top - bottom, "pdfium")
    textpage = page.get_textpage()
    try:
        scan.glyphs, scan.bad_glyphs = pdfium_glyphs(api, handle(textpage.raw), left, top, upright_only)
    finally:
        textpage.close()
    if objects is None:
        objects = page_objects(page)
    scan.image_share = image_share(objects.images, scan.width, scan.height)
    return scan


_BUFFER_TYPES: dict[int, type] = {}


def text_buffer(size: int) -> ctypes.Array:
    """A fresh zeroed buffer of at least `size` bytes, its length a power of two: a ctypes
    array type of a new length is a new class (a tenth of a millisecond each page), so
    the types are made once."""
    length = 1 << max(size - 1, 1).bit_length()
    kind = _BUFFER_TYPES.get(length)
    if kind is None:
        kind = _BUFFER_TYPES[length] = ctypes.c_char * length
    return kind()


def page_chars(api: _Pdfium, tp) -> str:
    """All of a text page's UTF-16 units in one call (index i is character i)."""
    count = api.count_chars(tp)
    if count <= 0:
        return ""
    buf = text_buffer(2 * (count + 1))
    api.get_text(tp, 0, count, buf)
    return buf.raw[: 2 * count].decode("utf-16-le", errors="surrogatepass")


SURROGATE = re.compile("[\ud800-\udbff]")


def characters(units: str):
    """(index, character) for a text page's UTF-16 units: a surrogate pair is one
    character, at its first unit's index (pdfium counts units)."""
    if not SURROGATE.search(units):
        return enumerate(units)
    out = []
    i, count = 0, len(units)
    while i < count:
        text, index = units[i], i
        i += 1
        if "\ud800" <= text < "\udc00" and i < count:
            text = (text + units[i]).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
            i += 1
        out.append((index, text))
    return out


def pdfium_glyphs(api: _Pdfium, tp, left: float, top: float, upright_only: bool = False) -> tuple[list[Glyph], int]:
    """The page's glyphs: its text in one call, then each glyph's mapping flag, origin,
    loose box and font size (four cheap calls, see `_Pdfium`). `upright_only`: without
    the glyphs pdfminer calls not upright and pdfplumber's engine skips (`scan_plumber_page`):
    a character matrix with a·d <= 0 or b·c > 0, such as text turned a quarter turn."""
    glyphs: list[Glyph] = []
    append = glyphs.append
    make = tuple.__new__  # Glyph(...) without the named tuple's Python-level __new__
    bad = 0
    ox, oy = ctypes.c_double(), ctypes.c_double()
    p_ox, p_oy = ctypes.byref(ox), ctypes.byref(oy)
    rect = api.raw.FS_RECTF()
    p_rect = ctypes.byref(rect)
    loose_box, origin, font_size, map_error = api.loose_box, api.origin, api.font_size, api.map_error
    m = _Matrix()
    p_m = ctypes.byref(m)
    char_matrix = api.char_matrix
    for index, text in characters(page_chars(api, tp)):
        if text.isspace() or text == "\x00":  # pdfium's generated characters are all spaces
            continue
        if upright_only and char_matrix(tp, index, p_m) and not (m.a * m.d > 0 and m.b * m.c <= 0):
            continue
        # is_bad_text only where it can be true: a single character from U+E000 up is bad
        # only in a private-use area or as U+FFFD.
        if (text < " " or text >= "\ue000" and (text <= "\uf8ff" or text == "\ufffd" or text >= "\U000f0000"
                                                 or len(text) > 1) and is_bad_text(text)
                or map_error(tp, index) == 1):
            bad += 1
            text = "\ufffd"
        origin(tp, index, p_ox, p_oy)
        loose_box(tp, index, p_rect)
        size = font_size(tp, index) or 1.0
        append(make(Glyph, (text, rect.left - left, rect.right - left, top - oy.value, size)))
    return glyphs, bad


def pdfium_objects(api: _Pdfium, container, depth: int = 0):
    """(type, (x0, y0, x1, y1), object handle) of every path and image object of a page,
    inside forms too."""
    form = depth > 0
    count = api.form_count_objects(container) if form else api.page_count_objects(container)
    x0, y0, x1, y1 = (ctypes.c_float() for _ in range(4))
    refs = tuple(ctypes.byref(v) for v in (x0, y0, x1, y1))
    get = api.form_object if form else api.page_object
    object_type, bounds = api.object_type, api.bounds
    for k in range(max(count, 0)):
        obj = ctypes.c_void_p(get(container, ctypes.c_ulong(k) if form else k))
        kind = object_type(obj)
        if kind == PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            yield from pdfium_objects(api, obj, depth + 1)
        elif kind in (PAGEOBJ_PATH, PAGEOBJ_IMAGE):
            bounds(obj, *refs)
            yield kind, (x0.value, y0.value, x1.value, y1.value), obj


def page_objects(page) -> PageObjects:
    """One walk over the page's objects: is there a ruled table (`has_rules`), and where
    are the images."""
    api = pdfium_api()
    rules = RuleCount()
    images = []
    for kind, box, obj in pdfium_objects(api, handle(page.raw)):
        if kind == PAGEOBJ_IMAGE:
            images.append(box)
        elif not rules.found:
            rules.add(api, box, obj)
    return PageObjects(rules.found, images)


class RuleCount:
    """Counts ruling lines path by path until a ruled table is certain: at least two
    horizontal and two vertical rules, or a single path drawn as a grid."""

    def __init__(self) -> None:
        self.horizontal = self.vertical = 0
        self.found = False

    def add(self, api: _Pdfium, box, obj) -> None:
        x0, y0, x1, y1 = box
        w, h = x1 - x0, y1 - y0
        if h <= RULE_MAX_THICKNESS and w >= RULE_MIN_LENGTH:
            self.horizontal += 1
        elif w <= RULE_MAX_THICKNESS and h >= RULE_MIN_LENGTH:
            self.vertical += 1
        elif w >= RULE_MIN_LENGTH and h >= RULE_MIN_LENGTH:
            if api.count_segments(obj) >= GRID_MIN_SEGMENTS:
                self.found = True
                return
            self.horizontal += 1
            self.vertical += 1
        self.found = self.horizontal >= 2 and self.vertical >= 2


def pdfium_has_rules(page) -> bool:
    """Cheap test for ruled tables (see `RuleCount`). Pages that pass go to pdfplumber's
    table finder."""
    return page_objects(page).has_rules


# ---- ruling edges for pdfplumber's table finder -----------------------------------------


def pdfium_edges(page) -> list[dict]:
    """The page's drawn lines as pdfplumber's `page.edges` would list them, read from
    pdfium's path objects instead of pdfminer's parse: each path split into subpaths at its
    moves, each subpath classified as pdfminer does (`paint_path`: a line, a rectangle or a
    curve of its end points), then turned into edges as pdfplumber does (`line_to_edge`,
    `rect_to_edges`, `curve_to_edges`): lines first, then rectangles' four sides, then
    curves' segments, in drawing order. Coordinates are top-down from the crop box, as for
    glyphs. pdfium keeps coordinates in single precision: an edge can differ from
    pdfminer's in the fifth digit, far inside the table finder's 3 pt tolerances."""
    api = pdfium_api()
    left, _, _, top = page.get_cropbox()
    lines: list[dict] = []
    rects: list[dict] = []
    curves: list[dict] = []
    for obj, matrix in path_objects(api, handle(page.raw)):
        for shape, pts in subpaths(api, obj, matrix):
            kind, pts = classify_subpath(shape, [(x - left, top - y) for x, y in pts])
            if kind == "line":
                lines.append(line_edge(pts[0], pts[1]))
            elif kind == "rect":
                rects.extend(rect_edges(pts[0], pts[2]))
            else:
                curves.extend(curve_edges(pts))
    return lines + rects + curves


def multiply(m: tuple, n: tuple) -> tuple:
    """m then n, PDF's row-vector convention (a point p goes to p·m·n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def path_objects(api: _Pdfium, container, depth: int = 0, outer: tuple = IDENTITY):
    """(path object, its matrix to page space) of every path of a page, inside forms too."""
    form = depth > 0
    count = api.form_count_objects(container) if form else api.page_count_objects(container)
    get = api.form_object if form else api.page_object
    m = _Matrix()
    p_m = ctypes.byref(m)
    for k in range(max(count, 0)):
        obj = ctypes.c_void_p(get(container, ctypes.c_ulong(k) if form else k))
        kind = api.object_type(obj)
        if kind == PAGEOBJ_PATH or (kind == PAGEOBJ_FORM and depth < MAX_FORM_DEPTH):
            if not api.object_matrix(obj, p_m):
                continue
            matrix = multiply((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            if kind == PAGEOBJ_PATH:
                yield obj, matrix
            else:
                yield from path_objects(api, obj, depth + 1, matrix)


def subpaths(api: _Pdfium, obj, matrix: tuple) -> list[tuple[str, list[tuple[float, float]]]]:
    """A path's subpaths as pdfminer sees them: (shape, points in page space), one letter
    and one point per operator: "m" move, "l" line, "c" Bezier curve (its end point only;
    pdfium lists its two control points first), "h" close (the subpath's start point).
    pdfium keeps a close as a flag on the last point, and turns a close that does not end
    at the start into a line back to it: "mllll" + "h" then reads as pdfminer's "mlllh"
    once its redundant last line is dropped (see `classify_subpath`)."""
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    p_x, p_y = ctypes.byref(x), ctypes.byref(y)
    out: list[tuple[str, list]] = []
    shape: list[str] = []
    pts: list[tuple[float, float]] = []
    start = (0.0, 0.0)
    bezier = 0
    for i in range(api.count_segments(obj)):
        seg = ctypes.c_void_p(api.path_segment(obj, i))
        if not seg.value or not api.segment_point(seg, p_x, p_y):
            continue
        kind = api.segment_type(seg)
        px, py = x.value, y.value
        point = (a * px + c * py + e, b * px + d * py + f)
        if kind == SEGMENT_MOVETO:
            if shape:
                out.append(("".join(shape), pts))
            shape, pts, start, bezier = ["m"], [point], point, 0
        elif not shape:
            continue  # a path must start with a move (pdfminer drops it otherwise)
        elif kind == SEGMENT_LINETO:
            shape.append("l")
            pts.append(point)
        elif kind == SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3:
                continue  # a control point
            shape.append("c")
            pts.append(point)
        if api.segment_close(seg):
            shape.append("h")
            pts.append(start)
    if shape:
        out.append(("".join(shape), pts))
    return out


def classify_subpath(shape: str, pts: list) -> tuple[str, list]:
    """pdfminer's `paint_path` for one subpath: "line" (two points), "rect" (an axis-aligned
    closed box of four corners) or "curve" (its points)."""
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts = pts[:-1]
    if shape in ("mlh", "ml"):
        return "line", pts[:2]
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            return "rect", pts
    return "curve", pts


def line_edge(p0, p1) -> dict:
    """pdfplumber's `line_to_edge`: horizontal if its top and bottom agree, else vertical."""
    x0, x1 = min(p0[0], p1[0]), max(p0[0], p1[0])
    top, bottom = min(p0[1], p1[1]), max(p0[1], p1[1])
    return {"object_type": "line", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top, "orientation": "h" if top == bottom else "v"}


def rect_edges(p0, p2) -> list[dict]:
    """pdfplumber's `rect_to_edges` of the box with corners p0 and p2: top, bottom, left,
    right."""
    x0, x1 = min(p0[0], p2[0]), max(p0[0], p2[0])
    top, bottom = min(p0[1], p2[1]), max(p0[1], p2[1])
    width, height = x1 - x0, bottom - top
    side = {"object_type": "rect_edge", "top": top, "bottom": bottom}
    return [
        {**side, "x0": x0, "x1": x1, "bottom": top, "width": width, "height": 0, "orientation": "h"},
        {**side, "x0": x0, "x1": x1, "top": top + height, "width": width, "height": 0, "orientation": "h"},
        {**side, "x0": x0, "x1": x0, "width": 0, "height": height, "orientation": "v"},
        {**side, "x0": x1, "x1": x1, "width": 0, "height": height, "orientation": "v"},
    ]


def curve_edges(pts: list) -> list[dict]:
    """pdfplumber's `curve_to_edges`: one edge per pair of consecutive points (neither
    vertical nor horizontal ones have no orientation, and no table uses them)."""
    out = []
    for p0, p1 in zip(pts, pts[1:], strict=False):
        x0, x1 = min(p0[0], p1[0]), max(p0[0], p1[0])
        top, bottom = min(p0[1], p1[1]), max(p0[1], p1[1])
        orientation = "v" if p0[0] == p1[0] else ("h" if p0[1] == p1[1] else None)
        out.append({"object_type": "curve_edge", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                    "width": abs(p0[0] - p1[0]), "height": abs(p0[1] - p1[1]), "orientation": orientation})
    return out

"""Scanned PDF pages -> Document lines, page by page (`--ocr auto|never|always`).

`read_pdf_ocr` first reads the text layer (`ingest_pdf.read_pdf`, unchanged). In "auto"
mode the pages it found untrustworthy (meta["skipped_pages"]; all pages when it refused
the file as `no_text_layer`) are rendered and OCR'd; "always" OCRs every page and drops
the text layer; "never" keeps the text path's result or refusal. OCR'd lines replace
their pages in reading order; tables of text pages keep their place. The document's
meta lists the OCR'd pages (`ocr_pages`) and the details of the reading (`ocr`).

A batch spreads a long scan over its process pool with an `OcrPlan`: the first reading,
with `defer`, raises `OcrPending` (the pages to OCR) instead of OCR'ing them one after
another; each page is then OCR'd as its own task (`ocr_page`), and the second reading is
given the pages' results (`done`) and only lays them out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import regex

from pipeline.ingest.document import Document, IngestError, Line, Table
from pipeline.ingest.ocr.box import OcrBox
from pipeline.ingest.ocr.cache import OcrCache, page_key
from pipeline.ingest.ocr.engine import OcrSettings, engine_id, get_engine
from pipeline.ingest.ocr.layout import page_lines
from pipeline.ingest.ocr.tables import Rule, fill_cells, table_cells
from pipeline.ingest.pdf import line_before, read_pdf
from pipeline.ingest.pdf_tables import PageTable, build_table, stitch

# A line whose weakest character scores below this is counted as doubtful in meta.
DOUBTFUL_LINE = 0.9
MSG_NO_ENGINE = ("PDF 含扫描页，但本机未安装 OCR 引擎（rapidocr-onnxruntime），扫描页无法识别："
                 "请安装后重试，或提交文字版 PDF。")
MSG_NOTHING = "PDF 是扫描图像，OCR 文字识别未能识别出任何文字（图像可能过于模糊或是空白页）：请提交清晰的扫描件或文字版 PDF。"


@dataclass
class PageResult:
    number: int
    lines: list[Line]
    cached: bool
    info: dict = field(default_factory=dict)
    tables: list[PageTable] = field(default_factory=list)  # ruled tables found on the scan


class OcrPending(Exception):  # noqa: N818 - a request, not an error
    """Raised by a deferring reading: these 1-based pages need OCR (of `page_count`)."""

    def __init__(self, pages: list[int], page_count: int):
        super().__init__(f"{len(pages)} pages need OCR")
        self.pages, self.page_count = pages, page_count


@dataclass(frozen=True)
class OcrPlan:
    """How a batch splits the OCR of one file. `defer`: raise OcrPending when at least
    `min_pages` pages need OCR. `done`: page number -> the JSON `ocr_page` returned for
    it (recognised boxes and facts), used instead of rendering and recognising."""

    defer: bool = False
    done: dict | None = None
    min_pages: int = 2


def read_pdf_ocr(data: bytes, source: str, pdf_engine: str, settings: OcrSettings,
                 plan: OcrPlan | None = None) -> Document:
    """Read a PDF, OCR'ing pages as `settings.mode` says; raise IngestError like read_pdf."""
    try:
        doc = read_pdf(data, source, engine=pdf_engine)
    except IngestError as exc:
        if exc.code != "no_text_layer" or settings.mode == "never":
            raise
        doc = None
    if settings.mode == "never":
        return doc
    pages = None if settings.mode == "always" or doc is None else list(doc.meta.get("skipped_pages") or [])
    if pages == []:
        return doc
    if plan is not None and plan.defer:
        count = doc.meta.get("pages") if doc is not None else None
        todo = pages if pages is not None else list(range(1, (count or page_count_of(data)) + 1))
        if len(todo) >= plan.min_pages:
            raise OcrPending(todo, count or page_count_of(data))
    try:
        results, page_count = ocr_pdf_pages(data, pages, settings, plan.done if plan else None)
    except ImportError as exc:  # the OCR engine is an installable extra in some setups
        if doc is None:
            raise IngestError("no_text_layer", MSG_NO_ENGINE) from exc
        doc.meta.setdefault("warnings", []).append(MSG_NO_ENGINE)
        return doc
    return merge(doc, results, source, settings, page_count)


def page_count_of(data: bytes) -> int:
    from pipeline.ingest.pdf import open_pdfium

    pdf = open_pdfium(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def ocr_page(data: bytes, number: int, settings: OcrSettings) -> dict:
    """OCR one 1-based page (or take it from the cache): a JSON-able result for
    `OcrPlan.done`. Used by batch page tasks."""
    from pipeline.ingest.ocr.image import render_page
    from pipeline.ingest.pdf import open_pdfium

    pdf = open_pdfium(data)
    try:
        page = pdf[number - 1]
        try:
            bitmap = render_page(page, settings.dpi)
        finally:
            page.close()
    finally:
        pdf.close()
    boxes, info, cached = recognise_bitmap(bitmap, settings, OcrCache(settings.cache_path()))
    return {"page": number, "boxes": [b.to_json() for b in boxes], "info": info, "cached": cached}


def ocr_pdf_pages(data: bytes, pages: list[int] | None, settings: OcrSettings,
                  done: dict | None = None) -> tuple[list[PageResult], int]:
    """OCR the given 1-based pages (all when None); returns the results and the page count.
    Pages in `done` (see OcrPlan) are laid out from their given result."""
    from pipeline.ingest.ocr.image import render_page
    from pipeline.ingest.pdf import open_pdfium

    pdf = open_pdfium(data)
    cache = OcrCache(settings.cache_path())
    results = []
    done = {int(k): v for k, v in (done or {}).items()}
    try:
        count = len(pdf)
        for n in pages if pages is not None else range(1, count + 1):
            if n in done:
                given = done[n]
                boxes = [OcrBox.from_json(b) for b in given["boxes"]]
                results.append(lay_out(boxes, given.get("info", {}), n, settings.dpi, given.get("cached", False)))
                continue
            page = pdf[n - 1]
            try:
                bitmap = render_page(page, settings.dpi)
            finally:
                page.close()
            results.append(ocr_bitmap(bitmap, n, settings, cache))
    finally:
        pdf.close()
    return results, count


def ocr_bitmap(bitmap, number: int, settings: OcrSettings, cache: OcrCache) -> PageResult:
    """Recognise one rendered page (or take it from the cache) and lay it out."""
    boxes, info, cached = recognise_bitmap(bitmap, settings, cache)
    return lay_out(boxes, info, number, settings.dpi, cached)


def lay_out(boxes: list[OcrBox], info: dict, number: int, dpi: int, cached: bool) -> PageResult:
    """A page's ruled tables (from the rules found in its image) and its running lines
    (the boxes outside them)."""
    parts: list[PageTable] = []
    rules = [Rule.from_json(r) for r in info.get("rules", ())]
    grids = table_cells(rules, dpi) if rules else []
    if grids:
        filled, boxes = fill_cells(grids, boxes, dpi)
        parts = [page_table(t, number) for t in filled]
    return PageResult(number, page_lines(boxes, number, dpi), cached, info, parts)


def page_table(rows, number: int) -> PageTable:
    """OCR'd cells as the PDF path's table part (cell facts kept for Document cells)."""
    boxes = [c.bbox for row in rows for c in row if c is not None]
    bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    edges = sorted({round(b[0], 1) for b in boxes} | {round(b[2], 1) for b in boxes})
    texts = [[(c.text, c.bbox) if c is not None else ("", None) for c in row] for row in rows]
    facts = {(r, k): (c.confidence, c.repairs) for r, row in enumerate(rows) for k, c in enumerate(row)
             if c is not None and c.text}
    return PageTable(number, bbox, tuple(edges), texts, facts)


def recognise_bitmap(bitmap, settings: OcrSettings, cache: OcrCache) -> tuple[list[OcrBox], dict, bool]:
    """The page's boxes and reading facts, from the cache or recognised afresh (and cached)."""
    key = page_key(bitmap, settings.dpi, engine_id(settings.engine))
    hit = cache.get(key)
    if hit is not None:
        return hit[0], hit[1], True
    from pipeline.ingest.ocr.image import prepare
    from pipeline.ingest.ocr.tables import erase_rules, find_rules, walls

    start = time.perf_counter()
    image, info = prepare(bitmap)
    rules = find_rules(image, settings.dpi)
    if rules:  # no rule is read as "1" or "|", and no text box crosses a column rule
        image = erase_rules(image, rules)
    boxes = get_engine(settings.engine).recognise(image, walls(rules))
    if rules:
        from pipeline.ingest.ocr.symbols import read_lone_signs

        px = settings.dpi / 72.0
        cells = [tuple(v * px for v in cell) for grid in table_cells(rules, settings.dpi) for row in grid
                 for cell in row if cell is not None]
        boxes, signs = read_lone_signs(image, cells, boxes)
        if signs:
            info["signs_by_shape"] = signs
    info["rules"] = [r.to_json() for r in rules]
    info["seconds"] = round(time.perf_counter() - start, 3)
    cache.put(key, boxes, info)
    return boxes, info, False


def merge(doc: Document | None, results: list[PageResult], source: str, settings: OcrSettings,
          page_count: int) -> Document:
    """The text pages of `doc` (none in "always" mode) with the OCR'd pages in page order."""
    done = {r.number for r in results}
    keep_text = doc is not None and settings.mode != "always"
    text_lines = [ln for ln in doc.lines if ln.page not in done] if keep_text else []
    lines = sorted(text_lines + [ln for r in results for ln in r.lines], key=lambda ln: ln.page or 0)
    if not any(ln.text.strip() for ln in lines):
        raise IngestError("no_text_layer", MSG_NOTHING)
    tables = place_tables(doc.tables, doc.lines, lines) if keep_text else ()
    tables = tuple(sorted((*tables, *ocr_tables(results, lines)), key=lambda t: (t.page or 0, t.after_line)))
    meta = ocr_meta(dict(doc.meta) if doc is not None else {"pages": page_count}, results, settings, page_count)
    return Document(source=source, kind="pdf", lines=tuple(lines), tables=tables, meta=meta)


def place_tables(tables: tuple[Table, ...], old: tuple[Line, ...], new: list[Line]) -> tuple[Table, ...]:
    """Re-point each table's `after_line` into the merged lines: after its old preceding
    line and after every line of earlier pages (OCR'd pages may now have lines)."""
    index = {id(ln): i for i, ln in enumerate(new)}
    out = []
    for t in tables:
        after = index.get(id(old[t.after_line]), -1) if 0 <= t.after_line < len(old) else -1
        earlier = [i for i, ln in enumerate(new) if t.page is not None and (ln.page or 0) < t.page]
        out.append(Table(rows=t.rows, page=t.page, after_line=max([after, *earlier])))
    return tuple(out)


def ocr_tables(results: list[PageResult], lines: list[Line]) -> list[Table]:
    """The scans' table parts, stitched across page breaks as in a text PDF, each placed
    after its last preceding running line."""
    parts = sorted((t for r in results for t in r.tables), key=lambda t: (t.page, t.bbox[1]))
    by_page: dict[int, list[Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page or 0, []).append(ln)
    continues = [i > 0 and continues_from(parts[i - 1], part, by_page) for i, part in enumerate(parts)]
    return [build_table(group, after_line=line_before(lines, group[0].page, group[0].bbox[1]))
            for group in stitch(parts, continues)]


# A page number as OCR reads it ("- 1 -", "-1.", "第 2 页").
PAGE_NUMBER_RE = regex.compile(r"^[\s\-—–_.·•第页共/]*\d{1,4}[\s\-—–_.·•页/共\d]*$")
SAME_HEADER = 0.8  # a running header read twice by OCR agrees this much (difflib ratio)


def continues_from(prev: PageTable, part: PageTable, by_page: dict[int, list[Line]]) -> bool:
    """A part continues the previous one if it opens the next page and the previous part
    closed its page: only a page number below it, and above the new part nothing but the
    page's running header (a line the previous page also has)."""
    if part.page != prev.page + 1:
        return False
    below = [ln for ln in by_page.get(prev.page, []) if ln.bbox and ln.bbox[1] >= prev.bbox[3]]
    above = [ln for ln in by_page.get(part.page, []) if ln.bbox and ln.bbox[3] <= part.bbox[1]]
    earlier = [ln.text.replace(" ", "") for ln in by_page.get(prev.page, [])]
    return (all(PAGE_NUMBER_RE.match(ln.text.strip()) for ln in below)
            and all(PAGE_NUMBER_RE.match(ln.text.strip()) or _seen(ln.text.replace(" ", ""), earlier) for ln in above))


def _seen(text: str, earlier: list[str]) -> bool:
    """The line (a running header) is on the previous page too, give or take a misread
    character."""
    import difflib

    return any(difflib.SequenceMatcher(None, text, e).ratio() >= SAME_HEADER for e in earlier)


def ocr_meta(meta: dict, results: list[PageResult], settings: OcrSettings, page_count: int) -> dict:
    """Record which pages were OCR'd and how, and replace the text path's skip warning."""
    done = sorted(r.number for r in results)
    engines = list(meta.get("engine") or ["skipped"] * page_count)
    for n in done:
        if 0 < n <= len(engines):
            engines[n - 1] = "ocr"
    skipped = [n for n in meta.get("skipped_pages", []) if n not in done]
    warnings = [w for w in meta.get("warnings", []) if "没有可用的文字层" not in w]
    if skipped:
        warnings.append(f"第 {'、'.join(map(str, skipped))} 页没有可用的文字层，已跳过，这些页的内容未经审核。")
    doubtful = sum(1 for r in results for ln in r.lines if ln.confidence is not None and ln.confidence < DOUBTFUL_LINE)
    warnings.append(f"第 {'、'.join(map(str, done))} 页是扫描图像，已用 OCR 识别文字；"
                    f"{doubtful} 行有识别置信度低的字符，涉及的数字请以原件为准。")
    meta.update(
        engine=engines, skipped_pages=skipped, warnings=warnings,
        ocr_pages=[r.number for r in sorted(results, key=lambda r: r.number) if r.lines],
        ocr={
            "engine": engine_id(settings.engine), "dpi": settings.dpi, "mode": settings.mode,
            "pages": len(done), "cached": sum(r.cached for r in results),
            "seconds": round(sum(r.info.get("seconds", 0.0) for r in results if not r.cached), 3),
            "skew": {r.number: r.info.get("skew", 0.0) for r in results},
            "table_parts": {r.number: len(r.tables) for r in results if r.tables},
            "signs_by_shape": {r.number: r.info["signs_by_shape"] for r in results if r.info.get("signs_by_shape")},
            "seal_pages": [r.number for r in results if r.info.get("seal_share", 0) > 0.0005],
            "doubtful_lines": doubtful,
            "repairs": [{"page": ln.page, "line": ln.line, "raw": ln.text[c], "read_as": rep}
                        for r in results for ln in r.lines for c, rep in ln.repairs],
        },
    )
    return meta

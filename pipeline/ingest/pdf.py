"""PDF ingestion: bytes -> `Document` of running-text lines and ruled tables.

engine="auto" reads every page with pypdfium2 (fast) and finds the ruled tables of pages with
ruling lines with pdfplumber's table finder, on edges read from pdfium's path objects;
"pdfplumber" reads every page through pdfplumber (pdfminer's parse, pdfplumber's own
edges), "pdfium" finds no tables (table text comes out as running lines). Pages without a trustworthy text layer
(scans, `(cid:N)` fonts) are skipped with a warning; a file with none raises
`IngestError("no_text_layer")`. Every library failure is mapped to a SPEC §3 error code.
Layout rules shared by both engines live in `ingest_pdf_layout`, tables in
`ingest_pdf_tables`, the engine adapters in `ingest_pdf_engines`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pipeline.ingest.document import Document, IngestError, Line, Table
from pipeline.ingest.pdf_engines import (
    PageScan,
    page_objects,
    pdfium_edges,
    scan_pdfium_page,
    scan_plumber_page,
)
from pipeline.ingest.pdf_layout import TextLine, page_lines, remove_running
from pipeline.ingest.pdf_tables import (
    PageTable,
    build_table,
    find_edge_tables,
    find_page_tables,
    glyphs_outside,
    stitch,
)
from pipeline.ingest.settings import PDF_ENGINES

ENGINES = PDF_ENGINES
# A page whose characters are more than this share unmappable has no usable text layer.
MAX_BAD_SHARE = 0.3
# A page with fewer characters than this and an image over most of it is a scan
# (a scanned page often carries a stamped page number or a few OCR-less labels).
SCAN_MAX_GLYPHS = 20
SCAN_MIN_IMAGE_SHARE = 0.5
# A complete PDF ends with %%EOF within its last bytes (the spec allows trailing junk).
EOF_WINDOW = 2048

MSG_ENCRYPTED = "PDF 文件已加密（需要打开密码），无法读取：请提交未加密的文件，或取消密码后重新导出。"
MSG_TRUNCATED = "PDF 文件不完整（缺少文件结尾，可能下载或复制中断），无法可靠读取：请重新获取完整的文件。"
MSG_UNREADABLE = "PDF 文件已损坏，无法解析（{detail}）：请用 Word/WPS 重新导出 PDF 后再提交。"
MSG_NO_TEXT = (
    "PDF 没有可用的文字层（扫描图像或字体缺少字符映射），文字无法可靠读取："
    "请先做 OCR 文字识别，或从 Word/WPS 重新导出为文字版 PDF 后再提交。"
)
MSG_BLANK = "PDF 所有页面都没有文字或图像（空白页，或页面内容已损坏），没有可审核的内容：请检查文件是否完整。"


def read_pdf(data: bytes, source: str, engine: str = "auto") -> Document:
    """Read a PDF into a Document, or raise IngestError (never a library exception)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r}; allowed: {ENGINES}")
    if b"%%EOF" not in data[-EOF_WINDOW:] and b"%%EOF" not in data:
        raise IngestError("unreadable", MSG_TRUNCATED)
    try:
        scans = scan_pages(data, engine)
        return assemble(scans, source, engine)
    except IngestError:
        raise
    except Exception as exc:  # a library failure deep in a page: the file is damaged
        raise IngestError("unreadable", MSG_UNREADABLE.format(detail=type(exc).__name__)) from exc


# ---- opening and scanning ----------------------------------------------------------------


def map_open_error(exc: Exception) -> IngestError:
    """Translate an engine's open failure into a SPEC error."""
    text = f"{exc!r} {exc.__cause__!r} {exc.__context__!r}".lower()
    if "password" in text or "encrypt" in text:
        return IngestError("encrypted", MSG_ENCRYPTED)
    return IngestError("unreadable", MSG_UNREADABLE.format(detail=type(exc).__name__))


def open_pdfium(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except Exception as exc:
        raise map_open_error(exc) from exc


def open_plumber(data: bytes):
    import logging

    import pdfplumber

    # pdfminer logs every odd font to stderr; damaged files come back as IngestError instead.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages  # pdfminer reads the page tree lazily; force errors to surface here
        return pdf
    except Exception as exc:
        raise map_open_error(exc) from exc


def scan_pages(data: bytes, engine: str) -> list[PageScan]:
    """One PageScan per page: all through pdfplumber, or all through pdfium (auto mode also
    finds the tables of ruled pages)."""
    if engine == "pdfplumber":
        pdf = open_plumber(data)
        try:
            return [with_tables(scan_plumber_page(p, n)) for n, p in enumerate(pdf.pages, start=1)]
        finally:
            pdf.close()
    doc = open_pdfium(data)
    plumber = None
    scans = []
    try:
        for n in range(1, len(doc) + 1):
            page = doc[n - 1]
            objects = page_objects(page)  # one walk: ruling lines and images
            if engine == "auto" and objects.has_rules and page.get_rotation():
                # pdfplumber turns a rotated page's coordinates upright, pdfium does not: such a
                # ruled page is read through pdfplumber, as all ruled pages were before
                plumber = plumber or open_plumber(data)
                scans.append(plumber_or_pdfium(plumber, page, n, objects))
            elif engine == "auto" and objects.has_rules:
                scans.append(with_edge_tables(scan_pdfium_page(page, n, objects, upright_only=True), page))
            else:
                scans.append(scan_pdfium_page(page, n, objects))
            page.close()
        return scans
    finally:
        doc.close()
        if plumber is not None:
            plumber.close()


def plumber_or_pdfium(plumber, page, n: int, objects=None) -> PageScan:
    """A ruled page through pdfplumber; if pdfminer cannot parse it, its text through
    pdfium (no tables) rather than failing the whole file."""
    try:
        return with_tables(scan_plumber_page(plumber.pages[n - 1], n))
    except Exception:  # pdfminer failures are many and untyped
        scan = scan_pdfium_page(page, n, objects)
        scan.notes.append(f"第 {n} 页的表格无法解析，已按普通文字读取，表格数据请人工核对。")
        return scan


def with_edge_tables(scan: PageScan, page) -> PageScan:
    """The ruled tables of a pdfium page: pdfplumber's table finder on the page's edges
    (pdf_engines.pdfium_edges). If they cannot be read, the page's text stays running text.
    The scan holds the glyphs pdfplumber would have kept (`upright_only`)."""
    if page_status(scan) != "ok":
        return scan
    try:
        scan.tables = find_edge_tables(pdfium_edges(page), (0.0, 0.0, scan.width, scan.height), scan.glyphs,
                                       scan.number)
    except Exception:  # a damaged path or an odd matrix: the page's text is still good
        scan.tables = []
        scan.notes.append(f"第 {scan.number} 页的表格无法解析，已按普通文字读取，表格数据请人工核对。")
    return scan


def with_tables(scan: PageScan) -> PageScan:
    """Find the ruled tables of a pdfplumber page while its file is still open."""
    if page_status(scan) == "ok":
        scan.tables = find_page_tables(scan.plumber_page, scan.glyphs, scan.number)
    scan.plumber_page = None
    return scan


def page_status(scan: PageScan) -> str:
    """'ok', 'blank' (nothing drawn), or 'bad' (scan image or unmappable text)."""
    if not scan.glyphs:
        return "bad" if scan.image_share > 0 else "blank"
    if scan.bad_glyphs > MAX_BAD_SHARE * len(scan.glyphs):
        return "bad"
    if len(scan.glyphs) < SCAN_MAX_GLYPHS and scan.image_share >= SCAN_MIN_IMAGE_SHARE:
        return "bad"
    return "ok"


# ---- assembling the document -------------------------------------------------------------


@dataclass
class PagedText:
    lines: dict[int, list[TextLine]]
    tables: list[PageTable]


def page_text(scans: list[PageScan]) -> tuple[PagedText, int]:
    """Running lines per good page (tables cut out, headers and footers removed)."""
    lines: dict[int, list[TextLine]] = {}
    heights: dict[int, float] = {}
    tables: list[PageTable] = []
    for scan in scans:
        tables.extend(scan.tables)
        lines[scan.number] = page_lines(glyphs_outside(scan.glyphs, scan.tables), scan.width)
        heights[scan.number] = scan.height
    cleaned, removed = remove_running(lines, heights)
    return PagedText(cleaned, tables), removed


def assemble(scans: list[PageScan], source: str, engine: str) -> Document:
    statuses = {s.number: page_status(s) for s in scans}
    good = [s for s in scans if statuses[s.number] == "ok"]
    bad = [n for n, st in statuses.items() if st == "bad"]
    if not good:
        raise IngestError("no_text_layer", MSG_NO_TEXT) if bad else IngestError("empty", MSG_BLANK)
    paged, removed = page_text(good)
    doc_lines: list[Line] = []
    for page in sorted(paged.lines):
        for i, tl in enumerate(paged.lines[page], start=1):
            doc_lines.append(Line(text=tl.text, line=i, page=page, bbox=tl.bbox))
    tables = merge_tables(paged, doc_lines)
    meta = {
        "pages": len(scans),
        "engine": ["skipped" if statuses[s.number] != "ok" else s.engine for s in scans],
        "running_lines_removed": removed,
        "skipped_pages": bad,
        "blank_pages": [n for n, st in statuses.items() if st == "blank"],
        "warnings": warnings_for(scans, statuses, bad),
    }
    return Document(source=source, kind="pdf", lines=tuple(doc_lines), tables=tuple(tables), meta=meta)


def warnings_for(scans: list[PageScan], statuses: dict[int, str], bad: list[int]) -> list[str]:
    warnings = []
    if bad:
        pages = "、".join(str(n) for n in bad)
        warnings.append(
            f"第 {pages} 页没有可用的文字层（扫描图像或字体缺少字符映射），已跳过，"
            "这些页的内容未经审核：请对这些页做 OCR 或提交文字版 PDF。"
        )
    for s in scans:
        warnings.extend(s.notes)
        if statuses[s.number] == "ok" and s.bad_glyphs:
            warnings.append(f"第 {s.number} 页有 {s.bad_glyphs} 个字符无法识别（以 � 标出），相关内容请人工核对。")
    return warnings


def merge_tables(paged: PagedText, lines: list[Line]) -> list[Table]:
    """Stitch table parts across page breaks and place each table after its last
    preceding running line."""
    parts = sorted(paged.tables, key=lambda t: (t.page, t.bbox[1]))
    continues = [i > 0 and continues_from(parts[i - 1], part, paged) for i, part in enumerate(parts)]
    tables = []
    for group in stitch(parts, continues):
        first = group[0]
        tables.append(build_table(group, after_line=line_before(lines, first.page, first.bbox[1])))
    return tables


def continues_from(prev: PageTable, part: PageTable, paged: PagedText) -> bool:
    """A part continues the previous one if it opens the next page and the previous
    part closed its page (no running text between them)."""
    if part.page != prev.page + 1 or prev.page not in paged.lines or part.page not in paged.lines:
        return False
    below = any(ln.top >= prev.bbox[3] for ln in paged.lines[prev.page])
    above = any(ln.bottom <= part.bbox[1] for ln in paged.lines[part.page])
    return not below and not above


def line_before(lines: list[Line], page: int, top: float) -> int:
    """Index of the last running line before a table at (page, top); -1 if none."""
    last = -1
    for i, ln in enumerate(lines):
        if ln.page < page or (ln.page == page and ln.bbox and ln.bbox[3] <= top + 1):
            last = i
    return last

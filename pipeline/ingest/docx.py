"""DOCX ingestion: bytes -> `Document` of paragraph lines and tables, in document order.

Pages: a DOCX stores no layout, so pages are counted from what the file records. When Word
saved its rendered page breaks (w:lastRenderedPageBreak) those are used; otherwise the
explicit breaks (w:br type="page", pageBreakBefore, next-page section breaks). Files
without either (python-docx output) are one page. `line` is the 1-based index of a
non-empty paragraph (or soft-broken part of one) within its page; empty paragraphs are
skipped. Headers, footers and deleted revisions are ignored; automatic list numbers are
rendered "as shown" (一、 / （1） / 1.) in front of the paragraph text. Merged table cells
follow the PDF rule: positions covered by a merge get text "" (see ingest_pdf_tables).
"""

from __future__ import annotations

import io
import zipfile

from pipeline.ingest.document import Cell, Document, IngestError, Line, Table
from pipeline.ingest.docx_numbering import Numbering
from pipeline.ingest.limits import DOCX_LIMITS, check_zip
from pipeline.ingest.pdf_layout import is_cjk

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
NEW_PAGE_SECTIONS = {"nextPage", "oddPage", "evenPage", None}
OTHER_OFFICE = {
    "xl/workbook.xml": "Excel 工作簿（.xlsx）",
    "ppt/presentation.xml": "PowerPoint 演示文稿（.pptx）",
    "content.xml": "OpenDocument（.odt/.ods）",
}

MSG_CORRUPT = "DOCX 文件已损坏（不是完整的 zip 包），无法读取：请用 Word/WPS 打开后另存为 .docx 再提交。"
MSG_ENCRYPTED = "DOCX 文件设置了打开密码，无法读取：请取消密码后重新保存再提交。"
MSG_LEGACY = "文件扩展名为 .docx，实际是旧版 Word（.doc）格式：请在 Word/WPS 中另存为 .docx 后再提交。"
MSG_OTHER = "文件扩展名为 .docx，实际是{kind}：请提交 Word 文档（.docx）或 PDF。"
MSG_NOT_WORD = "文件不是 Word 文档（缺少 word/document.xml）：请提交 .docx 或 PDF。"
MSG_BAD_XML = "DOCX 文件内容损坏，无法解析（{detail}）：请用 Word/WPS 打开后另存为 .docx 再提交。"
MSG_EMPTY = "DOCX 文档没有正文内容，没有可审核的内容。"


def read_docx(data: bytes, source: str) -> Document:
    """Read a DOCX into a Document, or raise IngestError (never a library exception)."""
    check_container(data)
    try:
        import docx

        wd = docx.Document(io.BytesIO(data))
        walker = BodyWalker(Numbering.from_document(wd), uses_rendered_breaks(wd.element.body))
        walker.start(wd.element.body)
        walker.walk(wd.element.body)
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError("unreadable", MSG_BAD_XML.format(detail=type(exc).__name__)) from exc
    if not walker.lines and not walker.tables:
        raise IngestError("empty", MSG_EMPTY)
    meta = {
        "pages": walker.page,
        "page_breaks": "rendered" if walker.rendered else "explicit",
        "warnings": [],
    }
    return Document(source, "docx", tuple(walker.lines), tuple(walker.tables), meta)


def check_container(data: bytes) -> None:
    """Refuse what is not a readable Word package, with the reason."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE compound file
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise IngestError("encrypted", MSG_ENCRYPTED)
        raise IngestError("unsupported_format", MSG_LEGACY)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "word/document.xml" not in names:
                for part, kind in OTHER_OFFICE.items():
                    if part in names:
                        raise IngestError("unsupported_format", MSG_OTHER.format(kind=kind))
                raise IngestError("unsupported_format", MSG_NOT_WORD)
            check_zip(zf, "DOCX 文件", DOCX_LIMITS)  # python-docx holds every part in memory
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise IngestError("unreadable", MSG_CORRUPT) from exc


def uses_rendered_breaks(body) -> bool:
    return next(body.iter(f"{W}lastRenderedPageBreak"), None) is not None


def join_wrapped(parts: list[str]) -> str:
    """Join a cell's paragraphs the CJK way: a space only between two Latin words."""
    text = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if text and not (is_cjk(text[-1]) or is_cjk(part[0])) and text[-1].isalnum() and part[0].isalnum():
            text += " "
        text += part
    return text


class BodyWalker:
    """Walks the document body in order, counting pages and collecting lines and tables."""

    def __init__(self, numbering: Numbering, rendered: bool):
        self.numbering = numbering
        self.rendered = rendered
        self.page = 1
        self.line_in_page = 0
        self.lines: list[Line] = []
        self.tables: list[Table] = []
        self.next_section_types: list[str | None] = []

    def start(self, body) -> None:
        """Note each section's start type: a section break's kind is recorded on the
        section that follows it."""
        types = [val_of(s.find(f"{W}type")) for s in body.iter(f"{W}sectPr")]
        self.next_section_types = types[1:]

    def new_page(self) -> None:
        self.page += 1
        self.line_in_page = 0

    def walk(self, body) -> None:
        for el in body.iterchildren():
            if el.tag == f"{W}p":
                self.paragraph(el)
            elif el.tag == f"{W}tbl":
                self.table(el)
            elif el.tag == f"{W}sdt":  # content control: walk its content
                content = el.find(f"{W}sdtContent")
                if content is not None:
                    self.walk(content)

    def emit(self, text: str) -> None:
        text = text.strip()
        if text:
            self.line_in_page += 1
            self.lines.append(Line(text=text, line=self.line_in_page, page=self.page))

    def paragraph(self, p) -> None:
        if not self.rendered and paragraph_breaks_before(p) and (self.lines or self.tables):
            self.new_page()
        label = self.numbering.label(p)
        parts = [label]
        for kind, value in paragraph_items(p):
            if kind == "text":
                parts.append(value)
                continue
            page_break = (kind == "rendered" and self.rendered) or (kind == "page" and not self.rendered)
            if kind != "soft" and not page_break:
                continue
            text = "".join(parts)
            if text.strip() != label.strip():  # a break before any text keeps the label
                self.emit(text)
                parts = []
            if page_break:
                self.new_page()
        self.emit("".join(parts))
        if has_section_end(p) and self.next_section_types:
            if self.next_section_types.pop(0) in NEW_PAGE_SECTIONS and not self.rendered:
                self.new_page()

    def table(self, tbl) -> None:
        start_page = self.page
        rows: list[tuple[Cell, ...]] = []
        for tr in tbl.iterchildren(f"{W}tr"):
            if self.rendered and next(tr.iter(f"{W}lastRenderedPageBreak"), None) is not None:
                self.new_page()
            rows.append(self.row(tr, len(rows)))
        if rows:
            after = len(self.lines) - 1
            self.tables.append(Table(rows=tuple(rows), page=start_page, after_line=after))

    def row(self, tr, r: int) -> tuple[Cell, ...]:
        cells: list[Cell] = []
        for tc in tr.iterchildren(f"{W}tc"):
            props = tc.find(f"{W}tcPr")
            span, continued = 1, False
            if props is not None:
                gs = props.find(f"{W}gridSpan")
                span = int(gs.get(f"{W}val", "1")) if gs is not None else 1
                vm = props.find(f"{W}vMerge")
                continued = vm is not None and vm.get(f"{W}val", "continue") == "continue"
            text = "" if continued else self.cell_text(tc)
            for k in range(max(span, 1)):
                cells.append(Cell(text=text if k == 0 else "", row=r, col=len(cells), page=self.page))
        return tuple(cells)

    def cell_text(self, tc) -> str:
        parts = []
        for p in tc.iter(f"{W}p"):
            label = self.numbering.label(p)
            parts.append(label + "".join(v for k, v in paragraph_items(p, nested=False) if k == "text"))
        return join_wrapped(parts)


def paragraph_breaks_before(p) -> bool:
    ppr = p.find(f"{W}pPr")
    if ppr is None:
        return False
    pb = ppr.find(f"{W}pageBreakBefore")
    return pb is not None and pb.get(f"{W}val", "true") not in ("0", "false")


def has_section_end(p) -> bool:
    ppr = p.find(f"{W}pPr")
    return ppr is not None and ppr.find(f"{W}sectPr") is not None


def val_of(el) -> str | None:
    return el.get(f"{W}val") if el is not None else None


def paragraph_items(p, nested: bool = True):
    """(kind, value) events of a paragraph in order: text, soft (line break), page
    (explicit page break), rendered (Word's recorded page break). Skips mc:Fallback
    copies and, unless nested, paragraphs of text boxes inside this one."""
    stack = [iter(p)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        tag = el.tag
        if tag == MC_FALLBACK or tag == f"{W}pPr" or (not nested and tag == f"{W}txbxContent"):
            continue
        if tag == f"{W}t":
            yield "text", el.text or ""
        elif tag == f"{W}tab":
            yield "text", "\t"
        elif tag == f"{W}br":
            yield ("page", None) if el.get(f"{W}type") == "page" else ("soft", None)
        elif tag == f"{W}cr":
            yield "soft", None
        elif tag == f"{W}lastRenderedPageBreak":
            yield "rendered", None
        elif tag == f"{W}noBreakHyphen":
            yield "text", "-"
        elif tag == f"{W}p":  # a text-box paragraph: keep its text, on its own
            yield "soft", None
            stack.append(iter(el))
        else:
            stack.append(iter(el))

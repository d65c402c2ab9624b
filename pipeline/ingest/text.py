"""Ingest stage: a file on disk -> `Document`.

Plain text is handled here; PDF and DOCX live in their own modules and are
imported only when such a file arrives (pdfplumber and python-docx are slow
to import). Anything unreadable raises `IngestError` with a SPEC §3 code.
"""

from __future__ import annotations

import codecs
import stat
from dataclasses import replace
from pathlib import Path

from pipeline.ingest import limits
from pipeline.ingest.document import Document, IngestError, Line, bytes_identity, text_identity
from pipeline.ingest.settings import ReadSettings, as_read_settings

TEXT_SUFFIXES = {".txt", ".text"}
INPUT_SUFFIXES = {".txt", ".pdf", ".docx"}
# Formats we know and refuse with advice rather than a generic error.
LEGACY_FORMATS = {
    ".doc": "旧版 Word（.doc）",
    ".wps": "WPS 文字（.wps）",
    ".et": "WPS 表格（.et）",
    ".xls": "Excel 97-2003（.xls）",
    ".rtf": "RTF",
    ".ofd": "OFD 版式文件",
}
# Share of control characters above which decoded text is taken as binary junk.
MAX_CONTROL_SHARE = 0.02
MAX_TEXT_BYTES = 50 * 1024 * 1024


def read_document(path: str | Path, display_name: str | None = None, settings: ReadSettings | None = None,
                  *, ocr_plan=None, **options) -> Document:
    """Read one input file into a Document, or raise IngestError.

    `settings` (or the keyword options of `ReadSettings.from_options`:
    pdf_engine, ocr, ocr_cache_dir, ocr_dpi) say how PDF text and scanned
    pages are read; `ocr_plan` (a `pipeline.ingest.ocr.pdf.OcrPlan`) lets a
    batch OCR the pages in its pool."""
    settings = as_read_settings(settings, **options)
    path = Path(path)
    name = display_name or str(path)
    suffix = path.suffix.lower()
    if suffix in LEGACY_FORMATS:
        raise IngestError(
            "unsupported_format",
            f"不支持的文件格式：{LEGACY_FORMATS[suffix]}。请另存为 .docx 或导出为 PDF 后重新提交。",
        )
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO or a device would be read for ever
            raise IngestError("unreadable", "不是普通文件（命名管道、设备或指向它们的链接），无法读取。")
        limits.check_input_size(st.st_size)
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError("unreadable", f"无法读取文件：{exc.strerror or exc}") from exc
    if not data.strip():
        raise IngestError("empty", "文件为空，没有可审核的内容。")
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        limits.check_pdf_streams(data)
        limits.check_pdf_pages(data)
        if settings.ocr.mode == "never":
            from pipeline.ingest.pdf import read_pdf

            return replace(read_pdf(data, name, engine=settings.pdf_engine), identity=bytes_identity(data))
        from pipeline.ingest.ocr.pdf import read_pdf_ocr

        doc = read_pdf_ocr(data, name, settings.pdf_engine, settings.ocr, ocr_plan)
        return replace(doc, identity=bytes_identity(data))
    if suffix == ".docx" or (data[:2] == b"PK" and suffix not in TEXT_SUFFIXES):
        from pipeline.ingest.docx import read_docx

        return replace(read_docx(data, name), identity=bytes_identity(data))
    if suffix in TEXT_SUFFIXES or not suffix:
        return read_text_bytes(data, name)
    raise IngestError(
        "unsupported_format",
        f"不支持的文件类型“{suffix}”：请提交 .txt、.docx 或 .pdf 文件。",
    )


def read_text_bytes(data: bytes, source: str) -> Document:
    """Decode a text file whose encoding is not declared and split it into lines."""
    if len(data) > MAX_TEXT_BYTES:
        raise IngestError("unreadable", f"文本文件超过 {MAX_TEXT_BYTES // 2**20} MiB，不像是一份自评报告。")
    text, encoding = decode_text(data)
    if not text.strip():
        raise IngestError("empty", "文件只有空白字符，没有可审核的内容。")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > MAX_CONTROL_SHARE * len(text):
        raise IngestError("unreadable", "文件含大量控制字符，像是二进制文件而不是文本，无法读取。")
    lines = tuple(Line(text=t, line=i) for i, t in enumerate(split_lines(text), start=1))
    return Document(source=source, kind="txt", lines=lines, meta={"encoding": encoding},
                    identity=text_identity(text))


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). BOMs win; then strict UTF-8; then the
    charset detector, restricted to the encodings Chinese reports arrive in."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise IngestError("unreadable", f"文件声明为 {enc} 编码但无法按此解码：{exc.reason}") from exc
    if b"\x00" not in data:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    guess = _detect(data)
    if guess is None:
        raise IngestError(
            "unreadable",
            "无法识别文本编码（不是 UTF-8、GB18030/GBK 或 UTF-16），可能是二进制文件；请另存为 UTF-8 文本后重试。",
        )
    return guess


def _plausible_share(text: str) -> float:
    """Share of characters a Chinese report is made of: CJK ideographs, ASCII
    printables, CJK and full-width punctuation, whitespace."""
    ok = sum(
        1
        for ch in text
        if "\u4e00" <= ch <= "\u9fff" or " " <= ch <= "~" or ch in "\r\n\t"
        or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in "“”‘’—…·×÷≥≤"
    )
    return ok / max(len(text), 1)


def _detect(data: bytes) -> tuple[str, str] | None:
    # The encodings reports arrive in, tried strictly and judged by how much
    # of the result looks like Chinese report text; a generic detector is
    # only the fallback (it misjudges short or repetitive texts).
    best: tuple[float, str, str] | None = None
    for enc in ("gb18030", "utf-16-le", "utf-16-be"):
        if enc.startswith("utf-16") and len(data) % 2:
            continue
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        share = _plausible_share(text)
        if best is None or share > best[0]:
            best = (share, text, "gb18030" if enc == "gb18030" else "utf-16")
    if best and best[0] >= 0.95:
        return best[1], best[2]
    return _detect_generic(data)


def _detect_generic(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(
        data, cp_isolation=["gb18030", "utf_16_le", "utf_16_be", "utf_8", "big5"]
    ).best()
    if best is None or best.encoding is None:
        return None
    enc = best.encoding
    # GBK and GB2312 are subsets of GB18030; decode with the superset.
    if enc in ("gbk", "gb2312", "hz"):
        enc = "gb18030"
    try:
        return data.decode(enc), enc
    except (UnicodeDecodeError, LookupError):
        return None


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR and LF (and form feeds, which mark page breaks in
    text dumps); keep empty lines so line numbers match the file."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines

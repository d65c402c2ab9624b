"""Size limits on what a file may make perfaudit hold in memory, checked
before a library is handed the file. A self-evaluation report is a few
hundred kilobytes to a few megabytes; these limits are far above that and
far below what would exhaust a machine. A refused file is a failed input
with code `too_large` (beyond SPEC §3's list, as SPEC allows) and a Chinese
message saying which limit it passed.

- any input: its size on disk (it is read whole);
- DOCX and XLSX (zip packages): each part's and all parts' uncompressed size,
  and the compression ratio of large parts (a 1 MB DOCX holding a 1 GiB image
  of zeros). zipfile stops inflating a part at its declared size (and then
  fails its CRC), so the declared sizes checked here bound the real ones;
- PDF: the page count, the inflated size of its content streams and the
  declared size of its images, and the pixels of a page rendered for OCR (a
  660-byte PDF can declare a page of 5 x 5 metres).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass

from pipeline.ingest.document import IngestError

MiB = 2**20
MAX_INPUT_BYTES = 200 * MiB  # one input file read whole (the archive member limit is the same)
MAX_PDF_PAGES = 2_000  # a report runs to tens of pages; a bound album of scans to a few hundred
# A page rendered for OCR: 40 million pixels is A1 at 200 dpi (A4 is 3.9 million); the
# bitmap and its working copies take about 20 bytes a pixel.
MAX_RENDER_PIXELS = 40_000_000


@dataclass(frozen=True)
class ZipLimits:
    """What one zip package (DOCX, XLSX) may hold, uncompressed."""

    max_part: int  # bytes of any one part
    max_xml_part: int  # bytes of one XML part (parsed into a tree many times its size)
    max_total: int  # bytes of all parts together
    max_ratio: int = 100  # uncompressed / compressed, for parts above RATIO_FLOOR (XML compresses 5-30x)
    max_parts: int = 10_000


RATIO_FLOOR = MiB  # small parts may compress as well as they like
DOCX_LIMITS = ZipLimits(max_part=64 * MiB, max_xml_part=32 * MiB, max_total=128 * MiB)
XLSX_LIMITS = ZipLimits(max_part=128 * MiB, max_xml_part=128 * MiB, max_total=256 * MiB)


def too_large(message: str) -> IngestError:
    return IngestError("too_large", message)


def check_input_size(size: int) -> None:
    if size > MAX_INPUT_BYTES:
        raise too_large(f"文件大小 {_mib(size)}，超过单个文件上限 {_mib(MAX_INPUT_BYTES)}，已拒绝"
                        "（自评报告通常只有几百 KB 到几 MB）。")


def check_zip(zf: zipfile.ZipFile, what: str, limits: ZipLimits) -> None:
    """Refuse a package whose parts would inflate past `limits` (IngestError too_large)."""
    infos = zf.infolist()
    if len(infos) > limits.max_parts:
        raise too_large(f"{what}包含 {len(infos)} 个部件，超过上限 {limits.max_parts}，已拒绝。")
    total = 0
    for info in infos:
        size = info.file_size
        cap = limits.max_xml_part if info.filename.lower().endswith((".xml", ".rels")) else limits.max_part
        if size > cap:
            raise too_large(f"{what}中的部件 {info.filename} 解压后 {_mib(size)}，超过上限 {_mib(cap)}，"
                            "已拒绝（疑为压缩炸弹或嵌入了超大图片）。")
        if size > RATIO_FLOOR and size > limits.max_ratio * max(info.compress_size, 1):
            raise too_large(f"{what}中的部件 {info.filename} 压缩比 {size // max(info.compress_size, 1)}:1，"
                            f"超过上限 {limits.max_ratio}:1，疑为压缩炸弹，已拒绝。")
        total += size
        if total > limits.max_total:
            raise too_large(f"{what}解压后总大小超过上限 {_mib(limits.max_total)}，已拒绝（疑为压缩炸弹）。")


def check_pdf_pages(data: bytes) -> None:
    """Refuse a PDF of more than MAX_PDF_PAGES pages (one that cannot be opened is
    left to the reader, which says why)."""
    try:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
    except Exception:  # noqa: BLE001 - encrypted, damaged: read_pdf maps the error
        return
    try:
        count = len(pdf)
    finally:
        pdf.close()
    if count > MAX_PDF_PAGES:
        raise too_large(f"PDF 共 {count} 页，超过上限 {MAX_PDF_PAGES} 页，已拒绝（自评报告通常只有几十页）。")


# Inflated size of a PDF's Flate streams other than images and fonts (page contents, forms,
# object streams): what the parsers turn into objects, a few hundred bytes each. A report's
# pages hold tens of kilobytes each; a 100 KB PDF holding 30 MB of text operators took
# pdfium 440 MB and pdfplumber over 14 GB (still climbing when stopped).
MAX_CONTENT_BYTES = 64 * MiB  # all of them
MAX_STREAM_BYTES = 4 * MiB  # one of them (a dense page exported by Word is some 250 KB)
MAX_IMAGE_PIXELS = 200_000_000  # declared width x height of one image (rendered for OCR)
ZLIB_MAX_RATIO = 1032  # deflate cannot inflate more than this
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_IMAGE = re.compile(rb"/Subtype\s*/Image")
_FONT = re.compile(rb"/Length[123]\b|/Subtype\s*/(?:Type1C|CIDFontType0C|OpenType)")
_FLATE = re.compile(rb"/Filter\s*(?:\[\s*)?/(?:FlateDecode|Fl)\b")
_SIZE = re.compile(rb"/(Width|Height)\s+(\d{1,9})\b")


def check_pdf_streams(data: bytes) -> None:
    """Refuse a PDF whose content streams inflate past MAX_CONTENT_BYTES or
    whose image declares more than MAX_IMAGE_PIXELS. Streams are found in the
    raw bytes; only as many are inflated (largest first, counting, never
    held) as it takes to know: a file whose streams cannot reach the limit
    even at deflate's best ratio is passed without inflating anything."""
    flate = []
    for keyword, start in _streams(data):
        head = data[max(0, data.rfind(b"obj", max(0, keyword - 8192), keyword)):keyword]
        if _IMAGE.search(head):
            size = dict((k, int(v)) for k, v in _SIZE.findall(head))
            if size.get(b"Width", 0) * size.get(b"Height", 0) > MAX_IMAGE_PIXELS:
                raise too_large(f"PDF 中有一幅图像声明为 {size[b'Width']}×{size[b'Height']} 像素，超过上限 "
                                f"{MAX_IMAGE_PIXELS // 1_000_000} 百万像素，已拒绝（可能是恶意构造的文件）。")
            continue
        if _FONT.search(head) or not _FLATE.search(head):
            continue
        end = data.find(b"endstream", start)
        flate.append((start, (end if end != -1 else len(data)) - start))
    bound = ZLIB_MAX_RATIO * sum(length for _, length in flate)
    inflated = 0
    for start, length in sorted(flate, key=lambda f: -f[1]):
        if inflated + bound <= MAX_CONTENT_BYTES and ZLIB_MAX_RATIO * length <= MAX_STREAM_BYTES:
            return  # what is left cannot reach either limit
        bound -= ZLIB_MAX_RATIO * length
        size = _inflated_size(data, start, length, MAX_STREAM_BYTES + 1)
        inflated += size
        if size > MAX_STREAM_BYTES or inflated > MAX_CONTENT_BYTES:
            limit = _mib(MAX_STREAM_BYTES) + "（单个内容流）" if size > MAX_STREAM_BYTES else _mib(MAX_CONTENT_BYTES)
            raise too_large(f"PDF 的页面内容解压后超过 {limit}，已拒绝（疑为压缩炸弹：少量字节展开成海量文字对象）。")


def _streams(data: bytes):
    """(where the keyword is, where the data starts) of every `stream` keyword that ends
    its line and is not `endstream`: what _STREAM finds, by bytes.find (a regular
    expression over a file's compressed bytes took a millisecond a file)."""
    pos = data.find(b"stream")
    while pos != -1:
        after = pos + 6
        if not (pos >= 3 and data[pos - 3:pos] == b"end"):
            if data[after:after + 2] == b"\r\n":
                yield pos, after + 2
            elif data[after:after + 1] in (b"\n", b"\r"):
                yield pos, after + 1
        pos = data.find(b"stream", after)


def _inflated_size(data: bytes, start: int, length: int, cap: int) -> int:
    """Bytes the deflate stream at data[start:start+length] inflates to, counted up
    to `cap` (a damaged stream counts what it gave)."""
    d, out, pos, step = zlib.decompressobj(), 0, start, 1 << 20
    try:
        while pos < start + length and out < cap and not d.eof:
            chunk = data[pos:min(pos + step, start + length)]
            pos += len(chunk)
            buf = d.decompress(chunk, step)
            out += len(buf)
            while d.unconsumed_tail and out < cap and not d.eof:
                buf = d.decompress(d.unconsumed_tail, step)
                if not buf:  # a byte past the end of the deflate data: nothing more will come
                    break
                out += len(buf)
    except zlib.error:
        pass
    return out


def check_render(width_pt: float, height_pt: float, dpi: int) -> None:
    """A page of width x height points rendered at `dpi` must stay under MAX_RENDER_PIXELS."""
    pixels = (width_pt / 72 * dpi) * (height_pt / 72 * dpi)
    if pixels > MAX_RENDER_PIXELS:
        raise too_large(f"PDF 有一页尺寸 {width_pt / 72 * 2.54:.0f}×{height_pt / 72 * 2.54:.0f} 厘米，"
                        f"按 {dpi} dpi 识别需 {pixels / 1e6:.0f} 百万像素，超过上限 {MAX_RENDER_PIXELS / 1e6:.0f} 百万像素，"
                        "已拒绝（可能是异常或恶意构造的页面）。")


def _mib(n: int) -> str:
    return f"{n / MiB:.1f} MiB" if n < 10 * MiB else f"{n // MiB} MiB"

"""PDF ingestion on the committed fixtures (fixtures/pdf, built by make_fixtures.py)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from pipeline.ingest.document import IngestError
from pipeline.ingest.pdf import read_pdf
from pipeline.ingest.text import read_document

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "pdf"
GOOD = ["form", "twocol", "sample", "letterspaced", "fakebold", "cidfont", "mixed"]
ENGINES = ["auto", "pdfplumber", "pdfium"]
CJK_SPACE = re.compile(r"[\u4e00-\u9fff，。；：、（）]\s+[\u4e00-\u9fff，。；：、（）]")
SPLIT_NUMBER = re.compile(r"\d\s+[.．%]|[.．]\s+\d|\d\s\d\s\d")
SAMPLE_PHRASES = [
    "指标完成率是100.005%",
    "补贴补贴",
    "综合得分99.94分",
    "高龄津，预期指标是>=6000人",
    "全年预算总额为3921.85万元",
    "基本支出预算数289.23万元，年中追减基本支出预算数32.09万元",
    "项目支出预算数4202.7万元",
    "困需发放11月困难群众物价补贴的人",
    "评价结果为“优”",
]


def read(name: str, engine: str = "auto"):
    return read_pdf((FIX / f"{name}.pdf").read_bytes(), f"{name}.pdf", engine)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def page_texts(doc) -> dict[int, str]:
    pages: dict[int, str] = {}
    for ln in doc.lines:
        pages[ln.page] = pages.get(ln.page, "") + ln.text
    return {p: squash(t) for p, t in pages.items()}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "name, code",
    [("scan", "no_text_layer"), ("cid_garbage", "no_text_layer"), ("encrypted", "encrypted"),
     ("truncated", "unreadable")],
)
def test_bad_pdfs_give_their_spec_code(name, code, engine):
    with pytest.raises(IngestError) as info:
        read(name, engine)
    assert info.value.code == code
    assert re.search(r"[\u4e00-\u9fff]", info.value.message)  # a Chinese sentence
    assert "请" in info.value.message  # ... that says what to do


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\n" + b"\x00garbage" * 50 + b"\n%%EOF\n", b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF"],
)
def test_corrupt_bytes_are_unreadable_not_a_traceback(data):
    for engine in ENGINES:
        with pytest.raises(IngestError) as info:
            read_pdf(data, "x.pdf", engine)
        assert info.value.code == "unreadable"


def test_blank_pdf_is_empty():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.showPage()
    c.save()
    with pytest.raises(IngestError) as info:
        read_pdf(buf.getvalue(), "blank.pdf")
    assert info.value.code == "empty"


def test_unknown_engine_is_a_programming_error():
    with pytest.raises(ValueError):
        read_pdf(b"%PDF-1.4 %%EOF", "x.pdf", engine="mupdf")


def test_mixed_file_skips_the_image_page_with_a_warning():
    doc = read("mixed")
    assert doc.meta["skipped_pages"] == [2]
    assert doc.meta["engine"] == ["pdfium", "skipped"]
    assert any("第 2 页" in w and "OCR" in w for w in doc.meta["warnings"])
    assert {ln.page for ln in doc.lines} == {1}
    assert "3664.71万元" in "".join(ln.text for ln in doc.lines)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", GOOD)
def test_lines_carry_page_and_line_numbers(name, engine):
    doc = read(name, engine)
    assert doc.kind == "pdf" and doc.lines
    expected: dict[int, int] = {}
    for ln in doc.lines:
        expected[ln.page] = expected.get(ln.page, 0) + 1
        assert ln.line == expected[ln.page]
        assert ln.bbox is not None and ln.text == ln.text.strip() and ln.text
    assert min(expected) >= 1 and max(expected) <= doc.meta["pages"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", GOOD)
def test_no_spaces_between_cjk_or_inside_numbers(name, engine):
    doc = read(name, engine)
    texts = [ln.text for ln in doc.lines] + [c.text for t in doc.tables for r in t.rows for c in r]
    for text in texts:
        assert not CJK_SPACE.search(text), text
        assert not SPLIT_NUMBER.search(text), text


@pytest.mark.parametrize("engine", ENGINES)
def test_letter_spaced_numbers_are_whole(engine):
    text = "\n".join(ln.text for ln in read("letterspaced", engine).lines)
    assert "全年预算数3664.71万元" in text
    assert "预算执行率为98.5%。" in text
    assert "指标完成率是100.005%" in text
    assert "字距5：执行数3664.71万元" in text


@pytest.mark.parametrize("engine", ENGINES)
def test_fake_bold_heading_appears_once(engine):
    lines = [ln.text for ln in read("fakebold", engine).lines]
    assert lines[0] == "一、部门单位整体支出绩效分析"
    assert "一一" not in "".join(lines)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "name, running",
    [("cidfont", "某某局2023年度部门整体支出绩效自评报告"), ("form", "困难群众救助补助资金项目支出绩效自评报告"),
     ("twocol", "民政局2023年度绩效自评材料"), ("sample", "内部审核稿")],
)
def test_running_header_footer_and_page_numbers_removed(name, running, engine):
    doc = read(name, engine)
    joined = squash("".join(ln.text for ln in doc.lines))
    assert squash(running) not in joined
    for ln in doc.lines:
        assert not re.fullmatch(r"[-—\s]*\d+[-—\s]*|第\s*\d+\s*页", ln.text), ln
    assert doc.meta["running_lines_removed"] >= 2 * doc.meta["pages"] - 1


@pytest.mark.parametrize("engine", ["auto", "pdfplumber"])
def test_table_across_page_break_is_one_table(engine):
    doc = read("form", engine)
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert len(table.rows) == 16 and all(len(r) == 8 for r in table.rows)
    header = [c.text for c in table.rows[0]]
    assert header == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    assert sum(1 for r in table.rows if r[0].text == "一级指标") == 1  # repeated header dropped
    assert {c.page for r in table.rows for c in r} == {2, 3}
    assert [c.row for c in table.rows[5]] == [5] * 8 and [c.col for c in table.rows[5]] == list(range(8))
    # Merged 一级指标: the first row has the text, covered positions are "".
    assert table.rows[1][0].text == "产出指标" and table.rows[2][0].text == ""
    assert table.rows[2][0].bbox is None
    row7 = [squash(c.text) for c in table.rows[7]]  # LibreOffice spaces digits from Han visually
    assert row7[2:7] == ["80岁以上老人高龄津贴发放人数", ">=6000人", "5964人", "5", "4.94"]
    assert table.rows[7][7].text == "年末有部分老人去世，导致未达到预期指标值；下一年度参考近三年实际完成值设置指标。"
    before, after = doc.lines[table.after_line], doc.lines[table.after_line + 1]
    assert before.text.endswith("相关数据已核实。") and after.text == "三、评价结论"
    # auto reads every page with pdfium and finds tables on pdfium's edges (pdfium_edges)
    assert doc.meta["engine"] == [engine if engine != "auto" else "pdfium"] * 4


def test_table_without_repeated_header_is_stitched_and_columns_read_in_order():
    doc = read("twocol")
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert len(table.rows) == 16 and table.rows[0][0].text == "一级指标" and table.page == 1
    assert table.rows[-1][2].text == "受补贴群众满意度"
    assert doc.lines[table.after_line].text.startswith("成情况良好")
    texts = [ln.text for ln in doc.lines]
    starts = [i for i, t in enumerate(texts) if t.startswith("左右栏第")]
    assert [re.search(r"\d", texts[i]).group() for i in starts] == list("12345678")  # left, then right
    assert texts.index("二、绩效指标完成情况") > starts[-1]


@pytest.mark.parametrize("engine", ENGINES)
def test_sample_rendering_keeps_the_key_phrases(engine):
    joined = squash("".join(ln.text for ln in read("sample", engine).lines))
    for phrase in SAMPLE_PHRASES:
        assert squash(phrase) in joined, phrase
    assert "内部审核稿" not in joined and "-1-" not in joined


def ruled_pages(path: Path) -> set[int]:
    """1-based numbers of the pages with ruling lines (where tables are looked for)."""
    import pypdfium2 as pdfium

    from pipeline.ingest.pdf_engines import page_objects

    doc = pdfium.PdfDocument(path.read_bytes())
    try:
        return {n for n in range(1, len(doc) + 1) if page_objects(doc[n - 1]).has_rules}
    finally:
        doc.close()


@pytest.mark.parametrize("name", GOOD)
def test_both_engines_agree_on_ordinary_pages(name):
    auto = read(name)
    ordinary = set(range(1, auto.meta["pages"] + 1)) - ruled_pages(FIX / f"{name}.pdf")
    fast = page_texts(read(name, "pdfium"))
    slow = page_texts(read(name, "pdfplumber"))
    for page in ordinary:
        assert fast.get(page) == slow.get(page), f"{name} page {page}"
    if name != "twocol":  # twocol's only ordinary page is nearly empty
        assert ordinary


TABLE_PDFS = sorted([*(FIX / f"{n}.pdf" for n in GOOD), *(FIX.parent / "forms" / "corpus").glob("*.pdf"),
                     *(FIX.parent / "forms2" / "corpus").glob("*.pdf")])


@pytest.mark.parametrize("path", TABLE_PDFS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_tables_from_pdfium_edges_are_pdfplumbers(path):
    """auto finds tables with pdfplumber's table finder on edges read from pdfium's path
    objects (pdfium_edges): the same tables, cells, cell boxes and text as pdfplumber's
    own edges after pdfminer's parse, and the same running text."""
    data = path.read_bytes()
    auto, plumber = read_pdf(data, path.name, "auto"), read_pdf(data, path.name, "pdfplumber")

    def cells(doc):
        return [([(c.text, c.row, c.col, c.page, c.bbox) for row in t.rows for c in row], t.page, t.after_line)
                for t in doc.tables]

    assert cells(auto) == cells(plumber)
    assert [(ln.text, ln.page, ln.line) for ln in auto.lines] == [(ln.text, ln.page, ln.line) for ln in plumber.lines]
    if path.parent == FIX:
        return
    assert auto.tables, "every form has a ruled table"


def ruled_page_pdf(rotated: bool) -> bytes:
    """A page with a ruled table, a quarter-turned label in its first column and a 45°
    watermark; `rotated`: a landscape page stored portrait with /Rotate 90."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    if rotated:
        c.setPageRotation(90)
        c.translate(595, 0)
        c.rotate(90)
    c.setFont("STSong-Light", 12)
    c.drawString(60, 520, "某某项目支出绩效自评报告")
    rows = [["一级指标", "二级指标", "年度指标值", "实际完成值", "分值"], ["", "数量指标", "100人", "98人", "10"],
            ["", "质量指标", ">=90%", "95%", "20"]]
    xs, y0 = [60, 140, 240, 340, 440, 520], 480
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            c.drawString(xs[j] + 4, y0 - 30 * i - 18, cell)
    for i in range(len(rows) + 1):
        c.line(xs[0], y0 - 30 * i, xs[-1], y0 - 30 * i)
    for x in xs:
        c.line(x, y0, x, y0 - 30 * len(rows))
    c.saveState()
    c.translate(100, y0 - 35)
    c.rotate(-90)
    c.drawString(0, 0, "产出指标")  # pdfminer calls a quarter-turned character not upright: pdfplumber skips it
    c.restoreState()
    c.saveState()
    c.translate(200, 200)
    c.rotate(45)
    c.drawString(0, 0, "内部资料")
    c.restoreState()
    c.drawString(60, 340, "正文说明：本页有竖排文字。")
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("rotated", [False, True])
def test_ruled_pages_turned_or_with_turned_text_read_as_pdfplumber_reads_them(rotated):
    """auto keeps what pdfplumber keeps on a ruled page: no quarter-turned characters; a
    page with /Rotate goes through pdfplumber itself (pdfium's coordinates do not turn)."""
    data = ruled_page_pdf(rotated)
    auto, plumber = read_pdf(data, "t.pdf", "auto"), read_pdf(data, "t.pdf", "pdfplumber")
    assert auto.meta["engine"] == ["pdfplumber" if rotated else "pdfium"]
    assert [ln.text for ln in auto.lines] == [ln.text for ln in plumber.lines]
    assert [[(c.text, c.bbox) for c in row] for t in auto.tables for row in t.rows] == \
        [[(c.text, c.bbox) for c in row] for t in plumber.tables for row in t.rows]
    assert auto.tables[0].rows[1][1].text == "数量指标" and "产出指标" not in "".join(ln.text for ln in auto.lines)


def test_pdfium_edges_follow_pdfminers_path_shapes():
    """pdfminer's paint_path classes a subpath as a line, a rectangle or a curve; pdfium
    lists a close as a flag on a last point (a line back to the start when needed)."""
    from pipeline.ingest.pdf_engines import classify_subpath, curve_edges, line_edge, rect_edges

    box = [(0, 0), (10, 0), (10, 5), (0, 5), (0, 0)]
    assert classify_subpath("mllllh", box + [(0, 0)]) == ("rect", box)  # pdfium's "re" or "m l l l h"
    assert classify_subpath("mllll", box)[0] == "rect"
    assert classify_subpath("mllh", [(0, 0), (5, 0), (0, 0), (0, 0)]) == ("line", [(0, 0), (5, 0)])
    assert classify_subpath("ml", [(0, 0), (0, 5)]) == ("line", [(0, 0), (0, 5)])
    assert classify_subpath("mlll", box[:4])[0] == "curve"
    assert line_edge((3, 2), (1, 2))["orientation"] == "h" and line_edge((1, 2), (3, 4))["orientation"] == "v"
    assert [(e["orientation"], e["x0"], e["x1"], e["top"], e["bottom"]) for e in rect_edges((0, 5), (10, 0))] == [
        ("h", 0, 10, 0, 0), ("h", 0, 10, 5, 5), ("v", 0, 0, 0, 5), ("v", 10, 10, 0, 5)]
    assert [e["orientation"] for e in curve_edges([(0, 0), (5, 0), (5, 5), (0, 0)])] == ["h", "v", None]


def test_table_finder_loads_without_pdfminer_and_finds_the_same_tables():
    """auto's table finder is pdfplumber's own table.py, loaded without pdfplumber's package
    (and so without pdfminer); on every fixture form it finds what pdfplumber.table finds."""
    code = r"""
import sys
from pathlib import Path
import pypdfium2 as pdfium
from pipeline.ingest.pdf_engines import page_objects, pdfium_edges
from pipeline.ingest.pdf_tables import TABLE_SETTINGS, EdgePage, table_finder
private = table_finder()
assert private.__module__ == "_perfaudit_pdfplumber.table", private.__module__
assert "pdfminer" not in sys.modules and "pdfplumber" not in sys.modules
from pdfplumber.table import TableFinder
pages = 0
for path in sorted(Path("fixtures/forms/corpus").glob("*.pdf")) + [Path("fixtures/pdf/form.pdf")]:
    doc = pdfium.PdfDocument(path.read_bytes())
    for n in range(len(doc)):
        page = doc[n]
        if not page_objects(page).has_rules:
            continue
        edges, box = pdfium_edges(page), (0, 0) + tuple(page.get_size())
        ours = [(t.bbox, [r.cells for r in t.rows]) for t in private(EdgePage(edges, box), TABLE_SETTINGS).tables]
        theirs = [(t.bbox, [r.cells for r in t.rows]) for t in TableFinder(EdgePage(edges, box), TABLE_SETTINGS).tables]
        assert ours == theirs and ours, (path, n)
        pages += 1
    doc.close()
print(pages)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 0, out.stderr[-3000:]
    assert int(out.stdout.strip()) >= 20


def test_pdfium_edges_inside_transformed_forms_are_pdfplumbers():
    """Rules drawn in a form XObject under scaled and moved coordinates, rectangles, a thin
    filled bar, a curve and a closed triangle: the same edges and tables as pdfplumber's."""
    import pdfplumber
    import pypdfium2 as pdfium
    from pdfplumber.table import TableFinder
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from pipeline.ingest.pdf_engines import pdfium_edges
    from pipeline.ingest.pdf_tables import TABLE_SETTINGS, EdgePage

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.beginForm("grid")
    c.saveState()
    c.translate(20, -30)
    c.scale(1.5, 1.2)
    for i in range(5):
        c.line(60, 700 - 20 * i, 300, 700 - 20 * i)
    for x in (60, 140, 220, 300):
        c.line(x, 700, x, 620)
    c.rect(320, 620, 100, 80, stroke=1, fill=0)
    c.rect(320, 640, 100, 0.5, stroke=0, fill=1)
    c.bezier(320, 600, 330, 590, 340, 590, 350, 600)
    path = c.beginPath()
    path.moveTo(330, 560)
    path.lineTo(400, 560)
    path.lineTo(400, 520)
    path.close()
    c.drawPath(path)
    c.restoreState()
    c.endForm()
    c.saveState()
    c.translate(5, -40)
    c.doForm("grid")
    c.restoreState()
    c.rect(40, 100, 200, 60)
    c.line(140, 100, 140, 160)
    c.line(40, 130, 240, 130)
    c.showPage()
    c.save()
    data = buf.getvalue()

    def rounded(edges):
        keys = ("object_type", "orientation", "x0", "x1", "top", "bottom", "width", "height")
        return [tuple(round(e[k], 3) if isinstance(e[k], float) else e[k] for k in keys)
                for e in edges if e["orientation"] in ("h", "v")]

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        ref_edges = rounded(page.edges)
        ref = [[tuple(round(v, 2) for v in cell) for cell in t.cells] for t in page.find_tables(TABLE_SETTINGS)]
    doc = pdfium.PdfDocument(data)
    edges = pdfium_edges(doc[0])
    doc.close()
    found = TableFinder(EdgePage(edges, (0, 0, 595.0, 842.0)), TABLE_SETTINGS).tables
    assert rounded(edges) == ref_edges and len(ref_edges) == 26
    assert [[tuple(round(v, 2) for v in cell) for cell in t.cells] for t in found] == ref and len(ref) == 3


def test_dispatch_through_read_document():
    doc = read_document(FIX / "cidfont.pdf")
    assert doc.kind == "pdf" and doc.meta["pages"] == 3
    with pytest.raises(IngestError) as info:
        read_document(FIX / "encrypted.pdf")
    assert info.value.code == "encrypted"


def test_pdf_libraries_are_imported_lazily():
    code = (
        "import sys, pipeline.ingest.text, pipeline.ingest.pdf, pipeline.ingest.docx;"
        "print(sorted(m for m in ('pdfplumber', 'pypdfium2', 'docx', 'pdfminer') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]"


def body(top: float, text: str = "正文内容正文内容"):
    from pipeline.ingest.pdf_layout import TextLine

    return TextLine(text, 90.0, top, 500.0, top + 12.0)


def test_bare_page_numbers_go_but_wrapped_numbers_stay():
    from pipeline.ingest.pdf_layout import remove_running

    pages = {
        # A bare "3" well below the body is a page number.
        1: [body(100), body(120), body(140, "结尾。"), body(800, "3")],
        # A wrapped line that is only a number, one line pitch below the body, is text,
        # even though it lies in the bottom margin band.
        2: [body(730), body(750), body(770, "120")],
        3: [body(100), body(805, "第 3 页")],
    }
    cleaned, removed = remove_running(pages, {1: 842.0, 2: 842.0, 3: 842.0})
    assert [ln.text for ln in cleaned[1]] == ["正文内容正文内容", "正文内容正文内容", "结尾。"]
    assert [ln.text for ln in cleaned[2]][-1] == "120"
    assert [ln.text for ln in cleaned[3]] == ["正文内容正文内容"]
    assert removed == 2


def typed_glyphs(page):
    """Reference reading through pypdfium2.raw's typed bindings, four calls per glyph:
    what pdf_engines.pdfium_glyphs does with untyped calls (see _Pdfium)."""
    import ctypes

    import pypdfium2.raw as raw

    from pipeline.ingest.pdf_engines import is_bad_text

    left, _, _, top = page.get_cropbox()
    textpage = page.get_textpage()
    tp = textpage.raw
    count = raw.FPDFText_CountChars(tp)
    buf = ctypes.create_string_buffer(2 * (count + 1))
    raw.FPDFText_GetText(tp, 0, count, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    units = buf.raw[: 2 * count].decode("utf-16-le", errors="surrogatepass")
    out, bad, i = [], 0, 0
    ox, oy, rect = ctypes.c_double(), ctypes.c_double(), raw.FS_RECTF()
    while i < count:
        text, index = units[i], i
        i += 1
        if "\ud800" <= text < "\udc00" and i < count:
            text = (text + units[i]).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
            i += 1
        if text.isspace() or text == "\x00":
            continue
        if text < " " or text >= "\ue000" and is_bad_text(text) or raw.FPDFText_HasUnicodeMapError(tp, index) == 1:
            bad, text = bad + 1, "\ufffd"
        raw.FPDFText_GetCharOrigin(tp, index, ctypes.byref(ox), ctypes.byref(oy))
        raw.FPDFText_GetLooseCharBox(tp, index, ctypes.byref(rect))
        size = raw.FPDFText_GetFontSize(tp, index) or 1.0
        out.append((text, rect.left - left, rect.right - left, top - oy.value, size))
    textpage.close()
    return out, bad


@pytest.mark.parametrize("path", sorted(FIX.glob("*.pdf")) + sorted((FIX / "synth").glob("*.pdf"))[:6],
                         ids=lambda p: p.name)
def test_untyped_pdfium_calls_read_what_the_typed_bindings_read(path):
    import pypdfium2 as pdfium

    from pipeline.ingest.pdf_engines import handle, pdfium_api, pdfium_glyphs

    try:
        doc = pdfium.PdfDocument(path.read_bytes())
    except pdfium.PdfiumError:
        pytest.skip("not readable by pdfium (encrypted or truncated)")
    for page in doc:
        left, _, _, top = page.get_cropbox()
        textpage = page.get_textpage()
        fast, bad = pdfium_glyphs(pdfium_api(), handle(textpage.raw), left, top)
        textpage.close()
        assert ([tuple(g) for g in fast], bad) == typed_glyphs(page)

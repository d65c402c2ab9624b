"""DOCX ingestion: committed fixtures (fixtures/pdf/*.docx) and small documents built here."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement, parse_xml

from pipeline.ingest.document import IngestError
from pipeline.ingest.docx import read_docx
from pipeline.ingest.text import read_document

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "pdf"
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def read(name: str):
    return read_docx((FIX / f"{name}.docx").read_bytes(), f"{name}.docx")


def to_bytes(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_paragraphs_and_tables_in_document_order():
    doc = read("form")
    texts = [ln.text for ln in doc.lines]
    assert texts[0] == "项目支出绩效自评报告" and texts[1] == "一、项目基本情况"
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert texts[table.after_line].startswith("12．救助资金发放")
    assert texts[table.after_line + 1] == "三、评价结论"
    assert len(table.rows) == 16 and all(len(r) == 8 for r in table.rows)
    assert [c.text for c in table.rows[0]][:4] == ["一级指标", "二级指标", "三级指标", "年度指标值"]
    # Merged 一级指标 follows the PDF rule: text on the first row, "" where covered.
    assert table.rows[1][0].text == "产出指标" and table.rows[2][0].text == ""
    assert table.rows[13][0].text == "效益指标"
    assert [c.text for c in table.rows[7]][3:7] == [">=6000人", "5964人", "5", "4.94"]
    assert (table.rows[5][3].row, table.rows[5][3].col) == (5, 3)


def test_headers_footers_are_ignored():
    for name, header in (("form", "困难群众救助补助资金项目支出绩效自评报告"), ("sample", "内部审核稿")):
        joined = "".join(ln.text for ln in read(name).lines)
        assert header not in joined
        assert not any(re.fullmatch(r"-\s*\d+\s*-", ln.text) for ln in read(name).lines)


def test_explicit_page_break_starts_page_two():
    doc = read("form")
    last = doc.lines[-1]
    assert (last.text, last.page, last.line) == ("附件：项目资金使用明细（另附）", 2, 1)
    assert all(ln.page == 1 for ln in doc.lines[:-1])
    assert doc.meta == {"pages": 2, "page_breaks": "explicit", "warnings": []}


def test_continuous_sections_do_not_break_pages():
    doc = read("twocol")
    assert {ln.page for ln in doc.lines} == {1}
    texts = [ln.text for ln in doc.lines]
    assert texts[doc.tables[0].after_line].startswith("6．指标核查")


def test_sample_rendering_keeps_the_key_phrases():
    doc = read("sample")
    joined = squash("".join(ln.text for ln in doc.lines))
    for phrase in ("指标完成率是100.005%", "补贴补贴", "综合得分99.94分", "高龄津，预期指标是>=6000人",
                   "全年预算总额为3921.85万元", "项目支出预算数4202.7万元"):
        assert squash(phrase) in joined, phrase
    assert [ln.line for ln in doc.lines] == list(range(1, len(doc.lines) + 1))


def test_list_numbering_is_rendered_as_shown():
    d = docx.Document()
    d.add_paragraph("甲项工作", style="List Number")
    d.add_paragraph("乙项工作", style="List Number")
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {W_NS} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(f'<w:num {W_NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for text, level in (("基本概况", 0), ("部门职能", 1), ("年度重点工作", 1), ("绩效分析", 0), ("指标一", 1)):
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {W_NS}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
        ))
    texts = [ln.text for ln in read_docx(to_bytes(d), "n.docx").lines]
    assert texts == ["1.甲项工作", "2.乙项工作", "一、基本概况", "（一）部门职能", "（二）年度重点工作",
                     "二、绩效分析", "（一）指标一"]


def test_soft_breaks_split_lines_and_page_breaks_count():
    d = docx.Document()
    p = d.add_paragraph("第一行")
    p.add_run().add_break()
    p.add_run("第二行")
    d.add_page_break()
    d.add_paragraph("第二页正文")
    lines = read_docx(to_bytes(d), "b.docx").lines
    assert [(ln.text, ln.page, ln.line) for ln in lines] == [("第一行", 1, 1), ("第二行", 1, 2), ("第二页正文", 2, 1)]


def test_rendered_page_breaks_win_over_explicit_ones():
    d = docx.Document()
    for i in range(1, 5):
        d.add_paragraph(f"段落{i}")
    for n in (1, 3):  # Word records where its layout broke pages
        run = d.paragraphs[n].runs[0]._r
        run.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    doc = read_docx(to_bytes(d), "r.docx")
    assert [(ln.page, ln.line) for ln in doc.lines] == [(1, 1), (2, 1), (2, 2), (3, 1)]
    assert doc.meta["page_breaks"] == "rendered"


def test_horizontal_merge_gives_empty_covered_cells():
    d = docx.Document()
    d.add_paragraph("表前")
    t = d.add_table(rows=2, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1)).text = "年度资金总额"
    t.cell(0, 2).text = "合计"
    for c, v in enumerate(("100", "90", "90%")):
        t.cell(1, c).text = v
    doc = read_docx(to_bytes(d), "m.docx")
    rows = [[c.text for c in r] for r in doc.tables[0].rows]
    assert rows == [["年度资金总额", "", "合计"], ["100", "90", "90%"]]
    assert doc.tables[0].after_line == 0


def zip_with(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in names.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "data, code",
    [
        ((FIX / "form.docx").read_bytes()[:5000], "unreadable"),
        (b"PK\x03\x04" + b"\x00" * 200, "unreadable"),
        (zip_with({"xl/workbook.xml": b"<workbook/>"}), "unsupported_format"),
        (zip_with({"hello.txt": b"hi"}), "unsupported_format"),
        (zip_with({"word/document.xml": b"<not-xml", "[Content_Types].xml": b"<x/>"}), "unreadable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le"), "encrypted"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "unsupported_format"),
    ],
)
def test_bad_docx_gives_its_spec_code(data, code):
    with pytest.raises(IngestError) as info:
        read_docx(data, "bad.docx")
    assert info.value.code == code
    assert "请" in info.value.message


def test_empty_docx_is_empty():
    d = docx.Document()
    d.add_paragraph("   ")
    with pytest.raises(IngestError) as info:
        read_docx(to_bytes(d), "e.docx")
    assert info.value.code == "empty"


def test_dispatch_through_read_document(tmp_path):
    doc = read_document(FIX / "form.docx")
    assert doc.kind == "docx" and doc.tables
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"this is not a word file at all")
    with pytest.raises(IngestError):
        read_document(fake)


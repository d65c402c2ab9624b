"""The extraction lexicon's examples are its tests (pipeline/extract/lexicon.yml),
and dirty text (traditional script, pinyin glosses) normalises with a map back
to the source characters."""

import pytest

from pipeline.extract import extract_record, looks_like_report
from pipeline.extract.lexicon import lexicon
from pipeline.extract.normalize import Text, normalize_document
from pipeline.ingest.text import read_text_bytes


def nlines(text: str):
    return normalize_document(read_text_bytes(text.encode("utf-8"), "x.txt"))


@pytest.mark.parametrize("example", lexicon()["genre"]["examples"], ids=lambda e: e["text"][:18])
def test_genre_examples(example):
    doc = read_text_bytes(example["text"].encode("utf-8"), "x.txt")
    assert looks_like_report(extract_record(doc)) == (example["genre"] == "report")


def test_traditional_script_and_pinyin_glosses_read_as_simplified_with_source_evidence():
    text = "| 2020年度項(xiàng)目支出績效自評表 |\n| 年度資金總額 | 7.29 | 7.29 | 100% |\n"
    lines = nlines(text)
    joined = Text(lines)
    assert "2020年度项目支出绩效自评表" in joined.text and "年度资金总额" in joined.text
    start = joined.text.index("项目支出")
    ev = joined.evidence(start, start + 4)
    assert ev.text == "項(xiàng)目支出" and ev.line == 1


def test_simplified_text_is_left_alone():
    text = "显著提高了群众满意度，乾隆年间的古建筑得到修缮。\n"
    assert Text(nlines(text)).text == text.strip()


@pytest.mark.parametrize("example", lexicon()["header"]["examples"], ids=lambda e: e["text"][:18])
def test_header_examples(example):
    record = extract_record(read_text_bytes(example["text"].encode("utf-8"), "x.txt"))
    got = {k: getattr(record, k) for k in example["expect"]}
    assert got == example["expect"]


@pytest.mark.parametrize("example", lexicon()["budget"]["examples"], ids=lambda e: e["text"][:18])
def test_budget_examples(example):
    record = extract_record(read_text_bytes(example["text"].encode("utf-8"), "x.txt"))
    if "doc_type" in example:
        assert record.doc_type == example["doc_type"]
    got = {}
    for path in example["expect"]:
        line, field = path.split(".")
        bl = record.budget.get(line)
        n = bl.get(field) if bl else None
        got[path] = float(n.value) if n is not None else None
    assert got == {k: float(v) for k, v in example["expect"].items()}
    assert not record.conflicts

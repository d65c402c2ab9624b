"""Normalisation keeps provenance: joined the CJK way, and every character maps back."""

from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract.normalize import Text, normalize_document, normalize_line
from pipeline.ingest.document import Line
from pipeline.ingest.text import read_text_bytes


def norm(text):
    return normalize_line(Line(text, 1)).text


def test_full_width_folding_and_spaces():
    assert norm("执行率 １００．５％") == "执行率100.5%"
    assert norm("预期指标是＞＝ 5 家") == "预期指标是>=5家"
    assert norm("3 921.85 万元") == "3921.85万元"
    assert norm("9 8 . 5 %") == "98.5%"
    assert norm("806，930 人") == "806，930人"  # Chinese comma kept: two numbers, not 806930
    assert norm("2024 年 04 月 23 日") == "2024年04月23日"
    assert norm("PDF export") == "PDF export"


def test_page_numbers_dropped_and_lines_joined():
    text = "资金执行数 3921.\n\n- 3 -\n\n85 万\n元，执行率 100%。\n\n\n\n7\n\n完"
    doc = read_text_bytes(text.encode(), "t.txt")
    joined = Text(normalize_document(doc))
    assert joined.text == "资金执行数3921.85万元，执行率100%。完"
    i = joined.text.index("3921.85")
    ev = joined.evidence(i, i + len("3921.85万元"))
    assert (ev.line, ev.line_end) == (1, 6)  # "元" sits on line 6
    assert ev.text.replace(" ", "") == "3921.85万元"


@given(st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=8), st.booleans())
def test_wrapping_anywhere_keeps_text_and_evidence(cuts, blank_lines):
    sentence = "本次评价实际完成值是 397 人，指标完成率是 100.005%，达到预期目标。"
    pieces, rest = [], sentence
    for c in cuts:
        if not rest:
            break
        pieces.append(rest[:c])
        rest = rest[c:]
    if rest:
        pieces.append(rest)
    # A wrap never leaves a line of nothing but a space; merge such pieces forward.
    merged = []
    for piece in pieces:
        if merged and not merged[-1].strip():
            merged[-1] += piece
        else:
            merged.append(piece)
    pieces = merged
    sep = "\n\n" if blank_lines else "\n"
    doc = read_text_bytes(sep.join(pieces).encode(), "t.txt")
    joined = Text(normalize_document(doc))
    assert joined.text == "本次评价实际完成值是397人，指标完成率是100.005%，达到预期目标。"
    i = joined.text.index("100.005%")
    ev = joined.evidence(i, i + 8)
    assert ev.text.replace(" ", "") == "100.005%"
    source_lines = doc.lines
    assert "100.005%"[0] in source_lines[ev.line - 1].text

"""Finding evidence in the document: whitespace- and width-insensitive,
across hard wraps, table cells by coordinates, and cutting lines into pieces."""

from pipeline.ingest.document import Cell, Line, Table
from pipeline.labels import where_zh
from pipeline.report.highlight import Span, locate, locate_cell, segments

LINES = (
    Line("指标完成率是", 1), Line("", 2), Line("１００.005%，达到预期目标。", 3), Line("执行率 100%", 4),
)


def test_match_ignores_whitespace_and_wraps_and_width():
    found = locate(LINES, {"text": "指标完成率是 100.005%", "page": None, "line": 1, "line_end": 3})
    assert found.exact
    assert found.spans == (Span(0, 0, 6), Span(2, 0, 8))


def test_text_elsewhere_than_stated_is_found_nearby():
    found = locate(LINES, {"text": "执行率100%", "page": None, "line": 3})
    assert found.exact and found.spans == (Span(3, 0, 8),)


def test_unmatched_text_falls_back_to_its_lines():
    found = locate(LINES, {"text": "完全不同的文字", "page": None, "line": 3})
    assert not found.exact and found.spans == (Span(2, 0, len(LINES[2].text)),)
    assert locate(LINES, {"text": "x", "page": 5, "line": 3}) is None


def test_table_cells_by_coordinates_not_by_line():
    table = Table(rows=((Cell("名称", 0, 0), Cell("分值", 0, 1)), (Cell("人数", 1, 0), Cell("5", 1, 1))), page=2)
    ev = {"text": "5", "page": 2, "line": 2, "table": 1, "row": 1, "col": 1}
    assert locate(LINES, ev) is None
    assert locate_cell((table,), ev) == (0, 1, 1)
    assert locate_cell((table,), {**ev, "table": 2}) is None
    assert where_zh(ev) == "第2页 表1 第2行第2列"


def test_segments_split_overlapping_marks():
    assert segments("abcdef", [(1, 4, "x"), (3, 5, "y")]) == [
        ("a", ()), ("bc", ("x",)), ("d", ("x", "y")), ("e", ("y",)), ("f", ())]
    assert segments("", []) == []

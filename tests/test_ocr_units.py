"""OCR building blocks without the recogniser: digit repairs, reading order and cells,
seal suppression, skew estimation, confidence from a Line to a Number and a Finding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.audit.engine import OCR_LOW_NOTE, ocr_downgrade
from pipeline.extract import extract_record
from pipeline.extract.normalize import Text, normalize_line
from pipeline.ingest.document import Document, Line
from pipeline.ingest.ocr.box import OcrBox
from pipeline.ingest.ocr.cache import OcrCache
from pipeline.ingest.ocr.engine import OcrSettings
from pipeline.ingest.ocr.layout import page_lines, rows_of
from pipeline.ingest.ocr.repair import find_repairs
from pipeline.model import Evidence, Finding


@pytest.mark.parametrize(("text", "fixed"), [
    ("执行率1OO%", "执行率100%"),
    ("2O23年度", "2023年度"),
    ("预算数3921。85万元", "预算数3921.85万元"),
    ("共计l2个", "共计12个"),
    ("实际支出38，800，185.90元", "实际支出38800185.90元"),
    ("年终追加20312,503.63元", "年终追加20312503.63元"),
    ("调整后预算数7，053325.09元", "调整后预算数7053325.09元"),  # a separator lost after 053
    ("合计1，23456元", "合计1，23456元"),  # five digits: no thousands grouping
    ("ISO9001认证", "ISO9001认证"),
    ("Excel表格", "Excel表格"),
    ("分别为3，500人", "分别为3，500人"),
    ("第一条。2项", "第一条。2项"),
])
def test_repairs_only_where_the_context_is_unambiguous(text, fixed):
    repairs = dict(find_repairs(text))
    assert "".join(repairs.get(i, ch) for i, ch in enumerate(text)) == fixed


def test_repair_of_an_amount_wrapped_across_lines():
    assert find_repairs("实际支出7，053，325.", after="09元，执行率100%") == ((5, ""), (9, ""))
    # the separator at a line's end, the next separator lost by OCR (scan_report_011)
    assert find_repairs("基本支出调整后预算数7，", after="053325.09元") == ((11, ""),)


def _box(text, x0, y0, x1, y1, conf=0.99):
    return OcrBox(text, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), conf, tuple([conf] * len(text)))


def test_rows_by_height_then_left_to_right_and_cells_by_two_spaces():
    boxes = [
        _box("实际完成值", 600, 102, 800, 140),
        _box("一级指标", 100, 100, 260, 138),
        _box("产出指标", 100, 200, 260, 238),
        _box("≥95%", 400, 198, 480, 236),
        _box("二级指标", 300, 101, 460, 139),
    ]
    assert [[b.text for b in r] for r in rows_of(boxes)] == [["一级指标", "二级指标", "实际完成值"],
                                                               ["产出指标", "≥95%"]]
    lines = page_lines(boxes, page=3, dpi=200)
    assert [ln.text for ln in lines] == ["一级指标  二级指标  实际完成值", "产出指标  ≥95%"]
    assert lines[0].page == 3 and lines[0].line == 1
    assert lines[0].bbox == (36.0, 36.0, 288.0, 50.4)  # pixels at 200 dpi -> points
    assert len(lines[0].char_conf) == len(lines[0].text)


def test_close_boxes_join_as_one_line():
    lines = page_lines([_box("资金执行数", 100, 100, 300, 140), _box("279.36万元", 310, 101, 500, 141)], 1, 200)
    assert [ln.text for ln in lines] == ["资金执行数279.36万元"]


def test_red_seal_is_whitened_and_black_print_under_it_kept():
    np = pytest.importorskip("numpy")
    from pipeline.ingest.ocr.image import suppress_seal

    img = np.full((10, 30, 3), 250, np.uint8)
    img[:, 10:20] = (218, 36, 40)  # seal ink
    img[4:6, 5:25] = (20, 20, 20)  # a black stroke crossing it
    img[4:6, 12:18] = (17, 3, 3)  # black over red (inks multiply)
    grey, share = suppress_seal(img)
    assert grey.shape == img.shape
    assert (grey[0, 10:20] == 255).all()
    assert (grey[4, 12:18] < 60).all() and (grey[4, 5:10] < 60).all()
    assert 0 < share < 0.5


@pytest.mark.parametrize("angle", [-1.0, -0.4, 0.0, 0.6, 1.0])
def test_skew_is_estimated_from_text_lines(angle):
    np = pytest.importorskip("numpy")
    from PIL import Image, ImageDraw

    from pipeline.ingest.ocr.image import deskew, estimate_skew

    img = Image.new("RGB", (1200, 1600), "white")
    d = ImageDraw.Draw(img)
    for k in range(40):
        y = 100 + 35 * k
        for x in range(100, 1100, 24):
            d.rectangle((x, y, x + 16, y + 18), fill="black")
    rotated = np.asarray(img.rotate(-angle, fillcolor="white"))
    found = estimate_skew(rotated)
    assert abs(found - angle) <= 0.1
    assert abs(estimate_skew(deskew(rotated, found))) <= 0.1


def _ocr_line(text: str, low: dict[int, float] | None = None, line: int = 1) -> Line:
    conf = tuple((low or {}).get(i, 0.99) for i in range(len(text)))
    return Line(text=text, line=line, page=1, confidence=min(conf), char_conf=conf, repairs=find_repairs(text))


def test_evidence_carries_span_confidence_and_repairs_and_the_number_its_confidence():
    from pipeline.extract.common import number_at
    from pipeline.numbers import NUMBER_RE

    line = _ocr_line("全年预算数为3921。85万元，执行率1OO%", low={8: 0.42})
    nl = normalize_line(line)
    assert nl.text == "全年预算数为3921.85万元，执行率100%"
    text = Text([nl])
    m = NUMBER_RE.search(text.text)
    n = number_at(text, m)
    assert n.value == Decimal("3921.85") and n.unit == "万元"
    assert n.confidence == pytest.approx(0.42)
    assert n.evidence.text == "3921。85万元" and n.evidence.repairs == ("。→.",)
    rate = number_at(text, list(NUMBER_RE.finditer(text.text))[-1])
    assert rate.value == 100 and rate.confidence == pytest.approx(0.99)
    assert rate.evidence.to_json()["ocr_repairs"] == ["O→0", "O→0"]


def test_text_layer_lines_have_no_confidence():
    text = Text([normalize_line(Line(text="预算数3921.85万元", line=1))])
    ev = text.evidence(3, 12)
    assert ev.confidence is None and ev.repairs == () and "ocr_confidence" not in ev.to_json()


def test_low_confidence_finding_is_downgraded_and_says_so():
    f = Finding(rule="FUND-01", category="sum_mismatch", severity="error", subject="budget.total",
                message="合计不符", evidence=(Evidence("3921.85万元", 3, 1, confidence=0.5), Evidence("x", 4)))
    low = ocr_downgrade(f)
    assert low.severity == "warning" and low.message.endswith(OCR_LOW_NOTE)
    assert low.to_json()["ocr_confidence"] == 0.5
    sure = Finding(**{**f.__dict__, "evidence": (Evidence("3921.85万元", 3, 1, confidence=0.97),)})
    assert ocr_downgrade(sure) is sure
    info = Finding(**{**f.__dict__, "severity": "info"})
    assert ocr_downgrade(info).severity == "info"


def test_extracted_record_numbers_keep_confidence():
    lines = [_ocr_line("2023年度单位整体支出全年预算数为342.84万元，资金执行数279.36万元，执行率81.48%。",
                       low={17: 0.55}, line=1)]
    record = extract_record(Document(source="s.pdf", kind="pdf", lines=tuple(lines)))
    total = record.budget["total"]
    assert total.get("budget").confidence == pytest.approx(0.55)
    assert total.get("executed").confidence == pytest.approx(0.99)


def test_cache_round_trip_and_damaged_entry(tmp_path):
    cache = OcrCache(tmp_path)
    boxes = [_box("资金执行数", 1, 2, 3, 4, 0.5)]
    cache.put("ab" * 32, boxes, {"skew": 0.3})
    assert cache.get("ab" * 32) == (boxes, {"skew": 0.3})
    (tmp_path / "ab" / f"{'ab' * 32}.json").write_text("{broken", encoding="utf-8")
    assert cache.get("ab" * 32) is None
    assert OcrCache(None).get("ab" * 32) is None


def test_settings_reject_unknown_values():
    with pytest.raises(ValueError, match="allowed"):
        OcrSettings(mode="sometimes")
    with pytest.raises(ValueError):
        OcrSettings(dpi=20)
    assert OcrSettings(cache_dir="").cache_path() is None
    assert OcrSettings().cache_path().name == "ocr"


def _frames(rows, classes=5):
    np = pytest.importorskip("numpy")
    out = np.zeros((len(rows), classes), np.float32)
    for t, row in enumerate(rows):
        for k, p in row.items():
            out[t, k] = p
    return out


def test_ctc_decode_merges_repeats_and_keeps_frame_scores():
    from pipeline.ingest.ocr.ctc import ctc_decode

    charset = ["blank", "9", "6", ".", "0"]
    probs = _frames([{1: 0.99, 0: 0.01}, {1: 0.9, 0: 0.1}, {0: 1.0}, {3: 0.8, 0: 0.2}, {0: 1.0}, {4: 0.97, 0: 0.03}])
    text, conf = ctc_decode(probs, charset)
    assert text == "9.0"
    assert conf == pytest.approx([0.99, 0.8, 0.97])


def test_ctc_decode_scores_a_dropped_digit_on_its_neighbours():
    from pipeline.ingest.ocr.ctc import ctc_decode

    charset = ["blank", "9", "6", ".", "0"]
    # Between "9" and "." the blank wins, but "6" keeps 0.35 of a frame: a digit was dropped.
    probs = _frames([{1: 0.99, 0: 0.01}, {0: 0.6, 2: 0.35, 1: 0.05}, {3: 0.95, 0: 0.05}, {0: 1.0}, {4: 0.99, 0: 0.01}])
    text, conf = ctc_decode(probs, charset)
    assert text == "9.0"
    assert conf[0] == pytest.approx(0.65) and conf[1] == pytest.approx(0.65) and conf[2] == pytest.approx(0.99)


def test_pool_workers_share_the_cores_for_ocr(monkeypatch):
    """One onnxruntime process already uses every core: a batch's workers get cores // jobs
    threads each, and the engine is built with that many."""
    import os

    import pipeline.ingest.ocr.engine as ocr
    import pipeline.ingest.ocr.rapid as rapid
    from pipeline.run.work import engine_threads

    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert engine_threads(1) is None and engine_threads(0) == 1 and engine_threads(2) == 4
    assert engine_threads(3) == 2 and engine_threads(16) == 1
    built = []

    class FakeEngine:
        def __init__(self, threads=None):
            built.append(threads)

    monkeypatch.setattr(rapid, "RapidOcrEngine", FakeEngine)
    ocr._engine.cache_clear()
    try:
        ocr.set_engine_threads(4)
        ocr.get_engine()
        ocr.set_engine_threads(None)
        ocr.get_engine()
    finally:
        ocr.set_engine_threads(None)
        ocr._engine.cache_clear()
    assert built == [4, None]

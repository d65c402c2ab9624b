"""Text ingestion: encodings detected without being told, bad files refused clearly."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest.document import IngestError
from pipeline.ingest.text import read_document, read_text_bytes

from .conftest import SAMPLE

# Report-like text: Chinese characters, digits and the punctuation reports use.
report_text = st.text(
    alphabet=st.sampled_from(list("部门单位整体支出绩效自评报告预算执行率指标完成值人万元年度基本项目专项资金，。：；（）%0123456789. ")),
    min_size=20, max_size=300,
).filter(lambda s: sum("\u4e00" <= c <= "\u9fff" for c in s) >= 10)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(report_text, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]), st.booleans())
def test_encodings_round_trip(text, encoding, crlf):
    body = "\n".join([text[i:i + 30] for i in range(0, len(text), 30)])
    if crlf:
        body = body.replace("\n", "\r\n")
    doc = read_text_bytes(body.encode(encoding), "x.txt")
    assert "\n".join(line.text for line in doc.lines) == body.replace("\r\n", "\n").rstrip("\n")


def test_sample_in_gb18030_reads_the_same(tmp_path):
    raw = SAMPLE.read_text(encoding="utf-8")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(raw.replace("\n", "\r\n").encode("gb18030"))
    a, b = read_document(SAMPLE), read_document(gbk)
    assert [line.text for line in a.lines] == [line.text for line in b.lines]
    assert b.meta["encoding"] == "gb18030"


@pytest.mark.parametrize("data,code", [
    (b"", "empty"),
    (b"   \n\n  ", "empty"),
    (bytes(range(256)) * 40, "unreadable"),
    (b"\x00\x01\x02\x03" * 500, "unreadable"),
])
def test_bad_bytes_get_spec_codes(tmp_path, data, code):
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    with pytest.raises(IngestError) as exc:
        read_document(p)
    assert exc.value.code == code and exc.value.message


@settings(max_examples=80)
@given(st.binary(min_size=1, max_size=2000))
def test_random_bytes_never_crash(data):
    try:
        read_text_bytes(data, "junk.txt")
    except IngestError as exc:
        assert exc.code in ("unreadable", "empty")


def test_legacy_formats_refused_with_advice(tmp_path):
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0 fake ole")
    with pytest.raises(IngestError) as exc:
        read_document(p)
    assert exc.value.code == "unsupported_format" and ".docx" in exc.value.message

"""Issue #18, hostile inputs (fixtures/hostile/make_hostile.py writes them into
tmp): files that never end (item 4), a zip of 20,000 members (item 5), size
limits (item 8), 27-digit amounts (item 9), more than 99 indicators (item 10)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from pipeline.ingest.document import IngestError
from pipeline.ingest.text import read_document

from .conftest import FIXTURES, ROOT, SAMPLE, fixture_module

hostile = fixture_module(FIXTURES / "hostile", "make_hostile", "hostile_make")

# Runs the CLI in a child and prints its peak RSS (KiB) last on stderr. VmHWM, not ru_maxrss: the
# latter keeps the forking parent's (pytest's) peak across exec.
RSS_RUNNER = """
import json, re, sys
from pipeline.cli import main
rc = main(sys.argv[1:])
kib = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
print(json.dumps({"rc": rc, "kib": kib}), file=sys.stderr)
"""


def cli(*args, timeout=120):
    """`perfaudit audit ARGS --json --no-db` in a child: (exit status, reports by file name, peak MiB)."""
    p = subprocess.run([sys.executable, "-c", RSS_RUNNER, "audit", *map(str, args), "--json", "--no-db"],
                       cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    stats = json.loads(p.stderr.strip().splitlines()[-1])
    reports = {r["source"].rsplit("/", 1)[-1]: r for r in json.loads(p.stdout)["reports"]} if p.stdout else {}
    return stats["rc"], reports, stats["kib"] / 1024


def refused(report: dict, code: str, words: str) -> None:
    assert report["status"] == "failed" and report["error"]["code"] == code, report["error"]
    assert words in report["error"]["message"], report["error"]["message"]


# ---- item 4: a FIFO, a link to /dev/zero ---------------------------------------------------

def test_pipes_and_devices_are_refused_not_read_for_ever(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    hostile.fifo(folder, "pipe.txt")
    hostile.device_link(folder, "zero.pdf")
    (folder / "ok.txt").write_bytes(SAMPLE.read_bytes())
    rc, reports, _ = cli(folder, "--timeout", "5", timeout=60)  # the hash of either hung for ever
    assert rc == 3 and set(reports) == {"pipe.txt", "zero.pdf", "ok.txt"}  # listed, not skipped in silence
    refused(reports["pipe.txt"], "unreadable", "命名管道")
    refused(reports["zero.pdf"], "unreadable", "设备文件")
    assert reports["ok.txt"]["status"] == "ok"
    rc, reports, _ = cli(folder / "zero.pdf", timeout=60)  # named on the command line
    assert rc == 3
    refused(reports["zero.pdf"], "unreadable", "不是普通文件")


def test_a_list_file_that_is_a_pipe_is_refused(tmp_path):
    pipe = hostile.fifo(tmp_path, "list.txt")
    rc, reports, _ = cli(f"@{pipe}", timeout=60)
    assert rc == 3 and reports["list.txt"]["error"]["code"] == "unreadable"


# ---- item 5: a zip of many members ------------------------------------------------------------

def test_a_zip_of_20000_members_is_planned_in_linear_time(tmp_path):
    """Each member used to reopen the zip (its central directory read again):
    4,000 members took 107 s, 20,000 never finished."""
    from pipeline.run.batch import BatchRun, BatchSettings, _Context
    from pipeline.run.inputs import expand_inputs
    from pipeline.run.spool import Spool

    archive = hostile.many_member_zip(tmp_path / "many.zip", 20_000)
    t0 = time.monotonic()
    items = expand_inputs([archive], tmp_path)
    assert len(items) == 20_000 and not any(i.error for i in items)
    run = BatchRun(Spool(tmp_path / "spool.jsonl", len(items)), None, tmp_path)
    ctx = _Context(run, items, BatchSettings(), None, "e", "r", None, None)
    try:
        for index, item in enumerate(items):  # what the batch does for each member before auditing it
            info = {"index": index, "tmp": None}
            ctx._identify(index, item, info)
            info["tmp"].unlink()
    finally:
        ctx.archives.close()
        run.spool.close()
    assert time.monotonic() - t0 < 60, "planning a 20,000-member zip should take seconds"


# ---- item 8: size limits ------------------------------------------------------------------------

def test_docx_with_a_huge_image_part_is_refused_before_it_is_loaded(tmp_path):
    """A 256 MiB image of zeros (300 KB on disk) made python-docx hold 543 MB."""
    bomb = hostile.docx_bomb(tmp_path / "bomb.docx", mib=256)
    assert bomb.stat().st_size < 2**20
    rc, reports, peak = cli(bomb)
    assert rc == 3
    refused(reports["bomb.docx"], "too_large", "word/media/image1.png")
    assert peak < 300, f"peak RSS {peak:.0f} MiB"


def test_docx_whose_headers_lie_about_a_part_size_inflates_no_further(tmp_path):
    """zipfile stops at the declared size (then fails the CRC): the declared sizes checked bound the real ones."""
    liar = hostile.lying_docx(tmp_path / "liar.docx", mib=96)
    rc, reports, peak = cli(liar)
    refused(reports["liar.docx"], "unreadable", "DOCX")
    assert peak < 300, f"peak RSS {peak:.0f} MiB"


def test_pdf_page_too_large_to_render_for_ocr_is_refused(tmp_path):
    pdf = hostile.huge_page_pdf(tmp_path / "huge.pdf")
    assert pdf.stat().st_size < 1000
    rc, reports, peak = cli(pdf, "--timeout", "60")
    refused(reports["huge.pdf"], "too_large", "百万像素")
    assert peak < 400, f"peak RSS {peak:.0f} MiB"


@pytest.mark.parametrize("engine", ["auto", "pdfplumber"])
def test_pdf_whose_content_inflates_to_millions_of_glyphs_is_refused(tmp_path, engine):
    """100 KB inflating to 30 MiB of text operators: pdfium took 440 MB, pdfplumber over 14 GB."""
    pdf = hostile.glyph_bomb_pdf(tmp_path / "glyphs.pdf")
    assert pdf.stat().st_size < 200_000
    rc, reports, peak = cli(pdf, "--pdf-engine", engine, timeout=60)
    refused(reports["glyphs.pdf"], "too_large", "内容流")
    assert peak < 300, f"peak RSS {peak:.0f} MiB"


def test_pdf_with_too_many_pages_is_refused(tmp_path):
    pdf = hostile.many_pages_pdf(tmp_path / "pages.pdf", 3_000)
    with pytest.raises(IngestError) as exc:
        read_document(pdf)
    assert exc.value.code == "too_large" and "3000 页" in exc.value.message


def test_input_larger_than_the_limit_is_refused_unread(tmp_path):
    from pipeline.ingest.limits import MAX_INPUT_BYTES

    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(MAX_INPUT_BYTES + 1)  # sparse: no disk used
    with pytest.raises(IngestError) as exc:
        read_document(big)
    assert exc.value.code == "too_large"


def test_review_workbook_bomb_is_refused(tmp_path):
    """160 MiB of sheet XML in a 0.5 MB workbook was loaded whole by openpyxl (557 MB for 172 KB)."""
    bomb = hostile.xlsx_bomb(tmp_path / "bomb.xlsx", mib=160)
    p = subprocess.run([sys.executable, "-c", RSS_RUNNER, "review", "import", str(bomb), "--db",
                        str(tmp_path / "a.duckdb")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    stats = json.loads(p.stderr.strip().splitlines()[-1])
    assert stats["rc"] == 3 and "压缩" in p.stderr and "Traceback" not in p.stderr
    assert stats["kib"] / 1024 < 300


# ---- items 9 and 10: long figures, many indicators ----------------------------------------------

def test_a_27_digit_amount_is_audited_not_an_internal_error(tmp_path, audit_text):
    rep = audit_text(hostile.report_with(tmp_path / "big.txt", amount=hostile.BIG_AMOUNT).read_text("utf-8"))
    assert rep.status == "ok", rep.error
    dept = [f for f in rep.findings if f["rule"] == "DEPT-01"]
    assert dept and dept[0]["category"] == "sum_mismatch" and hostile.BIG_AMOUNT in dept[0]["message"]
    assert rep.record["budget"]["total"]["budget"] == pytest.approx(float(hostile.BIG_AMOUNT))


def test_more_than_99_indicators_are_read_one_by_one(tmp_path, audit_text):
    rep = audit_text(hostile.report_with(tmp_path / "many.txt", indicators=120).read_text("utf-8"))
    names = [i["name"] for i in rep.record["indicators"]]
    assert len(names) == 120 and names[99] == "发放补贴人数100" and names[-1] == "发放补贴人数120"
    assert not [f for f in rep.findings if "指标划分" in f["message"]]


def test_indicators_run_together_are_an_extraction_gap(tmp_path, audit_text):
    """Headings the extractor cannot split (here 1000. on) are no longer merged in silence."""
    text = hostile.report_with(tmp_path / "k.txt", indicators=3).read_text("utf-8")
    text = text.replace("3.指标3", "1003.指标1003").replace("2.指标2", "1002.指标1002")
    rep = audit_text(text)
    gaps = [f for f in rep.findings if f["category"] == "extraction_gap" and "指标划分" in f["message"]]
    assert [f["subject"] for f in gaps] == ["indicator.1"] and "3 个预期指标值" in gaps[0]["message"]

"""Scanned PDFs in a batch: their pages are OCR'd as tasks of their own in the
process pool (pipeline/batch.py), with the same results as a plain reading; a
page that hangs or crashes fails its file, naming the page; the progress bar
counts the pages; text-only batches are unchanged.

Recognition takes about 5 s a page, so the scans are read from the recorded
recognition in fixtures/scans/ocr_cache (see tests/test_ocr.py): a page task
then renders its page and finds it in the page cache."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.api import audit_file
from pipeline.ingest.ocr.engine import OcrSettings
from pipeline.ingest.settings import ReadSettings
from pipeline.run.batch import BatchSettings, run_batch
from pipeline.run.pool import WAIT, Pool

from .conftest import ROOT, SAMPLE

SCANS = ROOT / "fixtures" / "scans"
SCANNED = ("scan_report_001.pdf", "scan_report_002.pdf", "scan_report_005.pdf")  # 2 pages each
HANG_PAGE = ("scan_report_005.pdf", 2)  # worker hooks below
CRASH_PAGE = ("scan_report_002.pdf", 1)

pytest.importorskip("rapidocr_onnxruntime")


@pytest.fixture
def ocr_cache(tmp_path):
    """A writable copy of the recorded recognition; fails if it no longer matches (fresh OCR is slow)."""
    cache = tmp_path / "ocr_cache"
    shutil.copytree(SCANS / "ocr_cache", cache)
    return cache


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """The recorded recognition still answers the scans (else every test here would OCR afresh)."""
    cache = tmp_path_factory.mktemp("probe") / "cache"
    shutil.copytree(SCANS / "ocr_cache", cache)
    from pipeline.ingest.ocr.pdf import ocr_page

    page = ocr_page((SCANS / SCANNED[0]).read_bytes(), 1, OcrSettings(cache_dir=cache))
    assert page["cached"], "the recorded OCR is stale: run fixtures/scans/make_scans.py --ocr-only"


def opts(cache: Path) -> ReadSettings:
    return ReadSettings(pdf_engine="auto", ocr=OcrSettings(mode="auto", cache_dir=str(cache)))


def by_name(run) -> dict:
    return {Path(r["source"]).name: r for r in run.spool}


def tasks_run(run) -> int:
    return sum(run.spool.summary()["executor"]["tasks_per_worker"].values())


def serial(name: str, rules, cache: Path) -> dict:
    """The file read and audited in this process, OCR'ing page after page (the previous behaviour)."""
    result = audit_file(SCANS / name, rules, ocr=OcrSettings(cache_dir=cache)).to_json()
    result.pop("source")
    return result


def same_report(got: dict, want: dict) -> None:
    assert got["status"] == want["status"] == "ok"
    assert got["findings"] == want["findings"]
    assert got["record"] == want["record"]
    assert got["coverage"] == want["coverage"]
    assert json.loads(json.dumps(got["meta"])) == json.loads(json.dumps(want["meta"]))


# Worker hooks (BatchSettings.worker_setup): run first in each pool worker.

def _digest(name: str) -> str:
    return hashlib.sha256((SCANS / name).read_bytes()).hexdigest()


def hang_and_crash_pages():
    """Page 2 of scan_report_005 hangs the OCR for good; page 1 of scan_report_002 kills the process."""
    import pipeline.ingest.ocr.pdf as ocr_pdf

    original = ocr_pdf.ocr_page
    hang, crash = _digest(HANG_PAGE[0]), _digest(CRASH_PAGE[0])

    def ocr_page(data, number, settings):
        digest = hashlib.sha256(data).hexdigest()
        if (digest, number) == (hang, HANG_PAGE[1]):
            time.sleep(3600)
        if (digest, number) == (crash, CRASH_PAGE[1]):
            os._exit(1)
        return original(data, number, settings)

    ocr_pdf.ocr_page = ocr_page


def _double(x):
    return x * 2


def _doubler():
    return _double


def test_pool_is_fed_while_it_runs():
    """A feed may say WAIT while tasks are in flight and add tasks as outcomes come back."""
    pool = Pool(2, 30, _doubler)
    queue, seen = [1, 2], []

    def feed():
        while queue or len(seen) < 4:
            yield queue.pop(0) if queue else WAIT

    for outcome in pool.run(feed()):
        seen.append(outcome.value)
        if outcome.value in (2, 4):
            queue.append(outcome.value * 5)  # 10 and 20, fed after 1 and 2 came back
    assert sorted(seen) == [2, 4, 20, 40]

    def stuck():
        yield WAIT

    with pytest.raises(RuntimeError, match="waits with no task in flight"):
        list(Pool(1, 30, _doubler).run(stuck()))


def test_scans_are_ocrd_page_by_page_in_the_pool(recorded, ocr_cache, tmp_path, rules):
    text = tmp_path / "narrative.txt"
    text.write_bytes(SAMPLE.read_bytes())
    run = run_batch([*(SCANS / n for n in SCANNED), text], BatchSettings(jobs=2, read=opts(ocr_cache)))
    try:
        reports = by_name(run)
        for name in SCANNED:
            same_report(reports[name], serial(name, rules, ocr_cache))
        assert reports["narrative.txt"]["status"] == "ok"
        summary = run.spool.summary()
        assert (summary["ocr_pages"], summary["ocr_pages_cached"]) == (6, 6)
        assert summary["executor"]["workers"] == 2
        # per scan: the deferring reading, 2 pages, the final reading; the text file once
        assert tasks_run(run) == 3 * 4 + 1
        assert run.spool.exit_code() == 1
    finally:
        run.close()


def test_one_scan_on_the_command_line_splits_into_page_tasks(recorded, ocr_cache, rules):
    name = SCANNED[1]
    p = subprocess.run([sys.executable, "-m", "pipeline.cli", "audit", str(SCANS / name), "--json", "--no-db",
                        "--jobs", "2", "--ocr-cache", str(ocr_cache)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 1, p.stderr
    doc = json.loads(p.stdout)
    summary = doc["summary"]
    assert (summary["reports"], summary["failed"], summary["ocr_pages"]) == (1, 0, 2)
    # the first reading ran here; the 2 pages and the final reading in the pool
    assert sum(summary["executor"]["tasks_per_worker"].values()) == 3
    report = doc["reports"][0]
    report.pop("source")
    same_report(report, serial(name, rules, ocr_cache))


def test_a_hung_or_crashing_page_fails_its_file_only(recorded, ocr_cache):
    files = [SCANS / n for n in SCANNED]
    settings = BatchSettings(jobs=2, timeout=5, read=opts(ocr_cache), worker_setup=hang_and_crash_pages)
    t0 = time.monotonic()
    run = run_batch(files, settings)
    try:
        assert time.monotonic() - t0 < 40
        reports = by_name(run)
        assert reports[SCANNED[0]]["status"] == "ok"
        hung, crashed = reports[HANG_PAGE[0]]["error"], reports[CRASH_PAGE[0]]["error"]
        assert hung["code"] == "timeout" and hung["message"].startswith("第 2 页 OCR 识别超过 5 秒仍未完成")
        assert crashed["code"] == "unreadable" and "OCR 识别第 1 页时进程意外退出" in crashed["message"]
        assert run.spool.summary()["failed"] == 2 and run.spool.exit_code() == 3
    finally:
        run.close()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_counts_ocr_pages(recorded, ocr_cache, tmp_path):
    from pipeline.run.progress import progress_for

    text = tmp_path / "narrative.txt"
    text.write_bytes(SAMPLE.read_bytes())
    stream = _Terminal()
    progress = progress_for(True, stream)
    seen = []
    advance = progress.advance

    def spy(spool):
        advance(spool)
        task = progress._progress.tasks[0]
        seen.append((task.completed, task.total, task.fields["ocr"]))

    progress.advance = spy
    run = run_batch([SCANS / SCANNED[0], SCANS / SCANNED[1], text], BatchSettings(jobs=2, read=opts(ocr_cache)),
                    progress=progress)
    run.close()
    totals = [t for _, t, _ in seen]
    assert totals[0] in (3, 5) and max(totals) == 3 + 4  # 3 files, then 2 scans of 2 pages each
    assert seen[-1] == (7, 7, " · OCR 页 4/4")
    assert [c for c, _, _ in seen] == sorted(c for c, _, _ in seen)
    assert "OCR 页 4/4" in stream.getvalue()


def test_text_only_batch_has_no_page_tasks(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    for i in range(3):
        (folder / f"r{i}.txt").write_bytes(SAMPLE.read_bytes() + f"\n附：第{i}份\n".encode())
    shutil.copy(ROOT / "fixtures" / "pdf" / "form.pdf", folder / "text_layer.pdf")  # 4 pages with text
    run = run_batch([folder], BatchSettings(jobs=2, read=opts(tmp_path / "ocr_cache")))
    try:
        summary = run.spool.summary()
        assert "ocr_pages" not in summary and summary["failed"] == 0
        assert tasks_run(run) == 4  # one task per file
        assert run.spool.ocr_planned == 0
    finally:
        run.close()


def test_dask_workers_ocr_their_own_pages(recorded, ocr_cache, rules):
    """Under --executor dask nothing is deferred: one task per file, as before."""
    pytest.importorskip("distributed")
    name = SCANNED[0]
    run = run_batch([SCANS / name, SAMPLE], BatchSettings(jobs=1, executor="dask", read=opts(ocr_cache)))
    try:
        assert "ocr_pages" not in run.spool.summary()
        assert tasks_run(run) == 2
        same_report(by_name(run)[name], serial(name, rules, ocr_cache))
    finally:
        run.close()

"""Issue #18, the store: cross-document checks past 400 reports (item 1), a run
never `done` before its batch checks (item 1), runs killed with kill -9 (item 14),
runs' counts equal to the summary (item 14), validation in slices."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from pipeline.cli import main
from pipeline.store.db import MEMORY_LIMIT, Store

from .conftest import FIXTURES, ROOT, SAMPLE, fixture_module

store_results = fixture_module(FIXTURES / "hostile", "store_results", "hostile_store_results")


@pytest.fixture(scope="module")
def base():
    return store_results.templates(4)


def fill(store: Store, n: int, base, units: int) -> tuple[str, list[str]]:
    run_id = store.begin_run(["archive/"], "test", "test", "test")
    shas = set()
    for i in range(n):
        item = store_results.synthetic(i, n, base, units=units, years=(2023, 2024))
        shas.add(item["sha256"])
        store.save_result(run_id, item)
    store.flush()
    return run_id, sorted(shas)


def test_crossdoc_over_many_resubmissions_stays_in_the_memory_limit(tmp_path, base):
    """500 overall reports of 10 units for one year: 24,500 conflicting pairs, each
    carrying two record JSONs, were 170 MB inside DuckDB's 64 MB cap (OutOfMemory
    at ~400 reports). Now one aggregated row per document leaves the join."""
    from pipeline.store.crossdoc import cross_checks

    assert MEMORY_LIMIT == "64MB"
    with Store(tmp_path / "a.duckdb") as st:
        _, shas = fill(st, 500, base, units=10)
        by_sha = cross_checks(st, shas)
    resubmitted = [f for fs in by_sha.values() for f in fs if f["rule"] == "XDOC-01"]
    assert len(resubmitted) > 400
    f = resubmitted[0]
    assert "另有" in f["message"] and f["evidence"] and f["evidence"][-1]["source"].startswith("archive/")


def test_validation_in_slices_gives_the_same_findings(tmp_path, base, monkeypatch):
    from pipeline.store import validate

    with Store(tmp_path / "a.duckdb") as st:
        _, shas = fill(st, 60, base, units=30)
        st.con.execute("UPDATE indicators SET rate = 5000 WHERE idx = 1")  # a DQ finding per document
        whole, s1 = validate.validate_run(st, shas)
        monkeypatch.setattr(validate, "VALIDATE_CHUNK", 7)
        sliced, s2 = validate.validate_run(st, shas)
    assert sum(map(len, whole.values())) >= 50
    assert {k: sorted(f["id"] for f in v) for k, v in whole.items()} == \
        {k: sorted(f["id"] for f in v) for k, v in sliced.items()}
    assert (s1["expectations"], s1["failed"], s1["rows"]) == (s2["expectations"], s2["failed"], s2["rows"])


def _runs(db) -> list[dict]:
    with Store(db, read_only=True) as st:
        cols, rows = st.query("SELECT * FROM runs ORDER BY started_at")
    return [dict(zip(cols, r, strict=True)) for r in rows]


def test_a_failed_batch_check_fails_the_run_not_the_store(tmp_path, monkeypatch, capsys):
    """The crash after the batch left the run `done` and every later run crashed."""
    import duckdb

    from pipeline.store import crossdoc

    db = tmp_path / "a.duckdb"

    def out_of_memory(*_a, **_k):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block (60.8 MiB/61.0 MiB used)")

    monkeypatch.setattr(crossdoc, "cross_checks", out_of_memory)
    assert main(["audit", str(SAMPLE), "--db", str(db), "--quiet"]) == 4
    err = capsys.readouterr().err
    assert "Traceback" not in err and "数据库" in err
    assert [r["status"] for r in _runs(db)] == ["failed"]
    monkeypatch.undo()
    assert main(["audit", str(SAMPLE), "--db", str(db), "--quiet"]) == 1  # the store still works
    assert [r["status"] for r in _runs(db)] == ["failed", "done"]


KILLED = """
import os, signal, sys
from pipeline.store.db import Store
st = Store(sys.argv[1])
st.begin_run(["x"], "v", "e", "r")
st.con.execute("CHECKPOINT")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_run_killed_with_kill_9_is_marked_aborted(tmp_path):
    db = tmp_path / "a.duckdb"
    p = subprocess.run([sys.executable, "-c", KILLED, str(db)], cwd=ROOT)
    assert p.returncode == -signal.SIGKILL
    assert [r["status"] for r in _runs(db)] == ["running"]
    assert main(["audit", str(SAMPLE), "--db", str(db), "--quiet"]) == 1
    assert [r["status"] for r in _runs(db)] == ["aborted", "done"]


def test_run_counts_equal_the_summary(tmp_path):
    """runs.errors/warnings/infos were counted before the batch findings (XDOC, DQ) were added."""
    folder = tmp_path / "in"
    folder.mkdir()
    report = SAMPLE.read_bytes()
    (folder / "a.txt").write_bytes(report)
    (folder / "a_copy.txt").write_bytes(report)  # XDOC-02 (info)
    (folder / "b.txt").write_bytes(report.replace(b"3921.85", b"3900.00", 1))  # XDOC-01 (warning)
    db, out = tmp_path / "a.duckdb", tmp_path / "out"
    assert main(["audit", str(folder), "--db", str(db), "--out", str(out), "--quiet", "--jobs", "1"]) == 1
    summary = json.loads((out / "audit.json").read_text(encoding="utf-8"))["summary"]
    (run,) = _runs(db)
    assert (run["errors"], run["warnings"], run["infos"]) == tuple(summary["findings"][s]
                                                                   for s in ("error", "warning", "info"))
    assert run["status"] == "done"


def test_disk_full_while_writing_the_store_is_exit_4_with_a_sentence(tmp_path):
    """A store that cannot grow (RLIMIT_FSIZE: writes fail with EFBIG, as on a full
    disk) gave a misleading traceback; now one sentence and exit 4."""
    db = tmp_path / "a.duckdb"
    # 50 kB: the run's spool (one report, ~15 kB) fits, the store's write-ahead log (~90 kB) does not
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            "resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000)); from pipeline.cli import main; "
            f"sys.exit(main(['audit', {str(SAMPLE)!r}, '--db', {str(db)!r}, '--quiet']))")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 4, p.stderr
    assert "Traceback" not in p.stderr
    assert f"写入数据库 {db} 失败：磁盘空间不足" in p.stderr


# ---- item 14: the first OCR page's time limit ------------------------------------------------------

def _loads_slowly():
    """A pool worker's handler whose first task loads a model for 3 s (in warming_up)."""
    import time

    from pipeline.run.pool import warming_up

    def handle(task):
        if task == "first page":
            with warming_up():
                time.sleep(3)  # loading the OCR models
        time.sleep(0.2)  # recognising the page
        return task

    return handle


def test_loading_the_ocr_models_does_not_count_against_the_first_page():
    from pipeline.run.pool import Pool

    pool = Pool(1, 1.5, _loads_slowly)
    outcomes = list(pool.run(iter(["first page", "second page"])))
    assert [(o.task, o.value, o.failure) for o in outcomes] == [("first page", "first page", None),
                                                                 ("second page", "second page", None)]
    assert outcomes[0].seconds < 1.5


def test_the_engine_is_loaded_inside_the_loading_hook(monkeypatch):
    from contextlib import contextmanager

    from pipeline.ingest.ocr import engine

    entered = []

    @contextmanager
    def hook():
        entered.append(True)
        yield

    monkeypatch.setattr(engine, "_engine", lambda name, threads: object())
    monkeypatch.setattr(engine, "_loaded", set())
    monkeypatch.setattr(engine, "_loading_hook", hook)
    engine.get_engine()
    engine.get_engine()
    assert entered == [True]  # once per process, the first time only

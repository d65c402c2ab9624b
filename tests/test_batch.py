"""Batch runs: time limit, crashes, interruption and resume, the cache."""

import shutil
import time

import pytest

from pipeline.run.batch import BatchSettings, run_batch
from pipeline.store.db import Store

from . import batch_hooks
from .conftest import ROOT, SAMPLE

REPORT = SAMPLE.read_bytes()


def archive(tmp_path, n=3, names=None):
    folder = tmp_path / "archive"
    folder.mkdir()
    for i, name in enumerate(names or [f"r{i}.txt" for i in range(n)]):
        # Distinct content per file (a trailing line), so each has its own hash.
        (folder / name).write_bytes(REPORT + f"\n附：第{i}份\n".encode())
    return folder


def statuses(run):
    return {r["source"].rsplit("/", 1)[-1]: (r["status"], (r["error"] or {}).get("code")) for r in run.spool}


def test_hung_parser_is_killed_and_crash_is_contained(tmp_path):
    folder = archive(tmp_path, names=["a.txt", "hang.txt", "crash.txt", "b.txt"])
    settings = BatchSettings(jobs=2, timeout=5, worker_setup=batch_hooks.hang_and_crash)
    t0 = time.monotonic()
    run = run_batch([folder], settings)
    try:
        assert time.monotonic() - t0 < 40
        assert statuses(run) == {"a.txt": ("ok", None), "b.txt": ("ok", None), "hang.txt": ("failed", "timeout"),
                                 "crash.txt": ("failed", "unreadable")}
        assert run.spool.exit_code() == 3
        # Results come back in input order whatever the completion order.
        assert [r["source"].rsplit("/", 1)[-1] for r in run.spool] == ["a.txt", "b.txt", "crash.txt", "hang.txt"]
    finally:
        run.close()


def test_interrupted_run_resumes_and_rerun_hits_cache(tmp_path):
    folder = archive(tmp_path, n=4)
    db = tmp_path / "a.duckdb"
    seen = []

    def interrupt_after_two(rep):
        seen.append(rep["source"])
        if len(seen) == 2:
            raise KeyboardInterrupt

    with Store(db) as st, pytest.raises(KeyboardInterrupt):
        run_batch([folder], BatchSettings(jobs=1), st, on_result=interrupt_after_two)
    with Store(db) as st:
        assert st.query("SELECT status FROM runs")[1] == [("interrupted",)]
        assert st.query("SELECT count(*) FROM documents")[1][0][0] == 2
        # The rest is done on the next run; what was committed is not redone.
        run = run_batch([folder], BatchSettings(jobs=1, worker_setup=batch_hooks.hang_and_crash), st)
        assert (run.spool.reports, run.spool.cached) == (4, 2)
        run.close()
        # Unchanged archive: everything from the cache, no worker started (forbid_reading would fail it).
        run = run_batch([folder], BatchSettings(jobs=1, worker_setup=batch_hooks.forbid_reading), st)
        assert (run.spool.reports, run.spool.cached, run.spool.failed) == (4, 4, 0)
        assert run.spool.counts["error"] >= 12
        run.close()
        # An edited file is read again.
        (folder / "r1.txt").write_bytes(REPORT + b"\nchanged\n")
        run = run_batch([folder], BatchSettings(jobs=1), st)
        assert (run.spool.cached, statuses(run)["r1.txt"]) == (3, ("ok", None))
        run.close()
        assert st.query("SELECT count(*) FROM documents WHERE path LIKE '%r1.txt'")[1][0][0] == 2


def test_rule_change_reaudits_without_reading(tmp_path):
    folder = archive(tmp_path, n=2)
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (ROOT / "rules" / "indicators.yml").read_text(encoding="utf-8")
    (rules / "indicators.yml").write_text(text.replace("指标完成率 {rate} 与", "【改】指标完成率 {rate} 与"),
                                          encoding="utf-8")
    with Store(tmp_path / "a.duckdb") as st:
        run_batch([folder], BatchSettings(jobs=1), st).close()
        run = run_batch([folder], BatchSettings(jobs=1, rules_dirs=(str(rules),),
                                                worker_setup=batch_hooks.forbid_reading), st)
        assert (run.spool.reports, run.spool.failed, run.spool.cached) == (2, 0, 0)
        messages = [f["message"] for r in run.spool for f in r["findings"] if f["rule"] == "IND-09"]
        assert messages and all(m.startswith("【改】") for m in messages)
        run.close()
        rows = st.query("SELECT DISTINCT message LIKE '【改】%' FROM findings WHERE rule = 'IND-09'")[1]
        assert rows == [(True,)]


def test_zip_archive_in_a_batch(tmp_path):
    import zipfile

    z = tmp_path / "season.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("民政局.txt", REPORT)
        zf.writestr("../escape.txt", REPORT)
    shutil.copy(SAMPLE, tmp_path / "plain.txt")
    with Store(tmp_path / "a.duckdb") as st:
        run = run_batch([z, tmp_path / "plain.txt"], BatchSettings(jobs=2), st)
        got = {r["source"].rsplit("!", 1)[-1].rsplit("/", 1)[-1]: r["status"] for r in run.spool}
        assert got == {"民政局.txt": "ok", "escape.txt": "failed", "plain.txt": "ok"}
        # The same content under two names is one record and a cache hit the second time.
        assert st.query("SELECT count(*) FROM records")[1][0][0] == 1
        run.close()

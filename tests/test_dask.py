"""--executor dask on a LocalCluster (2 worker processes, 1 thread each):
the same reports and store as a local run, a worker killed mid-run, a poison
file that kills every worker it reaches."""

import json
import os
import shutil
import signal

import pytest

from pipeline.run.batch import BatchSettings, run_batch
from pipeline.run.dask_worker import POISON_ENV
from pipeline.store.db import Store

from .conftest import FIXTURES

distributed = pytest.importorskip("distributed")
POISON = "poison.txt"


@pytest.fixture(scope="module")
def cluster():
    import logging

    import dask

    os.environ[POISON_ENV] = POISON  # inherited by the worker processes; only a file of this name kills one
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": 1,
                              "distributed.scheduler.worker-saturation": 1.0}), \
                distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=logging.CRITICAL) as lc, \
                distributed.Client(lc) as client:
            yield lc, client
    finally:
        os.environ.pop(POISON_ENV, None)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask") / "archive"
    folder.mkdir()
    for p in sorted((FIXTURES / "synth" / "corpus").glob("*.txt"))[:12]:
        shutil.copy(p, folder / p.name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> truncated")
    return folder


@pytest.fixture(scope="module")
def local_run(archive, tmp_path_factory):
    """The reference: the local pool's reports and store."""
    db = tmp_path_factory.mktemp("local") / "local.duckdb"
    with Store(db) as st:
        run = run_batch([archive], BatchSettings(jobs=2), st)
        reports = _reports(run)
        run.close()
        return reports, _store_rows(st)


def _reports(run) -> list[str]:
    return [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in run.spool]


def _store_rows(st) -> dict:
    return {"findings": st.query("SELECT sha256, finding_id, rule, severity, subject, message, evidence "
                                 "FROM findings ORDER BY ALL")[1],
            "documents": st.query("SELECT path, sha256, status, error_code FROM documents ORDER BY ALL")[1],
            "records": st.query("SELECT sha256, record_json FROM records ORDER BY ALL")[1]}


def _dask(cluster, **kw) -> BatchSettings:
    return BatchSettings(executor="dask", scheduler=cluster[0].scheduler_address, **kw)


def test_same_reports_and_store_as_local(cluster, archive, local_run, tmp_path):
    with Store(tmp_path / "d.duckdb") as st:
        run = run_batch([archive], _dask(cluster), st)
        assert _reports(run) == local_run[0]
        spread = run.spool.summary()["executor"]
        run.close()
        assert _store_rows(st) == local_run[1]
        assert spread["kind"] == "dask" and spread["workers"] == 2
        assert sum(spread["tasks_per_worker"].values()) == 13
        assert json.loads(st.query("SELECT executor FROM runs")[1][0][0]) == spread
        # Unchanged archive: everything from the cache, nothing sent (no executor block at all).
        run = run_batch([archive], _dask(cluster), st)
        assert (run.spool.cached, "executor" in run.spool.summary()) == (13, False)
        run.close()
    # No shared filesystem: the bytes travel with the tasks, same reports.
    run = run_batch([archive], _dask(cluster, send_bytes=True))
    assert _reports(run) == local_run[0]
    run.close()


def test_worker_killed_mid_run_loses_nothing(cluster, archive, local_run, tmp_path):
    lc, client = cluster
    client.wait_for_workers(2)
    killed = []

    def kill_one_worker(rep):
        if not killed:  # after the first result, while the others are in flight
            pid = next(iter(client.run(os.getpid).values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    with Store(tmp_path / "k.duckdb") as st:
        run = run_batch([archive], _dask(cluster), st, on_result=kill_one_worker)
        assert killed and _reports(run) == local_run[0]
        run.close()
        assert _store_rows(st) == local_run[1]  # nothing lost, nothing twice
        assert st.query("SELECT count(*) FROM results")[1][0][0] == 13  # one cached result per content


def test_poison_file_is_a_failed_input(cluster, archive, tmp_path):
    client = cluster[1]
    client.wait_for_workers(2)
    folder = tmp_path / "poisoned"
    folder.mkdir()
    for p in sorted(archive.glob("*.txt"))[:3]:
        shutil.copy(p, folder / p.name)
    shutil.copy(next(archive.glob("*.txt")), folder / POISON)
    run = run_batch([folder], _dask(cluster))
    reports = {r["source"].rsplit("/", 1)[-1]: r for r in run.spool}
    run.close()
    assert [n for n, r in reports.items() if r["status"] == "ok"] == sorted(p.name for p in archive.glob("*.txt"))[:3]
    err = reports[POISON]["error"]
    assert err["code"] == "unreadable" and "工作节点进程多次崩溃" in err["message"]
    client.wait_for_workers(2)


def test_time_limit_and_parser_crash_on_a_worker(cluster, archive, tmp_path):
    from . import batch_hooks

    folder = tmp_path / "hooks"
    folder.mkdir()
    for name in ("a.txt", "hang.txt", "crash.txt"):
        shutil.copy(next(archive.glob("*.txt")), folder / name)
    run = run_batch([folder], _dask(cluster, timeout=3, worker_setup=batch_hooks.hang_and_crash))
    got = {r["source"].rsplit("/", 1)[-1]: (r["status"], (r["error"] or {}).get("code")) for r in run.spool}
    run.close()
    # The parser's crash takes down the worker's child, not the Dask worker: no retry needed.
    assert got == {"a.txt": ("ok", None), "hang.txt": ("failed", "timeout"), "crash.txt": ("failed", "unreadable")}

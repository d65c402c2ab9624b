"""Dask executor benchmark (not a test: takes a minute or two).

    .venv/bin/python benchmarks/bench_dask.py --n 300

On one generated archive (benchmarks/bench_batch.py's generator), each run
into a fresh store: reports/s for the local pool with 1 and 2 jobs and for a
LocalCluster (processes, 1 thread each) with 1 and 2 workers; the cluster's
start-up is timed apart (a scheduled run on a standing cluster does not pay
it). Per-task overhead: the same runs over N empty files (each fails at once
with `empty`, so the time per task is the executor's own cost).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def timed_run(folder: Path, db: Path, **settings) -> float:
    from pipeline.run.batch import BatchSettings, run_batch
    from pipeline.store.db import Store

    t0 = time.perf_counter()
    with Store(db) as st:
        run = run_batch([folder], BatchSettings(**settings), st)
        assert run.spool.reports == len(list(folder.iterdir()))
        run.close()
    return time.perf_counter() - t0


def with_cluster(workers: int, fn):
    """fn(scheduler address) on a fresh LocalCluster; returns (start-up s, fn's value)."""
    import dask
    from distributed import Client, LocalCluster

    from pipeline.run.executor_dask import LOCAL_CONFIG

    t0 = time.perf_counter()
    with dask.config.set(LOCAL_CONFIG), LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                    dashboard_address=None, silence_logs=logging.ERROR) as lc:
        with Client(lc) as client:
            client.wait_for_workers(workers)
        startup = time.perf_counter() - t0
        return startup, fn(lc.scheduler_address)


def measure(folder: Path, tmp: Path, tag: str) -> dict:
    """Seconds per configuration over `folder` (each into a fresh store)."""
    out = {f"local {j}": timed_run(folder, tmp / f"{tag}-l{j}.duckdb", jobs=j) for j in (1, 2)}
    for w in (1, 2):
        startup, seconds = with_cluster(w, lambda addr, w=w: timed_run(
            folder, tmp / f"{tag}-d{w}.duckdb", executor="dask", scheduler=addr))
        out[f"dask {w}"], out[f"dask {w} start-up"] = seconds, startup
    return out


def main(argv=None) -> None:
    from bench_batch import generate

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="perfaudit-bench-") as tmp:
        tmp = Path(tmp)
        reports, empty = tmp / "reports", tmp / "empty"
        generate(a.n, reports)
        for p in reports.glob("*.json"):
            p.unlink()  # the generator's labels: not an input
        empty.mkdir()
        for i in range(a.n):
            (empty / f"e{i:05d}.txt").write_bytes(b"")
        n = len(list(reports.iterdir()))
        real = measure(reports, tmp, "r")
        tiny = measure(empty, tmp, "e")
    print(f"reports: {n} (fixtures/synth/generate.py); per-task overhead over {a.n} empty files")
    for name in ("local 1", "local 2", "dask 1", "dask 2"):
        extra = f", cluster start-up {real[name + ' start-up']:.1f} s" if name.startswith("dask") else ""
        print(f"{name:<8}: {real[name]:6.1f} s, {n / real[name]:5.1f} reports/s{extra}; "
              f"per task (empty files) {tiny[name] / a.n * 1000:5.1f} ms")
    one = tiny["dask 1"] / a.n - tiny["local 1"] / a.n
    print(f"dask's extra cost per task over the local pool (1 worker): {one * 1000:.1f} ms")


if __name__ == "__main__":
    main()

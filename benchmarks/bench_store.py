"""Store benchmark: the results of N small synthetic reports go into one store
(not a test: N = 100,000 takes minutes).

    .venv/bin/python benchmarks/bench_store.py                  # N = 1,000, 10,000, 100,000
    .venv/bin/python benchmarks/bench_store.py --n 1000 --n 20000

A few reports of fixtures/synth are audited once for real and each of the N results
is one of them under another unit, year, budget total and content hash
(fixtures/hostile/store_results.py), so the store grows as a real archive would (most units file once a year; some twice with other
figures, which XDOC-01 reports; every 50th file is an earlier one under a second
name, XDOC-02). Each N runs in a fresh process with a fresh store: save_result for
every report (group commits), then what `perfaudit audit --validate` does after a
run (cross-document checks, great_expectations over the batch tables, the batch
findings written back, the run finished), each timed, then the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "fixtures" / "hostile"))
TEMPLATES = 24  # reports of fixtures/synth/corpus audited for real


def measure(n: int, db: Path, docs: Path | None) -> dict:
    """In this process: fill a fresh store with n results and run the batch checks."""
    import resource

    from store_results import synthetic, templates  # fixtures/hostile/store_results.py

    from pipeline.audit.rules import load_rules
    from pipeline.store.crossdoc import cross_checks
    from pipeline.store.db import Store
    from pipeline.store.validate import validate_run

    def peak() -> float:
        """Peak RSS in MiB (VmHWM: ru_maxrss would carry a forking parent's peak)."""
        try:
            return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024
        except (OSError, AttributeError):
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    base, rules = templates(TEMPLATES), load_rules()
    times, peaks = {}, {"start": peak()}
    with Store(db) as store:
        run_id = store.begin_run(["archive/"], "bench", "bench", "bench")
        t0 = time.perf_counter()
        shas = set()
        for i in range(n):
            item = synthetic(i, n, base)
            shas.add(item["sha256"])
            store.save_result(run_id, item)
        store.flush()
        times["insert"], peaks["insert"] = time.perf_counter() - t0, peak()
        shas = sorted(shas)
        t0 = time.perf_counter()
        by_sha = cross_checks(store, shas, rules)
        times["crossdoc"], peaks["crossdoc"] = time.perf_counter() - t0, peak()
        t0 = time.perf_counter()
        dq, summary = validate_run(store, shas, docs, rules)
        times["validate"], peaks["validate"] = time.perf_counter() - t0, peak()
        t0 = time.perf_counter()
        for sha, findings in dq.items():
            by_sha.setdefault(sha, []).extend(findings)
        store.replace_batch_findings(run_id, shas, by_sha, ("XDOC-", "DQ-"))
        store.finish_run(run_id, {"reports": n, "failed": 0, "findings": {}}, "done")
        times["write back"] = time.perf_counter() - t0
    return {"n": n, "seconds": times, "xdoc": sum(f["rule"].startswith("XDOC") for fs in by_sha.values() for f in fs),
            "dq": sum(map(len, dq.values())), "rows": summary["rows"], "db_mib": db.stat().st_size / 2**20,
            "peak_rss_mib": peak(), "peaks": peaks}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, action="append", help="reports per store (repeatable)")
    ap.add_argument("--no-docs", action="store_true", help="skip the Data Docs (HTML) of the validation")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child is not None:  # one measurement, in a process of its own
        work = Path(a.dir)
        print(json.dumps(measure(a.child, work / "bench.duckdb", None if a.no_docs else work / "docs")))
        return
    for n in a.n or [1_000, 10_000, 100_000]:
        with tempfile.TemporaryDirectory(prefix="perfaudit-bench-store-") as tmp:
            t0 = time.perf_counter()
            cmd = [sys.executable, __file__, "--child", str(n), "--dir", tmp, *(["--no-docs"] if a.no_docs else [])]
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode:
                raise SystemExit(f"N={n} failed:\n{p.stderr[-3000:]}")
            r = json.loads(p.stdout.strip().splitlines()[-1])
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in r["seconds"].items())
        print(f"N={n:>7,}: {time.perf_counter() - t0:7.1f} s in all ({parts}); peak RSS {r['peak_rss_mib']:.0f} MiB; "
              f"(after {', '.join(f'{k} {v:.0f}' for k, v in r['peaks'].items())}); store {r['db_mib']:.0f} MiB; XDOC findings {r['xdoc']}, DQ findings {r['dq']}; rows {r['rows']}",
              flush=True)


if __name__ == "__main__":
    main()

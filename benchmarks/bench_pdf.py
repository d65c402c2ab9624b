"""What a user waits for: a whole `perfaudit audit` of a folder of PDFs against plain text extraction.

    .venv/bin/python benchmarks/bench_pdf.py                    # mixed folder, 3 rounds
    .venv/bin/python benchmarks/bench_pdf.py --repeat 5 --jobs 1,0
    .venv/bin/python benchmarks/bench_pdf.py --scale 1000,10000  # peak memory on N small files
    .venv/bin/python benchmarks/bench_pdf.py --stages            # where the time goes (in-process)
    .venv/bin/python benchmarks/bench_pdf.py DIR                 # another folder of PDFs
    .venv/bin/python benchmarks/bench_pdf.py --baseline /tmp/base  # also an older perfaudit (source tree)

Every contender is a whole process started cold, on the same files, in the same run (rounds are
interleaved, so a busy neighbour slows all of them alike; an untimed first round writes Python's
bytecode cache and warms the OS's file cache, as on a machine that has run anything before):

- `perfaudit audit DIR --json --no-db --quiet --jobs N` (no store, no cache; stdout to a file),
  as a user runs it: interpreter start-up, imports, rules, worker processes, reading, extraction,
  rules, serialisation;
- a plain pdfplumber loop: `page.extract_text()` for every page;
- a raw pypdfium2 loop: `page.get_textpage().get_text_range()` for every page.

Printed per contender: wall seconds (best and median of the rounds), CPU seconds (user + system of the
process and its workers), pages/s, reports/s, and peak RSS: the largest single process and the sum over
the process tree (sampled every 20 ms; the --scale runs also give the main process's and the largest
worker's own peaks). Then the ratios the issue asks for (audit wall time over
pdfplumber's and over raw pypdfium2's) and 10,000 reports extrapolated from the all-cores rate.

The default folder is benchmarks/bench_corpus.py's mixed folder (110 PDFs: 100 narrative reports, 10
forms), built from committed fixtures under --work (default build/bench_pdf/). Not a test: numbers vary
by machine and load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_corpus import build_mixed, build_small, font_used  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
# Python's bytecode cache on, as after any pip install (an editable install under
# PYTHONDONTWRITEBYTECODE=1 compiles every perfaudit module in every process: ~0.1 s each).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

PLUMBER_LOOP = """
import sys, pdfplumber
pages = 0
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            pages += 1
print(pages)
"""

PDFIUM_LOOP = """
import sys, pypdfium2 as pdfium
pages = 0
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    pdf = pdfium.PdfDocument(path)
    for page in pdf:
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
        pages += 1
    pdf.close()
print(pages)
"""


@dataclass
class Run:
    wall: float
    cpu: float
    max_proc_mib: float  # the largest single process (wait4 ru_maxrss)
    tree_mib: float  # sum of RSS over the process tree, sampled
    rc: int
    main_mib: float = 0.0  # the process started (sampled peak)
    worker_mib: float = 0.0  # its largest child (sampled peak)


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _tree_rss(pid: int) -> dict[int, int]:
    """RSS in bytes of `pid` and each of its descendants."""
    kids, todo, rss = _children(), [pid], {}
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, ()))
        try:
            with open(f"/proc/{p}/statm", "rb") as fh:
                rss[p] = int(fh.read().split()[1]) * PAGE
        except OSError:
            pass
    return rss


def measure(cmd: list[str], stdout, sample: bool = True, env: dict | None = None) -> Run:
    """Run `cmd` to the end; wall and CPU time, peak memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE, env=env or ENV)
    peak = [0]
    by_pid: dict[int, int] = {}
    done = threading.Event()

    def sampler() -> None:
        while not done.wait(0.02):
            rss = _tree_rss(proc.pid)
            peak[0] = max(peak[0], sum(rss.values()))
            for p, v in rss.items():
                by_pid[p] = max(by_pid.get(p, 0), v)

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if sample:
        thread.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd[:3])} … failed ({proc.returncode}):\n{err.decode(errors='replace')[-2000:]}")
    workers = [v for p, v in by_pid.items() if p != proc.pid]
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, peak[0] / 2**20, proc.returncode,
               by_pid.get(proc.pid, 0) / 2**20, max(workers, default=0) / 2**20)


def perfaudit_cmd() -> list[str]:
    script = Path(sys.executable).parent / "perfaudit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]


def audit_run(folder: Path, jobs: int, out: Path, sample: bool = True, tree: Path | None = None) -> Run:
    """perfaudit on `folder`; `tree`: the source tree of another version to run instead
    (first on PYTHONPATH, so it shadows this checkout's editable install)."""
    env = {**ENV, "PYTHONPATH": str(tree)} if tree else ENV
    with open(out, "wb") as fh:
        return measure(perfaudit_cmd() + ["audit", str(folder), "--json", "--no-db", "--quiet", "--jobs", str(jobs)],
                       fh, sample, env)


def check_output(out: Path, n: int) -> dict:
    with open(out, encoding="utf-8") as fh:
        summary = json.load(fh)["summary"]
    if summary["reports"] != n:
        sys.exit(f"perfaudit audited {summary['reports']} reports, expected {n}")
    return summary


def loop_run(code: str, listing: Path) -> Run:
    return measure([sys.executable, "-c", code, str(listing)], subprocess.DEVNULL)


def count_pages(files: list[Path]) -> int:
    import pypdfium2 as pdfium

    total = 0
    for p in files:
        pdf = pdfium.PdfDocument(p)
        total += len(pdf)
        pdf.close()
    return total


def fmt(name: str, runs: list[Run], pages: int, reports: int) -> str:
    best = min(r.wall for r in runs)
    med = statistics.median(r.wall for r in runs)
    cpu = min(r.cpu for r in runs)
    proc = max(r.max_proc_mib for r in runs)
    tree = max(r.tree_mib for r in runs)
    return (f"{name:34} {best:7.2f} {med:7.2f} {cpu:7.2f} {pages / best:8.1f} {reports / best:8.1f}"
            f" {proc:8.0f} {tree:8.0f}")


def compare(files: list[Path], folder: Path, jobs_list: list[int], repeat: int, work: Path,
            baseline: Path | None = None) -> None:
    pages, n = count_pages(files), len(files)
    listing = work / "files.txt"
    listing.write_text("\n".join(str(p) for p in files) + "\n", encoding="utf-8")
    out = work / "audit.json"
    runs: dict[str, list[Run]] = {}
    contenders: list[tuple[str, object, Path | None]] = []
    if baseline:
        contenders += [(f"baseline perfaudit --jobs {j}", j, baseline) for j in jobs_list]
    contenders += [(f"perfaudit audit --jobs {j}", j, None) for j in jobs_list]
    contenders += [("pdfplumber extract_text loop", "plumber", None),
                   ("raw pypdfium2 get_text_range loop", "pdfium", None)]
    summary = None
    for round_ in range(repeat + 1):  # round 0 warms up: bytecode, the OS's file cache
        for name, what, tree in contenders:
            if what == "plumber":
                r = loop_run(PLUMBER_LOOP, listing)
            elif what == "pdfium":
                r = loop_run(PDFIUM_LOOP, listing)
            else:
                r = audit_run(folder, what, out, tree=tree)
                summary = check_output(out, n)
            if round_:
                runs.setdefault(name, []).append(r)
    cores = os.cpu_count()
    print(f"\n{n} PDFs, {pages} pages, {repeat} rounds, {cores} cores; load average now "
          f"{os.getloadavg()[0]:.2f}")
    if summary:
        print(f"audit summary: {summary['reports'] - summary['failed']} ok, {summary['failed']} failed, "
              f"findings {summary['findings']}")
    print(f"{'':34} {'wall s':>7} {'median':>7} {'CPU s':>7} {'pages/s':>8} {'rep/s':>8} {'proc MiB':>8}"
          f" {'tree MiB':>8}")
    for name, _, _ in contenders:
        print(fmt(name, runs[name], pages, n))
    plumber = min(r.wall for r in runs["pdfplumber extract_text loop"])
    pdfium = min(r.wall for r in runs["raw pypdfium2 get_text_range loop"])
    plumber_cpu = min(r.cpu for r in runs["pdfplumber extract_text loop"])
    pdfium_cpu = min(r.cpu for r in runs["raw pypdfium2 get_text_range loop"])
    print("\nratios (best wall time; CPU time in brackets):")
    for name, jobs, _ in contenders:
        if isinstance(jobs, str):
            continue
        wall = min(r.wall for r in runs[name])
        cpu = min(r.cpu for r in runs[name])
        print(f"  {name}: {wall / plumber:.3f} of pdfplumber ({cpu / plumber_cpu:.3f}), "
              f"{wall / pdfium:.2f}x raw pypdfium2 ({cpu / pdfium_cpu:.2f}x)"
              f"; 10,000 reports ≈ {10000 / (n / wall) / 60:.1f} min")


def scale(sizes: list[int], mixed: Path, work: Path, jobs: int, baseline: Path | None = None) -> None:
    print(f"\nmemory and time on N small files (--jobs {jobs or os.cpu_count()}):")
    print(f"{'':9} {'N':>7} {'wall s':>8} {'CPU s':>8} {'rep/s':>7} {'main MiB':>9} {'worker':>7} {'tree MiB':>9}"
          "  output")
    for n in sizes:
        folder = build_small(work, mixed, n)
        out = work / f"audit_{n}.json"
        for label, tree in ([("baseline", baseline)] if baseline else []) + [("perfaudit", None)]:
            r = audit_run(folder, jobs, out, tree=tree)
            summary = check_output(out, n)
            print(f"{label:9} {n:7} {r.wall:8.1f} {r.cpu:8.1f} {n / r.wall:7.1f} {r.main_mib:9.0f} {r.worker_mib:7.0f}"
                  f" {r.tree_mib:9.0f}"
                  f"  {summary['reports'] - summary['failed']} ok, {summary['failed']} failed, "
                  f"{out.stat().st_size / 2**20:.0f} MiB JSON", flush=True)
            out.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="a folder of PDFs (default: the mixed folder)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--jobs", default="1,0", help="perfaudit --jobs values to measure (0: all cores)")
    parser.add_argument("--scale", default="", help="comma-separated N: peak RSS and time on N small files")
    parser.add_argument("--stages", action="store_true", help="where the time goes, in-process (bench_stages.py)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench_pdf",
                        help="where the folders are built (default build/bench_pdf)")
    parser.add_argument("--no-compare", action="store_true", help="skip the three-way comparison")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="also run the perfaudit of this source tree (e.g. `git archive COMMIT | tar -x -C DIR`)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    mixed = args.work / "mixed"
    build_mixed(mixed)
    if args.paths:
        folder = Path(args.paths[0])
        files = sorted(folder.rglob("*.pdf"))
    else:
        folder, files = mixed, sorted(mixed.glob("*.pdf"))
        print(f"mixed folder {mixed}: {len(files)} PDFs, rendered reports in {font_used(mixed)}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    try:
        if not args.no_compare:
            compare(files, folder, [int(j) for j in args.jobs.split(",") if j.strip()], args.repeat, tmp,
                    args.baseline)
        if args.scale:
            scale([int(n) for n in args.scale.split(",")], mixed, args.work, 0, args.baseline)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.stages:
        from bench_stages import report

        report(files)


if __name__ == "__main__":
    main()

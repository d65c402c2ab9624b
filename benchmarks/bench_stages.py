"""Where the time of `perfaudit audit` goes, stage by stage (bench_pdf.py --stages).

    .venv/bin/python benchmarks/bench_stages.py [DIR]     # default: the mixed folder

Two parts, each in fresh processes:

1. Fixed costs, paid once per process: interpreter start-up (`python -c pass`), the CLI's imports
   (`perfaudit --version`), a worker's start (imports and rule catalogue, as pool.py's workers do),
   and the lazily loaded parts timed one after another in a fresh interpreter: the reading
   modules, pdfplumber, the rule catalogue, jieba's dictionary, cn2an.
2. Per-file costs over the folder, in one warm process (fixed costs paid before): each stage's
   exclusive time, found by wrapping the stage functions: opening the PDF, loading a page (pdfium
   parses its content), reading glyphs (the per-glyph calls into pdfium), the page-object walk
   (rules, images), tables on ruled pages (pdfium's edges, pdfplumber's finder), layout (lines, reading order, running heads),
   pdfium's own C work (page parse and text page: what the raw pypdfium2 loop also pays),
   extraction, rules, serialisation (the JSON result and its source excerpt; the pickled record only
   with PERFAUDIT_BENCH_PICKLE=1, as a batch with a store makes it).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as bench_pdf.py

FIXED = r"""
import json, sys, time
out = {}
t = time.process_time()
def lap(name):
    global t
    now = time.process_time(); out[name] = now - t; t = now
import pipeline.cli.app, pipeline.run.batch
lap("CLI and batch modules")
import pipeline.run.cache, pipeline.api, pipeline.ingest.pdf, pipeline.ingest.ocr.pdf, pypdfium2
lap("worker's reading and audit modules (pypdfium2, regex)")
from pipeline.audit.rules import load_rules
rules = load_rules()
lap("rule catalogue (rules/*.yml)")
try:
    from pipeline.ingest.pdf_tables import table_finder
    table_finder()
except ImportError:  # an older perfaudit (--baseline trees): pdfplumber itself
    import pdfplumber
lap("pdfplumber's table finder (first ruled page)")
from pipeline.audit.checks.text import _jieba
words = next(r.params["domain_words"] for r in rules if r.check == "truncated_word")
_jieba(tuple(words)).lcut("对6000名80岁以上老人发放高龄津")
lap("jieba and its dictionary (TXT-02)")
from pipeline.extract.common import cn_to_int
cn_to_int("二十一")
lap("extraction modules and lexicon (first report)")
print(json.dumps(out))
"""

WORKER = r"""
from pipeline.ingest.settings import ReadSettings
from pipeline.run.work import make_handler
make_handler((), ReadSettings())
"""


def best_cpu(cmd: list[str], n: int = 5) -> float:
    """Least CPU time (user + system) of `cmd` over n runs: on a shared machine CPU time
    varies much less than wall time, and a cold process runs on one core anyway."""
    times = []
    for _ in range(n):
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            sys.exit(f"{cmd} failed")
        times.append(usage.ru_utime + usage.ru_stime)
    return min(times)


def fixed_costs() -> list[tuple[str, float]]:
    py = sys.executable
    script = Path(py).parent / "perfaudit"
    cli = [str(script)] if script.exists() else [py, "-m", "pipeline.cli"]
    start = best_cpu([py, "-c", "pass"])
    rows = [("interpreter start-up (python -c pass)", start),
            ("perfaudit --version (CLI imports), less start-up", best_cpu(cli + ["--version"]) - start),
            ("a pool worker's start (imports, rules), less start-up", best_cpu([py, "-c", WORKER]) - start)]
    laps = []
    for _ in range(3):
        p = subprocess.run([py, "-c", FIXED], cwd=ROOT, capture_output=True, text=True, check=True, env=ENV)
        laps.append(json.loads(p.stdout.strip().splitlines()[-1]))
    for name in laps[0]:
        rows.append((f"  lazily: {name}", min(lap[name] for lap in laps)))
    return rows


class Stages:
    """Exclusive time per stage: a wrapped function's time, less its wrapped callees'."""

    def __init__(self) -> None:
        self.total: dict[str, float] = {}
        self.stack: list[list[float]] = []

    def wrap(self, module, name: str, stage: str) -> None:
        fn = getattr(module, name, None)
        if fn is None:
            return
        stages = self

        def timed(*args, **kwargs):
            stages.stack.append([time.process_time(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                start, inner = stages.stack.pop()
                spent = time.process_time() - start
                stages.total[stage] = stages.total.get(stage, 0.0) + spent - inner
                if stages.stack:
                    stages.stack[-1][1] += spent

        setattr(module, name, timed)

    def timed_block(self, stage: str, fn, *args, **kwargs):
        self.stack.append([time.process_time(), 0.0])
        try:
            return fn(*args, **kwargs)
        finally:
            start, inner = self.stack.pop()
            spent = time.process_time() - start
            self.total[stage] = self.total.get(stage, 0.0) + spent - inner


def per_file(files: list[Path]) -> tuple[dict[str, float], int, int]:
    import pypdfium2  # noqa: F401

    import pipeline.api as api
    import pipeline.audit.engine as engine
    import pipeline.extract as extract
    import pipeline.ingest.pdf as pdf
    import pipeline.ingest.pdf_engines as engines
    import pipeline.ingest.pdf_tables as tables
    from pipeline.audit.rules import load_rules
    from pipeline.ingest.text import read_document

    rules = load_rules()
    for p in files[:3]:  # warm: lazy imports, jieba, regex caches
        api.audit_file(p, rules)
    st = Stages()
    st.wrap(pdf, "open_pdfium", "PDF open (pdfium)")
    st.wrap(pdf, "open_plumber", "pdfplumber: open")
    st.wrap(pdf, "page_objects", "page-object walk (rules, images)")
    st.wrap(engines, "page_objects", "page-object walk (rules, images)")
    st.wrap(pdf, "pdfium_has_rules", "page-object walk (rules, images)")  # before one walk did both
    st.wrap(pdf, "scan_pdfium_page", "glyph reading (calls per glyph)")
    st.wrap(engines, "pdfium_glyphs", "glyph reading (calls per glyph)")
    st.wrap(pdf, "scan_plumber_page", "pdfplumber: table pages (parse, chars, tables)")
    st.wrap(pdf, "with_tables", "pdfplumber: table pages (parse, chars, tables)")
    st.wrap(pdf, "plumber_or_pdfium", "pdfplumber: table pages (parse, chars, tables)")
    st.wrap(tables, "find_page_tables", "pdfplumber: table pages (parse, chars, tables)")
    st.wrap(pdf, "with_edge_tables", "tables: pdfium edges, pdfplumber's finder, cells")
    st.wrap(pdf, "page_text", "layout (lines, columns, running heads)")
    st.wrap(pdf, "merge_tables", "layout (lines, columns, running heads)")
    st.wrap(pdf, "read_pdf", "the rest of reading (page status, tables, meta)")
    st.wrap(extract, "extract_record", "extraction (Document -> Record)")
    st.wrap(engine, "audit_record", "rules (checks)")
    import pypdfium2 as pdfium_lib

    # pdfium's own work, the same as in the raw pypdfium2 loop: parsing a page, building its text page.
    st.wrap(pdfium_lib.PdfDocument, "get_page", "pdfium C: page parse and text page")
    st.wrap(pdfium_lib.PdfPage, "get_textpage", "pdfium C: page parse and text page")
    import pipeline.ingest.text as text_mod
    import pipeline.run.work as work
    from pipeline.numbers import arithmetic

    st.wrap(work, "several_reports", "extraction (Document -> Record)")
    st.wrap(work, "audit_record", "rules (checks)")
    st.wrap(work, "record_to_json", "serialisation and excerpt (JSON result)")
    st.wrap(work, "capture", "serialisation and excerpt (JSON result)")
    text_mod.read_pdf = pdf.read_pdf  # read_document imports read_pdf per call; ours is wrapped
    pages = 0
    start = time.process_time()
    for p in files:
        doc = st.timed_block("reading: file and dispatch", read_document, p, p.name, pdf_engine="auto", ocr="never")
        pages += doc.meta.get("pages", 0)
        work.several_reports(doc)
        with arithmetic():
            record = st.timed_block("extraction (Document -> Record)", work.read_record, doc)
        source = work.Source.of(doc)
        result = st.timed_block("the rest of auditing (sorting, coverage)", work.audit_extracted, record, source,
                                p.name, doc.meta, rules)
        st.timed_block("serialisation and excerpt (JSON result)", serialise, result, record, source)
    cpu = time.process_time() - start
    return st.total, pages, cpu


def serialise(result, record, source) -> None:
    """The JSON result a worker sends back (a batch with a store also pickles the Record and
    Source for its cache; `audit --no-db`, as benchmarked, does not)."""
    json.dumps(result.to_json(with_source=False), ensure_ascii=False)
    if os.environ.get("PERFAUDIT_BENCH_PICKLE"):
        pickle.dumps((record, source), protocol=pickle.HIGHEST_PROTOCOL)


def report(files: list[Path]) -> None:
    print("\nwhere the time goes (CPU time): fixed costs per process, least of 3-5 fresh processes")
    for name, seconds in fixed_costs():
        print(f"  {name:62} {1000 * seconds:7.0f} ms")
    totals, pages, cpu = per_file(files)
    n = len(files)
    print(f"\nper-file costs over {n} files, {pages} pages (one warm process, {cpu:.2f} s CPU; exclusive times)")
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {name:50} {seconds:7.3f} s {1000 * seconds / n:7.2f} ms/file {100 * seconds / cpu:5.1f} %")


def main() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_corpus import build_mixed

    if len(sys.argv) > 1:
        files = sorted(Path(sys.argv[1]).rglob("*.pdf"))
    else:
        files = build_mixed(ROOT / "build" / "bench_pdf" / "mixed")
    report(files)


if __name__ == "__main__":
    main()

"""PDF ingestion throughput: the fast path (read_pdf, engine auto) against plain pdfplumber.

    .venv/bin/python benchmarks/bench_pdf.py [DIR_OR_PDF ...] [--repeat N]

Default input: the good PDFs in fixtures/pdf. Each file is read N times (default 5) by each
contender in the same process; pages/s is total pages over total wall time. Peak memory is
tracemalloc's peak for Python allocations during one pass (pdfium's C heap is not seen by
tracemalloc, so the process's max RSS is printed too). Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.ingest.document import IngestError  # noqa: E402
from pipeline.ingest.pdf import read_pdf  # noqa: E402

DEFAULT_DIR = ROOT / "fixtures" / "pdf"


def inputs(args: list[str]) -> list[tuple[str, bytes]]:
    paths: list[Path] = []
    for raw in args or [str(DEFAULT_DIR)]:
        p = Path(raw)
        paths.extend(sorted(p.rglob("*.pdf")) if p.is_dir() else [p])
    files = []
    for p in paths:
        data = p.read_bytes()
        try:  # only files both contenders can read make a fair comparison
            read_pdf(data, str(p))
        except IngestError:
            continue
        files.append((str(p), data))
    return files


def fast_path(name: str, data: bytes) -> int:
    return read_pdf(data, name, "auto").meta["pages"]


_RULES = []


def full_audit(name: str, data: bytes) -> int:
    """The whole audit of a PDF: fast-path reading, normalisation, extraction, rules."""
    from pipeline.api import audit_document
    from pipeline.audit.rules import load_rules

    if not _RULES:
        _RULES.extend(load_rules())
    doc = read_pdf(data, name, "auto")
    audit_document(doc, _RULES)
    return doc.meta["pages"]


def plain_pdfplumber(name: str, data: bytes) -> int:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
        return len(pdf.pages)


def measure(fn, files, repeat: int) -> tuple[float, int, float]:
    """(pages per second, pages per pass, tracemalloc peak MiB of one pass)."""
    tracemalloc.start()
    pages = sum(fn(name, data) for name, data in files)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    start = time.perf_counter()
    for _ in range(repeat):
        for name, data in files:
            fn(name, data)
    elapsed = time.perf_counter() - start
    return pages * repeat / elapsed, pages, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="PDF files or directories (default: fixtures/pdf)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = inputs(args.paths)
    if not files:
        sys.exit("no readable PDF found")
    import pdfplumber  # noqa: F401 - import cost excluded from both timings
    import pypdfium2  # noqa: F401

    full_audit(*files[0])  # warm-up: rule loading and jieba's dictionary, paid once per process
    fast = measure(fast_path, files, args.repeat)
    whole = measure(full_audit, files, args.repeat)
    slow = measure(plain_pdfplumber, files, args.repeat)
    print(f"{len(files)} files, {fast[1]} pages per pass, {args.repeat} passes")
    print(f"fast path (read_pdf auto):   {fast[0]:8.1f} pages/s   peak {fast[2]:6.1f} MiB (tracemalloc)")
    print(f"whole audit (read+extract+rules): {whole[0]:8.1f} pages/s   peak {whole[2]:6.1f} MiB (tracemalloc)")
    print(f"pdfplumber extract_text():   {slow[0]:8.1f} pages/s   peak {slow[2]:6.1f} MiB (tracemalloc)")
    print(f"ratio fast/plain: {fast[0] / slow[0]:.1f}x   ratio whole audit/plain: {whole[0] / slow[0]:.1f}x")
    print("per file (ms per pass, fast / plain, engines used):")
    for name, data in files:
        t_fast = measure(fast_path, [(name, data)], args.repeat)
        t_slow = measure(plain_pdfplumber, [(name, data)], args.repeat)
        engines = ",".join(sorted(set(read_pdf(data, name).meta["engine"])))
        print(f"  {Path(name).name:24} {1000 * t_fast[1] / t_fast[0]:7.1f} / {1000 * t_slow[1] / t_slow[0]:7.1f}"
              f"   {t_fast[1]} pages  {engines}")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()

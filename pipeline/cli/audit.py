"""The audit command's batch side: options for the pool, the time limit, the
store and the cache, and the helpers `_audit` in pipeline.cli.app calls.

Imported for every command (the options are declared here): keep heavy
imports inside the functions."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline.report.escape import visible

TERMINAL_MAX_REPORTS = 20  # beyond this the terminal gets the summary only (see --out)


def add_audit_options(audit) -> None:
    from pipeline.run.batch import DEFAULT_TIMEOUT_S

    audit.add_argument("--jobs", type=int, default=None, metavar="N",
                       help=f"并行进程数（默认或 0：全部 CPU 核，本机 {os.cpu_count()}）")
    audit.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                       help=f"单个文件的处理时限（扫描件的 OCR 按每页计时），超时即终止并记为失败（默认 {DEFAULT_TIMEOUT_S:g} 秒，0 为不限）")
    audit.add_argument("--db", metavar="PATH",
                       help="结果数据库（DuckDB）；默认 reports/perfaudit.duckdb，同时用作缓存")
    audit.add_argument("--no-db", action="store_true", help="不写数据库，也不用缓存")
    audit.add_argument("--no-cache", action="store_true", help="忽略缓存，全部重新读取和审核（结果仍写入数据库）")
    audit.add_argument("--executor", choices=("local", "dask"), default="local",
                       help="在哪里处理文件：local 本机进程池（默认）；dask 用 Dask 集群（见 --scheduler）")
    audit.add_argument("--scheduler", metavar="ADDRESS",
                       help="Dask 调度器地址，如 tcp://10.0.0.5:8786；不给则在本机起 --jobs 个工作进程的 LocalCluster")
    audit.add_argument("--send-bytes", action="store_true",
                       help="Dask：把每个文件的内容随任务发给工作节点（没有共享目录时；默认只在工作节点看不到该路径时发送）")
    audit.add_argument("--validate", action="store_true",
                       help="用 great_expectations 做数据质量检查（DQ-xx），有 --out 时把 Data Docs 写入 DIR/data_docs")


def check_audit_args(args, parser) -> None:
    from pipeline.run.inputs import missing_inputs

    if args.jobs is not None and args.jobs < 0:
        parser.error("--jobs 不能为负数（0 表示全部 CPU 核）")
    if args.timeout < 0:
        parser.error("--timeout 不能为负数")
    if args.db and args.no_db:
        parser.error("--db 与 --no-db 不能同时使用")
    if (args.scheduler or args.send_bytes) and args.executor != "dask":
        parser.error("--scheduler 和 --send-bytes 需要 --executor dask")
    missing = missing_inputs(args.paths)
    if missing:
        parser.error(f"找不到输入：{', '.join(visible(m, keep_newlines=False) for m in missing)}")
    problem = out_dir_problem(args.out) if args.out else None
    if problem:  # found before the run, not after an hour of auditing
        parser.error(problem)


def out_dir_problem(out: str) -> str | None:
    """Why --out DIR cannot take the outputs (None: it can): it names a file,
    or the folder cannot be made or written. Creates the folder."""
    import tempfile

    path, shown = Path(out), visible(out, keep_newlines=False)
    if path.exists() and not path.is_dir():
        return f"--out 应是一个目录，而 {shown} 是已存在的文件：请换一个目录名。"
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        return f"--out 目录 {shown} 无法创建或写入（{exc.strerror or exc}）：请换一个可写的目录。"
    return None


def open_store(args):
    """(store or None, exit code or None). The default database being busy
    (another audit running) is a warning; a named one is an error."""
    if args.no_db:
        return None, None
    from pipeline.store.db import DEFAULT_DB, Store, StoreError

    try:
        return Store(args.db or DEFAULT_DB), None
    except StoreError as exc:
        if args.db:
            print(f"perfaudit: {exc}", file=sys.stderr)
            return None, 2
        print(f"perfaudit: 提示：{exc}；本次结果不写入数据库，也不使用缓存（可用 --db 指定其他文件）。",
              file=sys.stderr)
        return None, None


def read_settings(args):
    """How inputs are read (--pdf-engine, --ocr, --ocr-cache)."""
    from pipeline.ingest.settings import ReadSettings

    return ReadSettings.from_options(pdf_engine=args.pdf_engine, ocr=getattr(args, "ocr", None),
                                     ocr_cache_dir=getattr(args, "ocr_cache", None))


def start_batch(args, store):
    from pipeline.run.batch import BatchSettings, run_batch
    from pipeline.run.progress import progress_for

    settings = BatchSettings(jobs=args.jobs or 0, timeout=args.timeout or None,
                             rules_dirs=tuple(args.rules or ()), profile=getattr(args, "profile", None),
                             read=read_settings(args),
                             use_cache=not args.no_cache, executor=args.executor,
                             scheduler=args.scheduler, send_bytes=args.send_bytes)
    return run_batch(args.paths, settings, store, progress=progress_for(not args.quiet), finish=False)


def post_checks(args, run, store) -> None:
    """Checks over the whole batch, once every report is in the store:
    cross-document (always, cheap SQL) and data quality (--validate, GX)."""
    if store is None or run.run_id is None or run.interrupted:
        if args.validate:
            print("perfaudit: 提示：--validate 需要数据库，本次未做数据质量检查。", file=sys.stderr)
        return
    from pipeline.store.crossdoc import cross_checks

    shas = sorted({s for s in run.spool.shas if s})
    by_sha = cross_checks(store, shas, run.rules)
    prefixes = ["XDOC-"]
    if args.validate:
        dq, summary = run_validation(store, shas, Path(args.out) / "data_docs" if args.out else None, run.rules)
        for sha, findings in dq.items():
            by_sha.setdefault(sha, []).extend(findings)
        prefixes.append("DQ-")
    store.replace_batch_findings(run.run_id, shas, by_sha, tuple(prefixes))
    run.spool.add_extra(by_sha)


def run_validation(store, shas: list[str], docs_dir: Path | None, rules: list | None = None):
    from pipeline.store.validate import validate_run

    dq, summary = validate_run(store, shas, docs_dir, rules)
    docs = f"；Data Docs：{summary['data_docs']}" if summary["data_docs"] else ""
    print(f"数据质量检查：{summary['expectations']} 项期望，{summary['failed']} 项未通过，"
          f"{sum(map(len, dq.values()))} 个问题{docs}", file=sys.stderr)
    return dq, summary


def write_outputs(args, run, document: dict, formats: list[str]) -> None:
    from pipeline.report.summary import write_outputs

    for p in write_outputs(document, Path(args.out), formats, run.fingerprints()):
        print(f"已写入 {p}", file=sys.stderr)


def print_summary(document: dict) -> None:
    from pipeline.report.summary import print_terminal

    if document["summary"]["reports"] <= TERMINAL_MAX_REPORTS:
        print_terminal(document)
    else:
        print_terminal({"reports": [], "summary": document["summary"]})
        print("报告较多，终端只显示汇总；逐份结果请用 --out DIR 或 perfaudit query。", file=sys.stderr)

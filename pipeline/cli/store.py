"""perfaudit subcommands for the store stage (registered by pipeline.cli.app):
`query SQL` and `export --out DIR`.

Keep this module free of heavy imports: it is imported for every command,
including --help. Import duckdb, pandas, openpyxl inside the handlers."""

from __future__ import annotations

import argparse
import sys

QUERY_EXAMPLES = """例子 (examples):
  perfaudit query "SELECT unit, year, count(*) AS errors FROM findings JOIN records USING (sha256)
                   WHERE severity = 'error' GROUP BY ALL ORDER BY errors DESC"
  perfaudit query "SELECT unit FROM findings JOIN records USING (sha256) WHERE severity = 'error'
                   GROUP BY unit HAVING count(DISTINCT year) >= 3" --csv > units.csv
  perfaudit query "SELECT * FROM runs ORDER BY started_at DESC LIMIT 5" --json
表 (tables): runs documents records budget_lines indicators findings decisions cross_findings
退出码 (exit status): 0 成功; 2 SQL 有误或数据库无法打开。"""
EXPORT_EXAMPLES = """例子 (examples):
  perfaudit export --out reports/parquet
  perfaudit export --db archive.duckdb --out /data/perfaudit
每个表写成一个 Parquet 文件（records 不含缓存用的二进制列）。"""

VALIDATE_EXAMPLES = """例子 (examples):
  perfaudit validate --out reports/2024/quality
  perfaudit validate --db archive.duckdb --run 20240501T020000-ab12cd --out dq/
退出码 (exit status): 0 完成（数据质量问题是提示或警告，不改变退出码）; 2 数据库无法打开或没有审核批次。"""


def _db_help() -> str:
    return "数据库文件（默认 reports/perfaudit.duckdb）"


def add_commands(sub) -> dict:
    """Add subparsers to `sub`; return {command name: handler(args) -> exit code}."""
    fmt = argparse.RawDescriptionHelpFormatter
    query = sub.add_parser("query", help="对结果数据库执行 SQL 查询（只读）",
                           description="对 perfaudit 的 DuckDB 数据库执行一条只读 SQL，结果打印到标准输出。"
                                       "查询只能读取数据库中的表：不能读写文件（COPY、EXPORT、read_text 等）、"
                                       "安装或加载扩展、修改设置。",
                           epilog=QUERY_EXAMPLES, formatter_class=fmt)
    query.add_argument("sql", metavar="SQL", help="一条 SQL 语句（DuckDB 语法）")
    query.add_argument("--db", metavar="PATH", help=_db_help())
    out = query.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true", help="输出 CSV（含表头）")
    out.add_argument("--json", action="store_true", help="输出 JSON（对象数组）")
    export = sub.add_parser("export", help="把数据库的每个表导出为 Parquet 文件",
                            description="把数据库的每个表导出为 Parquet 文件，供 pandas、DuckDB、Spark 等读取。",
                            epilog=EXPORT_EXAMPLES, formatter_class=fmt)
    export.add_argument("--db", metavar="PATH", help=_db_help())
    export.add_argument("--out", metavar="DIR", required=True, help="输出目录")
    validate = sub.add_parser("validate", help="对最近一次审核的结果做数据质量检查（great_expectations）",
                              description="对数据库中最近一次（或指定）审核的文档做数据质量检查（DQ-xx），"
                                          "问题写回数据库，Data Docs 与 data_quality.json 写入 --out 目录。",
                              epilog=VALIDATE_EXAMPLES, formatter_class=fmt)
    validate.add_argument("--db", metavar="PATH", help=_db_help())
    validate.add_argument("--out", metavar="DIR", required=True, help="输出目录（data_docs/ 与 data_quality.json）")
    validate.add_argument("--run", metavar="RUN_ID", help="审核批次编号（默认最近一次完成的）")
    return {"query": _query, "export": _export, "validate": _validate}


def _open(args):
    from pipeline.store.db import DEFAULT_DB, Store, StoreError

    try:
        return Store(args.db or DEFAULT_DB, read_only=True)
    except StoreError as exc:
        print(f"perfaudit: {exc}（先运行 perfaudit audit 生成数据库，或用 --db 指定）", file=sys.stderr)
        return None


def _query(args) -> int:
    """The SQL runs read-only and sandboxed (Store.lock_down): it reads the
    store's tables and nothing else, and writes nothing anywhere."""
    import duckdb

    store = _open(args)
    if store is None:
        return 2
    try:
        store.lock_down()
        columns, rows = store.stream(args.sql)
        if args.json:
            _print_json(columns, rows)
        elif args.csv:
            import csv

            w = csv.writer(sys.stdout, lineterminator="\n")
            w.writerow(columns)
            w.writerows(rows)
        else:
            _print_table(columns, rows)
    except duckdb.Error as exc:
        refused = "Permission Error" in str(exc) or "configuration" in str(exc)
        why = "perfaudit query 只能读取数据库中的表，不能读写文件、安装扩展或修改设置" if refused else "SQL 有误"
        print(f"perfaudit: {why}：{exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


def _print_json(columns: list[str], rows) -> None:
    """A JSON array of objects, written row by row."""
    import json

    first = True
    for row in rows:
        item = json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, indent=2, default=str)
        sys.stdout.write(("[\n  " if first else ",\n  ") + item.replace("\n", "\n  "))
        first = False
    sys.stdout.write("[]\n" if first else "\n]\n")


def _print_table(columns: list[str], rows) -> None:
    """Tab-separated with a header: readable at a terminal, easy to cut/awk.
    Control characters in values are shown as their codes (the table is for
    people; --csv and --json give the values as stored)."""
    from pipeline.report.escape import visible

    sys.stdout.write("\t".join(columns) + "\n")
    n = 0
    for row in rows:
        sys.stdout.write("\t".join("" if v is None else visible(v, keep_newlines=False) for v in row) + "\n")
        n += 1
    print(f"（{n} 行）", file=sys.stderr)


def _out_ok(args) -> bool:
    from pipeline.cli.audit import out_dir_problem

    problem = out_dir_problem(args.out)
    if problem:
        print(f"perfaudit: {problem}", file=sys.stderr)
    return problem is None


def _export(args) -> int:
    if not _out_ok(args):
        return 2
    store = _open(args)
    if store is None:
        return 2
    try:
        for p in store.export_parquet(args.out):
            print(f"已写入 {p}", file=sys.stderr)
    finally:
        store.close()
    return 0


def _validate(args) -> int:
    import json
    from pathlib import Path

    from pipeline.cli.audit import run_validation
    from pipeline.store.db import DEFAULT_DB, Store, StoreError

    if not _out_ok(args):
        return 2
    try:
        store = Store(args.db or DEFAULT_DB)
    except StoreError as exc:
        print(f"perfaudit: {exc}", file=sys.stderr)
        return 2
    with store:
        run_id = args.run or next(iter(store.query(
            "SELECT run_id FROM runs WHERE status = 'done' ORDER BY started_at DESC LIMIT 1")[1]), [None])[0]
        _, rows = store.query("SELECT DISTINCT sha256, path FROM documents WHERE last_run = ? AND sha256 <> ''",
                              [run_id])
        if run_id is None or not rows:
            print("perfaudit: 数据库中没有可检查的审核批次（先运行 perfaudit audit）。", file=sys.stderr)
            return 2
        shas = sorted({sha for sha, _ in rows})
        out = Path(args.out)
        by_sha, summary = run_validation(store, shas, out / "data_docs")
        store.replace_batch_findings(run_id, shas, by_sha, ("DQ-",))
    paths = {}
    for sha, path in rows:
        paths.setdefault(sha, []).append(path)
    findings = [{"paths": paths[sha], **f} for sha, fs in sorted(by_sha.items()) for f in fs]
    doc = {"run_id": run_id, "summary": {**summary, "findings": len(findings)}, "findings": findings}
    (out / "data_quality.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"已写入 {out / 'data_quality.json'}", file=sys.stderr)
    return 0

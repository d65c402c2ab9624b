"""perfaudit subcommands for the review stage (registered by pipeline.cli.app):
`review import FILE.xlsx`, `review stats`, `show FILE`, and the audit
options that carry decisions forward (`--new-only`).

Keep this module free of heavy imports: it is imported for every command,
including --help. Import duckdb, pandas, openpyxl inside the handlers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REVIEW_EXAMPLES = """例子 (examples):
  perfaudit audit submissions/ --db reports/perfaudit.duckdb --out reports/2024 --format xlsx,html
  perfaudit review import reports/2024/audit.xlsx --reviewer 张三
  perfaudit review stats
  perfaudit audit submissions/ --new-only        # 只列出尚未审核的问题
退出码 (exit status): 0 成功; 2 工作簿中有无效行（全部列出，未导入任何一行）; 3 文件无法打开。"""
SHOW_EXAMPLES = """例子 (examples):
  perfaudit show fixtures/minzhengju_2023_self_evaluation.txt
  perfaudit show report.pdf --context 4
输出到标准输出（供人阅读，不是数据格式）；退出码同 audit。"""
DEFAULT_CONTEXT_LINES = 2


def add_audit_options(audit) -> None:
    audit.add_argument("--new-only", action="store_true",
                       help="只列出数据库中还没有审核结论的问题（读取 --db 指定的或默认的数据库）")


def add_commands(sub) -> dict:
    """Add subparsers to `sub`; return {command name: handler(args) -> exit code}."""
    fmt = argparse.RawDescriptionHelpFormatter
    review = sub.add_parser("review", help="导入审核结论、统计各规则的准确率",
                            description="审核结论：从导出的工作簿导入（review import），按规则统计（review stats）。",
                            epilog=REVIEW_EXAMPLES, formatter_class=fmt)
    rsub = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    imp = rsub.add_parser("import", help="从 audit.xlsx 导入审核结论（可重复导入，结果不变）",
                          description="读取“问题清单”中的审核结论与审核意见，逐行校验后写入数据库。",
                          epilog=REVIEW_EXAMPLES, formatter_class=fmt)
    imp.add_argument("file", metavar="FILE.xlsx", help="perfaudit audit --format xlsx 导出并填写过的工作簿")
    imp.add_argument("--reviewer", metavar="NAME", help="审核人（默认取工作簿的最后修改人）")
    stats = rsub.add_parser("stats", help="各规则的确认、驳回数与实测准确率",
                            description="按规则统计最新审核结论：确认问题、已整改、驳回，以及准确率。",
                            epilog=REVIEW_EXAMPLES, formatter_class=fmt)
    stats.add_argument("--json", action="store_true", help="以 JSON 输出")
    for p in (imp, stats):
        p.add_argument("--db", metavar="PATH", help="数据库文件（默认 reports/perfaudit.duckdb）")
        p.add_argument("--rules", metavar="DIR", action="append", help="追加或覆盖规则的目录")

    show = sub.add_parser("show", help="在终端查看一份报告的问题及其原文上下文",
                          description="审核一份报告，逐条列出问题，并显示证据前后几行原文（证据高亮）。",
                          epilog=SHOW_EXAMPLES, formatter_class=fmt)
    show.add_argument("file", metavar="FILE", help="一份报告（.txt .docx .pdf）")
    show.add_argument("--context", type=int, default=DEFAULT_CONTEXT_LINES, metavar="N",
                      help=f"证据前后各显示几行原文（默认 {DEFAULT_CONTEXT_LINES}）")
    show.add_argument("--rules", metavar="DIR", action="append", help="追加或覆盖规则的目录")
    show.add_argument("--db", metavar="PATH", help="显示该数据库中的审核结论")
    show.add_argument("--pdf-engine", choices=("auto", "pdfplumber", "pdfium"), default="auto",
                      help="PDF 文字提取引擎")
    return {"review": _review, "show": _show}


def _db_path(args) -> Path:
    from pipeline.store.db import DEFAULT_DB

    return Path(args.db) if getattr(args, "db", None) else DEFAULT_DB


def load_decisions(args, store=None, open_db: bool = True) -> dict | None:
    """The latest review decision per finding id, when --db or --new-only
    asks for them (else None). From `store` when the command has it open;
    otherwise, with `open_db`, read from the database (read-only)."""
    new_only = getattr(args, "new_only", False)
    if not getattr(args, "db", None) and not new_only:
        return None
    if store is not None:
        return store.latest_decisions()
    if not open_db:
        return {}
    return _read_decisions(_db_path(args), strict=new_only) or {}


def _read_decisions(path: Path, strict: bool) -> dict | None:
    from pipeline.store.db import Store, StoreError

    if not path.exists():
        if strict:
            print(f"提示：数据库 {path} 不存在，尚无审核结论，全部问题都是新的。", file=sys.stderr)
        return {}
    try:
        with Store(path, read_only=True) as st:
            return st.latest_decisions()
    except (StoreError, Exception) as exc:  # noqa: BLE001 - duckdb errors are not StoreError
        print(f"perfaudit: 无法读取审核结论（{path}）：{exc}", file=sys.stderr)
        return None


def _review(args) -> int:
    if args.review_command == "import":
        return _review_import(args)
    return _review_stats(args)


def _review_import(args) -> int:
    from pipeline.audit.rules import RuleError
    from pipeline.store.db import Store, StoreError
    from pipeline.store.review import ReviewFileError, import_workbook

    try:
        with Store(_db_path(args)) as st:
            report = import_workbook(args.file, st, rules_dirs=args.rules, reviewer=args.reviewer)
    except ReviewFileError as exc:
        print(f"perfaudit: {exc}", file=sys.stderr)
        return 3
    except (RuleError, StoreError) as exc:
        print(f"perfaudit: {exc}", file=sys.stderr)
        return 2
    if report.errors:
        for msg in report.errors:
            print(msg, file=sys.stderr)
        print(f"共 {len(report.errors)} 行有误，未导入任何结论；请修改工作簿后重新导入。", file=sys.stderr)
        return 2
    if report.future_dated:
        print(f"提示：工作簿的保存时间 {report.future_dated:%Y-%m-%d %H:%M} 晚于现在，审核结论按导入时间记录"
              "（否则它会压过之后所有的结论）。", file=sys.stderr)
    print(f"已导入 {report.inserted} 条审核结论，{report.unchanged} 条与数据库中相同（未变），"
          f"{report.blank} 行未填写。", file=sys.stderr)
    return 0


def _review_stats(args) -> int:
    import json

    from pipeline.audit.rules import RuleError, load_rules
    from pipeline.store.db import Store, StoreError
    from pipeline.store.review import rule_stats

    path = _db_path(args)
    try:
        rules = load_rules(args.rules, include_retired=True)
        with Store(path, read_only=True) as st:
            rows = rule_stats(st, rules)
    except (RuleError, StoreError) as exc:
        print(f"perfaudit: {exc}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    _print_stats(rows)
    return 0


def _print_stats(rows: list[dict]) -> None:
    """A table on stdout: it is the data this command exists for."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="各规则审核结论统计（以每个问题的最新结论计）")
    for col in ("规则", "标题", "发现", "已审核", "确认问题", "已整改", "驳回", "准确率"):
        table.add_column(col, justify="right" if col not in ("规则", "标题") else "left")
    for r in rows:
        precision = "—" if r["precision"] is None else f"{r['precision']:.0%}"
        table.add_row(r["rule"], r["title"] or "", str(r["findings"]), str(r["reviewed"]), str(r["confirmed"]),
                      str(r["fixed"]), str(r["dismissed"]), precision)
    Console(highlight=False).print(table)
    if not any(r["reviewed"] for r in rows):
        print("尚无审核结论：请先 perfaudit review import 导入填写过的工作簿。", file=sys.stderr)


def _show(args) -> int:
    """Audit one file (the batch runner, in this process, no store) and print
    its findings with the source excerpt captured at audit time."""
    if args.context < 0:
        print("perfaudit: --context 不能为负数", file=sys.stderr)
        return 2
    if not Path(args.file).is_file():
        print(f"perfaudit: 找不到文件：{args.file}", file=sys.stderr)
        return 2
    from rich.console import Console

    from pipeline.audit.rules import RuleError
    from pipeline.ingest.settings import ReadSettings
    from pipeline.report.show import print_report
    from pipeline.run.batch import BatchSettings, run_batch

    settings = BatchSettings(timeout=None, rules_dirs=tuple(args.rules or ()), executor="inline",
                             read=ReadSettings(pdf_engine=args.pdf_engine), excerpt_context=args.context)
    try:
        run = run_batch([args.file], settings)
    except RuleError as exc:
        print(f"perfaudit: 规则文件有误：{exc}", file=sys.stderr)
        return 2
    try:
        decisions = load_decisions(args)
        if decisions is not None:
            run.spool.carry_decisions(decisions)
        console = Console(highlight=False)
        for rep in run.spool:
            print_report(console, rep, args.context)
        return run.spool.exit_code()
    finally:
        run.close()

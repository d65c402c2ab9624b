"""perfaudit command line: a thin layer over pipeline.api and pipeline.report.

stdout carries only data (the JSON document with --json, the catalogue for
`rules`); progress, logs and the human summary go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = ("json", "md", "xlsx", "html")
EXAMPLES = """例子 (examples):
  perfaudit audit fixtures/minzhengju_2023_self_evaluation.txt
  perfaudit audit submissions/2024/ --json > audit.json
  perfaudit audit submissions/ --out reports/2024 --format json,md,xlsx,html
  perfaudit show fixtures/minzhengju_2023_self_evaluation.txt
  perfaudit rules
退出码 (exit status): 0 无错误; 1 有错误级问题; 2 用法错误; 3 有文件无法读取。"""


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="perfaudit",
        description="审核预算绩效自评报告（绩效自评报告/自评表）：合计、执行率、完成率、结论与等级，附原文证据。",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"perfaudit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from . import cli_review, cli_store

    audit = sub.add_parser("audit", help="审核文件或目录（.txt .docx .pdf）",
                           description="审核一个或多个自评报告文件或目录（递归查找 .txt .docx .pdf）。",
                           epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    audit.add_argument("paths", nargs="+", metavar="PATH", help="文件或目录")
    audit.add_argument("--json", action="store_true", help="在标准输出打印一个 JSON 文档（SPEC §3），不打印其他内容")
    audit.add_argument("--out", metavar="DIR", help="把结果写入目录（audit.json、summary.md、audit.xlsx、html/）")
    audit.add_argument("--format", default="json,md", metavar="LIST",
                       help=f"--out 写出的格式，逗号分隔：{','.join(FORMATS)}（默认 json,md）")
    audit.add_argument("--rules", metavar="DIR", action="append", help="追加或覆盖规则的目录（可多次给出）")
    audit.add_argument("--jobs", type=int, default=1, metavar="N", help="并行进程数（默认 1）")
    audit.add_argument("--pdf-engine", choices=("auto", "pdfplumber", "pdfium"), default="auto",
                       help="PDF 文字提取引擎（默认 auto：无表格页用 pdfium，表格页用 pdfplumber）")
    audit.add_argument("--quiet", action="store_true", help="不在标准错误输出打印摘要")
    cli_review.add_audit_options(audit)

    rules = sub.add_parser("rules", help="列出规则目录：编号、类别、严重程度、标题",
                           description="列出规则目录。", epilog="例子: perfaudit rules --json",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    rules.add_argument("--rules", metavar="DIR", action="append", help="追加或覆盖规则的目录")
    rules.add_argument("--json", action="store_true", help="以 JSON 列出（含说明、依据与示例）")

    parser.set_defaults(_extra={**cli_store.add_commands(sub), **cli_review.add_commands(sub)})
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        if args.command == "audit":
            return _audit(args, parser)
        if args.command == "rules":
            return _rules(args)
        return args._extra[args.command](args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


def _audit(args, parser) -> int:
    from .rules import RuleError

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        parser.error(f"--format 不认识 {bad}；可用：{', '.join(FORMATS)}")
    if args.jobs < 1:
        parser.error("--jobs 至少为 1")
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        parser.error(f"找不到输入：{', '.join(missing)}")
    from .api import audit_paths
    from .report import build_document, dumps, exit_code, print_terminal, write_outputs

    try:
        results = audit_paths(args.paths, rules_dirs=args.rules, jobs=args.jobs,
                              progress=_progress(args), pdf_engine=args.pdf_engine)
    except RuleError as exc:
        print(f"perfaudit: 规则文件有误：{exc}", file=sys.stderr)
        return 2
    if not results:
        print("perfaudit: 没有找到可审核的文件（.txt .docx .pdf）。", file=sys.stderr)
        return 2
    from .cli_review import apply_decisions

    failed = apply_decisions(args, results)
    if failed:
        return failed
    document = build_document(results)
    if args.json:
        sys.stdout.write(dumps(document) + "\n")
    if args.out:
        for p in write_outputs(document, Path(args.out), formats, rules_dirs=args.rules,
                               read_opts={"pdf_engine": args.pdf_engine}):
            print(f"已写入 {p}", file=sys.stderr)
    if not args.json and not args.quiet:
        print_terminal(document)
    return exit_code(results)


def _progress(args):
    if args.json or args.quiet:
        return None

    def tick(path):
        print(f"已审核 {path}", file=sys.stderr)

    return tick


def _rules(args) -> int:
    import json

    from .rules import RuleError, load_rules

    try:
        rules = load_rules(args.rules)
    except RuleError as exc:
        print(f"perfaudit: 规则文件有误：{exc}", file=sys.stderr)
        return 2
    if args.json:
        rows = [{"id": r.id, "name": r.name, "category": r.category, "severity": r.severity, "title": r.title,
                 "why": r.why, "tolerance": r.tolerance, "references": list(r.references),
                 "examples": r.examples, "params": r.params} for r in rules]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    width = max(len(r.category) for r in rules)
    for r in rules:
        sys.stdout.write(f"{r.id:<9} {r.category:<{width}} {r.severity:<7} {r.title}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

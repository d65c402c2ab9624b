"""perfaudit command line: a thin layer over pipeline.run.batch and pipeline.report.

stdout carries only data (the JSON document with --json, the catalogue for
`rules`); progress, logs and the human summary go to stderr.
"""

from __future__ import annotations

import argparse
import sys

FORMATS = ("json", "md", "xlsx", "html")
EXAMPLES = """例子 (examples):
  perfaudit audit fixtures/minzhengju_2023_self_evaluation.txt
  perfaudit audit submissions/2024/ --json > audit.json
  perfaudit audit submissions/ --out reports/2024 --format json,md,xlsx,html
  perfaudit show fixtures/minzhengju_2023_self_evaluation.txt
  perfaudit rules
退出码 (exit status): 0 无错误; 1 有错误级问题; 2 用法错误; 3 有文件无法读取;
  4 perfaudit 自身出错（内部错误、数据库损坏、磁盘已满、结果无法写出），应视为运行失败。"""


def build_parser() -> argparse.ArgumentParser:
    from pipeline import __version__

    parser = argparse.ArgumentParser(
        prog="perfaudit",
        description="审核预算绩效自评报告（绩效自评报告/自评表）：合计、执行率、完成率、结论与等级，附原文证据。",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"perfaudit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from pipeline.cli import audit as cli_batch
    from pipeline.cli import review as cli_review
    from pipeline.cli import store as cli_store

    audit = sub.add_parser("audit", help="审核文件或目录（.txt .docx .pdf）",
                           description="审核一个或多个自评报告文件或目录（递归查找 .txt .docx .pdf）。",
                           epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    audit.add_argument("paths", nargs="+", metavar="PATH", help="文件或目录")
    audit.add_argument("--json", action="store_true", help="在标准输出打印一个 JSON 文档（SPEC §3），不打印其他内容")
    audit.add_argument("--out", metavar="DIR", help="把结果写入目录（audit.json、summary.md、audit.xlsx、html/）")
    audit.add_argument("--format", default="json,md", metavar="LIST",
                       help=f"--out 写出的格式，逗号分隔：{','.join(FORMATS)}（默认 json,md）")
    audit.add_argument("--rules", metavar="DIR", action="append", help="追加或覆盖规则的目录（可多次给出）")
    audit.add_argument("--profile", metavar="NAME", default=None,
                       help="地区口径配置 rules/profiles/NAME.yml（默认 national；另有 sichuan、pmkpi）")
    audit.add_argument("--pdf-engine", choices=("auto", "pdfplumber", "pdfium"), default="auto",
                       help="PDF 文字提取引擎（默认 auto：pdfium 读文字，有表格线的页用 pdfplumber 的表格算法找表格；"
                            "pdfplumber：每页都用 pdfplumber；pdfium：不找表格）")
    audit.add_argument("--ocr", choices=("auto", "never", "always"), default="auto",
                       help="扫描件文字识别（默认 auto：只识别没有可用文字层的页；never：拒绝扫描件；always：每页都识别）")
    audit.add_argument("--ocr-cache", metavar="DIR", default=None,
                       help="OCR 结果缓存目录（默认 ~/.cache/perfaudit/ocr；同一页不会重复识别）")
    audit.add_argument("--quiet", action="store_true", help="不在标准错误输出打印摘要")
    cli_review.add_audit_options(audit)
    cli_batch.add_audit_options(audit)

    rules = sub.add_parser("rules", help="列出规则目录：编号、类别、严重程度、标题",
                           description="列出规则目录（含批次级规则 XDOC-xx、DQ-xx）。",
                           epilog="例子: perfaudit rules --json\n      perfaudit rules --markdown > docs/RULES.md",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    rules.add_argument("--rules", metavar="DIR", action="append", help="追加或覆盖规则的目录")
    shape = rules.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="以 JSON 列出（含说明、依据与示例）")
    shape.add_argument("--markdown", action="store_true",
                       help="输出规则说明文档（Markdown；仓库中的 docs/RULES.md 即由此生成）")

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
    except BrokenPipeError:
        # `perfaudit audit … --json | head`: the reader left; not an error of ours.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - perfaudit itself failed: exit 4, never 1 (error findings)
        from pipeline.cli.failure import report_failure

        return report_failure(exc, getattr(args, "db", None))


def _audit(args, parser) -> int:
    from pipeline.audit.rules import RuleError
    from pipeline.cli import audit as cli_batch
    from pipeline.run.executor import ExecutorError

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        parser.error(f"--format 不认识 {bad}；可用：{', '.join(FORMATS)}")
    cli_batch.check_audit_args(args, parser)
    store, failed = cli_batch.open_store(args)
    if failed:
        return failed
    run, failing = None, False
    try:
        run = cli_batch.start_batch(args, store)
        if not run.spool.reports:
            run.finish(store, "done")
            print("perfaudit: 没有找到可审核的文件（.txt .docx .pdf .zip）。", file=sys.stderr)
            return 2
        return _audit_outputs(args, run, store, formats)
    except RuleError as exc:
        print(f"perfaudit: 规则文件有误：{exc}", file=sys.stderr)
        return 2
    except ExecutorError as exc:
        print(f"perfaudit: {exc}", file=sys.stderr)
        return 2
    except BaseException:
        failing = True
        raise
    finally:
        if run is not None:
            run.close()
        if store is not None:
            try:
                store.close()
            except Exception:  # a store error on close must not hide the one on its way out
                if not failing:
                    raise


def _audit_outputs(args, run, store, formats) -> int:
    from pipeline.cli import audit as cli_batch
    from pipeline.cli.review import load_decisions
    from pipeline.report.document import write_json

    try:
        cli_batch.post_checks(args, run, store)
        new_only = getattr(args, "new_only", False)
        decisions = load_decisions(args, store, open_db=False)
        if decisions is not None:
            run.spool.carry_decisions(decisions, new_only)
    except BaseException:
        try:  # a batch check that failed: the run is not done (its cross-document findings are missing)
            run.finish(store, "failed")
        except Exception:  # noqa: BLE001 - the store itself failed; that error is on its way out
            pass
        raise
    run.finish(store, "done")  # with the summary the outputs carry (batch findings, --new-only)
    document = run.spool.document()
    if args.json:
        write_json(document, sys.stdout)
        sys.stdout.write("\n")
    if args.out:
        cli_batch.write_outputs(args, run, document, formats)
    if not args.json and not args.quiet:
        cli_batch.print_summary(document)  # says what --new-only hid
    elif new_only:
        from pipeline.report.hidden import hidden_text

        print(f"{hidden_text(document['summary'].get('hidden'))}。", file=sys.stderr)
    return run.spool.exit_code()


def _rules(args) -> int:
    import json

    from pipeline.audit.rules import RuleError, load_rules

    try:
        rules = load_rules(args.rules)
    except RuleError as exc:
        print(f"perfaudit: 规则文件有误：{exc}", file=sys.stderr)
        return 2
    if args.markdown:
        from pipeline.report.rules_doc import rules_markdown

        sys.stdout.write(rules_markdown(rules))
        return 0
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

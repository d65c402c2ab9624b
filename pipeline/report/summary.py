"""Report stage: the outputs of a run — audit.json, summary.md, audit.xlsx,
html/ — and the terminal summary. Only this stage (and the CLI) writes
output; it works from the document alone (reports carry their evidence and
its source excerpt), never re-opening a source or the rule catalogue."""

from __future__ import annotations

from pathlib import Path

from pipeline.labels import SEVERITY_ZH, where_zh
from pipeline.report.atomic import replace_dir, replace_file, replacing
from pipeline.report.document import build_document, exit_code, write_json  # noqa: F401 - the report API
from pipeline.report.escape import markup, visible
from pipeline.report.hidden import empty_text, hidden_text
from pipeline.report.tables import indicators_read


def write_outputs(document: dict, out_dir: Path, formats: list[str],
                  fingerprints: dict[str, str] | None = None) -> list[Path]:
    """Write the requested formats under `out_dir`: audit.json, summary.md,
    audit.xlsx, html/index.html. json and md are streamed (a spool's reports
    are read from disk one at a time). `fingerprints`: rule id -> fingerprint
    of the rules the run used (pipeline.store.review.rule_fingerprint), kept
    in the workbook so `review import` can tell a changed rule."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if "json" in formats:
        p = out_dir / "audit.json"
        with replacing(p) as fh:  # a full disk leaves the previous audit.json whole
            write_json(document, fh)
        written.append(p)
    if "md" in formats:
        p = out_dir / "summary.md"
        write_markdown(document, p)
        written.append(p)
    if "xlsx" in formats:
        from pipeline.report.xlsx import write_xlsx

        written.append(replace_file(out_dir / "audit.xlsx", lambda tmp: write_xlsx(document, tmp, fingerprints)))
    if "html" in formats:
        from pipeline.report.html import write_html

        replace_dir(out_dir / "html", lambda tmp: write_html(document, tmp))
        written.append(out_dir / "html" / "index.html")
    return written


def write_markdown(document: dict, path: Path) -> None:
    """summary.md, streamed report by report."""
    s = document["summary"]
    with replacing(path) as out:
        out.write("\n".join([
            "# 绩效自评报告审核结果",
            "",
            f"共 {s['reports']} 份报告，无法读取 {s['failed']} 份；发现错误 {s['findings']['error']} 项、"
            f"警告 {s['findings']['warning']} 项、提示 {s['findings']['info']} 项。",
            "",
            *([f"**{hidden_text(s['hidden'])}。**", ""] if s.get("hidden") else []),
        ]) + "\n")
        for rep in document["reports"]:
            out.write("\n".join(_markdown_report(rep)) + "\n")


def _markdown_report(rep: dict) -> list[str]:
    out = [f"## {_md(rep['source'])}", ""]
    if rep["status"] != "ok":
        return out + [f"**无法读取**（{_md(rep['error']['code'])}）：{_md(rep['error']['message'])}", ""]
    rec, cov = rep["record"], rep["coverage"]
    out += [
        f"单位：{_md(rec.get('unit') or '未识别')}；年度：{_md(rec.get('year') or '未识别')}；"
        f"综合得分：{_md(rec.get('score'))}；等级：{_md(rec.get('rating'))}",
        "",
        f"已审核：识别数字 {cov['numbers_found']} 个，执行检查 {cov['checks_run']} 项，"
        f"{indicators_read(cov)}，预算行 {cov.get('budget_lines', 0)} 行。",
        "",
    ]
    if not rep["findings"]:
        return out + [empty_text(rep), ""]
    if (rep.get("hidden") or {}).get("findings"):
        out += [f"另有{hidden_text(rep['hidden'])}。", ""]
    out += ["| 严重程度 | 规则 | 对象 | 说明 | 原文 | 位置 | 建议 |", "|---|---|---|---|---|---|---|"]
    for f in rep["findings"]:
        ev = f["evidence"][0] if f["evidence"] else None
        cells = [
            SEVERITY_ZH[f["severity"]], f["rule"], f["subject"], f["message"],
            ev["text"] if ev else "", where_zh(ev) if ev else "", f.get("suggestion") or "",
        ]
        out.append("| " + " | ".join(_md(c).replace("|", "｜") for c in cells) + " |")
    return out + [""]


def _md(value) -> str:
    """Document text on one Markdown line: control characters as their codes
    (no terminal escape reaches whoever cats the file), line breaks as spaces."""
    return visible(value, keep_newlines=False)


def print_terminal(document: dict, stream=None) -> None:
    """A readable summary for people at a terminal (rich, to stderr by default)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=stream, stderr=stream is None, highlight=False)
    style = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    for rep in document["reports"]:
        console.rule(f"[bold]{markup(rep['source'])}")
        if rep["status"] != "ok":
            console.print(f"[bold red]无法读取[/]（{markup(rep['error']['code'])}）：{markup(rep['error']['message'])}")
            continue
        cov = rep["coverage"]
        console.print(f"识别数字 {cov['numbers_found']} 个，执行检查 {cov['checks_run']} 项，{indicators_read(cov)}")
        if not rep["findings"]:
            hidden = (rep.get("hidden") or {}).get("findings")
            console.print(f"[yellow]{escape(empty_text(rep))}[/]" if hidden else "[green]未发现问题[/]")
            continue
        if (rep.get("hidden") or {}).get("findings"):
            console.print(f"[yellow]另有{escape(hidden_text(rep['hidden']))}。[/]")
        table = Table(show_lines=False, expand=True)
        for col in ("严重程度", "规则", "对象", "说明", "位置"):
            table.add_column(col, overflow="fold")
        for f in rep["findings"]:
            ev = f["evidence"][0] if f["evidence"] else None
            table.add_row(f"[{style[f['severity']]}]{SEVERITY_ZH[f['severity']]}[/]", markup(f["rule"]),
                          markup(f["subject"]), markup(f["message"]), markup(where_zh(ev)) if ev else "")
        console.print(table)
    s = document["summary"]
    console.print(
        f"共 {s['reports']} 份报告，无法读取 {s['failed']} 份；错误 {s['findings']['error']}，"
        f"警告 {s['findings']['warning']}，提示 {s['findings']['info']}"
    )
    if s.get("hidden"):
        console.print(f"[bold yellow]{escape(hidden_text(s['hidden']))}。[/]")

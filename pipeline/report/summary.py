"""Report stage: results -> the SPEC §3 JSON document, a Markdown summary
and a terminal summary. Only this stage (and the CLI) writes output."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import __version__
from pipeline.labels import SEVERITY_ZH, STATUS_ZH  # noqa: F401 - STATUS_ZH re-exported


def build_document(results) -> dict:
    counts = {"error": 0, "warning": 0, "info": 0}
    for r in results:
        for f in r.findings:
            counts[f["severity"]] += 1
    return {
        "tool": {"name": "perfaudit", "version": __version__},
        "reports": [r.to_json() for r in results],
        "summary": {
            "reports": len(results),
            "failed": sum(1 for r in results if r.status != "ok"),
            "findings": counts,
        },
    }


def exit_code(results) -> int:
    """SPEC §2: 3 if any input unreadable, else 1 if any error finding, else 0."""
    if any(r.status != "ok" for r in results):
        return 3
    if any(f["severity"] == "error" for r in results for f in r.findings):
        return 1
    return 0


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def write_outputs(document: dict, out_dir: Path, formats: list[str], rules_dirs=None,
                  read_opts: dict | None = None) -> list[Path]:
    """Write the requested formats under `out_dir`: audit.json, summary.md,
    audit.xlsx, html/index.html. `rules_dirs` as for the audit (the workbook
    records rule fingerprints); `read_opts` re-read sources for the HTML."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if "json" in formats:
        p = out_dir / "audit.json"
        p.write_text(dumps(document), encoding="utf-8")
        written.append(p)
    if "md" in formats:
        p = out_dir / "summary.md"
        p.write_text(markdown(document), encoding="utf-8")
        written.append(p)
    if "xlsx" in formats:
        from pipeline.report.xlsx import write_xlsx
        from pipeline.store.review import rule_fingerprints

        written.append(write_xlsx(document, out_dir / "audit.xlsx", rule_fingerprints(rules_dirs)))
    if "html" in formats:
        from pipeline.report.html import write_html

        written.append(write_html(document, out_dir / "html", read_opts or {}))
    return written


def _where(ev: dict) -> str:
    page = f"第{ev['page']}页 " if ev.get("page") else ""
    end = f"–{ev['line_end']}" if ev.get("line_end") else ""
    return f"{page}第{ev['line']}{end}行"


def markdown(document: dict) -> str:
    s = document["summary"]
    lines = [
        "# 绩效自评报告审核结果",
        "",
        f"共 {s['reports']} 份报告，无法读取 {s['failed']} 份；发现错误 {s['findings']['error']} 项、"
        f"警告 {s['findings']['warning']} 项、提示 {s['findings']['info']} 项。",
        "",
    ]
    for rep in document["reports"]:
        lines += _markdown_report(rep)
    return "\n".join(lines) + "\n"


def _markdown_report(rep: dict) -> list[str]:
    out = [f"## {rep['source']}", ""]
    if rep["status"] != "ok":
        return out + [f"**无法读取**（{rep['error']['code']}）：{rep['error']['message']}", ""]
    rec, cov = rep["record"], rep["coverage"]
    out += [
        f"单位：{rec.get('unit') or '未识别'}；年度：{rec.get('year') or '未识别'}；"
        f"综合得分：{rec.get('score')}；等级：{rec.get('rating')}",
        "",
        f"已审核：识别数字 {cov['numbers_found']} 个，执行检查 {cov['checks_run']} 项，"
        f"指标 {cov.get('indicators', 0)} 个，预算行 {cov.get('budget_lines', 0)} 行。",
        "",
    ]
    if not rep["findings"]:
        return out + ["未发现问题。", ""]
    out += ["| 严重程度 | 规则 | 对象 | 说明 | 原文 | 位置 | 建议 |", "|---|---|---|---|---|---|---|"]
    for f in rep["findings"]:
        ev = f["evidence"][0] if f["evidence"] else None
        cells = [
            SEVERITY_ZH[f["severity"]], f["rule"], f["subject"], f["message"],
            ev["text"] if ev else "", _where(ev) if ev else "", f.get("suggestion") or "",
        ]
        out.append("| " + " | ".join(str(c).replace("|", "｜") for c in cells) + " |")
    return out + [""]


def print_terminal(document: dict, stream=None) -> None:
    """A readable summary for people at a terminal (rich, to stderr by default)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, stderr=stream is None, highlight=False)
    style = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    for rep in document["reports"]:
        console.rule(f"[bold]{rep['source']}")
        if rep["status"] != "ok":
            console.print(f"[bold red]无法读取[/]（{rep['error']['code']}）：{rep['error']['message']}")
            continue
        cov = rep["coverage"]
        console.print(f"识别数字 {cov['numbers_found']} 个，执行检查 {cov['checks_run']} 项，指标 {cov.get('indicators', 0)} 个")
        if not rep["findings"]:
            console.print("[green]未发现问题[/]")
            continue
        table = Table(show_lines=False, expand=True)
        for col in ("严重程度", "规则", "对象", "说明", "位置"):
            table.add_column(col, overflow="fold")
        for f in rep["findings"]:
            ev = f["evidence"][0] if f["evidence"] else None
            table.add_row(f"[{style[f['severity']]}]{SEVERITY_ZH[f['severity']]}[/]", f["rule"], f["subject"],
                          f["message"], _where(ev) if ev else "")
        console.print(table)
    s = document["summary"]
    console.print(
        f"共 {s['reports']} 份报告，无法读取 {s['failed']} 份；错误 {s['findings']['error']}，"
        f"警告 {s['findings']['warning']}，提示 {s['findings']['info']}"
    )

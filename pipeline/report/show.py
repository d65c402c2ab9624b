"""`perfaudit show FILE`: one report's findings in the terminal, each with a
few lines of source text around its evidence (evidence highlighted), from
the excerpt captured when the file was audited (pipeline.report.excerpt).

This is a view for people, not data: pipeline.cli.review prints it to stdout
(so it can be paged with `| less -R`) and keeps the audit's exit status."""

from __future__ import annotations

from pipeline.labels import SEVERITY_ZH, subject_zh
from pipeline.report.escape import markup, visible
from pipeline.report.excerpt import Excerpt
from pipeline.report.hidden import empty_text
from pipeline.report.highlight import locate, locate_cell

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
EVIDENCE_STYLE = {"error": "black on red", "warning": "black on yellow", "info": "black on cyan"}


def print_report(console, rep: dict, context: int) -> None:
    console.rule(f"[bold]{markup(rep['source'])}")
    if rep["status"] != "ok":
        console.print(f"[bold red]无法读取[/]（{markup(rep['error']['code'])}）：{markup(rep['error']['message'])}")
        return
    rec = rep["record"] or {}
    console.print(f"单位：{markup(rec.get('unit') or '未识别')}　年度：{markup(rec.get('year') or '未识别')}　"
                  f"综合得分：{markup(rec.get('score'))}　等级：{markup(rec.get('rating'))}")
    counts = {s: sum(1 for f in rep["findings"] if f["severity"] == s) for s in SEVERITY_ZH}
    console.print("　".join(f"[{SEVERITY_STYLE[s]}]{SEVERITY_ZH[s]} {n}[/]" for s, n in counts.items()))
    if not rep["findings"]:
        console.print("[green]未发现问题[/]" if not (rep.get("hidden") or {}).get("findings")
                      else f"[yellow]{empty_text(rep)}[/]")
    excerpt = Excerpt.from_json(rep.get("excerpt"))
    for n, f in enumerate(rep["findings"], start=1):
        console.print()
        _print_finding(console, n, f, rec, excerpt, context)


def _print_finding(console, n: int, f: dict, rec: dict, excerpt: Excerpt | None, context: int) -> None:
    escape = markup
    sev = f["severity"]
    lines, tables = (excerpt.lines, excerpt.table_list()) if excerpt else ((), [])
    console.print(f"[bold]{n}.[/] [{SEVERITY_STYLE[sev]}]【{SEVERITY_ZH[sev]}】[/] [bold]{escape(f['rule'])}[/] "
                  f"{escape(subject_zh(f['subject'], rec))}  [dim]问题编号 {escape(f['id'])}[/]")
    console.print(escape(f["message"]), style="")
    extra = [f"应为 {f['expected']}" if f.get("expected") else "", f"建议 {f['suggestion']}" if f.get("suggestion") else ""]
    if any(extra):
        console.print("　".join(escape(x) for x in extra if x), style="dim")
    review = f.get("review")
    if review:
        from pipeline.report.xlsx import last_decision_text

        console.print(f"[magenta]上次审核结论：{escape(last_decision_text(review))}[/]")
    marks: dict[int, list[tuple[int, int]]] = {}
    cells: dict[tuple[int, int], set[int]] = {}
    for ev in f.get("evidence") or []:
        found = locate(lines, ev)
        for span in found.spans if found else ():
            marks.setdefault(span.index, []).append((span.start, span.end))
        where = locate_cell(tables, ev)
        if where:
            cells.setdefault(where[:2], set()).add(where[2])
    for (t, row), cols in sorted(cells.items()):
        console.print(_cell_row(t, row, tables[t], cols, EVIDENCE_STYLE[sev]))
    if not marks and not cells:
        for ev in f.get("evidence") or []:
            console.print(f"  原文：{escape(ev['text'])}", style="dim")
        return
    for block in _blocks(excerpt, sorted(marks), context):
        if block is None:
            console.print("      ⋮", style="dim")
            continue
        console.print(_line_text(lines[block], marks.get(block, []), EVIDENCE_STYLE[sev]))


def _cell_row(t: int, row: int, table, cols: set[int], style: str):
    """One table row, cells separated by │, the evidence cells highlighted."""
    from rich.text import Text

    text = Text(f"▶{f'表{t + 1}:{row + 1}':>6} │ ", style="bold")
    cells = next((r for r in table.rows if r and r[0].row == row), ())
    for i, c in enumerate(cells):
        if i:
            text.append(" │ ", style="dim")
        text.append(visible(c.text, keep_newlines=False), style=style if c.col in cols else "")
    return text


def _blocks(excerpt: Excerpt, hits: list[int], context: int) -> list[int | None]:
    """Excerpt line positions to print: the evidence lines and `context`
    non-blank lines either side (never across text the excerpt left out);
    None marks a gap between separate blocks."""
    lines = excerpt.lines
    keep: set[int] = set()
    for i in hits:
        keep.add(i)
        for step in (-1, 1):
            j, seen = i + step, 0
            # stepping from j - step to j crosses the boundary before max(j, j - step)
            while 0 <= j < len(lines) and seen < context and not excerpt.gap_before(max(j, j - step)):
                if lines[j].text.strip():
                    keep.add(j)
                    seen += 1
                j += step
    out: list[int | None] = []
    prev = None
    for i in sorted(keep):
        if prev is not None and (any(excerpt.gap_before(k) for k in range(prev + 1, i + 1))
                                 or any(lines[k].text.strip() for k in range(prev + 1, i))):
            out.append(None)
        out.append(i)
        prev = i
    return out


def _line_text(line, spans: list[tuple[int, int]], style: str):
    from rich.text import Text

    where = f"{line.page}:{line.line}" if line.page else str(line.line)
    marker = "▶" if spans else " "
    text = Text(f"{marker}{where:>6} │ ", style="bold" if spans else "dim")
    body = Text(line.text)
    if visible(line.text) != line.text:  # control characters shown as codes; highlights keep their place
        body = _visible_text(line.text, spans, style)
        spans = ()
    for start, end in spans:
        body.stylize(style, start, end)
    return text + body


def _visible_text(text: str, spans: list[tuple[int, int]], style: str):
    """`text` with control characters written as codes, `spans` (offsets into
    `text`) highlighted on the codes that stand for them."""
    from rich.text import Text

    out = Text()
    for i, ch in enumerate(text):
        out.append(visible(ch), style=style if any(a <= i < b for a, b in spans) else "")
    return out

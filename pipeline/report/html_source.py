"""The source-text view of one report page: the excerpt of the document
captured at audit time (pipeline.report.excerpt) cut into pieces, with every
evidence span marked, anchored (ev-<finding>-<k>) and noted in the margin
with the findings it supports; a gap row where text was left out. Plain data
for the template; escaping is the template's job."""

from __future__ import annotations

from collections import defaultdict

from pipeline.model import SEVERITY_RANK
from pipeline.report.excerpt import Excerpt
from pipeline.report.highlight import locate, locate_cell, segments

NO_EXCERPT = "没有原文摘录（该结果由旧版 perfaudit 生成），只列出问题。"


def source_view(rep: dict) -> tuple[list[dict], str | None]:
    """(rows, note): rows are lines ({"kind": "line"}), page headings
    ({"kind": "page"}), document tables ({"kind": "table"}) and gaps
    ({"kind": "gap"}: lines the excerpt left out); note says why no source
    text is shown."""
    excerpt = Excerpt.from_json(rep.get("excerpt"))
    if excerpt is None:
        return [], NO_EXCERPT if rep["findings"] else None
    lines = excerpt.lines
    marks, anchors, notes = _collect(lines, rep["findings"])
    tables = excerpt.table_list()
    cells = _collect_cells(tables, rep["findings"])
    pending = sorted((t.after_line, n) for n, t in excerpt.tables.items())
    rows: list[dict] = []
    page = None
    for k, ln in enumerate(lines):
        i = excerpt.index[k]
        while pending and pending[0][0] < i:
            n = pending.pop(0)[1]
            rows.append(_table_row(n - 1, tables[n - 1], cells))
        if excerpt.gap_before(k) or (k == 0 and i > 0):
            rows.append({"kind": "gap"})
        if ln.page != page and ln.page is not None:
            page = ln.page
            rows.append({"kind": "page", "page": page})
        if ln.text.strip() or k in marks:
            rows.append(_line_row(k, ln, marks.get(k, []), anchors, notes.get(k, [])))
    rows += [_table_row(n - 1, tables[n - 1], cells) for _, n in pending]
    return rows, None


def _collect(lines, findings: list[dict]):
    """marks: line index -> [(start, end, (n, finding, exact))];
    anchors: (line index, start) -> [anchor ids]; notes: line index -> [note]."""
    marks: dict[int, list] = defaultdict(list)
    anchors: dict[tuple[int, int], list[str]] = defaultdict(list)
    notes: dict[int, list[dict]] = defaultdict(list)
    for n, f in enumerate(findings):
        for k, ev in enumerate(f.get("evidence") or []):
            found = locate(lines, ev)
            if not found or not found.spans:
                continue
            for span in found.spans:
                marks[span.index].append((span.start, span.end, (n, f, found.exact)))
            first = found.spans[0]
            anchors[(first.index, first.start)].append(f"ev-{n}-{k}")
            if not any(note["n"] == n for note in notes[first.index]):
                notes[first.index].append({"n": n, "rule": f["rule"], "severity": f["severity"],
                                           "anchor": f"ev-{n}-{k}"})
    return marks, anchors, notes


def _collect_cells(tables, findings: list[dict]) -> dict[tuple[int, int, int], list[tuple[int, int, dict]]]:
    """(table index, row, col) -> [(finding n, evidence k, finding)] for table-cell evidence."""
    out: dict[tuple[int, int, int], list] = defaultdict(list)
    for n, f in enumerate(findings):
        for k, ev in enumerate(f.get("evidence") or []):
            where = locate_cell(tables, ev)
            if where:
                out[where].append((n, k, f))
    return out


def _table_row(ti: int, table, cells: dict) -> dict:
    rows, notes = [], {}
    for row in table.rows:
        out = []
        for c in row:
            hits = cells.get((ti, c.row, c.col), [])
            cell = {"text": c.text, "mark": bool(hits), "anchors": [f"ev-{n}-{k}" for n, k, _ in hits]}
            if hits:
                cell.update(severity=min((f["severity"] for _, _, f in hits), key=SEVERITY_RANK.__getitem__),
                            findings=" ".join(sorted({f"f-{n}" for n, _, _ in hits})),
                            title="；".join(dict.fromkeys(f"{f['rule']} {f.get('title') or ''}".strip()
                                                          for _, _, f in hits)))
                for n, k, f in hits:
                    notes.setdefault(n, {"n": n, "rule": f["rule"], "severity": f["severity"], "anchor": f"ev-{n}-{k}"})
            out.append(cell)
        rows.append(out)
    return {"kind": "table", "number": ti + 1, "rows": rows,
            "notes": sorted(notes.values(), key=lambda x: SEVERITY_RANK[x["severity"]])}


def _line_row(i: int, ln, line_marks: list, anchors: dict, notes: list[dict]) -> dict:
    pieces, offset = [], 0
    for text, tags in segments(ln.text, line_marks):
        piece = {"text": text, "anchors": anchors.get((i, offset), []), "mark": bool(tags)}
        if tags:
            worst = min((f["severity"] for _, f, _ in tags), key=SEVERITY_RANK.__getitem__)
            piece.update(severity=worst, exact=all(exact for _, _, exact in tags),
                         findings=" ".join(sorted({f"f-{n}" for n, _, _ in tags})),
                         title="；".join(dict.fromkeys(f"{f['rule']} {f.get('title') or ''}".strip()
                                                       for _, f, _ in tags)))
        pieces.append(piece)
        offset += len(text)
    return {"kind": "line", "line": ln.line, "page": ln.page, "pieces": pieces,
            "notes": sorted(notes, key=lambda x: SEVERITY_RANK[x["severity"]])}

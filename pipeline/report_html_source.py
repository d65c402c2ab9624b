"""The source-text view of one report page: the document's lines cut into
pieces, with every evidence span marked, anchored (ev-<finding>-<k>) and
noted in the margin with the findings it supports. Plain data for the
template; escaping is the template's job."""

from __future__ import annotations

from collections import defaultdict

from .highlight import locate, segments

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def source_view(rep: dict, read_opts: dict) -> tuple[list[dict], str | None]:
    """(rows, note): rows are lines ({"kind": "line"}), page headings
    ({"kind": "page"}) and document tables ({"kind": "table"}); note says why
    the source could not be shown."""
    from .document import IngestError
    from .ingest import read_document

    try:
        doc = read_document(rep["source"], **read_opts)
    except IngestError as exc:
        return [], f"无法重新读取原文（{exc.message}），只列出问题。"
    except OSError as exc:
        return [], f"无法重新读取原文（{exc}），只列出问题。"
    marks, anchors, notes = _collect(doc.lines, rep["findings"])
    tables = defaultdict(list)
    for t in doc.tables:
        tables[t.after_line].append([[c.text for c in row] for row in t.rows])
    rows: list[dict] = [{"kind": "table", "rows": t} for t in tables.get(-1, [])]
    page = None
    for i, ln in enumerate(doc.lines):
        if ln.page != page and ln.page is not None:
            page = ln.page
            rows.append({"kind": "page", "page": page})
        if ln.text.strip() or i in marks:
            rows.append(_line_row(i, ln, marks.get(i, []), anchors, notes.get(i, [])))
        rows += [{"kind": "table", "rows": t} for t in tables.get(i, [])]
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

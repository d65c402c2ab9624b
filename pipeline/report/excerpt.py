"""The part of a document the views show: the source lines around every
finding's evidence and the tables its cells sit in.

`capture` runs when the file is audited (pipeline.run.work), with the whole
Document at hand, and its JSON is kept in the report (`"excerpt"`), in the
spool and in the store's cache. The views (`perfaudit show`, the HTML pages)
read only that: they never re-open a source, which may have moved, changed
or been an archive member.

    {"context": 3,
     "lines": [[index, page, line, text], ...],   # document order; index into Document.lines
     "tables": [{"number": 1, "page": 2, "after": 40, "rows": [[[row, col, text], ...], ...]}]}

For each evidence item it keeps every line `locate` may look at (the stated
lines and SEARCH_SLACK_LINES either side), so locating the evidence in the
excerpt gives the spans locating it in the document gave, plus `context`
non-blank lines either side of the located text and the blank lines up to
the next non-blank one (a jump in `index` always skips text).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.ingest.document import Cell, Line, Table
from pipeline.report.highlight import SEARCH_SLACK_LINES, line_range, locate, locate_cell

EXCERPT_CONTEXT_LINES = 3  # non-blank lines kept either side of each evidence span


def capture(lines, tables, findings: list[dict], context: int = EXCERPT_CONTEXT_LINES,
            also: list[dict] = ()) -> dict:
    """The excerpt JSON for `findings` (SPEC §5 dicts) in a document's lines
    and tables; `also`: more evidence items to keep (figures that batch-level
    checks cite after the audit)."""
    keep: set[int] = set()
    numbers: set[int] = set()
    for ev in [ev for f in findings for ev in f.get("evidence") or []] + list(also):
        where = locate_cell(tables, ev)
        if where:
            numbers.add(where[0] + 1)
            continue
        found = locate(lines, ev)
        keep.update(line_range(lines, ev, SEARCH_SLACK_LINES))
        for span in found.spans if found else ():
            keep.update(_around(lines, span.index, context))
    return {"context": context,
            "lines": [[i, lines[i].page, lines[i].line, lines[i].text] for i in sorted(keep)],
            "tables": [_table_json(n, tables[n - 1]) for n in sorted(numbers)]}


def _around(lines, i: int, context: int) -> list[int]:
    """Line `i`, `context` non-blank lines either side, and the blank lines
    from there up to the next non-blank line."""
    out = [i]
    for step in (-1, 1):
        j, seen = i + step, 0
        while 0 <= j < len(lines) and (seen < context or not lines[j].text.strip()):
            out.append(j)
            seen += bool(lines[j].text.strip())
            j += step
    return out


def _table_json(number: int, table: Table) -> dict:
    return {"number": number, "page": table.page, "after": table.after_line,
            "rows": [[[c.row, c.col, c.text] for c in row] for row in table.rows]}


@dataclass(frozen=True)
class Excerpt:
    """An excerpt read back: `lines` with `index` (each line's place in the
    document), and `tables` by their 1-based number in the document."""

    lines: tuple[Line, ...]
    index: tuple[int, ...]
    tables: dict[int, Table]  # Table.after_line: index of the line it follows (-1: first)
    context: int

    @classmethod
    def from_json(cls, data: dict | None) -> Excerpt | None:
        if data is None:
            return None
        lines = tuple(Line(text, line, page) for _, page, line, text in data["lines"])
        tables = {t["number"]: Table(tuple(tuple(Cell(text, r, c, t["page"]) for r, c, text in row)
                                           for row in t["rows"]), t["page"], t["after"])
                  for t in data["tables"]}
        return cls(lines, tuple(i for i, *_ in data["lines"]), tables, data["context"])

    def table_list(self) -> list[Table | None]:
        """Tables by position (number - 1), None where the excerpt holds none:
        what `locate_cell` expects."""
        top = max(self.tables, default=0)
        return [self.tables.get(n) for n in range(1, top + 1)]

    def gap_before(self, k: int) -> bool:
        """Whether document text was left out between line k - 1 and line k."""
        return k > 0 and self.index[k] != self.index[k - 1] + 1

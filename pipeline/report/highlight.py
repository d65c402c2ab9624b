"""Find a finding's evidence in the document lines, for the views that show
source text (the HTML report and `perfaudit show`).

Evidence carries its exact text with page, line and line_end; the text may
differ from the source by whitespace (hard wraps, spaces around numbers) and
by compatibility forms (full-width digits), so matching ignores whitespace
and compares NFKC forms. What cannot be matched falls back to whole lines.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pipeline.ingest.document import Line

# How many lines either side of the stated range to search when the text is
# not found where the evidence says (line numbers from a different reading).
SEARCH_SLACK_LINES = 2


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of document line `index` (index into Document.lines)."""

    index: int
    start: int
    end: int


@dataclass(frozen=True)
class Located:
    spans: tuple[Span, ...]
    exact: bool  # False: the text was not found, the spans are the stated lines


def line_range(lines: tuple[Line, ...] | list[Line], ev: dict, slack: int = 0) -> list[int]:
    """Indices of the lines an evidence item names (same page, line..line_end)."""
    first = ev.get("line") or 0
    last = ev.get("line_end") or first
    return [i for i, number in _by_page(lines).get(ev.get("page"), ()) if first - slack <= number <= last + slack]


_pages: tuple = ((), {})  # the last lines indexed and their index (an excerpt asks for each finding's evidence)


def _by_page(lines) -> dict:
    """page -> [(index, line number)] of `lines`, in order (kept for the last tuple of lines:
    a list may change between calls)."""
    global _pages
    last, index = _pages
    if last is lines:
        return index
    index = {}
    for i, ln in enumerate(lines):
        index.setdefault(ln.page, []).append((i, ln.line))
    if isinstance(lines, tuple):
        _pages = (lines, index)
    return index


def locate(lines: tuple[Line, ...] | list[Line], ev: dict) -> Located | None:
    """Where evidence `ev` (SPEC §5 evidence dict) sits in `lines`; None if
    its lines do not exist in this document at all, or if it is a table cell
    (see `locate_cell`)."""
    if ev.get("table") is not None:
        return None
    stated = line_range(lines, ev)
    needle = _compact(ev.get("text") or "")
    for slack in (0, SEARCH_SLACK_LINES):
        window = stated if slack == 0 else line_range(lines, ev, slack)
        spans = _find(lines, window, needle) if needle else None
        if spans:
            return Located(tuple(spans), exact=True)
    if not stated:
        return None
    spans = [Span(i, 0, len(lines[i].text)) for i in stated if lines[i].text.strip()]
    return Located(tuple(spans), exact=False)


def locate_cell(tables, ev: dict) -> tuple[int, int, int] | None:
    """(0-based table index, row, col) of a table-cell evidence item (1-based
    `table`, 0-based `row`/`col`, as pipeline.model.Evidence), or None.
    `tables` by position; None stands for a table an excerpt left out."""
    t = ev.get("table")
    if t is None or not 1 <= t <= len(tables) or tables[t - 1] is None:
        return None
    for row in tables[t - 1].rows:
        for cell in row:
            if cell.row == ev.get("row") and cell.col == ev.get("col"):
                return t - 1, cell.row, cell.col
    return None


def _compact(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


class _Nfkc(dict):
    """Each character's NFKC form, normalised once per process."""

    def __missing__(self, ch: str) -> str:
        form = self[ch] = unicodedata.normalize("NFKC", ch)
        return form


_NFKC = _Nfkc()


def _find(lines, window: list[int], needle: str) -> list[Span] | None:
    chars: list[str] = []
    where: list[tuple[int, int]] = []
    nfkc = _NFKC
    for i in window:
        for j, ch in enumerate(lines[i].text):
            for c in nfkc[ch]:
                if not c.isspace():
                    chars.append(c)
                    where.append((i, j))
    k = "".join(chars).find(needle)
    if k < 0:
        return None
    by_line: dict[int, list[int]] = {}
    for i, j in where[k:k + len(needle)]:
        by_line.setdefault(i, []).append(j)
    return [Span(i, min(js), max(js) + 1) for i, js in by_line.items()]


def segments(text: str, marks: list[tuple[int, int, object]]) -> list[tuple[str, tuple]]:
    """Cut `text` at every mark boundary: [(piece, (tags covering it...))].

    `marks` are (start, end, tag); overlapping marks give pieces with several
    tags, in the order the marks were given."""
    cuts = {0, len(text)}
    for start, end, _ in marks:
        cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    bounds = sorted(cuts)
    out = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        if a == b:
            continue
        tags = tuple(tag for start, end, tag in marks if start <= a and b <= end)
        out.append((text[a:b], tags))
    return out

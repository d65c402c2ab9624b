"""Is this a performance self-evaluation at all? Decided from the title (one
of the first lines), as a reader would: a document that says it is a
self-evaluation is a report however short; a budget disclosure, a rule or a
notice is not, whatever it mentions. Without a title, only sentences that a
self-evaluation writes make it one."""

from __future__ import annotations

import regex

from pipeline.extract.lexicon import pattern
from pipeline.extract.normalize import NLine

REPORT, NOT_REPORT = "report", "not_report"
CUES = "cues"  # no title either way, but sentences only a self-evaluation writes
TITLE_LINES = 30  # a title stands among the first lines, after any page frame
TITLE_MAX = 80
FRAME = regex.compile(r"[|\[\]【】\s]+")


def title_text(nl: NLine) -> str:
    return FRAME.sub("", nl.text)


def is_title_like(text: str) -> bool:
    return 4 <= len(text) <= TITLE_MAX and "。" not in text and not text.startswith("根据")


TOC_ENTRY = regex.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[、.]|第[一二三四五六七八九十]+部分)|[.…]{3,}\d*$")
DOC_NAME = regex.compile(r"《([^》]{4,60})》")
HEAD_CHARS = 40  # a title run into the line after it is read from the line's head


def _candidates(text: str) -> list[str]:
    """The line, the document names it quotes (a sharing site's 《….docx》),
    and its head when a title runs straight into the form after it."""
    out = [text] + [m.group(1) for m in DOC_NAME.finditer(text)]
    if len(text) > TITLE_MAX:
        out.append(text[:HEAD_CHARS])
    return out


def classify(nlines: list[NLine]) -> str | None:
    """'report', 'not_report', or None when the opening does not say."""
    return _decide(nlines)[0]


def find_title(nlines: list[NLine]) -> tuple[int, str] | None:
    """(line index, text) of the title that says the document is a report."""
    _, found = _decide(nlines)
    return found


def _decide(nlines: list[NLine]) -> tuple[str | None, tuple[int, str] | None]:
    """A report title decides; so does a disclosure's or a rule's title, unless
    a report is attached after it (附件: … 绩效自评表, not a table-of-contents
    entry). Returns the decision and the report title found, if any."""
    chrome, pos, neg = (pattern("genre", k) for k in ("page_chrome", "report_title", "non_report_title"))
    body_neg, opening = pattern("genre", "non_report_body"), pattern("genre", "report_opening")
    decision = None
    for i, nl in enumerate(nlines[:TITLE_LINES]):
        text = title_text(nl)
        if opening.search(text):
            return REPORT, None
        if body_neg.search(text) and decision is None:
            return NOT_REPORT, None
        for cand in _candidates(text):
            if not is_title_like(cand):
                continue
            p, n = pos.search(cand), neg.search(cand)
            if n and not chrome.search(cand):
                decision = decision or NOT_REPORT
            elif p and (decision is None or not TOC_ENTRY.search(cand)):
                return REPORT, (i, cand)
    return decision, None


def has_body_cues(text: str) -> bool:
    return pattern("genre", "body_cues").search(text) is not None

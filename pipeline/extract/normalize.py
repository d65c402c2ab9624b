"""Normalise stage: Document lines -> text that regexes can read and that
still maps every character back to its source line and column.

Per line: full-width digits, letters, ％ and operators folded; spaces around
and inside numbers and between Chinese characters removed; page-number lines
dropped. Lines are then joined the CJK way (no space between Chinese
characters, so a number split from its unit across a wrap is whole again)
into `Text` objects whose `evidence(start, end)` returns the exact source.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

import regex

from pipeline.ingest.document import Document, Line
from pipeline.model import Evidence

# Full-width characters we fold; Chinese punctuation such as ，：；（） is kept,
# since folding "，" to "," would make "806，930" read as one number.
_KEEP_FULLWIDTH = set("，：；（）！？、")
_EXTRA_FOLD = {"−": "-", "﹣": "-", "—": "—", "．": ".", "﹪": "%", "≧": "≥", "≦": "≤", "\u3000": " ",
               "﹦": "=", "═": "=", "﹤": "<", "﹥": ">"}
_SPACE = regex.compile(r"[ \t\u00a0\u2002-\u200b\u3000]+")
PAGE_NUMBER_RE = regex.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$"
)
BARE_NUMBER_RE = regex.compile(r"^\s*\d{1,3}\s*$")
# Heading markers that start a new block: 一、 （一） (1) 1． 第一部分 附件. Up to three digits:
# a report may list more than 99 indicators (with two, 100. and on ran into indicator 99).
HEADING_RE = regex.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.]|[（(][一二三四五六七八九十]{1,3}[)）]|[（(]\d{1,3}[)）]"
    r"|\d{1,3}[、.](?!\d)|第[一二三四五六七八九十]{1,3}[章节部分]|附件)"
)


def fold_char(ch: str) -> str:
    if ch in _EXTRA_FOLD:
        return _EXTRA_FOLD[ch]
    if "\uff01" <= ch <= "\uff5e" and ch not in _KEEP_FULLWIDTH:
        return unicodedata.normalize("NFKC", ch)
    return ch


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass(frozen=True)
class NLine:
    """A normalised line; cols[i] is the source column of text[i]."""

    text: str
    src: Line
    cols: tuple[int, ...]


# Every fold is one character to one character, so a translate table does it
# and columns stay put (the slow path below is only for OCR repairs).
_FOLD_TABLE = str.maketrans(
    {**{chr(c): fold_char(chr(c)) for c in range(0xFF01, 0xFF5F)}, **_EXTRA_FOLD}
)


def normalize_line(line: Line, dirty: DirtyText | None = None) -> NLine:
    if not line.repairs and dirty is None:
        text = line.text.translate(_FOLD_TABLE)
        cols = list(range(len(text)))
        if not _SPACE.search(text):
            return NLine(text, line, tuple(cols))
        return _drop_spaces(list(text), cols, line)
    chars: list[str] = []
    cols: list[int] = []
    repairs = dict(line.repairs)  # OCR digit repairs: column -> replacement
    source = dirty.clean(line.text) if dirty else list(enumerate(line.text))
    for col, ch in source:
        for out in "".join(fold_char(c) for c in repairs.get(col, ch)):
            chars.append(out)
            cols.append(col)
    return _drop_spaces(chars, cols, line)


# Characters that occur only in traditional script (a few frequent ones from
# these reports): three or more in a document switch on OpenCC's t2s.
TRADITIONAL_ONLY = set(
    "這個們來為國會說時對學發經過還進後體點門長開關無實現應與當東樣區書單務從於費預執績評報據資項總額數"
    "據與機構規劃縣鄉鎮農衛醫療廳顯廣蘭華協議員歲達辦價態護險劃產業")
TRADITIONAL_RE = regex.compile("[" + regex.escape("".join(sorted(TRADITIONAL_ONLY))) + "]")
# A pinyin gloss that some mirror sites insert after a character: 項(xiàng)目.
PINYIN_GLOSS = regex.compile(r"(?<=\p{Han})[(（]([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńň][a-zü]*)[)）]")


@dataclass
class DirtyText:
    """What a mirror or a scan did to a document's text: traditional script
    (converted with OpenCC's t2s, one character for one, so every character
    still maps back to its source) and pinyin glosses (dropped)."""

    traditional: bool
    glosses: bool

    @staticmethod
    def detect(lines: list[Line]) -> DirtyText | None:
        sample = "".join(line.text for line in lines[:400])
        traditional = sum(1 for _ in islice(TRADITIONAL_RE.finditer(sample), 3)) >= 3
        glosses = PINYIN_GLOSS.search(sample) is not None
        return DirtyText(traditional, glosses) if traditional or glosses else None

    def clean(self, text: str) -> list[tuple[int, str]]:
        """(source column, character) pairs of the cleaned line."""
        keep = [True] * len(text)
        if self.glosses:
            for m in PINYIN_GLOSS.finditer(text):
                for i in range(m.start(), m.end()):
                    keep[i] = False
        converted = _t2s(text) if self.traditional else text
        return [(i, converted[i]) for i in range(len(text)) if keep[i]]


@lru_cache(maxsize=1)
def _converter():
    import opencc  # only for documents in traditional script

    return opencc.OpenCC("t2s.json")


def _t2s(text: str) -> str:
    """Traditional to simplified, one character for one (phrase conversions
    that change the length fall back to converting character by character)."""
    out = _converter().convert(text)
    if len(out) == len(text):
        return out
    return "".join(ch if len(c := _converter().convert(ch)) != 1 else c for ch in text)


DIGITS_AT_END = regex.compile(r"\d+$")
DIGITS_AT_START = regex.compile(r"\d+")


def _drop_spaces(chars: list[str], cols: list[int], line: Line) -> NLine:
    """Remove whitespace unless it separates two ASCII words or two numbers
    that are clearly separate (neither side a letter-spaced single digit and
    the right side not a thousands group); a kept run of spaces becomes one
    space at its first column."""
    text = "".join(chars)
    out_text: list[str] = []
    out_cols: list[int] = []
    pos = 0
    for m in _SPACE.finditer(text):
        start, end = m.span()
        out_text.append(text[pos:start])
        out_cols.extend(cols[pos:start])
        pos = end
        if not start or end == len(text):
            continue
        a, b = text[start - 1], text[end]
        if a.isascii() and a.isalpha() and b.isascii() and b.isalpha():
            keep = True
        elif a.isdigit() and b.isdigit():
            left_run = DIGITS_AT_END.search(text[:start]).group(0)
            right = text[end:]
            right_run = DIGITS_AT_START.match(right).group(0)
            thousands = len(right_run) == 3 and not right[3:4].isdigit()
            keep = len(left_run) > 1 and len(right_run) > 1 and not thousands
        else:
            keep = False
        if keep:
            out_text.append(" ")
            out_cols.append(cols[start])
    out_text.append(text[pos:])
    out_cols.extend(cols[pos:])
    return NLine("".join(out_text), line, tuple(out_cols))


# The last document normalised and its lines: a reading is normalised twice (the check for
# several reports, then extraction), each time the same.
_last: tuple = (None, [])


def normalize_document(doc: Document) -> list[NLine]:
    """All running-text lines, normalised; blank and page-number lines dropped."""
    global _last
    last_doc, last_lines = _last
    if last_doc is doc:
        return list(last_lines)
    lines = doc.lines
    gap = _usual_gap(lines)
    dirty = DirtyText.detect(lines)
    out: list[NLine] = []
    for i, line in enumerate(lines):
        if not line.text.strip() or PAGE_NUMBER_RE.match(line.text):
            continue
        if BARE_NUMBER_RE.match(line.text) and _at_page_break(lines, i, gap):
            continue
        out.append(normalize_line(line, dirty))
    _last = (doc, out)
    return list(out)


def _blank_runs(lines) -> list[int]:
    runs, run = [], 0
    for line in lines:
        if line.text.strip():
            runs.append(run)
            run = 0
        else:
            run += 1
    return runs


def _usual_gap(lines) -> int:
    """The blank-line count that usually separates lines (1 in double-spaced dumps)."""
    runs = _blank_runs(lines)[1:]
    return max(set(runs), key=runs.count) if runs else 0


def _run_around(lines, i: int, step: int) -> int:
    """Empty lines next to line i (a line of spaces is an empty cell of a form
    dump, not a blank: it never makes a figure beside it a page number)."""
    n, j = 0, i + step
    while 0 <= j < len(lines) and not lines[j].text:
        n, j = n + 1, j + step
    return n if 0 <= j < len(lines) else 99


def _at_page_break(lines, i: int, gap: int) -> bool:
    """A lone small number is a page number only where the spacing around it is
    wider than the document's usual line spacing (a page break), so a number
    wrapped onto its own line is kept."""
    before, after = _run_around(lines, i, -1), _run_around(lines, i, 1)
    return min(before, after) >= gap and max(before, after) > gap


class Text:
    """Normalised lines joined into one string with a map back to the source."""

    def __init__(self, nlines: list[NLine]):
        self.nlines = nlines
        parts: list[str] = []
        # starts[k]: offset of nlines[k] in the joined text; a space joining two
        # ASCII words belongs to the line after it. Characters map back lazily.
        self._starts: list[int] = []
        self._space: list[int] = []  # 1 where a space was put before nlines[k]
        size = 0
        for nl in nlines:
            gap = int(bool(parts and parts[-1] and nl.text and _is_ascii_alnum(parts[-1][-1])
                           and nl.text[0].isascii() and nl.text[0].isalpha()))
            if gap:
                parts.append(" ")
            self._starts.append(size)
            self._space.append(gap)
            parts.append(nl.text)
            size += gap + len(nl.text)
        self.text = "".join(parts)

    def __len__(self) -> int:
        return len(self.text)

    def _locate(self, pos: int) -> tuple[int, int]:
        """(nline index, source column) of joined-text position pos; a joining
        space maps to the first character of the line after it."""
        k = bisect.bisect_right(self._starts, pos) - 1
        cols = self.nlines[k].cols
        if not cols:
            return k, 0
        offset = pos - self._starts[k] - self._space[k]
        return k, cols[max(0, min(offset, len(cols) - 1))]

    def evidence(self, start: int, end: int) -> Evidence | None:
        """Exact source text for text[start:end], joined across lines."""
        if not self.text or start >= end:
            return None
        start = max(0, min(start, len(self.text) - 1))
        end = max(start + 1, min(end, len(self.text)))
        k0, c0 = self._locate(start)
        k1, c1 = self._locate(end - 1)
        pieces = []
        for k in range(k0, k1 + 1):
            src = self.nlines[k].src.text
            a = c0 if k == k0 else 0
            b = c1 + 1 if k == k1 else len(src)
            pieces.append(src[a:b].strip())
        first, last = self.nlines[k0].src, self.nlines[k1].src
        line_end = last.line if (last.page, last.line) != (first.page, first.line) else None
        confidence, repairs = self._ocr_facts(k0, c0, k1, c1)
        return Evidence(text="".join(pieces), line=first.line, page=first.page, line_end=line_end,
                        confidence=confidence, repairs=repairs)

    def _ocr_facts(self, k0: int, c0: int, k1: int, c1: int) -> tuple[float | None, tuple[str, ...]]:
        """Lowest OCR confidence and the digit repairs over source columns c0 (line k0)
        to c1 (line k1); (None, ()) for text-layer lines."""
        scores: list[float] = []
        repairs: list[str] = []
        for k in range(k0, k1 + 1):
            src = self.nlines[k].src
            if src.confidence is None and not src.repairs:  # a text-layer line: no score, no repairs
                continue
            a, b = (c0 if k == k0 else 0), (c1 + 1 if k == k1 else len(src.text))
            score = src.span_confidence(a, b)
            if score is not None:
                scores.append(score)
            repairs.extend(src.span_repairs(a, b))
        return (min(scores) if scores else None), tuple(repairs)

    def line_of(self, pos: int) -> NLine:
        return self.nlines[self._locate(pos)[0]]

    def line_start(self, pos: int) -> int:
        """Offset in `text` where the source line holding `pos` begins."""
        k = bisect.bisect_right(self._starts, pos) - 1
        return self._starts[k] + self._space[k] if k >= 0 else 0


def split_blocks(nlines: list[NLine]) -> list[Text]:
    """Cut the running text at heading markers; each block starts with its
    heading line (if any) and runs to the next marker."""
    blocks: list[list[NLine]] = []
    for nl in nlines:
        if HEADING_RE.match(nl.text) or not blocks:
            blocks.append([nl])
        else:
            blocks[-1].append(nl)
    return [Text(b) for b in blocks]

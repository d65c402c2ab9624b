"""The ingest stage's output: a document as pages of lines with positions.

Every later stage reads only these classes, never the file. Ingesters for each
format (text, PDF, DOCX) build a `Document`; a file that cannot be read raises
`IngestError` with a SPEC §3 error code.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

# SPEC §3 report-level error codes.
ERROR_CODES = (
    "unreadable",
    "encrypted",
    "no_text_layer",
    "unsupported_format",
    "empty",
    "not_a_report",
    # Added by the batch stage (SPEC §3 allows new codes): a file whose reading
    # passed --timeout, and an archive member refused for safety.
    "timeout",
    "unsafe_archive",
    # Added by the run (#17): several reports in one file, refused rather than read as one.
    "several_reports",
    # A file past a size limit (pipeline.ingest.limits): it would take too much memory to read.
    "too_large",
)


class IngestError(Exception):
    """A file that cannot be turned into a Document (SPEC §3 `error`)."""

    def __init__(self, code: str, message: str):
        if code not in ERROR_CODES:
            raise ValueError(f"unknown ingest error code {code!r}; allowed: {ERROR_CODES}")
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Line:
    """One source line, exactly as the file has it (no trailing newline).

    `line` is 1-based: within the file for text, within the page for PDF and
    DOCX. `page` is 1-based, or None for plain text. `bbox` is (x0, top, x1,
    bottom) in PDF points where the format has geometry.

    Lines read by OCR also carry `confidence` (the recogniser's lowest
    per-character score on the line, 0..1), `char_conf` (one score per
    character of `text`) and `repairs`: (column, replacement) pairs for OCR
    digit confusions fixed where the context is unambiguous (``O`` -> ``0``).
    `text` stays exactly what was recognised, so evidence shows the raw OCR
    text; the normalise stage applies the repairs. Text-layer lines leave
    them None/empty.
    """

    text: str
    line: int
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None
    char_conf: tuple[float, ...] | None = None
    repairs: tuple[tuple[int, str], ...] = ()

    def span_confidence(self, start: int = 0, end: int | None = None) -> float | None:
        """Lowest OCR score over text[start:end] (spaces and separators OCR misread and
        the repairs drop are not counted); None for a text-layer line."""
        if self.confidence is None:
            return None
        end = len(self.text) if end is None else end
        if not self.char_conf or len(self.char_conf) != len(self.text):
            return self.confidence
        dropped = {col for col, rep in self.repairs if rep == ""}
        scores = [self.char_conf[c] for c in range(start, end)
                  if not self.text[c].isspace() and c not in dropped]
        return min(scores) if scores else None

    def span_repairs(self, start: int = 0, end: int | None = None) -> tuple[str, ...]:
        """The OCR repairs inside text[start:end], as 'raw→read' strings."""
        end = len(self.text) if end is None else end
        return tuple(f"{self.text[c]}→{rep}" for c, rep in self.repairs if start <= c < end)

    def repaired(self, start: int = 0, end: int | None = None) -> str:
        """text[start:end] as read after the OCR repairs."""
        fixes = dict(self.repairs)
        end = len(self.text) if end is None else end
        return "".join(fixes.get(c, self.text[c]) for c in range(start, end))


@dataclass(frozen=True)
class Cell:
    """A table cell. A cell read by OCR also has `confidence` (its lowest character
    score) and `repairs` ((column, replacement) digit repairs, as on `Line`); `text`
    stays what was recognised."""

    text: str
    row: int
    col: int
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None
    repairs: tuple[tuple[int, str], ...] = ()

    def repaired(self) -> str:
        fixes = dict(self.repairs)
        return "".join(fixes.get(c, ch) for c, ch in enumerate(self.text))

    def repair_notes(self) -> tuple[str, ...]:
        return tuple(f"{self.text[c]}→{rep}" for c, rep in self.repairs)


@dataclass(frozen=True)
class Table:
    """A table as rows of cells; `after_line` is the index into Document.lines
    of the last running-text line before the table (-1 when it comes first),
    so the table's place in reading order is known."""

    rows: tuple[tuple[Cell, ...], ...]
    page: int | None = None
    after_line: int = -1


@dataclass(frozen=True)
class Document:
    """A readable input: running text lines in reading order, plus tables.

    `meta` carries facts about the reading (encoding, page count, skipped
    pages, engine) that reports show; nothing in it changes the audit.
    `identity` says which document this is (see `document_identity`).
    """

    source: str
    kind: str  # "txt", "pdf", "docx"
    lines: tuple[Line, ...]
    tables: tuple[Table, ...] = ()
    meta: dict = field(default_factory=dict)
    identity: str = ""


def bytes_identity(data: bytes) -> str:
    """A PDF's or DOCX's identity: the SHA-256 of its bytes (the store's key for
    it too). Not its text: a better PDF reader or OCR engine must not make it
    another document."""
    return hashlib.sha256(data).hexdigest()


def text_identity(text: str) -> str:
    """A text file's identity: the SHA-256 of its decoded text with line ends,
    trailing blanks and Unicode composition normalised, so the same report saved
    as GBK or UTF-8, with or without BOM or CRLF, is one document."""
    norm = "\n".join(unicodedata.normalize("NFC", ln).rstrip() for ln in text.splitlines()).strip("\n")
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def document_identity(doc: Document) -> str:
    """What finding ids are derived from (model.finding_id): the identity the
    reader gave the document, else (a Document built in code) its text's."""
    if doc.identity:
        return doc.identity
    cells = ("\t".join(c.text for c in row) for t in doc.tables for row in t.rows)
    return text_identity("\n".join([*(ln.text for ln in doc.lines), *cells]))

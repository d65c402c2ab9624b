"""Text from documents and file names, made safe to show to people.

A file name or a report's text may carry control characters: a vertical tab
from Word, an ESC that starts a terminal escape sequence (colours, a new
window title, a cleared screen), a BEL, bidirectional overrides that make
text read differently from what it is. Shown raw, they act on the terminal
or break summary.md; `visible` writes each as its code (`\\x1b`, `\\u202e`)
instead. The data (JSON, the store) keeps the text as it was.
"""

from __future__ import annotations

import regex

# C0 and C1 controls, DEL, and the bidirectional embeddings, overrides and isolates.
CONTROL = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROL_OR_BREAK = regex.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _code(m: regex.Match) -> str:
    cp = ord(m.group())
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


def visible(text, keep_newlines: bool = True) -> str:
    """`text` (anything, as str() shows it) with control characters written as
    their codes; tabs and, with `keep_newlines`, line breaks stay."""
    text = str(text)
    if keep_newlines:
        return CONTROL.sub(_code, text)
    return CONTROL_OR_BREAK.sub(lambda m: " " if m.group() in "\t\n" else _code(m), text)


def markup(text) -> str:
    """`visible` text for rich's markup: `[` in a name is not a style tag."""
    from rich.markup import escape

    return escape(visible(text))

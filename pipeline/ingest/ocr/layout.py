"""Recognised boxes -> `Line`s in reading order, as the text path would give them.

Boxes are grouped into visual rows by their vertical centres (a box joins a row when its
centre is within ROW_TOLERANCE of a line height of the row's), each row read left to
right. Within a row, boxes separated by a gap wider than CELL_GAP line heights are table
cells or columns and are joined with two spaces (the form parsers split rows on two or
more spaces); closer boxes are joined as CJK text (no space, except between two Latin
words or numbers). Every character keeps its recognition score; separators score 1.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from pipeline.ingest.document import Line
from pipeline.ingest.ocr.box import OcrBox
from pipeline.ingest.ocr.repair import find_repairs

ROW_TOLERANCE = 0.5
CELL_GAP = 0.8
CELL_SEPARATOR = "  "


@dataclass
class _Row:
    boxes: list[OcrBox]
    centre: float
    height: float

    def add(self, box: OcrBox, centre: float, height: float) -> None:
        n = len(self.boxes)
        self.centre = (self.centre * n + centre) / (n + 1)
        self.height = max(self.height, height)
        self.boxes.append(box)


def rows_of(boxes: list[OcrBox]) -> list[list[OcrBox]]:
    """Boxes grouped into visual rows, top to bottom, each row left to right."""
    rows: list[_Row] = []
    for box in sorted(boxes, key=lambda b: _centre(b)):
        x0, y0, x1, y1 = box.bounds
        centre, height = (y0 + y1) / 2, max(1.0, y1 - y0)
        row = next((r for r in reversed(rows[-3:])
                    if abs(r.centre - centre) <= ROW_TOLERANCE * min(r.height, height)), None)
        if row is None:
            rows.append(_Row([box], centre, height))
        else:
            row.add(box, centre, height)
    rows.sort(key=lambda r: r.centre)
    return [sorted(r.boxes, key=lambda b: b.bounds[0]) for r in rows]


def _centre(box: OcrBox) -> float:
    _, y0, _, y1 = box.bounds
    return (y0 + y1) / 2


def row_text(row: list[OcrBox]) -> tuple[str, tuple[float, ...]]:
    """The row's text and one confidence per character."""
    height = statistics.median(b.bounds[3] - b.bounds[1] for b in row)
    text, conf = "", []
    prev = None
    for box in row:
        if prev is not None:
            sep = _separator(prev, box, height)
            text += sep
            conf.extend([1.0] * len(sep))
        text += box.text
        conf.extend(box.char_conf)
        prev = box
    return text, tuple(conf)


def _separator(left: OcrBox, right: OcrBox, height: float) -> str:
    gap = right.bounds[0] - left.bounds[2]
    if gap > CELL_GAP * height:
        return CELL_SEPARATOR
    a, b = left.text[-1:], right.text[:1]
    if a.isascii() and b.isascii() and a.isalnum() and b.isalnum():
        return " "
    return ""


def page_lines(boxes: list[OcrBox], page: int, dpi: int) -> list[Line]:
    """Document lines of one OCR'd page; bbox in PDF points like the text path."""
    scale = 72.0 / dpi
    rows = [r for r in rows_of(boxes) if any(b.text.strip() for b in r)]
    texts = [row_text(r) for r in rows]
    lines: list[Line] = []
    for i, (row, (text, conf)) in enumerate(zip(rows, texts, strict=True)):
        x0 = min(b.bounds[0] for b in row)
        y0 = min(b.bounds[1] for b in row)
        x1 = max(b.bounds[2] for b in row)
        y1 = max(b.bounds[3] for b in row)
        before = texts[i - 1][0] if i > 0 else ""
        after = texts[i + 1][0] if i + 1 < len(texts) else ""
        lines.append(Line(
            text=text, line=len(lines) + 1, page=page,
            bbox=(round(x0 * scale, 2), round(y0 * scale, 2), round(x1 * scale, 2), round(y1 * scale, 2)),
            confidence=round(min(conf), 4) if conf else None, char_conf=conf,
            repairs=find_repairs(text, before, after),
        ))
    return lines

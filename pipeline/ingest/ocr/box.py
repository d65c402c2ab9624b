"""What an OCR engine gives: text boxes with per-character scores (plain data, no I/O).

Its own module so that the engine interface (`engine`), the engine (`rapid`)
and the page steps (`tables`, `layout`, `cache`, `symbols`) share it without
importing each other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OcrBox:
    """One recognised text box in image pixels: `quad` is its four corners (clockwise from
    top-left), `confidence` the recogniser's score for the box and `char_conf` one score
    per character of `text` (0..1)."""

    text: str
    quad: tuple[tuple[float, float], ...]
    confidence: float
    char_conf: tuple[float, ...]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        xs = [p[0] for p in self.quad]
        ys = [p[1] for p in self.quad]
        return min(xs), min(ys), max(xs), max(ys)

    def to_json(self) -> dict:
        return {"text": self.text, "quad": [list(p) for p in self.quad],
                "confidence": self.confidence, "char_conf": list(self.char_conf)}

    @classmethod
    def from_json(cls, d: dict) -> OcrBox:
        return cls(d["text"], tuple(tuple(p) for p in d["quad"]), d["confidence"], tuple(d["char_conf"]))

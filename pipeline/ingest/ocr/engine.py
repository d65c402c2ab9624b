"""OCR for scanned pages: the engine interface, its settings and its plain results.

A scanned (image-only) PDF page is rendered, cleaned (red seal suppressed, small skew
corrected: `image`), recognised by an `OcrEngine` into `OcrBox`es (`box`), cached by the page
bitmap's hash (`cache`), and laid out into the same `Line`s the text path produces,
with per-character recognition scores (`layout`). `pdf` decides which pages to
OCR (`--ocr auto|never|always`) and merges them into the Document.

The default engine is RapidOCR on onnxruntime (`rapid`), whose PP-OCR Chinese
detection and recognition models ship inside its wheel: nothing is downloaded at run
time. Another engine only has to implement `OcrEngine.recognise`. No heavy library is
imported by this module.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.ingest.ocr.box import OcrBox

OCR_MODES = ("auto", "never", "always")
# Render resolution in dots per inch. Measured by benchmarks/bench_ocr.py on the scan
# fixtures: 200 dpi reads as well as 300 at about half the time; 150 loses small digits.
DEFAULT_DPI = 200
MIN_DPI, MAX_DPI = 72, 600
ENGINES = ("rapidocr",)
DEFAULT_ENGINE = "rapidocr"
DEFAULT_CACHE_DIR = Path("~/.cache/perfaudit/ocr")


@dataclass(frozen=True)
class OcrSettings:
    """How scanned pages are read.

    mode: "auto" OCRs only pages without a trustworthy text layer, "never" refuses them
    (`no_text_layer`), "always" OCRs every page. cache_dir: where page results are kept
    (None: ~/.cache/perfaudit/ocr; "" or False: no cache)."""

    mode: str = "auto"
    dpi: int = DEFAULT_DPI
    engine: str = DEFAULT_ENGINE
    cache_dir: str | Path | None = None

    def __post_init__(self) -> None:
        if self.mode not in OCR_MODES:
            raise ValueError(f"unknown OCR mode {self.mode!r}; allowed: {OCR_MODES}")
        if self.engine not in ENGINES:
            raise ValueError(f"unknown OCR engine {self.engine!r}; allowed: {ENGINES}")
        if not MIN_DPI <= self.dpi <= MAX_DPI:
            raise ValueError(f"OCR dpi {self.dpi} outside {MIN_DPI}..{MAX_DPI}")

    def cache_path(self) -> Path | None:
        if self.cache_dir == "" or self.cache_dir is False:
            return None
        return Path(self.cache_dir or DEFAULT_CACHE_DIR).expanduser()


class OcrEngine(Protocol):
    """What perfaudit needs from an OCR engine."""

    name: str  # engine and model version, part of the cache key

    def recognise(self, image, walls=()) -> list[OcrBox]:
        """Text boxes of an RGB image (numpy uint8 array, height x width x 3). `walls`:
        vertical table rules (x, top, bottom) in pixels; no box may cross one."""
        ...


def engine_id(name: str = DEFAULT_ENGINE) -> str:
    """Engine and model version, without loading the models (part of the cache key)."""
    if name == "rapidocr":
        from pipeline.ingest.ocr.rapid import engine_id as rapid_id

        return rapid_id()
    raise ValueError(f"unknown OCR engine {name!r}; allowed: {ENGINES}")


_threads: int | None = None  # inference threads per process; None: the engine's default (all cores)


def set_engine_threads(threads: int | None) -> None:
    """How many threads the engine may use in this process. A batch's pool workers share
    the cores (each gets cores // jobs): one onnxruntime process already uses every core,
    and two at full width fight over them (measured 20-30% slower than one)."""
    global _threads
    _threads = threads if threads and threads > 0 else None


_loading_hook = None  # a context manager factory wrapped around model loading (set by the batch's workers)
_loaded: set = set()


def set_loading_hook(hook) -> None:
    """`hook()` is entered while the models load, once per process: a pool worker
    uses it to keep the loading out of the first page's time limit."""
    global _loading_hook
    _loading_hook = hook


def get_engine(name: str = DEFAULT_ENGINE) -> OcrEngine:
    """The engine, loaded once per process (model loading takes a moment)."""
    key = (name, _threads)
    if key in _loaded or _loading_hook is None:
        engine = _engine(name, _threads)
    else:
        with _loading_hook():
            engine = _engine(name, _threads)
    _loaded.add(key)
    return engine


@functools.lru_cache(maxsize=2)
def _engine(name: str, threads: int | None) -> OcrEngine:
    if name == "rapidocr":
        from pipeline.ingest.ocr.rapid import RapidOcrEngine

        return RapidOcrEngine(threads)
    raise ValueError(f"unknown OCR engine {name!r}; allowed: {ENGINES}")

"""How inputs are read: the ingest stage's settings, one frozen object.

    ReadSettings(pdf_engine="pdfplumber", ocr=OcrSettings(mode="never"))
    ReadSettings.from_options(pdf_engine="auto", ocr="always", ocr_cache_dir="/srv/ocr", ocr_dpi=300)

`from_options` takes the keyword options the Python API and the CLI have
always used and refuses any other key, naming the allowed ones (a misspelt
`ocr_mode=` is an error, not silently ignored).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.ingest.ocr.engine import OcrSettings

# PDF text: "auto" reads every page with pypdfium2 and finds the tables of ruled pages
# with pdfplumber's table finder on pdfium's path objects; "pdfplumber" reads every page
# with pdfplumber (pdfminer's parse), "pdfium" finds no tables.
PDF_ENGINES = ("auto", "pdfplumber", "pdfium")
DEFAULT_PDF_ENGINE = "auto"
OPTIONS = ("pdf_engine", "ocr", "ocr_cache_dir", "ocr_dpi")


@dataclass(frozen=True)
class ReadSettings:
    """pdf_engine: one of PDF_ENGINES. ocr: how scanned pages are read (mode
    auto/never/always, dpi, engine, page cache; see OcrSettings)."""

    pdf_engine: str = DEFAULT_PDF_ENGINE
    ocr: OcrSettings = field(default_factory=OcrSettings)

    def __post_init__(self) -> None:
        if self.pdf_engine not in PDF_ENGINES:
            raise ValueError(f"unknown PDF engine {self.pdf_engine!r}; allowed: {PDF_ENGINES}")
        if not isinstance(self.ocr, OcrSettings):
            raise TypeError(f"ocr must be OcrSettings, not {type(self.ocr).__name__}")

    @classmethod
    def from_options(cls, pdf_engine: str | None = None, ocr: str | OcrSettings | None = None,
                     ocr_cache_dir: str | Path | None = None, ocr_dpi: int | None = None,
                     **unknown) -> ReadSettings:
        """`ocr` is a mode name ("auto", "never", "always") or full OcrSettings;
        `ocr_cache_dir` and `ocr_dpi` refine it."""
        if unknown:
            raise TypeError(f"unknown read option(s) {sorted(unknown)}; allowed: {list(OPTIONS)}")
        settings = ocr if isinstance(ocr, OcrSettings) else OcrSettings(mode=ocr or "auto")
        if ocr_cache_dir is not None:
            settings = replace(settings, cache_dir=ocr_cache_dir)
        if ocr_dpi is not None:
            settings = replace(settings, dpi=ocr_dpi)
        return cls(pdf_engine=pdf_engine or DEFAULT_PDF_ENGINE, ocr=settings)

    def text_key(self) -> str:
        """What changes the text read (a cache key): not where OCR'd pages are cached."""
        return repr((self.pdf_engine, self.ocr.mode, self.ocr.dpi, self.ocr.engine))


def as_read_settings(settings: ReadSettings | None = None, **options) -> ReadSettings:
    """Settings given whole, or built from keyword options (not both)."""
    if settings is not None and options:
        raise TypeError("give ReadSettings or keyword read options, not both")
    return settings if settings is not None else ReadSettings.from_options(**options)

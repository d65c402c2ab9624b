"""The folders benchmarks/bench_pdf.py measures, built from committed fixtures on a fresh clone.

    .venv/bin/python benchmarks/bench_corpus.py OUT_DIR            # the mixed folder (110 PDFs)
    .venv/bin/python benchmarks/bench_corpus.py OUT_DIR --small N  # N small files (hard links)

The mixed folder is what issue #15 measured: 110 text PDFs, 100 narrative reports of 1-5 pages and
10 forms (ruled tables, read through pdfplumber):

- narrative: the committed LibreOffice PDFs (fixtures/pdf/sample, twocol, letterspaced, fakebold,
  cidfont and the 24 of fixtures/pdf/synth/), and enough of the synthetic corpora
  (fixtures/synth/corpus, corpus_s6) rendered here with reportlab to make 100: each non-blank line of
  the text dump (less its page numbers) is a line of the page, 40 to a page, with a running header and
  a "- N -" footer. The font is WenQuanYi Micro Hei embedded as a TrueType subset (as Word
  and WPS export) when fonts-wqy-microhei is installed (CI installs it), else reportlab's built-in,
  non-embedded STSong-Light (as many 公文 are); the build says which.
- forms: fixtures/pdf/form.pdf and the first 9 PDFs of fixtures/forms/corpus.

The small folder holds N hard links (distinct names, so nothing is deduplicated) cycling over the
mixed folder's rendered narrative reports: the archive-size memory test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
NARRATIVE_FIXTURES = ("sample", "twocol", "letterspaced", "fakebold", "cidfont")
CORPORA = (FIXTURES / "synth" / "corpus", FIXTURES / "synth" / "corpus_s6")
N_NARRATIVE, N_FORMS = 100, 10
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PAGE_NUMBER = re.compile(r"^\s*[-－—]\s*\d+\s*[-－—]\s*$")
LINES_PER_PAGE = 40


def _font() -> tuple[str, str]:
    """(reportlab font name, description): an embedded TrueType CJK font if installed."""
    from reportlab.pdfbase import pdfmetrics

    if WQY.exists():
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("WQY", str(WQY), subfontIndex=0))
        return "WQY", "WenQuanYi Micro Hei (embedded TrueType subset)"
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light", "STSong-Light (not embedded)"


def _pages(text: str) -> list[list[str]]:
    """The dump's non-blank lines (less its page numbers), LINES_PER_PAGE to a page."""
    pages: list[list[str]] = [[]]
    for line in text.splitlines():
        if not line.strip() or PAGE_NUMBER.match(line):
            continue
        if len(pages[-1]) >= LINES_PER_PAGE:
            pages.append([])
        pages[-1].append(line.rstrip())
    return [p for p in pages if p]


def render_report(text: str, header: str, out: Path, font: str) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    c = canvas.Canvas(str(out), pagesize=A4, invariant=1)
    for n, lines in enumerate(_pages(text), start=1):
        c.setFont(font, 9)
        c.drawCentredString(width / 2, height - 40, header)
        c.drawCentredString(width / 2, 36, f"- {n} -")
        c.setFont(font, 12)
        y = height - 80
        for line in lines:
            c.drawString(72, y, line)
            y -= 17
        c.showPage()
    c.save()


def _corpus_texts():
    """(name, text, header) of every synthetic report, in a fixed order."""
    for corpus in CORPORA:
        labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
        for name in sorted(labels):
            label = labels[name]
            text = (corpus / name).read_bytes().decode(label["encoding"])
            rec = label.get("record") or {}
            header = f"{rec.get('unit') or ''}{rec.get('year') or ''}年度绩效自评报告"
            yield f"{corpus.name}_{Path(name).stem}", text, header


def build_mixed(out: Path, quiet: bool = False) -> list[Path]:
    """The 110-PDF mixed folder (kept if already complete); returns its files."""
    out.mkdir(parents=True, exist_ok=True)
    done = out / ".complete"
    if done.exists():
        return sorted(out.glob("*.pdf"))
    files = []
    for name in NARRATIVE_FIXTURES:
        files.append(_link(FIXTURES / "pdf" / f"{name}.pdf", out / f"n_{name}.pdf"))
    for p in sorted((FIXTURES / "pdf" / "synth").glob("*.pdf")):
        files.append(_link(p, out / f"n_lo_{p.stem}.pdf"))
    font, described = _font()
    rendered = 0
    for name, text, header in _corpus_texts():
        if len(files) >= N_NARRATIVE:
            break
        target = out / f"n_rl_{name}.pdf"
        render_report(text, header, target, font)
        files.append(target)
        rendered += 1
    forms = [FIXTURES / "pdf" / "form.pdf"] + sorted((FIXTURES / "forms" / "corpus").glob("*.pdf"))
    for p in forms[:N_FORMS]:
        files.append(_link(p, out / f"f_{p.stem}.pdf"))
    done.write_text(f"{described}\n", encoding="utf-8")
    if not quiet:
        print(f"built {out}: {len(files)} PDFs ({rendered} rendered in {described})", file=sys.stderr)
    return sorted(files)


def font_used(mixed: Path) -> str:
    done = mixed / ".complete"
    return done.read_text(encoding="utf-8").strip() if done.exists() else "?"


def build_small(out: Path, mixed: Path, n: int) -> Path:
    """A folder of n small reports: hard links to the rendered narrative PDFs, cycled."""
    sources = sorted(mixed.glob("n_rl_*.pdf"))
    folder = out / f"small_{n}"
    if folder.exists() and len(list(folder.iterdir())) == n:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        _link(sources[i % len(sources)], folder / f"r{i:06d}.pdf")
    return folder


def _link(src: Path, dst: Path) -> Path:
    if not dst.exists():
        try:
            os.link(src, dst)
        except OSError:
            dst.write_bytes(src.read_bytes())
    return dst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--small", type=int, default=0, help="also build a folder of N small files")
    a = ap.parse_args()
    mixed = a.out / "mixed"
    files = build_mixed(mixed)
    print(f"{mixed}: {len(files)} PDFs")
    if a.small:
        print(build_small(a.out, mixed, a.small))


if __name__ == "__main__":
    main()

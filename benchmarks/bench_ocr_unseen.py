"""OCR of scanned forms the tuning never saw: six other forms of the form corpus, scanned
differently from the fixtures (150-300 dpi, JPEG 62-85, skew up to 1 degree, no seal),
OCR'd afresh and scored against their text PDFs and labels.

    .venv/bin/python benchmarks/bench_ocr_unseen.py

The committed form scans (fixtures/scans/form_scan_*.pdf) were looked at while the table
reading was built; these were not, so their score is the fairer estimate. Prints one
row per form and the totals.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "fixtures" / "forms" / "corpus"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "fixtures" / "scans"))

# (form, scan dpi, skew, JPEG quality): none of these forms is among the fixtures' scans.
SCANS = (("form_045", 300, -0.9, 85), ("form_087", 200, 0.5, 75), ("form_058", 300, 0.3, 80),
         ("form_079", 150, -0.7, 62), ("form_041", 200, 1.0, 70), ("form_012", 300, -0.4, 85))
SEED = 7


def scan_form(name: str, dpi: int, angle: float, quality: int, out: Path) -> Path:
    import make_scans
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(CORPUS / f"{name}.pdf"))
    pages = [pdf[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    pdf.close()
    rng = random.Random(f"{SEED}-{name}")
    pages = [make_scans.scan(p, angle, rng) for p in pages]
    path = out / f"{name}.pdf"
    path.write_bytes(make_scans.to_pdf(pages, dpi, quality))
    return path


def main() -> int:
    from pipeline.api import audit_document, audit_file
    from pipeline.audit.rules import load_rules
    from pipeline.ingest.ocr.engine import OcrSettings, get_engine
    from pipeline.ingest.text import read_document

    spec = importlib.util.spec_from_file_location("forms_score", ROOT / "fixtures/forms/score.py")
    forms = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(forms)
    labels = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    rules = load_rules()
    get_engine()
    tp = fp = fn = ok = total = pages = 0
    seconds = 0.0
    print(f"{'form':<9} {'layout':<10} {'dpi':>4} {'q':>3} {'pages':>5} {'s/page':>7} {'fields':>8}  differences")
    with tempfile.TemporaryDirectory() as tmp:
        for name, dpi, angle, quality in SCANS:
            path = scan_form(name, dpi, angle, quality, Path(tmp))
            start = time.perf_counter()
            doc = read_document(path, ocr=OcrSettings(cache_dir=""))
            spent = time.perf_counter() - start
            result, text = audit_document(doc, rules), audit_file(CORPUS / f"{name}.pdf", rules)
            got_ok = got_total = 0
            wrong = []
            for field, want in forms.field_list(labels[f"{name}.pdf"]["record"]):
                same = forms.S.same(want, forms.S.lookup(result.record, field))
                got_ok, got_total = got_ok + same, got_total + 1
                if not same:
                    wrong.append(".".join(map(str, field)))
            keys = [{(f["subject"], f["category"]) for f in r.findings if f["severity"] in ("error", "warning")}
                    for r in (result, text)]
            tp, fp, fn = tp + len(keys[0] & keys[1]), fp + len(keys[0] - keys[1]), fn + len(keys[1] - keys[0])
            n = doc.meta["ocr"]["pages"]
            pages, seconds, ok, total = pages + n, seconds + spent, ok + got_ok, total + got_total
            print(f"{name:<9} {labels[f'{name}.pdf']['layout']:<10} {dpi:>4} {quality:>3} {n:>5} {spent / n:>7.2f}"
                  f" {got_ok:>3}/{got_total:<4}  {', '.join(wrong[:4])}", flush=True)
    print(f"total: {pages} pages, {seconds / max(1, pages):.2f} s/page, fields {ok}/{total} = {ok / total:.4f}, "
          f"findings P {tp / max(1, tp + fp):.3f} R {tp / max(1, tp + fn):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""OCR speed and accuracy by render resolution, on the committed scans (fixtures/scans).

    .venv/bin/python benchmarks/bench_ocr.py [--dpi 150,200,300] [--scans N]

For each resolution every page is OCR'd afresh (no cache) and timed, then scored:
character accuracy of the recognised text against the printed text (matched characters
over printed characters, whitespace ignored), record fields against the corpus labels,
and error/warning findings against the text version's. Prints one row per resolution.

    .venv/bin/python benchmarks/bench_ocr.py --forms [--dpi 200]

The same for the scanned ruled forms (make_form_scans.py), against their text PDFs and
the form corpus labels, with the time spent finding the table rules in the page images
(the part of a page's time that forms add) and how many signs were read by shape.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANS = ROOT / "fixtures" / "scans"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SCANS))
sys.path.insert(0, str(ROOT / "fixtures" / "synth"))


def char_accuracy(truth: str, read: str) -> tuple[int, int]:
    """(matched characters, printed characters), whitespace removed."""
    a, b = "".join(truth.split()), "".join(read.split())
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()), len(a)


def run(dpi: int, names: list[str], manifest: dict, rules) -> dict:
    import make_scans
    import score

    from pipeline.api import audit_document, audit_file
    from pipeline.ingest.ocr.engine import OcrSettings, get_engine
    from pipeline.ingest.text import read_document

    get_engine()  # model loading is not page time
    labels = json.loads((ROOT / "fixtures/synth/corpus/labels.json").read_text(encoding="utf-8"))
    pages = seconds = matched = printed = ok = total = tp = fp = fn = 0
    for name in names:
        entry = manifest[name]
        start = time.perf_counter()
        doc = read_document(SCANS / name, ocr=OcrSettings(dpi=dpi, cache_dir=""))
        seconds += time.perf_counter() - start
        pages += doc.meta["ocr"]["pages"]
        truth = "".join(make_scans.report_lines(Path(entry["text"]).stem))
        m, n = char_accuracy(truth, "".join(ln.text for ln in doc.lines if not ln.text.strip().startswith("-")))
        matched, printed = matched + m, printed + n
        result, text = audit_document(doc, rules), audit_file(ROOT / entry["text"], rules)
        for path, want in score.field_list(labels[Path(entry["text"]).name]["record"]):
            total += 1
            ok += score.same(want, score.lookup(result.record, path))
        key = [{(f["subject"], f["category"]) for f in r.findings if f["severity"] in ("error", "warning")}
               for r in (result, text)]
        tp, fp, fn = tp + len(key[0] & key[1]), fp + len(key[0] - key[1]), fn + len(key[1] - key[0])
    return {"dpi": dpi, "pages": pages, "s_per_page": seconds / max(1, pages),
            "char_acc": matched / max(1, printed), "fields": ok / max(1, total),
            "precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn)}


def run_forms(dpi: int, rules) -> dict:
    import importlib.util

    from pipeline.api import audit_document, audit_file
    from pipeline.ingest.ocr.engine import OcrSettings, get_engine
    from pipeline.ingest.ocr.image import prepare, render_page
    from pipeline.ingest.text import read_document

    spec = importlib.util.spec_from_file_location("forms_score", ROOT / "fixtures/forms/score.py")
    forms = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(forms)
    manifest = json.loads((SCANS / "form_manifest.json").read_text(encoding="utf-8"))
    labels = json.loads((ROOT / "fixtures/forms/corpus/labels.json").read_text(encoding="utf-8"))
    get_engine()
    pages = seconds = rule_s = ok = total = tp = fp = fn = signs = 0
    for name, entry in manifest.items():
        start = time.perf_counter()
        doc = read_document(SCANS / name, ocr=OcrSettings(dpi=dpi, cache_dir=""))
        seconds += time.perf_counter() - start
        pages += doc.meta["ocr"]["pages"]
        signs += sum(doc.meta["ocr"].get("signs_by_shape", {}).values())
        rule_s += _rule_seconds(SCANS / name, dpi, prepare, render_page)
        result, text = audit_document(doc, rules), audit_file(ROOT / entry["source"], rules)
        for path, want in forms.field_list(labels[Path(entry["source"]).name]["record"]):
            total += 1
            ok += forms.S.same(want, forms.S.lookup(result.record, path))
        key = [{(f["subject"], f["category"]) for f in r.findings if f["severity"] in ("error", "warning")}
               for r in (result, text)]
        tp, fp, fn = tp + len(key[0] & key[1]), fp + len(key[0] - key[1]), fn + len(key[1] - key[0])
    return {"dpi": dpi, "pages": pages, "s_per_page": seconds / max(1, pages), "rules_s": rule_s / max(1, pages),
            "fields": ok / max(1, total), "n_fields": total, "signs": signs,
            "precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn)}


def _rule_seconds(path: Path, dpi: int, prepare, render_page) -> float:
    import pypdfium2 as pdfium

    from pipeline.ingest.ocr.tables import find_rules

    pdf = pdfium.PdfDocument(str(path))
    spent = 0.0
    try:
        for page in pdf:
            image, _ = prepare(render_page(page, dpi))
            start = time.perf_counter()
            find_rules(image, dpi)
            spent += time.perf_counter() - start
    finally:
        pdf.close()
    return spent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dpi", default="150,200,300")
    ap.add_argument("--scans", type=int, default=6, help="how many scans (of the 12) to read")
    ap.add_argument("--forms", action="store_true", help="the scanned forms (form_manifest.json) instead")
    a = ap.parse_args(argv)
    from pipeline.audit.rules import load_rules

    if a.forms:
        rules = load_rules()
        print(f"{'dpi':>4} {'pages':>5} {'s/page':>7} {'rules s':>8} {'signs':>5} {'fields':>12} {'prec':>6} {'recall':>6}")
        for dpi in (int(x) for x in a.dpi.split(",")):
            r = run_forms(dpi, rules)
            print(f"{r['dpi']:>4} {r['pages']:>5} {r['s_per_page']:>7.2f} {r['rules_s']:>8.3f} {r['signs']:>5}"
                  f" {r['fields']:>7.4f}/{r['n_fields']:<4} {r['precision']:>6.3f} {r['recall']:>6.3f}", flush=True)
        return 0
    manifest = json.loads((SCANS / "manifest.json").read_text(encoding="utf-8"))
    names = [n for n in manifest if n.startswith("scan_")][: a.scans]
    rules = load_rules()
    print(f"{len(names)} scans; native resolutions {sorted({manifest[n]['dpi'] for n in names})} dpi")
    print(f"{'dpi':>4} {'pages':>5} {'s/page':>7} {'char acc':>9} {'fields':>7} {'prec':>6} {'recall':>6}")
    for dpi in (int(x) for x in a.dpi.split(",")):
        r = run(dpi, names, manifest, rules)
        print(f"{r['dpi']:>4} {r['pages']:>5} {r['s_per_page']:>7.2f} {r['char_acc']:>9.4f} {r['fields']:>7.4f}"
              f" {r['precision']:>6.3f} {r['recall']:>6.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""OCR of scanned reports (pipeline/ocr*.py) on the committed scans (fixtures/scans,
built by make_scans.py from the synthetic corpus and by make_form_scans.py from the form
corpus): findings and record fields match the text versions, for narrative reports and
for ruled forms whose cells wrap; a creased digit downgrades its finding; --ocr never
refuses; the page cache answers a re-run.

Recognition costs about 5 s a page on two cores, so the twelve scans are audited from
the recognition recorded in fixtures/scans/ocr_cache (the page cache, keyed by the
rendered bitmap and the engine version: a changed engine or renderer misses it and
simply OCRs afresh). Fresh recognition runs on two pages, and must agree with the
record."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.api import audit_file
from pipeline.ingest.document import IngestError
from pipeline.ingest.ocr.engine import OcrSettings
from pipeline.ingest.text import read_document

from .conftest import fixture_module

ROOT = Path(__file__).resolve().parents[1]
SCANS = ROOT / "fixtures" / "scans"
MANIFEST = json.loads((SCANS / "manifest.json").read_text(encoding="utf-8"))
FORM_MANIFEST = json.loads((SCANS / "form_manifest.json").read_text(encoding="utf-8"))
FORM_LABELS = json.loads((ROOT / "fixtures/forms/corpus/labels.json").read_text(encoding="utf-8"))
LABELS = json.loads((ROOT / "fixtures/synth/corpus/labels.json").read_text(encoding="utf-8"))
SCORED = ("error", "warning")
DOCTORED = "doctored_report_001.pdf"

pytest.importorskip("rapidocr_onnxruntime")


def _score_module():
    return fixture_module(ROOT / "fixtures/synth", "score", "synth_score_ocr")


@pytest.fixture(scope="session")
def ocr_cache(tmp_path_factory):
    """A writable copy of the recorded recognition of the scans."""
    cache = tmp_path_factory.mktemp("ocr") / "cache"
    shutil.copytree(SCANS / "ocr_cache", cache)
    return cache


@pytest.fixture(scope="session")
def fresh_doctored(rules):
    """The doctored scan OCR'd afresh (no cache): the real engine on a real page."""
    return audit_file(SCANS / DOCTORED, rules, ocr=OcrSettings(cache_dir=""))


@pytest.fixture(scope="session")
def scanned(rules, ocr_cache):
    """{scan file: (ReportResult of the scan, ReportResult of its text version)}."""
    settings = OcrSettings(cache_dir=ocr_cache)
    out = {}
    for name, entry in MANIFEST.items():
        out[name] = (audit_file(SCANS / name, rules, ocr=settings), audit_file(ROOT / entry["text"], rules))
    return out


@pytest.fixture(scope="session")
def scanned_forms(rules, ocr_cache):
    """{form scan file: (ReportResult of the scan, ReportResult of its text PDF)}."""
    settings = OcrSettings(cache_dir=ocr_cache)
    return {name: (audit_file(SCANS / name, rules, ocr=settings), audit_file(ROOT / entry["source"], rules))
            for name, entry in FORM_MANIFEST.items()}


def _form_fields():
    return fixture_module(ROOT / "fixtures/forms", "score", "forms_score_ocr").field_list


def _key(result) -> set:
    return {(f["subject"], f["category"]) for f in result.findings if f["severity"] in SCORED}


def test_models_ship_inside_the_wheel():
    import rapidocr_onnxruntime

    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    names = {p.name for p in models.glob("*.onnx")}
    assert any("det" in n for n in names) and any("rec" in n for n in names), names


def _match(pairs: dict) -> tuple[float, float, int, list]:
    """Precision, recall and true positives of the scans' error/warning findings against
    their text versions', with what differed."""
    tp = fp = fn = 0
    detail = []
    for name, (scan, text) in pairs.items():
        assert scan.status == "ok", (name, scan.error)
        got, want = _key(scan), _key(text)
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
        if got != want:
            detail.append((name, "extra", got - want, "missing", want - got))
    return tp / max(1, tp + fp), tp / max(1, tp + fn), tp, detail


def test_scans_give_the_text_versions_findings(scanned):
    precision, recall, _, detail = _match({n: v for n, v in scanned.items() if not n.startswith("doctored")})
    assert precision >= 0.9 and recall >= 0.9, (precision, recall, detail)


def test_scans_give_the_labelled_record_fields(scanned):
    score = _score_module()
    ok = total = 0
    wrong = []
    for name, (scan, _) in scanned.items():
        if name.startswith("doctored"):
            continue
        label = LABELS[Path(MANIFEST[name]["text"]).name]
        for path, want in score.field_list(label["record"]):
            got = score.lookup(scan.record, path)
            total += 1
            ok += score.same(want, got)
            if not score.same(want, got):
                wrong.append((name, path, want, got))
    assert ok / total >= 0.95, (ok / total, wrong)


def test_form_scans_give_the_text_forms_findings(scanned_forms):
    """Ruled forms with wrapped cells, a seal and a skew: read through the rules found in
    the image, their findings match the text PDF's."""
    precision, recall, tp, detail = _match(scanned_forms)
    assert tp >= 10, "the form scans' text versions should have findings to match"
    assert precision >= 0.9 and recall >= 0.9, (precision, recall, detail)


def test_form_scans_give_the_labelled_form_fields(scanned_forms):
    field_list, score = _form_fields(), _score_module()
    ok = total = 0
    wrong = []
    for name, (scan, _) in scanned_forms.items():
        label = FORM_LABELS[Path(FORM_MANIFEST[name]["source"]).name]
        for path, want in field_list(label["record"]):
            got = score.lookup(scan.record, path)
            total += 1
            ok += score.same(want, got)
            if not score.same(want, got):
                wrong.append((name, path, want, got))
    assert total >= 300
    assert ok / total >= 0.95, (ok / total, wrong)


def test_form_scan_tables_keep_cell_confidence_and_cross_the_page_break(ocr_cache):
    """Sichuan layout: the operator has a column of its own; its lone signs (which the
    recogniser misreads) are read by shape, and the table goes on onto page 2."""
    doc = read_document(SCANS / "form_scan_062.pdf", ocr=OcrSettings(cache_dir=ocr_cache))
    assert len(doc.tables) == 1 and {c.page for row in doc.tables[0].rows for c in row} == {1, 2}
    cells = [c for row in doc.tables[0].rows for c in row if c.text]
    assert all(c.confidence is not None for c in cells)
    header = next(row for row in doc.tables[0].rows if any(c.text == "指标性质" for c in row))
    col = next(c.col for c in header if c.text == "指标性质")
    signs = [row[col].text for row in doc.tables[0].rows[header[0].row + 1:] if row[col].text]
    assert {"≥", "≤"} <= set(signs) and not set(signs) - {"≥", "≤", "=", "定性"}, signs
    assert sum(doc.meta["ocr"].get("signs_by_shape", {}).values()) >= 1


def test_record_and_meta_say_which_pages_were_ocrd(scanned):
    scan, _ = scanned["scan_report_002.pdf"]
    assert scan.record["ocr_pages"] == [1, 2]
    assert scan.meta["ocr_pages"] == [1, 2]
    assert scan.meta["engine"] == ["ocr", "ocr"]
    info = scan.meta["ocr"]
    assert info["pages"] == 2 and info["dpi"] == OcrSettings().dpi
    assert "rapidocr" in info["engine"]
    assert any("OCR" in w for w in scan.meta["warnings"])


def test_numbers_carry_their_ocr_confidence(scanned):
    scan, _ = scanned["scan_report_002.pdf"]
    source = scan.record["budget"]["total"]["sources"]["budget"]
    assert 0 < source["ocr_confidence"] <= 1


def test_creased_digit_downgrades_its_finding(scanned, fresh_doctored):
    clean, text = scanned["scan_report_001.pdf"]
    doctored = fresh_doctored

    def rating(result):
        return next(f for f in result.findings if f["subject"] == "evaluation" and f["category"] == "rating_mismatch")

    assert rating(text)["severity"] == "error"
    assert rating(clean)["severity"] == "error"
    smudged = rating(doctored)
    assert smudged["severity"] == "warning"
    assert "OCR 识别置信度低，请核对原件" in smudged["message"]
    assert smudged["ocr_confidence"] < 0.9
    assert any("ocr_confidence" in e for e in smudged["evidence"])


def test_fresh_recognition_agrees_with_the_record(fresh_doctored, ocr_cache, tmp_path, rules):
    """Guards the recorded recognition: two pages OCR'd afresh read as recorded."""
    recorded = read_document(SCANS / DOCTORED, ocr=OcrSettings(cache_dir=ocr_cache))
    assert recorded.meta["ocr"]["cached"] == 1, "the recorded OCR is stale: run make_scans.py --ocr-only"
    fresh = read_document(SCANS / "scan_report_005.pdf", ocr=OcrSettings(cache_dir=tmp_path))
    again = read_document(SCANS / "scan_report_005.pdf", ocr=OcrSettings(cache_dir=ocr_cache))
    assert again.meta["ocr"]["cached"] == 2
    same = sum(a.text == b.text for a, b in zip(fresh.lines, again.lines, strict=False))
    assert same >= 0.95 * len(again.lines)
    recorded_result = audit_file(SCANS / DOCTORED, rules, ocr=OcrSettings(cache_dir=ocr_cache))
    assert [f["subject"] for f in fresh_doctored.findings] == [f["subject"] for f in recorded_result.findings]


def test_ocr_never_keeps_the_refusal():
    with pytest.raises(IngestError) as exc:
        read_document(SCANS / DOCTORED, ocr="never")
    assert exc.value.code == "no_text_layer"


def test_rerun_takes_every_page_from_the_cache(scanned, ocr_cache, monkeypatch):
    import pipeline.ingest.ocr.pdf as ocr_pdf

    def no_engine(*_):
        raise AssertionError("a cached page was OCR'd again")

    monkeypatch.setattr(ocr_pdf, "get_engine", no_engine)
    doc = read_document(SCANS / "scan_report_002.pdf", ocr=OcrSettings(cache_dir=ocr_cache))
    assert doc.meta["ocr"]["cached"] == doc.meta["ocr"]["pages"] == 2


def test_mixed_file_is_read_page_by_page(scanned, ocr_cache, tmp_path):
    """A text report with a scanned page appended: text pages by their text layer, the
    scanned page by OCR (from the cache: the same page bitmap as in the scan fixture)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.import_pages(pdfium.PdfDocument(ROOT / "fixtures/pdf/mixed.pdf"), [0])
    pdf.import_pages(pdfium.PdfDocument(SCANS / DOCTORED))
    buf = io.BytesIO()
    pdf.save(buf)
    path = tmp_path / "mixed_with_scan.pdf"
    path.write_bytes(buf.getvalue())
    doc = read_document(path, ocr=OcrSettings(cache_dir=ocr_cache))
    assert doc.meta["engine"][1] == "ocr" and doc.meta["engine"][0] != "ocr"
    assert doc.meta["ocr_pages"] == [2] and doc.meta["skipped_pages"] == []
    assert {ln.page for ln in doc.lines} == {1, 2}
    assert all(ln.confidence is None for ln in doc.lines if ln.page == 1)
    assert any("综合得分" in ln.text and ln.confidence is not None for ln in doc.lines if ln.page == 2)


def test_help_loads_no_ocr_library():
    code = ("import sys, pipeline.cli.app as c\n"
            "try:\n    c.main(['audit', '--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = {'numpy', 'onnxruntime', 'rapidocr_onnxruntime', 'cv2', 'PIL', 'pypdfium2'}\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stderr.strip().splitlines()[-1] == "[]"
    assert "--ocr" in out.stdout


def test_recorded_table_rules_are_what_the_code_finds_now():
    """The recorded recognition keeps the rules found in each page image; a change to
    rule finding without a PREPARE_VERSION bump (and make_scans.py --ocr-only) would
    leave the tests reading stale rules. Checked without the OCR engine."""
    import pypdfium2 as pdfium

    from pipeline.ingest.ocr.cache import OcrCache, page_key
    from pipeline.ingest.ocr.engine import engine_id
    from pipeline.ingest.ocr.image import prepare, render_page
    from pipeline.ingest.ocr.tables import find_rules

    cache, dpi = OcrCache(SCANS / "ocr_cache"), OcrSettings().dpi
    pages = 0
    for name in FORM_MANIFEST:
        pdf = pdfium.PdfDocument(str(SCANS / name))
        for page in pdf:
            bitmap = render_page(page, dpi)
            _, info = cache.get(page_key(bitmap, dpi, engine_id()))
            image, _ = prepare(bitmap)
            assert info["rules"] == [r.to_json() for r in find_rules(image, dpi)], name
            pages += 1
        pdf.close()
    assert pages == sum(e["pages"] for e in FORM_MANIFEST.values())

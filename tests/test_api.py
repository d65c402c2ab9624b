"""The Python API is a thin call over the batch runner: the same reports as
the command line, in input order, with read options checked by ReadSettings."""

import json
import os
import subprocess
import sys

import pytest

from pipeline.api import ReportResult, audit_file, audit_paths
from pipeline.ingest.ocr.engine import OcrSettings
from pipeline.ingest.settings import ReadSettings

from .conftest import FIXTURES, ROOT, SAMPLE

SYNTH = FIXTURES / "synth" / "corpus"


def test_paths_in_input_order_with_progress(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    seen = []
    inputs = [SYNTH / "report_001.txt", empty, SAMPLE]
    results = audit_paths(inputs, progress=seen.append)
    assert [r.source for r in results] == [str(p) for p in inputs]
    assert [r.status for r in results] == ["ok", "failed", "ok"] and results[1].error["code"] == "empty"
    assert sorted(seen) == sorted(str(p) for p in inputs)


def test_worker_processes_give_the_same_reports():
    inputs = [SAMPLE, SYNTH / "report_000.txt", SYNTH / "report_001.txt"]
    one = [r.to_json() for r in audit_paths(inputs)]
    two = [r.to_json() for r in audit_paths(inputs, jobs=2)]
    assert one == two


def test_file_under_a_name_and_the_cli_agree(rules, tmp_path):
    mine = audit_file(SAMPLE, rules, display_name="sample.txt").to_json()
    assert mine["source"] == "sample.txt"
    p = subprocess.run([sys.executable, "-m", "pipeline.cli", "audit", str(SAMPLE), "--json", "--no-db"],
                       capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    [theirs] = json.loads(p.stdout)["reports"]
    assert {**theirs, "source": "sample.txt"} == mine


def test_result_round_trips_through_json(rules):
    result = audit_file(SAMPLE, rules)
    assert ReportResult.from_json(result.to_json()) == result
    assert "source" not in result.to_json(with_source=False)
    assert result.excerpt and result.excerpt["lines"]


def test_read_options_are_checked():
    assert ReadSettings.from_options(ocr="never", ocr_dpi=300).ocr == OcrSettings(mode="never", dpi=300)
    with pytest.raises(TypeError, match=r"ocr_mode.*allowed: \['pdf_engine', 'ocr', 'ocr_cache_dir', 'ocr_dpi'\]"):
        ReadSettings.from_options(ocr_mode="never")
    with pytest.raises(ValueError, match="unknown PDF engine"):
        ReadSettings(pdf_engine="pdfminer")
    with pytest.raises(TypeError, match="pdf_engin"):
        audit_paths([SAMPLE], pdf_engin="pdfium")

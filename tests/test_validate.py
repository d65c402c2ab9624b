"""Batch-level checks: great_expectations data quality (DQ-xx) and cross-document (XDOC-xx)."""

import subprocess
import sys

from pipeline.run.batch import BatchSettings, run_batch
from pipeline.store.crossdoc import cross_checks
from pipeline.store.db import Store

from .conftest import ROOT, SAMPLE

REPORT = SAMPLE.read_bytes()


def test_out_of_range_rows_become_findings_and_data_docs(tmp_path):
    from pipeline.store.validate import validate_run

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(REPORT)
    with Store(tmp_path / "a.duckdb") as st:
        run = run_batch([tmp_path / "in"], BatchSettings(jobs=1), st)
        (sha,) = {s for s in run.spool.shas if s}
        run.close()
        st.con.execute("UPDATE indicators SET rate = 5000, target_unit = '斤斤' WHERE idx = 4")
        st.con.execute("UPDATE records SET year = 1990")
        by_sha, summary = validate_run(st, [sha], tmp_path / "docs")
    got = {(f["rule"], f["subject"], f["category"], f["stated"]) for f in by_sha[sha]}
    assert got == {("DQ-08", "indicator.4", "out_of_range", "5000"), ("DQ-02", "document", "out_of_range", "1990"),
                   ("DQ-09", "indicator.4", "extraction_gap", "斤斤")}
    assert all(f["id"] and f["severity"] in ("warning", "info") for f in by_sha[sha])
    assert summary["failed"] == 3 and summary["rows"]["indicators"] >= 7
    assert (tmp_path / "docs" / "index.html").exists()


def test_clean_sample_passes_every_expectation(tmp_path):
    from pipeline.store.validate import validate_run

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(REPORT)
    with Store(tmp_path / "a.duckdb") as st:
        run = run_batch([tmp_path / "in"], BatchSettings(jobs=1), st)
        by_sha, summary = validate_run(st, [s for s in run.spool.shas if s])
        run.close()
    assert by_sha == {} and summary["failed"] == 0 and summary["data_docs"] is None


def test_cross_document_checks(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(REPORT)
    (folder / "a_copy.txt").write_bytes(REPORT)  # duplicate submission
    (folder / "b.txt").write_bytes(REPORT.replace(b"3921.85", b"3900.00", 1))  # same unit+year, other figures
    with Store(tmp_path / "a.duckdb") as st:
        run = run_batch([folder], BatchSettings(jobs=1), st)
        by_sha = cross_checks(st, [s for s in run.spool.shas if s])
        sha = dict(zip([r["source"].rsplit("/", 1)[-1] for r in run.spool], run.spool.shas, strict=True))
        run.close()
    rules_a = sorted(f["rule"] for f in by_sha[sha["a.txt"]])
    assert rules_a == ["XDOC-01", "XDOC-02"]
    (b,) = by_sha[sha["b.txt"]]
    assert b["category"] == "value_mismatch" and "3900" in b["message"] and "3921.85" in b["message"]


def test_cli_validate_writes_data_docs_and_keeps_json_clean(tmp_path):
    import json

    p = subprocess.run([sys.executable, "-m", "pipeline.cli", "audit", str(SAMPLE), "--db", str(tmp_path / "a.duckdb"),
                        "--validate", "--out", str(tmp_path / "out"), "--json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 1, p.stderr
    assert json.loads(p.stdout)["summary"]["reports"] == 1
    assert (tmp_path / "out" / "data_docs" / "index.html").exists() and "数据质量检查" in p.stderr

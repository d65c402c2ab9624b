"""The DuckDB store: schema and migrations, per-file results, decisions, export."""

import pytest

from pipeline.api import audit_file
from pipeline.store.db import Store, StoreError, load_tables
from pipeline.store.schema import LATEST_VERSION

from .conftest import SAMPLE

DECISION = {"finding_id": "3f9c0a1e52b7", "rule": "IND-09", "subject": "indicator.4", "decision": "确认问题",
            "opinion": "多写一个0", "reviewer": "张三", "decided_at": "2024-05-06 10:00:00",
            "source_file": "review_1.xlsx"}


def test_schema_is_versioned_and_reopening_migrates_nothing(tmp_path):
    db = tmp_path / "a.duckdb"
    with Store(db) as st:
        assert st.query("SELECT max(version) FROM schema_version")[1][0][0] == LATEST_VERSION
    with Store(db) as st:
        assert st.query("SELECT count(*) FROM schema_version")[1][0][0] == LATEST_VERSION


def test_decisions_import_is_idempotent_and_latest_wins(tmp_path):
    with Store(tmp_path / "a.duckdb") as st:
        assert st.save_decisions([DECISION]) == (1, 0)
        # The same decision from another copy of the file changes nothing.
        assert st.save_decisions([{**DECISION, "source_file": "copy.xlsx"}]) == (0, 1)
        later = {**DECISION, "decision": "已整改", "decided_at": "2024-06-01 09:00:00"}
        assert st.save_decisions([DECISION, later]) == (1, 1)
        latest = st.latest_decisions()
        assert latest["3f9c0a1e52b7"]["decision"] == "已整改"
        assert str(latest["3f9c0a1e52b7"]["decided_at"]).startswith("2024-06-01")
        with pytest.raises(ValueError, match="确认问题"):
            st.save_decisions([{**DECISION, "decision": "同意"}])
        assert st.query("SELECT count(*) FROM decisions")[1][0][0] == 2


def test_saved_result_fills_tables_and_keeps_first_run(tmp_path, rules):
    result = audit_file(SAMPLE, rules).to_json()
    result.pop("source")
    item = {"path": str(SAMPLE), "sha256": "ab" * 32, "size": 1, "mtime_ns": 2, "result": result,
            "record_blob": b"x", "extractor_fp": "e1", "rules_fp": "r1"}
    db = tmp_path / "a.duckdb"
    with Store(db) as st:
        r1 = st.begin_run([str(SAMPLE)], "0.1.0", "e1", "r1")
        st.save_result(r1, item)
        r2 = st.begin_run([str(SAMPLE)], "0.1.0", "e1", "r2")
        st.save_result(r2, {**item, "rules_fp": "r2"})
        st.finish_run(r2, {"reports": 1, "failed": 0, "findings": {"error": 3}})
        assert st.query("SELECT count(*) FROM documents")[1][0][0] == 1
        assert st.query("SELECT DISTINCT first_run, last_run FROM findings")[1] == [(r1, r2)]
        assert st.result_keys() == {"ab" * 32: ("e1", "r2")}
        assert st.cached_record("ab" * 32, "e1") == b"x"
    tables = load_tables(db)
    assert "record_blob" not in tables["records"].columns
    assert tables["records"].loc[0, "unit"] == "民政局"
    ind = tables["indicators"].set_index("idx")
    assert ind.loc[4, "actual_value"] == 397 and ind.loc[4, "rate"] == pytest.approx(100.005)
    assert set(tables["budget_lines"]["line"]) >= {"total", "basic", "project", "special"}
    found = set(zip(tables["findings"]["subject"], tables["findings"]["category"], strict=True))
    assert ("indicator.4", "rate_mismatch") in found
    assert tables["runs"].set_index("run_id").loc[r2, "errors"] == 3


def test_parquet_export_and_missing_db(tmp_path):
    with Store(tmp_path / "a.duckdb") as st:
        st.save_decisions([DECISION])
        written = st.export_parquet(tmp_path / "pq")
    assert {p.name for p in written} >= {"findings.parquet", "decisions.parquet", "records.parquet"}
    import duckdb

    pq = str(tmp_path / "pq" / "decisions.parquet")
    assert duckdb.sql(f"SELECT reviewer FROM '{pq}'").fetchall() == [("张三",)]
    with pytest.raises(StoreError):
        Store(tmp_path / "none.duckdb", read_only=True)


def test_cli_audit_fills_db_then_query_and_export(tmp_path):
    import json
    import subprocess
    import sys

    from .conftest import ROOT

    db = str(tmp_path / "a.duckdb")

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=120)

    p = cli("audit", str(SAMPLE), "--json", "--db", db)
    assert p.returncode == 1 and json.loads(p.stdout)["summary"]["reports"] == 1
    q = cli("query", "SELECT r.unit, count(*) AS n FROM findings f JOIN records r USING (sha256) "
                     "WHERE f.severity = 'error' GROUP BY ALL", "--db", db, "--json")
    assert q.returncode == 0 and json.loads(q.stdout)[0]["unit"] == "民政局"
    c = cli("query", "SELECT status, count(*) AS n FROM documents GROUP BY ALL", "--db", db, "--csv")
    assert c.stdout.splitlines() == ["status,n", "ok,1"]
    bad = cli("query", "DELETE FROM findings", "--db", db)
    assert bad.returncode == 2 and "SQL" in bad.stderr
    e = cli("export", "--db", db, "--out", str(tmp_path / "pq"))
    assert e.returncode == 0 and (tmp_path / "pq" / "indicators.parquet").exists()
    assert cli("query", "SELECT 1", "--db", str(tmp_path / "none.duckdb")).returncode == 2

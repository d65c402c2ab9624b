"""The scheduled pipeline: `dvc repro` over a small archive, then again (nothing
to do), then after a new submission (ingest and audit run again)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLE

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(not (BIN / "dvc").exists(), reason="dvc not installed (pip install -e '.[test]')")


def repro(cwd):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    p = subprocess.run([str(BIN / "dvc"), "repro"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def test_dvc_repro_runs_stages_and_skips_unchanged(tmp_path):
    for name in ("dvc.yaml", "params.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_bytes(SAMPLE.read_bytes())
    (archive / "empty.txt").write_bytes(b"")  # unreadable: exit 3 must not fail the stage
    subprocess.run([str(BIN / "dvc"), "init", "--no-scm", "-q"], cwd=tmp_path, check=True, timeout=120)

    out = repro(tmp_path)
    for stage in ("ingest", "audit", "validate", "report"):
        assert f"Running stage '{stage}'" in out
    summary = json.loads((tmp_path / "build" / "audit_summary.json").read_text(encoding="utf-8"))
    assert (summary["reports"], summary["failed"], summary["exit_status"]) == (2, 1, 3)
    assert summary["data_quality"]["expectations"] > 0
    assert (tmp_path / "build" / "validate" / "data_docs" / "index.html").exists()
    assert (tmp_path / "build" / "parquet" / "findings.parquet").exists()

    out = repro(tmp_path)
    assert "Running stage" not in out and "up to date" in out

    (archive / "b.txt").write_bytes(SAMPLE.read_bytes() + "\n附件\n".encode())
    out = repro(tmp_path)
    assert "Running stage 'ingest'" in out and "Running stage 'audit'" in out
    summary = json.loads((tmp_path / "build" / "audit_summary.json").read_text(encoding="utf-8"))
    assert summary["reports"] == 3

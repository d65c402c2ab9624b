"""The command line: one JSON document on stdout, SPEC exit codes, lazy imports."""

import json
import os
import subprocess
import sys

from .conftest import ROOT, SAMPLE

PERFAUDIT = [sys.executable, "-m", "pipeline.cli"]
HEAVY = ("pdfplumber", "pypdfium2", "docx", "pandas", "great_expectations", "jieba", "openpyxl", "rich", "dask", "distributed")


def run(*args, cwd=None):
    # A scratch working folder, so the default store (reports/perfaudit.duckdb) lands there.
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return subprocess.run([*PERFAUDIT, *args], capture_output=True, text=True, cwd=cwd or scratch,
                              env=env, timeout=120)


def test_json_is_one_document_and_exit_1_on_errors():
    p = run("audit", str(SAMPLE), "--json")
    doc = json.loads(p.stdout)
    assert p.returncode == 1
    assert doc["tool"]["name"] == "perfaudit"
    assert doc["summary"]["reports"] == 1 and doc["summary"]["failed"] == 0
    assert doc["summary"]["findings"]["error"] >= 3
    rep = doc["reports"][0]
    assert set(rep) >= {"source", "status", "error", "record", "findings", "coverage"}
    assert set(rep["findings"][0]) >= {"id", "rule", "category", "severity", "subject", "message",
                                       "stated", "expected", "suggestion", "gross", "evidence"}


def test_unreadable_input_exits_3_and_batch_goes_on(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "sample.txt").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    p = run("audit", str(tmp_path), str(tmp_path / "old.doc"), "--json")
    doc = json.loads(p.stdout)
    assert p.returncode == 3
    status = {r["source"].rsplit("/", 1)[-1]: (r["status"], (r["error"] or {}).get("code")) for r in doc["reports"]}
    assert status == {"empty.txt": ("failed", "empty"), "sample.txt": ("ok", None),
                      "old.doc": ("failed", "unsupported_format")}
    failed = next(r for r in doc["reports"] if r["status"] == "failed")
    assert failed["record"] is None and failed["findings"] == []


def test_clean_report_exits_0(tmp_path):
    text = ("部门单位整体支出绩效自评报告（2023年度）\n部门单位名称（公章）：民政局\n"
            "单位整体支出全年预算总额为 100 万元，资金执行数 100 万元，执行率 100%。\n"
            "（一）指标一：发放人数\n发放人数，预期指标是 10 人，本次评价实际完成值是 10 人，指标完成率是 100%，达到预期目标。\n"
            "四、评价结论：综合得分 95 分，评价结果为“优”\n")
    f = tmp_path / "ok.txt"
    f.write_text(text, encoding="utf-8")
    p = run("audit", str(f), "--json")
    assert p.returncode == 0, p.stdout
    assert json.loads(p.stdout)["summary"]["findings"]["error"] == 0


def test_not_a_report(tmp_path):
    f = tmp_path / "poem.txt"
    f.write_text("床前明月光，疑是地上霜。举头望明月，低头思故乡。\n", encoding="utf-8")
    doc = json.loads(run("audit", str(f), "--json").stdout)
    assert doc["reports"][0]["error"]["code"] == "not_a_report"


def test_usage_errors_exit_2(tmp_path):
    assert run("audit", str(tmp_path / "missing.txt")).returncode == 2
    assert run("audit", str(SAMPLE), "--format", "pdf").returncode == 2
    assert run().returncode == 2
    bad = tmp_path / "rules"
    bad.mkdir()
    (bad / "x.yml").write_text("rules:\n  - {id: X-01}\n", encoding="utf-8")
    p = run("audit", str(SAMPLE), "--rules", str(bad))
    assert p.returncode == 2 and "规则" in p.stderr


def test_out_dir_writes_json_and_markdown(tmp_path):
    p = run("audit", str(SAMPLE), "--out", str(tmp_path / "r"), "--quiet")
    assert p.returncode == 1
    doc = json.loads((tmp_path / "r" / "audit.json").read_text(encoding="utf-8"))
    assert doc["reports"][0]["status"] == "ok"
    md = (tmp_path / "r" / "summary.md").read_text(encoding="utf-8")
    assert "IND-09" in md and "100.005%" in md


def test_rules_override_changes_a_threshold(tmp_path):
    (tmp_path / "strict.yml").write_text(
        "rules:\n  - id: IND-11\n    name: over_achievement\n    title: t\n    category: missing_explanation\n"
        "    severity: warning\n    check: over_achievement\n    params: {ratio: 400}\n    message: m\n"
        "    examples:\n      fail: [{text: a, findings: []}]\n      pass: [{text: b}]\n",
        encoding="utf-8")
    doc = json.loads(run("audit", str(SAMPLE), "--json", "--rules", str(tmp_path)).stdout)
    assert not [f for f in doc["reports"][0]["findings"] if f["rule"] == "IND-11"]


def test_rules_lists_catalogue():
    p = run("rules")
    assert p.returncode == 0 and "IND-09" in p.stdout and "rate_mismatch" in p.stdout


def test_help_and_rules_import_no_heavy_module():
    code = ("import sys, pipeline.cli.app as c\n"
            "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "c.main(['rules'])\n"
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.stdout.strip().splitlines()[-1] == "[]"

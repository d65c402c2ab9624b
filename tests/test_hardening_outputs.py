"""Issue #18, what perfaudit writes and says: formulas in the workbook (item 2),
control characters (items 3, 12), outputs replaced whole (item 11), usage
errors and damaged stores without tracebacks (item 12), exit status 4 for
perfaudit's own failures (item 13), review dates (item 6), `query` (item 7)."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.labels import COL_DECISION, SHEET_FINDINGS, SHEET_INDEX, cell_text, cell_value

from .conftest import FIXTURES, ROOT, SAMPLE, fixture_module

hostile = fixture_module(FIXTURES / "hostile", "make_hostile", "hostile_make")


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def decide_first_row(book: Path, decision: str = "驳回") -> None:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb[SHEET_FINDINGS]
    col = [c.value for c in ws[1]].index(COL_DECISION) + 1
    ws.cell(row=2, column=col, value=decision)
    wb.save(book)


# ---- items 2 and 3: the workbook ---------------------------------------------------------------

def test_formula_like_names_are_text_in_every_sheet(tmp_path, monkeypatch):
    """Only the visible sheets kept "=…" as text: the hidden _perfaudit index wrote it as a formula."""
    monkeypatch.chdir(tmp_path)  # relative paths: a file name is the start of its `source` cell
    inputs = [hostile.report_with(Path(f"u{i}.txt"), unit=u) for i, u in enumerate(hostile.FORMULA_UNITS)]
    inputs += [hostile.report_with(Path(name)) for name in hostile.FORMULA_NAMES]
    out = tmp_path / "out"
    assert main(["audit", *map(str, inputs), "--no-db", "--out", str(out), "--format", "xlsx", "--quiet"]) == 1
    book = out / "audit.xlsx"
    with zipfile.ZipFile(book) as zf:
        sheets = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert not any(re.search(r"<f[ >]", s) for s in sheets), "a cell was written as a formula"
    from openpyxl import load_workbook

    wb = load_workbook(book)
    index = [[c.value for c in row] for row in wb[SHEET_INDEX].iter_rows(min_row=2)]
    assert {row[3] for row in index} == {*hostile.FORMULA_UNITS, "民政局"}
    assert {row[7] for row in index} == {str(p) for p in inputs}
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    decide_first_row(book)  # the names survive the review round trip
    assert main(["review", "import", str(book), "--db", str(tmp_path / "a.duckdb")]) == 0


def test_control_characters_do_not_stop_the_workbook_or_the_pages(tmp_path, capsys):
    """A vertical tab from Word (or ESC, BEL) raised IllegalCharacterError: no xlsx, no html for the batch."""
    src = hostile.report_with(tmp_path / hostile.CONTROL_NAME, unit=hostile.CONTROL_UNIT,
                              text="说明\x0b文字\x07\x1b[0m")
    out = tmp_path / "out"
    rc = main(["audit", str(src), str(SAMPLE), "--no-db", "--out", str(out), "--format", "json,md,xlsx,html"])
    assert rc == 1
    assert (out / "audit.xlsx").exists() and (out / "html" / "index.html").exists()
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert doc["reports"][0]["record"]["unit"] == hostile.CONTROL_UNIT  # the data keeps the text as it is
    from openpyxl import load_workbook

    index = load_workbook(out / "audit.xlsx")[SHEET_INDEX]
    assert cell_value(index.cell(row=2, column=4).value) == hostile.CONTROL_UNIT
    decide_first_row(out / "audit.xlsx")
    assert main(["review", "import", str(out / "audit.xlsx"), "--db", str(tmp_path / "a.duckdb")]) == 0
    # item 12: no control character reaches the terminal or summary.md
    err = capsys.readouterr().err
    summary = (out / "summary.md").read_text(encoding="utf-8")
    for text in (err, summary):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", text)
        assert "报告\\x1b[31m" in text  # the name (the terminal's rule may shorten it)
    assert "民政局\\x0b\\x1b[31m红字" in summary


def test_show_prints_no_control_characters(tmp_path):
    src = hostile.report_with(tmp_path / hostile.CONTROL_NAME, unit=hostile.CONTROL_UNIT,
                              text="说明\x0b文字\x07\x1b[0m")
    p = run_cli("show", src)
    assert p.returncode == 1, p.stderr
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", p.stdout + p.stderr)
    assert "报告\\x1b[31m" in p.stdout and "民政局\\x0b\\x1b[31m红字" in p.stdout


def test_cell_text_round_trip():
    for text in ("a\x0bb", "x_x000B_y", "\x1b[31m", "a\ud800b", "_x005F_", "普通文字", "=1+1"):
        assert cell_value(cell_text(text)) == text
    assert cell_text("民政局\x0b") == "民政局_x000B_"


# ---- item 11: outputs replaced whole ------------------------------------------------------------

class DiskFull:
    """A report stream that fills the disk after the first report."""

    def __init__(self, reports):
        self.reports = reports

    def __len__(self):
        return len(self.reports)

    def __iter__(self):
        yield self.reports[0]
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_leaves_the_previous_outputs_whole(tmp_path):
    from pipeline.report.summary import write_outputs

    out = tmp_path / "out"
    assert main(["audit", str(SAMPLE), "--no-db", "--out", str(out), "--format", "json,md,xlsx,html",
                 "--quiet"]) == 1
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    doc["reports"] = DiskFull(doc["reports"] * 2)
    for fmt in ("json", "md", "xlsx", "html"):
        with pytest.raises(OSError):
            write_outputs(doc, out, [fmt])
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # nothing half-written, no temporary file left behind


def test_a_full_disk_while_writing_outputs_is_exit_4(tmp_path, monkeypatch, capsys):
    from pipeline.report import document

    out = tmp_path / "out"
    assert main(["audit", str(SAMPLE), "--no-db", "--out", str(out), "--quiet"]) == 1
    good = (out / "audit.json").read_bytes()

    def full(doc, fh):
        fh.write("{")
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "audit.json"))

    monkeypatch.setattr(document, "write_json", full)
    monkeypatch.setattr("pipeline.report.summary.write_json", full)
    assert main(["audit", str(SAMPLE), "--no-db", "--out", str(out), "--quiet"]) == 4
    err = capsys.readouterr().err
    assert "磁盘空间不足" in err and "Traceback" not in err
    assert (out / "audit.json").read_bytes() == good


# ---- item 12: usage errors and damaged stores, without tracebacks --------------------------------

def test_out_naming_a_file_or_an_unwritable_place_is_a_usage_error(tmp_path):
    afile = tmp_path / "taken"
    afile.write_text("x")
    for out in (afile, afile / "below", Path("/sys/perfaudit-out") if os.geteuid() == 0 else None):
        if out is None:
            continue
        p = run_cli("audit", SAMPLE, "--no-db", "--out", out)
        assert p.returncode == 2 and "--out" in p.stderr and "Traceback" not in p.stderr, p.stderr
    if os.geteuid() != 0:  # root writes anywhere: /sys above stands in for a read-only folder
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o555)
        p = run_cli("audit", SAMPLE, "--no-db", "--out", ro)
        assert p.returncode == 2 and "Traceback" not in p.stderr


def test_a_truncated_store_is_a_sentence_not_a_traceback(tmp_path):
    db = tmp_path / "a.duckdb"
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(30):
        (folder / f"r{i}.txt").write_bytes(SAMPLE.read_bytes() + f"\n附：{i}\n".encode())
    assert run_cli("audit", folder, "--db", db, "--quiet", "--jobs", "1").returncode == 1
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    p = run_cli("audit", folder, "--db", db, "--quiet", "--jobs", "1")
    assert p.returncode in (2, 4) and "Traceback" not in p.stderr, p.stderr
    assert "数据库" in p.stderr


# ---- item 13: exit status 4 ----------------------------------------------------------------------

def test_a_bug_is_exit_4_not_1(monkeypatch, capsys, tmp_path):
    from pipeline.report import summary

    def bug(*_a, **_k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(summary, "print_terminal", bug)
    assert main(["audit", str(SAMPLE), "--no-db"]) == 4
    err = capsys.readouterr().err
    assert "内部错误" in err and "ZeroDivisionError" in err and "Traceback" in err  # for the bug report


def test_a_bug_on_one_file_is_internal_error_and_exit_4(monkeypatch, capsys):
    from pipeline.run import work

    def bug(*_a, **_k):
        raise KeyError("budget")

    monkeypatch.setattr(work, "audit_extracted", bug)
    assert main(["audit", str(SAMPLE), "--no-db", "--json"]) == 4
    doc = json.loads(capsys.readouterr().out)
    (rep,) = doc["reports"]
    assert rep["error"]["code"] == "internal_error" and "缺陷" in rep["error"]["message"]
    assert doc["summary"]["internal_errors"] == 1


def test_exit_4_is_documented_and_fails_the_dvc_stage():
    from pipeline.cli.app import build_parser

    assert "4 perfaudit 自身出错" in build_parser().format_help()
    assert "`4` perfaudit itself failed" in (ROOT / "README.md").read_text(encoding="utf-8")
    cmd = re.search(r"--quiet (\|\| .*)", (ROOT / "dvc.yaml").read_text(encoding="utf-8")).group(1)
    for status, stage_ok in ((0, True), (1, True), (2, False), (3, True), (4, False), (130, False)):
        p = subprocess.run(["sh", "-c", f"(exit {status}) {cmd}"])
        assert (p.returncode == 0) is stage_ok, status


# ---- item 6: review dates --------------------------------------------------------------------------

def test_a_workbook_dated_2099_does_not_outrank_later_decisions(tmp_path):
    out, db = tmp_path / "out", tmp_path / "a.duckdb"
    assert main(["audit", str(SAMPLE), "--db", str(db), "--out", str(out), "--format", "xlsx", "--quiet"]) == 1
    book = out / "audit.xlsx"
    decide_first_row(book, "驳回")
    future = hostile.dated_workbook(book, tmp_path / "future.xlsx", "2099-01-01T00:00:00Z")
    assert main(["review", "import", str(future), "--db", str(db)]) == 0
    decide_first_row(book, "确认问题")  # decided afterwards, saved now
    assert main(["review", "import", str(book), "--db", str(db)]) == 0
    from pipeline.store.db import Store

    with Store(db, read_only=True) as st:
        latest = list(st.latest_decisions().values())
        assert [d["decision"] for d in latest] == ["确认问题"]
        assert max(st.query("SELECT max(decided_at) FROM decisions")[1][0]).year < 2099


def test_a_decision_stored_with_a_future_date_does_not_outrank_later_ones(tmp_path):
    from datetime import datetime

    from pipeline.store.db import Store

    with Store(tmp_path / "a.duckdb") as st:
        st.save_decisions([{"finding_id": "f1", "rule": "IND-09", "subject": "indicator.4", "decision": "驳回",
                            "decided_at": datetime(2099, 1, 1)}])  # stored before dates were clamped
        st.save_decisions([{"finding_id": "f1", "rule": "IND-09", "subject": "indicator.4", "decision": "确认问题",
                            "decided_at": datetime.now()}])
        assert st.latest_decisions()["f1"]["decision"] == "确认问题"


# ---- item 7: query reads the store and nothing else ------------------------------------------------

def test_query_cannot_write_files_read_files_or_install(tmp_path):
    db = tmp_path / "a.duckdb"
    assert main(["audit", str(SAMPLE), "--db", str(db), "--quiet"]) == 1
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    attempts = [f"COPY (SELECT * FROM findings) TO '{tmp_path / 'x.csv'}'",
                f"EXPORT DATABASE '{tmp_path / 'exp'}'",
                f"SELECT * FROM read_text('{secret}')",
                f"SELECT * FROM read_csv('{secret}')",
                f"ATTACH '{tmp_path / 'other.duckdb'}' AS o",
                "INSTALL httpfs",
                "SET enable_external_access = true",
                f"SET enable_external_access = true; COPY (SELECT 1) TO '{tmp_path / 'y.csv'}'"]
    for sql in attempts:
        p = run_cli("query", sql, "--db", db)
        assert p.returncode == 2, (sql, p.stdout)
        assert "top secret" not in p.stdout and "Traceback" not in p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.duckdb", "secret.txt"]
    p = run_cli("query", "SELECT count(*) AS n FROM findings", "--db", db, "--json")
    assert p.returncode == 0 and json.loads(p.stdout)[0]["n"] > 0

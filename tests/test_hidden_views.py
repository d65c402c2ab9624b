"""Views never hide silently (#17): with --new-only, a report whose confirmed
errors were hidden never reads 「未发现问题」; the JSON, the terminal,
summary.md, the HTML pages and the workbook say how many findings the filter
hid, of which kind, in which reports, and how to see them."""

import json

from pipeline.cli.app import main

from .test_finding_ids import NO_UNIT
from .test_review_ids import audit, decide


def test_new_only_says_what_it_hid_everywhere(tmp_path, capsys):
    from openpyxl import load_workbook

    report = tmp_path / "教育局.txt"
    report.write_text(NO_UNIT.format(total="500.00", basic="300.00"), encoding="utf-8")
    db = tmp_path / "p.duckdb"
    assert audit([report], db, "--out", str(tmp_path / "run1"), "--format", "xlsx") == 1
    chosen = decide(tmp_path / "run1" / "audit.xlsx", lambda r: "确认问题")
    assert main(["review", "import", str(tmp_path / "run1" / "audit.xlsx"), "--db", str(db)]) == 0
    capsys.readouterr()

    out = tmp_path / "run2"
    rc = main(["audit", str(report), "--db", str(db), "--jobs", "1", "--new-only", "--out", str(out),
               "--format", "json,md,html,xlsx"])
    terminal = capsys.readouterr().err
    assert rc == 0  # --new-only leaves decided findings out of the exit status, as documented
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    [rep] = doc["reports"]
    assert rep["findings"] == []
    hidden = rep["hidden"]
    assert hidden["findings"] == len(chosen) and hidden["error"] >= 1
    assert hidden["confirmed_errors"] == hidden["error"] and hidden["decisions"]["确认问题"] == len(chosen)
    assert doc["summary"]["hidden"]["findings"] == len(chosen) and doc["summary"]["hidden"]["reports"] == 1

    for text in (terminal, (out / "summary.md").read_text(encoding="utf-8"),
                 (out / "html" / "report-001.html").read_text(encoding="utf-8"),
                 (out / "html" / "index.html").read_text(encoding="utf-8")):
        assert "未发现问题" not in text
        assert f"隐藏 {len(chosen)} 个问题" in text and "已确认的错误" in text and "去掉 --new-only" in text
    assert "未发现新问题" in terminal

    ws = load_workbook(out / "audit.xlsx")["汇总"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("已隐藏") + 1).value == len(chosen)
    assert any(f"隐藏 {len(chosen)} 个问题" in str(c.value or "") for row in ws.iter_rows() for c in row)


def test_json_and_quiet_runs_say_it_on_stderr(tmp_path, capsys):
    report = tmp_path / "a.txt"
    report.write_text(NO_UNIT.format(total="500.00", basic="300.00"), encoding="utf-8")
    db = tmp_path / "p.duckdb"
    rc = main(["audit", str(report), "--db", str(db), "--jobs", "1", "--new-only", "--json"])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert rc == 1 and doc["summary"]["hidden"]["findings"] == 0  # nothing decided yet: nothing hidden
    assert "--new-only 未隐藏任何问题" in captured.err


def test_without_a_filter_nothing_is_said(audit_text):
    from pipeline.report.hidden import empty_text

    result = audit_text(NO_UNIT.format(total="500.00", basic="300.00"))
    assert "hidden" not in result.to_json()
    assert empty_text({"findings": []}) == "未发现问题。"

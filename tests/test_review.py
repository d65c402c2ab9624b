"""The review round trip: run -> workbook -> decisions filled in -> review import
-> re-run shows them, --new-only hides them; idempotent import; row-level
validation messages. Finding identity across documents and old stores:
tests/test_review_ids.py."""

import json

import pytest

from pipeline.cli.app import main
from pipeline.report.xlsx import FINDING_COLUMNS

from .conftest import SAMPLE

COL = {name: FINDING_COLUMNS.index(name) + 1 for name in FINDING_COLUMNS}


def audit(tmp_path, db, out, *extra):
    return main(["audit", str(SAMPLE), "--db", str(db), "--jobs", "1", "--quiet", "--out", str(out),
                 "--format", "xlsx", *extra])


def fill(path, decisions: dict[int, tuple]) -> dict[int, str]:
    """Write (decision, opinion[, rule]) into sheet rows; return {row: finding id}."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["问题清单"]
    ids = {}
    for row, values in decisions.items():
        ids[row] = ws.cell(row=row, column=COL["问题编号"]).value
        ws.cell(row=row, column=COL["审核结论"]).value = values[0]
        ws.cell(row=row, column=COL["审核意见"]).value = values[1]
        if len(values) > 2:
            ws.cell(row=row, column=COL[values[2][0]]).value = values[2][1]
    wb.save(path)
    return ids


def last_column(path) -> dict[str, str]:
    from openpyxl import load_workbook

    ws = load_workbook(path)["问题清单"]
    return {r[0]: r[COL["上次审核结论"] - 1] for r in ws.iter_rows(min_row=2, values_only=True)}


@pytest.fixture()
def reviewed(tmp_path, capsys):
    """A run, three decisions filled in and imported."""
    db = tmp_path / "p.duckdb"
    assert audit(tmp_path, db, tmp_path / "run1") == 1
    book = tmp_path / "run1" / "audit.xlsx"
    ids = fill(book, {2: ("确认问题", "确属笔误"), 3: ("驳回", "口径不同，不是问题"), 5: ("已整改", None)})
    capsys.readouterr()
    rc = main(["review", "import", str(book), "--db", str(db), "--reviewer", "张三"])
    assert rc == 0, capsys.readouterr().err
    assert "已导入 3 条" in capsys.readouterr().err
    return db, book, ids


def test_round_trip_decisions_show_and_new_only_hides_them(tmp_path, reviewed, capsys):
    db, _, ids = reviewed
    assert audit(tmp_path, db, tmp_path / "run2", "--format", "xlsx,html") == 1
    last = last_column(tmp_path / "run2" / "audit.xlsx")
    page = (tmp_path / "run2" / "html" / "report-001.html").read_text(encoding="utf-8")
    assert "确认问题（张三，" in page and "口径不同，不是问题" in page
    capsys.readouterr()
    main(["show", str(SAMPLE), "--db", str(db)])
    assert "上次审核结论：驳回（张三" in capsys.readouterr().out
    assert last[ids[2]].startswith("确认问题（张三，") and last[ids[2]].endswith("：确属笔误")
    assert last[ids[3]].startswith("驳回（张三") and "口径不同" in last[ids[3]]
    assert last[ids[5]].startswith("已整改")
    assert sum(v is not None for v in last.values()) == 3
    capsys.readouterr()
    main(["audit", str(SAMPLE), "--db", str(db), "--jobs", "1", "--json", "--new-only"])
    doc = json.loads(capsys.readouterr().out)
    shown = {f["id"] for f in doc["reports"][0]["findings"]}
    assert shown and not shown & set(ids.values())
    assert len(shown) == len(last) - 3
    assert sum(doc["summary"]["findings"].values()) == len(shown)


def test_reimport_changes_nothing(reviewed, capsys):
    from pipeline.store.db import Store

    db, book, _ = reviewed
    with Store(db) as st:
        before = st.query("SELECT count(*) FROM decisions")[1][0][0]
    assert main(["review", "import", str(book), "--db", str(db), "--reviewer", "张三"]) == 0
    assert "已导入 0 条审核结论，3 条与数据库中相同" in capsys.readouterr().err
    with Store(db) as st:
        assert st.query("SELECT count(*) FROM decisions")[1][0][0] == before


def test_changed_decision_is_recorded_and_latest_wins(reviewed, capsys):
    from pipeline.store.db import Store

    db, book, ids = reviewed
    fill(book, {3: ("确认问题", "复核后确认")})
    assert main(["review", "import", str(book), "--db", str(db)]) == 0
    assert "已导入 1 条" in capsys.readouterr().err
    with Store(db) as st:
        assert st.latest_decisions()[ids[3]]["decision"] == "确认问题"


def test_bad_rows_are_named_and_nothing_is_imported(tmp_path, capsys):
    from pipeline.store.db import Store

    db = tmp_path / "p.duckdb"
    audit(tmp_path, db, tmp_path / "run")
    book = tmp_path / "run" / "audit.xlsx"
    fill(book, {
        2: ("确认问题", None),                                  # fine on its own
        3: ("同意", None),                                       # bad decision value
        4: ("驳回", None, ("问题编号", "000000000000")),          # unknown finding id
        5: ("驳回", None, ("规则", "IND-99")),                    # rule changed since export
        6: (None, "只写了意见"),                                   # opinion without decision
    })
    capsys.readouterr()
    assert main(["review", "import", str(book), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "第 3 行" in err and "“同意”无效" in err
    assert "第 4 行（问题编号 000000000000）：未知的问题编号" in err
    assert "第 5 行" in err and "规则被改为“IND-99”" in err
    assert "第 6 行" in err and "没有选择审核结论" in err
    assert "第 2 行" not in err and "共 4 行有误，未导入任何结论" in err
    with Store(db) as st:
        assert st.latest_decisions() == {}


def test_rule_changed_since_export(tmp_path, capsys):
    import yaml
    from openpyxl import load_workbook

    from pipeline.audit.rules import DEFAULT_RULES_DIR

    db = tmp_path / "p.duckdb"
    audit(tmp_path, db, tmp_path / "run")
    book = tmp_path / "run" / "audit.xlsx"
    rules = [r[COL["规则"] - 1] for r in load_workbook(book)["问题清单"].iter_rows(min_row=2, values_only=True)]
    row = rules.index("IND-11") + 2
    ids = fill(book, {row: ("驳回", None)})
    data = yaml.safe_load((DEFAULT_RULES_DIR / "indicators.yml").read_text(encoding="utf-8"))
    entries = data["rules"] if isinstance(data, dict) else data
    [entry] = [e for e in entries if e["id"] == "IND-11"]
    entry["params"]["ratio"] = 150  # the rule now flags less: a decision on the old one may not apply
    override = tmp_path / "rules"
    override.mkdir()
    (override / "ind11.yml").write_text(yaml.safe_dump({"rules": [entry]}, allow_unicode=True), encoding="utf-8")
    capsys.readouterr()
    assert main(["review", "import", str(book), "--db", str(db), "--rules", str(override)]) == 2
    err = capsys.readouterr().err
    assert f"第 {row} 行（问题编号 {ids[row]}）：规则 IND-11 在导出后已修改" in err
    assert main(["review", "import", str(book), "--db", str(db)]) == 0  # the unchanged catalogue accepts it


def test_not_a_workbook_exits_3(tmp_path, capsys):
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    assert main(["review", "import", str(bad), "--db", str(tmp_path / "p.duckdb")]) == 3
    assert "不是有效的 .xlsx" in capsys.readouterr().err


def test_stats_per_rule_precision(reviewed, capsys):
    db, _, _ = reviewed
    capsys.readouterr()
    assert main(["review", "stats", "--db", str(db), "--json"]) == 0
    rows = {r["rule"]: r for r in json.loads(capsys.readouterr().out)}
    reviewed_rows = [r for r in rows.values() if r["reviewed"]]
    assert sum(r["reviewed"] for r in reviewed_rows) == 3
    assert sum(r["dismissed"] for r in reviewed_rows) == 1
    for r in reviewed_rows:
        assert r["precision"] == (r["confirmed"] + r["fixed"]) / r["reviewed"]
        assert r["findings"] >= r["reviewed"] and r["title"]
    assert main(["review", "stats", "--db", str(db)]) == 0
    assert "准确率" in capsys.readouterr().out


def test_same_finding_on_two_rows_must_agree():
    from datetime import datetime

    from pipeline.store.review import check_id
    from pipeline.store.review_workbook import Book, validate_rows

    doc = "a" * 64
    fid = check_id(doc, "XDOC-01", "document")
    index = {fid: {"finding_id": fid, "rule": "XDOC-01", "subject": "document", "unit": "民政局", "year": 2021,
                   "doc_type": "department_overall", "rule_fingerprint": "fp", "source": "a.txt",
                   "document_id": doc}}
    row = {"问题编号": fid, "规则": "XDOC-01", "审核结论": "驳回", "审核意见": "同一单位两份报告"}
    book = Book(rows=[(2, row), (9, dict(row))], index=index, author=None, saved_at=datetime(2024, 5, 6))
    report = validate_rows(book, {"XDOC-01": "fp"})
    assert report.errors == [] and len(report.decisions) == 1
    book.rows[1][1]["审核结论"] = "确认问题"
    report = validate_rows(book, {"XDOC-01": "fp"})
    assert len(report.errors) == 1 and "第 9 行" in report.errors[0] and "与第 2 行是同一问题" in report.errors[0]

"""Finding identity through the review workflow, as the trial met it:

- deciding findings of project reports (project name recognised) and importing
  the workbook works (the old index check left the project name out);
- a new report whose unit is not recognised never inherits the decision made
  on another report's finding (the old ids collided), so --new-only shows it;
- a store and a workbook from before the change are carried over: decisions
  land on the new ids, each on its own document, and findings keep their first run.
"""

import json

from pipeline.cli.app import main
from pipeline.report.xlsx import FINDING_COLUMNS

from .conftest import SAMPLE
from .test_finding_ids import NO_UNIT

COL = {name: FINDING_COLUMNS.index(name) + 1 for name in FINDING_COLUMNS}

PROJECT = """{name}项目支出绩效自评报告（2023年度）
项目名称：{name}
项目单位：某某区教育局
一、项目基本情况
项目全年预算数 {budget} 万元，资金执行数 {budget} 万元，执行率 90%。
二、绩效指标完成情况
（一）指标一：受助学生人数
受助学生人数，预期指标是 395 人，本次评价实际完成值是 397 人，指标完成率是 100.005%，达到预期目标。
三、评价结论
综合得分 95 分，评价结果为“优”。
"""


def audit(paths, db, *extra) -> int:
    return main(["audit", *map(str, paths), "--db", str(db), "--jobs", "1", "--quiet", *extra])


def rows(book) -> list[tuple]:
    from openpyxl import load_workbook

    return list(load_workbook(book)["问题清单"].iter_rows(min_row=2, values_only=True))


def decide(book, choose) -> dict[str, str]:
    """Fill 审核结论 on every row `choose(row values)` names; {finding id: decision}."""
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["问题清单"]
    chosen = {}
    for n, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        decision = choose(values)
        if decision:
            ws.cell(row=n, column=COL["审核结论"]).value = decision
            chosen[values[COL["问题编号"] - 1]] = decision
    wb.save(book)
    return chosen


def new_only(paths, db, capsys) -> tuple[int, dict]:
    capsys.readouterr()
    rc = audit(paths, db, "--json", "--new-only")
    return rc, json.loads(capsys.readouterr().out)


def by_source(doc) -> dict[str, dict]:
    return {rep["source"].rsplit("/", 1)[-1]: rep for rep in doc["reports"]}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_decisions_on_project_reports_import(tmp_path, capsys):
    a = write(tmp_path, "资助.txt", PROJECT.format(name="学生资助", budget="100.00"))
    b = write(tmp_path, "维修.txt", PROJECT.format(name="校舍维修", budget="200.00"))
    db = tmp_path / "p.duckdb"
    assert audit([a, b], db, "--out", str(tmp_path / "run1"), "--format", "xlsx") == 1
    book = tmp_path / "run1" / "audit.xlsx"
    assert {r[COL["来源文件"] - 1].rsplit("/", 1)[-1] for r in rows(book)} == {"资助.txt", "维修.txt"}
    chosen = decide(book, lambda r: "确认问题" if r[COL["严重程度"] - 1] == "错误" else "驳回")
    assert len(chosen) == len(rows(book)) >= 4
    capsys.readouterr()
    assert main(["review", "import", str(book), "--db", str(db), "--reviewer", "张三"]) == 0, \
        capsys.readouterr().err
    assert f"已导入 {len(chosen)} 条" in capsys.readouterr().err
    rc, doc = new_only([a, b], db, capsys)
    assert rc == 0 and all(not rep["findings"] for rep in doc["reports"])


def test_a_new_report_never_inherits_another_reports_decision(tmp_path, capsys):
    edu = write(tmp_path, "教育局.txt", NO_UNIT.format(total="500.00", basic="300.00"))
    audit_bureau = write(tmp_path, "审计局.txt", NO_UNIT.format(total="800.00", basic="600.00"))
    db = tmp_path / "p.duckdb"
    assert audit([edu], db, "--out", str(tmp_path / "run1"), "--format", "xlsx") == 1
    book = tmp_path / "run1" / "audit.xlsx"
    decide(book, lambda r: "确认问题")
    assert main(["review", "import", str(book), "--db", str(db)]) == 0
    rc, doc = new_only([edu, audit_bureau], db, capsys)
    reps = by_source(doc)
    assert not reps["教育局.txt"]["findings"]
    assert "DEPT-01" in {f["rule"] for f in reps["审计局.txt"]["findings"] if f["severity"] == "error"}
    assert rc == 1 and doc["summary"]["findings"]["error"] >= 1


# --- stores and workbooks from before ids derived from the document ----------------------------------

def to_legacy_store(db) -> dict[str, str]:
    """Rewrite a store as the old version left it: old ids on findings and decisions,
    no records.document_id, no legacy_ids, schema version 2; every cached result
    stale (as after an upgrade). Returns {new id: old id}."""
    import duckdb

    from pipeline.model import occurrence_ids
    from pipeline.store.legacy_ids import legacy_id

    con = duckdb.connect(str(db))
    mapping = {}
    for (result_json,) in con.execute("SELECT result_json FROM results WHERE status = 'ok'").fetchall():
        result = json.loads(result_json)
        counts: dict[tuple, int] = {}
        for f in result["findings"]:
            counts[f["rule"], f["subject"]] = counts.get((f["rule"], f["subject"]), 0) + 1
        for f in result["findings"]:
            ids = occurrence_ids(result["document_id"], f["rule"], f["subject"], counts[f["rule"], f["subject"]])
            k = ids.index(f["id"]) + 1
            mapping[f["id"]] = legacy_id(result["record"], f["rule"], f["subject"] if k == 1 else f"{f['subject']}#{k}")
    for new, old in mapping.items():
        con.execute("UPDATE findings SET finding_id = ? WHERE finding_id = ?", [old, new])
        con.execute("UPDATE decisions SET finding_id = ? WHERE finding_id = ?", [old, new])
    con.execute("UPDATE results SET extractor_fp = 'old-version'")
    con.execute("ALTER TABLE records DROP COLUMN document_id")
    con.execute("DROP TABLE legacy_ids")
    con.execute("DELETE FROM schema_version WHERE version >= 3")
    con.close()
    return mapping


def test_an_old_store_is_carried_over(tmp_path, capsys):
    import duckdb

    edu = write(tmp_path, "教育局.txt", NO_UNIT.format(total="500.00", basic="300.00"))
    audit_bureau = write(tmp_path, "审计局.txt", NO_UNIT.format(total="800.00", basic="600.00"))
    db = tmp_path / "p.duckdb"
    assert audit([edu, SAMPLE], db, "--out", str(tmp_path / "run1"), "--format", "xlsx") == 1
    book = tmp_path / "run1" / "audit.xlsx"
    chosen = decide(book, lambda r: "确认问题" if r[COL["规则"] - 1] in ("DEPT-01", "IND-09") else None)
    assert len(chosen) >= 2
    assert main(["review", "import", str(book), "--db", str(db)]) == 0
    assert audit([edu, audit_bureau, SAMPLE], db) == 1  # 审计局 first seen after the decisions
    mapping = to_legacy_store(db)
    con = duckdb.connect(str(db), read_only=True)
    shared = con.execute("SELECT finding_id FROM findings WHERE rule = 'DEPT-01' GROUP BY finding_id "
                         "HAVING count(DISTINCT sha256) = 2").fetchall()
    first_runs = {(h, f): r for h, f, r in con.execute("SELECT sha256, finding_id, first_run FROM findings").fetchall()}
    con.close()
    assert shared, "the old scheme gave both reports' DEPT-01 one id"

    rc, doc = new_only([edu, audit_bureau, SAMPLE], db, capsys)
    reps = by_source(doc)
    assert "DEPT-01" not in {f["rule"] for f in reps["教育局.txt"]["findings"]}
    assert "DEPT-01" in {f["rule"] for f in reps["审计局.txt"]["findings"]}
    shown = {f["id"] for rep in doc["reports"] for f in rep["findings"]}
    assert not shown & set(chosen)  # the decided findings stay decided under their new ids
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] >= 3
    assert con.execute("SELECT count(*) FROM records WHERE document_id IS NULL").fetchone()[0] == 0
    now = {(h, f): r for h, f, r in con.execute("SELECT sha256, finding_id, first_run FROM findings").fetchall()}
    carried = [(sha, new) for sha, new in now if new in chosen]
    assert len(carried) == len(chosen)
    for sha, new in carried:
        assert now[sha, new] == first_runs[sha, mapping[new]]  # first reported in run 1, as before
    con.close()
    assert rc == 1


def to_legacy_workbook(book, mapping: dict[str, str]) -> None:
    """The workbook as the old version exported it: old ids, no document_id in the index."""
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["问题清单"]
    for n in range(2, ws.max_row + 1):
        cell = ws.cell(row=n, column=COL["问题编号"])
        cell.value = mapping.get(cell.value, cell.value)
    index = wb["_perfaudit"]
    header = [c.value for c in index[1]]
    for n in range(2, index.max_row + 1):
        cell = index.cell(row=n, column=header.index("finding_id") + 1)
        cell.value = mapping.get(cell.value, cell.value)
    index.delete_cols(header.index("document_id") + 1)
    wb.save(book)


def test_an_old_workbook_is_imported_onto_the_new_ids(tmp_path, capsys):
    edu = write(tmp_path, "教育局.txt", NO_UNIT.format(total="500.00", basic="300.00"))
    db = tmp_path / "p.duckdb"
    assert audit([edu, SAMPLE], db, "--out", str(tmp_path / "run1"), "--format", "xlsx") == 1
    book = tmp_path / "run1" / "audit.xlsx"
    mapping = to_legacy_store(db)
    to_legacy_workbook(book, mapping)
    # Before the store is carried over, the old id is kept and carried over with the store.
    chosen = decide(book, lambda r: "驳回" if r[COL["规则"] - 1] == "IND-09" else None)
    assert len(chosen) == 1 and set(chosen) <= set(mapping.values())
    assert main(["review", "import", str(book), "--db", str(db)]) == 0, capsys.readouterr().err
    # After it, the old id goes to the new one on that document.
    assert audit([edu, SAMPLE], db) == 1
    decide(book, lambda r: "确认问题" if r[COL["规则"] - 1] == "DEPT-01" else None)
    capsys.readouterr()
    assert main(["review", "import", str(book), "--db", str(db)]) == 0, capsys.readouterr().err
    rc, doc = new_only([edu, SAMPLE], db, capsys)
    rules_shown = {(rep["source"].rsplit("/", 1)[-1], f["rule"]) for rep in doc["reports"] for f in rep["findings"]}
    assert ("教育局.txt", "DEPT-01") not in rules_shown
    assert not any(rule == "IND-09" for _, rule in rules_shown)

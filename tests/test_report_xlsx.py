"""The Excel workbook (--format xlsx): sheets, headings, reviewer columns, index."""

import pytest

from pipeline.api import audit_paths
from pipeline.cli.app import main
from pipeline.labels import DECISIONS
from pipeline.report.summary import build_document, write_outputs
from pipeline.report.xlsx import FINDING_COLUMNS, SHEET_INDEX, SUMMARY_COLUMNS, write_xlsx

from .conftest import FIXTURES, SAMPLE

SYNTH = FIXTURES / "synth" / "corpus"


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    empty = tmp_path_factory.mktemp("inputs") / "empty.txt"
    empty.write_bytes(b"")
    results = audit_paths([SAMPLE, SYNTH / "report_000.txt", SYNTH / "report_001.txt", empty])
    return build_document(results)


@pytest.fixture(scope="module")
def workbook(document, tmp_path_factory):
    from openpyxl import load_workbook

    path = tmp_path_factory.mktemp("xlsx") / "audit.xlsx"
    write_xlsx(document, path, {"IND-09": "fp"})
    return load_workbook(path)


def _rows(ws):
    header, *rows = list(ws.iter_rows(values_only=True))
    return header, [dict(zip(header, r, strict=True)) for r in rows]


def test_sheets_in_order_with_chinese_headings(workbook):
    assert workbook.sheetnames == ["汇总", "问题清单", "指标", "预算", SHEET_INDEX]
    assert workbook[SHEET_INDEX].sheet_state == "veryHidden"
    assert workbook.active.title == "问题清单"
    header, _ = _rows(workbook["问题清单"])
    assert header == FINDING_COLUMNS
    assert {"问题编号", "规则", "类别", "严重程度", "对象", "说明", "原文", "页/行", "应为", "建议",
            "上次审核结论", "审核结论", "审核意见"} <= set(header)


def test_summary_one_row_per_report_with_counts(workbook, document):
    header, rows = _rows(workbook["汇总"])
    assert header == SUMMARY_COLUMNS
    assert len(rows) == len(document["reports"]) == 4
    sample = rows[0]
    rep = document["reports"][0]
    assert sample["单位"] == "民政局" and sample["年度"] == 2023 and sample["状态"] == "已审核"
    assert sample["错误"] == sum(f["severity"] == "error" for f in rep["findings"])
    assert sample["综合得分"] == 99.94 and sample["评价等级"] == "优"
    assert sample["识别数字"] == rep["coverage"]["numbers_found"]
    failed = rows[3]
    assert failed["状态"] == "无法读取" and failed["错误代码"] == "empty" and failed["错误说明"]


def test_findings_one_row_each_with_evidence_and_location(workbook, document):
    _, rows = _rows(workbook["问题清单"])
    findings = [f for rep in document["reports"] for f in rep["findings"]]
    assert [r["问题编号"] for r in rows] == [f["id"] for f in findings]
    ind09 = next(r for r in rows if r["规则"] == "IND-09" and r["单位"] == "民政局")
    assert ind09["严重程度"] == "错误" and ind09["类别"] == "比率计算不符"
    assert ind09["对象"].startswith("指标4")
    assert "100.005%" in ind09["原文"] and "第213–215行" in ind09["页/行"]
    assert ind09["应为"] == "100.51%" and ind09["建议"] == "100.5%"
    assert all(r["审核结论"] is None and r["审核意见"] is None and r["上次审核结论"] is None for r in rows)


def test_review_dropdown_frozen_header_filters_widths(workbook):
    ws = workbook["问题清单"]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == ws.dimensions
    [dv] = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"' + ",".join(DECISIONS) + '"'
    col = FINDING_COLUMNS.index("审核结论") + 1
    letter = ws.cell(row=1, column=col).column_letter
    assert str(dv.sqref) == f"{letter}2:{letter}{ws.max_row}"
    widths = {ws.cell(row=1, column=i + 1).value: ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width
              for i in range(len(FINDING_COLUMNS))}
    assert 6 <= widths["规则"] <= 15 and widths["说明"] >= 30 and max(widths.values()) <= 60
    for name in ("汇总", "指标", "预算"):
        assert workbook[name].freeze_panes and workbook[name].auto_filter.ref


def test_record_sheets(workbook, document):
    _, indicators = _rows(workbook["指标"])
    sample = document["reports"][0]["record"]
    mine = [r for r in indicators if r["来源文件"] == document["reports"][0]["source"]]
    assert len(mine) == len(sample["indicators"])
    four = next(r for r in mine if r["序号"] == 4)
    assert four["完成率(%)"] == 100.005 and four["实际完成值"] == "397人" and four["是否达到"] == "达到"
    _, budget = _rows(workbook["预算"])
    basic = next(r for r in budget if r["单位"] == "民政局" and r["预算项目"] == "基本支出")
    assert (basic["年初预算数"], basic["调整数"], basic["全年预算数"]) == (289.23, -32.09, 257.14)


def test_index_sheet_maps_ids_to_rule_subject_and_fingerprint(workbook, document):
    _, rows = _rows(workbook[SHEET_INDEX])
    by_id = {r["finding_id"]: r for r in rows}
    f = next(f for f in document["reports"][0]["findings"] if f["rule"] == "IND-09")
    assert by_id[f["id"]]["subject"] == "indicator.4" and by_id[f["id"]]["rule_fingerprint"] == "fp"
    assert by_id[f["id"]]["unit"] == "民政局" and by_id[f["id"]]["year"] == 2023


def test_text_that_looks_like_a_formula_stays_text(tmp_path, document):
    from openpyxl import load_workbook

    doc = {**document, "reports": [dict(document["reports"][0])]}
    rep = doc["reports"][0]
    rep["findings"] = [{**rep["findings"][0], "message": "=HYPERLINK(\"http://x\")"}]
    path = write_xlsx(doc, tmp_path / "a.xlsx")
    ws = load_workbook(path)["问题清单"]
    cell = ws.cell(row=2, column=FINDING_COLUMNS.index("说明") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_write_outputs_and_cli_format_xlsx(tmp_path, document):
    [p] = write_outputs(document, tmp_path / "w", ["xlsx"])
    assert p.name == "audit.xlsx" and p.stat().st_size > 0
    rc = main(["audit", str(SAMPLE), "--out", str(tmp_path / "cli"), "--format", "json,xlsx", "--quiet"])
    assert rc == 1
    assert (tmp_path / "cli" / "audit.xlsx").is_file() and (tmp_path / "cli" / "audit.json").is_file()


def test_unknown_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["audit", str(SAMPLE), "--out", "x", "--format", "xls"])
    assert exc.value.code == 2
    assert "xlsx" in capsys.readouterr().err

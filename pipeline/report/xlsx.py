"""Excel workbook for a run (`--format xlsx` -> audit.xlsx), the form auditors
review in: 汇总, 问题清单 (with the reviewer columns 审核结论 / 审核意见), 指标,
预算, and a very hidden index sheet that `perfaudit review import` checks
rows against (finding id -> rule, subject, unit, year, rule fingerprint, and
the document's identity, which the id derives from).

openpyxl is imported inside the functions (slow import, STYLE §13).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.labels import (
    CATEGORY_ZH,
    COL_DECISION,
    COL_ID,
    COL_OPINION,
    COL_RULE,
    DECISIONS,
    DOC_TYPE_ZH,
    INDEX_COLUMNS,
    SEVERITY_ZH,
    SHEET_FINDINGS,
    SHEET_INDEX,
    STATUS_ZH,
    cell_text,
    subject_zh,
    where_zh,
)
from pipeline.model import SEVERITIES
from pipeline.report.tables import budget_rows, indicator_rows

SHEET_SUMMARY = "汇总"
SHEET_INDICATORS = "指标"
SHEET_BUDGET = "预算"

SUMMARY_COLUMNS = (
    "来源文件", "单位", "年度", "报告类型", "状态", "错误代码", "错误说明", "错误", "警告", "提示",
    "综合得分", "评价等级", "识别数字", "执行检查", "指标数", "预算行数", "已隐藏",
)
COL_LAST = "上次审核结论"
FINDING_COLUMNS = (
    COL_ID, "来源文件", "单位", "年度", COL_RULE, "类别", "严重程度", "对象", "说明", "原文", "页/行",
    "应为", "建议", COL_LAST, COL_DECISION, COL_OPINION,
)

# Column width bounds in Excel character units (a CJK character counts 2).
MIN_WIDTH, MAX_WIDTH = 6, 60
WRAP_COLUMNS = {"说明", "原文", "审核意见", "偏差原因", COL_LAST, "错误说明"}
SEVERITY_FILL = {"error": "F8D7DA", "warning": "FFF3CD", "info": "DCEBFA"}
HEADER_FILL, REVIEW_FILL = "D9E1F2", "FFFBE6"


def write_xlsx(document: dict, path: Path, fingerprints: dict[str, str] | None = None) -> Path:
    """Write the workbook for a SPEC §3 document; `fingerprints` maps rule
    id -> rule fingerprint (pipeline.store.review.rule_fingerprints)."""
    from openpyxl import Workbook

    wb = Workbook()
    summary = wb.active
    summary.title = SHEET_SUMMARY
    _fill(summary, SUMMARY_COLUMNS, [_summary_row(r) for r in document["reports"]])
    _hidden_note(summary, document["summary"].get("hidden"))
    findings = wb.create_sheet(SHEET_FINDINGS)
    rows = [_finding_row(rep, f) for rep in _ok(document) for f in rep["findings"]]
    _fill(findings, FINDING_COLUMNS, rows, freeze="B2")
    _style_findings(findings, [f["severity"] for rep in _ok(document) for f in rep["findings"]])
    ind_cols, ind_rows = indicator_rows(_ok(document))
    _fill(wb.create_sheet(SHEET_INDICATORS), ind_cols, ind_rows, freeze="D2")
    bud_cols, bud_rows = budget_rows(_ok(document))
    _fill(wb.create_sheet(SHEET_BUDGET), bud_cols, bud_rows, freeze="D2")
    _index_sheet(wb, document, fingerprints or {})
    wb.active = 1  # open on 问题清单
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _ok(document: dict):
    """The readable reports; `document["reports"]` may be a lazily read,
    re-iterable spool (pipeline.run.spool), so stream rather than index."""
    return (r for r in document["reports"] if r["status"] == "ok")


def _summary_row(rep: dict) -> list:
    rec, err, cov = rep.get("record") or {}, rep.get("error") or {}, rep.get("coverage") or {}
    counts = [sum(1 for f in rep["findings"] if f["severity"] == s) for s in SEVERITIES]
    return [
        rep["source"], rec.get("unit"), rec.get("year"), DOC_TYPE_ZH.get(rec.get("doc_type"), rec.get("doc_type")),
        STATUS_ZH.get(rep["status"], rep["status"]), err.get("code"), err.get("message"), *counts,
        rec.get("score"), rec.get("rating"), cov.get("numbers_found"), cov.get("checks_run"),
        cov.get("indicators"), cov.get("budget_lines"), (rep.get("hidden") or {}).get("findings"),
    ]


def _hidden_note(ws, block: dict | None) -> None:
    """Under the table, what a filter (--new-only) hid: the 已隐藏 column has it per report."""
    from pipeline.report.hidden import hidden_text

    if block:
        ws.append([])
        ws.append([f"{hidden_text(block)}。各报告的隐藏数见“已隐藏”列。"])


def _finding_row(rep: dict, f: dict) -> list:
    rec = rep["record"] or {}
    evidence = f.get("evidence") or []
    return [
        f["id"], rep["source"], rec.get("unit"), rec.get("year"), f["rule"],
        CATEGORY_ZH.get(f["category"], f["category"]), SEVERITY_ZH[f["severity"]],
        subject_zh(f["subject"], rec), f["message"],
        "\n".join(e["text"] for e in evidence), "；".join(where_zh(e) for e in evidence),
        f.get("expected"), f.get("suggestion"), last_decision_text(f.get("review")), None, None,
    ]


def last_decision_text(review: dict | None) -> str | None:
    """`驳回（张三，2024-05-06）：口径不同` from a finding's carried `review`."""
    if not review:
        return None
    who = "，".join(str(x) for x in (review.get("reviewer"), str(review.get("decided_at") or "")[:10]) if x)
    text = review["decision"] + (f"（{who}）" if who else "")
    return text + (f"：{review['opinion']}" if review.get("opinion") else "")


def _fill(ws, columns, rows, freeze: str = "A2") -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    append_row(ws, columns)
    for row in rows:
        append_row(ws, row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = freeze
    ws.auto_filter.ref = ws.dimensions
    _set_widths(ws, columns)


def append_row(ws, values) -> None:
    """Append one row of values from documents: text is always a text cell (a unit
    named `=WEBSERVICE(…)` or `=cmd|…` is never a formula, in any sheet), and
    characters a workbook cannot hold are written as _xHHHH_ (labels.cell_text)."""
    ws.append([cell_text(v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _set_widths(ws, columns) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    for idx, name in enumerate(columns, start=1):
        letter = get_column_letter(idx)
        cells = ws[letter]
        longest = max((_display_width(c.value) for c in cells), default=MIN_WIDTH)
        width = min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))
        if name in WRAP_COLUMNS:
            width = min(width, 50)
            for c in cells[1:]:
                c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter].width = width


def _display_width(value) -> int:
    if value is None:
        return 0
    longest_line = max(str(value).split("\n"), key=len)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in longest_line)


def _style_findings(ws, severities: list[str]) -> None:
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    sev_col = FINDING_COLUMNS.index("严重程度") + 1
    for row, sev in enumerate(severities, start=2):
        ws.cell(row=row, column=sev_col).fill = PatternFill("solid", fgColor=SEVERITY_FILL[sev])
    last = max(2, len(severities) + 1)
    review_cols = [FINDING_COLUMNS.index(c) + 1 for c in (COL_DECISION, COL_OPINION)]
    for col in review_cols:
        for row in range(2, last + 1):
            ws.cell(row=row, column=col).fill = PatternFill("solid", fgColor=REVIEW_FILL)
    dv = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="审核结论",
                        error="请从下拉列表中选择：" + "、".join(DECISIONS),
                        showInputMessage=True, promptTitle="审核结论", prompt="、".join(DECISIONS))
    ws.add_data_validation(dv)
    letter = ws.cell(row=1, column=review_cols[0]).column_letter
    dv.add(f"{letter}2:{letter}{last}")


def _index_sheet(wb, document: dict, fingerprints: dict[str, str]) -> None:
    ws = wb.create_sheet(SHEET_INDEX)
    append_row(ws, INDEX_COLUMNS)
    for rep in _ok(document):
        rec = rep["record"] or {}
        for f in rep["findings"]:
            append_row(ws, [f["id"], f["rule"], f["subject"], rec.get("unit"), rec.get("year"), rec.get("doc_type"),
                            fingerprints.get(f["rule"]), rep["source"], rep.get("document_id")])
    ws.sheet_state = "veryHidden"

"""Chinese labels for what people read: severities, categories, budget lines
and fields, review decisions, the review workbook's sheets. One table, used
by finding messages (pipeline/audit/checks) and by every view (terminal,
Markdown, Excel, HTML), so a budget line has one name everywhere."""

from __future__ import annotations

import re

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_ZH = {"ok": "已审核", "failed": "无法读取"}
DOC_TYPE_ZH = {"department_overall": "部门整体支出", "project": "项目支出"}

CATEGORY_ZH = {
    "sum_mismatch": "合计不符",
    "adjustment_mismatch": "预算调整不符",
    "rate_mismatch": "比率计算不符",
    "zero_base_rate": "零基数比率",
    "claim_contradiction": "结论与数据矛盾",
    "missing_deviation_reason": "未说明偏差原因",
    "missing_explanation": "未作说明",
    "rating_mismatch": "等级与得分不符",
    "score_mismatch": "得分不符",
    "weight_mismatch": "分值不符",
    "out_of_range": "超出取值范围",
    "unit_mismatch": "计量单位不一致",
    "value_mismatch": "前后数值不一致",
    "name_mismatch": "名称不一致",
    "text_defect": "文字错误",
    "extraction_gap": "未能识别",
}

# SPEC §4 budget lines and their fields, as finding messages name them
# (整体支出全年预算数, 基本支出调整数).
BUDGET_LINE_ZH = {
    "total": "整体支出",
    "year_start": "年初预算",
    "additions": "追加预算",
    "basic": "基本支出",
    "project": "项目支出",
    "special": "专项资金",
    "fiscal": "当年财政拨款",
    "carryover": "上年结转",
    "other": "其他资金",
}

BUDGET_FIELD_ZH = {
    "count": "项目个数",
    "year_start": "年初预算数",
    "adjustment": "调整数",
    "budget": "全年预算数",
    "executed": "执行数",
    "rate": "执行率",
    "weight": "分值",
    "score": "得分",
}

# Review decisions an auditor records against a finding (store `decisions.decision`).
DECISION_CONFIRMED = "确认问题"
DECISION_DISMISSED = "驳回"
DECISION_FIXED = "已整改"
DECISIONS = (DECISION_CONFIRMED, DECISION_DISMISSED, DECISION_FIXED)

# The review workbook: written by report/xlsx, read back by store/review_workbook,
# which finds the sheets and columns by these names.
SHEET_FINDINGS = "问题清单"
SHEET_INDEX = "_perfaudit"  # very hidden: finding id -> what it was exported as
COL_ID, COL_RULE, COL_DECISION, COL_OPINION = "问题编号", "规则", "审核结论", "审核意见"
INDEX_COLUMNS = ("finding_id", "rule", "subject", "unit", "year", "doc_type", "rule_fingerprint", "source",
                 "document_id")
# Workbooks exported before finding ids derived from the document lack its identity.
LEGACY_INDEX_COLUMNS = INDEX_COLUMNS[:-1]
# Characters a workbook cannot hold (XML 1.0 forbids them: a vertical tab from Word, ESC, BEL,
# lone surrogates) are written as OOXML's own escape _xHHHH_, which Excel shows as the
# character and writes back the same way; a literal _xHHHH_ in the text gets its underscore
# escaped (_x005F_), so `cell_text` and `cell_value` are exact inverses.
_XLSX_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_XLSX_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def cell_text(text: str) -> str:
    """Document text as a workbook cell can hold it (see `_XLSX_UNSAFE`)."""
    return _XLSX_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def cell_value(value):
    """A workbook cell's value as the text it stood for (`cell_text` undone)."""
    return _XLSX_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value) if isinstance(value, str) else value


def subject_zh(subject: str, record: dict | None = None) -> str:
    """`budget.basic` -> 基本支出, `indicator.4` -> 指标4（name）, else as is."""
    head, _, tail = subject.partition(".")
    if head == "budget":
        return BUDGET_LINE_ZH.get(tail, subject)
    if head == "indicator" and tail.isdigit():
        name = _indicator_name(record, int(tail))
        return f"指标{tail}" + (f"（{name}）" if name else "")
    return {"evaluation": "自评得分与等级", "document": "全文"}.get(subject, subject)


def _indicator_name(record: dict | None, index: int) -> str | None:
    for ind in (record or {}).get("indicators") or []:
        if ind.get("index") == index:
            return ind.get("name")
    return None


def where_zh(ev: dict) -> str:
    """第3页 第12–14行 / 第12行 / 第2页 表1 第7行第5列 (table cells: 0-based row/col)."""
    page = f"第{ev['page']}页 " if ev.get("page") else ""
    if ev.get("table") is not None and ev.get("row") is not None:
        return f"{page}表{ev['table']} 第{ev['row'] + 1}行第{(ev.get('col') or 0) + 1}列"
    if ev.get("line") is None:  # batch-level evidence (another submission's file name)
        return page.strip()
    end = f"–{ev['line_end']}" if ev.get("line_end") else ""
    return f"{page}第{ev['line']}{end}行"

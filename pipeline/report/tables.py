"""The extracted record (SPEC §4) as plain tables with Chinese headings, for
the Excel sheets 指标 / 预算 and the HTML report pages. Values as stated."""

from __future__ import annotations

from pipeline.labels import BUDGET_FIELD_ZH, BUDGET_LINE_ZH, where_zh
from pipeline.model import BUDGET_FIELDS, BUDGET_LINES

INDICATOR_COLUMNS = (
    "序号", "一级指标", "二级指标", "指标名称", "年度指标值", "年中监控值", "实际完成值", "完成率(%)",
    "是否达到", "分值", "得分", "偏差原因", "位置",
)
COLUMN_UNITS = {"rate": "(%)"}  # amounts are in 万元 (the section heading says so)
BUDGET_COLUMNS = ("预算项目", *(BUDGET_FIELD_ZH[f] + COLUMN_UNITS.get(f, "") for f in BUDGET_FIELDS), "位置")
REPORT_COLUMNS = ("来源文件", "单位", "年度")
ACHIEVED_ZH = {True: "达到", False: "未达到", None: None}


def indicator_table(record: dict) -> tuple[tuple, list[list]]:
    rows = [
        [
            ind.get("index"), ind.get("level1"), ind.get("level2"), ind.get("name"),
            _target_text(ind.get("target")), _value_text(ind.get("midyear")), _value_text(ind.get("actual")),
            ind.get("rate"), ACHIEVED_ZH.get(ind.get("achieved")), ind.get("weight"), ind.get("score"),
            ind.get("deviation_reason"), _where(ind.get("source")),
        ]
        for ind in record.get("indicators") or []
    ]
    return INDICATOR_COLUMNS, rows


def budget_table(record: dict) -> tuple[tuple, list[list]]:
    budget = record.get("budget") or {}
    names = [n for n in BUDGET_LINES if n in budget] + [n for n in budget if n not in BUDGET_LINES]
    rows = []
    for name in names:
        line = budget[name]
        first = _first_source(line.get("sources") or {})
        rows.append([BUDGET_LINE_ZH.get(name, name), *(line.get(f) for f in BUDGET_FIELDS), _where(first)])
    return BUDGET_COLUMNS, rows


def indicator_rows(reports: list[dict]) -> tuple[tuple, list[list]]:
    """Indicator rows of every report, prefixed with 来源文件 / 单位 / 年度."""
    return _batch(reports, indicator_table, INDICATOR_COLUMNS)


def budget_rows(reports: list[dict]) -> tuple[tuple, list[list]]:
    return _batch(reports, budget_table, BUDGET_COLUMNS)


def _batch(reports, table, columns) -> tuple[tuple, list[list]]:
    rows = []
    for rep in reports:
        rec = rep.get("record") or {}
        _, body = table(rec)
        rows += [[rep["source"], rec.get("unit"), rec.get("year"), *row] for row in body]
    return (*REPORT_COLUMNS, *columns), rows


def indicators_read(cov: dict) -> str:
    """「指标 2 个（文中编号 3 个，声明 4 个）」: read, against what the document numbers and announces."""
    read = cov.get("indicators", 0)
    said = [f"文中编号 {cov['indicators_numbered']} 个" if cov.get("indicators_numbered") not in (None, read) else "",
            f"声明 {cov['indicators_announced']} 个" if cov.get("indicators_announced") not in (None, read) else ""]
    said = "，".join(x for x in said if x)
    return f"指标 {read} 个" + (f"（{said}）" if said else "")


def _target_text(target: dict | None) -> str | None:
    if not target:
        return None
    text = _value_text(target)
    op = target.get("op")
    return f"{op}{text}" if text and op and op != "=" and target.get("value") is not None else text


def _value_text(value: dict | None) -> str | None:
    if not value:
        return None
    if value.get("raw"):
        return value["raw"]
    if value.get("value") is not None:
        return f"{value['value']}{value.get('unit') or ''}"
    return value.get("text")


def _first_source(sources: dict) -> dict | None:
    located = [s for s in sources.values() if s.get("line")]
    return min(located, key=lambda s: ((s.get("page") or 0), s["line"])) if located else None


def _where(src: dict | None) -> str | None:
    return where_zh(src) if src and src.get("line") else None

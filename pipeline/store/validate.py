"""Validate stage: great_expectations over the batch tables, as a data-quality
gate on extraction (ranges, value sets, row counts per report). Money
arithmetic stays in the rules engine: GX compares floats without tolerance.

great_expectations is imported here only, inside `validate_tables` (its
import takes seconds). The context is ephemeral (nothing on disk but the Data
Docs we ask for), with progress bars and analytics off. A failed expectation
row becomes a finding on its document (rule DQ-NN).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.model import BUDGET_LINES, finding_id
from pipeline.numbers import COUNT_UNITS, MONEY_UNITS

KNOWN_UNITS = sorted({*COUNT_UNITS, *MONEY_UNITS, "%", "‰", "分"})
RATINGS = ["优", "良", "中", "差"]
OPS = ["=", ">=", "<=", ">", "<"]
MAX_RATE_PCT = 1000  # a rate above this is a misread, not an over-achievement
MAX_SCORE = 120  # 100 plus bonus points some regions award
MAX_INDICATORS = 80


@dataclass(frozen=True)
class Check:
    rule: str
    table: str
    kind: str  # between | in_set | not_null
    column: str
    category: str
    severity: str
    message: str  # {value} is the offending value
    low: float | None = None
    high: float | None = None
    values: tuple = ()
    finding: bool = True  # False: shown in Data Docs only (the rules engine already reports it)


CHECKS = (
    Check("DQ-01", "records", "not_null", "unit", "extraction_gap", "info", "未识别出单位名称", finding=False),
    Check("DQ-02", "records", "between", "year", "out_of_range", "warning", "评价年度 {value} 不在 2000–2100 之间，疑为识别错误",
          2000, 2100),
    Check("DQ-03", "records", "between", "score", "out_of_range", "warning",
          f"综合得分 {{value}} 不在 0–{MAX_SCORE} 之间，疑为识别或填写错误", 0, MAX_SCORE),
    Check("DQ-04", "records", "between", "n_indicators", "extraction_gap", "warning",
          f"识别到的绩效指标数为 {{value}}，不在 1–{MAX_INDICATORS} 之间，可能漏读或误读", 1, MAX_INDICATORS),
    Check("DQ-05", "records", "between", "n_budget_lines", "extraction_gap", "warning",
          "没有识别到任何预算执行数据（预算行数 {value}）", 1, len(BUDGET_LINES)),
    Check("DQ-06", "records", "in_set", "rating", "extraction_gap", "info", "评价等级“{value}”不是 优/良/中/差",
          values=tuple(RATINGS)),
    Check("DQ-07", "budget_lines", "between", "rate", "out_of_range", "warning",
          f"预算执行率 {{value}}% 超出 0–{MAX_RATE_PCT}%，疑为识别或填写错误", 0, MAX_RATE_PCT),
    Check("DQ-08", "indicators", "between", "rate", "out_of_range", "warning",
          f"指标完成率 {{value}}% 超出 0–{MAX_RATE_PCT}%，疑为识别或填写错误", 0, MAX_RATE_PCT),
    Check("DQ-09", "indicators", "in_set", "target_unit", "extraction_gap", "info",
          "预期指标值的计量单位“{value}”不在已知单位表中，可能识别有误", values=tuple(KNOWN_UNITS)),
    Check("DQ-10", "indicators", "in_set", "actual_unit", "extraction_gap", "info",
          "实际完成值的计量单位“{value}”不在已知单位表中，可能识别有误", values=tuple(KNOWN_UNITS)),
    Check("DQ-11", "indicators", "in_set", "target_op", "extraction_gap", "info", "比较符“{value}”无法识别",
          values=tuple(OPS)),
)
TABLE_SQL = {
    "records": "SELECT sha256, unit, year, doc_type, score, rating, n_indicators, n_budget_lines FROM records",
    "budget_lines": "SELECT sha256, line, rate FROM budget_lines",
    "indicators": "SELECT sha256, idx, rate, target_unit, actual_unit, target_op FROM indicators",
}
SUBJECT = {"records": lambda row: "document", "budget_lines": lambda row: f"budget.{row['line']}",
           "indicators": lambda row: f"indicator.{row['idx']}"}


def load_frames(store, shas: list[str]) -> dict:
    """The run's rows of each validated table, with a row_id column for GX."""
    frames = {}
    for table, sql in TABLE_SQL.items():
        df = store.con.execute(f"{sql} WHERE sha256 IN (SELECT unnest(?))", [list(shas)]).df()
        df.insert(0, "row_id", range(len(df)))
        frames[table] = df
    return frames


def validate_run(store, shas: list[str], docs_dir: Path | None = None) -> tuple[dict[str, list[dict]], dict]:
    """Findings per sha256 for the run's documents, and a summary
    {expectations, failed, rows, data_docs}."""
    frames = load_frames(store, shas)
    outcomes = validate_tables(frames, docs_dir)
    keys = frames["records"].set_index("sha256")[["unit", "year", "doc_type"]].to_dict("index")
    by_sha: dict[str, list[dict]] = {}
    failed = 0
    for check, rows in outcomes:
        failed += bool(rows)
        if not check.finding:
            continue
        for row in rows:
            sha = row["sha256"]
            by_sha.setdefault(sha, []).append(_finding(check, row, SUBJECT[check.table](row), keys.get(sha, {})))
    summary = {"expectations": len(outcomes), "failed": failed,
               "rows": {t: len(df) for t, df in frames.items()},
               "data_docs": str(docs_dir / "index.html") if docs_dir else None}
    return by_sha, summary


def _finding(check: Check, row: dict, subject: str, key: dict) -> dict:
    from types import SimpleNamespace

    value = row.get(check.column)
    rec = SimpleNamespace(unit=key.get("unit"), year=key.get("year"), doc_type=key.get("doc_type"))
    expected = f"{check.low:g}–{check.high:g}" if check.kind == "between" else "、".join(map(str, check.values))
    return {"id": finding_id(rec, check.rule, subject), "rule": check.rule, "category": check.category,
            "severity": check.severity, "subject": subject, "message": check.message.format(value=_fmt(value)),
            "stated": _fmt(value), "expected": expected, "suggestion": None, "gross": False, "evidence": [],
            "title": "数据质量检查（great_expectations）"}


def _fmt(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def validate_tables(frames: dict, docs_dir: Path | None = None) -> list[tuple[Check, list[dict]]]:
    """Run CHECKS with great_expectations; return (check, offending rows) per
    check. Data Docs go to `docs_dir` when given."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # before the import: no telemetry attempt
    import great_expectations as gx

    ctx = _context(gx, docs_dir)
    source = ctx.data_sources.add_pandas("perfaudit")
    out = []
    for table, df in frames.items():
        checks = [c for c in CHECKS if c.table == table]
        suite = ctx.suites.add(gx.ExpectationSuite(name=f"perfaudit_{table}"))
        for c in checks:
            suite.add_expectation(_expectation(c))
        batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("run")
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=f"vd_{table}", data=batch, suite=suite))
        actions = [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["perfaudit"])] if docs_dir else []
        cp = ctx.checkpoints.add(gx.Checkpoint(
            name=f"cp_{table}", validation_definitions=[vd], actions=actions,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row_id"]}))
        result = cp.run(batch_parameters={"dataframe": df})
        for vr in result.run_results.values():
            for r in vr.results:
                rule = r.expectation_config.meta["rule_id"]
                check = next(c for c in checks if c.rule == rule)
                ids = [i["row_id"] for i in (r.result.get("unexpected_index_list") or [])]
                out.append((check, df.set_index("row_id").loc[ids].reset_index().to_dict("records") if ids else []))
    return out


def _context(gx, docs_dir: Path | None):
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    try:
        ctx.enable_analytics(False)
    except Exception:  # noqa: BLE001 - absent in some 1.x releases; the env var covers it
        pass
    if docs_dir:
        docs_dir.mkdir(parents=True, exist_ok=True)
        ctx.add_data_docs_site(site_name="perfaudit", site_config={
            "class_name": "SiteBuilder", "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(docs_dir.resolve())}})
    return ctx


def _expectation(c: Check):
    import great_expectations.expectations as gxe

    common = {"column": c.column, "severity": c.severity if c.severity != "error" else "critical",
              "meta": {"rule_id": c.rule, "msg_zh": c.message}}
    if c.kind == "between":
        return gxe.ExpectColumnValuesToBeBetween(min_value=c.low, max_value=c.high, **common)
    if c.kind == "in_set":
        return gxe.ExpectColumnValuesToBeInSet(value_set=list(c.values), **common)
    return gxe.ExpectColumnValuesToNotBeNull(**common)

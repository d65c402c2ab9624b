"""Validate stage: great_expectations over the batch tables, as a data-quality
gate on extraction (ranges, value sets, row counts per report), for the
catalogue's batch rules of the column_* kinds (rules/quality.yml). Money
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

from pipeline.numbers import COUNT_UNITS, MONEY_UNITS
from pipeline.store.batch_rules import batch_finding, rules_of, shown

KNOWN_UNITS = sorted({*COUNT_UNITS, *MONEY_UNITS, "%", "‰", "分"})
NAMED_SETS = {"known_units": KNOWN_UNITS}  # a column_in_set rule's `values` may name one of these
KINDS = {"column_between": "between", "column_in_set": "in_set", "column_not_null": "not_null"}


@dataclass(frozen=True)
class Check:
    """One expectation: a catalogue rule of a column_* kind, with its parameters."""

    rule: object  # pipeline.audit.rules.Rule
    kind: str  # between | in_set | not_null
    table: str
    column: str
    low: float | None = None
    high: float | None = None
    values: tuple = ()
    finding: bool = True  # False: shown in Data Docs only (the rules engine already reports it)

    @classmethod
    def of(cls, rule) -> Check:
        p = rule.params
        values = p.get("values") or ()
        values = NAMED_SETS[values] if isinstance(values, str) else values
        return cls(rule, KINDS[rule.check], p["table"], p["column"], p.get("low"), p.get("high"), tuple(values),
                   bool(p.get("report", True)))


def checks_of(rules: list | None = None) -> list[Check]:
    """The expectations of the catalogue's data-quality rules (default: the built-in catalogue)."""
    return sorted((Check.of(r) for kind in KINDS for r in rules_of(rules, kind)), key=lambda c: c.rule.id)


TABLE_SQL = {
    "records": "SELECT sha256, document_id, unit, year, doc_type, score, rating, n_indicators, n_budget_lines "
               "FROM records",
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


VALIDATE_CHUNK = 10_000  # documents validated at a time: GX works on pandas frames held in memory


def validate_run(store, shas: list[str], docs_dir: Path | None = None,
                 rules: list | None = None) -> tuple[dict[str, list[dict]], dict]:
    """Findings per sha256 for the run's documents, and a summary
    {expectations, failed, rows, data_docs}; `rules`: the run's catalogue.
    The documents are validated VALIDATE_CHUNK at a time (the expectations
    look at one row at a time, so the findings are the same), which keeps
    memory flat however large the run; Data Docs then show one validation
    per slice."""
    checks = checks_of(rules)
    validator = Validator(docs_dir, checks)
    by_sha: dict[str, list[dict]] = {}
    rows = dict.fromkeys(TABLE_SQL, 0)
    ran, failed = set(), set()
    for start in range(0, max(len(shas), 1), VALIDATE_CHUNK):
        frames = load_frames(store, shas[start:start + VALIDATE_CHUNK])
        outcomes = validator.run(frames)
        for check, bad in outcomes:
            ran.add(check.rule.id)
            if bad:
                failed.add(check.rule.id)
        for sha, findings in findings_of(outcomes, frames["records"]).items():
            by_sha.setdefault(sha, []).extend(findings)
        for table, df in frames.items():
            rows[table] += len(df)
    summary = {"expectations": len(ran), "failed": len(failed), "rows": rows,
               "data_docs": str(docs_dir / "index.html") if docs_dir else None}
    return by_sha, summary


def findings_of(outcomes: list[tuple[Check, list[dict]]], records) -> dict[str, list[dict]]:
    """Findings per sha256 from validate_tables' outcomes; `records`: the
    records frame (its document_id gives each finding its id)."""
    keys = dict(zip(records["sha256"], records["document_id"], strict=True)) if "document_id" in records else {}
    by_sha: dict[str, list[dict]] = {}
    for check, rows in outcomes:
        if not check.finding:
            continue
        for row in rows:
            sha = row["sha256"]
            by_sha.setdefault(sha, []).append(_finding(check, row, SUBJECT[check.table](row), keys.get(sha) or sha))
    return by_sha


def _finding(check: Check, row: dict, subject: str, document_id: str) -> dict:
    value = row.get(check.column)
    expected = f"{check.low:g}–{check.high:g}" if check.kind == "between" else "、".join(map(str, check.values))
    values = {"value": shown(value), "low": f"{check.low:g}" if check.low is not None else "",
              "high": f"{check.high:g}" if check.high is not None else ""}
    return batch_finding(check.rule, document_id, subject, values, stated=shown(value), expected=expected)



def validate_tables(frames: dict, docs_dir: Path | None = None,
                    checks: list[Check] | None = None) -> list[tuple[Check, list[dict]]]:
    """Run `checks` (default: the built-in catalogue's) with great_expectations;
    return (check, offending rows) per check. Data Docs go to `docs_dir` when given."""
    return Validator(docs_dir, checks).run(frames)


class Validator:
    """The GX context, one suite and checkpoint per table, built once; `run`
    validates one set of frames (a slice of the run's documents) with them."""

    def __init__(self, docs_dir: Path | None = None, checks: list[Check] | None = None):
        self.checks = checks_of() if checks is None else checks
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # before the import: no telemetry attempt
        import great_expectations as gx

        self.ctx = _context(gx, docs_dir)
        self.source = self.ctx.data_sources.add_pandas("perfaudit")
        self.docs = docs_dir is not None
        self.checkpoints: dict[str, object] = {}

    def _checkpoint(self, table: str):
        if table in self.checkpoints:
            return self.checkpoints[table]
        import great_expectations as gx

        suite = self.ctx.suites.add(gx.ExpectationSuite(name=f"perfaudit_{table}"))
        for c in self.checks:
            if c.table == table:
                suite.add_expectation(_expectation(c))
        batch = self.source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("run")
        vd = self.ctx.validation_definitions.add(gx.ValidationDefinition(name=f"vd_{table}", data=batch, suite=suite))
        actions = [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["perfaudit"])] if self.docs else []
        cp = self.ctx.checkpoints.add(gx.Checkpoint(
            name=f"cp_{table}", validation_definitions=[vd], actions=actions,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row_id"]}))
        self.checkpoints[table] = cp
        return cp

    def run(self, frames: dict) -> list[tuple[Check, list[dict]]]:
        out = []
        for table, df in frames.items():
            mine = [c for c in self.checks if c.table == table]
            result = self._checkpoint(table).run(batch_parameters={"dataframe": df})
            for vr in result.run_results.values():
                for r in vr.results:
                    rule = r.expectation_config.meta["rule_id"]
                    check = next(c for c in mine if c.rule.id == rule)
                    ids = [i["row_id"] for i in (r.result.get("unexpected_index_list") or [])]
                    out.append((check, df.set_index("row_id").loc[ids].reset_index().to_dict("records")
                                if ids else []))
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

    severity = c.rule.severity
    common = {"column": c.column, "severity": severity if severity != "error" else "critical",
              "meta": {"rule_id": c.rule.id, "msg_zh": c.rule.message}}
    if c.kind == "between":
        return gxe.ExpectColumnValuesToBeBetween(min_value=c.low, max_value=c.high, **common)
    if c.kind == "in_set":
        return gxe.ExpectColumnValuesToBeInSet(value_set=list(c.values), **common)
    return gxe.ExpectColumnValuesToNotBeNull(**common)

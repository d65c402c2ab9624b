"""The batch-level rules' examples are their tests, as the record rules' are
(tests/test_rule_examples.py): cross-document examples (rules/crossdoc.yml)
are documents submitted together and audited into a store; data-quality
examples (rules/quality.yml) are one row of a batch table, every other
column valid, all validated in one great_expectations run."""

from pathlib import Path

import pytest

from pipeline.audit.checks import KINDS
from pipeline.audit.rules import load_rules

RULES = [r for r in load_rules() if KINDS[r.check].scope == "batch"]
DOCUMENT_CASES = [
    pytest.param(rule, kind, i, ex, id=f"{rule.id}-{kind}-{i}")
    for rule in RULES for kind in ("fail", "pass") for i, ex in enumerate(rule.examples[kind]) if "documents" in ex
]
ROW_CASES = [
    pytest.param(rule, kind, i, ex, id=f"{rule.id}-{kind}-{i}")
    for rule in RULES for kind in ("fail", "pass") for i, ex in enumerate(rule.examples[kind]) if "row" in ex
]
# A valid row of each validated table (pipeline.store.validate.TABLE_SQL); an example changes its rule's table.
VALID_ROWS = {
    "records": {"unit": "民政局", "year": 2023, "doc_type": "department_overall", "score": 95.0, "rating": "优",
                "n_indicators": 5, "n_budget_lines": 3},
    "budget_lines": {"line": "total", "rate": 100.0},
    "indicators": {"idx": 1, "rate": 100.0, "target_unit": "人", "actual_unit": "人", "target_op": ">="},
}


def test_every_batch_rule_has_runnable_examples():
    assert {r.id for r in RULES} >= {"XDOC-01", "XDOC-02", *(f"DQ-{n:02d}" for n in range(1, 12))}
    for rule in RULES:
        for kind in ("fail", "pass"):
            assert all("documents" in ex or "row" in ex for ex in rule.examples[kind]), rule.id


def matches(found: list[dict], want: dict) -> bool:
    return any(all(f.get(k) == v for k, v in want.items()) for f in found)


@pytest.mark.parametrize("rule,kind,i,example", DOCUMENT_CASES)
def test_cross_document_example(rule, kind, i, example, tmp_path):
    from pipeline.run.batch import BatchSettings, run_batch
    from pipeline.store.crossdoc import cross_checks
    from pipeline.store.db import Store

    folder = tmp_path / "in"
    folder.mkdir()
    for doc in example["documents"]:
        (folder / doc["name"]).write_text(doc["text"], encoding="utf-8")
    with Store(tmp_path / "x.duckdb") as st:
        run = run_batch([folder], BatchSettings(executor="inline"), st)
        names = {Path(rep["source"]).name: sha for rep, sha in zip(run.spool, run.spool.shas, strict=True)}
        by_sha = cross_checks(st, sorted({s for s in names.values() if s}), run.rules)
        run.close()
    mine = {name: [f for f in by_sha.get(sha, []) if f["rule"] == rule.id] for name, sha in names.items()}
    if kind == "pass":
        assert not any(mine.values()), mine
        return
    for want in example["findings"]:
        want = dict(want)
        found = mine[want.pop("document")]
        assert matches(found, want), (want, found)
        assert all(f["category"] == rule.category and f["title"] == rule.title and f["evidence"] for f in found)


@pytest.fixture(scope="module")
def validated():
    """Every row example in one batch (one sha256 each): (outcomes, findings per sha256)."""
    import pandas as pd

    from pipeline.store.validate import checks_of, findings_of, validate_tables

    rows = {table: [] for table in VALID_ROWS}
    for param in ROW_CASES:
        rule, kind, i, example = param.values
        sha = f"{rule.id}-{kind}-{i}"
        for table, valid in VALID_ROWS.items():
            row = {**valid, **(example["row"] if table == rule.params["table"] else {})}
            rows[table].append({"sha256": sha, **row})
    frames = {}
    for table, table_rows in rows.items():
        df = pd.DataFrame(table_rows)
        df.insert(0, "row_id", range(len(df)))
        frames[table] = df
    outcomes = validate_tables(frames, None, checks_of())
    return outcomes, findings_of(outcomes, frames["records"])


@pytest.mark.parametrize("rule,kind,i,example", ROW_CASES)
def test_data_quality_example(rule, kind, i, example, validated):
    outcomes, by_sha = validated
    sha = f"{rule.id}-{kind}-{i}"
    flagged = {row["sha256"] for check, rows in outcomes if check.rule.id == rule.id for row in rows}
    mine = [f for f in by_sha.get(sha, []) if f["rule"] == rule.id]
    others = [f["rule"] for f in by_sha.get(sha, []) if f["rule"] != rule.id]
    assert not others, f"the example's other columns should be valid: {others}"
    if kind == "pass":
        assert sha not in flagged and not mine
        return
    assert sha in flagged, f"{rule.id} fail example {i}: the expectation passed"
    assert len(mine) == len(example["findings"])
    for want in example["findings"]:
        assert matches(mine, want), (want, mine)
        assert all(f["category"] == rule.category and f["severity"] == rule.severity for f in mine)

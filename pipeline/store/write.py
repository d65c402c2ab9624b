"""Bulk writes of audited inputs into the store, one transaction per group.

Per-file transactions with a handful of statements each cost ~25 ms in
DuckDB and made the main process the bottleneck of a parallel run. Results
are grouped instead (Store.save_result flushes at least every
COMMIT_INTERVAL_S and on every exit path, Ctrl-C included) and each table is
written with one INSERT ... SELECT over list parameters (no pandas, which
would cost a cached re-run half a second to import).
"""

from __future__ import annotations

import json
from datetime import datetime

from pipeline.store.legacy_ids import carry_legacy_ids

BUDGET_COLUMNS = ("count", "year_start", "adjustment", "budget", "executed", "rate", "weight", "score")
RECORD_COLUMNS = ("sha256", "extractor_fp", "doc_type", "unit", "region", "year", "filled_on", "score", "rating",
                  "numbers_found", "n_indicators", "n_budget_lines", "record_json", "record_blob", "document_id")
INDICATOR_COLUMNS = ("sha256", "idx", "name", "level1", "level2", "target_op", "target_value", "target_unit",
                     "target_text", "actual_value", "actual_unit", "actual_text", "rate", "achieved", "weight",
                     "score", "deviation_reason")
FINDING_COLUMNS = ("sha256", "finding_id", "rule", "category", "severity", "subject", "message", "stated",
                   "expected", "suggestion", "gross", "evidence", "first_run", "last_run")
RESULT_COLUMNS = ("sha256", "extractor_fp", "rules_fp", "status", "result_json", "run_id", "created_at")
DOCUMENT_COLUMNS = ("path", "sha256", "size", "mtime_ns", "status", "error_code", "error_message")


INSERT_ROWS = 5_000  # rows bound per INSERT: the lists are held whole in DuckDB's memory (64 MB in all)


def insert_rows(con, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """One INSERT ... SELECT unnest(column list) per INSERT_ROWS rows: DuckDB
    binds a list parameter in one go (a multi-row VALUES statement binds every
    cell), and a batch check's findings over 100,000 reports would not fit."""
    cols = ",".join(columns)
    src = ", ".join(f"unnest(?) AS {c}" for c in columns)
    for start in range(0, len(rows), INSERT_ROWS):
        part = rows[start:start + INSERT_ROWS]
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM (SELECT {src})",
                    [list(c) for c in zip(*part, strict=True)])


def write_results(con, run_id: str, items: list[dict]) -> None:
    """Write audited inputs (see Store.save_result); the caller holds the transaction."""
    now = datetime.now()
    latest = {i["sha256"]: i for i in items if i["sha256"]}  # one content twice in a group: the last wins
    wipe = [s for s, i in latest.items() if i["result"]["status"] == "ok" or i.get("cacheable", True)]
    first = {(s, f): r for s, f, r in con.execute(
        "SELECT sha256, finding_id, first_run FROM findings WHERE sha256 IN (SELECT unnest(?))", [wipe]).fetchall()}
    for sha in wipe:  # rows written under the old id scheme: carry first_run and decisions to the new ids
        result = latest[sha]["result"]
        if result["status"] == "ok":
            first.update(carry_legacy_ids(con, sha, result["record"], result.get("document_id"),
                                          result["findings"], first))
    for table in ("records", "budget_lines", "indicators", "findings"):
        con.execute(f"DELETE FROM {table} WHERE sha256 IN (SELECT unnest(?))", [wipe])
    con.execute("DELETE FROM results WHERE sha256 IN (SELECT unnest(?))", [list(latest)])
    rows: dict[str, list[tuple]] = {"records": [], "budget_lines": [], "indicators": [], "findings": [], "results": []}
    for sha, item in latest.items():
        _rows_for(sha, item, run_id, first, now, rows)
    insert_rows(con, "records", RECORD_COLUMNS, rows["records"])
    insert_rows(con, "budget_lines", ("sha256", "line", *BUDGET_COLUMNS, "explanation"), rows["budget_lines"])
    insert_rows(con, "indicators", INDICATOR_COLUMNS, rows["indicators"])
    insert_rows(con, "findings", FINDING_COLUMNS, rows["findings"])
    insert_rows(con, "results", RESULT_COLUMNS, rows["results"])
    upsert_documents(con, run_id, [_document_row(i) for i in items], now)


def _rows_for(sha: str, item: dict, run_id: str, first: dict, now: datetime, rows: dict) -> None:
    result = item["result"]
    if item.get("cacheable", True):
        rows["results"].append((sha, item["extractor_fp"], item["rules_fp"], result["status"],
                                json.dumps(result, ensure_ascii=False), run_id, now))
    if result["status"] != "ok":
        return
    rec, cov = result["record"], result.get("coverage", {})
    rows["records"].append((sha, item["extractor_fp"], rec.get("doc_type"), rec.get("unit"), rec.get("region"),
                            rec.get("year"), rec.get("filled_on"), rec.get("score"), rec.get("rating"),
                            cov.get("numbers_found"), len(rec.get("indicators") or []), len(rec.get("budget") or {}),
                            json.dumps(rec, ensure_ascii=False), item.get("record_blob"), result.get("document_id")))
    rows["budget_lines"] += [(sha, name, *(line.get(c) for c in BUDGET_COLUMNS), line.get("explanation"))
                             for name, line in (rec.get("budget") or {}).items()]
    rows["indicators"] += [_indicator_row(sha, i) for i in rec.get("indicators") or []]
    # A finding keeps the run that first reported it, so reviewers can ask for new ones only.
    rows["findings"] += [finding_row(sha, f, first.get((sha, f["id"]), run_id), run_id) for f in result["findings"]]


def finding_row(sha: str, f: dict, first_run: str, run_id: str) -> tuple:
    return (sha, f["id"], f["rule"], f["category"], f["severity"], f["subject"], f["message"], f.get("stated"),
            f.get("expected"), f.get("suggestion"), bool(f.get("gross")),
            json.dumps(f.get("evidence", []), ensure_ascii=False), first_run, run_id)


def _indicator_row(sha: str, ind: dict) -> tuple:
    t, a = ind.get("target") or {}, ind.get("actual") or {}
    return (sha, ind.get("index"), ind.get("name"), ind.get("level1"), ind.get("level2"), t.get("op"),
            t.get("value"), t.get("unit"), t.get("text"), a.get("value"), a.get("unit"), a.get("text"),
            ind.get("rate"), ind.get("achieved"), ind.get("weight"), ind.get("score"), ind.get("deviation_reason"))


def _document_row(item: dict) -> tuple:
    err = item["result"].get("error") or {}
    return (item["path"], item["sha256"], item.get("size"), item.get("mtime_ns"), item["result"]["status"],
            err.get("code"), err.get("message"))


def upsert_documents(con, run_id: str, rows: list[tuple], now: datetime) -> None:
    """Update (path, sha256) rows seen before, insert the new ones. The rows go
    in as one list parameter per column (no pandas: a cached re-run stays light)."""
    if not rows:
        return
    rows = list({(r[0], r[1]): r for r in rows}.values())  # last wins per (path, sha256)
    cols = list(zip(*rows, strict=True))
    src = "(SELECT " + ", ".join(f"unnest(?::{t}[]) AS {c}" for c, t in zip(
        DOCUMENT_COLUMNS, ("TEXT", "TEXT", "BIGINT", "BIGINT", "TEXT", "TEXT", "TEXT"), strict=True)) + ")"
    params = [list(c) for c in cols]
    con.execute(f"UPDATE documents d SET last_run = ?, last_seen = ?, size = h.size, mtime_ns = h.mtime_ns, "
                f"status = h.status, error_code = h.error_code, error_message = h.error_message "
                f"FROM {src} h WHERE d.path = h.path AND d.sha256 = h.sha256", [run_id, now, *params])
    con.execute(
        "INSERT INTO documents (path, sha256, size, mtime_ns, status, error_code, error_message, first_run, "
        "last_run, last_seen) SELECT h.path, h.sha256, h.size, h.mtime_ns, h.status, h.error_code, "
        f"h.error_message, ?, ?, ? FROM {src} h WHERE NOT EXISTS (SELECT 1 FROM documents d "
        "WHERE d.path = h.path AND d.sha256 = h.sha256)", [run_id, run_id, now, *params])

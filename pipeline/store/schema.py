"""The DuckDB schema of the store, as numbered migrations.

A database records the versions it has applied in `schema_version`; opening
it applies the missing ones in order, each in its own transaction. Never edit
a released migration: add the next one.

No primary keys or indexes on tables whose rows are replaced per document:
DuckDB checks unique constraints eagerly, so delete-then-reinsert of the same
key in one transaction fails, and its zone maps make the scans cheap anyway.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "initial schema", [
        """CREATE TABLE runs (
            run_id TEXT, started_at TIMESTAMP, finished_at TIMESTAMP, version TEXT,
            extractor_fp TEXT, rules_fp TEXT, inputs TEXT, status TEXT,
            reports INTEGER, failed INTEGER, cached INTEGER,
            errors INTEGER, warnings INTEGER, infos INTEGER)""",
        # One row per (path, content): a file edited in place gets a new row.
        """CREATE TABLE documents (
            path TEXT, sha256 TEXT, size BIGINT, mtime_ns BIGINT, status TEXT,
            error_code TEXT, error_message TEXT, first_run TEXT, last_run TEXT,
            last_seen TIMESTAMP)""",
        # Keyed by content: the same bytes under two names are one record.
        """CREATE TABLE records (
            sha256 TEXT, extractor_fp TEXT, doc_type TEXT, unit TEXT, region TEXT,
            year INTEGER, filled_on TEXT, score DOUBLE, rating TEXT,
            numbers_found INTEGER, n_indicators INTEGER, n_budget_lines INTEGER,
            record_json TEXT, record_blob BLOB)""",
        """CREATE TABLE budget_lines (
            sha256 TEXT, line TEXT, count DOUBLE, year_start DOUBLE, adjustment DOUBLE,
            budget DOUBLE, executed DOUBLE, rate DOUBLE, weight DOUBLE, score DOUBLE,
            explanation TEXT)""",
        """CREATE TABLE indicators (
            sha256 TEXT, idx INTEGER, name TEXT, level1 TEXT, level2 TEXT,
            target_op TEXT, target_value DOUBLE, target_unit TEXT, target_text TEXT,
            actual_value DOUBLE, actual_unit TEXT, actual_text TEXT, rate DOUBLE,
            achieved BOOLEAN, weight DOUBLE, score DOUBLE, deviation_reason TEXT)""",
        """CREATE TABLE findings (
            sha256 TEXT, finding_id TEXT, rule TEXT, category TEXT, severity TEXT,
            subject TEXT, message TEXT, stated TEXT, expected TEXT, suggestion TEXT,
            gross BOOLEAN, evidence TEXT, first_run TEXT, last_run TEXT)""",
        # The cache: the last result per content, valid while both fingerprints match.
        """CREATE TABLE results (
            sha256 TEXT, extractor_fp TEXT, rules_fp TEXT, status TEXT,
            result_json TEXT, run_id TEXT, created_at TIMESTAMP)""",
        # Filled by the review workflow (pipeline/review.py).
        """CREATE TABLE decisions (
            finding_id TEXT, rule TEXT, subject TEXT, decision TEXT, opinion TEXT,
            reviewer TEXT, decided_at TIMESTAMP, source_file TEXT,
            imported_at TIMESTAMP DEFAULT current_timestamp)""",
        # Findings that compare documents (pipeline/crossdoc.py), rebuilt per run.
        """CREATE TABLE cross_findings (
            finding_id TEXT, rule TEXT, category TEXT, severity TEXT, unit TEXT, year INTEGER,
            subject TEXT, message TEXT, sha256_a TEXT, sha256_b TEXT, path_a TEXT, path_b TEXT,
            stated TEXT, expected TEXT, run_id TEXT)""",
    ]),
    (2, "runs.executor: where the work ran (kind, workers, tasks per worker)", [
        "ALTER TABLE runs ADD COLUMN executor TEXT",
    ]),
    # Finding ids derive from the document's identity (model.finding_id), no longer from
    # unit, year, type and project. Rows written before keep their old ids until their
    # document is audited again; store.legacy_ids then maps each old id to the new one,
    # carries first_run and the decisions made on it, and keeps the pair here.
    (3, "records.document_id; finding ids per document (legacy_ids: old id -> new id)", [
        "ALTER TABLE records ADD COLUMN document_id TEXT",
        """CREATE TABLE legacy_ids (
            sha256 TEXT, legacy_id TEXT, finding_id TEXT, rule TEXT, subject TEXT,
            mapped_at TIMESTAMP DEFAULT current_timestamp)""",
    ]),
]

# Tables exported to Parquet and returned by load_tables (the cache blobs stay inside).
PUBLIC_TABLES = (
    "runs", "documents", "records", "budget_lines", "indicators", "findings", "decisions",
    "cross_findings",
)
LATEST_VERSION = MIGRATIONS[-1][0]


def migrate(con) -> int:
    """Apply missing migrations; return the schema version now in force."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER, description TEXT, applied_at TIMESTAMP DEFAULT current_timestamp)")
    current = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
    if current > LATEST_VERSION:
        raise RuntimeError(f"数据库的结构版本 {current} 比本程序支持的 {LATEST_VERSION} 新，请升级 perfaudit。")
    for version, description, statements in MIGRATIONS:
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            for sql in statements:
                con.execute(sql)
            con.execute("INSERT INTO schema_version (version, description) VALUES (?, ?)",
                        [version, description])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        current = version
    return current

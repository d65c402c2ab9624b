"""Store stage: every run, document, record, finding and review decision in
one embedded DuckDB file (default `reports/perfaudit.duckdb`).

    with Store("reports/perfaudit.duckdb") as st:
        st.latest_decisions()
    tables = load_tables("reports/perfaudit.duckdb")   # {name: pandas.DataFrame}

duckdb and pandas are imported inside the functions (the CLI's --help must stay
instant). Only the main process writes: workers hand their results back, and
each result is committed in its own transaction, so an interrupted run keeps
everything finished before the interruption.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

from .store_schema import PUBLIC_TABLES, migrate

DEFAULT_DB = Path("reports") / "perfaudit.duckdb"
DECISIONS = ("确认问题", "驳回", "已整改")
DECISION_COLUMNS = ("finding_id", "rule", "subject", "decision", "opinion", "reviewer", "decided_at",
                    "source_file")
# Columns that make two imported decisions the same decision (the file it came from does not).
DECISION_IDENTITY = ("finding_id", "rule", "subject", "decision", "opinion", "reviewer", "decided_at")
BUDGET_COLUMNS = ("count", "year_start", "adjustment", "budget", "executed", "rate", "weight", "score")


class StoreError(RuntimeError):
    """The database cannot be opened (locked by another process, newer schema, not DuckDB)."""


class Store:
    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False):
        import duckdb

        self.path = Path(path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise StoreError(f"数据库不存在：{self.path}")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"无法打开数据库 {self.path}：{exc}") from exc
        if not read_only:
            migrate(self.con)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transactions -------------------------------------------------------
    def _tx(self, fn, *args):
        self.con.execute("BEGIN TRANSACTION")
        try:
            out = fn(*args)
            self.con.execute("COMMIT")
            return out
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """One multi-row INSERT: much faster in DuckDB than executemany."""
        if not rows:
            return
        marks = "(" + ",".join("?" * len(columns)) + ")"
        sql = f"INSERT INTO {table} ({','.join(columns)}) VALUES " + ",".join([marks] * len(rows))
        self.con.execute(sql, [v for row in rows for v in row])

    # -- runs ---------------------------------------------------------------
    def begin_run(self, inputs: list[str], version: str, extractor_fp: str, rules_fp: str) -> str:
        run_id = datetime.now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
        self.con.execute(
            "INSERT INTO runs (run_id, started_at, version, extractor_fp, rules_fp, inputs, status) "
            "VALUES (?, current_timestamp, ?, ?, ?, ?, 'running')",
            [run_id, version, extractor_fp, rules_fp, json.dumps(inputs, ensure_ascii=False)])
        return run_id

    def finish_run(self, run_id: str, summary: dict, status: str = "done") -> None:
        f = summary.get("findings", {})
        self.con.execute(
            "UPDATE runs SET finished_at = current_timestamp, status = ?, reports = ?, failed = ?, "
            "cached = ?, errors = ?, warnings = ?, infos = ? WHERE run_id = ?",
            [status, summary.get("reports", 0), summary.get("failed", 0), summary.get("cached", 0),
             f.get("error", 0), f.get("warning", 0), f.get("info", 0), run_id])

    # -- cache lookups --------------------------------------------------------
    def known_files(self) -> dict[str, tuple[int, int, str]]:
        """path -> (size, mtime_ns, sha256) of the newest row: lets a re-run skip hashing."""
        rows = self.con.execute(
            "SELECT path, size, mtime_ns, sha256 FROM documents WHERE mtime_ns IS NOT NULL "
            "QUALIFY row_number() OVER (PARTITION BY path ORDER BY last_seen DESC) = 1").fetchall()
        return {p: (s, m, h) for p, s, m, h in rows}

    def result_keys(self) -> dict[str, tuple[str, str]]:
        """sha256 -> (extractor_fp, rules_fp) of every cached result."""
        return {h: (e, r) for h, e, r in self.con.execute(
            "SELECT sha256, extractor_fp, rules_fp FROM results").fetchall()}

    def cached_results(self, hashes: list[str]) -> dict[str, str]:
        """sha256 -> the stored result JSON (without its source path)."""
        if not hashes:
            return {}
        rows = self.con.execute("SELECT sha256, result_json FROM results WHERE sha256 IN (SELECT unnest(?))",
                                [list(hashes)]).fetchall()
        return dict(rows)

    def cached_record(self, sha256: str, extractor_fp: str) -> bytes | None:
        row = self.con.execute("SELECT record_blob FROM records WHERE sha256 = ? AND extractor_fp = ?",
                               [sha256, extractor_fp]).fetchone()
        return row[0] if row else None

    # -- writes ---------------------------------------------------------------
    def save_result(self, run_id: str, item: dict) -> None:
        """Commit one audited input. `item`: path, sha256, size, mtime_ns, result
        (ReportResult.to_json() without source), record_blob, extractor_fp,
        rules_fp, cacheable."""
        self._tx(self._save_result, run_id, item)

    def _save_result(self, run_id: str, item: dict) -> None:
        sha, result = item["sha256"], item["result"]
        self._upsert_document(run_id, item, result)
        if result["status"] == "ok":
            self._replace_record(sha, result["record"], item)
            self._replace_findings(run_id, sha, result["findings"])
        elif item.get("cacheable", True):
            for table in ("records", "budget_lines", "indicators", "findings"):
                self.con.execute(f"DELETE FROM {table} WHERE sha256 = ?", [sha])
        self.con.execute("DELETE FROM results WHERE sha256 = ?", [sha])
        if item.get("cacheable", True):
            self._insert("results", ("sha256", "extractor_fp", "rules_fp", "status", "result_json", "run_id",
                                     "created_at"),
                         [(sha, item["extractor_fp"], item["rules_fp"], result["status"],
                           json.dumps(result, ensure_ascii=False), run_id, datetime.now())])

    def _upsert_document(self, run_id: str, item: dict, result: dict) -> None:
        err = result.get("error") or {}
        values = [item.get("size"), item.get("mtime_ns"), result["status"], err.get("code"), err.get("message"),
                  run_id, datetime.now()]
        updated = self.con.execute(
            "UPDATE documents SET size = ?, mtime_ns = ?, status = ?, error_code = ?, error_message = ?, "
            "last_run = ?, last_seen = ? WHERE path = ? AND sha256 = ?",
            [*values, item["path"], item["sha256"]]).fetchone()[0]
        if not updated:
            self._insert("documents", ("size", "mtime_ns", "status", "error_code", "error_message", "last_run",
                                       "last_seen", "path", "sha256", "first_run"),
                         [(*values, item["path"], item["sha256"], run_id)])

    def _replace_record(self, sha: str, rec: dict, item: dict) -> None:
        for table in ("records", "budget_lines", "indicators"):
            self.con.execute(f"DELETE FROM {table} WHERE sha256 = ?", [sha])
        cov = item["result"].get("coverage", {})
        self._insert("records", ("sha256", "extractor_fp", "doc_type", "unit", "region", "year", "filled_on",
                                 "score", "rating", "numbers_found", "n_indicators", "n_budget_lines",
                                 "record_json", "record_blob"),
                     [(sha, item["extractor_fp"], rec.get("doc_type"), rec.get("unit"), rec.get("region"),
                       rec.get("year"), rec.get("filled_on"), rec.get("score"), rec.get("rating"),
                       cov.get("numbers_found"), len(rec.get("indicators") or []), len(rec.get("budget") or {}),
                       json.dumps(rec, ensure_ascii=False), item.get("record_blob"))])
        self._insert("budget_lines", ("sha256", "line", *BUDGET_COLUMNS, "explanation"),
                     [(sha, name, *(line.get(c) for c in BUDGET_COLUMNS), line.get("explanation"))
                      for name, line in (rec.get("budget") or {}).items()])
        self._insert("indicators", INDICATOR_COLUMNS, [_indicator_row(sha, i) for i in rec.get("indicators") or []])

    def _replace_findings(self, run_id: str, sha: str, findings: list[dict]) -> None:
        # A finding keeps the run that first reported it, so reviewers can ask for new ones only.
        first = dict(self.con.execute("SELECT finding_id, first_run FROM findings WHERE sha256 = ?",
                                      [sha]).fetchall())
        self.con.execute("DELETE FROM findings WHERE sha256 = ?", [sha])
        self._insert("findings", FINDING_COLUMNS,
                     [(sha, f["id"], f["rule"], f["category"], f["severity"], f["subject"], f["message"],
                       f.get("stated"), f.get("expected"), f.get("suggestion"), bool(f.get("gross")),
                       json.dumps(f.get("evidence", []), ensure_ascii=False), first.get(f["id"], run_id), run_id)
                      for f in findings])

    def replace_batch_findings(self, run_id: str, shas: list[str], by_sha: dict[str, list[dict]],
                               prefixes: tuple[str, ...]) -> None:
        """Findings computed over the whole batch (rule ids starting with one of
        `prefixes`) replace the earlier ones of the same kind on these documents."""
        self._tx(self._replace_batch_findings, run_id, shas, by_sha, prefixes)

    def _replace_batch_findings(self, run_id, shas, by_sha, prefixes) -> None:
        where = "sha256 IN (SELECT unnest(?)) AND (" + " OR ".join("starts_with(rule, ?)" for _ in prefixes) + ")"
        params = [list(shas), *prefixes]
        first = {(h, f): r for h, f, r in self.con.execute(
            f"SELECT sha256, finding_id, first_run FROM findings WHERE {where}", params).fetchall()}
        self.con.execute(f"DELETE FROM findings WHERE {where}", params)
        self._insert("findings", FINDING_COLUMNS,
                     [(sha, f["id"], f["rule"], f["category"], f["severity"], f["subject"], f["message"],
                       f.get("stated"), f.get("expected"), f.get("suggestion"), bool(f.get("gross")),
                       json.dumps(f.get("evidence", []), ensure_ascii=False), first.get((sha, f["id"]), run_id),
                       run_id)
                      for sha, findings in by_sha.items() for f in findings])

    def touch(self, run_id: str, hits: list[dict]) -> None:
        """Record cache hits in bulk (a per-file transaction would dominate a re-run)."""
        if hits:
            self._tx(self._touch, run_id, hits)

    def _touch(self, run_id: str, hits: list[dict]) -> None:
        self.con.execute("CREATE OR REPLACE TEMP TABLE hits (path TEXT, sha256 TEXT, size BIGINT, mtime_ns BIGINT,"
                         " status TEXT, error_code TEXT, error_message TEXT)")
        self._insert("hits", ("path", "sha256", "size", "mtime_ns", "status", "error_code", "error_message"),
                     [(h["path"], h["sha256"], h.get("size"), h.get("mtime_ns"), h["status"], h.get("error_code"),
                       h.get("error_message")) for h in hits])
        now = datetime.now()
        self.con.execute("UPDATE documents d SET last_run = ?, last_seen = ?, size = h.size, mtime_ns = h.mtime_ns "
                         "FROM hits h WHERE d.path = h.path AND d.sha256 = h.sha256", [run_id, now])
        self.con.execute(
            "INSERT INTO documents (path, sha256, size, mtime_ns, status, error_code, error_message, first_run, "
            "last_run, last_seen) SELECT h.path, h.sha256, h.size, h.mtime_ns, h.status, h.error_code, "
            "h.error_message, ?, ?, ? FROM hits h WHERE NOT EXISTS (SELECT 1 FROM documents d "
            "WHERE d.path = h.path AND d.sha256 = h.sha256)", [run_id, run_id, now])
        self.con.execute("UPDATE findings SET last_run = ? WHERE sha256 IN (SELECT sha256 FROM hits)", [run_id])
        self.con.execute("DROP TABLE hits")

    # -- review decisions -----------------------------------------------------
    def save_decisions(self, rows: list[dict]) -> tuple[int, int]:
        """Insert review decisions; one identical to a stored one is skipped.
        Returns (inserted, unchanged)."""
        for row in rows:
            if row.get("decision") not in DECISIONS:
                raise ValueError(f"审核结论“{row.get('decision')}”无效，只能是：{'、'.join(DECISIONS)}")
            if not row.get("finding_id"):
                raise ValueError("审核结论缺少 finding_id")
        return self._tx(self._save_decisions, rows)

    def _save_decisions(self, rows: list[dict]) -> tuple[int, int]:
        match = " AND ".join(f"{c} IS NOT DISTINCT FROM ?" for c in DECISION_IDENTITY if c != "decided_at")
        sql = f"SELECT count(*) FROM decisions WHERE {match} AND decided_at IS NOT DISTINCT FROM CAST(? AS TIMESTAMP)"
        inserted = unchanged = 0
        for row in rows:
            # decided_at is last in DECISION_IDENTITY, as in the SQL.
            values = [_decision_value(row.get(c)) for c in DECISION_IDENTITY]
            if self.con.execute(sql, values).fetchone()[0]:
                unchanged += 1
                continue
            self.con.execute(f"INSERT INTO decisions ({','.join(DECISION_COLUMNS)}) VALUES "
                             f"(?, ?, ?, ?, ?, ?, CAST(? AS TIMESTAMP), ?)",
                             [_decision_value(row.get(c)) for c in DECISION_COLUMNS])
            inserted += 1
        return inserted, unchanged

    def latest_decisions(self) -> dict[str, dict]:
        """finding_id -> its latest decision row (by decided_at, then import time)."""
        cur = self.con.execute(
            f"SELECT {','.join(DECISION_COLUMNS)} FROM decisions QUALIFY row_number() OVER ("
            "PARTITION BY finding_id ORDER BY decided_at DESC NULLS LAST, imported_at DESC, rowid DESC) = 1")
        return {row[0]: dict(zip(DECISION_COLUMNS, row, strict=True)) for row in cur.fetchall()}

    # -- reading and export ---------------------------------------------------
    def query(self, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
        cur = self.con.execute(sql, params or [])
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, cur.fetchall()

    def export_parquet(self, out_dir: str | Path) -> list[Path]:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for table in PUBLIC_TABLES:
            target = out / f"{table}.parquet"
            cols = "* EXCLUDE (record_blob)" if table == "records" else "*"
            self.con.execute(f"COPY (SELECT {cols} FROM {table}) TO '{_sql_str(target)}' (FORMAT parquet)")
            written.append(target)
        return written


INDICATOR_COLUMNS = ("sha256", "idx", "name", "level1", "level2", "target_op", "target_value", "target_unit",
                     "target_text", "actual_value", "actual_unit", "actual_text", "rate", "achieved", "weight",
                     "score", "deviation_reason")
FINDING_COLUMNS = ("sha256", "finding_id", "rule", "category", "severity", "subject", "message", "stated",
                   "expected", "suggestion", "gross", "evidence", "first_run", "last_run")


def _indicator_row(sha: str, ind: dict) -> tuple:
    t, a = ind.get("target") or {}, ind.get("actual") or {}
    return (sha, ind.get("index"), ind.get("name"), ind.get("level1"), ind.get("level2"), t.get("op"),
            t.get("value"), t.get("unit"), t.get("text"), a.get("value"), a.get("unit"), a.get("text"),
            ind.get("rate"), ind.get("achieved"), ind.get("weight"), ind.get("score"), ind.get("deviation_reason"))


def _decision_value(v):
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _sql_str(p: Path) -> str:
    return str(p).replace("'", "''")


def load_tables(db_path: str | Path = DEFAULT_DB) -> dict:
    """Every public table of the store as a pandas DataFrame (for analysts)."""
    with Store(db_path, read_only=True) as st:
        out = {}
        for table in PUBLIC_TABLES:
            cols = "* EXCLUDE (record_blob)" if table == "records" else "*"
            out[table] = st.con.execute(f"SELECT {cols} FROM {table}").df()
        return out

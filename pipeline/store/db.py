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
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from pipeline.store.legacy_ids import carry_legacy_ids
from pipeline.store.schema import PUBLIC_TABLES, migrate
from pipeline.store.write import FINDING_COLUMNS, finding_row, insert_rows, upsert_documents, write_results

DEFAULT_DB = Path("reports") / "perfaudit.duckdb"
DECISIONS = ("确认问题", "驳回", "已整改")
DECISION_COLUMNS = ("finding_id", "rule", "subject", "decision", "opinion", "reviewer", "decided_at",
                    "source_file")
# Columns that make two imported decisions the same decision (the file it came from does not).
DECISION_IDENTITY = ("finding_id", "rule", "subject", "decision", "opinion", "reviewer", "decided_at")
COMMIT_INTERVAL_S = 1.0  # a hard crash loses at most this much finished work; Ctrl-C loses none
COMMIT_MAX_ITEMS = 200
MEMORY_LIMIT = "64MB"


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
        # DuckDB caches pages up to 80% of RAM by default; the store's working set is small,
        # and a bounded cache keeps a long batch's memory flat (queries spill to disk beyond it).
        self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        if not read_only:
            migrate(self.con)
        self._pending: list[tuple[str, dict]] = []
        self._last_flush = time.monotonic()

    def close(self) -> None:
        try:
            if getattr(self, "_pending", None):
                self.flush()
        finally:
            self._pending = []
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
            try:
                self.con.execute("ROLLBACK")
            except Exception:  # noqa: BLE001 - a failed COMMIT has already ended it: keep the first error
                pass
            raise

    # -- runs ---------------------------------------------------------------
    def begin_run(self, inputs: list[str], version: str, extractor_fp: str, rules_fp: str) -> str:
        run_id = datetime.now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
        # Only one process writes a DuckDB file at a time (it holds the file's lock), so a run
        # still `running` now was ended without finishing: killed (kill -9, power loss).
        self.con.execute("UPDATE runs SET status = 'aborted' WHERE status = 'running'")
        self.con.execute(
            "INSERT INTO runs (run_id, started_at, version, extractor_fp, rules_fp, inputs, status) "
            "VALUES (?, current_timestamp, ?, ?, ?, ?, 'running')",
            [run_id, version, extractor_fp, rules_fp, json.dumps(inputs, ensure_ascii=False)])
        return run_id

    def finish_run(self, run_id: str, summary: dict, status: str = "done") -> None:
        self.flush()
        f = summary.get("findings", {})
        self.con.execute(
            "UPDATE runs SET finished_at = current_timestamp, status = ?, reports = ?, failed = ?, "
            "cached = ?, errors = ?, warnings = ?, infos = ?, executor = ? WHERE run_id = ?",
            [status, summary.get("reports", 0), summary.get("failed", 0), summary.get("cached", 0),
             f.get("error", 0), f.get("warning", 0), f.get("info", 0),
             json.dumps(summary["executor"], ensure_ascii=False) if summary.get("executor") else None, run_id])

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
        self.flush()
        row = self.con.execute("SELECT record_blob FROM records WHERE sha256 = ? AND extractor_fp = ?",
                               [sha256, extractor_fp]).fetchone()
        return row[0] if row else None

    # -- writes ---------------------------------------------------------------
    def save_result(self, run_id: str, item: dict) -> None:
        """Queue one audited input for the next group commit (at most
        COMMIT_INTERVAL_S later; every exit path flushes). `item`: path, sha256,
        size, mtime_ns, result (ReportResult.to_json() without source),
        record_blob, extractor_fp, rules_fp, cacheable."""
        self._pending.append((run_id, item))
        if len(self._pending) >= COMMIT_MAX_ITEMS or time.monotonic() - self._last_flush >= COMMIT_INTERVAL_S:
            self.flush()

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending:
            runs: dict[str, list[dict]] = {}
            for run_id, item in pending:
                runs.setdefault(run_id, []).append(item)
            self._tx(lambda: [write_results(self.con, run_id, items) for run_id, items in runs.items()])
        self._last_flush = time.monotonic()

    def replace_batch_findings(self, run_id: str, shas: list[str], by_sha: dict[str, list[dict]],
                               prefixes: tuple[str, ...]) -> None:
        """Findings computed over the whole batch (rule ids starting with one of
        `prefixes`) replace the earlier ones of the same kind on these documents."""
        self.flush()
        self._tx(self._replace_batch_findings, run_id, shas, by_sha, prefixes)

    def _replace_batch_findings(self, run_id, shas, by_sha, prefixes) -> None:
        where = "sha256 IN (SELECT unnest(?)) AND (" + " OR ".join("starts_with(rule, ?)" for _ in prefixes) + ")"
        params = [list(shas), *prefixes]
        first = {(h, f): r for h, f, r in self.con.execute(
            f"SELECT sha256, finding_id, first_run FROM findings WHERE {where}", params).fetchall()}
        for sha, findings in by_sha.items():  # rows written under the old id scheme (store.legacy_ids)
            if any(h == sha and f not in {x["id"] for x in findings} for h, f in first):
                row = self.con.execute("SELECT record_json, document_id FROM records WHERE sha256 = ? LIMIT 1",
                                       [sha]).fetchone()
                if row:
                    first.update(carry_legacy_ids(self.con, sha, json.loads(row[0]) if row[0] else None, row[1],
                                                  findings, first))
        self.con.execute(f"DELETE FROM findings WHERE {where}", params)
        insert_rows(self.con, "findings", FINDING_COLUMNS,
                    [finding_row(sha, f, first.get((sha, f["id"]), run_id), run_id)
                     for sha, findings in by_sha.items() for f in findings])

    def touch(self, run_id: str, hits: list[dict]) -> None:
        """Record cache hits in bulk (a per-file transaction would dominate a re-run)."""
        if hits:
            self.flush()
            self._tx(self._touch, run_id, hits)

    def _touch(self, run_id: str, hits: list[dict]) -> None:
        upsert_documents(self.con, run_id, [(h["path"], h["sha256"], h.get("size"), h.get("mtime_ns"), h["status"],
                                             h.get("error_code"), h.get("error_message")) for h in hits],
                         datetime.now())
        self.con.execute("UPDATE findings SET last_run = ? WHERE sha256 IN (SELECT unnest(?))",
                         [run_id, list({h["sha256"] for h in hits})])

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
        """finding_id -> its latest decision row (by decided_at, then import time).
        A decision never counts as made after it was imported: one stored with a
        future date (before review.decision_time clamped them) does not outrank
        the decisions made after it."""
        self.flush()  # results written first: their legacy ids carry decisions over (store.legacy_ids)
        cur = self.con.execute(
            f"SELECT {','.join(DECISION_COLUMNS)} FROM decisions QUALIFY row_number() OVER ("
            "PARTITION BY finding_id ORDER BY least(decided_at, imported_at) DESC NULLS LAST, imported_at DESC, "
            "rowid DESC) = 1")
        return {row[0]: dict(zip(DECISION_COLUMNS, row, strict=True)) for row in cur.fetchall()}

    # -- reading and export ---------------------------------------------------
    def query(self, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
        self.flush()
        cur = self.con.execute(sql, params or [])
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, cur.fetchall()

    def lock_down(self) -> None:
        """Make this (read-only) connection a sandbox for SQL from outside: no
        file access (COPY … TO, EXPORT, read_text, read_csv, ATTACH), no
        extension install or load from disk, no Python variables as tables, and
        no setting may be changed back afterwards. `perfaudit query` runs here."""
        for setting in ("enable_external_access = false", "autoinstall_known_extensions = false",
                        "autoload_known_extensions = false", "allow_community_extensions = false",
                        "python_enable_replacements = false", "lock_configuration = true"):
            self.con.execute(f"SET {setting}")

    def stream(self, sql: str, rows_at_a_time: int = 1000) -> tuple[list[str], Iterator[tuple]]:
        """Columns and rows of `sql`, fetched a slice at a time (a large result is not held whole)."""
        self.flush()
        cur = self.con.execute(sql)
        columns = [d[0] for d in cur.description] if cur.description else []

        def rows() -> Iterator[tuple]:
            while chunk := cur.fetchmany(rows_at_a_time):
                yield from chunk

        return columns, rows()

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

"""Cross-document checks over what the store holds (SQL, no GX), for the
catalogue's batch rules of these kinds (rules/crossdoc.yml):

- `resubmitted_figures` (XDOC-01): a unit's overall report for one year
  submitted twice with different key figures;
- `duplicate_file` (XDOC-02): the same file submitted under several names.

Only each path's newest content counts ("current" documents), so a file
corrected in place is not compared with its own earlier version. Project
reports are not paired: a unit files one per project, and the record has no
project name to tell them apart.
"""

from __future__ import annotations

from pipeline.store.batch_rules import batch_finding, rules_of, shown

FIGURES = (  # (label, SQL expression over records r and budget_lines b of line 'total')
    ("全年预算数", "b.budget"), ("全年执行数", "b.executed"), ("执行率", "b.rate"),
    ("综合得分", "r.score"), ("评价等级", "r.rating"),
)
# Where each figure's source text sits in the stored record JSON (SPEC §4 + sources).
FIGURE_SOURCES = {
    "全年预算数": ("budget", "total", "sources", "budget"), "全年执行数": ("budget", "total", "sources", "executed"),
    "执行率": ("budget", "total", "sources", "rate"), "综合得分": ("sources", "score"),
    "评价等级": ("sources", "rating"),
}
SLICE_DOCS = 20_000  # documents per slice of the work: DuckDB's memory grows with a slice, not the store


def cross_checks(store, shas: list[str], rules: list | None = None) -> dict[str, list[dict]]:
    """Findings per sha256 for the run's documents; `rules`: the run's catalogue (default: the built-in one).

    Every step works a slice at a time (one slice per SLICE_DOCS documents in
    the store, cut by a hash of what the step groups by) on a connection of its
    own, through temporary tables of the few columns it needs: which content
    is current under each path (`xdoc_cur`), and each current overall report's
    unit, year and key figures (`xdoc_docs`). A store of 400 reports of a few
    units ran out of DuckDB's 64 MB when the pairs were joined whole, with
    their record JSON; now memory stays flat at 100,000 reports
    (benchmarks/bench_store.py)."""
    out: dict[str, list[dict]] = {}
    con = store.con.cursor()
    try:
        slices = _prepare(con, shas)
        found = [*(f for rule in rules_of(rules, "resubmitted_figures") for f in _twice_submitted(store, con, slices,
                                                                                                   rule)),
                 *(f for rule in rules_of(rules, "duplicate_file") for f in _duplicates(con, slices, rule))]
    finally:
        con.close()  # its temporary tables go with it
    for sha, finding in found:
        out.setdefault(sha, []).append(finding)
    return out


def _prepare(con, shas: list[str]) -> int:
    """Fill the temporary tables slice by slice; return the number of slices."""
    n = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    slices = max(1, -(-n // SLICE_DOCS))
    con.execute("CREATE TEMP TABLE xdoc_run AS SELECT DISTINCT unnest(?::TEXT[]) AS sha256", [list(shas)])
    # Only each path's newest content counts (a file corrected in place is not its own resubmission).
    con.execute("CREATE TEMP TABLE xdoc_cur (path TEXT, sha256 TEXT)")
    for k in range(slices):
        con.execute("INSERT INTO xdoc_cur SELECT path, arg_max(sha256, last_seen) FROM documents "
                    "WHERE sha256 <> '' AND status = 'ok' AND hash(path) % $n = $k GROUP BY path",
                    {"n": slices, "k": k})
    cols = ", ".join(f"any_value({expr}) AS f{i}" for i, (_, expr) in enumerate(FIGURES))
    # every side of the joins cut to the slice (a filter on one side is not carried to the other)
    docs = f"""
        SELECT r.sha256, min(c.path) AS path, any_value(r.unit) AS unit, any_value(r.year) AS year,
               coalesce(any_value(r.document_id), r.sha256) AS document_id,
               bool_or(m.sha256 IS NOT NULL) AS in_run, {cols}
        FROM (SELECT sha256, unit, year, document_id, score, rating FROM records
              WHERE unit IS NOT NULL AND year IS NOT NULL AND doc_type = 'department_overall'
                AND hash(sha256) % $n = $k) r
        JOIN (SELECT path, sha256 FROM xdoc_cur WHERE hash(sha256) % $n = $k) c USING (sha256)
        LEFT JOIN (SELECT sha256, budget, executed, rate FROM budget_lines
                   WHERE line = 'total' AND hash(sha256) % $n = $k) b ON b.sha256 = r.sha256
        LEFT JOIN (SELECT sha256 FROM xdoc_run WHERE hash(sha256) % $n = $k) m ON m.sha256 = r.sha256
        GROUP BY r.sha256"""
    con.execute(f"CREATE TEMP TABLE xdoc_docs AS {docs} LIMIT 0", {"n": slices, "k": 0})
    for k in range(slices):
        con.execute(f"INSERT INTO xdoc_docs {docs}", {"n": slices, "k": k})
    return slices


FETCH_ROWS = 2_000  # rows taken from DuckDB at a time, and record JSON fetched per round trip


def _twice_submitted(store, con, slices: int, rule):
    """One finding per run document, naming the first conflicting submission
    (by path) and counting the rest: the pairs are joined over the key figures
    only and aggregated per document, one slice of units at a time; the record
    JSON for the evidence is fetched for the documents found, a few at a time."""
    n = len(FIGURES)
    differs = " OR ".join(f"(a.f{i} IS NOT NULL AND o.f{i} IS NOT NULL AND a.f{i} <> o.f{i})" for i in range(n))
    other = "{" + ", ".join(["'sha256': o.sha256", "'path': o.path", *(f"'f{i}': o.f{i}" for i in range(n))]) + "}"
    sql = f"""
        SELECT a.sha256, any_value(a.unit), any_value(a.year), any_value(a.document_id),
               {", ".join(f"any_value(a.f{i})" for i in range(n))}, arg_min({other}, o.path), count(*)
        FROM (SELECT * FROM xdoc_docs WHERE in_run AND hash(unit, year) % $n = $k) a
        JOIN (SELECT * FROM xdoc_docs WHERE hash(unit, year) % $n = $k) o
          ON a.unit = o.unit AND a.year = o.year AND a.sha256 <> o.sha256
        WHERE {differs}
        GROUP BY a.sha256 ORDER BY a.sha256"""
    for k in range(slices):
        con.execute(sql, {"n": slices, "k": k})
        while rows := con.fetchmany(FETCH_ROWS):
            jsons = _record_json(store, {sha for row in rows for sha in (row[0], row[4 + n]["sha256"])})
            for row in rows:
                yield row[0], _resubmission_finding(rule, row, n, jsons)


def _resubmission_finding(rule, row: tuple, n: int, jsons: dict[str, str]) -> dict:
    sha, unit, year, document_id = row[:4]
    mine, other, rest = row[4:4 + n], row[4 + n], row[5 + n] - 1
    theirs = [other[f"f{i}"] for i in range(n)]
    diffs = [(label, a, b) for (label, _), a, b in zip(FIGURES, mine, theirs, strict=True)
             if a is not None and b is not None and a != b]
    text = "；".join(f"{label} {shown(a)} 与 {shown(b)}" for label, a, b in diffs)
    more = f"；另有 {rest} 份同样不一致" if rest else ""
    finding = batch_finding(rule, document_id, "document",
                            {"unit": unit, "year": year, "other": other["path"], "differences": text, "more": more},
                            stated="；".join(shown(a) for _, a, _b in diffs),
                            expected="；".join(shown(b) for _, _a, b in diffs))
    finding["evidence"] = _evidence(diffs, jsons.get(sha), jsons.get(other["sha256"]), other["path"])
    return finding


def _record_json(store, shas: set[str]) -> dict[str, str]:
    """The stored record JSON of `shas` (one row per content: write.write_results replaces it whole)."""
    return dict(store.con.execute("SELECT sha256, record_json FROM records WHERE sha256 IN (SELECT unnest(?))",
                                  [sorted(shas)]).fetchall())


def _evidence(diffs, mine_json: str | None, theirs_json: str | None, other_path: str) -> list[dict]:
    """This document's source text for each differing figure, then the other
    submission's (with its path): no finding without evidence."""
    import json

    mine, theirs = (json.loads(j) if j else {} for j in (mine_json, theirs_json))
    out = []
    for label, a, b in diffs:
        for record, value, source in ((mine, a, None), (theirs, b, other_path)):
            ev = _dig(record, FIGURE_SOURCES[label]) or {}
            item = {"text": ev.get("text") or f"{label} {shown(value)}", "page": ev.get("page"), "line": ev.get("line")}
            if source:
                item["source"] = source
            out.append(item)
    return out


def _distinct_files(paths: list[str]) -> list[str]:
    """One name per file: 'fixtures/a.txt' and '/work/x/fixtures/a.txt' run from
    different folders are the same submission, not a duplicate."""
    import os

    seen: dict[str, str] = {}
    for p in paths:
        key = os.path.realpath(p) if os.path.exists(p) else p
        seen.setdefault(key, p)
    return list(seen.values())


def _dig(obj, path):
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _duplicates(con, slices: int, rule):
    sql = """
        SELECT c.sha256, list(c.path ORDER BY c.path), coalesce(any_value(r.document_id), c.sha256)
        FROM (SELECT path, sha256 FROM xdoc_cur WHERE hash(sha256) % $n = $k) c
        JOIN (SELECT sha256 FROM xdoc_run WHERE hash(sha256) % $n = $k) m USING (sha256)
        LEFT JOIN (SELECT sha256, document_id FROM records WHERE hash(sha256) % $n = $k) r USING (sha256)
        GROUP BY c.sha256 HAVING count(DISTINCT c.path) > 1 ORDER BY c.sha256"""
    rows = [row for k in range(slices) for row in con.execute(sql, {"n": slices, "k": k}).fetchall()]
    for sha, paths, document_id in rows:
        paths = _distinct_files(paths)
        if len(paths) < 2:
            continue
        finding = batch_finding(rule, document_id, "document", {"n": len(paths), "paths": "、".join(paths)},
                                stated=str(len(paths)), expected="1")
        finding["evidence"] = [{"text": p, "page": None, "line": None, "source": p} for p in paths]
        yield sha, finding

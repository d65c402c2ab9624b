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
CURRENT_DOCS = """
    SELECT path, sha256 FROM documents WHERE sha256 <> '' AND status = 'ok'
    QUALIFY row_number() OVER (PARTITION BY path ORDER BY last_seen DESC) = 1"""


def cross_checks(store, shas: list[str], rules: list | None = None) -> dict[str, list[dict]]:
    """Findings per sha256 for the run's documents; `rules`: the run's catalogue (default: the built-in one)."""
    out: dict[str, list[dict]] = {}
    found = [*(f for rule in rules_of(rules, "resubmitted_figures") for f in _twice_submitted(store, shas, rule)),
             *(f for rule in rules_of(rules, "duplicate_file") for f in _duplicates(store, shas, rule))]
    for sha, finding in found:
        out.setdefault(sha, []).append(finding)
    return out


def _twice_submitted(store, shas: list[str], rule):
    cols = ", ".join(f"{expr} AS f{i}" for i, (_, expr) in enumerate(FIGURES))
    differs = " OR ".join(f"(a.f{i} IS NOT NULL AND o.f{i} IS NOT NULL AND a.f{i} <> o.f{i})"
                          for i in range(len(FIGURES)))
    sql = f"""
        WITH cur AS ({CURRENT_DOCS}),
        docs AS (SELECT DISTINCT ON (r.sha256) r.sha256, cur.path, r.unit, r.year,
                        coalesce(r.document_id, r.sha256) AS document_id, {cols}, r.record_json
                 FROM records r JOIN cur USING (sha256)
                 LEFT JOIN budget_lines b ON b.sha256 = r.sha256 AND b.line = 'total'
                 WHERE r.unit IS NOT NULL AND r.year IS NOT NULL AND r.doc_type = 'department_overall')
        SELECT a.* EXCLUDE (record_json), o.sha256, o.path, {", ".join(f"o.f{i}" for i in range(len(FIGURES)))},
               a.record_json, o.record_json,
               count(*) OVER (PARTITION BY a.sha256) AS n_other
        FROM docs a JOIN docs o ON a.unit = o.unit AND a.year = o.year AND a.sha256 <> o.sha256
        WHERE a.sha256 IN (SELECT unnest(?)) AND ({differs})
        QUALIFY row_number() OVER (PARTITION BY a.sha256 ORDER BY o.path) = 1"""
    # One finding per document, naming one conflicting submission and counting the rest
    # (pairs grow quadratically with a unit's submissions; only one row per document leaves DuckDB).
    n = len(FIGURES)
    for row in store.con.execute(sql, [list(shas)]).fetchall():
        sha, _path, unit, year, document_id = row[:5]
        other_path, theirs, rest = row[6 + n], row[7 + n:7 + 2 * n], row[-1] - 1
        mine_json, theirs_json = row[7 + 2 * n], row[8 + 2 * n]
        diffs = [(label, a, b) for (label, _), a, b in zip(FIGURES, row[5:5 + n], theirs, strict=True)
                 if a is not None and b is not None and a != b]
        text = "；".join(f"{label} {shown(a)} 与 {shown(b)}" for label, a, b in diffs)
        more = f"；另有 {rest} 份同样不一致" if rest else ""
        finding = batch_finding(rule, document_id, "document",
                                {"unit": unit, "year": year, "other": other_path, "differences": text, "more": more},
                                stated="；".join(shown(a) for _, a, _b in diffs),
                                expected="；".join(shown(b) for _, _a, b in diffs))
        finding["evidence"] = _evidence(diffs, mine_json, theirs_json, other_path)
        yield sha, finding


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


def _duplicates(store, shas: list[str], rule):
    sql = f"""
        WITH cur AS ({CURRENT_DOCS})
        SELECT c.sha256, list(c.path ORDER BY c.path), coalesce(any_value(r.document_id), c.sha256)
        FROM cur c LEFT JOIN records r USING (sha256)
        WHERE c.sha256 IN (SELECT unnest(?)) GROUP BY c.sha256 HAVING count(DISTINCT c.path) > 1"""
    for sha, paths, document_id in store.con.execute(sql, [list(shas)]).fetchall():
        paths = _distinct_files(paths)
        if len(paths) < 2:
            continue
        finding = batch_finding(rule, document_id, "document", {"n": len(paths), "paths": "、".join(paths)},
                                stated=str(len(paths)), expected="1")
        finding["evidence"] = [{"text": p, "page": None, "line": None, "source": p} for p in paths]
        yield sha, finding

"""Finding ids of stores written before schema 3.

Those ids were keyed on unit, year, document type (and, later, project name),
rule and subject: two documents whose unit the extractor missed shared ids,
and a decision on one hid the other's finding. Ids now derive from the
document's identity (model.finding_id). A stored finding keeps its old id
until its document is audited again (every document is, the first time the
new version runs: its extractor fingerprint changed); then, in the same
transaction as the new rows:

- each old id of that document is matched to the new id of the same rule and
  subject (and occurrence), and the pair is kept in `legacy_ids`;
- the finding keeps the run that first reported it;
- decisions made on the old id are copied to the new id, but only those
  imported after the document's finding first appeared: a decision cannot be
  about a document the store had not seen yet (the old collision gave a new
  report's error the id of an older, decided one).

`perfaudit review import` of a workbook exported before the change goes
through `legacy_id_map` (store.review_workbook) to the new ids.
"""

from __future__ import annotations

import hashlib

from pipeline.model import occurrence_ids


def legacy_id(record: dict | None, rule: str, subject: str, with_project: bool = True) -> str:
    """The id the finding had before schema 3 (record: the SPEC §4 JSON)."""
    record = record or {}
    parts = [record.get("unit"), record.get("year"), record.get("doc_type"), rule, subject]
    if with_project and record.get("project"):
        parts.insert(3, record["project"])
    return hashlib.sha1("|".join(str(x) for x in parts).encode("utf-8")).hexdigest()[:12]


def legacy_pairs(record: dict | None, document_id: str | None, findings: list[dict],
                 old_ids: set[str]) -> list[tuple[str, dict]]:
    """(old id, finding) for each finding whose old id is among `old_ids`."""
    if not old_ids or not document_id:
        return []
    counts: dict[tuple[str, str], int] = {}
    for f in findings:
        counts[f["rule"], f["subject"]] = counts.get((f["rule"], f["subject"]), 0) + 1
    out = []
    for f in findings:
        ids = occurrence_ids(document_id, f["rule"], f["subject"], counts[f["rule"], f["subject"]])
        if f["id"] not in ids:
            continue
        k = ids.index(f["id"]) + 1
        keyed = f["subject"] if k == 1 else f"{f['subject']}#{k}"
        for with_project in (True, False):  # project names joined the old key late; batch rules never had them
            old = legacy_id(record, f["rule"], keyed, with_project)
            if old in old_ids:
                out.append((old, f))
                break
    return out


def carry_legacy_ids(con, sha: str, record: dict | None, document_id: str | None, findings: list[dict],
                     first: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """Map this document's old-scheme rows to its new findings (see the module
    docstring); returns {(sha, new id): first_run} to carry. The caller holds
    the transaction and replaces the findings rows afterwards."""
    new_ids = {f["id"] for f in findings}
    stale = {fid for (s, fid) in first if s == sha} - new_ids
    pairs = legacy_pairs(record, document_id, findings, stale)
    if not pairs:
        return {}
    for old, f in pairs:
        con.execute("INSERT INTO legacy_ids (sha256, legacy_id, finding_id, rule, subject) SELECT ?, ?, ?, ?, ? "
                    "WHERE NOT EXISTS (SELECT 1 FROM legacy_ids WHERE sha256 = ? AND legacy_id = ? "
                    "AND finding_id = ?)", [sha, old, f["id"], f["rule"], f["subject"], sha, old, f["id"]])
        copy_decisions(con, old, f["id"], f["rule"], first[sha, old])
    return {(sha, f["id"]): first[sha, old] for old, f in pairs}


def copy_decisions(con, old: str, new: str, rule: str, first_run: str | None) -> None:
    """Decisions on `old` imported once its finding existed (its first run had
    started) become decisions on `new`, each once."""
    con.execute(
        "INSERT INTO decisions (finding_id, rule, subject, decision, opinion, reviewer, decided_at, source_file, "
        "imported_at) SELECT ?, d.rule, d.subject, d.decision, d.opinion, d.reviewer, d.decided_at, d.source_file, "
        "d.imported_at FROM decisions d WHERE d.finding_id = ? AND d.rule IS NOT DISTINCT FROM ? "
        "AND d.imported_at >= coalesce((SELECT min(started_at) FROM runs WHERE run_id = ?), TIMESTAMP '1970-01-01') "
        "AND NOT EXISTS (SELECT 1 FROM decisions e WHERE e.finding_id = ? AND e.decision = d.decision "
        "AND e.opinion IS NOT DISTINCT FROM d.opinion AND e.decided_at IS NOT DISTINCT FROM d.decided_at)",
        [new, old, rule, first_run, new])


def legacy_id_map(con, legacy: str, source: str | None) -> list[str]:
    """The new ids an old id became: on the document exported as `source` if
    the store knows that path, else on every document that had it (the caller
    refuses more than one)."""
    rows = con.execute(
        "SELECT DISTINCT l.finding_id, l.sha256 IN (SELECT sha256 FROM documents WHERE path = ?) AS here "
        "FROM legacy_ids l WHERE l.legacy_id = ?", [source, legacy]).fetchall()
    here = [fid for fid, mine in rows if mine]
    return sorted(here or [fid for fid, _ in rows])

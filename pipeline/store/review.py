"""Review stage: decisions auditors make on findings, read back from the
exported workbook, carried onto later runs, and counted per rule.

    report = import_workbook("reports/2024/audit.xlsx", store)   # validated, idempotent
    rep = carry_decisions(rep, store.latest_decisions())           # finding["review"] = {...}
    rows = rule_stats(store)                                      # measured precision per rule

openpyxl is imported inside the functions; the store is passed in.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from pipeline.labels import DECISION_CONFIRMED, DECISION_DISMISSED, DECISION_FIXED, DECISIONS
from pipeline.model import SEVERITIES
from pipeline.store.review_workbook import (  # noqa: F401 - ReviewFileError, check_id: part of this API
    ImportReport,
    ReviewFileError,
    check_id,
    read_workbook,
    validate_rows,
)

NEW_ONLY = "--new-only"
# Who decided, when the workbook does not say (openpyxl writes its own name as author).
ANONYMOUS_AUTHORS = {"", "openpyxl"}


def rule_fingerprint(rule) -> str:
    """What a rule flags depends on its check kind and parameters; wording and
    severity do not change which findings it gives."""
    key = json.dumps({"check": rule.check, "params": rule.params}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def rule_fingerprints(rules_dirs=None) -> dict[str, str]:
    from pipeline.audit.rules import load_rules

    return {r.id: rule_fingerprint(r) for r in load_rules(rules_dirs, include_retired=True)}


def import_workbook(path: str | Path, store, rules_dirs=None, reviewer: str | None = None) -> ImportReport:
    """Validate every row of the workbook's 问题清单; if all are valid, save the
    decisions (all or nothing). Importing the same file again changes nothing."""
    book = read_workbook(Path(path))
    report = validate_rows(book, rule_fingerprints(rules_dirs), legacy=_legacy_resolver(store))
    if report.errors:
        return report
    who = reviewer or (book.author if book.author not in ANONYMOUS_AUTHORS else None)
    when = decision_time(book.saved_at)
    if when != book.saved_at:
        report.future_dated = book.saved_at
    latest = store.latest_decisions()
    fresh = []
    for row in report.decisions:
        row.update(reviewer=who, decided_at=when, source_file=str(path))
        last = latest.get(row["finding_id"])
        if last and (last["decision"], last["opinion"] or None) == (row["decision"], row["opinion"]):
            report.unchanged += 1
        else:
            fresh.append(row)
    inserted, unchanged = store.save_decisions(fresh) if fresh else (0, 0)
    report.inserted, report.unchanged = inserted, report.unchanged + unchanged
    return report


LEGACY_AMBIGUOUS = ("旧版工作簿的问题编号在数据库中对应多份文档的问题（旧编号在不同文档间可能重复），"
                    "无法确定是哪一份；请重新审核并导出工作簿后填写。")
LEGACY_UNKNOWN = "旧版工作簿的问题编号在数据库中找不到对应的问题；请重新审核并导出工作簿后填写。"


def _legacy_resolver(store):
    """For a workbook exported before ids derived from the document: its old id
    -> the new id the store mapped it to on that document (store.legacy_ids),
    or the old id itself while the store still holds it on exactly one
    document (it is carried over when that document is audited again)."""
    from pipeline.store.legacy_ids import legacy_id_map

    def resolve(fid: str, entry: dict) -> tuple[str | None, str | None]:
        mapped = legacy_id_map(store.con, fid, entry.get("source"))
        if len(mapped) == 1:
            return mapped[0], None
        if mapped:
            return None, LEGACY_AMBIGUOUS
        _, rows = store.query("SELECT count(DISTINCT sha256) FROM findings WHERE finding_id = ?", [fid])
        held = rows[0][0]
        return (fid, None) if held == 1 else (None, LEGACY_AMBIGUOUS if held else LEGACY_UNKNOWN)

    return resolve


def decision_time(saved_at: datetime) -> datetime:
    """When the decisions in a workbook saved at `saved_at` were made: its save
    time, but never later than now. The save time is the workbook's own claim
    (Excel writes UTC, a file without it gives its local mtime); one dated 2099
    would otherwise outrank every decision made after it."""
    now = max(datetime.now(), datetime.now(UTC).replace(tzinfo=None)).replace(microsecond=0)
    return min(saved_at, now)


def review_of(row: dict) -> dict:
    """The `review` object carried on a finding (JSON-safe)."""
    when = row.get("decided_at")
    return {
        "decision": row["decision"],
        "opinion": row.get("opinion"),
        "reviewer": row.get("reviewer"),
        "decided_at": when.isoformat(sep=" ", timespec="seconds") if isinstance(when, datetime) else when,
    }


def carry_decisions(rep: dict, decisions: dict[str, dict], new_only: bool = False) -> dict:
    """A report (SPEC §3 dict) with each finding's latest decision attached as
    `finding["review"]` (SPEC allows extra keys) and, with `new_only`, the
    decided findings dropped and counted in `rep["hidden"]` (report.hidden),
    so no view reads 「未发现问题」 over hidden errors. The findings are copied,
    `rep` is not changed."""
    findings, gone = [], []
    for f in rep["findings"]:
        row = decisions.get(f["id"])
        if row and row.get("rule") in (None, f["rule"]):
            f = {**f, "review": review_of(row)}
        (gone if new_only and "review" in f else findings).append(f)
    out = {**rep, "findings": findings}
    if new_only and rep.get("status") == "ok":
        out["hidden"] = hidden_block(gone)
    return out


def hidden_block(findings: list[dict], filter_name: str = NEW_ONLY) -> dict:
    """The `hidden` block for findings a filter dropped (each with its `review`)."""
    decisions = dict.fromkeys(DECISIONS, 0)
    for f in findings:
        decision = (f.get("review") or {}).get("decision")
        if decision in decisions:
            decisions[decision] += 1
    return {
        "filter": filter_name, "findings": len(findings),
        **{s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITIES},
        "confirmed_errors": sum(1 for f in findings if f["severity"] == "error"
                                and (f.get("review") or {}).get("decision") in (DECISION_CONFIRMED, DECISION_FIXED)),
        "decisions": decisions,
    }


def add_hidden(total: dict | None, block: dict) -> dict:
    """The summary's block: `block` added to `total` (None: nothing counted yet)."""
    if total is None:
        total = {**hidden_block([], block["filter"]), "reports": 0}
    out = {**total, "decisions": dict(total["decisions"])}
    for key in ("findings", *SEVERITIES, "confirmed_errors"):
        out[key] += block[key]
    for d, n in block["decisions"].items():
        out["decisions"][d] = out["decisions"].get(d, 0) + n
    out["reports"] += bool(block["findings"])
    return out


def rule_stats(store, rules=None) -> list[dict]:
    """Per rule: findings seen, reviewed, confirmed / fixed / dismissed and the
    measured precision (confirmed + fixed) / reviewed, from latest decisions."""
    titles = {r.id: r.title for r in rules or []}
    seen = _findings_per_rule(store)
    counts: dict[str, dict[str, int]] = {}
    for row in store.latest_decisions().values():
        c = counts.setdefault(row["rule"], dict.fromkeys(DECISIONS, 0))
        c[row["decision"]] += 1
    out = []
    for rule in sorted(set(counts) | set(seen)):
        c = counts.get(rule, dict.fromkeys(DECISIONS, 0))
        reviewed = sum(c.values())
        true_pos = c[DECISION_CONFIRMED] + c[DECISION_FIXED]
        out.append({
            "rule": rule, "title": titles.get(rule), "findings": seen.get(rule, 0), "reviewed": reviewed,
            "confirmed": c[DECISION_CONFIRMED], "fixed": c[DECISION_FIXED], "dismissed": c[DECISION_DISMISSED],
            "precision": round(true_pos / reviewed, 4) if reviewed else None,
        })
    return out


def _findings_per_rule(store) -> dict[str, int]:
    try:
        _, rows = store.query("SELECT rule, count(DISTINCT finding_id) FROM findings GROUP BY rule")
    except Exception:  # noqa: BLE001 - a store without a findings table still has decisions
        return {}
    return dict(rows)

"""Audit stage: run every rule of the catalogue over a Record -> Findings."""

from __future__ import annotations

from .checks import KINDS, Tally
from .model import Finding, Record, finding_id
from .rules import Rule

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def audit_record(record: Record, rules: list[Rule]) -> tuple[list[Finding], int]:
    """All findings for one record, in catalogue order, and how many checks ran."""
    tally = Tally()
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for rule in rules:
        for hit in KINDS[rule.check].run(record, rule.params, tally):
            base = finding_id(record, rule.id, hit.subject)
            seen[base] = seen.get(base, 0) + 1
            fid = base if seen[base] == 1 else finding_id(record, rule.id, f"{hit.subject}#{seen[base]}")
            findings.append(
                Finding(
                    rule=rule.id,
                    category=rule.category,
                    severity=hit.severity or rule.severity,
                    subject=hit.subject,
                    message=rule.render(hit.values, hit.variant),
                    evidence=tuple(hit.evidence),
                    stated=hit.stated,
                    expected=hit.expected,
                    suggestion=hit.suggestion,
                    gross=hit.gross,
                    id=fid,
                    title=rule.title,
                    extra=hit.extra,
                )
            )
    return findings, tally.checks_run

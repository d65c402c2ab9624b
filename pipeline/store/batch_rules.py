"""What the store stage's batch checks (crossdoc, validate) share: their
rules come from the catalogue (rules/crossdoc.yml, rules/quality.yml) like
every other rule, and their findings are SPEC §5 findings made from them."""

from __future__ import annotations

from pipeline.model import finding_id


def rules_of(rules: list | None, check: str) -> list:
    """The catalogue's rules of batch kind `check` (default: the built-in catalogue)."""
    if rules is None:
        from pipeline.audit.rules import load_rules

        rules = load_rules()
    return [r for r in rules if r.check == check]


def batch_finding(rule, document_id: str, subject: str, values: dict, stated: str | None,
                  expected: str | None) -> dict:
    """A finding of batch rule `rule` on `subject` of the document whose
    identity is `document_id` (records.document_id); evidence is the caller's to add."""
    return {"id": finding_id(document_id, rule.id, subject), "rule": rule.id, "category": rule.category,
            "severity": rule.severity, "subject": subject, "message": rule.render(values),
            "stated": stated, "expected": expected, "suggestion": None, "gross": False, "evidence": [],
            "title": rule.title}


def shown(value) -> str:
    """A value from a batch table as a finding shows it: 100.0 -> 100, else as is."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

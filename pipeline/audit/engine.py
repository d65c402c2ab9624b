"""Audit stage: run every rule of the catalogue over a Record -> Findings."""

from __future__ import annotations

from dataclasses import replace

from pipeline.audit.checks import KINDS, Tally
from pipeline.audit.rules import Rule
from pipeline.model import Finding, Record, finding_id
from pipeline.numbers import arithmetic

# A finding whose evidence was read by OCR with a character scored below this
# (recogniser probability, 0..1) may rest on a misread digit: an error becomes
# a warning and the message asks for the original to be checked.
OCR_MIN_CONFIDENCE = 0.9
OCR_LOW_NOTE = "（OCR 识别置信度低，请核对原件）"


def audit_record(record: Record, rules: list[Rule]) -> tuple[list[Finding], int]:
    """All findings for one record, in catalogue order, and how many checks ran.
    Their ids derive from `record.document_id` (model.finding_id)."""
    with arithmetic():  # sums and rates of long figures stay exact (pipeline.numbers)
        return _audit_record(record, rules)


def _audit_record(record: Record, rules: list[Rule]) -> tuple[list[Finding], int]:
    tally = Tally()
    findings: list[Finding] = []
    seen: dict[tuple[str, str], int] = {}
    for rule in rules:
        kind = KINDS[rule.check]
        if kind.scope != "record":
            continue  # batch-level: run by the store stage over the whole batch
        for hit in kind.run(record, rule.params, tally):
            seen[hit.subject, rule.id] = n = seen.get((hit.subject, rule.id), 0) + 1
            fid = finding_id(record.document_id, rule.id, hit.subject if n == 1 else f"{hit.subject}#{n}")
            finding = Finding(
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
            findings.append(truncation_downgrade(ocr_downgrade(finding), record))
    return findings, tally.checks_run


# Findings that a reason is *absent*: in a document that stops mid-sentence
# the reason may stand after the cut, so they are only worth a look.
ABSENCE_CATEGORIES = ("missing_explanation", "missing_deviation_reason")
TRUNCATED_NOTE = "（文档在句中中断，说明可能在缺失部分中，请核对全文）"


def truncation_downgrade(finding: Finding, record: Record) -> Finding:
    if not record.truncated or finding.category not in ABSENCE_CATEGORIES or finding.severity == "info":
        return finding
    return replace(finding, severity="info", message=finding.message + TRUNCATED_NOTE,
                   extra={**finding.extra, "truncated_document": True})


def ocr_downgrade(finding: Finding, threshold: float = OCR_MIN_CONFIDENCE) -> Finding:
    """Downgrade (error -> warning) and annotate a finding resting on low-confidence OCR text."""
    scores = [e.confidence for e in finding.evidence if e is not None and e.confidence is not None]
    if not scores or min(scores) >= threshold:
        return finding
    return replace(
        finding,
        severity="warning" if finding.severity == "error" else finding.severity,
        message=finding.message + OCR_LOW_NOTE,
        extra={**finding.extra, "ocr_confidence": round(min(scores), 3)},
    )

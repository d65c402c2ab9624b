"""One record from a narrative and its attached form.

The record keeps the **form's** values wherever the form states them: the
自评表 is the self-evaluation's result format (财预〔2020〕10号 changed the
result from a report to the form), it is the more structured source, and its
rows carry the scores the narrative only summarises. Every quantity both
sources state — the total's 全年预算数 / 全年执行数 / 执行率, 总分 and 等级 —
is kept as a CrossCheck for CONS-01. Narrative-only facts (basic/special
lines, header fields) stay as the narrative gives them.
"""

from __future__ import annotations

from pipeline.extract.form import FormPart
from pipeline.extract.form_labels import HEADER_FIELDS  # noqa: F401  (documented field names)
from pipeline.model import CrossCheck, Record

CROSS_FIELDS = ("year_start", "budget", "executed", "rate")


def merge_form(record: Record, part: FormPart) -> None:
    record.form_layout = part.layout
    record.form_end = part.score is not None or part.total_weight is not None
    record.form_unread_groups = [(c.text.strip(), c.evidence) for c in part.unread_groups]
    _merge_budget(record, part)
    if part.indicators:
        record.indicators = part.indicators
    record.headings = part.headings
    record.total_weight = part.total_weight
    _merge_evaluation(record, part)
    if not record.unit:
        cell = part.fields.get("unit") or part.fields.get("department")
        if cell is not None:
            record.unit = cell.text
            if cell.evidence:
                record.field_evidence["unit"] = cell.evidence
    if record.doc_type is None:
        record.doc_type = "project" if "project" in part.fields else None
    if record.project is None and "project" in part.fields:
        record.project = part.fields["project"].text
    record.numbers_found += part.numbers


def _narrative_total(record: Record):
    """The narrative's statement of the form's 年度资金总额: its total line, or
    for a project report its only project/special line."""
    if "total" in record.budget:
        return record.budget["total"]
    if record.doc_type == "project":
        lines = [record.budget[k] for k in ("project", "special") if k in record.budget]
        if len(lines) == 1:
            return lines[0]
    return None


def _merge_budget(record: Record, part: FormPart) -> None:
    if not part.budget:
        return
    narrative = _narrative_total(record)
    form_total = part.budget.get("total")
    if narrative is not None and form_total is not None:
        for f in CROSS_FIELDS:
            a, b = form_total.get(f), narrative.get(f)
            if a is not None and b is not None:
                record.cross_checks.append(CrossCheck(f"budget.total.{f}", a, b, a.evidence, b.evidence))
    for name, line in part.budget.items():
        old = record.budget.get(name)
        if old is not None and not line.explanation:
            line.explanation = old.explanation
        record.budget[name] = line


def _merge_evaluation(record: Record, part: FormPart) -> None:
    if part.score is not None:
        if record.score is not None:
            record.cross_checks.append(CrossCheck("score", part.score, record.score, part.score.evidence,
                                                  record.score.evidence))
        record.score = part.score
    if part.rating is not None:
        if record.rating is not None:
            record.cross_checks.append(CrossCheck("rating", part.rating, record.rating, part.rating_evidence,
                                                  record.rating_evidence))
        record.rating = part.rating
        record.rating_evidence = part.rating_evidence

"""Record -> the SPEC §4 JSON shape. Values as stated; provenance in extra keys."""

from __future__ import annotations

from pipeline.model import BUDGET_FIELDS, Indicator, Record
from pipeline.numbers import Number


def _num(n: Number | None):
    return None if n is None else n.json_value()


def _detail(n: Number) -> dict:
    out = {"raw": n.raw, "decimals": n.decimals, "unit": n.unit}
    if n.evidence:
        out.update(n.evidence.to_json())
    return out


def record_to_json(record: Record) -> dict:
    return {
        "doc_type": record.doc_type,
        "unit": record.unit,
        "project": record.project,
        "region": record.region,
        "year": record.year,
        "filled_on": record.filled_on,
        "budget": {name: _budget_line(bl) for name, bl in record.budget.items()},
        "indicators": [_indicator(i) for i in record.indicators],
        "score": _num(record.score),
        "rating": record.rating,
        "sources": _sources(record),
        **_form(record),
    }


def _form(record: Record) -> dict:
    """Table forms: the layout read, the 总分 row's 分值 and weighted headings."""
    if not record.form_layout:
        return {}
    return {"form": {"layout": record.form_layout, "total_weight": _num(record.total_weight),
                     "headings": [{"level": h.level, "name": h.name, "weight": _num(h.weight)}
                                  for h in record.headings]}}


def _budget_line(bl) -> dict:
    out = {f: _num(bl.fields[f]) for f in BUDGET_FIELDS if f in bl.fields}
    out["sources"] = {f: _detail(n) for f, n in bl.fields.items()}
    if bl.explanation:
        out["explanation"] = bl.explanation
    return out


def _value(n: Number | None, text: str | None = None) -> dict | None:
    if n is None and text is None:
        return None
    out = {"value": _num(n), "unit": n.unit if n else None}
    if text:
        out["text"] = text
    if n is not None:
        out["raw"] = n.raw
    return out


def _indicator(ind: Indicator) -> dict:
    t = ind.target
    target = None
    if t is not None:
        target = {"op": t.op, **(_value(t.number, t.text) or {"value": None, "unit": None})}
    out = {
        "index": ind.index,
        "name": ind.name,
        "target": target,
        "midyear": _value(ind.midyear, ind.midyear_text),
        "actual": _value(ind.actual, ind.actual_text),
        "rate": _num(ind.rate),
        "achieved": ind.achieved,
        "deviation_reason": ind.deviation_reason,
    }
    if ind.heading_name is not None:
        out["heading_name"] = ind.heading_name
    for key in ("level1", "level2"):
        if getattr(ind, key):
            out[key] = getattr(ind, key)
    for key in ("weight", "score"):
        if getattr(ind, key) is not None:
            out[key] = _num(getattr(ind, key))
    if ind.coefficient is not None:
        out["coefficient"] = _num(ind.coefficient)
    if ind.target_year_start is not None and ind.target_year_start.number is not None:
        out["target_year_start"] = _num(ind.target_year_start.number)
    if ind.evidence:
        out["source"] = ind.evidence.to_json()
    return out


def _sources(record: Record) -> dict:
    out = {k: e.to_json() for k, e in record.field_evidence.items()}
    if record.score is not None and record.score.evidence:
        out["score"] = record.score.evidence.to_json()
    if record.rating_evidence:
        out["rating"] = record.rating_evidence.to_json()
    return out

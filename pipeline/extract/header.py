"""Cover-page facts: unit, region, year, fill date, document type."""

from __future__ import annotations

import regex

from pipeline.extract.normalize import NLine, Text
from pipeline.model import Record

UNIT_RE = regex.compile(
    r"(?:部门单位|部门[（(]单位[)）]|部门|单位|预算单位|项目单位|实施单位|填报单位)(?:名称)?\s*[（(]?(?:公章|盖章|[^）)：:]{1,3})?[)）]?\s*[:：]\s*(?P<unit>[^\s:：，,]{2,40}?)\s*(?=填报|日期|联系|$)"
)
YEAR_RE = regex.compile(r"(?P<year>(?:19|20)\d{2})\s*年度")
FILLED_RE = regex.compile(
    r"(?:填报|报送|编制|报告|评价)(?:时间|日期)\s*[:：]\s*(?P<y>(?:19|20)\d{2})\s*[年.\-/]\s*(?P<m>\d{1,2})\s*[月.\-/]\s*(?P<d>\d{1,2})"
)
PROJECT_RE = regex.compile(r"项目名称\s*[:：]\s*(?P<name>[^\s:：，,]{2,60})")
REGION_RE_TEMPLATE = r"(?:19|20)\d{{2}}年度?(?P<region>[^，。；：]{{2,40}}?){unit}"


def extract_header(nlines: list[NLine], text: Text, record: Record) -> None:
    head = nlines[:40]
    for nl in head:
        m = UNIT_RE.search(nl.text)
        if m and not record.unit:
            record.unit = m.group("unit")
            record.field_evidence["unit"] = Text([nl]).evidence(*m.span("unit"))
        p = PROJECT_RE.search(nl.text)
        if p and not record.project:
            record.project = p.group("name")
        f = FILLED_RE.search(nl.text)
        if f and not record.filled_on:
            record.filled_on = f"{int(f['y']):04d}-{int(f['m']):02d}-{int(f['d']):02d}"
            record.field_evidence["filled_on"] = Text([nl]).evidence(*f.span())
    y = YEAR_RE.search(text.text)
    if y:
        record.year = int(y.group("year"))
        record.field_evidence["year"] = text.evidence(*y.span())
    if record.unit:
        r = regex.search(REGION_RE_TEMPLATE.format(unit=regex.escape(record.unit)), text.text)
        if r and r.group("region"):
            record.region = r.group("region")
    record.doc_type = _doc_type(text.text[:400])


def _doc_type(opening: str) -> str | None:
    """From the title: 整体支出绩效自评… or 项目支出绩效自评… (a section heading
    such as 预算项目支出情况 says nothing about the document's type)."""
    if regex.search(r"整体支出绩效|整体绩效自评|部门整体", opening):
        return "department_overall"
    if regex.search(r"项目(?:支出)?绩效(?:单位)?自评|项目绩效评价", opening):
        return "project"
    return None

"""Cover facts: unit, region, year, fill date, document type, project name.

Read as a reader does: a labelled field (实施单位 / 部门（单位）名称 …) names the
unit; otherwise the title does (南县住房和城乡建设局2018年度整体支出绩效评价报告),
with the page's publisher (来源：…) as the fuller name where it extends the
title's; the year and the document's type come from the title block, then
the body. The words are data (lexicon.yml, section header).
"""

from __future__ import annotations

import regex

from pipeline.extract.genre import TOC_ENTRY, find_title, title_text
from pipeline.extract.lexicon import lexicon, pattern, patterns
from pipeline.extract.normalize import NLine, Text
from pipeline.model import Record

HEAD_LINES = 60
YEAR_RE = regex.compile(r"(?P<year>(?:19|20)\s?\d{2})\s*年度")
# Without any 年度: the first year the opening names that is no date (2022年预算安排…, not 2022年3月).
BARE_YEAR_RE = regex.compile(r"(?<!\d)(?P<year>20[12]\d)\s*年(?!\s*\d{1,2}\s*月)(?!以来|前|底前)")
BARE_YEAR_WITHIN = 1500
TITLE_YEAR_RE = regex.compile(r"(?P<year>(?:19|20)\s?\d{2})\s*(?:年度?|(?=[^\d]))(?!\d{1,2}月)")
DATE_LIKE = regex.compile(r"(?:19|20)\d{2}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]")
FILLED_RE = regex.compile(
    r"(?:填报|报送|编制|报告|评价|自评)(?:时间|日期)\s*[:：]\s*(?P<y>(?:19|20)\d{2})\s*[年.\-/]\s*(?P<m>\d{1,2})"
    r"\s*[月.\-/]\s*(?P<d>\d{1,2})")
PROJECT_RE = regex.compile(r"项目名称\s*[:：|]?\s*\|?\s*(?P<name>[^\s:：，,|]{2,60})")
REGION_RE_TEMPLATE = r"(?:19|20)\d{{2}}年度?(?P<region>[^，。；：]{{2,40}}?){unit}"
# Where a field's value stops: the next field of a cover page or form header.
VALUE_STOP = regex.compile(
    r"\||[:：]|填报|日期|联系|自评总分|主管部门|实施单位|项目名称|预算编码|评价|时间|金额|负责人|电话|发布|浏览|"
    r"来源|作者|编辑|字号|点击|[（(](?:公章|盖章|签章)[)）]")
TITLE_SPLIT = regex.compile(
    r"(?:19|20)\s?\d{2}\s*(?:-\d{4})?\s*年度?|部门整体|单位整体|机关整体|整体支出|部门预算|项目支出|部门(?:单位)?|"
    r"绩效|关于|专项|[（(]")
LEAD = regex.compile(r"^(?:附件\s*\d*\s*[:：]?|[一二三四五六七八九十\d]+[、.])")
GENERIC_PUBLISHER = regex.compile(r"人民政府$|门户|网$|^本网|^本站")


def extract_header(nlines: list[NLine], text: Text, record: Record) -> None:
    head = nlines[:HEAD_LINES]
    title = _title_block(nlines)
    _unit(head, title, record)
    _year(title, text, record)
    _doc_type(title, record.unit, text.text[:3000], record)
    for nl in head:
        p = PROJECT_RE.search(nl.text)
        if p and not record.project:
            record.project = p.group("name")
        f = FILLED_RE.search(nl.text)
        if f and not record.filled_on:
            record.filled_on = f"{int(f['y']):04d}-{int(f['m']):02d}-{int(f['d']):02d}"
            record.field_evidence["filled_on"] = Text([nl]).evidence(*f.span())
    if record.unit:
        r = regex.search(REGION_RE_TEMPLATE.format(unit=regex.escape(record.unit)), text.text)
        if r and r.group("region"):
            record.region = r.group("region")


def _title_block(nlines: list[NLine]) -> list[NLine]:
    """The report title's line with the short lines around it (a title set
    over two lines, and the （2023年度） line under it)."""
    found = find_title(nlines)
    if found is None:
        return []
    i = found[0]
    lo, hi = i, i + 1
    while lo > 0 and i - lo < 2 and _short(nlines[lo - 1]):
        lo -= 1
    while hi < len(nlines) and hi - i < 2 and _short(nlines[hi]):
        hi += 1
    return nlines[lo:hi]


YEAR_LINE = regex.compile(r"^[（(]?(?:19|20)\s?\d{2}\s*年度?[)）]?$")


def _short(nl: NLine) -> bool:
    """A line that can continue a title: short, not a sentence, not a page's
    frame, not a numbered heading (but （2023年度） is the title's own)."""
    t = title_text(nl)
    if YEAR_LINE.match(t):
        return True
    return (0 < len(t) <= 30 and "。" not in t and not pattern("genre", "page_chrome").search(t)
            and not TOC_ENTRY.search(t))


# --- unit ---------------------------------------------------------------------------

def _org(value: str) -> str | None:
    """The longest head of `value` that ends like an organisation's name."""
    value = value.strip(" |·•-—")
    m = regex.match(rf"^(?P<org>.{{2,40}}?{lexicon()['header']['org_suffix']})(?!.*{lexicon()['header']['org_suffix']})",
                    value)
    if not m:
        m = regex.match(rf"^(?P<org>.{{2,40}}{lexicon()['header']['org_suffix']})", value)
    return m.group("org") if m else None


def _field_value(nlines: list[NLine], k: int, end: int) -> str | None:
    """The value after a field label ending at `end` on line k: the rest of the
    cell, or the next line's first cell (one cell per line)."""
    nl = nlines[k]
    rest = nl.text[end:]
    m = regex.match(r"\s*[（(]?(?:名称|公章|盖章)?[)）]?\s*[:：]?\s*\|*\s*", rest)
    skip = m.end() if m else 0
    value = rest[skip:]
    stop = VALUE_STOP.search(value)
    value = value[: stop.start()] if stop else value
    cut = _next_gap(nl, end + skip)
    if cut is not None and cut - end - skip > 0:
        value = value[: cut - end - skip]  # a space in the source ends a flattened form's cell
    if not value.strip() and k + 1 < len(nlines):
        nxt = nlines[k + 1].text.strip(" |")
        stop = VALUE_STOP.search(nxt)
        value = nxt[: stop.start()] if stop else nxt
    return _org(value.strip()) if value.strip() else None


def _next_gap(nl: NLine, start: int) -> int | None:
    """The first position at or after `start` where the source had a space that
    normalising dropped (cols jump by more than one)."""
    for i in range(max(start, 1), len(nl.cols)):
        if nl.cols[i] - nl.cols[i - 1] > 1 and i > start:
            return i
    return None


def _fields(head: list[NLine]) -> tuple[str, NLine, tuple[int, int]] | None:
    labels = patterns("header", "unit_fields")
    best = None
    for k, nl in enumerate(head):
        for rank, label in enumerate(labels):
            for m in label.finditer(nl.text):
                value = _field_value(head, k, m.end())
                if value and (best is None or rank < best[0]):
                    start = nl.text.find(value, m.end())
                    span = (start, start + len(value)) if start >= 0 else m.span()
                    best = (rank, value, nl, span)
    return (best[1], best[2], best[3]) if best else None


def _from_title(title: list[NLine]) -> tuple[str, NLine] | None:
    for nl in title:
        t = LEAD.sub("", title_text(nl))
        cut = TITLE_SPLIT.search(t)
        if cut and cut.start() >= 2:
            org = _org(t[: cut.start()])
            if org:
                return org, nl
        y = regex.search(r"(?:19|20)\d{2}\s*年度?(?P<rest>.+)", t)
        if y:
            cut = TITLE_SPLIT.search(y.group("rest"))
            org = _org(y.group("rest")[: cut.start()] if cut else "")
            if org:
                return org, nl
    return None


def _publisher(head: list[NLine]) -> str | None:
    for nl in head:
        for label in lexicon()["header"]["publisher_fields"]:
            for m in regex.finditer(rf"{label}\s*[:：|]\s*\|?", nl.text):
                rest = nl.text[m.end():]
                stop = VALUE_STOP.search(rest)
                org = _org(rest[: stop.start()] if stop else rest)
                if org:
                    return org
    return None


def _unit(head: list[NLine], title: list[NLine], record: Record) -> None:
    found = _fields(head)
    if found:
        value, nl, span = found
        record.unit = value
        record.field_evidence["unit"] = Text([nl]).evidence(*span)
        return
    titled = _from_title(title)
    publisher = _publisher(head)
    if titled:
        value, nl = titled
        if publisher and publisher != value and (publisher.startswith(value) or publisher.endswith(value)):
            value = publisher  # 同德镇 in the title, 同德镇人民政府 as publisher
        record.unit = value
        start = nl.text.find(titled[0])
        record.field_evidence["unit"] = Text([nl]).evidence(max(start, 0), max(start, 0) + len(titled[0]))
    elif publisher and not GENERIC_PUBLISHER.search(publisher):
        record.unit = publisher  # a portal (…人民政府, …网) publishes for others


# --- year and type ------------------------------------------------------------------

def _year(title: list[NLine], text: Text, record: Record) -> None:
    for nl in title:
        m = TITLE_YEAR_RE.search(nl.text)
        if m and not DATE_LIKE.match(nl.text[m.start():]):
            record.year = int(m.group("year").replace(" ", ""))
            record.field_evidence["year"] = Text([nl]).evidence(*m.span())
            return
    y = YEAR_RE.search(text.text) or BARE_YEAR_RE.search(text.text, 0, BARE_YEAR_WITHIN)
    if y:
        record.year = int(y.group("year").replace(" ", ""))
        record.field_evidence["year"] = text.evidence(*y.span())


def _doc_type(title: list[NLine], unit: str | None, body: str, record: Record) -> None:
    words = lexicon()["header"]["doc_type"]
    head = "".join(title_text(nl) for nl in title)
    if unit:
        head = head.replace(unit, "")
    for kind in ("department_overall", "project"):
        if head and regex.search(words[kind], head):
            record.doc_type = kind
            return
    opening = body[:400]
    if regex.search(r"整体支出绩效|整体绩效自评|部门整体", opening):
        record.doc_type = "department_overall"
        return
    if regex.search(r"项目(?:支出)?绩效(?:单位)?自评|项目绩效评价|(?:资金|经费)(?:项目)?绩效自评", opening):
        record.doc_type = "project"
        return
    counts = {k: len(regex.findall(p, body)) for k, p in lexicon()["header"]["doc_type_body"].items()}
    if max(counts.values()) > 0:
        record.doc_type = max(counts, key=counts.get)

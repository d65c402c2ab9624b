"""Cover facts: unit, region, year, fill date, document type, project name.

Read as a reader does: a labelled field (实施单位 / 部门（单位）名称 …) names the
unit; otherwise the title does (南县住房和城乡建设局2018年度整体支出绩效评价报告),
with the page's publisher (来源：…) as the fuller name where it extends the
title's; the year and the document's type come from the title block, then
the body. The words are data (lexicon.yml, section header).
"""

from __future__ import annotations

import functools

import regex

from pipeline.extract.genre import HEAD_CHARS, TOC_ENTRY, find_title, is_title_like, title_text
from pipeline.extract.lexicon import lexicon, pattern, patterns
from pipeline.extract.normalize import NLine, Text
from pipeline.model import Record, TextFlaw

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
    _other_year(head, title, record)
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

# Words that start a project's or a fund's name after the unit's (西平县交通运输局|财政衔接推进
# 乡村振兴资金项目): the unit's name ends before them, whatever suffix-like word follows.
PROJECT_WORDS = regex.compile(r"财政(?![局厅所部])|衔接|资金|项目(?![办部]|中心|管理)|经费|补助|补贴|工程(?![局处队学院]|公司|技术|职业|咨询|设计|建设)"
                              r"|专项|转移支付")


@functools.lru_cache(maxsize=1)
def _org_patterns() -> tuple[regex.Pattern, regex.Pattern]:
    """(the shortest head ending in an organisation suffix with none after it, the longest such head)."""
    suffix = lexicon()["header"]["org_suffix"]
    return (regex.compile(rf"^(?P<org>.{{2,40}}?{suffix})(?!.*{suffix})"),
            regex.compile(rf"^(?P<org>.{{2,40}}{suffix})"))


def _org(value: str) -> str | None:
    """The longest head of `value` that ends like an organisation's name (and,
    when a project's name follows, ends before it)."""
    last_only, longest = _org_patterns()
    value = value.strip(" |·•-—")
    pm = PROJECT_WORDS.search(value)
    if pm is not None:  # a fund's name with no unit before it (转移支付财政衔接…) names none
        m = longest.match(value[: pm.start()])
        return m.group("org") if m else None
    m = last_only.match(value) or longest.match(value)
    return m.group("org") if m else None
    m = regex.match(rf"^(?P<org>.{{2,40}}?{lexicon()['header']['org_suffix']})(?!.*{lexicon()['header']['org_suffix']})",
                    value)
    if not m:
        m = regex.match(rf"^(?P<org>.{{2,40}}{lexicon()['header']['org_suffix']})", value)
    return m.group("org") if m else None


FIELD_NOTE = regex.compile(r"\s*[（(]?(?:名称|公章|盖章)?[)）]?\s*[:：]?\s*\|*\s*")


def _field_value(nlines: list[NLine], k: int, end: int) -> str | None:
    """The value after a field label ending at `end` on line k: the rest of the
    cell, or the next line's first cell (one cell per line)."""
    nl = nlines[k]
    rest = nl.text[end:]
    m = FIELD_NOTE.match(rest)
    skip = m.end() if m else 0
    value = rest[skip:]
    stop = VALUE_STOP.search(value)
    value = value[: stop.start()] if stop else value
    cut = _next_gap(nl, end + skip)
    if cut is not None and cut - end - skip > 0:
        value = value[: cut - end - skip]  # a space in the source ends a flattened form's cell
    nxt = ""
    for j in range(k + 1, min(k + 3, len(nlines))) if not value.strip() else ():
        nxt = nlines[j].text.strip(" |")
        nxt = nxt[FIELD_NOTE.match(nxt).end():]  # 实施单位 / （盖章） | …: the label wrapped
        if nxt:
            break
    if nxt:
        stop = VALUE_STOP.search(nxt)
        value = nxt[: stop.start()] if stop else nxt
    return _org(value.strip()) if value.strip() else None


def _next_gap(nl: NLine, start: int) -> int | None:
    """The first position at or after `start` where the source had a space that
    normalising dropped (cols jump by more than one over blanks; a dropped pinyin
    gloss, 部門(mén), is no gap)."""
    src = nl.src.text
    for i in range(max(start, 1), len(nl.cols)):
        if nl.cols[i] - nl.cols[i - 1] > 1 and i > start and not src[nl.cols[i - 1] + 1 : nl.cols[i]].strip():
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


# 现将2022年西平县交通运输局…项目绩效自评总结报告如下: the sentence that introduces a
# report names its title.
INTRODUCED = regex.compile(r"现将(?P<title>[^。：:，,]{6,80}?)(?:报告|情况)如下")
# 池州市人社局对2022年度城乡居保市级补贴使用情况开展了财政绩效评价工作: the unit that evaluated.
EVALUATOR = regex.compile(r"^(?:为[^。]{0,80}?[，,])?(?P<org>[^，,。；;：:\s]{2,30}?)(?:对|就)(?:19|20)\d{2}年度?[^。]{0,60}?"
                          r"(?:开展|进行)了?[^。]{0,12}(?:自评|绩效评价)")


def _from_other_titles(head: list[NLine], title: list[NLine]) -> tuple[str, NLine] | None:
    """The unit from another title in the opening, when the first one found names
    none (a sharing site's file name, a portal's 公开目录 line, then the report's
    own title), from the sentence that introduces the report, or from a line that
    is an organisation's name alone at the top (儋州市人民法院 over its title)."""
    report = pattern("genre", "report_title")
    lines = [nl for nl in head[:6] if title_text(nl).strip()]
    for k, nl in enumerate(lines[:3]):
        t = title_text(nl).strip()
        if 4 <= len(t) <= 30 and _org(t) == t and any(report.search(title_text(x)) for x in lines[k + 1: k + 6]):
            return t, nl
    for nl in head:
        m = EVALUATOR.search(title_text(nl))
        if m and _org(m.group("org")) == m.group("org") and not regex.match(r"我|本", m.group("org")):
            return m.group("org"), nl
    for nl in head:
        if nl in title:
            continue
        t = title_text(nl)
        # a long line is a title run into the text only where a year follows the name
        cands = [(t, False)] if is_title_like(t) else [(t[:HEAD_CHARS], True)]
        cands += [(m.group("title"), False) for m in INTRODUCED.finditer(t)]
        for cand, needs_year in cands:
            if not report.search(cand) or regex.match(r"[《〈]|根据|按照|依据|为|收到|现将|我|本", cand):
                continue
            found = _from_title([NLine(cand, nl.src, tuple(range(len(cand))))])
            if found and regex.match(r"我|本", found[0]) is None and (
                    not needs_year or regex.match(r"\s*(?:19|20)\s?\d{2}\s*年", cand[len(found[0]):])):
                return found[0], nl
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
    titled = _from_title(title) or _from_other_titles(head, title)
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

# 评价年度:2022 — a cover field naming the year outright.
YEAR_FIELD = regex.compile(r"(?:评价|自评|绩效|预算)年度\s*[:：]\s*(?P<year>(?:19|20)\d{2})(?!\d)")


def _year(title: list[NLine], text: Text, record: Record) -> None:
    f = YEAR_FIELD.search(text.text, 0, 3000)
    if f:
        record.year = int(f.group("year"))
        record.field_evidence["year"] = text.evidence(*f.span())
        return
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


# A heading line of the opening that names another evaluated year (2020年度部门整体支出
# under a 2021年度 title: a leftover of last year's report).
YEAR_HEADING = regex.compile(r"^(?P<year>(?:19|20)\d{2})\s*年度?\S{0,16}(?:整体支出|绩效自评|自评报告|绩效评价|项目支出)\S{0,8}$")


def _other_year(head: list[NLine], title: list[NLine], record: Record) -> None:
    if record.year is None or not title:
        return
    for nl in head:
        t = title_text(nl).strip().replace(" ", "")
        m = YEAR_HEADING.match(t)
        if m and nl not in title and int(m.group("year")) != record.year and "。" not in t:
            record.text_flaws.append(TextFlaw("other_year", t, Text([nl]).evidence(0, len(nl.text)), record.year))
            return


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

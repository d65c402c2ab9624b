"""Indicators from the narrative's 绩效分析 section: one block per indicator,
a heading such as （四）指标四：NAME, then a body with the target, mid-year
value, actual value, completion rate, the achieved claim and any reason."""

from __future__ import annotations

import regex

from pipeline.extract.common import make_target, parse_value
from pipeline.extract.normalize import Text
from pipeline.model import Gap, Indicator, Record

HEADING_RE = regex.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,3}[.、]|[一二三四五六七八九十]{1,3}[、.])?\s*"
    r"(?:绩效)?指标\s*(?P<ord>[一二三四五六七八九十百\d]{1,4})\s*[:：]?\s*(?P<name>.*)$"
)
TARGET_WORDS = r"(?:预期指标值?|年度指标值|年度目标值|预期目标值|目标值|计划指标值?|指标值)"
# 实际平均2个工作日: an actual stated without 完成值 (the value then keeps 平均…, which
# parse_value skips before the figure).
ACTUAL_WORDS = r"(?:本次评价)?(?:实际完成值|实际完成情况|实际完成|实际值|完成值|实际(?=平均|累计|约\d|共计|合计))"
VERB = r"(?:是|为|:|：)?"
# A value runs to the clause's end; a comma between digits that groups thousands
# (12,000平方米) is part of the number, not the clause's end.
VALUE = r"(?P<v>(?:[^，,。；;]|(?<=\d),(?=\d{3}(?!\d)))*)"
TARGET_RE = regex.compile(TARGET_WORDS + VERB + VALUE)
MIDYEAR_RE = regex.compile(r"年中(?:绩效)?(?:运行)?(?:监控)?(?:完成值|完成情况|值)?" + VERB + VALUE)
ACTUAL_RE = regex.compile(r"(?<!监控)" + ACTUAL_WORDS + VERB + VALUE)
RATE_RE = regex.compile(r"(?:指标)?完成(?:比)?率" + VERB + r"(?P<v>[-−]?\d+(?:\.\d+)?%)")
NOT_ACHIEVED = regex.compile(
    r"未(?:能)?(?:达到|完成|达成|实现)(?:年度|预期|既定|计划)?(?:绩效)?(?:目标|指标值?)|没有(?:达到|完成)(?:预期)?目标"
)
ACHIEVED = regex.compile(
    r"(?:已|均)?(?:达到|完成|达成|实现)(?:了)?(?:年度|预期|既定|计划)(?:绩效)?(?:目标|指标值?)|超额完成"
)
REASON_HEAD = regex.compile(
    r"(?:偏差原因(?:分析)?(?:及改进措施)?|未完成原因|未达标原因|超额完成原因|超额原因|原因分析|主要原因|原因)\s*(?:是|为|:|：)"
)
REASON_ANY = regex.compile(r"原因|由于|因为|导致|致使|所致|系因")
NOT_MONITORED = regex.compile(r"未(?:达到|到)监控节点|未监控|不适用|无")


MARKER_RE = regex.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,3}[.、](?!\d)|[一二三四五六七八九十]{1,3}[、.])\s*")
LEVEL_LABEL_RE = regex.compile(
    r"^(?:(?:产出|效益|满意度|成本)指标\s*[-—:：/]\s*)?"
    r"(?:数量|质量|时效|成本|经济效益|社会效益|生态效益|可持续影响|服务对象满意度|满意度|经济成本|社会成本)指标\s*[:：]?\s*"
)


DIGIT = regex.compile(r"\d")


def is_indicator_block(block: Text) -> bool:
    """A 指标N heading, or a numbered paragraph that states both a target and
    an actual value (\"（1）数量指标：发放人数，年度指标值806人，实际完成806人…\")."""
    if not block.nlines:
        return False
    first = block.nlines[0].text
    if HEADING_RE.match(first):
        return True
    return bool(MARKER_RE.match(first)) and _is_inline(block.text)


def _is_inline(text: str) -> bool:
    target = TARGET_RE.search(text)
    return bool(target) and bool(ACTUAL_RE.search(text, target.end()))


def extract_indicators(blocks: list[Text], record: Record) -> None:
    for block in blocks:
        if not is_indicator_block(block):
            continue
        for part in _inline_parts(block):
            ind = _parse_block(part, len(record.indicators) + 1)
            record.indicators.append(ind)
            _note_merged(part, ind, record)


def _note_merged(block: Text, ind: Indicator, record: Record) -> None:
    """An indicator under one heading whose body states several numeric targets
    holds indicators whose own headings were not recognised: say so (an
    extraction_gap), rather than audit them silently as one."""
    if not HEADING_RE.match(block.nlines[0].text) or len(block.nlines) < 2:
        return
    targets = [m for m in TARGET_RE.finditer(Text(block.nlines[1:]).text) if DIGIT.search(m.group("v"))]
    if len(targets) > 1:
        record.gaps.append(Gap(f"indicator.{ind.index}", f"指标划分（该指标下写有 {len(targets)} 个预期指标值，"
                               "可能有指标未能分开）", "warning", ind.evidence))


def _inline_parts(block: Text) -> list[Text]:
    """An inline block may hold several indicators, one per line under a level
    heading (1.数量指标 / 名称：年度指标值…): a line that states a target starts a
    new indicator once the current one has its own target."""
    if HEADING_RE.match(block.nlines[0].text):
        return [block]
    parts: list[list] = [[]]
    has_target = False
    for nl in block.nlines:
        m = TARGET_RE.search(nl.text)
        starts_target = bool(m) and "。" not in nl.text[: m.start()]  # a target in its first sentence
        if starts_target and has_target:
            parts.append([])
            has_target = False
        parts[-1].append(nl)
        has_target = has_target or starts_target
    return [Text(p) for p in parts if p]


def _parse_block(block: Text, index: int) -> Indicator:
    head = block.nlines[0]
    hm = HEADING_RE.match(head.text)
    if hm is None:
        return _parse_inline(block, index)
    ind = Indicator(index=index)
    heading_name = hm.group("name").strip() or None
    ind.heading_name = heading_name
    htext = Text([head])
    if heading_name:
        ind.heading_evidence = htext.evidence(*hm.span("name"))
    body = Text(block.nlines[1:]) if len(block.nlines) > 1 else Text([])
    if body.text:
        _parse_body(body, ind)
    ind.name = ind.body_name or ind.heading_name
    return ind


def _parse_inline(block: Text, index: int) -> Indicator:
    """Name and values in one paragraph: the name is what precedes the target,
    less the list marker and any 数量指标： style label."""
    ind = Indicator(index=index)
    _parse_body(block, ind)
    if ind.body_name:
        start = block.text.find(ind.body_name)
        m = MARKER_RE.match(ind.body_name)
        skip = m.end() if m else 0
        lm = LEVEL_LABEL_RE.match(ind.body_name[skip:])
        skip += lm.end() if lm else 0
        ind.body_name = ind.body_name[skip:] or None
        if ind.body_name:
            ind.body_name_evidence = block.evidence(start + skip, start + skip + len(ind.body_name))
    ind.name = ind.body_name
    return ind


def _parse_body(body: Text, ind: Indicator) -> None:
    t = body.text
    ind.evidence = body.evidence(0, len(t))
    first_value = TARGET_RE.search(t)
    if first_value:
        name = t[: first_value.start()].rstrip("，,：: ")
        if name and len(name) <= 80:
            ind.body_name = name
            ind.body_name_evidence = body.evidence(0, len(name))
        phrase = first_value.group("v")
        ind.target = make_target(phrase, body.evidence(*first_value.span()))
    mid = MIDYEAR_RE.search(t)
    if mid:
        op, n, text = parse_value(mid.group("v"))
        if n is not None:
            ind.midyear = n.with_evidence(body.evidence(*mid.span()))
        elif text:
            ind.midyear_text = text
    act = ACTUAL_RE.search(t, first_value.end() if first_value else 0)
    if act:
        op, n, text = parse_value(act.group("v"))
        if n is not None:
            ind.actual = n.with_evidence(body.evidence(*act.span()))
        else:
            ind.actual_text = text
    rate = RATE_RE.search(t)
    if rate:
        n = parse_value(rate.group("v"))[1]
        if n is not None:
            ind.rate = n.with_evidence(body.evidence(*rate.span()))
    _parse_claim(body, ind, rate.end() if rate else 0)


def _parse_claim(body: Text, ind: Indicator, after: int) -> None:
    t = body.text
    neg = NOT_ACHIEVED.search(t, after)
    pos = ACHIEVED.search(t, after)
    claim = neg or pos
    if neg and pos and pos.start() < neg.start() and not _overlaps(neg, pos):
        claim = pos
    if claim:
        ind.achieved = claim is pos
        ind.achieved_evidence = body.evidence(*claim.span())
    tail_start = claim.end() if claim else after
    tail = t[tail_start:]
    rh = REASON_HEAD.search(tail)
    if rh:
        reason = tail[rh.end() :].strip("，,。 ")
        ind.deviation_reason = reason or None
        ind.explanation = ind.deviation_reason
    elif REASON_ANY.search(tail):
        ind.explanation = tail.strip("，,。 ") or None
        if ind.achieved is False:
            ind.deviation_reason = ind.explanation


def _overlaps(a: regex.Match, b: regex.Match) -> bool:
    return a.start() < b.end() and b.start() < a.end()

"""Slips in the running text that do not depend on the numbers: a word
written twice (中央食品食品监管, 补助资金预算补助资金预算) and a document number
whose closing bracket was lost (川财社〔2020165号). Extraction records each
candidate with its evidence; the audit stage decides which count (TXT-04/05:
legitimate reduplications such as 研究研究 are rule parameters)."""

from __future__ import annotations

import regex

from pipeline.extract.common import cn_to_int
from pipeline.extract.normalize import Text
from pipeline.model import Record, TextFlaw

DOUBLED = regex.compile(r"(\p{Han}{2,8}?)\1")
FORM_WORDS = regex.compile(r"一级指标|二级指标|三级指标|年度指标值|实际完成值|全年实际值|年度资金总额|全年执行数|分值")
CELL_GAP = regex.compile(r"[\s|｜\t]")
DOC_NUMBER = regex.compile(r"[〔\[【（(](?P<year>(?:19|20)\d{2})(?P<num>\d{1,4})号")
# "资金已全部拨付": a claim that all the money was paid out, which the execution rate
# must bear out (FUND-13). 拨付到位 says the money arrived, not that it was spent.
# 内设8个内设机构，即办公室、第一检察部、…: a count and the names it announces.
LIST_COUNT = regex.compile(
    r"(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})个(?P<what>\p{Han}{0,8}?)[,，:：]?\s*(?:即|分别为|分别是)[:：]?"
    r"(?P<list>[^。；;\n]{4,1000})")
ITEM_MAX = 30
# 报告时间: 2019625 (2019年6月25日 lost its 年, 月 and 日 in a web copy).
BARE_DATE = regex.compile(r"(?:时间|日期)\s*[:：]\s*(?P<d>(?:19|20)\d{2}(?:1[0-2]|[1-9])(?:[12]\d|3[01]|[1-9]))(?![\d.年/\-])")
# 呼财农指【2023】41号文件…，下达…资金5万元: the amount a document allots, keyed by its number.
DOC_ALLOT = regex.compile(
    r"(?P<ref>\p{Han}{0,4}[〔【\[（(](?:19|20)\d{2}[〕】\]）)]\s*\d{1,4}\s*号)(?P<mid>[^。；;〔【\[]{0,80}?)"
    r"(?:下达|安排|拨付)(?P<to>[^。；;，,〔【\[]{0,40}?)(?P<n>\d+(?:\.\d+)?)(?P<u>万元|亿元|元)")
# 经果林32.49hm … 经果林32.49hmm: one figure of one item printed with two Latin units.
LATIN_UNIT = regex.compile(r"(?P<label>\p{Han}{2,8})(?P<n>\d+(?:\.\d+)?)\s?(?P<u>[A-Za-z][A-Za-z²³/]{0,5})(?![A-Za-z²³/])")
ALL_PAID = regex.compile(r"资金(?:[\d.,]+万?元)?(?:目前|现|均|已经|已)*(?:全部|全额)(?:拨付|支付)(?:完毕|完成)?(?!到位|到)")


def extract_text_flaws(blocks: list[Text], record: Record) -> None:
    units: dict[tuple[str, str], regex.Match] = {}  # (item, figure) -> its first mention, across blocks
    for block in blocks:
        text = block.text
        # a form copied without its table: a target and an actual cell alike (合格合格) or two
        # header cells (指标指标) run together are no slip of the pen
        form_text = len(set(FORM_WORDS.findall(text))) >= 2
        for m in ([] if form_text else DOUBLED.finditer(text, overlapped=False)):
            ev = block.evidence(*m.span())
            # two cells side by side (target and actual both 显著提升) or a word at a line end
            # and again at the next line's start are a table's, not a slip of the pen
            if ev is None or ev.line_end or CELL_GAP.search(ev.text):
                continue
            record.text_flaws.append(TextFlaw("doubled", m.group(1), ev))
        for m in LIST_COUNT.finditer(text):
            n = int(m.group("n")) if m.group("n").isdigit() else cn_to_int(m.group("n"))
            end = _list_end(block, m)
            if end is None:
                continue  # a list cut short (an excerpt's end) is not counted
            items = list_items(text[m.start("list"):end])
            if n and items is not None and len(items) >= 2:
                record.text_flaws.append(TextFlaw("list_count", text[m.start():end], block.evidence(m.start(), end), n,
                                                  tuple(items)))
        for m in BARE_DATE.finditer(text):
            if len(m.group("d")) >= 7:  # 202511 may be a year and a month; 2019625 is no date as printed
                record.text_flaws.append(TextFlaw("bare_date", m.group("d"), block.evidence(*m.span())))
        for m in DOC_ALLOT.finditer(text):
            record.text_flaws.append(TextFlaw("doc_amount", regex.sub(r"\s", "", m.group("ref")),
                                              block.evidence(m.start(), m.end()),
                                              items=(m.group("n"), m.group("u"))))
        for m in LATIN_UNIT.finditer(text):
            first = units.setdefault((m.group("label"), m.group("n")), m)
            if first.group("u") != m.group("u"):
                record.text_flaws.append(TextFlaw("unit_variant", f"{first.group(0)}|{m.group(0)}",
                                                  block.evidence(*m.span()), items=(first.group(0), m.group(0))))
        for m in ALL_PAID.finditer(text):
            record.text_flaws.append(TextFlaw("all_paid", m.group(0), block.evidence(*m.span())))
        for m in DOC_NUMBER.finditer(text):
            record.text_flaws.append(TextFlaw("doc_number", m.group(0), block.evidence(*m.span())))


def list_items(text: str) -> list[str] | None:
    """The names of a 、-separated list, or None when it is no closed list of
    names (等, 若干, a long item that is a sentence)."""
    text = regex.sub(r"[（(][^（()）]*[)）]", "", text)
    items = [t.strip() for t in text.split("、")]
    last = regex.split(r"[，,]", items[-1], maxsplit=1)[0]
    tail = regex.split(r"和|及|以及|与", last)
    items = items[:-1] + [t.strip() for t in tail if t.strip()]
    if any(not t or len(t) > ITEM_MAX or regex.search(r"等$|等[\p{Han}]{0,4}$|若干|\d", t) for t in items):
        return None
    return items


def _list_end(block: Text, m: regex.Match) -> int | None:
    """Where the list ends: at its 。 or ；, or at the end of a source line that
    closes on a name (the next line is a new heading: 政治部、办公室 / 2、人员情况)."""
    start, end = m.start("list"), m.end("list")
    line = block.line_start(start)
    for pos in range(start, end):
        nxt = block.line_start(pos)
        if nxt != line:
            if block.text[pos - 1] not in "、，,和及":
                return pos
            line = nxt
    if end < len(block.text) and block.text[end] in "。；;":
        return end
    return None

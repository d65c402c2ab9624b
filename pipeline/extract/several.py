"""Several reports in one file (the trial got 50 concatenated into one .txt).

Read as one, they made one record of nonsense: the first unit, a total from
one report and indicators from all. A report starts where a self-evaluation
report's title stands on a line of its own (lexicon genre.report_title; not a
form's 自评表 title, which a narrative attaches) and its section numbering
starts again (一、) within the next few lines, after the report before it had
gone past its first section (a title repeated by a web page's frame, or
wrapped over two lines, is no second report). Two such starts mean two
reports; the run refuses the file and names where each begins.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from pipeline.extract.genre import TOC_ENTRY, is_title_like, title_text
from pipeline.extract.lexicon import pattern
from pipeline.extract.normalize import NLine

FORM_TITLE = regex.compile(r"自评表|评价表|数据表|目标表|申报表")
FIRST_SECTION = regex.compile(r"^(?:一[、.．]|第一部分)")
LATER_SECTION = regex.compile(r"^(?:[二三四五六七八九][、.．]|第[二三四五六七八九]部分)")
WRAPPED_TITLE = 24  # a title's first line when wrapped: short, no label or punctuation
LABEL = regex.compile(r"[:：，,。；;]|^附件|^[-—\d\s]+$")
PROSE_AFTER = 2  # sentences after a later section heading: a report's body, not its table of contents
SECTION_WITHIN = 15  # non-blank lines from a title to its report's first section heading


@dataclass(frozen=True)
class ReportStart:
    line: int  # 1-based source line (within its page)
    page: int | None
    title: str


def report_starts(nlines: list[NLine]) -> list[ReportStart]:
    """Where each report in the text begins (one entry for an ordinary file)."""
    titles = pattern("genre", "report_title")
    starts: list[ReportStart] = []
    # Since the last start: a later section heading seen, and sentences after it (a
    # table of contents lists 二、三、… without any).
    later, sentences = True, PROSE_AFTER
    for i, nl in enumerate(nlines):
        text = title_text(nl)
        if LATER_SECTION.match(nl.text):
            later = True
        elif later and "。" in nl.text:
            sentences += 1
        progressed = later and sentences >= PROSE_AFTER
        if not progressed or not is_title_like(text) or FORM_TITLE.search(text) or TOC_ENTRY.search(text) \
                or not titles.search(text):
            continue
        if any(FIRST_SECTION.match(n.text) for n in nlines[i + 1:i + 1 + SECTION_WITHIN]):
            before = title_text(nlines[i - 1]) if i else ""
            if before and len(before) <= WRAPPED_TITLE and is_title_like(before) and not LABEL.search(before):
                text = before + text  # 部门单位整体支出绩效 / 自评报告
            starts.append(ReportStart(nl.src.line, nl.src.page, text))
            later, sentences = False, 0
    return starts


def several_reports_message(starts: list[ReportStart], shown: int = 5) -> str:
    """The refusal, in Chinese: how many reports, where the first few begin, what to do."""
    where = "；".join(f"{f'第 {s.page} 页' if s.page else ''}第 {s.line} 行“{s.title[:30]}”" for s in starts[:shown])
    more = f"等（共 {len(starts)} 处）" if len(starts) > shown else ""
    return (f"文件中含有 {len(starts)} 份自评报告（{where}{more}），合在一个文件里无法逐份审核："
            "单位、金额和指标会混在一起。请按报告拆分为单独的文件后重新提交。")

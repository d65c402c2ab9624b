"""Extract stage: normalised text -> Record (SPEC §4), with gaps noted.

`extract_record` runs the part extractors over the document's blocks; a part
that cannot be found is left null and noted as a `Gap`, which the audit stage
reports as an `extraction_gap` finding.
"""

from __future__ import annotations

import regex

from pipeline.extract.breakdowns import extract_breakdowns
from pipeline.extract.budget import extract_budget
from pipeline.extract.conclusion import extract_conclusion, extract_conclusion_sentences
from pipeline.extract.coverage import count_indicators
from pipeline.extract.form import extract_form
from pipeline.extract.form_labels import RATING_VALUE
from pipeline.extract.genre import CUES, REPORT, classify, has_body_cues
from pipeline.extract.header import extract_header
from pipeline.extract.indicators import extract_indicators, is_indicator_block
from pipeline.extract.merge import merge_form
from pipeline.extract.normalize import NLine, Text, normalize_document, normalize_line, split_blocks
from pipeline.extract.text_flaws import extract_text_flaws
from pipeline.ingest.document import Document, Line, Table
from pipeline.model import Gap, Record
from pipeline.numbers import NUMBER_RE


def extract_record(doc: Document) -> Record:
    nlines = normalize_document(doc)
    form = extract_form(doc, nlines)
    # The narrative extractors read only the prose; the form's lines are its own.
    # A sentence the form's run of cells took in at its edge (全年预算数2565万元,…,预算执行率100%。
    # over a one-cell-per-line form) is still prose.
    prose = [nl for nl in nlines if (nl.src.page, nl.src.line) not in form.lines or _sentence(nl.text)] \
        if form else nlines
    blocks = split_blocks(prose)
    record = Record()
    reading = reading_order(doc, nlines)  # tables' rows too: a Word form's title is a cell
    record.genre = classify(reading) or (CUES if has_body_cues(Text(reading).text) else None)
    record.truncated = is_truncated(doc)
    record.numbers_found = sum(1 for _ in NUMBER_RE.finditer(Text(prose).text))
    extract_header(reading, Text(reading), record)
    narrative = [b for b in blocks if not is_indicator_block(b)]
    extract_budget(narrative, record)
    extract_breakdowns(narrative, record)
    extract_text_flaws(narrative, record)
    extract_indicators(blocks, record)
    count_indicators(blocks, Text(nlines), record)
    extract_conclusion(blocks, record)
    if form:
        merge_form(record, form)
        if record.score is None or record.rating is None:
            extract_conclusion_sentences(split_blocks([nl for nl in nlines if (nl.src.page, nl.src.line) in form.lines]),
                                         record)
    note_gaps(record)
    return record


def _sentence(text: str) -> bool:
    return len(text) >= 12 and text.rstrip().endswith("。") and "|" not in text and regex.search(r"[，,]", text) is not None


# A document ends at a full stop, a closing mark, a figure, a date or a signature;
# a broken character (a cut in the middle of a multibyte one) or a bare word ends a cut copy.
ENDING_WORD = regex.compile(r"[\p{Han}]$")
SIGNING_OFF = regex.compile(r"(?:日|月|年|章|印|签字|签名|盖章|负责人|填表人|联系人|电话|局|院|委|会|中心|政府|办公室|处|站|所|校)$")


def is_truncated(doc: Document) -> bool:
    last = next((line.text.strip(" |\t") for line in reversed(doc.lines) if line.text.strip(" |\t")), "")
    if not last or doc.tables:
        return False
    in_sentence = len(last) >= 20 and regex.search(r"[，,、]", last) is not None  # prose, not a form's last cell
    tail = regex.split(r"[\s|]+", last)[-1]
    if RATING_VALUE.match(tail) or tail in ("是", "否"):
        in_sentence = False  # … 总分 100 99.96 优 / … 16 16 是: a flattened form's last cell (等级, 是否核心指标)
    # a sentence that stops on a comma or an enumeration mark was cut, whatever its length
    return last.endswith(("\ufffd", "，", ",", "、", "（", "(")) or (in_sentence and bool(ENDING_WORD.search(last))
                                       and not SIGNING_OFF.search(last))


def reading_order(doc: Document, nlines: list[NLine]) -> list[NLine]:
    """The running text with each table's rows in their place, a row read as
    its cells joined by bars (for the cover facts and the title, which a form
    in Word or PDF puts in its first rows)."""
    if not doc.tables:
        return nlines
    index = {id(line): i for i, line in enumerate(doc.lines)}
    out: list[NLine] = []
    pending = sorted(doc.tables, key=lambda t: t.after_line)
    for nl in nlines:
        while pending and index.get(id(nl.src), -1) > pending[0].after_line:
            out += _table_lines(pending.pop(0))
        out.append(nl)
    for table in pending:
        out += _table_lines(table)
    return out


def _table_lines(table: Table) -> list[NLine]:
    out = []
    for r, row in enumerate(table.rows):
        texts = [c.text.strip() for c in row if c.text and c.text.strip()]
        if texts:
            page = next((c.page for c in row if c.page), table.page)
            out.append(normalize_line(Line(" | ".join(texts), r + 1, page)))
    return out


def looks_like_report(record: Record) -> bool:
    """A document whose title says it is a self-evaluation, however short; or,
    without such a title, one that writes what self-evaluations write, or is
    a self-evaluation form's table, and states some of it (budget, indicators
    or a score)."""
    if record.genre == REPORT:
        return True
    has_content = bool(record.budget or record.indicators or record.score is not None)
    if record.genre == CUES or (record.form_layout and record.genre is None):
        return has_content  # a form's budget and indicator blocks say what it is
    return False


def note_gaps(record: Record) -> None:
    gaps = record.gaps
    for field, part, severity in (
        ("unit", "单位名称", "info"),
        ("year", "评价年度", "info"),
        ("doc_type", "报告类型", "info"),
    ):
        if getattr(record, field) is None:
            gaps.append(Gap("document", part, severity))
    if "total" not in record.budget:
        gaps.append(Gap("budget.total", "整体支出全年预算数", "warning"))
    if not record.indicators:
        gaps.append(Gap("document", "绩效指标", "warning"))
    if record.score is None:
        gaps.append(Gap("evaluation", "综合得分", "warning"))
    if record.rating is None:
        gaps.append(Gap("evaluation", "评价结果（等级）", "info"))
    if record.form_unread_groups:
        names = "、".join(name for name, _ in record.form_unread_groups)
        gaps.append(Gap("document", f"表中二级指标 {names} 下的绩效指标（故分值、得分合计未核对）", "warning",
                        record.form_unread_groups[0][1]))
    for ind in record.indicators:
        subject = f"indicator.{ind.index}"
        if ind.target is None:
            gaps.append(Gap(subject, "预期指标值", "warning", ind.evidence))
        if ind.actual is None and ind.actual_text is None:
            gaps.append(Gap(subject, "实际完成值", "warning", ind.evidence))

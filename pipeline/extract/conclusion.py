"""评价结论: the total score and the rating (优/良/中/差)."""

from __future__ import annotations

import regex

from pipeline.extract.common import number_at
from pipeline.extract.form_glued import GLUED_TOTAL
from pipeline.extract.normalize import Text
from pipeline.model import Record
from pipeline.numbers import parse_number

SCORE_RE = regex.compile(
    r"(?:综合得分|自评得分|自评总分|评价得分|总得分|总分|得分|综合评分|绩效评分|自评评分)\s*(?:[（(]分[)）])?"
    r"\s*(?:为|是|:|：)?\s*(?P<v>\d{1,3}(?:\.\d+)?)(?![\d.])\s*分?"
)
# A form's 总分 row copied without its cells' bounds: 总分100100 is 分值 100 | 得分 100,
# 总分10098 is 100 | 98 (a copy of a table that lost its ruling).
# (the form reader's GLUED_TOTAL: one pattern for a 总分 row in a form and in running text)
RATING_RE = regex.compile(
    r"(?:(?:评价结果|评价等级|自评等级|自评结果|绩效等级|等级|评级|结果)\s*(?:为|是|:|：)?|自评为|评定为)\s*[“\"「『]?\s*"
    r"(?P<r>优\s?秀|良\s?好|中\s?等|优|良|中|差|合格|不合格|较差)"
)
RATING_CANON = {"优秀": "优", "良好": "良", "中等": "中", "较差": "差", "合格": "中", "不合格": "差"}


def extract_conclusion(blocks: list[Text], record: Record) -> None:
    """Prefer the block headed 评价结论/自评结论; else the last mention anywhere."""
    ordered = sorted(blocks, key=lambda b: 0 if "结论" in b.text[:20] else 1)
    for block in ordered:
        if record.score is None:
            m = SCORE_RE.search(block.text)
            joined = None if m else GLUED_TOTAL.search(block.text)
            if joined:
                n = parse_number(joined.group("s"))
                if n is not None:
                    record.score = n.with_evidence(block.evidence(*joined.span()))
            elif m:
                n = number_at(block, m, "v")
                if n is not None:
                    record.score = n.with_evidence(block.evidence(*m.span()))
        if record.rating is None:
            r = RATING_RE.search(block.text)
            if r:
                word = regex.sub(r"\s", "", r.group("r"))
                record.rating = RATING_CANON.get(word, word)
                record.rating_evidence = block.evidence(*r.span())
        if record.score is not None and record.rating is not None:
            return


# A conclusion sentence written inside a form (评价结论 | 经自评，本项目自评总分93.2分，
# 评价等级为“优”): only the sentence forms, because a form's cells hold 得分 headers
# and 等级 columns whose neighbours are no conclusion.
SENTENCE_SCORE_RE = regex.compile(
    r"(?:综合得分|自评得分|自评总分|评价得分|总得分)\s*(?:为|是|:|：)\s*(?P<v>\d{1,3}(?:\.\d+)?)\s*分"
    r"|(?:自评|评价|综合)得(?P<v2>\d{1,3}(?:\.\d+)?)\s*分")
SENTENCE_RATING_RE = regex.compile(
    r"(?:评价等级|自评等级|绩效等级|评价结果|自评结果|评定等级)\s*(?:为|是|:|：)\s*[“\"「『]?\s*"
    r"(?P<r>优秀|良好|中等|较差|优|良|中|差)")


def extract_conclusion_sentences(blocks: list[Text], record: Record) -> None:
    """The score and rating a form's conclusion cell writes as a sentence, for
    what the form's rows and the narrative did not state."""
    for block in blocks:
        if record.score is None:
            m = SENTENCE_SCORE_RE.search(block.text)
            if m:
                n = number_at(block, m, "v" if m.group("v") else "v2")
                if n is not None:
                    record.score = n.with_evidence(block.evidence(*m.span()))
        if record.rating is None:
            r = SENTENCE_RATING_RE.search(block.text)
            if r:
                word = r.group("r")
                record.rating = RATING_CANON.get(word, word)
                record.rating_evidence = block.evidence(*r.span())

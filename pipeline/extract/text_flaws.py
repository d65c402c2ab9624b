"""Slips in the running text that do not depend on the numbers: a word
written twice (中央食品食品监管, 补助资金预算补助资金预算) and a document number
whose closing bracket was lost (川财社〔2020165号). Extraction records each
candidate with its evidence; the audit stage decides which count (TXT-04/05:
legitimate reduplications such as 研究研究 are rule parameters)."""

from __future__ import annotations

import regex

from pipeline.extract.normalize import Text
from pipeline.model import Record, TextFlaw

DOUBLED = regex.compile(r"(\p{Han}{2,8}?)\1")
CELL_GAP = regex.compile(r"[\s|｜\t]")
DOC_NUMBER = regex.compile(r"[〔\[【（(](?P<year>(?:19|20)\d{2})(?P<num>\d{1,4})号")
# "资金已全部拨付": a claim that all the money was paid out, which the execution rate
# must bear out (FUND-13). 拨付到位 says the money arrived, not that it was spent.
ALL_PAID = regex.compile(r"资金(?:[\d.,]+万?元)?(?:目前|现|均|已经|已)*(?:全部|全额)(?:拨付|支付)(?:完毕|完成)?(?!到位|到)")


def extract_text_flaws(blocks: list[Text], record: Record) -> None:
    for block in blocks:
        text = block.text
        for m in DOUBLED.finditer(text, overlapped=False):
            ev = block.evidence(*m.span())
            # two cells side by side (target and actual both 显著提升) or a word at a line end
            # and again at the next line's start are a table's, not a slip of the pen
            if ev is None or ev.line_end or CELL_GAP.search(ev.text):
                continue
            record.text_flaws.append(TextFlaw("doubled", m.group(1), ev))
        for m in ALL_PAID.finditer(text):
            record.text_flaws.append(TextFlaw("all_paid", m.group(0), block.evidence(*m.span())))
        for m in DOC_NUMBER.finditer(text):
            record.text_flaws.append(TextFlaw("doc_number", m.group(0), block.evidence(*m.span())))

"""What a filter hid, said in every view.

`--new-only` drops findings that already have a review decision. A report
whose confirmed errors were dropped must not read 「未发现问题」: each report
then carries `hidden` (SPEC allows extra keys) and the run's summary a
`hidden` block, and every view (terminal, summary.md, HTML, workbook) says
how many findings were hidden, of which severity and decision, and how to
see them. The blocks are built by pipeline.store.review (hidden_block,
add_hidden); this module only words them.

    {"filter": "--new-only", "findings": 3, "error": 2, "warning": 1, "info": 0,
     "confirmed_errors": 2, "decisions": {"确认问题": 2, "驳回": 1, "已整改": 0}}

The summary's block adds "reports": how many reports had findings hidden.
"""

from __future__ import annotations

from pipeline.labels import SEVERITY_ZH
from pipeline.model import SEVERITIES

SEE_ALL = "去掉 --new-only 重新运行可查看全部"


def hidden_text(block: dict | None) -> str | None:
    """「已有审核结论、被 --new-only 隐藏 3 个问题（错误 2、警告 1；其中已确认的错误 2 个）」, or None."""
    if not block:
        return None
    n = block["findings"]
    if not n:
        return f"{block['filter']} 未隐藏任何问题"
    parts = "、".join(f"{SEVERITY_ZH[s]} {block[s]} 个" for s in SEVERITIES if block.get(s))
    confirmed = f"；其中已确认的错误 {block['confirmed_errors']} 个" if block.get("confirmed_errors") else ""
    where = f"，分布在 {block['reports']} 份报告中" if block.get("reports") else ""
    return f"已有审核结论、被 {block['filter']} 隐藏 {n} 个问题（{parts}{confirmed}）{where}；{SEE_ALL}"


def empty_text(rep: dict) -> str:
    """What a report without (shown) findings reads: never 「未发现问题」 when some were hidden."""
    block = rep.get("hidden")
    if block and block["findings"]:
        return f"未发现新问题。{hidden_text(block)}。"
    return "未发现问题。"

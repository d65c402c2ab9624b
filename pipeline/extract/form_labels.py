"""The words of the 绩效自评表 layouts (DOMAIN §2), in one table.

Columns are mapped by their header words, never by position: a header cell,
with any bracketed label such as （A）, (B/A), (%) or （万元） removed, is
looked up here. Row labels name budget lines and indicator levels.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from pipeline.extract.lexicon import lexicon

FUZZY_MIN_LEN = 4  # header words this long are also matched with one character off


@dataclass(frozen=True)
class HeaderTable:
    """Header words and patterns of one block (lexicon.yml, section form)."""

    words: dict[str, str]  # exact header word -> role
    patterns: tuple[tuple[str, regex.Pattern], ...]  # (role, pattern), tried in order

    def __post_init__(self) -> None:
        # length -> [(word, role)] of the words matched with one character off (FUZZY_MIN_LEN or longer)
        by_length: dict[int, list[tuple[str, str]]] = {}
        for w, r in self.words.items():
            if len(w) >= FUZZY_MIN_LEN:
                by_length.setdefault(len(w), []).append((w, r))
        object.__setattr__(self, "fuzzy", by_length)

    def items(self):
        return self.words.items()

    def get(self, word: str) -> str | None:
        return self.words.get(word)


def _table(key: str) -> HeaderTable:
    spec = lexicon()["form"][key]
    words = {w: role for role, ws in spec["words"].items() for w in ws}
    patterns = tuple((role, regex.compile(p)) for role, p in spec["patterns"].items())
    return HeaderTable(words, patterns)


# Header word -> column role, for the budget block ("资金") and the indicator
# block ("指标"). Looked up after bracket stripping.
BUDGET_HEADERS = _table("budget_headers")
INDICATOR_HEADERS = _table("indicator_headers")
# Roles a header may have that take no value of their own.
NON_VALUE_ROLES = {"group", "method"}
# Roles that make a header row a budget block or an indicator block.
BUDGET_MARKERS = {"year_start", "executed", "budget", "rate"}
INDICATOR_MARKERS = {"name", "actual", "level1"}
ALL_HEADER_WORDS = set(BUDGET_HEADERS.words) | set(INDICATOR_HEADERS.words)

BRACKETS = regex.compile(r"[（(][^（()）]{0,8}[)）]")

# Budget row labels -> SPEC §4 line names (其中： prefixes are stripped first).
BUDGET_ROWS = tuple((name, regex.compile(f"^(?:{p})$"))
                    for name, p in lexicon()["form"]["budget_rows"].items())
ROW_PREFIX = regex.compile(r"^(?:其中[:：]?|[—-]+)")

LEVEL1_RE = regex.compile(r"^(?P<name>产出指标|效益指标|满意度指标|成本指标|效果指标|管理指标)"
                          # the closing bracket may be lost at a wrapped cell's end (OCR)
                          r"(?:[（(](?P<w>\d+(?:\.\d+)?)分?[)）]?)?$")
LEVEL2_RE = regex.compile(
    r"^(?:数量指标|质量指标|时效指标|成本指标|经济成本指标|社会成本指标|生态环境成本指标"
    r"|经济效益指标|社会效益指标|生态效益指标|可持续影响指标|服务对象满意度指标|满意度指标"
    r"|经济效益|社会效益|生态效益|可持续影响"
    # 部门整体支出 forms' 二级 under 产出/效果/管理 (财预〔2020〕10号 附件 部门整体)
    r"|预算管理|财务管理|资产管理|人员管理|预算编制|预算执行|运行成本|履职效能|职责履行|重点工作任务)"
    # a template's 服务对象满意度指标等 (016)
    r"等?(?:[（(](?P<w>\d+(?:\.\d+)?)分?[)）])?$"
)
TOTAL_ROW = regex.compile(r"^(?:总分|合计得分|总得分|自评总分|综合得分|合计)$")
RATING_LABEL = regex.compile(r"^(?:评价等级|自评等级|绩效等级|等级|评价结果|自评结果)[:：]?$")
RATING_VALUE = regex.compile(r"^[“\"]?(?P<r>优秀|良好|中等|较差|优|良|中|差)[”\"]?$")
RATING_CANON = {"优秀": "优", "良好": "良", "中等": "中", "较差": "差"}
HEADER_FIELDS = {
    "项目名称": "project", "主管部门": "department", "实施单位": "unit", "部门名称": "unit",
    "单位名称": "unit", "预算单位": "unit", "部门(单位)名称": "unit", "项目实施单位": "unit",
    "实施单位(盖章)": "unit", "资金使用单位": "unit",
}
TITLE_RE = regex.compile(r"绩效(?:目标)?自评表|(?:支出|部门|整体|项目)自评表")
# Cell texts that mean "nothing stated".
BLANK = {"", "无", "/", "—", "-", "——", "－", "无偏差", "不适用", "/ "}
OPS = {"=": "=", "≥": ">=", "≤": "<=", ">": ">", "<": "<", ">=": ">=", "<=": "<=", "＝": "="}
QUALITATIVE_OP = {"定性", "定性指标"}


HEADER_MAX = 16  # a longer cell is text, not a header


def header_role(text: str, table: HeaderTable) -> str | None:
    """The column role of a header cell, or None: an exact header word; else the
    first of the table's patterns that the cell holds; else a word read with one
    character inserted, dropped or changed (OCR: 全年扶执行数), unless the slip
    makes it as close to a word of another role (预算执行? is 执行数 or 执行率)."""
    t = BRACKETS.sub("", text.replace(" ", "")).strip("：:")
    role = table.get(t)
    if role is not None or not t or len(t) > HEADER_MAX:
        return role
    for role, rx in table.patterns:
        if rx.search(t):
            return role
    if len(t) >= FUZZY_MIN_LEN:
        n = len(t)  # the words within one character of t's length
        roles = {r for size in (n - 1, n, n + 1) for w, r in table.fuzzy.get(size, ()) if _one_off(w).fullmatch(t)}
        if len(roles) == 1:
            return roles.pop()
    return None


@functools.lru_cache(maxsize=256)
def _one_off(word: str):
    return regex.compile(f"(?:{regex.escape(word)}){{e<=1}}")


def achieved_of(text: str) -> bool | None:
    """A 是否达到 cell: True (是/达到/完成), False (否/未达到/部分完成), None (blank or anything else)."""
    t = text.replace(" ", "").strip("。.")
    values = lexicon()["form"]["achieved_values"]
    if t in values["met"]:
        return True
    return False if t in values["not_met"] else None


def budget_line_of(label: str) -> str | None:
    t = ROW_PREFIX.sub("", label.replace(" ", "")).strip("：:")
    t = BRACKETS.sub("", t)
    for name, rx in BUDGET_ROWS:
        if rx.match(t):
            return name
    return None


def spanned_roles(text: str) -> list[str] | None:
    """The roles of the columns a spanning header (年度预算数, 预算执行情况, 年度指标值)
    stands over, or None for any other header."""
    if regex.search(r"\d+(?:\.\d+)?分", text):
        return None  # 预算执行情况(10分) titles a block; it spans no columns
    bare = BRACKETS.sub("", text)
    return next((g["roles"] for g in lexicon()["form"]["group_children"] if regex.search(g["header"], bare)), None)

"""Rows of a 绩效自评表 from a flat run of tokens (one cell per line, or cells
flattened onto one line), where empty cells have vanished.

Each token gets a class letter (number, percent, value with unit or operator,
operator, unit, level word, header word, row label, text …). A run of header
words fixes the columns; indicator rows are then read with a row pattern
built from those columns over the class string (so a missing 偏差原因 or a
qualitative target still parses), and budget rows by their labels.
"""

from __future__ import annotations

import itertools
from decimal import Decimal, InvalidOperation

import regex

from pipeline.extract.form_grid import GCell, TokenRun
from pipeline.extract.form_labels import (
    BLANK,
    BRACKETS,
    BUDGET_HEADERS,
    HEADER_FIELDS,
    INDICATOR_HEADERS,
    LEVEL1_RE,
    LEVEL2_RE,
    OPS,
    RATING_LABEL,
    RATING_VALUE,
    TOTAL_ROW,
    budget_line_of,
    header_role,
    spanned_roles,
)
from pipeline.extract.form_rows import (
    KEYED_VALUE,
    FormRow,
    block_weight,
    header_map,
    join_cells,
    money_unit_of,
)
from pipeline.extract.lexicon import lexicon
from pipeline.numbers import COUNT_UNITS, MONEY_UNITS, split_operator

NUM = r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUM_RE = regex.compile(rf"^{NUM}$")
PCT_RE = regex.compile(rf"^{NUM}%$")
MONEY_RE = regex.compile(rf"^{NUM}(?:万元|元)$")
UNIT_WORDS = {*COUNT_UNITS, *MONEY_UNITS, *(f"万{u}" for u in COUNT_UNITS), "%", "百分比", "工作日", "个工作日",
              "分", "‰", "元/月", "平方公里", "万平方米", "立方米", "万立方米", "千瓦", "兆瓦", "户次", "人/次",
              "元/亩", "元/人", "元/户", "元/吨", "公斤", "千克", "万千瓦时", "千瓦时", "标准箱", "车次", "班次"}
VALUE_RE = regex.compile(rf"{NUM}(?P<u>[\p{{Han}}A-Za-z/%‰]{{1,5}})?")
# 成本指标 is a 一级 (财预〔2021〕101号) or a 二级 under 产出 (10号): level 1 only
# when a 二级 word follows it.
AMBIGUOUS_LEVEL = "成本指标"
# A template row left unfilled (……) has no cells to read.
PLACEHOLDER_ROW = regex.compile(r"^[.…·。]{2,}$")
PATTERN_TIMEOUT = 2.0  # seconds; a pathological run gives no rows rather than hanging
VAL = r"(?:O?[NPV]U?|T|-)"  # a target or an actual: figure (with sign and unit), words, or blank
NATURE = regex.compile(r"^(?:定性|定量|正向|反向)(?:指标)?$")
ROLE_PATTERNS = {
    # a 二级 cell may hold any words (重点工作, 预算管理): a text before the name
    "level1": "(?:(?P<level1>L|C(?=-*M))-*)?", "level2": "(?:(?P<level2>[MC])-*|(?:(?P<level2>T(?=T))-*)??)", "name": "(?P<name>T)",
    "target": f"(?P<target>{VAL})", "target_ys": f"(?P<target_ys>{VAL})", "actual": f"(?P<actual>{VAL})",
    # 指标性质: a sign, 定性/定量, 正向/反向 — or nothing, its blank cell dropped
    "op": "(?P<op>[OQ-])?", "unit": "(?P<unit>[U-])?", "weight": "(?P<weight>N)", "score": "(?P<score>[N-])",
    "coef": "(?P<coef>[NP])", "reason": "(?P<reason>[T-][T-]*?)?", "core": "(?P<core>Y)?",
    # a 得分计算方法 cell spans the block: printed once, on the first row only
    "method": "(?:[T-])?",
}




def classify(text: str) -> str:
    if text in BLANK:
        return "-"
    k = KEYED_VALUE.match(text)
    if k and budget_line_of(k.group("label")):
        return "K"
    if text in OPS:
        return "O"
    if NATURE.match(text):
        return "Q"  # 指标性质: 定性/定量(指标)
    if NUM_RE.match(text) or MONEY_RE.match(text):
        return "N"  # a figure, or an amount with its unit (651.53万元)
    if PCT_RE.match(text):
        return "P"
    if text in UNIT_WORDS:
        return "U"
    if header_role(text, BUDGET_HEADERS) or header_role(text, INDICATOR_HEADERS):
        return "H"
    if text == AMBIGUOUS_LEVEL:
        return "C"
    if LEVEL1_RE.match(text):
        return "L"
    if LEVEL2_RE.match(text):
        return "M"
    if TOTAL_ROW.match(BRACKETS.sub("", text)):
        return "S"
    if budget_line_of(text):
        return "B"
    if RATING_LABEL.match(text):
        return "R"
    if RATING_VALUE.match(text):
        return "G"
    if text in ("是", "否"):
        return "Y"
    return "V" if is_value(text) else "T"


def is_value(text: str) -> bool:
    """A number with an operator and/or a unit and nothing else: ≥95%,
    806人, ≤90万元, 5家以上, ≥100百分比 (not 11月困难群众物价补贴发放人数)."""
    op, rest = split_operator(text)
    m = VALUE_RE.fullmatch(rest)
    if not m:
        return False
    unit = m.group("u")
    return bool(op) or not unit or unit in UNIT_WORDS


def rows_from_tokens(run: TokenRun) -> list[FormRow]:
    tokens = [t for t in run.tokens if t.text not in ("其中", "其中：", "其中:") and not PLACEHOLDER_ROW.match(t.text)]
    tokens = _join_wrapped_headers(tokens)
    classes = "".join(classify(t.text) for t in tokens)
    out: list[FormRow] = []
    out.extend(_fields(tokens, classes))
    for start, end, section, roles, unit, head in _sections(tokens, classes):
        out.append(FormRow("header", None, head))
        if section == "budget":
            out.extend(_budget_rows(tokens[start:end], classes[start:end], roles, unit))
        else:
            out.extend(_indicator_rows(tokens[start:end], classes[start:end], roles))
    out.extend(_totals(tokens, classes))
    return out


LEVEL_WEIGHT = regex.compile(r"^[（(]\d+(?:\.\d+)?分?[)）]$")
WRAP_MAX = 3  # a header cell wrapped over at most this many pieces (一级\n指标)


def _join_wrapped_headers(tokens: list[GCell]) -> list[GCell]:
    """Pieces of one header cell that a wrap or a space split (一级 指标,
    未完成原因 及拟采取的改进措施) joined again where together they are a header word."""
    words = set(BUDGET_HEADERS.words) | set(INDICATOR_HEADERS.words)
    out: list[GCell] = []
    i = 0
    while i < len(tokens):
        nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
        if (LEVEL1_RE.match(tokens[i].text) or LEVEL2_RE.match(tokens[i].text)) and LEVEL_WEIGHT.match(nxt):
            out.append(join_cells(tokens[i : i + 2]))  # 产出指标 （50分）: the weight wrapped off
            i += 2
            continue
        for n in range(WRAP_MAX, 1, -1):
            piece = tokens[i : i + n]
            joined = BRACKETS.sub("", "".join(t.text for t in piece))
            whole = [BRACKETS.sub("", t.text) in words for t in piece]
            # a piece closing on a bracket (执行率（B/A）) ends its cell, unless a bracket follows
            closed = any(a.text.endswith(("）", ")")) and not b.text.startswith(("（", "("))
                         for a, b in zip(piece, piece[1:], strict=False))
            if len(piece) == n and all(t.text for t in piece) and joined in words and not all(whole) and not closed:
                out.append(join_cells(piece))
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _fields(tokens: list[GCell], classes: str) -> list[FormRow]:
    out = []
    for i, t in enumerate(tokens[:-1]):
        nxt = tokens[i + 1]
        if classes[i] == "R" and classes[i + 1] == "G":
            out.append(FormRow("rating", t, {"rating": nxt}))
        elif t.text.strip("：:") in HEADER_FIELDS and nxt.text.strip("：:") not in HEADER_FIELDS:
            if FIELD_NOTE.match(nxt.text) and i + 2 < len(tokens):  # 实施单位 / （盖章）: the label wrapped
                nxt = tokens[i + 2]
            out.append(FormRow("field", t, {"value": nxt}))
    return out


FIELD_NOTE = regex.compile(r"^[（(](?:盖章|签章|公章|签字)[)）][:：]?$")


def _sections(tokens: list[GCell], classes: str):
    """(start, end, section, [roles in order], money unit) after each header run."""
    # a header's two rows may stand apart by the blank cells of merged ones
    heads = [(m.start(), m.end()) for m in regex.finditer(r"H(?:-*H){2,}", classes)]
    for k, (a, b) in enumerate(heads):
        hm = header_map(tokens[a:b])
        if not hm:
            continue
        section, roles = hm
        ordered = _expand_groups(tokens[a:b], [roles.get(i) for i in range(b - a)])
        end = heads[k + 1][0] if k + 1 < len(heads) else len(tokens)
        unit = money_unit_of(tokens[max(0, a - 2) : b])
        head = {r: tokens[a + i] for i, r in roles.items()}
        weight = block_weight(tokens[max(0, a - 2) : b]) if section == "budget" else None
        if weight is not None:
            head["block_weight"] = weight
        yield b, end, section, ordered, unit, head


def _expand_groups(cells: list[GCell], roles: list[str | None]) -> list[str]:
    """Column roles in order, a two-row header read as one: a spanning header
    (年度预算数, 预算执行情况, 年度指标值) is replaced by the roles of the cells the
    second row gives under it, found at the end of the run (a spanning header
    whose children follow it in the same row is a row-label column instead)."""
    spans = [spanned_roles(c.text) for c in cells]
    wanted = {r for ch in spans if ch for r in ch}
    suffix = len(cells)
    while suffix > 0 and roles[suffix - 1] in wanted:
        suffix -= 1
    out: list[str] = []
    taken: set[int] = set()
    for i in range(len(cells)):
        if i in taken:
            continue
        later = {roles[j]: j for j in range(suffix, len(cells)) if j > i and roles[j] in (spans[i] or ())}
        if spans[i] and len(later) >= 2:
            for r in spans[i]:
                if r in later:
                    out.append(r)
                    taken.add(later[r])
        elif spans[i] and roles[i] in roles[i + 1:]:
            continue  # 年度预算数(万元) over the row labels: a later cell names the column
        elif roles[i]:
            out.append(roles[i])
    return out







def _budget_rows(tokens: list[GCell], classes: str, roles: list[str], unit: str) -> list[FormRow]:
    out = []
    lead = regex.match(r"-*(?P<v>[NP][NP-]*)", classes)
    if lead:  # figures right under the header, their label the header's merged cell: the total row
        values = tokens[lead.start("v") : lead.end("v")]
        label = GCell("年度资金总额", values[0].evidence)
        out.append(FormRow("budget", label, _assign_budget(values, classes[lead.start("v") : lead.end("v")], roles),
                           unit))
    for m in regex.finditer("K", classes):
        k = KEYED_VALUE.match(tokens[m.start()].text)
        cell = tokens[m.start()]
        out.append(FormRow("budget", GCell(k.group("label"), cell.evidence), {"budget": GCell(k.group("v"), cell.evidence)},
                           unit))
    total = next((r.cells for r in out if r.cells), None)
    for m in regex.finditer(r"B(?P<t0>T*)(?P<v>[NP-]*)(?P<t>T*)", classes):
        values = tokens[m.start("v") : m.end("v")]
        row_roles = roles
        if total is not None and budget_line_of(tokens[m.start()].text) != "total":
            # a money column the total row left blank (年初预算数 nobody filled) is blank below it too
            kept = [r for r in roles if r not in MONEY or r in total]
            row_roles = kept if len(values) <= len([r for r in kept if r not in ("reason", "method")]) else roles
        cells = _assign_budget(values, classes[m.start("v") : m.end("v")], row_roles,
                               budget_line_of(tokens[m.start()].text) == "total")
        if total is None and budget_line_of(tokens[m.start()].text) == "total":
            total = cells
        texts = tokens[m.start("t0") : m.end("t0")] + tokens[m.start("t") : m.end("t")]
        if texts and "reason" in roles:  # a spanning 原因 cell may come before the figures
            cells["reason"] = join_cells(texts)
        out.append(FormRow("budget", tokens[m.start()], cells, unit))
    return out


MONEY = ("year_start", "budget", "executed")


def _assign_budget(values: list[GCell], cls: str, roles: list[str], total: bool = True) -> dict[str, GCell]:
    """Values to columns: positional when every column is filled; else, blank
    cells having vanished, the placing in order whose figures agree with each
    other (执行数 / 预算数 = 执行率, 得分 = 执行率 × 分值) and that leaves blank
    what forms leave blank (a 年初预算数 before a 全年执行数; a 分值 / 得分 on a
    row stating no rate). A row whose figures disagree (the error to report) is
    placed by the latter alone."""
    cols = [r for r in roles if r not in ("reason", "method")]
    if len(values) == len(cols):
        return {r: v for r, v in zip(cols, values, strict=True) if v.text not in ("-",) and v.text}
    if len(values) > len(cols):
        return _money_first(values, cls, cols)
    best, best_score = None, None
    for picks in itertools.combinations(range(len(cols)), len(values)):
        if any(c == "P" and cols[k] != "rate" for k, c in zip(picks, cls, strict=True)):
            continue
        cells = {cols[k]: v for k, v in zip(picks, values, strict=True) if v.text and v.text not in BLANK}
        score = _agreement(cells) + _likely(cells, cols, total) - sum(
            1 for k, c in zip(picks, cls, strict=True) if cols[k] == "rate" and c != "P")
        if best_score is None or score > best_score:
            best, best_score = cells, score
    return best if best is not None else _money_first(values, cls, cols)


# How often a form leaves a column blank where it has one: 年初预算数 often, 全年预算数
# seldom, 全年执行数 hardly ever.
BLANK_COST = {"year_start": 0.2, "budget": 1.0, "executed": 1.5}


def _likely(cells: dict[str, GCell], cols: list[str], total: bool) -> float:
    out = -sum(c for r, c in BLANK_COST.items() if r in cols and r not in cells)
    if not total and "rate" not in cells:  # a 其中 row stating no rate states no 分值 / 得分 either
        out -= sum(1 for r in ("weight", "score") if r in cells)
    return out


def _figure(cell: GCell | None) -> Decimal | None:
    if cell is None:
        return None
    t = cell.text.removesuffix("%").removesuffix("万元").removesuffix("元").replace(",", "")
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def _agreement(cells: dict[str, GCell]) -> float:
    """How well a budget row's figures agree: the rate with 执行数 / 预算数 (or
    年初预算数), the 得分 with 执行率 × 分值; 分值 and 得分 are points, not money."""
    f = {r: _figure(c) for r, c in cells.items()}
    out = 0.0
    rate, executed = f.get("rate"), f.get("executed")
    base = f.get("budget") if f.get("budget") is not None else f.get("year_start")
    if rate is not None and executed is not None and base and abs(executed / base * 100 - rate) <= 1:
        out += 4
    weight, score = f.get("weight"), f.get("score")
    out -= sum(4 for x in (weight, score) if x is not None and not 0 <= x <= 100)  # points, not money
    if weight is not None and score is not None and rate is not None and \
            abs(min(rate, Decimal(100)) * weight / 100 - score) <= Decimal("0.5"):
        out += 1
    return out


def _money_first(values: list[GCell], cls: str, cols: list[str]) -> dict[str, GCell]:
    cells: dict[str, GCell] = {}
    money = [r for r in cols if r in ("year_start", "budget", "executed")]
    rest = [r for r in cols if r in ("weight", "score")]
    for v, c in zip(values, cls, strict=True):
        if c == "P" and "rate" in cols and "rate" not in cells:
            cells["rate"] = v
        elif c == "N" and money:
            cells[money.pop(0)] = v
        elif c == "N" and rest:
            cells[rest.pop(0)] = v
    return cells


def _indicator_rows(tokens: list[GCell], classes: str, roles: list[str]) -> list[FormRow]:
    stop = regex.search(r"[SRHB]", classes)
    end = stop.start() if stop else len(classes)
    tokens, classes = _drop_sub_items(tokens[:end], classes[:end])
    # a table cut (or a dump that drops blank cells) after its last row's 分值: its
    # missing trailing cells are blank, not a reason to lose the row
    tokens, classes = tokens + [EMPTY, EMPTY], classes + "--"
    if "name" in roles and "level1" not in roles:
        roles = ["level1", *roles]  # rows may start with a 一级 cell whose header was lost
    if "name" in roles and "level2" not in roles:
        roles.insert(roles.index("name"), "level2")
    patterns = dict(ROLE_PATTERNS)
    if "target_ys" in roles and "target" in roles:
        # 年初指标值 and 调整指标值 side by side: one of them is often blank, and a
        # flattened dump drops blank cells
        patterns["target"] = patterns["target"] + "?"
    row = "-*" + "".join(patterns.get(r, "(?:[^LM])?") for r in roles)
    single = regex.compile(row)
    group_names = single.groupindex
    try:
        whole = regex.compile(f"(?:(?P<row>{_ungroup(row)}))+-*").fullmatch(classes, timeout=PATTERN_TIMEOUT)
        spans = list(whole.spans("row")) if whole is not None else _resync(row, classes)
    except TimeoutError:
        return []
    out = []
    for a, b in spans:
        m = single.fullmatch(classes, a, b)
        if m is None:
            continue
        cells = {r: join_cells(tokens[m.start(r) : m.end(r)]) for r in patterns if
                 r in group_names and m.start(r) >= 0 and m.end(r) > m.start(r)}
        row_ = FormRow("indicator", None, cells)
        if _odd_name(row_) and not any(cells.get(r, EMPTY).text not in BLANK for r in VALUE_ROLES):
            continue  # a stray sentence after the table ((四)部门职能职责。), not a row
        out.append(row_)
    if whole is None or any(_odd_name(r) for r in out):
        label_first = _label_first_rows(tokens, classes, roles)
        if _complete(label_first) - sum(map(_odd_name, label_first)) > _complete(out) - sum(map(_odd_name, out)):
            return label_first
    return out


def _odd_name(row: FormRow) -> bool:
    """A 三级指标 name that reads as a sentence (a reason or a 得分计算方法 cell
    taken for the name: 部分对象资格复核未通过，下年度加强摸底)."""
    name = row.cells.get("name")
    if name is None:
        return False
    # or a 原因 cell's claim (已全部完成), or a qualitative value's two characters (有效)
    return bool(CLAUSE_RE.search(name.text) or MET_CLAIM.match(name.text)) or len(name.text) <= 2


MET_CLAIM = regex.compile(lexicon()["form"]["met_claim"])
CLAUSE_RE = regex.compile(r"[，。；;]|,(?!\d{3})")


TEXT_CLASSES = "LMCTUQY"
# A 得分计算方法 cell's words: 完成值达到指标值,记满分;未达到指标值,按B/A或A/B*该指标分值记分。
METHOD_TEXT = regex.compile(r"记满分|[*×]该指标分值|该指标分值记分|[AB]/[AB][*×]")
EMPTY = GCell("", None)
VALUE_ROLES = ("op", "target_ys", "target", "actual", "coef", "weight", "score")


def _complete(rows: list[FormRow]) -> int:
    """Rows with a name and a figure for 分值 and 得分 (an operator read as 分值 is no row)."""
    return sum(1 for r in rows if "name" in r.cells and NUM_RE.match(r.cells.get("weight", EMPTY).text)
               and NUM_RE.match(r.cells.get("score", EMPTY).text))


def _label_first_rows(tokens: list[GCell], classes: str, roles: list[str]) -> list[FormRow]:
    """Rows of a dump that prints each row's words first and its figures after
    (产出指标 数量指标 发放人数 人 服务对象减少… ≥ 266 191 15 10.8): words go to the
    word columns in header order, figures to the figure columns from the right."""
    out = []
    for m in regex.finditer(rf"(?P<t>[{TEXT_CLASSES}-]*[{TEXT_CLASSES}])(?P<v>[ONPV-]*[ONPV])-*", classes):
        texts = [(tokens[i], classes[i]) for i in range(m.start("t"), m.end("t")) if classes[i] != "-"]
        values = [(tokens[i], classes[i]) for i in range(m.start("v"), m.end("v"))]
        value_roles = [r for r in roles if r in VALUE_ROLES]
        cells = None
        while cells is None:
            while values and values[0][0].text in BLANK:
                values = values[1:]  # a blank word cell (原因: 无) printed last among the words
            cells = _align_figures(values, value_roles)
            if cells is None:  # a target in words (12个工作日以内) printed among the word cells
                texts.append(values.pop(0))
        rest = []
        if "level2" in roles and texts and texts[0][1] == "L" and not any(c in "MC" for _, c in texts):
            # a row that opens a 一级 group opens a 二级 one too: its first word cell after the 一级
            texts = [texts[0], *[(t, "M" if k == 0 and c == "T" else c) for k, (t, c) in enumerate(texts[1:])]]
        for tok, cls in texts:
            if cls == "L" and "level1" not in cells:
                cells["level1"] = tok
            elif cls in "MC" and "level2" not in cells and "name" not in cells:
                cells["level2"] = tok
            elif cls == "Q" and "op" not in cells:
                cells["op"] = tok
            elif cls == "U" and "unit" not in cells:
                cells["unit"] = tok
            elif cls == "Y":
                cells["core"] = tok
            elif "name" not in cells:
                cells["name"] = tok
            else:
                rest.append(tok)
        if "method" in roles:  # the 得分计算方法 cell (printed on a block's first row) is no reason
            rest = [t for t in rest if not METHOD_TEXT.search(t.text)]
        for r in ("target", "actual"):
            if r not in cells and rest and r in roles:
                cells[r] = rest.pop(0)
        if rest and "reason" in roles:
            cells["reason"] = join_cells(rest)
        if "name" in cells:
            out.append(FormRow("indicator", None, cells))
    return out


FIGURE_CLASSES = {"weight": "N", "score": "N", "coef": "NP", "op": "O"}


def _align_figures(values: list[tuple[GCell, str]], roles: list[str]) -> dict[str, GCell] | None:
    """Figures to the figure columns in order, the leftmost columns left out first
    (their cells were words, or blank and dropped); a 分值 / 得分 takes a plain
    number only. None when the figures fit no such assignment."""
    if not values:
        return {}
    # a 分值 / 得分 is never a word cell: taken first; a target or actual may be
    rx = "".join(f"(?:(?P<{r}>[{FIGURE_CLASSES.get(r, 'VNPO')}-])){'?' if r in ('weight', 'score') else '??'}"
                 for r in roles)
    m = regex.fullmatch(rx, "".join(c for _, c in values))
    if m is None:
        return None
    return {r: values[m.start(r)][0] for r in roles if m.start(r) >= 0 and values[m.start(r)][0].text}


def _drop_sub_items(tokens: list[GCell], classes: str) -> tuple[list[GCell], str]:
    """An indicator's breakdown rows (其中桃树种植面积 1.5亩 1.5亩: no 分值 of their
    own) are parts of the row above, not indicators: left out with their figures."""
    keep, skipping = [], False
    for tok, cls in zip(tokens, classes, strict=True):
        if cls == "T" and tok.text.startswith("其中"):
            skipping = True
            continue
        if skipping and (cls in "VNP-" or tok.text[:1].isdigit()):
            continue
        skipping = False
        keep.append((tok, cls))
    return [t for t, _ in keep], "".join(c for _, c in keep)


def _resync(row: str, classes: str) -> list[tuple[int, int]]:
    """Row spans read one after another, skipping a cell wherever no row starts
    (a stray note, a row the pattern cannot read), so one odd row costs itself only."""
    rx = regex.compile(f"{_ungroup(row)}(?=-*[LMCT]|-*$)")
    spans, pos = [], 0
    while pos < len(classes):
        m = rx.match(classes, pos, timeout=PATTERN_TIMEOUT)
        if m and m.end() > pos:
            spans.append(m.span())
            pos = m.end()
        else:
            pos += 1
    return spans


def _ungroup(pattern: str) -> str:
    """The same pattern without names, for the repeated outer match."""
    return regex.sub(r"\(\?P<\w+>", "(?:", pattern)


def _totals(tokens: list[GCell], classes: str) -> list[FormRow]:
    out = []
    for m in regex.finditer(r"S(?:-*(?P<g0>G))?(?P<n>-*N(?:-*N)?)(?:-*(?P<g>G))?", classes):
        nums = [t for t, c in zip(tokens[m.start("n") : m.end("n")], classes[m.start("n") : m.end("n")],
                                  strict=True) if c == "N"]
        cells = {"score": nums[-1]}
        if len(nums) == 2:
            cells["weight"] = nums[0]
        out.append(FormRow("total", tokens[m.start()], cells))
        grade = "g" if m.group("g") else "g0" if m.group("g0") else None
        if grade:  # 总分 | 100 | 99.7 | 优 (or 总分 优 100 99.7): the 等级 cell of the total row
            out.append(FormRow("rating", tokens[m.start()], {"rating": tokens[m.start(grade)]}))
    return out

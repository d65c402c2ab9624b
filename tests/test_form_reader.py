"""The form reader on small 绩效自评表 texts, one reading problem each (issue 14)."""

from __future__ import annotations


def _inds(result):
    return [(i["name"], i["weight"], i["score"]) for i in result.record["indicators"]]


# 绥阳 008 / 海淀 033: the 得分计算方法 cell spans the indicator block, so it is
# printed on the first row only; the rows below go straight from 分值 to 得分.
METHOD_ONCE = "\n".join([
    "部门整体支出绩效自评表(2022年度)", "",
    "绩效指标", "", "一级指标", "", "二级指标", "", "三级指标", "", "年度指标值(A)", "", "全年实际值(B)", "",
    "分值", "", "得分计算方法", "", "得分", "", "未完成原因分析", "",
    "产出指标(50分)", "", "重点工作", "", "组织宣传活动次数", "", ">=43次", "", "43次", "", "26", "",
    "完成值达到指标值,记满分;未达到指标值,按B/A或A/B*该指标分值记分。", "", "26", "", " ", "",
    "预算管理", "", "公用经费控制率", "", "<=100%", "", "56%", "", "24", "", "24", "", " ", "",
    "效益指标(30分)", "", "社会效益指标", "", "业务保障能力提升", "", "效果明显", "", "达成预期指标", "", "30",
    "", "27", "", "特困人员实行动态管理，人数有所减少", "",
    "满意度指标(10分)", "", "服务对象满意度指标", "", "干部职工满意度", "", ">=94%", "", "96.36%", "", "10", "",
    "10", "", " ", "",
    "总分", "", "100", "", " ", "", "97", "",
])


def test_method_cell_printed_once_leaves_the_scores_below(audit_text):
    r = audit_text(METHOD_ONCE)
    assert _inds(r) == [("组织宣传活动次数", 26, 26), ("公用经费控制率", 24, 24), ("业务保障能力提升", 30, 27),
                        ("干部职工满意度", 10, 10)]


# An xlsx dump that prints each row's word cells first and its figures after
# (157 / 166): the 偏差原因 cell (or its 无) stands among the words, after the name.
LABEL_FIRST = (
    "项目支出绩效自评表 （2023年度） 项目名称 道路清扫保洁外包工作经费 实施单位 永德县农业农村局 "
    "项目资金 （万元） 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额 / 1998.03 1976.61 10.00 99% 9.90 "
    "绩效 指标 一级指标 二级指标 三级指标 年度 指标值 实际 完成值 分值 得分 偏差原因分析 及改进措施 "
    "产出指标 数量指标 道路清扫保洁面积 无 ≥26万平方米 26万平方米 40.00 40.00 "
    "质量指标 资金发放准确率 采购流程延长导致进度滞后，已督促供应商 =99% 88% 20.00 17.78 "
    "效益指标 经济效益指标 带动增收农户数 无 ≥263户 263户 30.00 30.00 "
    "满意度指标 服务对象满意度指标 受益群众满意度 无 =95% 97% 10.00 10.00 总分 100 97.68\n"
)


def test_label_first_rows_with_a_reason_among_the_words(audit_text):
    r = audit_text(LABEL_FIRST)
    assert _inds(r) == [("道路清扫保洁面积", 40, 40), ("资金发放准确率", 20, 17.78), ("带动增收农户数", 30, 30),
                        ("受益群众满意度", 10, 10)]
    inds = r.record["indicators"]
    assert inds[0]["target"]["value"] == 26 and inds[0]["target"]["unit"] == "万平方米"
    assert inds[1]["deviation_reason"] == "采购流程延长导致进度滞后，已督促供应商"
    assert not [f for f in r.findings if f["category"] == "extraction_gap" and f["severity"] != "info"]


def _word(*tables: list[list[str]]) -> bytes:
    import io

    import docx

    d = docx.Document()
    d.add_paragraph("部门预算项目支出绩效自评表（2022年度）")
    for rows in tables:
        table = d.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                table.cell(i, j).text = value
        d.add_paragraph("")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


SICHUAN_BUDGET = [
    ["预算执行情况（10分）", "年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因"],
    ["", "总额", "1299.18", "1304.18", "1247.81", "95.68%", "10", "9.6", ""],
    ["", "其中：财政资金", "1299.18", "1304.18", "1247.81", "95.68%", "/", "/", ""],
]
INDICATORS = [
    ["一级指标", "二级指标", "三级指标", "指标值", "完成值", "权重", "得分", "未完成原因分析"],
    ["产出指标", "数量指标", "临时救助人次", "≥389人次", "389人次", "50", "50", "/"],
    ["效益指标", "社会效益指标", "政策知晓率", "=92%", "92%", "30", "30", "/"],
    ["满意度指标", "服务对象满意度指标", "受益群众满意度", "≥88%", "90%", "10", "10", "/"],
    ["合计", "", "", "", "", "100", "99.6", ""],
]


def test_word_table_spanning_header_over_row_labels_and_conclusion_cell(tmp_path, rules):
    """四川 (002 / 011): 年度预算数（万元） spans the row-label cells 总额 / 其中：财政资金,
    the figures stand under 年初预算 / 调整后预算数; the 等级 is only in the 评价结论 sentence."""
    from pipeline.api import audit_file

    conclusion = [["评价结论", "经自评，本项目自评总分99.6分，评价等级为“优”。"]]
    path = tmp_path / "form.docx"
    path.write_bytes(_word(SICHUAN_BUDGET, INDICATORS + conclusion))
    rec = audit_file(path, rules).record
    assert {k: (v.get("year_start"), v.get("budget"), v.get("executed")) for k, v in rec["budget"].items()} == {
        "total": (1299.18, 1304.18, 1247.81), "fiscal": (1299.18, 1304.18, 1247.81)}
    assert rec["rating"] == "优" and rec["score"] == 99.6


HUNAN_BUDGET = [
    ["年度预算申请(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["", "年度资金总额", "1956.35", "1956.35", "1809.31", "10", "92.5%", "9"],
    ["", "按收入性质分:", "", "", "按支出性质分:", "", "", ""],
    ["", "其中:一般公共预算:1956.35", "", "", "其中:基本支出:1228.00", "", "", ""],
    ["", "政府性基金拨款:", "", "", "项目支出:728.35", "", "", ""],
]


def test_word_table_keyed_budget_cells_and_a_rating_table_after_the_form(tmp_path, rules):
    """湖南 (132 / 009): 其中:基本支出:1228.00 holds a line and its amount in one cell; the
    评价等级 row came out as a table of its own (a page break in the PDF)."""
    from pipeline.api import audit_file

    path = tmp_path / "form.docx"
    path.write_bytes(_word(HUNAN_BUDGET, INDICATORS, [["评价等级", "优"]]))
    rec = audit_file(path, rules).record
    assert {k: v.get("budget") for k, v in rec["budget"].items()} == {
        "total": 1956.35, "fiscal": 1956.35, "basic": 1228, "project": 728.35}
    assert rec["rating"] == "优"


# 绥阳 008: 年初预算数(A) | 全年执行数(B) | 分值 | 得分, no 全年预算数 and no rate column,
# scored 执行率*分值: the total's execution is measured on the 年初 budget.
NO_RATE = """部门整体支出绩效自评表（2019年度）
部门（单位）总体资金（万元） | 资 金 来 源 | 年初预算数（A） | 全年执行数（B） | 分值（10分） | 得分 | 得分计算方法 |
年度资金总额： | 285.682 | 198.323 | 10 | 10 | 执行率*该指标分值,最高不得超过分值上限。 |
基本支出 | 198.834 | 138.032 |||
项目支出 | 86.848 | 60.291 |||
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值（A） | 全年实际值（B） | 分值 | 得分 | 未完成原因分析 |
产出指标（50分） | 重点工作 | 组织宣传活动次数 | ≥52次 | 52次 | 50 | 50 ||
效益指标（30分） | 社会效益指标 | 业务保障能力提升 | 有效 | 有效 | 30 | 30 ||
满意度指标（10分） | 服务对象满意度指标 | 干部职工满意度 | ≥95% | 95.0% | 10 | 10 ||
总分 | 100 |  | 100 | 优 |
"""


def test_no_rate_column_measures_the_total_on_the_year_start_budget(audit_text):
    r = audit_text(NO_RATE)
    budget = r.record["budget"]
    assert budget["total"]["budget"] == 285.682 and budget["basic"]["budget"] == 198.834
    got = {(f["subject"], f["category"]) for f in r.findings if f["severity"] in ("error", "warning")}
    # 198.323 / 285.682 = 69.4%: scored 10 of 10 and not explained, once (the rows state no rate)
    assert {("budget.total", "score_mismatch"), ("budget.total", "missing_explanation")} <= got
    assert not {s for s, _ in got if s in ("budget.basic", "budget.project")}
    # a row spending more than its only budget is over-executed (FUND-09)
    over = audit_text(NO_RATE.replace("项目支出 | 86.848 | 60.291", "项目支出 | 86.848 | 90.291"))
    assert ("budget.project", "out_of_range") in {(f["subject"], f["category"]) for f in over.findings}


def test_a_reason_cell_saying_all_done_is_a_claim(audit_text):
    """濉溪 177-like: 76.4% of ≥86% with 已全部完成 in the 原因 cell: no reason, and a claim the figure denies."""
    text = LABEL_FIRST.replace("受益群众满意度 无 =95% 97% 10.00 10.00", "受益群众满意度 已全部完成 ≥86% 76.4% 10.00 8.88")
    r = audit_text(text)
    got = {(f["subject"], f["category"]) for f in r.findings if f["severity"] in ("error", "warning")}
    assert {("indicator.4", "claim_contradiction"), ("indicator.4", "missing_deviation_reason")} <= got


def test_label_first_qualitative_row_with_a_blank_reason(audit_text):
    text = LABEL_FIRST.replace("带动增收农户数 无 ≥263户 263户 30.00 30.00", "长效管护机制健全性 效果明显 达成预期指标 无 30.00 30.00")
    ind = audit_text(text).record["indicators"][2]
    assert (ind["name"], ind["target"]["text"], ind["actual"]["text"], ind["weight"]) == (
        "长效管护机制健全性", "效果明显", "达成预期指标", 30)


def test_a_reason_cell_does_not_take_the_next_rows_name(audit_text):
    """One cell per line, the 二级 cell merged over two rows: the row after a 原因 cell starts
    with its name (管理制度健全性), even when its target and actual are words too."""
    text = METHOD_ONCE.replace(
        "特困人员实行动态管理，人数有所减少\n\n",
        "特困人员实行动态管理，人数有所减少\n\n管理制度健全性\n\n有效\n\n有效\n\n10\n\n10\n\n \n\n")
    text = text.replace("\n30\n\n27\n", "\n20\n\n17\n")
    inds = audit_text(text).record["indicators"]
    assert [(i["name"], i["level2"], i["weight"], i["score"]) for i in inds[2:4]] == [
        ("业务保障能力提升", "社会效益指标", 20, 17), ("管理制度健全性", "社会效益指标", 10, 10)]
    assert inds[2]["deviation_reason"] == "特困人员实行动态管理，人数有所减少"


def test_label_first_target_in_words_stays_out_of_the_figures(audit_text):
    """安徽 (分值 before 年度指标值), label-first: 12个工作日以内 is a word cell, printed
    among the words; the figures 13 | 12个工作日 | 13 are 分值, 全年实际值, 得分."""
    text = (LABEL_FIRST.replace("年度 指标值 实际 完成值 分值 得分", "分值 年度 指标值 实际 完成值 得分")
            .replace("道路清扫保洁面积 无 ≥26万平方米 26万平方米 40.00 40.00",
                     "审批办结时限 12个工作日以内 无 40.00 12个工作日 40.00")
            .replace("=99% 88% 20.00 17.78", "20.00 =99% 88% 17.78")
            .replace("≥263户 263户 30.00 30.00", "30.00 ≥263户 263户 30.00")
            .replace("=95% 97% 10.00 10.00", "10.00 =95% 97% 10.00"))
    ind = audit_text(text).record["indicators"][0]
    assert (ind["name"], ind["target"]["op"], ind["target"]["value"], ind["target"]["unit"], ind["actual"]["value"],
            ind["weight"], ind["score"]) == ("审批办结时限", "<=", 12, "个工作日", 12, 40, 40)


def test_unit_field_label_wrapped_over_its_note(audit_text):
    """实施单位\\n（盖章）: the wrapped label's note is no value; the unit is the next cell."""
    text = ("部门预算项目支出绩效自评表（2022年度） |\n项目名称 |\n城乡居民医保参保工作经费 |\n主管部门 |\n"
            "彭水县交通运输局部门 |\n实施单位\n（盖章） |\n彭水县交通运输局 |\n" + PIPE_BODY)
    assert audit_text(text).record["unit"] == "彭水县交通运输局"


PIPE_BODY = """项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
年度资金总额 | 100 | 100 | 95 | 10 | 95% | 9.5
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
产出指标 | 数量指标 | 培训人次 | ≥500人次 | 520人次 | 50 | 50 | 无
效益指标 | 社会效益指标 | 技能提升效果 | 效果明显 | 达成预期指标 | 30 | 30 | 无
满意度指标 | 服务对象满意度指标 | 学员满意度 | ≥90% | 95% | 10 | 10 | 无
总分 | | | | | 100 | 99.5 |
"""


def test_budget_row_with_a_vanished_blank_cell_is_placed_by_its_figures(audit_text):
    """临翔 174: 年初预算数 left blank and dropped from the dump, five figures under six
    columns: 31.69 / 32.4 = 97.80% places them under 全年预算数 … 得分."""
    text = """项目支出绩效自评表 |
项目资金 (万元) |
| 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |
年度资金总额 |
| 32.4 | 31.69 | 10 | 97.80% | 9 |
""" + PIPE_BODY.split("\n", 2)[2]
    total = audit_text(text).record["budget"]["total"]
    assert {k: total.get(k) for k in ("year_start", "budget", "executed", "weight", "rate", "score")} == {
        "year_start": None, "budget": 32.4, "executed": 31.69, "weight": 10, "rate": 97.8, "score": 9}


# 中江 032 / 海淀 033: a Word form copied as one run of text, every separator lost.
GLUED = ("绩效目标自评表(2022年度)项目名称小型水库水标尺制作安装项目主管部门中江县水利局实施单位中江县水利局"
         "资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:202010100.00%10"
         "其中:本年财政拨款2020其他资金年度总体目标年初设定目标年度总体目标完成情况综述对农村地区供水计量设施设备进行改进,"
         "绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分未完成原因及拟采取的改进措施产出指标(70分)"
         "数量指标安装坡面水标尺10≥266米≥266米10……总分100100\n")


def test_glued_budget_block_is_cut_where_its_figures_agree(audit_text):
    rec = audit_text(GLUED).record
    assert {k: v for k, v in rec["budget"]["total"].items() if k != "sources"} == {
        "budget": 20, "executed": 20, "weight": 10, "rate": 100, "score": 10}
    assert (rec["budget"]["fiscal"]["budget"], rec["budget"]["fiscal"]["executed"]) == (20, 20)
    assert rec["score"] == 100


def test_glued_budget_block_rate_on_the_year_start_and_a_method_sentence():
    from pipeline.extract.form_glued import _best_cut, _headers

    text = ("年初预算数(A)全年执行数(B)分值(10分)执行率(B/A)得分得分计算方法年度资金总额:310.2154.741050%5"
            "执行率*该指标分值,最高不得超过分值上限。其中:本年一般公共预算拨款310.2154.74其他资金")
    readings = {tuple(roles): weight[0] for roles, _, weight in _headers(text, 0)}
    roles = ["year_start", "executed", "weight", "rate", "score", "method"]
    assert readings[tuple(roles)] == 10
    cut, _ = _best_cut("310.2154.741050%5", roles[:-1], 10, None)
    assert {r: str(v) for r, (v, _, _) in cut.items()} == {
        "year_start": "310.2", "executed": "154.74", "weight": "10", "rate": "50", "score": "5"}
    # 303010100%: 30 | 30 | 10 | 100% — not 30 | 301 | 0 | 10 | 0%
    cut, _ = _best_cut("303010100%", ["year_start", "budget", "executed", "weight", "rate"], 0, None)
    assert {r: str(v) for r, (v, _, _) in cut.items()} == {"budget": "30", "executed": "30", "weight": "10", "rate": "100"}
    # 宣城 154: 1484631.00% is 148 | 46 | 31.00% (not 1 | 48 | 4631.00%: no budget is spent 46 times over)
    cut, _ = _best_cut("1484631.00%", ["budget", "executed", "rate"], 0, None)
    assert {r: str(v) for r, (v, _, _) in cut.items()} == {"budget": "148", "executed": "46", "rate": "31.00"}


def test_self_score_column_of_the_budget_block(audit_text):
    """衡山 009: the execution score's column is headed 自评得分."""
    text = PIPE_BODY.replace("| 分值 | 执行率 | 得分\n", "| 分值 | 执行率 | 自评得分\n", 1)
    assert audit_text(text).record["budget"]["total"]["score"] == 9.5


def test_label_first_group_opening_row_and_method_and_claim_cells(audit_text):
    """Label-first rows (绥阳 008 layout): a row opening 产出指标 opens its 二级 (重点工作)
    too; the 得分计算方法 words are no reason; 已全部完成 before the figures is the 原因
    cell's claim, not the name; 有效 is a value, not a name."""
    text = ("部门整体支出绩效自评表 绩效指标 一级指标 二级指标 三级指标 年度指标值（A） 全年实际值（B） 分值 得分计算方法 得分 "
            "未完成原因分析 产出指标（50分） 重点工作 组织宣传活动次数 完成值达到指标值,记满分;未达到指标值,按B/A或A/B*该指标分值记分。"
            " 31次 47次 30 30 政府采购执行率 已全部完成 >=100% 89.66% 20 18 效益指标（30分） 社会效益指标 业务保障能力提升 "
            "有效 未达成且效果较差 特困人员实行动态管理，人数有所减少 30 12 满意度指标（10分） 服务对象满意度指标 社会公众满意度 "
            ">=86% 90% 10 10 总分 100 90\n")
    r = audit_text(text)
    inds = r.record["indicators"]
    assert [(i["name"], i["level2"]) for i in inds] == [
        ("组织宣传活动次数", "重点工作"), ("政府采购执行率", "重点工作"), ("业务保障能力提升", "社会效益指标"),
        ("社会公众满意度", "服务对象满意度指标")]
    assert inds[0]["deviation_reason"] is None and inds[2]["target"]["text"] == "有效"
    got = {(f["subject"], f["category"]) for f in r.findings if f["severity"] in ("error", "warning")}
    assert ("indicator.1", "missing_explanation") in got  # 47 of 31: above target, unexplained
    assert ("indicator.2", "claim_contradiction") in got


def test_budget_row_line_ending_in_the_goal_text_and_a_titled_first_line(audit_text):
    """A dump 1–4 rows a line: the 其他资金 row shares its line with the 年度总体目标
    sentences (no prose line for all its 。), and the title line carries 自评总分（分） 96."""
    text = ("2021年度项目支出绩效自评表 主管部门 新洲区水利局 实施单位 新洲区翟店镇卫生院 自评总分（分） 96\n"
            "资金情况 （万元） 全年预算数(A) 全年执行数(B) 分值 执行率（B/A） 得分 年度资金总额： 228.54 222.29 10 97% 10\n"
            "其中：本年财政拨款 143.21 143.21 / 100% /\n"
            "其他资金 85.33 79.08 / 93% / 年度总体目标 年初设定目标 年度总体目标完成情况综述 "
            "完成道路清扫保洁外包工作经费年度工作任务，保障资金使用规范、及时、足额。 已按计划完成年度目标任务，资金使用规范。\n"
            "绩效指标 一级指标 二级指标 三级指标 分值 年度指标值 全年实际值 得分 未完成原因及拟采取的改进措施 "
            "产出指标（50分） 质量指标 项目验收合格率 50 =98% 99.9% 50 效益指标（30分） 生态效益指标 垃圾清运率 26 "
            "不低于91% 91.00% 26 满意度指标（10分） 服务对象满意度指标 服务对象满意度 10 ≥90% 95% 10\n")
    rec = audit_text(text).record
    assert (rec["budget"]["other"]["budget"], rec["budget"]["other"]["executed"]) == (85.33, 79.08)
    assert rec["score"] == 96


def test_flat_form_ending_on_its_grade_is_not_cut(audit_text):
    """A one-line dump (commas in its goal text) whose last cell is the 等级: not a document
    cut mid-sentence, so a missing 原因 is a warning, not an info."""
    text = LABEL_FIRST.replace("项目名称", "年度总体目标 完成年度工作任务，保障资金使用规范、及时、足额。 项目名称").replace(
        "受益群众满意度 无 =95% 97% 10.00 10.00 总分 100 97.68\n", "受益群众满意度 无 =95% 90% 10.00 9.47 总分 100 97.15 优")
    r = audit_text(text)
    sev = {(f["subject"], f["category"]): f["severity"] for f in r.findings}
    assert sev[("indicator.4", "missing_deviation_reason")] == "warning"


def test_flat_lines_a_sentence_inside_do_not_end_the_form(audit_text):
    """Rows 1–4 to a line: a line opening 产出指标(50分) whose first row carries the 得分计算方法
    sentence (。) is rows of the form, and a first header line of short words (预算执行情况（10分）
    年度预算数（万元） … 权重 得分 原因) opens the form."""
    text = ("项目支出绩效自评表(2023年度) 项目名称 安可替代补助资金\n"
            "预算执行情况（10分） 年度预算数（万元） 预算执行情况（万元） 权重 得分 原因\n"
            "年初预算 调整后预算数 预算执行数 预算执行率\n"
            "总额 1066.73 1066.73 1063.86 99.73% 10 10 其中：财政资金 1066.73 1066.73 1063.86 99.73% / /\n"
            "绩效指标 一级指标 二级指标 三级指标 分值 年度指标值(A) 全年实际值(B) 得分计算方法 得分 未完成原因分析\n"
            "产出指标(50分) 数量指标 钢结构圈养围栏 完成值达到指标值,记满分;未达到指标值,按B/A或A/B*该指标分值记分。 50 ≥299米 331米 50 "
            "效益指标(30分) 经济效益指标 带动增收农户数 30 ≥314户 314户 30\n"
            "满意度指标(10分) 服务对象满意度指标 服务对象满意度 10 92% 92.0% 10\n总分 100 100\n")
    rec = audit_text(text).record
    assert [(i["name"], i["weight"]) for i in rec["indicators"]] == [
        ("钢结构圈养围栏", 50), ("带动增收农户数", 30), ("服务对象满意度", 10)]
    assert (rec["budget"]["total"]["weight"], rec["budget"]["total"]["score"]) == (10, 10)


def test_sub_rows_leave_blank_the_money_column_the_total_left_blank(audit_text):
    """云南 layout, flattened: nobody filled 年初预算数, so 其中 rows' two figures are 全年预算数
    and 全年执行数 (372.23 | 372.23, 98.80 | 60.40), like the total's."""
    text = ("项目支出绩效自评表 （2022年度） 项目资金（万元） 年初预算数 全年预算数 全年执行数 分值 执行率 得分 "
            "年度资金总额 471.03 432.63 10 91.85% 9.2 其中：当年财政拨款 372.23 372.23 上年结转资金 98.80 60.40 其他资金 "
            "绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 "
            "产出指标 数量指标 购置安可电脑 15台 15台 50 50 无 效益指标 社会效益指标 政策知晓率 >=90% 95% 30 30 无 "
            "满意度指标 服务对象满意度指标 服务对象满意度 >=90% 95% 10 10 无 总分 100 99.2\n")
    b = audit_text(text).record["budget"]
    assert (b["carryover"].get("year_start"), b["carryover"]["budget"], b["carryover"]["executed"]) == (None, 98.8, 60.4)
    assert (b["fiscal"]["budget"], b["fiscal"]["executed"]) == (372.23, 372.23)


def test_blank_nature_cells_dropped_and_a_template_level2_with_deng(audit_text):
    """永德 016 (pipe rows broken over lines, blank cells gone): a qualitative row has no
    指标性质 and no 度量单位 left (有效 | 有效 | 10 | 10), and the template's 二级 reads
    服务对象满意度指标等."""
    text = """项目支出绩效自评表
| 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | 年度资金总额 |
| 100 | 100 | 10 | 100% | 10 |
| 绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 |
| 产出指标 | 数量指标 | 学生受资助人数 | ≧ | 735 | 人次 | 735人次 | 50 | 50 |
| 效益指标 | 经济效益 指标 | 减轻贫困学生家庭经济负担 |
| 有效 |
| 有效 | 30 | 30 |
| 满意度指标 | 服务对象满意度指标等 | 学生满意度 | ≧ | 95 | % | 100% | 10 | 10 |
| 总分 | 100 | 100 | 优 |
"""
    inds = audit_text(text).record["indicators"]
    assert [(i["name"], i["level2"], i["weight"]) for i in inds] == [
        ("学生受资助人数", "数量指标", 50), ("减轻贫困学生家庭经济负担", "经济效益指标", 30), ("学生满意度", "服务对象满意度指标等", 10)]
    assert (inds[1]["target"]["text"], inds[1]["actual"]["text"]) == ("有效", "有效")


def test_goal_table_in_a_report_and_a_stray_heading_after_it(audit_text):
    """丰都 140: a 绩效目标 table (指标名称 | 计量单位 | 指标性质 | 指标值), one cell a line,
    a 定性 row with no unit; the report's next heading is no row."""
    text = ("丰都县公安局2022年度辅警人员经费绩效自评工作报告\n一、基本情况\n(二)项目资金情况。\n"
            "全年预算数2565万元,全年执行数2565万元,预算执行率100%。\n(三)绩效目标。\n指标名称 |\n计量单位 |\n指标性质 |\n指标值 |\n辅警人员 |\n人 |\n= |\n512 |\n项目持续期 |\n定性 |\n"
            "基本建立 | |\n受益对象满意度 |\n% |\n≥ |\n95 |\n(四)部门(单位)职能职责。\n")
    inds = audit_text(text).record["indicators"]
    assert [(i["name"], i["target"]["value"], i["target"].get("text")) for i in inds] == [
        ("辅警人员", 512, None), ("项目持续期", None, "基本建立"), ("受益对象满意度", 95, None)]


def test_glued_reader_leaves_figures_a_space_apart_and_an_unagreeing_total():
    from pipeline.extract.form_glued import glued_budget_rows
    from pipeline.extract.normalize import normalize_document
    from pipeline.ingest.text import read_text_bytes

    def rows(text):
        return glued_budget_rows(normalize_document(read_text_bytes(text.encode("utf-8"), "t.txt")))

    assert rows("全年预算数(A)全年执行数(B)执行率(B/A)年度资金总额194.9194.9100%其中\n")
    # cells a space apart in the source are the token reader's, not cut here
    assert not rows("全年预算数(A)全年执行数(B)执行率(B/A)年度资金总额 194.9 194.9 100% 其中\n")
    # no cut makes 执行数 / 预算数 = 执行率: nothing is read
    assert not rows("全年预算数(A)全年执行数(B)执行率(B/A)年度资金总额194.9194.937%其中\n")


def test_a_budget_row_whose_rate_is_wrong_is_placed_by_what_forms_leave_blank(audit_text):
    """A row short of its blank 年初预算数 whose printed rate is wrong (88.8% printed 100%):
    no placing agrees, so the one leaving 年初预算数 blank (not 全年执行数) is kept, and the
    wrong rate is reported; a total row of zeros keeps its 分值 and 得分."""
    head = "项目支出绩效自评表(2019年度)\n项目资金(万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 "
    body = PIPE_BODY.split("\n", 2)[2]
    r = audit_text(head + "年度资金总额 1728.08 1534.74 10 100% 10\n" + body)
    total = r.record["budget"]["total"]
    assert (total.get("year_start"), total["budget"], total["executed"]) == (None, 1728.08, 1534.74)
    assert ("budget.total", "rate_mismatch") in {(f["subject"], f["category"]) for f in r.findings}
    zero = audit_text(head + "年度资金总额 0 0 0 10 0 其中：当年财政拨款 428.23 428.23 415.76\n" + body)
    total = zero.record["budget"]["total"]
    assert (total["year_start"], total["executed"], total["weight"], total["score"], total.get("rate")) == (0, 0, 10, 0, None)


def test_keyed_budget_line_opening_a_goal_line_and_a_qualitative_target_met_by_itself(audit_text):
    """湖南 layout flattened: 其他资金:357.27 opens the line the goal sentences follow on;
    管理制度健全性 健全 | 健全 is met, so 13 of 12 is both out of range and off its band."""
    text = ("部门整体支出绩效自评表 (2021年度) 预算单位名称 稷山县司法局\n"
            "年度预算申请 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额 1000.82 1000.82 1000.82 10 "
            "100.00% 10 按收入性质分: 按支出性质分:\n"
            "其中:一般公共预算:643.55 其中:基本支出:709.00 项目支出:291.82\n"
            "其他资金:357.27 年度总体目标 预期目标 实际完成情况 完成稷山县司法局年度工作任务，保障资金使用规范、及时、足额。 "
            "已按计划完成年度目标任务，资金使用规范。\n"
            "绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 "
            "产出指标 (50分) 财务管理 管理制度健全性 健全 健全 12 13 无 播发稿件数量 不少于2277篇 2451篇 38 38 无 "
            "效益指标 (30分) 社会效益指标 政策知晓率 ≥90% 95% 30 30 无 满意度指标 (10分) 服务对象满意度指标 "
            "社会公众满意度 不低于88% 95.40% 10 10 无 总分 100 101\n")
    r = audit_text(text)
    assert r.record["budget"]["other"]["budget"] == 357.27
    got = {(f["subject"], f["category"]) for f in r.findings if f["severity"] == "error"}
    assert {("indicator.1", "out_of_range"), ("indicator.1", "score_mismatch")} <= got


def test_flat_form_ending_on_its_core_indicator_cell_is_not_cut(audit_text):
    """重庆 layout flattened: the last cell is 是否核心指标's 是, not a cut sentence's last word."""
    text = ("2021年度部门整体绩效自评表 主管部门 彭水县档案馆 自评总分（分） 95\n"
            "部门预算执行情况 （万元） 年初预算数 全年（调整）预算数 全年执行数 执行率（%） 执行率权重 执行率得分（分）\n"
            "725.96 725.96 725.96 100 10 10 当年绩效目标 完成彭水县档案馆年度工作任务，保障资金使用规范、及时、足额。 "
            "指标名称 计量单位 指标性质 年初指标值 调整指标值 全年完成值 得分系数（%） 指标权重（分） 指标得分（分） 是否核心指标 "
            "播发稿件数量 篇 定量指标 >=597 597 70% 40 28 是 安全生产事故次数 起 定量指标 =0 =0 0 100% 50 50 是")
    sev = {(f["subject"], f["category"]): f["severity"] for f in audit_text(text).findings}
    assert sev[("indicator.1", "missing_explanation")] == "warning"  # met, 28 of 40, no reason


GLUED_INDICATORS = (
    "项目支出绩效自评表项目名称道路养护项目主管部门某县交通运输局实施单位某县交通运输局"
    "资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:505010100%10"
    "绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分未完成原因及拟采取的改进措施"
    "产出指标(50分)数量指标养护道路里程30≥12公里≥12公里30质量指标验收合格率20100%100%18"
    "效益指标(30分)社会效益指标群众出行条件改善情况30明显改善明显改善30"
    "满意度指标(10分)服务对象满意度指标群众满意度10≥90%≥95%10……总分10098\n")


def test_glued_indicator_block_is_read_whole(audit_text):
    r = audit_text(GLUED_INDICATORS)
    inds = r.record["indicators"]
    assert _inds(r) == [("养护道路里程", 30, 30), ("验收合格率", 20, 18),
                        ("群众出行条件改善情况", 30, 30), ("群众满意度", 10, 10)]
    assert [(i["level1"], i["level2"]) for i in inds] == [
        ("产出指标", "数量指标"), ("产出指标", "质量指标"), ("效益指标", "社会效益指标"),
        ("满意度指标", "服务对象满意度指标")]
    assert inds[0]["target"]["op"] == ">=" and inds[3]["actual"]["value"] == 95
    assert r.record["score"] == 98


def test_glued_indicator_block_not_read_whole_gives_no_rows(audit_text):
    from pipeline.extract.form_glued_indicators import glued_indicator_rows
    from pipeline.extract.normalize import normalize_document
    from pipeline.ingest.text import read_text_bytes

    def rows(text):
        return glued_indicator_rows(normalize_document(read_text_bytes(text.encode("utf-8"), "t.txt")))

    assert any("name" in r.cells for r in rows(GLUED_INDICATORS))
    # a 得分 above its 分值 (群众满意度 10 | 12), and a row whose cells do not parse
    # (a reason written into the last column): the whole block stays unread
    over = GLUED_INDICATORS.replace("≥90%≥95%10……", "≥90%≥95%12……")
    reason = GLUED_INDICATORS.replace("100%100%18", "100%100%18部分路段返工")
    for text in (over, reason):
        assert rows(text) == []
        assert audit_text(text).record["indicators"] == []


def test_glued_indicator_block_with_spaces_template_rows_and_a_line_break(audit_text):
    # 新洲 169's shape: 指标值 before 分值, spaces left inside cells (分 值, 满意度 指标),
    # unfilled template rows (指标2:) and the block running on to the next line
    text = ("项目支出绩效自评表(2020 年度)项目名称演出设备更新主管部门某区剧团实施单位某区文化和旅游局\n"
            "绩 效 指 标一级指标二级指标三级指标年度 指标值实际 完成值分 值得 分偏差原因分析 及改进措施"
            "产出指标数量指标更新演出设备50件50件4040指标2:质量指标设备质量合格合格3030指标2:\n"
            "满意度 指标服务对象 满意度指 标演出人员满意度100%95%3028指标2:总分10098\n")
    r = audit_text(text)
    assert _inds(r) == [("更新演出设备", 40, 40), ("设备质量", 30, 30), ("演出人员满意度", 30, 28)]
    assert r.record["indicators"][1]["target"]["text"] == "合格"

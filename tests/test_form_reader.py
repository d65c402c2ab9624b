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

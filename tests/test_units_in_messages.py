"""Messages quote amounts in the unit the report used (#17): a report written
in 元 reads 元 in its findings (stated, expected, suggestion), with 万元 beside
the figures perfaudit computed; the record stays in 万元 (SPEC §4)."""

from decimal import Decimal

from pipeline.numbers import display, display_money, parse_number

YUAN = """某某县文化馆2023年度部门整体支出绩效自评报告
一、部门基本情况
本部门整体支出全年预算总额为 2,571,400.00 元，资金执行数 2,571,400.00 元，执行率 100%。
其中基本支出全年预算数 2,000,000.00 元，资金执行数 2,000,000.00 元，执行率 100%。
项目支出全年预算数 500,000.00 元，资金执行数 450,000.00 元，执行率 90%。
二、评价结论
综合得分 95 分，评价结果为“优”。
"""


def test_a_report_in_yuan_is_quoted_in_yuan(audit_text):
    result = audit_text(YUAN)
    assert result.record["budget"]["total"]["budget"] == 257.14  # the record: 万元, as SPEC §4 says
    [budget_sum] = [f for f in result.findings if f["rule"] == "DEPT-01" and "执行数" not in f["message"]]
    assert budget_sum["stated"] == "2,571,400.00元"
    assert budget_sum["expected"] == budget_sum["suggestion"] == "2,500,000.00元"
    assert "基本支出 2,000,000.00元 + 项目支出 500,000.00元 = 2,500,000.00元（250.00万元）" in budget_sum["message"]
    assert "相差 71,400.00元（7.14万元）" in budget_sum["message"]


def test_a_report_in_wanyuan_is_unchanged(audit_text):
    result = audit_text(YUAN.replace("2,571,400.00 元", "257.14 万元").replace("2,000,000.00 元", "200.00 万元")
                        .replace("500,000.00 元", "50.00 万元").replace("450,000.00 元", "45.00 万元"))
    [budget_sum] = [f for f in result.findings if f["rule"] == "DEPT-01" and "执行数" not in f["message"]]
    assert budget_sum["stated"] == "257.14万元" and budget_sum["expected"] == "250.00万元"
    assert "（" not in budget_sum["message"].split("=")[1]  # no 万元 beside 万元


def test_display_of_amounts():
    assert display(parse_number("2571400元")) == "2,571,400元"
    assert display(parse_number("-32,090.00元")) == "-32,090.00元"
    assert display(parse_number("1.5亿元")) == "1.5亿元"
    assert display(parse_number("229.500000万元")) == "229.50万元"
    assert display_money(Decimal("257.14"), 6, "元", beside=True) == "2,571,400.00元（257.14万元）"
    assert display_money(Decimal("257.14"), 2) == "257.14万元"


def test_a_form_in_yuan_is_quoted_in_yuan(audit_text):
    form = ("项目支出绩效自评表（2023年度）\n项目名称：图书购置\n"
            "| 资金情况（元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |\n"
            "| 年度资金总额 | 100000.00 | 100000.00 | 90000.00 | 10 | 95% | 9 |\n"
            "| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |\n"
            "| 产出指标 | 数量指标 | 购置图书册数 | ≥1000册 | 1000册 | 90 | 90 |\n")
    result = audit_text(form)
    rate = next(f for f in result.findings if f["subject"] == "budget.total" and f["category"] == "rate_mismatch")
    assert "90,000.00元" in rate["message"] and "100,000.00元" in rate["message"]

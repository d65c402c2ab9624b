"""Extraction that does not depend on the sample's exact sentences."""

from .conftest import FIXTURES


def test_project_report_with_inline_indicators(audit_text):
    text = (FIXTURES / "project_inline_2023.txt").read_text(encoding="utf-8")
    r = audit_text(text)
    rec = r.record
    assert (rec["doc_type"], rec["unit"], rec["year"]) == ("project", "某某区教育局", 2023)
    assert rec["budget"]["total"]["budget"] == 500 and rec["budget"]["total"]["rate"] == 90
    names = [i["name"] for i in rec["indicators"]]
    assert names == ["资助学生人数", "资助资金足额发放率", "学生满意度"]
    second = rec["indicators"][1]
    assert second["achieved"] is False and second["deviation_reason"] == "部分学生转学"
    assert rec["indicators"][0]["target"]["op"] == ">="
    assert not [f for f in r.findings if f["severity"] in ("error", "warning")]


def test_variant_wording_and_wrapping(audit_text):
    text = """部门单位整体支出绩效自评报告（2022年度）
部门（单位）名称（公章）：司法局
单位整体支出全年预算数为1,234,500.00元，实际支出
1,100,000.00元，预算执行率89.1%。执行率偏低的原因是项目延期。
（一）指标一：普法宣传场次
普法宣传场次，年度目标值为不少于 20 场，实际完成值为 18 场，完成率为 90%，未完成年度目标。未完成原因：疫情影响。
（二）指标二：群众满意度
群众满意度，预期指标值 95%以上，实际完成 96%，完成率 101.05%，已完成年度目标。
四、评价结论：综合得分为 88.5 分，评价等级：良好。
"""
    r = audit_text(text)
    rec = r.record
    assert rec["unit"] == "司法局" and rec["year"] == 2022
    total = rec["budget"]["total"]
    assert (total["budget"], total["executed"], total["rate"]) == (123.45, 110.0, 89.1)
    a, b = rec["indicators"]
    assert a["target"]["op"] == ">=" and a["target"]["value"] == 20 and a["achieved"] is False
    assert b["target"]["op"] == ">=" and b["actual"]["value"] == 96
    assert (rec["score"], rec["rating"]) == (88.5, "良")
    assert not [f for f in r.findings if f["severity"] == "error"], r.findings


def test_year_start_then_full_year_in_one_sentence(audit_text):
    """年初预算数 X，全年预算数 Y：the second figure is the line's own, not the year-start's."""
    text = (FIXTURES / "department_variant_2021.txt").read_text(encoding="utf-8")
    r = audit_text(text)
    b = r.record["budget"]
    assert b["year_start"]["budget"] == 850 and b["total"]["budget"] == 912.35
    assert b["total"]["executed"] == 899.1 and b["project"]["adjustment"] == 62.35
    assert r.record["filled_on"] == "2022-06-18"
    assert not [f for f in r.findings if f["severity"] in ("error", "warning")], r.findings

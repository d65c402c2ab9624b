"""Cases a fresh-user review found: each was a false alarm or a silent miss."""


def errors_and_warnings(result):
    return [(f["rule"], f["subject"]) for f in result.findings if f["severity"] in ("error", "warning")]


def test_truncated_rate_is_info_naming_the_convention(audit_text):
    r = audit_text("（1）基本支出情况\n基本支出全年预算数1300.00万元，资金执行数1234.56万元，执行率94.96%。\n")
    f = next(f for f in r.findings if f["rule"] == "FUND-01")
    assert f["severity"] == "info" and "截尾" in f["message"]


def test_additions_clause_does_not_capture_the_full_year_figures(audit_text):
    text = ("项目支出绩效自评报告（2024年度）\n项目名称：学生资助项目\n"
            "本项目年初预算数为240.00万元，年中追加预算数为30.00万元，追加原因是资助标准提高，"
            "全年预算数为270.00万元，全年执行数为256.50万元，预算执行率为95.00%。\n")
    r = audit_text(text)
    b = r.record["budget"]
    assert (b["total"]["budget"], b["total"]["executed"], b["total"]["rate"]) == (270, 256.5, 95)
    assert b["additions"]["budget"] == 30 and b["year_start"]["budget"] == 240
    assert not [x for x in errors_and_warnings(r) if x[0] != "EXT-01"], r.findings


def test_a_wrong_not_achieved_claim_is_a_contradiction_not_a_missing_reason(audit_text):
    text = ("（三）指标三：家庭医生签约人数\n家庭医生签约人数，预期指标是>=5000人，本次评价实际完成值是5100人，"
            "指标完成率是102%，未达到预期目标。\n")
    r = audit_text(text)
    rules = {x[0] for x in errors_and_warnings(r)}
    assert "IND-17" in rules and "IND-10" not in rules


def test_unnumbered_indicators_under_a_level_heading_are_each_read(audit_text):
    text = ("1.数量指标\n资助参保人数：年度指标值≥3000人，实际完成值3120人，完成率104%，达到预期目标。\n"
            "医疗救助人次：年度指标值不低于1500人次，实际完成值1480人次，完成率98.67%，达到预期目标。\n")
    r = audit_text(text)
    names = [i["name"] for i in r.record["indicators"]]
    assert names == ["资助参保人数", "医疗救助人次"]
    assert ("IND-17", "indicator.2") in errors_and_warnings(r)


def test_a_doc_in_a_folder_is_a_failed_input_not_skipped(tmp_path):
    from pipeline.api import audit_paths

    from .conftest import SAMPLE

    (tmp_path / "ok.txt").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "报告.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    results = {r.source.rsplit("/", 1)[-1]: r for r in audit_paths([tmp_path])}
    assert results["ok.txt"].status == "ok"
    assert results["报告.doc"].status == "failed" and results["报告.doc"].error["code"] == "unsupported_format"

"""Reading defects the trial met (#17), each from a report written the way the
trial's reports were: thousands separators in indicator values, Word tables'
完成率 / 是否达到 columns and 基本支出 / 项目支出 rows, the department's
全年资金执行数 sentence, an actual written 实际平均…, coverage of announced and
numbered indicators. The lexicon's `indicators` examples run here too."""

import io

import pytest

from pipeline.extract import extract_record
from pipeline.extract.lexicon import lexicon
from pipeline.ingest.text import read_text_bytes


def rules_of(result, severity=None):
    return {(f["rule"], f["subject"]) for f in result.findings if severity in (None, f["severity"])}


@pytest.mark.parametrize("example", lexicon()["indicators"]["examples"], ids=lambda e: e["text"][:18])
def test_indicator_examples(example):
    record = extract_record(read_text_bytes(example["text"].encode("utf-8"), "x.txt"))
    count = record.indicator_count
    got = {}
    for key in example["expect"]:
        if key == "read":
            got[key] = len(record.indicators)
        elif key in ("numbered", "announced"):
            got[key] = getattr(count, key)
        else:
            index, field = key.split(".")
            ind = record.indicators[int(index) - 1]
            n = ind.target.number if field == "target" else ind.actual
            got[key] = float(n.value) if n is not None else None
    assert got == {k: (float(v) if "." in k and v is not None else v) for k, v in example["expect"].items()}


# --- narrative reports ---------------------------------------------------------------------------

SCHOOL = """某某县教育局2023年度项目支出绩效自评报告
项目名称：校舍建设项目
一、项目基本情况
项目全年预算数500.00万元，资金执行数480.00万元，执行率96%。
二、绩效指标完成情况
（一）指标一：新建校舍面积
新建校舍面积，预期指标是≥12,000平方米，本次评价实际完成值是{actual}平方米，指标完成率是{rate}，达到预期目标。
三、评价结论
综合得分95分，评价结果为“优”。
"""


def test_thousands_separators_in_indicator_values(audit_text):
    met = audit_text(SCHOOL.format(actual="12,460", rate="103.83%"))
    ind = met.record["indicators"][0]
    assert (ind["target"]["value"], ind["actual"]["value"]) == (12000, 12460)
    assert not rules_of(met, "error") and ("IND-09", "indicator.1") not in rules_of(met)
    missed = audit_text(SCHOOL.format(actual="11,460", rate="95.5%"))
    assert missed.record["indicators"][0]["actual"]["value"] == 11460
    claim = next(f for f in missed.findings if f["rule"] == "IND-17")
    assert claim["severity"] == "error" and "11460" in claim["message"] and "12000" in claim["message"]


APPROVAL = """某某县行政审批局2023年度部门整体支出绩效自评报告
一、部门基本情况
部门全年预算数600.00万元，资金执行数590.00万元，执行率98.33%。
二、绩效指标完成情况
1.数量指标
（1）办件数量，年度指标值≥5000件，实际完成5200件，完成率104%，达到预期目标。
2.时效指标
（2）审批办理时限，年度指标值≤3个工作日，{actual}，达到预期目标。
三、评价结论
综合得分95分，评价结果为“优”。
"""


def test_an_actual_written_shiji_pingjun_is_read(audit_text):
    result = audit_text(APPROVAL.format(actual="实际平均2个工作日"))
    assert [i["name"] for i in result.record["indicators"]] == ["办件数量", "审批办理时限"]
    assert result.record["indicators"][1]["actual"]["value"] == 2
    assert result.coverage["indicators"] == result.coverage["indicators_numbered"] == 2
    late = audit_text(APPROVAL.format(actual="实际平均4个工作日"))
    assert ("IND-17", "indicator.2") in rules_of(late, "error")


def test_a_numbered_indicator_that_cannot_be_read_is_not_silent(audit_text):
    result = audit_text(APPROVAL.format(actual="审批时长基本稳定"))
    assert result.coverage["indicators"] == 1 and result.coverage["indicators_numbered"] == 2
    assert result.coverage["indicators_unread"] == 1
    [gap] = [f for f in result.findings if f["rule"] == "EXT-02"]
    assert gap["severity"] == "warning" and gap["category"] == "extraction_gap"
    assert "审批办理时限" in gap["message"] and gap["evidence"][0]["line"] == 8


def test_coverage_says_read_against_numbered(tmp_path, audit_text):
    from pipeline.report.summary import build_document, write_markdown

    result = audit_text(APPROVAL.format(actual="审批时长基本稳定"))
    write_markdown(build_document([result]), tmp_path / "summary.md")
    assert "指标 1 个（文中编号 2 个）" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_announced_indicators_are_counted(audit_text):
    text = APPROVAL.format(actual="实际平均2个工作日").replace(
        "二、绩效指标完成情况\n", "二、绩效指标完成情况\n本年度共设置绩效指标4个。\n")
    result = audit_text(text)
    assert result.coverage["indicators_announced"] == 4 and result.coverage["indicators"] == 2
    [gap] = [f for f in result.findings if f["rule"] == "EXT-02"]
    assert (gap["stated"], gap["expected"]) == ("4", "2") and "只读出 2 个" in gap["message"]


DEPARTMENT = """某某县审计局2023年度部门整体支出绩效自评报告
一、部门基本情况
（一）预算执行情况
部门全年预算数{budget}万元。部门全年资金执行数5,698.35万元，预算执行率97.70%。
二、评价结论
综合得分95分，评价结果为“优”。
"""


def test_the_departments_execution_sentence_is_the_total(audit_text):
    """Already read by the budget facts (lexicon budget example); here it must also be checked."""
    right = audit_text(DEPARTMENT.format(budget="5,832.50"))
    total = right.record["budget"]["total"]
    assert (total["budget"], total["executed"], total["rate"]) == (5832.5, 5698.35, 97.7)
    assert not any(f["subject"] == "budget.total" and f["severity"] == "error" for f in right.findings)
    wrong = audit_text(DEPARTMENT.format(budget="5,932.50"))
    assert ("FUND-01", "budget.total") in rules_of(wrong, "error")


# --- a Word form as the trial filled it ------------------------------------------------------------

BUDGET = [
    ["项目", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["年度资金总额", "800.00", "820.00", "801.50", "10", "97.74%", "9.77"],
    ["其中：基本支出", "600.00", "610.00", "605.00", "—", "99.18%", "—"],
    ["项目支出", "200.00", "210.00", "180.00", "—", "85.71%", "—"],
]
INDICATORS = [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "完成率", "是否达到", "分值", "得分",
     "偏差原因分析及改进措施"],
    ["产出指标", "数量指标", "审计项目数", "≥20个", "22个", "110%", "是", "20", "20", ""],
    ["", "质量指标", "审计整改率", "≥95%", "93%", "97.89%", "是", "20", "18", ""],
    ["", "时效指标", "报告按时提交率", "100%", "100%", "100%", "是", "10", "10", ""],
    ["效益指标", "社会效益指标", "挽回损失金额", "≥500万元", "520万元", "140%", "是", "20", "20", ""],
    ["满意度指标", "服务对象满意度指标", "被审计单位满意度", "≥90%", "95%", "105.56%", "否", "20", "20", "无"],
    ["总分", "", "", "", "", "", "", "100", "98", ""],
]


def word_form() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("XX县审计局2023年度部门整体支出绩效自评表")
    d.add_paragraph("部门（单位）名称：XX县审计局")
    for rows in (BUDGET, INDICATORS):
        table = d.add_table(rows=len(rows), cols=len(rows[0]))
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                table.cell(i, j).text = value
        d.add_paragraph("")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_word_tables_rate_and_achieved_columns_and_expenditure_rows(tmp_path, rules):
    from pipeline.api import audit_file

    path = tmp_path / "审计局自评表.docx"
    path.write_bytes(word_form())
    result = audit_file(path, rules)
    budget = result.record["budget"]
    assert budget["basic"]["executed"] == 605 and budget["project"]["rate"] == 85.71
    inds = result.record["indicators"]
    assert [i["rate"] for i in inds] == [110, 97.89, 100, 140, 105.56]
    assert [i["achieved"] for i in inds] == [True, True, True, True, False]
    errors = rules_of(result, "error")
    assert ("DEPT-01", "budget.total") in errors  # 605 + 180 = 785 ≠ 801.50
    assert ("IND-17", "indicator.2") in errors  # 是 达到, yet 93% < 95%
    assert ("IND-17", "indicator.5") in errors  # 否, yet 95% ≥ 90%
    assert ("IND-09", "indicator.4") in errors  # 520/500 = 104%, written 140%
    assert ("FUND-08", "budget.project") in rules_of(result, "warning")  # 85.71% < 90%, no reason
    claim = next(f for f in result.findings if f["rule"] == "IND-17" and f["subject"] == "indicator.2")
    assert any(e.get("table") and e["text"] == "是" for e in claim["evidence"])


# --- several reports in one file ----------------------------------------------------------------

def concatenated(n: int) -> str:
    """n synthetic reports (each a whole 部门整体支出绩效自评报告) one after another, as the trial's file was."""
    from pipeline.ingest.text import decode_text

    from .conftest import FIXTURES

    parts = [decode_text((FIXTURES / "synth" / "corpus" / f"report_{i:03d}.txt").read_bytes())[0].rstrip("\n")
             for i in range(n)]
    return "\n".join(parts) + "\n"


def test_a_file_of_several_reports_is_refused_saying_where_each_begins(tmp_path, capsys):
    from pipeline.cli.app import main

    path = tmp_path / "50份合订.txt"
    path.write_text(concatenated(50), encoding="utf-8")
    rc = main(["audit", str(path), "--no-db", "--json"])
    rep = __import__("json").loads(capsys.readouterr().out)["reports"][0]
    assert rc == 3 and rep["status"] == "failed" and rep["findings"] == []
    assert rep["error"]["code"] == "several_reports"
    message = rep["error"]["message"]
    assert "含有 50 份自评报告" in message and "（共 50 处）" in message and "请按报告拆分" in message
    assert "第 6 行“部门单位整体支出绩效自评报告”" in message  # the first title, wrapped over two lines


def test_one_report_with_its_form_attached_is_one_report(audit_text):
    """A narrative followed by its 自评表, a title repeated by a web page, a table of contents: one report."""
    from .conftest import SAMPLE

    text = SAMPLE.read_text(encoding="utf-8")
    form = "\n附件：\n项目支出绩效自评表\n| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |\n"
    assert audit_text(text + form).status == "ok"
    toc = "部门整体支出绩效自评报告\n目 录\n一、基本情况\n二、绩效分析\n三、评价结论\n"
    assert audit_text(toc + text).status == "ok"
    assert audit_text(concatenated(1)).status == "ok"

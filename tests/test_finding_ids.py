"""Finding ids: stable for the same document, distinct for two projects of one unit and year."""

TEMPLATE = """项目支出绩效自评报告（2023年度）
项目名称：{name}
项目单位：某某区教育局
项目全年预算数 100.00 万元，资金执行数 100.00 万元，执行率 90%。
"""


def ids(result):
    return {(f["rule"], f["subject"]): f["id"] for f in result.findings}


def test_two_projects_do_not_share_ids(audit_text):
    a = audit_text(TEMPLATE.format(name="学生资助项目"))
    b = audit_text(TEMPLATE.format(name="校舍维修项目"))
    assert a.record["project"] == "学生资助项目"
    key = ("FUND-01", "budget.total")
    assert key in ids(a) and key in ids(b)
    assert ids(a)[key] != ids(b)[key]


def test_same_document_same_ids_after_an_unrelated_edit(audit_text):
    a = audit_text(TEMPLATE.format(name="学生资助项目"))
    b = audit_text(TEMPLATE.format(name="学生资助项目") + "五、其他需要说明的问题：无。\n")
    assert ids(a) == ids(b)

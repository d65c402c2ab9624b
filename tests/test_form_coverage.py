"""A form whose indicator rows were not all read: the 二级指标 cells with no
indicator under them are named in an extraction_gap, and the sums over the
table (分值 to 100, 得分 to 总分) are not checked on the part that was read."""

FLAT = (
    "绩效目标自评表(2023年度) 项目名称 安可替代补助资金 主管部门 新洲区卫生健康局 实施单位 新洲区卫生健康局 "
    "资金情况 (万元) 全年预算数(A) 全年执行数(B) 分值 执行率(B/A) 得分 年度资金总额: 2349.21 2349.21 10 100% 10 "
    "绩效指标 一级 指标 二级指标 三级指标 分值 年度指标值 全年实际值 得分 未完成原因 及拟采取的改进措施 "
    "产出指标(50分) 数量指标 临时救助人次 无 12 ≥767人次 767人次 12 补助村(社区)数量 服务对象减少，将据实调整年度指标值 "
    "7 ≥17个 13个 5.35 质量指标 适龄儿童疫苗接种率 部分对象资格复核未通过，下年度加强摸底 23 ≥92% 87% 21.75 "
    "时效指标 无 8 ≤16个工作日 16个工作日 8 效益指标(30分) 生态效益指标 垃圾清运率 "
    "采购流程延长导致进度滞后，已督促供应商 20 ≥91% 67.09% 14.75 经济效益指标 带动增收农户数 无 10 ≥197户 197户 10 "
    "满意度指标(10分) 服务对象满意度指标 服务对象满意度 无 10 =87% 87.6% 10 总分 100 91.85\n"
)

PIPE = """项目支出绩效自评表（2023年度）
项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
年度资金总额 | 100 | 100 | 95 | 10 | 95% | 9.5
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
产出指标 | 数量指标 | 培训人次 | ≥500人次 | 520人次 | 50 | 50 | 无
效益指标 | 社会效益指标 | 技能提升效果 | 效果明显 | 达成预期指标 | 30 | 30 | 无
满意度指标 | 服务对象满意度指标 | 学员满意度 | ≥90% | 95% | 10 | 10 | 无
总分 | | | | | 100 | 99.5 |
"""


def rules_of(result):
    return [(f["rule"], f["category"]) for f in result.findings]


def test_groups_without_an_indicator_are_a_gap_and_hold_the_sums(audit_text):
    r = audit_text(FLAT)
    gaps = [f for f in r.findings if f["category"] == "extraction_gap" and "二级指标" in f["message"]]
    assert len(gaps) == 1 and "时效指标" in gaps[0]["message"], r.findings
    assert not {"IND-01", "IND-02", "IND-05"} & {rule for rule, _ in rules_of(r)}


def test_a_form_read_whole_has_no_such_gap_and_its_sums_are_checked(audit_text):
    r = audit_text(PIPE)
    assert len(r.record["indicators"]) == 3
    assert not [f for f in r.findings if "二级指标" in f["message"] and f["category"] == "extraction_gap"]
    wrong = audit_text(PIPE.replace("| 50 | 50 |", "| 40 | 40 |"))
    assert "IND-01" in {rule for rule, _ in rules_of(wrong)}

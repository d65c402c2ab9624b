"""Finding ids (SPEC §5): the same for the same document, rule and subject in
every run; never shared by two documents, whatever the extractor recognised
of them (unit, year, project)."""

import hashlib

from pipeline.ingest.document import bytes_identity
from pipeline.ingest.text import read_text_bytes
from pipeline.model import finding_id

from .conftest import SAMPLE

TEMPLATE = """项目支出绩效自评报告（2023年度）
项目名称：{name}
项目单位：某某区教育局
项目全年预算数 100.00 万元，资金执行数 100.00 万元，执行率 90%。
"""

# A department report whose unit the extractor cannot find (the trial's 审计局 and
# 教育局 reports): the DEPT-01 error is the same rule on the same subject in both.
NO_UNIT = """部门整体支出绩效自评报告
一、部门基本情况
本部门整体支出全年预算总额为 {total} 万元，资金执行数 {total} 万元，执行率 100%。
其中基本支出全年预算数 {basic} 万元，资金执行数 {basic} 万元，执行率 100%。
项目支出全年预算数 100.00 万元，资金执行数 100.00 万元，执行率 100%。
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


def test_two_documents_without_a_recognised_unit_never_share_an_id(audit_text):
    a = audit_text(NO_UNIT.format(total="500.00", basic="300.00"), "教育局.txt")
    b = audit_text(NO_UNIT.format(total="800.00", basic="600.00"), "审计局.txt")
    assert a.record["unit"] is None and b.record["unit"] is None
    assert ("DEPT-01", "budget.total") in ids(a) and ("DEPT-01", "budget.total") in ids(b)
    assert not set(ids(a).values()) & set(ids(b).values())


def test_many_documents_without_a_unit_give_distinct_ids(audit_text):
    """The trial's 200-file store had 20 documents under one id."""
    seen: dict[str, int] = {}
    for n in range(40):
        result = audit_text(NO_UNIT.format(total=f"{500 + n}.00", basic=f"{300 + n}.00"), f"r{n}.txt")
        for fid in {f["id"] for f in result.findings}:
            assert fid not in seen, f"document {n} shares {fid} with document {seen[fid]}"
            seen[fid] = n
    assert len(seen) >= 40


def test_same_document_same_ids_in_every_run_and_encoding(rules):
    from pipeline.api import audit_document

    text = SAMPLE.read_text(encoding="utf-8")
    runs = [
        read_text_bytes(text.encode("utf-8"), "a.txt"),
        read_text_bytes(text.encode("utf-8"), "renamed.txt"),
        read_text_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"), "bom-crlf.txt"),
        read_text_bytes(text.encode("gb18030"), "gbk.txt"),
    ]
    results = [audit_document(doc, rules) for doc in runs]
    assert len({r.document_id for r in results}) == 1
    first = [f["id"] for f in results[0].findings]
    assert first and all([f["id"] for f in r.findings] == first for r in results[1:])
    assert len(set(first)) == len(first)


def test_an_edited_document_is_another_document(audit_text):
    a = audit_text(TEMPLATE.format(name="学生资助项目"))
    b = audit_text(TEMPLATE.format(name="学生资助项目") + "五、其他需要说明的问题：无。\n")
    assert a.document_id != b.document_id
    assert not set(ids(a).values()) & set(ids(b).values())


def test_one_definition(audit_text):
    """The id is finding_id(document identity, rule, subject[#n]); a PDF's or DOCX's
    identity is the SHA-256 of its bytes (the store's key), a text's that of its text."""
    result = audit_text(TEMPLATE.format(name="学生资助项目"))
    f = result.findings[0]
    assert f["id"] == finding_id(result.document_id, f["rule"], f["subject"])
    assert bytes_identity(b"%PDF-1.4 x") == hashlib.sha256(b"%PDF-1.4 x").hexdigest()


def test_repeated_subject_gets_numbered_ids(audit_text):
    """Two findings of one rule on one subject (here: unit and year both missing, on
    `document`): the second is keyed subject#2."""
    result = audit_text(NO_UNIT.format(total="500.00", basic="300.00"))
    by_key: dict[tuple, list[str]] = {}
    for f in result.findings:
        by_key.setdefault((f["rule"], f["subject"]), []).append(f["id"])
    assert any(len(fids) > 1 for fids in by_key.values())
    for (rule, subject), fids in by_key.items():
        want = [finding_id(result.document_id, rule, subject if k == 1 else f"{subject}#{k}")
                for k in range(1, len(fids) + 1)]
        assert sorted(fids) == sorted(want)

"""The second form corpus (fixtures/forms2): forms modelled on real published
绩效自评表, labelled by their own oracle. The tests fix the corpus' shape and
the oracle's reading of hand-checked real forms; the pipeline's precision,
recall and field accuracy are printed and held at floors (issue 14: 0.95 /
0.95 / 0.98 in every rendering), on the committed corpus and a fresh seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import fixture_module

ROOT = Path(__file__).resolve().parents[1]
FORMS2 = ROOT / "fixtures" / "forms2"
CORPUS = FORMS2 / "corpus"
FRESH_SEED = 20250214


def _load(name: str):
    return fixture_module(FORMS2, name, f"forms2_{name}" if not name.startswith("forms2_") else name)


@pytest.fixture(scope="module")
def labels():
    return json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))


def test_corpus_shape(labels):
    content, defects = _load("forms2_content"), _load("forms2_defects")
    assert 80 <= len(labels) <= 100
    assert {v["layout"] for v in labels.values()} == set(content.LAYOUTS)
    assert {v["rendering"] for v in labels.values()} == {"cells", "pipe", "flat", "docx", "pdf"}
    assert {v["record"]["doc_type"] for v in labels.values()} == {"project", "department_overall"}
    assert {d for v in labels.values() for d in v["defects"]} == set(defects.TYPES)
    clean = sum(1 for v in labels.values() if not v["defects"])
    assert 0.12 <= clean / len(labels) <= 0.3
    for name, v in labels.items():
        assert (CORPUS / name).exists(), name
        got = {(s, c) for s, c, sev in v["expected"] if sev != "info"}
        assert all(tuple(i) in got for i in v["intents"]), name
        if not v["defects"]:
            assert not got, name
    cats = {c for v in labels.values() for _, c, _ in v["expected"]}
    assert cats >= {"sum_mismatch", "rate_mismatch", "score_mismatch", "weight_mismatch", "out_of_range",
                    "claim_contradiction", "missing_deviation_reason", "missing_explanation", "rating_mismatch"}


def test_every_layout_in_every_rendering(labels):
    pairs = {(v["layout"], v["rendering"]) for v in labels.values()}
    layouts = {v["layout"] for v in labels.values()}
    assert len(pairs) == len(layouts) * 5


def test_generator_deterministic(tmp_path, labels):
    gen = _load("generate")
    got = gen.generate(gen.SEED, len(labels), tmp_path, pdf=False)
    for name, meta in got.items():
        if name in labels and meta["rendering"] == labels[name]["rendering"]:  # PDF slots came out as DOCX
            assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name
            assert json.loads(json.dumps(meta, ensure_ascii=False)) == labels[name], name


def _print(capsys, title: str, total, groups, table) -> None:
    with capsys.disabled():
        print(f"\n--- {title}: precision {total.precision:.3f}  recall {total.recall:.3f}  "
              f"fields {total.field_accuracy:.3f} ({total.fields_ok}/{total.fields_total})  "
              f"statuses {dict(total.statuses)}")
        print(table(groups))


def test_score_committed_corpus(capsys, labels):
    sc = _load("score")
    total, groups = sc.score_all(CORPUS)
    _print(capsys, "forms2 corpus", total, groups, sc.table)
    assert sum(total.statuses.values()) == len(labels)
    # Floors at what the form reader reaches now (issue 14 asks 0.95 each): a
    # regression fails here; raise them as the reader improves.
    assert total.statuses.get("ok") == len(labels)
    assert total.precision >= 0.99 and total.recall >= 0.99 and total.field_accuracy >= 0.995, (
        total.precision, total.recall, total.field_accuracy)
    for (dim, value), sc in groups.items():  # every rendering and layout (issue 14)
        assert sc.precision >= 0.95 and sc.recall >= 0.95 and sc.field_accuracy >= 0.98, (dim, value, sc.report(0))


def test_score_fresh_seed(tmp_path, capsys):
    """A seed nothing was tuned on; PDF too when reportlab has a CJK font (fast)."""
    got = _load("generate").generate(FRESH_SEED, 40, tmp_path)
    sc = _load("score")
    total, groups = sc.score_all(tmp_path)
    _print(capsys, f"forms2 fresh seed {FRESH_SEED}", total, groups, sc.table)
    assert sum(total.statuses.values()) == len(got)
    # nothing was tuned on this seed (1.000 / 1.000 / 1.000 now; other fresh seeds 0.99-1.00)
    assert total.precision >= 0.95 and total.recall >= 0.95 and total.field_accuracy >= 0.98, (
        total.precision, total.recall, total.field_accuracy)


# --- the oracle against hand-checked real forms (fixtures/real INDEX*.md) -------------------

def _form(layout, budget, indicators, total_score, rating=None, headings=None, reason=None, extra=()):
    return {"layout": layout, "budget": budget, "indicators": indicators, "total_score": total_score,
            "total_weight": "100", "rating": rating, "headings": headings or {}, "budget_reason": reason,
            "extra_rows": list(extra)}


def _ind(name, op, target, unit, actual, weight, score, reason=None, level1="产出指标"):
    return {"name": name, "op": op, "target": target, "unit": unit, "actual": actual, "weight": weight,
            "score": score, "reason": reason, "level1": level1}


def _keys(result):
    expected, ambiguous = result
    return {(s, c): sev for s, c, sev in expected}, {(s, c) for s, c, _ in ambiguous}


def test_oracle_174_truncated_rate_and_integer_score():
    """临翔 174: 31.69/32.4 = 97.81% printed 97.80% (truncated: info, SPEC §6), scored 9 of 10."""
    oracle = _load("forms2_oracle").oracle
    f = _form("yunnan", {"total": {"budget": "32.4", "executed": "31.69", "rate": "97.80%", "weight": "10",
                                   "score": "9"}}, [_ind("野生动物收容所", ">=", "200", "平方米", "204.46", "90", "90")], "99")
    exp, _ = _keys(oracle(f))
    assert exp[("budget.total", "rate_mismatch")] == "info"
    assert exp[("budget.total", "score_mismatch")] == "warning"


def test_oracle_008_department_rows():
    """绥阳 008: 基本支出 914.97/985.19 = 92.87% scored 10; executed above the year-start budget."""
    oracle = _load("forms2_oracle").oracle
    B = {"total": {"year_start": "1172.55", "executed": "1268.72", "weight": "10", "score": "10"},
         "basic": {"year_start": "985.19", "executed": "914.97", "weight": "10", "score": "10"},
         "project": {"year_start": "187.36", "executed": "353.75", "weight": "10", "score": "10"}}
    exp, _ = _keys(oracle(_form("guizhou", B, [_ind("履职", ">=", "1", "项", "1", "90", "90")], "100")))
    assert exp[("budget.basic", "score_mismatch")] == "warning"
    assert ("budget.total", "sum_mismatch") not in exp  # 985.19 + 187.36 = 1172.55, 914.97 + 353.75 = 1268.72
    assert exp[("budget.total", "out_of_range")] == "warning"
    assert ("budget.total", "score_mismatch") not in exp  # 108.2% capped at 10


def test_oracle_016_missed_and_undecided():
    """永德 016: 政策知晓率 98% of ═100%, 9 of 10, reason empty; 资金到位及时率 100% of ≥100%
    scored 7 is undecided under SPEC §6 (100% against >=100%), so it owes nothing."""
    oracle = _load("forms2_oracle").oracle
    inds = [_ind("政策知晓率", "=", "100", "%", "98", "10", "9", level1="效益指标"),
            _ind("资金到位及时率", ">=", "100", "%", "100", "10", "7")]
    f = _form("yunnan", {"total": {"budget": "38.766462", "executed": "38.766462", "rate": "100%", "weight": "10",
                                   "score": "10"}}, inds, "26", rating="差")
    exp, _ = _keys(oracle(f))
    assert exp[("indicator.1", "missing_deviation_reason")] == "warning"
    assert exp[("indicator.1", "score_mismatch")] == "warning"
    assert not [k for k in exp if k[0] == "indicator.2"]


def test_oracle_177_scores_and_over_achievement():
    """濉溪 177: ≤5300 exceeded by 5830 scored 10 of 10, reason empty; 87 of ≥59 人次 (147%) with no
    explanation. 4604 of ≥4754 scored 5 of 5 is *not* a mismatch under SPEC §6, unlike the hand
    check: 5 × 4604/4754 = 4.84, and an integer score stands for [4.5, 5.5] (DOMAIN IND-06 ±0.5)."""
    oracle = _load("forms2_oracle").oracle
    inds = [_ind("特困人员救助供养人数", ">=", "4754", "人", "4604", "5", "5", reason="特困人员实行动态管理"),
            _ind("扶贫临时救助标准", "<=", "5300", "元/户", "5830", "10", "10"),
            _ind("临时救助人次", ">=", "59", "人次", "87", "5", "5")]
    f = _form("anhui", {"total": {"budget": "30", "executed": "30", "rate": "100%", "weight": "10", "score": "10"}},
              inds, "30")
    exp, _ = _keys(oracle(f))
    assert ("indicator.1", "score_mismatch") not in exp
    assert ("indicator.1", "missing_deviation_reason") not in exp  # a reason is given
    assert exp[("indicator.2", "score_mismatch")] == "error"
    assert exp[("indicator.2", "missing_deviation_reason")] == "warning"
    assert exp[("indicator.3", "missing_explanation")] == "warning"


def test_oracle_132_rate_printed_100():
    """零陵 132: 3824.26/4753.66 = 80.45% printed 100%, scored 10; 1873.66 + 2880 = 1768.16 + 2985.5."""
    oracle = _load("forms2_oracle").oracle
    B = {"total": {"year_start": "4753.66", "budget": "4753.66", "executed": "3824.26", "rate": "100%",
                   "weight": "10", "score": "10"},
         "fiscal": {"budget": "1873.66"}, "other": {"budget": "2880"},
         "basic": {"budget": "1768.16"}, "project": {"budget": "2985.5"}}
    inds = [_ind("木材销售收入", "=", "1100", "万元", "1093", "6", "5", level1="效益指标"),
            _ind("造林面积", "=", "1.2", "万亩", "1.2", "84", "84")]
    exp, amb = _keys(oracle(_form("hunan", B, inds, "99")))
    assert exp[("budget.total", "rate_mismatch")] == "error"
    assert ("budget.total", "sum_mismatch") not in exp
    assert ("budget.total", "missing_explanation") in amb  # stated 100%, recomputed 80.45%
    assert exp[("indicator.1", "missing_deviation_reason")] == "warning"


def test_oracle_011_adjustment_with_template_text():
    """大英 011: 年初 0.00 → 调整后 3.36, the 原因 cell holds only the template's instructions."""
    content, oracle = _load("forms2_content"), _load("forms2_oracle").oracle
    B = {"total": {"year_start": "0.00", "budget": "3.36", "executed": "3.36", "rate": "100.00%", "weight": "10",
                   "score": "10"},
         "fiscal": {"year_start": "0.00", "budget": "3.36", "executed": "3.36", "rate": "100.00%"}}
    zero = [{"label": "单位资金", "year_start": "0.00", "budget": "0.00", "executed": "0.00", "rate": "0.00%"}]
    f = _form("sichuan", B, [_ind("成本控制数", "<=", "30", "万元", "3.36", "90", "90")], "100",
              reason=content.SICHUAN_NOTE, extra=zero)
    exp, amb = _keys(oracle(f))
    assert exp[("budget.total", "missing_explanation")] == "warning"
    assert ("budget.*", "zero_base_rate") in amb
    f["budget_reason"] = "年中追加安可替代补助资金"
    assert ("budget.total", "missing_explanation") not in _keys(oracle(f))[0]

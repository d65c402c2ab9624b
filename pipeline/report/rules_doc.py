"""The rule reference (docs/RULES.md), generated from the catalogue, never
written by hand (STYLE §4): `perfaudit rules --markdown > docs/RULES.md`;
tests/test_docs.py fails when the committed file is stale.

Each rule in ruff's order: what it checks, why it matters, failing and
passing examples, tolerance, references. Deterministic: no dates, no
absolute paths.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.labels import CATEGORY_ZH, SEVERITY_ZH

FAMILIES = {  # rule file -> heading, in the order the document lists them
    "budget.yml": "预算执行（budget）", "indicators.yml": "绩效指标（indicators）",
    "evaluation.yml": "自评得分与等级（evaluation）", "form.yml": "绩效自评表（form）",
    "text.yml": "文字（text）", "meta.yml": "识别与一致性（meta）",
    "crossdoc.yml": "跨报告（crossdoc，批次级）", "quality.yml": "数据质量（quality，批次级，--validate）",
}
HEADER = """# perfaudit 规则目录（Rule reference）

<!-- Generated from rules/*.yml by `perfaudit rules --markdown > docs/RULES.md`; do not edit by hand.
     tests/test_docs.py fails when this file is out of date. -->

每条规则：检查什么、为什么、不通过与通过的示例（也是该规则的测试）、容差、依据。
严重程度：错误（error）= 文件自相矛盾或违反明确规定；警告（warning）= 很可能有误或地区口径不同；提示（info）= 值得一看。
批次级规则在一批报告审核完、写入数据库后运行，示例是一起提交的几份文件或批次表中的一行。
"""


def rules_markdown(rules: list) -> str:
    """The Markdown rule reference for `rules` (pipeline.audit.rules.Rule)."""
    from pipeline.audit.checks import KINDS

    families: dict[str, list] = {}
    for rule in rules:
        families.setdefault(Path(rule.source).name, []).append(rule)
    order = [f for f in FAMILIES if f in families] + sorted(f for f in families if f not in FAMILIES)
    out = [HEADER, "| 规则 | 标题 | 类别 | 严重程度 |", "|---|---|---|---|"]
    for family in order:
        for r in families[family]:
            out.append(f"| [{r.id}](#{r.id.lower()}) | {_cell(r.title)} | {r.category} | {SEVERITY_ZH[r.severity]} |")
    for family in order:
        out += ["", f"## {FAMILIES.get(family, family)}"]
        for r in families[family]:
            out += _rule(r, KINDS[r.check].scope)
    return "\n".join(out) + "\n"


def _rule(r, scope: str) -> list[str]:
    head = f"{r.id}" + ("（已停用，由 " + str(r.replaced_by) + " 取代）" if r.retired else "")
    out = ["", f"### {head}", "", f"**{r.title}** · `{r.name}`", "",
           f"- 类别：`{r.category}`（{CATEGORY_ZH.get(r.category, r.category)}）",
           f"- 严重程度：`{r.severity}`（{SEVERITY_ZH[r.severity]}）",
           f"- 检查类型：`{r.check}`（{'批次级' if scope == 'batch' else '单份报告'}）"]
    if r.params:
        out.append(f"- 参数：`{_json(r.params)}`")
    out += ["", "**检查什么。** 消息模板：", "", f"> {r.message}"]
    for variant, template in r.messages.items():
        out += ["", f"> `{variant}`：{template}"]
    out += ["", f"**为什么。** {r.why or '—'}", ""]
    out += _examples(r, "fail", "不通过的示例") + _examples(r, "pass", "通过的示例")
    out += [f"**容差。** {r.tolerance or '—'}", "", "**依据。**", ""]
    out += [f"- {ref}" for ref in r.references] or ["- —"]
    return out


def _examples(r, kind: str, label: str) -> list[str]:
    out = []
    for i, ex in enumerate(r.examples.get(kind) or [], start=1):
        out += [f"**{label} {i}**", ""]
        if "text" in ex:
            out += _block(ex["text"])
        for doc in ex.get("documents") or []:
            out += [f"文件 `{doc['name']}`：", ""] + _block(doc["text"])
        if "row" in ex:
            out += ["批次表一行（其余列为有效值）：", "", f"`{_json(ex['row'])}`", ""]
        if kind == "fail":
            want = ex.get("findings") or []
            out += ["应给出的问题：" + ("；".join(f"`{_json(f)}`" for f in want) if want else "无（只记入 Data Docs）"), ""]
    return out


def _block(text: str) -> list[str]:
    return ["```text", *text.rstrip("\n").split("\n"), "```", ""]


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def _cell(text: str) -> str:
    return text.replace("|", "｜")

"""The rule reference is generated from the catalogue (STYLE §4): the
committed docs/RULES.md is what `perfaudit rules --markdown` prints now,
and the README points to it instead of keeping its own rule table."""

from pipeline.audit.rules import load_rules
from pipeline.cli.app import main
from pipeline.report.rules_doc import rules_markdown

from .conftest import ROOT

RULES_DOC = ROOT / "docs" / "RULES.md"
REGENERATE = "docs/RULES.md is stale: run `perfaudit rules --markdown > docs/RULES.md` and commit it"


def test_committed_rule_reference_is_current():
    assert RULES_DOC.read_text(encoding="utf-8") == rules_markdown(load_rules()), REGENERATE


def test_cli_prints_the_same_document(capsys):
    assert main(["rules", "--markdown"]) == 0
    assert capsys.readouterr().out == rules_markdown(load_rules())


def test_every_rule_is_documented_in_order_what_why_examples_tolerance_references():
    doc = RULES_DOC.read_text(encoding="utf-8")
    for rule in load_rules():
        section = doc.split(f"\n### {rule.id}\n", 1)[1].split("\n### ", 1)[0]
        marks = ["**检查什么。**", "**为什么。**", "**不通过的示例 1**", "**通过的示例 1**", "**容差。**", "**依据。**"]
        positions = [section.find(m) for m in marks]
        assert -1 not in positions and positions == sorted(positions), rule.id
        assert rule.title in section and rule.message in section


def test_readme_points_to_the_generated_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/RULES.md" in readme
    assert "| DEPT-01, DEPT-03 |" not in readme  # the old hand-written table

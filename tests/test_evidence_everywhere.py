"""Evidence in every row: each finding on the labelled corpora (narrative reports, table
forms in every rendering, the user's sample) points at the source text it rests on."""

from __future__ import annotations

from pathlib import Path

from pipeline.api import audit_file

ROOT = Path(__file__).resolve().parents[1]
FILES = (sorted((ROOT / "fixtures/forms/corpus").glob("form_*")) + sorted((ROOT / "fixtures/synth/corpus").glob("*.txt"))
         + [ROOT / "fixtures/minzhengju_2023_self_evaluation.txt"])


def test_every_finding_has_located_evidence(rules):
    bare, total = [], 0
    for path in FILES:
        for f in audit_file(path, rules).findings:
            total += 1
            if not f["evidence"] or not all(e.get("line") and e.get("text") for e in f["evidence"]):
                bare.append((path.name, f["rule"], f["subject"]))
    assert total > 300
    assert bare == []

"""Independent synthetic corpus: findings precision/recall and record field
accuracy of pipeline.api.audit_paths against generated truth labels
(fixtures/synth; see fixtures/synth/generate.py). Breakdown from the command
line: .venv/bin/python fixtures/synth/score.py"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import fixture_module

ROOT = Path(__file__).resolve().parents[1]
SYNTH = ROOT / "fixtures" / "synth"
CORPUS = SYNTH / "corpus"


def _load(name: str):
    return fixture_module(SYNTH, name, f"synth_{name}")


needs_api = pytest.mark.skipif(not (ROOT / "pipeline" / "api.py").exists(),
                               reason="pipeline/api.py not written yet")


@pytest.fixture(scope="module")
def result():
    return _load("score").score(CORPUS)


@needs_api
def test_precision(result):
    assert result.precision >= 0.95, result.report()


@needs_api
def test_recall(result):
    assert result.recall >= 0.95, result.report()


@needs_api
def test_field_accuracy(result):
    assert result.field_accuracy >= 0.98, result.report()


def test_corpus_shape():
    labels = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    assert len(labels) == 60
    assert sum(1 for v in labels.values() if not v["defects"]) >= 12
    counts = {}
    for v in labels.values():
        assert len(v["defects"]) <= 3
        for d in v["defects"]:
            counts[d] = counts.get(d, 0) + 1
        if not v["defects"]:
            assert all(sev == "info" for _, _, sev in v["expected"])
    assert len(counts) == 19 and min(counts.values()) >= 5, counts


def test_generator_deterministic(tmp_path):
    gen = _load("generate")
    labels = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    got = gen.generate(gen.SEED, len(labels), tmp_path, only=3)
    for name, meta in got.items():
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name
        assert json.loads(json.dumps(meta, ensure_ascii=False)) == labels[name], name

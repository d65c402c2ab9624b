from pathlib import Path

import pytest

from pipeline.api import audit_document
from pipeline.ingest import read_text_bytes
from pipeline.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SAMPLE = FIXTURES / "minzhengju_2023_self_evaluation.txt"


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def audit_text(rules):
    """Run the whole pipeline on a text snippet, as if it were a .txt file."""

    def run(text: str, source: str = "snippet.txt"):
        return audit_document(read_text_bytes(text.encode("utf-8"), source), rules)

    return run

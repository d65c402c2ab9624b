import importlib.util
import sys
from pathlib import Path

import pytest

from pipeline.api import audit_document
from pipeline.audit.rules import load_rules
from pipeline.ingest.text import read_text_bytes

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SAMPLE = FIXTURES / "minzhengju_2023_self_evaluation.txt"


def fixture_module(folder: Path, name: str, alias: str):
    """A fixtures script (generator, scorer) imported by path as `alias`; its folder goes
    on sys.path for the sibling modules it imports by plain name."""
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(alias, folder / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[alias] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def audit_text(rules):
    """Run the whole pipeline on a text snippet, as if it were a .txt file."""

    def run(text: str, source: str = "snippet.txt"):
        return audit_document(read_text_bytes(text.encode("utf-8"), source), rules)

    return run

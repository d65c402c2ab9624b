"""TXT-02's jieba reads its dictionary on demand from an SQLite copy (checks/segment.py):
the tokens must be jieba's own, and a report whose names end in no stub never loads it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("高龄津贴", "护理补贴", "生活补贴", "物价补贴", "购物补贴", "临时救助", "满意度")


@pytest.fixture(scope="module")
def tokenizers(tmp_path_factory):
    import jieba

    from pipeline.audit.checks.segment import tokenizer

    lazy = tokenizer(tmp_path_factory.mktemp("jieba"))
    assert lazy is not None
    whole = jieba.Tokenizer()
    for tk in (lazy, whole):
        for w in DOMAIN:
            tk.add_word(w, freq=20000)
    return lazy, whole


def corpus_lines() -> list[str]:
    lines = []
    for corpus in (ROOT / "fixtures" / "synth" / "corpus", ROOT / "fixtures" / "synth" / "corpus_s6"):
        labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
        for name in sorted(labels)[:20]:
            text = (corpus / name).read_bytes().decode(labels[name]["encoding"])
            lines.extend(ln.strip() for ln in text.splitlines() if ln.strip())
    return lines


def test_lazy_dictionary_gives_jiebas_tokens(tokenizers):
    lazy, whole = tokenizers
    names = corpus_lines() + ["对6000名80岁以上老人发放高龄津", "困难群众临时救", "护理补", "受益群众满意", "abc 高龄 津"]
    assert len(names) > 1000
    for name in names:
        assert lazy.lcut(name) == whole.lcut(name), name
    assert len(lazy.FREQ) < 50_000  # only what the names needed was read


def test_jieba_is_not_loaded_without_a_stub_ending_name():
    code = (
        "import sys\n"
        "from pipeline.api import audit_file\n"
        "from pipeline.audit.rules import load_rules\n"
        "r = audit_file('fixtures/pdf/synth/report_003.pdf', load_rules())\n"
        "print(r.status, 'jieba' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["ok", "False"]

"""Malformed inputs (fixtures/synth/malformed, written by malformed.py) give
SPEC §3 statuses and error codes, never a crash."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAL = ROOT / "fixtures" / "synth" / "malformed"
CORPUS = ROOT / "fixtures" / "synth" / "corpus"
MANIFEST = json.loads((MAL / "manifest.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(not (ROOT / "pipeline" / "api.py").exists(),
                                reason="pipeline/api.py not written yet")

REC_KEYS = ("doc_type", "unit", "region", "year", "filled_on", "score", "rating")
LINE_KEYS = ("budget", "executed", "rate", "count", "year_start", "adjustment")
IND_KEYS = ("index", "name", "rate", "achieved", "deviation_reason")


def _get(obj, key):
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def audit(path: Path):
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from pipeline.api import audit_paths

    res = list(audit_paths([str(path)]))
    assert len(res) == 1
    return res[0]


def spec_view(rec) -> dict:
    """Only the SPEC §4 keys (extra detail keys such as raw text may differ)."""
    out = {k: _get(rec, k) for k in REC_KEYS}
    out["budget"] = {name: {k: _get(line, k) for k in LINE_KEYS}
                     for name, line in (_get(rec, "budget") or {}).items()}
    out["indicators"] = []
    for ind in _get(rec, "indicators") or []:
        d = {k: _get(ind, k) for k in IND_KEYS}
        for part in ("target", "midyear", "actual"):
            v = _get(ind, part)
            d[part] = None if v is None else {k: _get(v, k) for k in ("op", "value", "unit", "text")}
        out["indicators"].append(d)
    return out


def _error_code(res):
    err = _get(res, "error")
    return _get(err, "code") if err is not None else None


@pytest.mark.parametrize("name,code", [("empty.txt", "empty"), ("junk.txt", "unreadable")])
def test_failed_inputs(name, code):
    res = audit(MAL / name)
    assert _get(res, "status") == "failed"
    assert _error_code(res) == code
    assert _get(res, "record") is None
    assert not _get(res, "findings")


def test_half_report_gives_gaps_not_crash():
    res = audit(MAL / "half_report.txt")
    assert _get(res, "status") == "ok", _error_code(res)
    cats = [_get(f, "category") for f in _get(res, "findings") or []]
    assert "extraction_gap" in cats, cats


@pytest.mark.parametrize("name", ["gbk_report.txt", "utf16_report.txt"])
def test_other_encodings_match_utf8_twin(name):
    res = audit(MAL / name)
    assert _get(res, "status") == "ok", _error_code(res)
    twin = audit(CORPUS / MANIFEST[name]["twin"])
    assert spec_view(_get(res, "record")) == spec_view(_get(twin, "record"))

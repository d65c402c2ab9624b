"""Golden files: the full record and findings for fixture reports.

    python -m tests.golden        # rewrite fixtures/golden/*.json after a reviewed change
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "fixtures" / "golden"
CASES = {"minzhengju_2023": ROOT / "fixtures" / "minzhengju_2023_self_evaluation.txt"}


def snapshot(path: Path) -> dict:
    from pipeline.api import audit_file
    from pipeline.audit.rules import load_rules

    result = audit_file(path, load_rules(), display_name=path.name)
    doc = result.to_json()
    doc.pop("meta", None)  # reading facts, not the audit
    doc.pop("excerpt", None)  # the source text around the evidence, for the views
    return json.loads(json.dumps(doc, ensure_ascii=False))


def main() -> int:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name, path in CASES.items():
        out = GOLDEN_DIR / f"{name}.json"
        out.write_text(json.dumps(snapshot(path), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

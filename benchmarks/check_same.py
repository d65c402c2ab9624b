"""Does this checkout read and audit PDFs exactly as another version does?

    .venv/bin/python benchmarks/check_same.py --baseline DIR [PDF or folder ...]

DIR is another perfaudit source tree (e.g. `git archive 683deea | tar -x -C /tmp/base`). Each
version runs in its own process (the baseline first on PYTHONPATH) over the same PDFs (default:
fixtures/pdf, fixtures/pdf/synth, fixtures/forms/corpus, fixtures/scans and the bench_pdf mixed
folder) and writes, per file, the Document of each engine (auto, pdfium, pdfplumber: every line's
text, page, line number and box, every table cell, meta) or its error, and the engine-auto audit
result (record, findings, coverage, meta); then the two are compared. OCR is off: scans give their
`no_text_layer` refusal. Exit status 1 when anything differs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DUMP = r"""
import json, sys
from pathlib import Path
from pipeline.api import audit_document
from pipeline.audit.rules import load_rules
from pipeline.ingest.document import IngestError
from pipeline.ingest.pdf import read_pdf

rules = load_rules()
out = {}
for name in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines():
    data = Path(name).read_bytes()
    for engine in ("auto", "pdfium", "pdfplumber"):
        try:
            doc = read_pdf(data, Path(name).name, engine)
        except IngestError as exc:
            out[f"{name} {engine}"] = ["error", exc.code, exc.message]
            continue
        out[f"{name} {engine}"] = [
            [[ln.text, ln.page, ln.line, ln.bbox] for ln in doc.lines],
            [[[c.text, c.row, c.col, c.page, c.bbox] for row in t.rows for c in row] + [t.page, t.after_line]
             for t in doc.tables],
            doc.meta,
        ]
        if engine == "auto":
            out[f"{name} audit"] = audit_document(doc, rules).to_json()
Path(sys.argv[2]).write_text(json.dumps(out, ensure_ascii=False, sort_keys=True), encoding="utf-8")
"""


def default_inputs() -> list[Path]:
    fixtures = ROOT / "fixtures"
    out = sorted((fixtures / "pdf").glob("*.pdf")) + sorted((fixtures / "pdf" / "synth").glob("*.pdf"))
    out += sorted((fixtures / "forms" / "corpus").glob("*.pdf")) + sorted((fixtures / "scans").glob("*.pdf"))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_corpus import build_mixed

    return out + build_mixed(ROOT / "build" / "bench_pdf" / "mixed")


def dump(tree: Path | None, listing: Path, target: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if tree:
        env["PYTHONPATH"] = str(tree)
    cwd = tree or ROOT
    subprocess.run([sys.executable, "-c", DUMP, str(listing), str(target)], cwd=cwd, env=env, check=True)
    return json.loads(target.read_text(encoding="utf-8"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--baseline", type=Path, required=True, help="the other version's source tree")
    args = ap.parse_args()
    files = []
    for p in args.paths or default_inputs():
        files.extend(sorted(p.rglob("*.pdf")) if p.is_dir() else [p])
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "files.txt"
        listing.write_text("\n".join(str(p.resolve()) for p in files) + "\n", encoding="utf-8")
        old = dump(args.baseline.resolve(), listing, Path(tmp) / "old.json")
        new = dump(None, listing, Path(tmp) / "new.json")
    differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    for key in differ[:20]:
        print(f"differs: {key}")
    print(f"{len(files)} PDFs, {len(old)} readings and audits compared: {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

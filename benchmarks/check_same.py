"""Does this checkout read and audit PDFs exactly as another version does?

    .venv/bin/python benchmarks/check_same.py --baseline DIR [PDF or folder ...]

DIR is another perfaudit source tree (e.g. `git archive 683deea | tar -x -C /tmp/base`). Each
version runs in its own process (the baseline first on PYTHONPATH) over the same PDFs (default:
fixtures/pdf, fixtures/pdf/synth, fixtures/forms/corpus, fixtures/scans and the bench_pdf mixed
folder; forms2/corpus too) and writes, per file, the Document of each engine (auto, pdfium, pdfplumber: every line's
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
    out += sorted((fixtures / "forms" / "corpus").glob("*.pdf")) + sorted((fixtures / "forms2" / "corpus").glob("*.pdf"))
    out += sorted((fixtures / "scans").glob("*.pdf"))
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
    ap.add_argument("--keep", type=Path, help="keep both versions' dumps (old.json, new.json) in this folder")
    ap.add_argument("--allow-engine", action="store_true",
                    help="exit 0 if only meta.engine differs (the auto engine's ruled pages: pdfplumber -> pdfium)")
    args = ap.parse_args()
    files = []
    for p in args.paths or default_inputs():
        files.extend(sorted(p.rglob("*.pdf")) if p.is_dir() else [p])
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "files.txt"
        listing.write_text("\n".join(str(p.resolve()) for p in files) + "\n", encoding="utf-8")
        old = dump(args.baseline.resolve(), listing, Path(tmp) / "old.json")
        new = dump(None, listing, Path(tmp) / "new.json")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for name in ("old.json", "new.json"):
                (args.keep / name).write_bytes((Path(tmp) / name).read_bytes())
    differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    shown = [k for k in differ if set(where(old.get(k), new.get(k))) - {"meta.engine", "audit meta.engine"}]
    for key in (shown or differ)[:20]:
        print(f"differs: {key}: {', '.join(where(old.get(key), new.get(key)))}")
    parts: dict[str, int] = {}
    for key in differ:
        for part in where(old.get(key), new.get(key)):
            parts[part] = parts.get(part, 0) + 1
    print(f"{len(files)} PDFs, {len(old)} readings and audits compared: {len(differ)} differ")
    if parts:
        print("what differs (readings or audits):", ", ".join(f"{k} {v}" for k, v in sorted(parts.items())))
    if args.allow_engine:
        other = {k: v for k, v in parts.items() if k not in ("meta.engine", "audit meta.engine")}
        if other:
            return 1
        if parts:
            print("only which engine read a page differs (--allow-engine)")
        return 0
    return 1 if differ else 0


def where(a, b) -> list[str]:
    """The parts of a reading or an audit result that differ: lines, tables, meta keys; the
    record, findings, coverage and meta keys of an audit."""
    if not isinstance(a, (list, dict)) or not isinstance(b, (list, dict)) or type(a) is not type(b):
        return ["whole"]
    if isinstance(a, dict):  # an audit result
        out = []
        for k in sorted(a.keys() | b.keys()):
            if a.get(k) == b.get(k):
                continue
            if k == "meta" and isinstance(a.get(k), dict) and isinstance(b.get(k), dict):
                out += [f"audit meta.{m}" for m in sorted(a[k].keys() | b[k].keys()) if a[k].get(m) != b[k].get(m)]
            else:
                out.append(f"audit {k}")
        return out
    if len(a) != 3 or len(b) != 3 or a[0] == "error" or b[0] == "error":
        return ["error"]
    out = [name for name, x, y in (("lines", a[0], b[0]), ("tables", a[1], b[1])) if x != y]
    if "lines" in out and [ln[:3] for ln in a[0]] == [ln[:3] for ln in b[0]]:
        out[out.index("lines")] = "line boxes"  # the same text, pages and line numbers
    return out + [f"meta.{m}" for m in sorted(a[2].keys() | b[2].keys()) if a[2].get(m) != b[2].get(m)]


if __name__ == "__main__":
    sys.exit(main())

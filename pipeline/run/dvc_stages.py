"""Small commands the DVC pipeline (dvc.yaml) runs around `perfaudit audit`.

    python -m pipeline.run.dvc_stages manifest ARCHIVE OUT.txt   # ingest stage
    python -m pipeline.run.dvc_stages summary DB DQ.json OUT.json  # report stage

The manifest is an @list file for `perfaudit audit @OUT.txt`: one input per
line, each preceded by a comment with its sha256, so the file changes (and DVC
re-runs the audit stage) exactly when an input's content does. The summary is
the JSON a scheduler reads: the latest run's counts and the SPEC exit status.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def manifest(archive: str, out: str) -> int:
    from pipeline.ingest.text import INPUT_SUFFIXES
    from pipeline.run.cache import file_sha256
    from pipeline.run.inputs import ARCHIVE_SUFFIXES, is_regular

    root = Path(archive)
    wanted = INPUT_SUFFIXES | ARCHIVE_SUFFIXES
    files = sorted(p for p in root.rglob("*") if not p.is_dir() and p.suffix.lower() in wanted)
    lines = [f"# {len(files)} inputs under {root.as_posix()}"]
    for p in files:
        # A pipe or device is listed unhashed (hashing it would never end); the audit refuses it.
        digest = file_sha256(p) if is_regular(p) else "- (not a regular file)"
        lines += [f"# sha256 {digest}", Path(p).resolve().as_posix()]
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"清单：{len(files)} 个文件 -> {out}", file=sys.stderr)
    return 0


def summary(db: str, dq_json: str, out: str) -> int:
    from pipeline.report.document import INTERNAL_ERROR, exit_code
    from pipeline.store.db import Store

    with Store(db, read_only=True) as st:
        cols, rows = st.query("SELECT * FROM runs WHERE status <> 'running' ORDER BY started_at DESC LIMIT 1")
        run = dict(zip(cols, rows[0], strict=True)) if rows else {}
        internal = st.query("SELECT count(*) FROM documents WHERE last_run = ? AND error_code = ?",
                            [run.get("run_id"), INTERNAL_ERROR])[1][0][0] if run else 0
    dq = json.loads(Path(dq_json).read_text(encoding="utf-8")) if Path(dq_json).exists() else {}
    failed, errors = run.get("failed") or 0, run.get("errors") or 0
    counts = {"failed": failed, "findings": {"error": errors}, "internal_errors": internal}
    doc = {
        "run_id": run.get("run_id"), "status": run.get("status"),
        "started_at": str(run.get("started_at")), "finished_at": str(run.get("finished_at")),
        "reports": run.get("reports"), "failed": failed, "cached": run.get("cached"),
        "findings": {"error": errors, "warning": run.get("warnings"), "info": run.get("infos")},
        "data_quality": dq.get("summary"),
        # a run that did not finish (failed batch checks, killed) is a failure of perfaudit: 4
        "exit_status": exit_code(counts) if run.get("status") == "done" else 4,
    }
    if internal:
        doc["internal_errors"] = internal
    Path(out).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(doc, ensure_ascii=False), file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    commands = {"manifest": (manifest, 2), "summary": (summary, 3)}
    if not argv or argv[0] not in commands or len(argv) - 1 != commands[argv[0]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    fn, _ = commands[argv[0]]
    return fn(*argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

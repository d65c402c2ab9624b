"""The pipeline in one call, for notebooks and scripts: a thin layer over
the batch runner (pipeline.run.batch), the same path the CLI takes.

    from pipeline.api import audit_paths
    results = audit_paths(["reports/2023/"])
    results[0].record, results[0].findings

Each input becomes a `ReportResult`; a file that cannot be read becomes a
failed result with a SPEC §3 error, and the others go on. Read options
(`pdf_engine=`, `ocr=`, `ocr_cache_dir=`, `ocr_dpi=`) are those of
`pipeline.ingest.settings.ReadSettings.from_options`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.ingest.settings import ReadSettings
from pipeline.run.batch import BatchSettings, run_batch
from pipeline.run.inputs import InputItem
from pipeline.run.result import ReportResult
from pipeline.run.work import audit_document  # noqa: F401 - a Document read already -> ReportResult

__all__ = ["ReportResult", "audit_document", "audit_file", "audit_paths"]


def audit_paths(
    paths: list[str | Path],
    rules_dirs: list[str | Path] | None = None,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
    profile: str | None = None,
    **read_opts,
) -> list[ReportResult]:
    """Audit every input under `paths` (files, folders, globs, @lists, zip
    members); results in input order. `jobs` > 1 runs worker processes (no
    time limit); `progress(source)` is called as each input finishes;
    `profile` names rules/profiles/NAME.yml (regional rule parameters)."""
    settings = BatchSettings(jobs=jobs, timeout=None, rules_dirs=tuple(rules_dirs or ()), profile=profile,
                             read=ReadSettings.from_options(**read_opts),
                             executor="inline" if jobs <= 1 else "local")
    return _results(paths, settings, None, progress)


def audit_file(path: str | Path, rules: list, display_name: str | None = None, **read_opts) -> ReportResult:
    """Audit one file with rules loaded already (pipeline.audit.rules.load_rules)."""
    item = InputItem(display=display_name or str(path), path=Path(path))
    settings = BatchSettings(timeout=None, read=ReadSettings.from_options(**read_opts), executor="inline")
    [result] = _results([item], settings, rules)
    return result


def _results(paths: list, settings: BatchSettings, rules, progress=None) -> list[ReportResult]:
    on_result = (lambda rep: progress(rep["source"])) if progress else None
    run = run_batch(paths, settings, on_result=on_result, rules=rules)
    try:
        return [ReportResult.from_json(rep) for rep in run.spool]
    finally:
        run.close()

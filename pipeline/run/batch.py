"""Batch runs, the one way perfaudit runs (the CLI, the Python API in
pipeline.api, `perfaudit show`): expand the inputs, skip what the cache
already holds, audit the rest (pipeline.run.work) in a pool of worker
processes with a per-file time limit, on a Dask cluster, or inline in this
process, and commit each result to the store as it arrives.

    with Store(db) as store:
        run = run_batch(["archive/2023.zip", "archive/2024/"], BatchSettings(jobs=4), store)
        run.spool.summary(), run.spool.exit_code()

An interrupted run keeps every committed result; the next run finds them in
the cache and resumes with the rest.

Scanned PDFs (local executor): a PDF's first task reads it with a deferring
`ocr_pdf.OcrPlan`; when it needs OCR of several pages, the worker answers
"ocr_pending" instead of OCR'ing them one after another, the coordinator
queues one "ocr_page" task per page (ahead of new files, so a file finishes
soon after it starts; each under the --timeout, which is then per page) and,
once all pages are back, a final "full" task that lays the pages out from
their results and audits the file. The pool is fed while it runs (`_feed`).
Under `--executor dask` nothing is deferred: a worker OCRs its file's pages
itself, as before (a cluster spreads files over many workers already, and a
page task would have to carry the whole file's bytes to a worker without the
shared path).
"""

from __future__ import annotations

import itertools
import shutil
import stat
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.ingest.settings import ReadSettings
from pipeline.report.excerpt import EXCERPT_CONTEXT_LINES
from pipeline.run.inputs import (
    ArchiveLimits,
    Archives,
    InputError,
    InputItem,
    expand_inputs,
    extract_member,
    not_regular_message,
)
from pipeline.run.result import failed, page_failure, worker_failure
from pipeline.run.spool import Spool

if TYPE_CHECKING:  # the per-file work (and the audit it imports) loads when a batch runs, not for --help
    from pipeline.run.work import Task

EXECUTORS = ("local", "dask", "inline")
DEFAULT_TIMEOUT_S = 120.0  # per file; a normal report takes well under 5 s
HIT_FLUSH = 256  # cache hits fetched and recorded per store round-trip


@dataclass(frozen=True)
class BatchSettings:
    jobs: int = 0  # 0: all cores
    timeout: float | None = DEFAULT_TIMEOUT_S  # None or 0: no limit
    rules_dirs: tuple = ()
    profile: str | None = None  # rules/profiles/NAME.yml; None: national
    read: ReadSettings = field(default_factory=ReadSettings)
    limits: ArchiveLimits = ArchiveLimits()
    use_cache: bool = True
    worker_setup: Callable | None = None  # importable; runs first in each worker (test hooks)
    # "local" (pipeline.run.pool), "dask" (pipeline.run.executor_dask) or "inline" (this
    # process, one file after another: no worker start-up, no time limit; the Python API)
    executor: str = "local"
    scheduler: str | None = None  # dask: tcp://HOST:PORT; None: a LocalCluster of `jobs` processes
    send_bytes: bool = False  # dask: always send the file's bytes (default: only when a worker cannot see it)
    excerpt_context: int = EXCERPT_CONTEXT_LINES  # source lines kept around each evidence (pipeline.report.excerpt)


@dataclass
class BatchRun:
    spool: Spool
    run_id: str | None
    workdir: Path
    rules: list = field(default_factory=list)  # the catalogue the run used
    interrupted: bool = False

    def close(self) -> None:
        self.spool.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def finish(self, store, status: str = "done") -> None:
        """Record the run's end in the store with the summary as it stands (after
        the batch checks and --new-only, the one the outputs carry)."""
        if store is not None and self.run_id is not None:
            store.finish_run(self.run_id, self.spool.summary(), status)

    def fingerprints(self) -> dict[str, str]:
        """Rule id -> fingerprint of the rules this run used (the review workbook keeps them)."""
        from pipeline.store.review import rule_fingerprint

        return {r.id: rule_fingerprint(r) for r in self.rules}


def run_batch(paths: list, settings: BatchSettings = BatchSettings(), store=None, progress=None,
              on_result: Callable[[dict], None] | None = None, rules: list | None = None,
              finish: bool = True) -> BatchRun:
    """Audit everything under `paths` (files, folders, globs, @lists, zips, or
    InputItems) with `rules` (default: the catalogue settings name). Raises
    RuleError for a bad catalogue (before any work) and KeyboardInterrupt as
    it comes (after recording the run as interrupted). The caller closes the
    returned BatchRun. With `finish=False` a run that went through stays
    `running` in the store until the caller's own steps (batch checks) are
    done and it calls `BatchRun.finish`: a run is never `done` before they are."""
    from pipeline import __version__
    from pipeline.audit.rules import load_rules
    from pipeline.run.cache import extractor_fingerprint, rules_fingerprint

    if rules is None:
        rules = load_rules(list(settings.rules_dirs) or None, profile=settings.profile)
    if settings.executor == "dask":
        from pipeline.run.executor_dask import check_available

        check_available()  # before any work: a missing dask is a usage error, not a failed run
    workdir = Path(tempfile.mkdtemp(prefix="perfaudit-"))
    items = expand_inputs(paths, workdir, settings.limits)
    run = BatchRun(Spool(workdir / "results.jsonl", len(items)), None, workdir, rules)
    ctx = _Context(run, items, settings, store, extractor_fingerprint(settings.read),
                   rules_fingerprint(rules, settings.excerpt_context), progress, on_result)
    if store is not None:
        run.run_id = store.begin_run([str(getattr(p, "display", p)) for p in paths], __version__, ctx.efp, ctx.rfp)
    if progress:
        progress.start(len(items))
    status = "done"
    try:
        ctx.execute()
    except KeyboardInterrupt:
        run.interrupted, status = True, "interrupted"
        raise
    except BaseException:
        status = "failed"  # the executor could not start or went away, the store failed
        raise
    finally:
        if progress:
            progress.stop()
        _close_run(ctx, run, store, status, finish)
    return run


def _close_run(ctx: _Context, run: BatchRun, store, status: str, finish: bool) -> None:
    """Record the cache hits and the run's end. When the run is already on its
    way out with an exception, a store error here (the same full disk, say)
    must not hide it; otherwise it surfaces, and the run is marked failed."""
    try:
        ctx.flush_hits()
        if finish or status != "done":
            run.finish(store, status)
    except Exception:
        if status != "done":
            return
        try:
            run.finish(store, "failed")
        except Exception:  # noqa: BLE001 - the store is gone; the next run marks this one aborted
            pass
        raise


class _Context:
    def __init__(self, run: BatchRun, items: list[InputItem], settings: BatchSettings, store, efp: str, rfp: str,
                 progress, on_result):
        self.run, self.items, self.settings, self.store = run, items, settings, store
        self.efp, self.rfp, self.progress, self.on_result = efp, rfp, progress, on_result
        use = store is not None and settings.use_cache
        self.known = store.known_files() if use else {}
        self.keys = store.result_keys() if use else {}
        self.inflight: dict[int, dict] = {}
        self.hits: list[dict] = []
        self.rules = run.rules
        # Deferred OCR (see the module docstring): the local pool only, and not with --ocr never.
        self.defer = settings.executor == "local" and settings.read.ocr.mode != "never"
        self.queue: deque[Task] = deque()  # page and final tasks, dispatched before new files
        self.ocr: dict[int, dict] = {}  # file index -> {"task", "todo": pages not back, "done": results}
        self.open_tasks = 0  # fed to the pool and not settled yet
        self.archives = Archives()  # each zip opened once for all its members

    def execute(self) -> None:
        try:
            self._execute()
        finally:
            self.archives.close()

    def _execute(self) -> None:
        tasks = self._plan()
        if self.settings.executor == "inline" or (len(self.items) == 1 and self.settings.executor == "local"):
            # In this process: no worker start-up (nor time limit). A long scan's pages still go to
            # the pool (its first reading answers "pending"), then the file's final reading.
            from pipeline.run.executor import InlineExecutor
            from pipeline.run.work import make_handler

            handler = make_handler(self.rules, self.settings.read, self.settings.excerpt_context)
            for outcome in InlineExecutor(handler).run(tasks):
                self._settle(outcome, fed=False)
            if self.queue:
                self._run_executor(self._feed(iter(())))
            return
        first = next(tasks, None)  # an unchanged archive starts no executor and sends nothing
        if first is None:
            return
        tasks = itertools.chain([first], tasks)
        self._run_executor(self._feed(tasks) if self.defer else tasks)

    def _run_executor(self, tasks: Iterator) -> None:
        executor = _make_executor(self.settings, self.rules)
        self.run.spool.executor = executor.spread
        try:
            for outcome in executor.run(tasks):
                self._settle(outcome)
        finally:
            executor.close()

    def _feed(self, planned: Iterator[Task]) -> Iterator:
        """The pool's tasks when OCR is deferred: queued page and final tasks
        first, then the planned files; when both are out but tasks are in
        flight (whose outcomes may queue more), WAIT."""
        from pipeline.run.pool import WAIT

        while True:
            task = self.queue.popleft() if self.queue else next(planned, None)
            if task is None:
                if not self.open_tasks:
                    return
                yield WAIT
                continue
            self.open_tasks += 1
            yield task

    def _settle(self, outcome, fed: bool = True) -> None:
        """One task's outcome; `fed`: the task came through `_feed` (counted as open)."""
        task = outcome.task
        if self.defer and fed:
            self.open_tasks -= 1
        if task.kind == "ocr_page":
            self._page_back(outcome)
        elif outcome.failure:
            self._finish(task.index, _failed(worker_failure(task.display, outcome.failure, self.settings.timeout)),
                         None, False)
        elif _pending(outcome.value):
            self._queue_pages(task, outcome.value[0])
        else:
            self._finish(task.index, *outcome.value)

    def _queue_pages(self, task: Task, pending: dict) -> None:
        """The file needs these pages OCR'd: one task per page, ahead of new files."""
        pages = list(pending["pages"])
        self.ocr[task.index] = {"task": task, "todo": set(pages), "done": {}}
        self.queue.extend(replace(task, kind="ocr_page", page=n, defer_ocr=False) for n in pages)
        self.run.spool.ocr_planned += len(pages)
        if self.progress:
            self.progress.advance(self.run.spool)

    def _page_back(self, outcome) -> None:
        task, spool = outcome.task, self.run.spool
        state = self.ocr.get(task.index)
        if state is None:
            return  # the file already failed on another page
        state["todo"].discard(task.page)
        if outcome.failure:  # the file fails: drop its other pages (those in flight are ignored)
            del self.ocr[task.index]
            self.queue = deque(t for t in self.queue if t.index != task.index)
            spool.ocr_planned -= len(state["todo"]) + 1
            self._finish(task.index, _failed(page_failure(task.display, task.page, outcome.failure,
                                                          self.settings.timeout)), None, False)
            return
        if "error" in outcome.value:  # left to the final reading, which OCRs it itself
            spool.ocr_planned -= 1
        else:
            state["done"][task.page] = outcome.value
            spool.ocr_pages += 1
            spool.ocr_pages_cached += bool(outcome.value.get("cached"))
        if not state["todo"]:
            del self.ocr[task.index]
            self.queue.appendleft(replace(state["task"], defer_ocr=False, ocr_done=state["done"]))
        if self.progress:
            self.progress.advance(spool)

    def _plan(self) -> Iterator[Task]:
        """Tasks for the workers; refused inputs and cache hits are settled here."""
        for index, item in enumerate(self.items):
            info = {"index": index, "path": item.display, "sha256": "", "size": None, "mtime_ns": None,
                    "tmp": None}
            self.inflight[index] = info
            if item.error:
                self._finish(index, _failed(failed(item.display, *item.error)), None, False)
                continue
            try:
                self._identify(index, item, info)
            except InputError as exc:
                self._finish(index, _failed(failed(item.display, exc.code, exc.message)), None, False)
                continue
            except OSError as exc:
                self._finish(index, _failed(failed(item.display, "unreadable", f"无法读取文件：{exc.strerror or exc}")),
                             None, False)
                continue
            task = self._task_for(index, item, info)
            if task is not None:
                yield task

    def _identify(self, index: int, item: InputItem, info: dict) -> None:
        if item.member is not None:
            tmp = self.run.workdir / f"m{index}{Path(item.member.filename).suffix.lower()}"
            info["sha256"], info["tmp"] = extract_member(item, tmp, self.settings.limits, self.archives), tmp
            info["size"] = tmp.stat().st_size
            return
        from pipeline.run.cache import file_sha256

        st = item.path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO or a link to /dev/zero: hashing it would never end
            raise InputError("unreadable", not_regular_message(item.path))
        info["size"], info["mtime_ns"] = st.st_size, st.st_mtime_ns
        known = self.known.get(item.display)
        if known and known[:2] == (st.st_size, st.st_mtime_ns):
            info["sha256"] = known[2]  # unchanged size and mtime: trust the stored hash, as git does
        else:
            info["sha256"] = file_sha256(item.path)

    def _task_for(self, index: int, item: InputItem, info: dict) -> Task | None:
        from pipeline.run.work import Task

        key = self.keys.get(info["sha256"])
        if key == (self.efp, self.rfp):
            self.hits.append(info)
            if len(self.hits) >= HIT_FLUSH:
                self.flush_hits()
            return None
        path = str(info["tmp"] or item.path)
        if key and key[0] == self.efp:
            blob = self.store.cached_record(info["sha256"], self.efp)
            if blob is not None:
                import json

                meta = json.loads(self.store.cached_results([info["sha256"]])[info["sha256"]]).get("meta")
                return Task(index, "rules", item.display, path, blob, meta, info["sha256"])
        return Task(index, "full", item.display, path, sha256=info["sha256"], keep_record=self.store is not None,
                    defer_ocr=self.defer and Path(path).suffix.lower() == ".pdf")

    def flush_hits(self) -> None:
        if not self.hits:
            return
        hits, self.hits = self.hits, []
        cached = self.store.cached_results(list({h["sha256"] for h in hits}))
        for h in hits:
            rep = self.run.spool.add(h["index"], h["path"], cached[h["sha256"]], h["sha256"], cached=True)
            err = rep.get("error") or {}
            h.update(status=rep["status"], error_code=err.get("code"), error_message=err.get("message"))
            self._done(h, rep)
        self.store.touch(self.run.run_id, hits)

    def _finish(self, index: int, result: dict, blob: bytes | None, cacheable: bool) -> None:
        info = self.inflight[index]
        rep = self.run.spool.add(index, info["path"], result, info["sha256"])
        if self.store is not None:
            self.store.save_result(self.run.run_id, {**info, "result": result, "record_blob": blob,
                                                     "extractor_fp": self.efp, "rules_fp": self.rfp,
                                                     "cacheable": cacheable and bool(info["sha256"])})
        self._done(info, rep)

    def _done(self, info: dict, rep: dict) -> None:
        self.inflight.pop(info["index"], None)
        if info.get("tmp"):
            Path(info["tmp"]).unlink(missing_ok=True)
        if self.progress:
            self.progress.advance(self.run.spool)
        if self.on_result:
            self.on_result(rep)


def _make_executor(settings: BatchSettings, rules):
    """The pool `settings.executor` names: local worker processes build their
    handler from the loaded rules; a Dask worker is sent them once (so a
    remote machine needs no copy of --rules directories)."""
    if settings.executor == "dask":
        from pipeline.run.executor_dask import DaskExecutor

        return DaskExecutor(settings, rules)
    if settings.executor != "local":
        raise ValueError(f"unknown executor {settings.executor!r}; one of {EXECUTORS}")
    from pipeline.run.executor import LocalExecutor
    from pipeline.run.work import engine_threads, make_handler

    return LocalExecutor(settings, make_handler,
                         (rules, settings.read, settings.excerpt_context, engine_threads(settings.jobs)))


def _pending(value) -> bool:
    """A deferring full task's answer: the file needs pages OCR'd first (work.full_task)."""
    from pipeline.run.work import OCR_PENDING

    return isinstance(value, tuple) and isinstance(value[0], dict) and value[0].get("status") == OCR_PENDING


def _failed(result) -> dict:
    """A failed ReportResult as the spool stores it (the spool adds the source)."""
    return result.to_json(with_source=False)

"""Batch runs: expand the inputs, skip what the cache already holds, audit the
rest in a pool of worker processes with a per-file time limit, and commit
each result to the store as it arrives.

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
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.run.inputs import ArchiveLimits, InputError, InputItem, expand_inputs, extract_member
from pipeline.run.spool import Spool

DEFAULT_TIMEOUT_S = 120.0  # per file; a normal report takes well under 5 s
HIT_FLUSH = 256  # cache hits fetched and recorded per store round-trip


@dataclass(frozen=True)
class BatchSettings:
    jobs: int = 0  # 0: all cores
    timeout: float | None = DEFAULT_TIMEOUT_S  # None or 0: no limit
    rules_dirs: tuple = ()
    profile: str | None = None  # rules/profiles/NAME.yml; None: national
    read_opts: dict = field(default_factory=dict)
    limits: ArchiveLimits = ArchiveLimits()
    use_cache: bool = True
    worker_setup: Callable | None = None  # importable; runs first in each worker (test hooks)
    executor: str = "local"  # "local" (pipeline.run.pool) or "dask" (pipeline.run.executor_dask)
    scheduler: str | None = None  # dask: tcp://HOST:PORT; None: a LocalCluster of `jobs` processes
    send_bytes: bool = False  # dask: always send the file's bytes (default: only when a worker cannot see it)


@dataclass(frozen=True)
class Task:
    index: int
    kind: str  # "full": read, extract, audit; "rules": audit a cached Record again; "ocr_page": OCR `page`
    display: str
    path: str | None = None
    blob: bytes | None = None
    meta: dict | None = None
    sha256: str = ""  # the content the coordinator hashed (a remote worker checks its copy against it)
    data: bytes | None = None  # the file's bytes, sent to a worker that cannot read `path`
    page: int | None = None  # "ocr_page": the 1-based page to OCR
    defer_ocr: bool = False  # "full": answer "ocr_pending" rather than OCR several pages here
    ocr_done: dict | None = None  # "full": page -> its "ocr_page" result, laid out instead of OCR'd again


@dataclass
class BatchRun:
    spool: Spool
    run_id: str | None
    workdir: Path
    interrupted: bool = False

    def close(self) -> None:
        self.spool.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def make_handler(rules_dirs: tuple, read_opts: dict, profile: str | None = None,
                 engine_threads: int | None = None, rules: list | None = None) -> Callable[[Task], tuple]:
    """Runs once per worker: load the rules (or take the coordinator's, `rules`, already
    loaded: the catalogue is then parsed once per run), return the task handler.
    `engine_threads`: the OCR engine's share of the cores in this worker (see
    ocr.set_engine_threads)."""
    from pipeline.audit.rules import load_rules

    if engine_threads:
        from pipeline.ingest.ocr.engine import set_engine_threads

        set_engine_threads(engine_threads)
    if rules is None:
        rules = load_rules(list(rules_dirs) or None, profile=profile)
    return make_rules_handler(rules, read_opts)


def engine_threads(jobs: int) -> int | None:
    """Each of `jobs` workers' share of the cores for OCR; None for a single worker (all)."""
    import os

    cores = os.cpu_count() or 1
    jobs = jobs or cores
    return None if jobs <= 1 else max(1, cores // jobs)


def make_rules_handler(rules, read_opts: dict) -> Callable[[Task], tuple]:
    """The task handler for rules already loaded (a Dask worker is sent them)."""
    from pipeline.run.cache import full_task, page_task, rules_task

    def read(task: Task, path: Path) -> tuple | dict:
        if task.kind == "ocr_page":
            return page_task(path, task.page, read_opts)
        return full_task(path, task.display, rules, read_opts, _ocr_plan(task))

    def handle(task: Task) -> tuple | dict:
        if task.kind == "rules":
            return rules_task(task.blob, task.display, task.meta or {}, rules)
        if task.data is None:
            return read(task, Path(task.path))
        with tempfile.TemporaryDirectory(prefix="perfaudit-task-") as tmp:
            path = Path(tmp) / ("input" + Path(task.path or task.display).suffix.lower())
            path.write_bytes(task.data)
            return read(task, path)

    return handle


def _ocr_plan(task: Task):
    """The reading's OcrPlan (ocr_pdf is imported only for the tasks that need one)."""
    if not task.defer_ocr and task.ocr_done is None:
        return None
    from pipeline.ingest.ocr.pdf import OcrPlan

    return OcrPlan(defer=True) if task.defer_ocr else OcrPlan(done=task.ocr_done)


def _warm_up(rules) -> None:
    """Load the lazy parts (jieba's dictionary, regexes) before the first timed task."""
    from pipeline.api import audit_document
    from pipeline.ingest.text import read_text_bytes

    text = "部门整体支出绩效自评报告\n全年预算数 10 万元，执行数 10 万元，执行率 100%。\n综合得分 95 分，评价结果为优。\n"
    audit_document(read_text_bytes(text.encode("utf-8"), "warm-up.txt"), rules)


def run_batch(paths: list, settings: BatchSettings = BatchSettings(), store=None, progress=None,
              on_result: Callable[[dict], None] | None = None) -> BatchRun:
    """Audit everything under `paths`. Raises RuleError for a bad catalogue
    (before any work) and KeyboardInterrupt as it comes (after recording the
    run as interrupted). The caller closes the returned BatchRun."""
    from pipeline import __version__
    from pipeline.audit.rules import load_rules
    from pipeline.run.cache import extractor_fingerprint, rules_fingerprint

    rules = load_rules(list(settings.rules_dirs) or None, profile=settings.profile)
    if settings.executor == "dask":
        from pipeline.run.executor_dask import check_available

        check_available()  # before any work: a missing dask is a usage error, not a failed run
    workdir = Path(tempfile.mkdtemp(prefix="perfaudit-"))
    items = expand_inputs(paths, workdir, settings.limits)
    run = BatchRun(Spool(workdir / "results.jsonl", len(items)), None, workdir)
    ctx = _Context(run, items, settings, store, extractor_fingerprint(settings.read_opts),
                   rules_fingerprint(rules), progress, on_result)
    ctx.rules = rules
    if store is not None:
        run.run_id = store.begin_run([str(p) for p in paths], __version__, ctx.efp, ctx.rfp)
    if progress:
        progress.start(len(items))
    status = "done"
    try:
        ctx.execute()
    except KeyboardInterrupt:
        run.interrupted, status = True, "interrupted"
        raise
    except Exception:
        status = "failed"  # the executor could not start or went away
        raise
    finally:
        ctx.flush_hits()
        if progress:
            progress.stop()
        if store is not None:
            store.finish_run(run.run_id, run.spool.summary(), status)
    return run


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
        self.rules = None
        # Deferred OCR (see the module docstring): the local pool only, and not with --ocr never.
        ocr = settings.read_opts.get("ocr", "auto")
        self.defer = settings.executor == "local" and getattr(ocr, "mode", ocr) != "never"
        self.queue: deque[Task] = deque()  # page and final tasks, dispatched before new files
        self.ocr: dict[int, dict] = {}  # file index -> {"task", "todo": pages not back, "done": results}
        self.open_tasks = 0  # fed to the pool and not settled yet

    def execute(self) -> None:
        tasks = self._plan()
        if len(self.items) == 1 and self.settings.executor == "local":  # no process start-up (nor time limit)
            handler = make_rules_handler(self.rules, self.settings.read_opts)
            for task in tasks:
                value = handler(task)
                if _pending(value):  # a long scan: its pages are OCR'd in the pool, then the file there
                    self._queue_pages(task, value[0])
                    self._run_executor(self._feed(iter(())))
                else:
                    self._finish(task.index, *value)
            return
        first = next(tasks, None)  # an unchanged archive starts no executor and sends nothing
        if first is None:
            return
        tasks = itertools.chain([first], tasks)
        self._run_executor(self._feed(tasks) if self.defer else tasks)

    def _run_executor(self, tasks: Iterator) -> None:
        from pipeline.run.executor import make_executor

        executor = make_executor(self.settings, make_handler,
                                 (self.settings.rules_dirs, self.settings.read_opts, self.settings.profile,
                                  engine_threads(self.settings.jobs), self.rules),
                                 self.rules)
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

    def _settle(self, outcome) -> None:
        task = outcome.task
        if self.defer:
            self.open_tasks -= 1
        if task.kind == "ocr_page":
            self._page_back(outcome)
        elif outcome.failure:
            self._finish(task.index, _pool_failure(outcome.failure, self.settings.timeout), None, False)
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
            self._finish(task.index, _page_failure(task.page, outcome.failure, self.settings.timeout), None, False)
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
                self._finish(index, _failed(*item.error), None, False)
                continue
            try:
                self._identify(index, item, info)
            except InputError as exc:
                self._finish(index, _failed(exc.code, exc.message), None, False)
                continue
            except OSError as exc:
                self._finish(index, _failed("unreadable", f"无法读取文件：{exc.strerror or exc}"), None, False)
                continue
            task = self._task_for(index, item, info)
            if task is not None:
                yield task

    def _identify(self, index: int, item: InputItem, info: dict) -> None:
        if item.member is not None:
            tmp = self.run.workdir / f"m{index}{Path(item.member.filename).suffix.lower()}"
            info["sha256"], info["tmp"] = extract_member(item, tmp, self.settings.limits), tmp
            info["size"] = tmp.stat().st_size
            return
        from pipeline.run.cache import file_sha256

        st = item.path.stat()
        info["size"], info["mtime_ns"] = st.st_size, st.st_mtime_ns
        known = self.known.get(item.display)
        if known and known[:2] == (st.st_size, st.st_mtime_ns):
            info["sha256"] = known[2]  # unchanged size and mtime: trust the stored hash, as git does
        else:
            info["sha256"] = file_sha256(item.path)

    def _task_for(self, index: int, item: InputItem, info: dict) -> Task | None:
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
        return Task(index, "full", item.display, path, sha256=info["sha256"],
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


def _pending(value) -> bool:
    """A deferring full task's answer: the file needs pages OCR'd first (cache.full_task)."""
    from pipeline.run.cache import OCR_PENDING

    return isinstance(value, tuple) and isinstance(value[0], dict) and value[0].get("status") == OCR_PENDING


def _failed(code: str, message: str) -> dict:
    return {"status": "failed", "error": {"code": code, "message": message}, "record": None, "findings": [],
            "coverage": {"numbers_found": 0, "checks_run": 0}}


def _pool_failure(failure: str, timeout: float | None) -> dict:
    if failure == "timeout":
        return _failed("timeout", f"处理超过 {timeout:g} 秒仍未完成，已终止并跳过（可能是异常复杂或损坏的文件）；"
                                  "可用 --timeout 调大时限。")
    if failure == "worker_crash":
        return _failed("unreadable", "处理该文件时工作节点进程多次崩溃（已在其他工作节点重试，仍然崩溃），"
                                     "判定为会导致崩溃的文件，已跳过；请将文件反馈给开发者。")
    return _failed("unreadable", "处理该文件的进程意外退出（可能是解析库崩溃），已跳过；请将文件反馈给开发者。")


def _page_failure(page: int, failure: str, timeout: float | None) -> dict:
    if failure == "timeout":
        return _failed("timeout", f"第 {page} 页 OCR 识别超过 {timeout:g} 秒仍未完成，已终止并跳过该文件"
                                  "（扫描页可能异常复杂或损坏）；扫描件按每页计时，可用 --timeout 调大时限。")
    return _failed("unreadable", f"OCR 识别第 {page} 页时进程意外退出（可能是 OCR 或 PDF 解析库崩溃），"
                                 "已跳过该文件；请将文件反馈给开发者。")

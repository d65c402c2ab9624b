"""A process pool that can kill a task: one long-lived worker process per job,
each fed over its own pipe, so a task that overruns its time limit (a parser
stuck in C code cannot be interrupted any other way) is ended by terminating
its worker, which is then replaced. concurrent.futures cannot do this: a
hung task there keeps its worker forever.

Workers are started with "spawn": the parent holds DuckDB's threads, and
forking a threaded process can deadlock the child.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import wait

KILL_GRACE_S = 2.0  # seconds between SIGTERM and SIGKILL
IDLE_POLL_S = 1.0
STARTUP_LIMIT_S = 120.0  # a worker that cannot even start (imports, rules) within this is killed
_READY = "__ready__"
_LOADING, _LOADED = "__loading__", "__loaded__"  # a task's one-time set-up begins / ends
_conn = None  # in a worker: its pipe to the parent (for warming_up)
# A worker's cyclic garbage collector runs after this many more container objects were
# made than freed (Python's default is 700): a PDF page makes and drops a few thousand
# glyph tuples, which reference counting frees; collections every 700 cost a worker
# some 4 % of its time and found nothing. After its first task the worker's modules,
# rules and patterns are frozen out of the collector's reach (gc.freeze).
WORKER_GC_THRESHOLD = 10_000


@contextmanager
def warming_up():
    """Inside a task, one-time set-up of the worker (loading the OCR models): its
    time counts against the start-up limit, not the task's --timeout, so the
    first scanned page a worker OCRs gets the same time as the others. Outside
    a pool worker (inline runs) it does nothing."""
    if _conn is None:
        yield
        return
    _conn.send(_LOADING)
    try:
        yield
    finally:
        _conn.send(_LOADED)


@dataclass
class TaskOutcome:
    """What a task gave: `value` from the handler, or `failure` ("timeout" or
    "crashed") when the worker had to be killed or died."""

    task: object
    value: object = None
    failure: str | None = None
    seconds: float = 0.0
    worker: str = ""  # who ran it (local: the worker's pid), for the run's spread of work


def _worker_main(conn, init: Callable, init_args: tuple, setup: Callable | None) -> None:
    # Ctrl-C goes to the whole process group; only the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _conn
    _conn = conn
    if setup:
        setup()
    handler = init(*init_args)
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])
    frozen = False
    conn.send(_READY)  # the time limit starts now, not while the worker imports and warms up
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            conn.send(handler(task))
        except OSError:  # the parent is gone (a Dask worker killed mid-task): nobody to tell
            return
        if not frozen:  # the first task imported what a reading needs (no full collection first: it
            gc.freeze()  # would cost more than it saves; what the first task left in cycles stays)
            frozen = True


@dataclass
class _Worker:
    proc: mp.Process
    conn: object
    task: object = None
    started: float = 0.0
    ready: bool = False
    spent: float = 0.0  # seconds the task ran before its worker began a one-time set-up


class Pool:
    """`init(*init_args)` runs once in each worker and returns the task
    handler; `setup` (importable, picklable) runs before it (tests use it to
    install slow or crashing readers)."""

    def __init__(self, jobs: int, timeout: float | None, init: Callable, init_args: tuple = (),
                 setup: Callable | None = None):
        self.jobs, self.timeout = jobs, timeout
        self._spec = (init, init_args, setup)
        self._ctx = mp.get_context("spawn")
        self._workers: list[_Worker] = []

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, args=(child, *self._spec), daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def run(self, tasks: Iterator) -> Iterator[TaskOutcome]:
        """Yield one outcome per task, in completion order. At most `jobs`
        tasks are in flight, so a lazy `tasks` iterator is consumed lazily.

        `tasks` may be a feed that grows while the pool runs: it yields WAIT
        for "nothing right now, more may come" (the caller adds tasks as it
        handles outcomes; the feed is asked again after every outcome). A feed
        that waits while nothing is in flight could never be woken: an error."""
        pending = iter(tasks)
        exhausted = False
        try:
            while True:
                exhausted = exhausted or self._dispatch(pending)
                busy = [w for w in self._workers if w.task is not None]
                if not busy:
                    if exhausted:
                        return
                    raise RuntimeError("the task feed waits with no task in flight")
                yield from self._collect(busy)
        finally:
            self.close()

    def run_one(self, task) -> TaskOutcome:
        """Run one task and keep the pool open for the next (a Dask worker
        thread holds one such pool: the time limit and crash containment of a
        local run, without a process start per task). Not thread-safe."""
        for w in [w for w in self._workers if not w.proc.is_alive()]:
            self._replace(w, "crashed", time.monotonic())  # died while idle: start afresh
        self._dispatch(iter([task]))
        while True:
            for outcome in self._collect([w for w in self._workers if w.task is not None]):
                return outcome

    def _dispatch(self, pending: Iterator) -> bool:
        """Give idle workers a task each; start workers as needed. True when no
        tasks are left (False also when the feed says WAIT)."""
        while True:
            idle = next((w for w in self._workers if w.task is None), None)
            if idle is None and len(self._workers) >= self.jobs:
                return False
            task = next(pending, _END)
            if task is _END:
                return True
            if task is WAIT:
                return False
            if idle is None:
                idle = self._spawn()
                self._workers.append(idle)
            idle.task, idle.started = task, time.monotonic()
            idle.conn.send(task)

    def _limit(self, w: _Worker) -> float | None:
        return self.timeout if w.ready else max(self.timeout or 0, STARTUP_LIMIT_S)

    def _collect(self, busy: list[_Worker]) -> Iterator[TaskOutcome]:
        wait_s = IDLE_POLL_S
        if self.timeout:
            next_deadline = min(w.started + self._limit(w) for w in busy)
            wait_s = max(0.0, min(wait_s, next_deadline - time.monotonic()))
        ready = set(wait([w.conn for w in busy], timeout=wait_s))
        now = time.monotonic()
        for w in busy:
            if w.conn in ready:
                try:
                    value = w.conn.recv()
                except (EOFError, OSError):
                    yield self._replace(w, "crashed", now)
                    continue
                if value == _READY:
                    w.ready, w.started = True, now
                    continue
                if value == _LOADING:  # the start-up limit applies while the worker sets up
                    w.spent, w.ready, w.started = now - w.started, False, now
                    continue
                if value == _LOADED:  # the task's own clock goes on where it stopped
                    w.ready, w.started = True, now - w.spent
                    continue
                task, w.task = w.task, None
                yield TaskOutcome(task, value, None, now - w.started, f"pid:{w.proc.pid}")
            elif self.timeout and now - w.started > self._limit(w):
                yield self._replace(w, "timeout", now)
            elif not w.proc.is_alive():
                yield self._replace(w, "crashed", now)

    def _replace(self, w: _Worker, failure: str, now: float) -> TaskOutcome:
        outcome = TaskOutcome(w.task, None, failure, now - w.started, f"pid:{w.proc.pid}")
        _stop(w)
        w.conn.close()
        self._workers.remove(w)  # a fresh worker is spawned on the next dispatch
        return outcome

    def close(self) -> None:
        for w in self._workers:
            if w.task is None and w.proc.is_alive():
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        for w in self._workers:
            if w.task is not None:
                _stop(w)
            else:
                w.proc.join(KILL_GRACE_S)
                if w.proc.is_alive():
                    _stop(w)
            w.conn.close()
        self._workers.clear()


_END = object()
WAIT = object()  # from a feed: no task right now, more may come (see Pool.run)


def _stop(w: _Worker) -> None:
    w.proc.terminate()
    w.proc.join(KILL_GRACE_S)
    if w.proc.is_alive():
        w.proc.kill()
        w.proc.join()

"""`--executor dask`: the batch's per-file work on a dask.distributed cluster.

    perfaudit audit archive/ --executor dask --scheduler tcp://10.0.0.5:8786
    perfaudit audit archive/ --executor dask --jobs 16     # a LocalCluster here

The coordinator (this process) plans the tasks as a local run does (cache
hits never leave it), submits at most a few per worker thread at a time,
and writes each result to the store as it arrives: DuckDB keeps a single
writer, and an interrupted coordinator resumes from the store.

Inputs: a worker reads the coordinator's path when it sees the same bytes
there (a shared filesystem; it checks the SHA-256), else it asks for the
bytes and the file is sent with the task, up to MAX_SEND_BYTES.
`--send-bytes` sends every file's bytes at once (no shared filesystem).

Faults: tasks are submitted with `retries=` (an exception in a task), and a
worker that dies mid-task has its tasks rerun elsewhere by the scheduler; a
task that was on `distributed.scheduler.allowed-failures` + 1 dying workers
ends as KilledWorker, reported as a failed input (a worker crash).

Scanned PDFs: the coordinator does not defer their OCR here (pipeline.run.batch
does that for the local pool only), so a worker OCRs its file's pages itself,
one after another, and --timeout stays a limit per file. `tasks` is a plain
iterator: it never yields pool.WAIT.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from pipeline.run.executor import ExecutorError, WorkSpread

MAX_SEND_BYTES = 64 << 20
RETRIES = 1  # per task, for exceptions in it; dead workers are the scheduler's allowed-failures
CONNECT_TIMEOUT = "30s"
WORKER_WAIT_S = 120  # a scheduler with no worker yet: wait this long for the first
# One task per worker thread at a time: a dying worker then takes down only the task it was
# running (queued tasks count as suspects too), and no file waits behind a slow one.
LOCAL_CONFIG = {"distributed.scheduler.worker-saturation": 1.0}
INFLIGHT_PER_THREAD = 2
THREADS_TTL_S = 2.0  # workers joining or leaving mid-run are seen this late  # tasks submitted ahead per worker thread (keeps memory and lost work small)


def check_available() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise ExecutorError("--executor dask 需要安装 dask：pip install 'perfaudit[dask]'") from exc


class DaskExecutor:
    kind = "dask"

    def __init__(self, settings, rules):
        from pipeline.run.cache import rules_fingerprint
        from pipeline.run.dask_worker import RulesPlugin

        check_available()
        self.settings, self.cluster, self.client, self.plugin = settings, None, None, None
        self.inflight: dict[str, tuple] = {}  # key -> (future, task)
        self.submitted = 0
        self._threads_at = (0, float("-inf"))  # (worker threads, when asked)
        self.client = self._connect(settings)
        self.spread = WorkSpread("dask", self.client.scheduler.address)
        token = uuid.uuid4().hex[:8]
        self.plugin = f"perfaudit-rules-{rules_fingerprint(rules)}-{token}"
        self.client.register_plugin(RulesPlugin(self.plugin, rules), name=self.plugin)
        self.spec = {"rules": self.plugin, "read": settings.read, "context": settings.excerpt_context,
                     "timeout": settings.timeout or None, "setup": settings.worker_setup,
                     "key": (self.plugin, settings.read, settings.excerpt_context, settings.timeout)}
        self.token = token

    def _connect(self, settings):
        from distributed import Client, LocalCluster

        try:
            if settings.scheduler:
                client = Client(settings.scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
            else:
                import os

                import dask

                jobs = settings.jobs or os.cpu_count() or 1
                with dask.config.set(LOCAL_CONFIG):
                    self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                dashboard_address=None, silence_logs=logging.ERROR)
                client = Client(self.cluster, set_as_default=False)
            client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except (OSError, TimeoutError) as exc:
            self.close()
            where = settings.scheduler or "LocalCluster"
            raise ExecutorError(f"无法连接 Dask 调度器 {where}，或 {WORKER_WAIT_S} 秒内没有工作节点：{exc}") from exc
        return client

    def run(self, tasks: Iterator) -> Iterator:
        """One pool.TaskOutcome per task, in completion order."""
        from distributed import as_completed

        pending, done, ready = iter(tasks), as_completed(loop=self.client.loop), []  # not the default client's
        while True:
            exhausted = self._fill(pending, done, ready)
            for outcome in ready:
                self.spread.note(outcome.worker)
                yield outcome
            ready.clear()
            if not self.inflight:
                if exhausted:
                    return
                continue
            fut = next(done)
            task = self.inflight.pop(fut.key)[1]
            outcome = self._outcome(fut, task)
            fut.release()
            if outcome is None:  # the worker cannot see the file: send its bytes
                self._send(self._with_bytes(task), done, ready)
            else:
                ready.append(outcome)

    def _fill(self, pending: Iterator, done, ready: list) -> bool:
        """Submit until enough are in flight; True when no tasks are left."""
        limit = max(2, INFLIGHT_PER_THREAD * self._threads())
        while len(self.inflight) < limit:
            task = next(pending, None)
            if task is None:
                return True
            if self.settings.send_bytes and task.kind == "full":
                task = self._with_bytes(task)
            self._send(task, done, ready)
        return False

    def _threads(self) -> int:
        """The cluster's worker threads, asked of the scheduler at most every THREADS_TTL_S."""
        now = time.monotonic()
        if now - self._threads_at[1] > THREADS_TTL_S:
            self._threads_at = (sum(self.client.nthreads().values()), now)
        return self._threads_at[0]

    def _send(self, task, done, ready: list) -> None:
        from pipeline.run.dask_worker import run_task
        from pipeline.run.pool import TaskOutcome

        if isinstance(task, TaskOutcome):  # refused before sending
            ready.append(task)
            return
        self.submitted += 1
        key = f"perfaudit-{self.token}-{task.index}-{self.submitted}"
        fut = self.client.submit(run_task, task, self.spec, key=key, retries=RETRIES, pure=False)
        self.inflight[key] = (fut, task)
        done.add(fut)

    def _with_bytes(self, task):
        """The task with the file's bytes, or a failed outcome when they cannot be sent."""
        path = Path(task.path)
        try:
            size = path.stat().st_size
            if size > MAX_SEND_BYTES:
                return _refused(task, f"文件 {size / (1 << 20):.0f} MiB，超过随任务发送给工作节点的上限 "
                                      f"{MAX_SEND_BYTES >> 20} MiB；请把档案放在工作节点能访问的共享目录后重新运行。")
            return replace(task, data=path.read_bytes())
        except OSError as exc:
            return _refused(task, f"无法读取文件以发送给工作节点：{exc.strerror or exc}")

    def _outcome(self, fut, task):
        """The TaskOutcome of a settled future; None when the worker asks for the bytes."""
        from distributed import KilledWorker

        from pipeline.run.dask_worker import NEED_BYTES
        from pipeline.run.pool import TaskOutcome

        if fut.status == "finished":
            value = fut.result()
            if isinstance(value, str) and value == NEED_BYTES:
                return None
            worker, result, failure, seconds = value
            return TaskOutcome(task, result, failure, seconds, worker)
        exc = fut.exception() if fut.status == "error" else None
        if isinstance(exc, KilledWorker):
            return TaskOutcome(task, None, "worker_crash")
        why = f"Dask 任务出错（{type(exc).__name__}: {exc}）" if exc else "Dask 任务被取消（与调度器的连接中断？）"
        return _refused(task, why + "，已跳过；重新运行即可再试。")

    def close(self) -> None:
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        try:
            if client is not None:
                if self.inflight:
                    client.cancel([fut for fut, _ in self.inflight.values()])
                    self.inflight.clear()
                if self.plugin:
                    client.unregister_worker_plugin(self.plugin)
                client.close()
        except Exception:  # noqa: BLE001 - closing: the scheduler may already be gone
            pass
        finally:
            if cluster is not None:
                cluster.close()


def _refused(task, message: str):
    """A failed result that is not cached (it says nothing about the file itself)."""
    from pipeline.run.pool import TaskOutcome
    from pipeline.run.result import failed

    return TaskOutcome(task, (failed(task.display, "unreadable", message).to_json(with_source=False), None, False))

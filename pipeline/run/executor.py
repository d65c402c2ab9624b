"""Where the batch's per-file work runs: an executor takes the planned tasks
and yields one pool.TaskOutcome per task, in completion order.

- `local` (default): pipeline.run.pool, a killable process pool on this machine.
- `dask`: pipeline.run.executor_dask, a dask.distributed cluster (an address, or
  a LocalCluster sized by --jobs). dask is imported there only.
- `inline`: this process, one task after another (the Python API, and a single
  file on the command line): no worker start-up, no time limit.

Either way the workers return plain results (the handler's tuple) and only
the coordinator (pipeline.run.batch) writes the store.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from typing import Protocol


class ExecutorError(RuntimeError):
    """The executor cannot start (dask missing, scheduler unreachable): a usage error."""


class Executor(Protocol):
    kind: str

    def run(self, tasks: Iterator) -> Iterator:
        """One pool.TaskOutcome per task; a lazy `tasks` is consumed lazily.
        The local executor also takes a feed that yields pool.WAIT (more tasks
        may come as outcomes are handled); Dask does not."""

    def close(self) -> None: ...


class WorkSpread:
    """Which worker ran how many tasks: the run summary's `executor` block."""

    def __init__(self, kind: str, address: str | None = None):
        self.kind, self.address = kind, address
        self.tasks: Counter[str] = Counter()

    def note(self, worker: str) -> None:
        if worker:
            self.tasks[worker] += 1

    def summary(self) -> dict:
        out = {"kind": self.kind, "workers": len(self.tasks),
               "tasks_per_worker": dict(sorted(self.tasks.items()))}
        if self.address:
            out["scheduler"] = self.address
        return out


class LocalExecutor:
    kind = "local"

    def __init__(self, settings, init, init_args: tuple):
        from pipeline.run.pool import Pool

        jobs = settings.jobs or os.cpu_count() or 1
        self.pool = Pool(jobs, settings.timeout or None, init, init_args, settings.worker_setup)
        self.spread = WorkSpread("local")

    def run(self, tasks: Iterator) -> Iterator:
        for outcome in self.pool.run(tasks):
            self.spread.note(outcome.worker)
            yield outcome

    def close(self) -> None:
        self.pool.close()


class InlineExecutor:
    kind = "inline"
    spread = None  # no workers to count: the summary has no executor block

    def __init__(self, handler):
        self.handler = handler

    def run(self, tasks: Iterator) -> Iterator:
        from pipeline.run.pool import WAIT, TaskOutcome

        for task in tasks:
            if task is WAIT:  # nothing is ever in flight here, so nothing could come
                raise RuntimeError("the task feed waits with no task in flight")
            start = time.monotonic()
            value = self.handler(task)
            yield TaskOutcome(task, value, None, time.monotonic() - start, "")

    def close(self) -> None:
        pass

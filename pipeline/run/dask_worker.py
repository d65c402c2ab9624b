"""The worker side of `--executor dask`: what runs inside a Dask worker.

Each worker thread keeps one killable child process (pipeline.run.pool, the
same as a local run), so the per-file time limit and crash containment hold
on a cluster too: a hung parser is killed at the limit, a parser that takes
its process down takes only the child. The worker itself stays up; if it
dies anyway (OOM killer, machine lost), the scheduler reruns its tasks
elsewhere, and a file that keeps killing workers ends as KilledWorker, which
the coordinator reports as a failed input.

The rules reach the workers once, as a worker plugin (the scheduler hands it
to every worker, including one that joins or restarts mid-run).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from pathlib import Path

from distributed import WorkerPlugin, get_worker

NEED_BYTES = "__need_bytes__"  # the worker cannot see the file (or sees other content): send its bytes
# Tests only: a worker process that receives this file name exits at once (a poison input).
POISON_ENV = "PERFAUDIT_TEST_KILL_WORKER_ON"

_rules: dict[str, object] = {}  # plugin name -> loaded rules
_local = threading.local()


class RulesPlugin(WorkerPlugin):
    def __init__(self, name: str, rules):
        self.name, self.rules = name, rules

    def setup(self, worker) -> None:
        _rules[self.name] = self.rules

    def teardown(self, worker) -> None:
        _rules.pop(self.name, None)


def run_task(task, spec: dict) -> tuple | str:
    """One file (or cached Record) on this worker. Returns (worker address,
    handler value, failure, seconds), or NEED_BYTES."""
    poison = os.environ.get(POISON_ENV)
    if poison and Path(task.display).name == poison:
        os._exit(1)
    if task.kind == "full" and task.data is None and not _visible(task):
        return NEED_BYTES
    outcome = _pool(spec).run_one(task)
    return get_worker().address, outcome.value, outcome.failure, outcome.seconds


def _visible(task) -> bool:
    """The coordinator's path shows the very bytes it hashed (a shared filesystem)."""
    from pipeline.run.cache import file_sha256

    try:
        return Path(task.path).is_file() and (not task.sha256 or file_sha256(Path(task.path)) == task.sha256)
    except OSError:
        return False


def _pool(spec: dict):
    """This thread's killable child, started on first use (and after a change of rules or options)."""
    from pipeline.run.pool import Pool
    from pipeline.run.work import make_handler

    held = getattr(_local, "held", None)
    if held is not None and held[0] == spec["key"]:
        return held[1]
    if held is not None:
        held[1].close()
    # A Nanny starts its worker as a daemonic process, and multiprocessing refuses
    # children to those. Our child exits when its pipe closes (the worker ending,
    # however it ends), which is the guarantee the refusal is there for.
    mp.current_process()._config["daemon"] = False
    pool = Pool(1, spec["timeout"], make_handler, (_rules[spec["rules"]], spec["read"], spec["context"]),
                spec["setup"])
    _local.held = (spec["key"], pool)
    return pool

"""Worker setup hooks for tests/test_batch.py: they run first in each spawned
worker process (BatchSettings.worker_setup) and replace the file reader."""

import os
import time
from pathlib import Path


def _wrap(behaviour):
    from pipeline.ingest import text as ingest

    original = ingest.read_document

    def reader(path, *args, **kwargs):
        behaviour(Path(path).name)
        return original(path, *args, **kwargs)

    ingest.read_document = reader


def _hang_or_crash(name: str) -> None:
    if "hang" in name:
        time.sleep(3600)  # a parser stuck for good
    if "crash" in name:
        os._exit(1)  # a parser that takes the process down


def _forbid(name: str) -> None:
    raise AssertionError(f"{name} was read again")


def hang_and_crash():
    _wrap(_hang_or_crash)


def forbid_reading():
    _wrap(_forbid)

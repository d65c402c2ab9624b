"""Outputs replaced whole or not at all: each is written beside its target
under a temporary name and renamed over it only once complete, so a full
disk or a crash mid-write leaves the previous audit.json (summary.md,
audit.xlsx, html/) as it was, never a truncated one."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def _beside(path: Path, tag: str) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{tag}{path.suffix}")


@contextmanager
def replacing(path: Path, encoding: str = "utf-8") -> Iterator:
    """A text stream whose content replaces `path` when the block completes."""
    tmp = _beside(path, "tmp")
    try:
        with open(tmp, "w", encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_file(path: Path, write: Callable[[Path], object]) -> Path:
    """`write(tmp)` writes the whole file at `tmp`; it then replaces `path`."""
    tmp = _beside(path, "tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def replace_dir(path: Path, write: Callable[[Path], object]) -> Path:
    """`write(tmp)` fills a fresh folder; it then takes the place of `path`
    (the old folder is moved aside first and removed after)."""
    tmp, old = _beside(path, "tmp"), _beside(path, "old")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        write(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if path.exists():
        os.rename(path, old)
    os.rename(tmp, path)
    shutil.rmtree(old, ignore_errors=True)
    return path

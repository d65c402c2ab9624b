"""A progress bar on stderr for batch runs: done/total, ETA, cached and failed counts.

Scanned pages OCR'd as tasks of their own (pipeline.run.batch) count too: when a file
turns out to need N pages OCR'd, the total grows by N, each page back advances
the bar, and its text shows "OCR 页 k/n"."""

from __future__ import annotations

import sys


class BatchProgress:
    """rich is imported on start: only runs that show a bar pay for it."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self._progress = None
        self._task = None
        self._files = 0

    def start(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("审核"), BarColumn(), MofNCompleteColumn(),
            TextColumn("缓存 {task.fields[cached]} · 失败 {task.fields[failed]}{task.fields[ocr]}"),
            TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(),
            console=Console(file=self.stream), transient=False,
        )
        self._files = total
        self._task = self._progress.add_task("audit", total=total, cached=0, failed=0, ocr="")
        self._progress.start()

    def advance(self, spool) -> None:
        """Show the spool's counts (files and OCR pages planned and done)."""
        planned, pages = spool.ocr_planned, spool.ocr_pages
        self._progress.update(self._task, total=self._files + planned, completed=spool.reports + pages,
                              cached=spool.cached, failed=spool.failed,
                              ocr=f" · OCR 页 {pages}/{planned}" if planned else "")

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def progress_for(enabled: bool, stream=None) -> BatchProgress | None:
    """A bar only for a person at a terminal: logs and pipes get none."""
    stream = stream or sys.stderr
    return BatchProgress(stream) if enabled and stream.isatty() else None

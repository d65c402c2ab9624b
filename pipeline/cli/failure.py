"""What the command line says when perfaudit itself cannot go on: one Chinese
sentence for a failure of the machine around it (disk full, no permission, a
damaged store), a message and the traceback for a bug. Either way the exit
status is 4 (pipeline.report.document.EXIT_INTERNAL), never 1, which means
"error findings present"."""

from __future__ import annotations

import errno
import sys
import traceback

from pipeline.report.document import EXIT_INTERNAL
from pipeline.report.escape import visible

DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
NO_PERMISSION = {errno.EACCES, errno.EPERM, errno.EROFS}
DISK_FULL_WORDS = ("No space left", "File too large", "Disk quota")


def report_failure(exc: BaseException, db: str | None = None) -> int:
    """Print what went wrong to stderr; return the exit status (4)."""
    print(f"perfaudit: {explain(exc, db)}", file=sys.stderr)
    if not _environmental(exc):
        print(visible("".join(traceback.format_exception(exc)), keep_newlines=True), file=sys.stderr, end="")
    return EXIT_INTERNAL


def explain(exc: BaseException, db: str | None = None) -> str:
    if isinstance(exc, OSError) and exc.errno is not None:
        where = visible(str(exc.filename)) if exc.filename else "文件"
        if exc.errno in DISK_FULL:
            tmp = "（这是临时目录：可用环境变量 TMPDIR 指向空间充足的目录）" if _in_tmp(exc.filename) else ""
            return (f"磁盘空间不足（或超出文件大小限制），无法写入 {where}{tmp}：{exc.strerror}。"
                    "请清理空间后重新运行（已写入数据库的结果下次运行直接复用）；之前写出的结果文件未被改动。")
        if exc.errno in NO_PERMISSION:
            return f"没有权限写入 {where}（{exc.strerror}）：请换一个可写的目录。"
        return f"读写 {where} 出错：{exc.strerror}。"
    if _is_duckdb(exc):
        name = visible(db) if db else "结果数据库"
        text = visible(str(exc))
        if any(w in str(exc) for w in DISK_FULL_WORDS):
            return (f"写入数据库 {name} 失败：磁盘空间不足或超出文件大小限制（{text}）。"
                    "请清理空间后重新运行；本次未完成的结果下次运行会补上。")
        return (f"数据库 {name} 读写出错，文件可能已损坏或不完整（{text}）。"
                "请从备份恢复，或用 --db 指定一个新的数据库文件（--no-db 则不用数据库）。")
    return (f"内部错误（{type(exc).__name__}: {visible(str(exc))}）。这是 perfaudit 的缺陷，不是输入文件的问题；"
            "请把以下信息反馈给开发者。")


def _in_tmp(filename) -> bool:
    import tempfile
    from pathlib import Path

    try:
        return bool(filename) and Path(tempfile.gettempdir()).resolve() in Path(filename).resolve().parents
    except (OSError, ValueError):
        return False


def _environmental(exc: BaseException) -> bool:
    """A failure of the disk or the store, not a bug: no traceback."""
    return (isinstance(exc, OSError) and exc.errno is not None) or _is_duckdb(exc)


def _is_duckdb(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in ("duckdb", "_duckdb")

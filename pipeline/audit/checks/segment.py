"""jieba with its dictionary read on demand (TXT-02 segments indicator names with it).

jieba keeps its dictionary (349,000 words; 580,000 entries with every word's prefixes) in
one dict, which it loads whole from a marshal cache on first use: half a second or more
in every process that segments a name. A name needs only the entries of its own
substrings. `tokenizer()` gives a jieba Tokenizer whose FREQ reads entries from an SQLite
copy of that dict, built once with jieba's own `gen_pfdict` under ~/.cache/perfaudit/jieba/,
and keeps what it has read. Segmentation is jieba's own code on the same entries, so the
tokens are the same (tests/test_segment.py compares). When the copy cannot be built or
opened, jieba's default tokenizer (whole dictionary) is used, as before.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

DEFAULT_CACHE_DIR = Path("~/.cache/perfaudit/jieba")


class LazyFreq(dict):
    """jieba's FREQ (word or word prefix -> frequency): an entry is read from SQLite when
    first asked for; entries added by add_word live in the dict itself."""

    def __init__(self, conn: sqlite3.Connection):
        super().__init__()
        self._cursor = conn.cursor()
        self._absent: set[str] = set()

    def _read(self, key):
        if not isinstance(key, str) or key in self._absent:
            return None
        row = self._cursor.execute("SELECT f FROM freq WHERE w = ?", (key,)).fetchone()
        if row is None:
            self._absent.add(key)
            return None
        dict.__setitem__(self, key, row[0])
        return row[0]

    def __missing__(self, key):
        value = self._read(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, key) or self._read(key) is not None

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        value = self._read(key)
        return default if value is None else value


def dictionary_file() -> Path:
    import jieba

    return Path(jieba.__file__).resolve().parent / "dict.txt"


def cache_path(cache_dir: str | Path | None = None) -> Path:
    """The SQLite copy for the installed jieba dictionary (named by jieba's version and the
    dictionary file's size and time, so another dictionary gets another copy)."""
    import jieba

    st = dictionary_file().stat()
    name = f"dict-{jieba.__version__}-{st.st_size}-{st.st_mtime_ns}.sqlite"
    return Path(cache_dir or DEFAULT_CACHE_DIR).expanduser() / name


def build(path: Path) -> None:
    """Write jieba's prefix dictionary (gen_pfdict, as jieba builds it) to `path`."""
    import jieba

    tk = jieba.Tokenizer()
    freq, total = tk.gen_pfdict(tk.get_dict_file())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.execute("CREATE TABLE freq (w TEXT PRIMARY KEY, f INTEGER NOT NULL) WITHOUT ROWID")
        conn.executemany("INSERT INTO freq VALUES (?, ?)", freq.items())
        conn.execute("CREATE TABLE meta (total INTEGER NOT NULL)")
        conn.execute("INSERT INTO meta VALUES (?)", (total,))
        conn.commit()
    finally:
        conn.close()
    os.replace(tmp, path)  # atomic: a parallel worker sees the old state or the whole file


def tokenizer(cache_dir: str | Path | None = None):
    """A jieba Tokenizer reading its dictionary on demand, or None if the SQLite copy
    cannot be built or opened (the caller then uses jieba's default tokenizer)."""
    import jieba

    try:
        path = cache_path(cache_dir)
        if not path.is_file():
            build(path)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        (total,) = conn.execute("SELECT total FROM meta").fetchone()
    except (OSError, RuntimeError, sqlite3.Error, TypeError):  # RuntimeError: no home directory
        return None
    tk = jieba.Tokenizer()
    tk.FREQ, tk.total, tk.initialized = LazyFreq(conn), total, True
    return tk

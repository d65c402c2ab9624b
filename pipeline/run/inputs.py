"""Input expansion: files, directories, globs, @list.txt files and .zip archives
-> a flat list of `InputItem`s, each one report to audit.

Archives are read defensively. Member names come from Chinese Windows tools in
GBK without the UTF-8 flag, so they are re-decoded. A member is never written
under its own name (we extract to a numbered temp file), yet names that would
escape the target (zip-slip), members too large or too compressed (zip bombs),
encrypted members and archives nested more than one level are refused: each
refusal is an InputItem carrying an error, reported as a failed input.
"""

from __future__ import annotations

import glob
import hashlib
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline.ingest.text import INPUT_SUFFIXES, LEGACY_FORMATS, decode_text

ARCHIVE_SUFFIXES = {".zip"}
GLOB_CHARS = set("*?[")
COPY_CHUNK = 1 << 20  # bytes read per step while extracting, so a lying header cannot blow memory


class InputError(Exception):
    """An input refused before reading; codes beyond SPEC §3's: unsafe_archive."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class ArchiveLimits:
    max_member_bytes: int = 200 * 2**20  # one report, uncompressed
    max_total_bytes: int = 2 * 2**30  # all members of one archive, uncompressed
    max_ratio: int = 200  # uncompressed / compressed; text compresses ~5-10x, zeros ~1000x
    max_members: int = 100_000
    max_depth: int = 1  # an archive inside an archive is fine; one more level is refused


@dataclass(frozen=True)
class InputItem:
    """One report to audit. `path` is a file on disk; for an archive member it
    is the archive and `member` names the entry. `error` = (code, message)
    marks a refused input."""

    display: str
    path: Path
    member: zipfile.ZipInfo | None = None
    parent: InputItem | None = None  # the extracted nested archive a member lives in
    error: tuple[str, str] | None = None


def missing_inputs(paths: list[str]) -> list[str]:
    """Arguments that name nothing: not a file, directory, matching glob or existing @list."""
    out = []
    for raw in paths:
        target = raw[1:] if raw.startswith("@") else raw
        if Path(target).exists():
            continue
        if raw[0] != "@" and GLOB_CHARS & set(raw) and glob.glob(raw, recursive=True):
            continue
        out.append(raw)
    return out


def expand_inputs(paths: list[str | Path | InputItem], workdir: Path,
                  limits: ArchiveLimits = ArchiveLimits()) -> list[InputItem]:
    """Every input named by `paths`, in order; archives expanded. Nested
    archives are extracted into `workdir` (the caller removes it). An
    InputItem stands for itself (one file under a name of the caller's)."""
    items: list[InputItem] = []
    for entry in paths:
        if isinstance(entry, InputItem):
            items.append(entry)
            continue
        for path in _expand_names([str(entry)]):
            if path.suffix.lower() in ARCHIVE_SUFFIXES:
                with Archives() as archives:
                    items.extend(_archive_items(path, str(path), workdir, limits, 0, archives))
            else:
                items.append(InputItem(display=str(path), path=path))
    return items


def _expand_names(paths: list[str], seen_lists: frozenset = frozenset()) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        if raw.startswith("@"):
            out.extend(_read_list(Path(raw[1:]), seen_lists))
        elif Path(raw).is_dir():
            # Legacy formats (.doc, .wps …) are listed too, so a folder's unsupported
            # submission is a failed input with advice, not silently passed over.
            wanted = INPUT_SUFFIXES | ARCHIVE_SUFFIXES | set(LEGACY_FORMATS)
            # Anything but a folder: a named pipe or a link to a device is listed too, and refused
            # with a reason when its turn comes (pipeline.run.batch), not passed over in silence.
            out.extend(sorted(q for q in Path(raw).rglob("*") if not q.is_dir() and q.suffix.lower() in wanted))
        elif not Path(raw).exists() and GLOB_CHARS & set(raw):
            out.extend(sorted(Path(p) for p in glob.glob(raw, recursive=True) if Path(p).is_file()))
        else:
            out.append(Path(raw))  # kept whatever its suffix, so a .doc gets its clear refusal
    return out


def _read_list(list_file: Path, seen: frozenset) -> list[Path]:
    """One path (file, dir, glob or @list) per line; '#' starts a comment;
    relative paths are relative to the list file's folder."""
    key = list_file.resolve()
    if key in seen:
        return []  # a list that includes itself
    if not is_regular(list_file):
        return [list_file]  # a pipe or device would never end: refused as an input of its own
    text, _ = decode_text(list_file.read_bytes())
    names = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        at, body = ("@", line[1:]) if line.startswith("@") else ("", line)
        if not os.path.isabs(body):
            body = str(list_file.parent / body)
        names.append(at + body)
    return _expand_names(names, seen | {key})


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: zipfile decodes names without the UTF-8 flag as
    cp437, while Chinese Windows tools write GBK (and some write UTF-8 unflagged)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def unsafe_name(name: str) -> bool:
    """True when extracting under this name would leave the target folder."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return True
    return ".." in PurePosixPath(norm).parts


def is_regular(path: Path) -> bool:
    """A regular file (after links): what may be read to its end."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def not_regular_message(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"无法读取文件：{exc.strerror or exc}"
    kind = ("命名管道（FIFO）" if stat.S_ISFIFO(mode) else "设备文件" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "套接字" if stat.S_ISSOCK(mode) else "特殊文件")
    return f"不是普通文件（{kind}，或指向它的链接），读取它可能永不结束，已跳过。"


def _archive_items(path: Path, display: str, workdir: Path, limits: ArchiveLimits, depth: int,
                   archives: Archives, parent: InputItem | None = None) -> list[InputItem]:
    if not is_regular(path):
        return [InputItem(display, path, error=("unreadable", not_regular_message(path)))]
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return [InputItem(display, path, error=("unreadable", f"压缩包已损坏或无法打开：{exc}"))]
    if len(infos) > limits.max_members:
        return [InputItem(display, path, error=("unsafe_archive", f"压缩包含 {len(infos)} 个文件，超过上限 "
                                                                   f"{limits.max_members}，已拒绝。"))]
    items: list[InputItem] = []
    total = 0
    for info in infos:
        name = member_name(info)
        base = PurePosixPath(name.replace("\\", "/")).name
        if info.is_dir() or name.startswith("__MACOSX/") or base.startswith("._"):
            continue
        suffix = PurePosixPath(base).suffix.lower()
        if suffix not in INPUT_SUFFIXES | ARCHIVE_SUFFIXES | set(LEGACY_FORMATS):
            continue
        shown = f"{display}!{name}"
        total += info.file_size
        refusal = _refusal(info, name, total, limits, nested=suffix in ARCHIVE_SUFFIXES, depth=depth)
        if refusal:
            items.append(InputItem(shown, path, info, parent, error=("unsafe_archive", refusal)))
        elif info.flag_bits & 0x1:
            items.append(InputItem(shown, path, info, parent, error=("encrypted", "压缩包内的文件有密码保护，无法读取。")))
        elif suffix in ARCHIVE_SUFFIXES:
            items.extend(_nested(InputItem(shown, path, info, parent), workdir, limits, depth, archives))
        else:
            items.append(InputItem(shown, path, info, parent))
    return items


def _refusal(info: zipfile.ZipInfo, name: str, total: int, limits: ArchiveLimits, nested: bool,
             depth: int) -> str | None:
    if unsafe_name(name):
        return "文件名含有“..”或绝对路径，解压时会写到目标目录之外（zip-slip），已拒绝。"
    if info.file_size > limits.max_member_bytes:
        return f"解压后 {info.file_size} 字节，超过单个文件上限 {limits.max_member_bytes} 字节，已拒绝。"
    if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
        return (f"压缩比 {info.file_size // info.compress_size}:1 超过上限 {limits.max_ratio}:1，"
                "疑为压缩炸弹（zip bomb），已拒绝。")
    if total > limits.max_total_bytes:
        return f"压缩包解压总量超过上限 {limits.max_total_bytes} 字节，其余文件已拒绝。"
    if nested and depth + 1 > limits.max_depth:
        return f"压缩包嵌套超过 {limits.max_depth} 层，已拒绝。"
    return None


def _nested(item: InputItem, workdir: Path, limits: ArchiveLimits, depth: int,
            archives: Archives) -> list[InputItem]:
    target = workdir / f"nested-{hashlib.sha1(item.display.encode()).hexdigest()[:16]}.zip"
    try:
        extract_member(item, target, limits, archives)
    except InputError as exc:
        return [InputItem(item.display, item.path, item.member, item.parent, error=(exc.code, exc.message))]
    holder = InputItem(item.display, target)
    return _archive_items(target, item.display, workdir, limits, depth + 1, archives, parent=holder)


class Archives:
    """Open archives, each opened once for all its members: opening a zip reads
    its whole central directory, so reopening it per member made an archive of
    n members cost n² (4,000 members took 107 s). Close when done."""

    def __init__(self):
        self._open: dict[Path, zipfile.ZipFile] = {}

    def get(self, path: Path) -> zipfile.ZipFile:
        zf = self._open.get(path)
        if zf is None:
            zf = self._open[path] = zipfile.ZipFile(path)
        return zf

    def close(self) -> None:
        for zf in self._open.values():
            zf.close()
        self._open.clear()

    def __enter__(self) -> Archives:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def extract_member(item: InputItem, target: Path, limits: ArchiveLimits = ArchiveLimits(),
                   archives: Archives | None = None) -> str:
    """Copy an archive member to `target`, counting the bytes really inflated
    (headers can lie about sizes); return its sha256. Raises InputError.
    `archives`: archives kept open across members (else this one is opened and closed)."""
    if archives is None:
        with Archives() as own:
            return extract_member(item, target, limits, own)
    source = item.parent.path if item.parent else item.path
    digest = hashlib.sha256()
    written = 0
    try:
        with archives.get(source).open(item.member) as src, open(target, "wb") as dst:
            while chunk := src.read(COPY_CHUNK):
                written += len(chunk)
                if written > limits.max_member_bytes or written > limits.max_ratio * max(item.member.compress_size, 1):
                    raise InputError("unsafe_archive", "解压后的实际大小超过上限或压缩比异常，疑为压缩炸弹，已拒绝。")
                digest.update(chunk)
                dst.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise InputError("unreadable", f"无法从压缩包中解出该文件：{exc}") from exc
    return digest.hexdigest()

"""Input expansion: dirs, globs, @lists, and zip archives read safely."""

import io
import zipfile

import pytest

from pipeline.run.inputs import ArchiveLimits, InputError, expand_inputs, extract_member, missing_inputs

from .conftest import SAMPLE

REPORT = SAMPLE.read_bytes()


class GbkInfo(zipfile.ZipInfo):
    """Write the name in GBK without the UTF-8 flag, as Chinese Windows zip tools do."""

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own hook
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def make_zip(path, members: dict, gbk: bool = False):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = GbkInfo(name) if gbk else zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def by_name(items):
    return {i.display.rsplit("!", 1)[-1]: i for i in items}


def test_dirs_globs_and_lists(tmp_path):
    (tmp_path / "a").mkdir()
    for n in ("a/x.txt", "a/y.pdf", "a/skip.png", "b.txt"):
        (tmp_path / n).write_bytes(b"x")
    lst = tmp_path / "list.txt"
    lst.write_text("# a comment\nb.txt\n\na/*.pdf\n@list.txt\n", encoding="utf-8")
    items = expand_inputs([str(tmp_path / "a"), f"@{lst}", str(tmp_path / "a" / "*.txt")], tmp_path)
    names = [i.path.relative_to(tmp_path).as_posix() for i in items]
    assert names == ["a/x.txt", "a/y.pdf", "b.txt", "a/y.pdf", "a/x.txt"]
    assert missing_inputs([str(tmp_path / "nope.txt"), str(tmp_path / "*.docx"), f"@{lst}"]) == [
        str(tmp_path / "nope.txt"), str(tmp_path / "*.docx")]


def test_gbk_member_names_are_decoded(tmp_path):
    z = make_zip(tmp_path / "a.zip", {"2023年/民政局自评报告.txt": REPORT}, gbk=True)
    (item,) = expand_inputs([z], tmp_path)
    assert item.display.endswith("!2023年/民政局自评报告.txt") and item.error is None
    assert len(extract_member(item, tmp_path / "out.txt")) == 64
    assert (tmp_path / "out.txt").read_bytes() == REPORT


def test_path_traversal_member_is_refused_and_never_written(tmp_path):
    z = make_zip(tmp_path / "a.zip", {"../../evil.txt": REPORT, "/abs.txt": REPORT, "ok.txt": REPORT})
    items = by_name(expand_inputs([z], tmp_path / "work"))
    assert items["ok.txt"].error is None
    for bad in ("../../evil.txt", "/abs.txt"):
        assert items[bad].error[0] == "unsafe_archive" and "zip-slip" in items[bad].error[1]
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_bomb_is_refused(tmp_path):
    z = make_zip(tmp_path / "bomb.zip", {"bomb.txt": b"\0" * (20 * 2**20), "ok.txt": REPORT})
    items = by_name(expand_inputs([z], tmp_path))
    assert items["bomb.txt"].error[0] == "unsafe_archive" and "压缩炸弹" in items["bomb.txt"].error[1]
    assert items["ok.txt"].error is None
    # Sizes are checked against the bytes really inflated too, not only the header.
    small = ArchiveLimits(max_member_bytes=1000)
    with pytest.raises(InputError, match="压缩炸弹"):
        extract_member(items["ok.txt"], tmp_path / "x.txt", small)


def test_nesting_one_level_only_and_corrupt_archive(tmp_path):
    inner2 = io.BytesIO()
    make_zip(inner2, {"deep.txt": REPORT})
    inner1 = io.BytesIO()
    make_zip(inner1, {"level1.txt": REPORT, "inner2.zip": inner2.getvalue()})
    z = make_zip(tmp_path / "outer.zip", {"inner1.zip": inner1.getvalue()})
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04garbage")
    work = tmp_path / "work"
    work.mkdir()
    items = by_name(expand_inputs([z, tmp_path / "broken.zip"], work))
    assert items["level1.txt"].error is None
    assert items["level1.txt"].display.endswith("outer.zip!inner1.zip!level1.txt")
    extract_member(items["level1.txt"], work / "l1.txt")
    assert (work / "l1.txt").read_bytes() == REPORT
    assert items["inner2.zip"].error[0] == "unsafe_archive" and "嵌套" in items["inner2.zip"].error[1]
    assert items[str(tmp_path / "broken.zip")].error[0] == "unreadable"

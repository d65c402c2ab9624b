"""`perfaudit show FILE`: findings with source context on stdout; light --help."""

import subprocess
import sys

from pipeline.cli.app import main

from .conftest import ROOT, SAMPLE

HEAVY = ("openpyxl", "jinja2", "duckdb", "pandas", "selenium", "rich")


def test_show_prints_findings_with_highlighted_context(capsys):
    assert main(["show", str(SAMPLE)]) == 1  # the audit's exit status: error findings
    out = capsys.readouterr().out
    assert "IND-09" in out and "【错误】" in out and "问题编号" in out
    assert "▶   213 │" in out and "100.005%" in out  # the evidence line, marked
    assert "    211 │" in out or "▶   211 │" in out  # context around it


def test_show_context_zero_prints_only_evidence_lines(capsys):
    main(["show", str(SAMPLE), "--context", "0"])
    body = [ln for ln in capsys.readouterr().out.splitlines() if "│" in ln]
    assert body and all(ln.startswith("▶") for ln in body)


def test_show_unreadable_file_exits_3(tmp_path, capsys):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    assert main(["show", str(f)]) == 3
    assert "无法读取" in capsys.readouterr().out


def test_show_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["show", str(tmp_path / "nope.txt")]) == 2
    assert "找不到文件" in capsys.readouterr().err


def test_review_and_show_help_import_nothing_heavy():
    code = ("import sys, pipeline.cli.app as c\n"
            "for argv in (['--help'], ['review', '--help'], ['review', 'import', '--help'], ['show', '--help']):\n"
            "    try:\n        c.main(argv)\n    except SystemExit:\n        pass\n"
            f"print([m for m in {HEAVY!r} if m in sys.modules])\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.stdout.strip().splitlines()[-1] == "[]", p.stdout[-500:]

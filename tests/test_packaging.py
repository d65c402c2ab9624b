"""A non-editable install works: the wheel ships the rule catalogue (rules/,
mapped to the data package pipeline.catalogue) and the report templates,
and an installed `perfaudit audit` finds its rules there, not in a checkout.

Offline: the wheel is built with --no-build-isolation from a copy of the
sources (so the checkout gets no build/ or egg-info), installed with
--no-deps --no-index into a fresh venv whose dependencies come from this
environment's site-packages. About 10-20 s."""

import json
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLE

SOURCES = ("pyproject.toml", "README.md", "pipeline", "rules")


def run(*cmd, cwd=None, timeout=60):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, timeout=timeout)
    assert p.returncode in (0, 1), f"{cmd}: exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}"
    return p


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin directory, a working folder outside the checkout)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, src / name)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
        "-w", tmp / "wheels", src, timeout=120)
    [wheel] = (tmp / "wheels").glob("perfaudit-*.whl")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", venv)
    python = venv / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    # The dependencies: this environment's site-packages (a virtualenv's are not the system's). A
    # plain path line appends them to sys.path; their .pth files (this checkout's editable finder) are not run.
    ours = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    (purelib / "_perfaudit_deps.pth").write_text("\n".join(dict.fromkeys(ours)) + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel)
    work = tmp / "elsewhere"
    work.mkdir()
    return venv / "bin", work


@pytest.mark.slow
def test_wheel_carries_catalogue_and_templates(installed):
    bindir, work = installed
    code = ("import json, pipeline, pipeline.audit.rules as r, pipeline.report.html as h\n"
            "print(json.dumps([pipeline.__file__, str(r.DEFAULT_RULES_DIR),\n"
            "                  sorted(p.name for p in r.DEFAULT_RULES_DIR.glob('*.yml')),\n"
            "                  sorted(p.name for p in h.TEMPLATES_DIR.iterdir())]))")
    package, catalogue, rule_files, templates = json.loads(run(bindir / "python", "-c", code, cwd=work).stdout)
    venv = str(bindir.parent)
    assert package.startswith(venv) and catalogue.startswith(venv) and catalogue.endswith("pipeline/catalogue")
    assert {"budget.yml", "crossdoc.yml", "quality.yml"} <= set(rule_files)
    assert "report.html.j2" in templates


@pytest.mark.slow
def test_installed_perfaudit_audits_the_sample(installed):
    bindir, work = installed
    p = run(bindir / "perfaudit", "audit", SAMPLE, "--json", "--no-db", cwd=work)
    assert p.returncode == 1  # error findings, as for the checkout
    [rep] = json.loads(p.stdout)["reports"]
    assert rep["status"] == "ok" and {f["rule"] for f in rep["findings"]} >= {"IND-09", "DEPT-03", "TXT-01"}
    rules = run(bindir / "perfaudit", "rules", cwd=work).stdout
    assert "XDOC-01" in rules and "DQ-11" in rules

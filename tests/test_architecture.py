"""The package's shape (STYLE §7, §14): no import cycles between modules, a
small top level, and stages that import only the stages before them.

Every module under pipeline/ is parsed (not imported); module-level and
function-level imports both count, as do imports under TYPE_CHECKING."""

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "pipeline"
MAX_TOP_ENTRIES = 12
SHARED = {"pipeline", "pipeline.model", "pipeline.numbers", "pipeline.labels"}  # used by every stage
# A stage may import the shared modules, itself and the stages ranked below it;
# report and store share a rank and do not import each other.
RANK = {"ingest": 1, "extract": 2, "audit": 3, "report": 4, "store": 4, "run": 5, "api": 6, "cli": 7}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def _resolve(name: str) -> str | None:
    """The module `name` refers to: itself, or the nearest enclosing module (an attribute import)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    path = MODULES[module]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(_resolve(a.name) for a in node.names if a.name.split(".")[0] == "pipeline")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package
                package = module if path.name == "__init__.py" else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            if base.split(".")[0] != "pipeline":
                continue
            for alias in node.names:  # `from pipeline.audit import rules` imports a module
                full = f"{base}.{alias.name}"
                out.add(full if full in MODULES else _resolve(base))
    out.discard(None)
    out.discard(module)
    return out


GRAPH = {m: imports_of(m) for m in MODULES}


def stage(module: str) -> str:
    if module in SHARED:
        return "shared"
    return module.split(".")[1]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_parser_sees_function_level_imports():
    """pipeline.cli.app imports its subcommand modules inside a function."""
    assert "pipeline.cli.audit" in GRAPH["pipeline.cli.app"]
    assert "pipeline.run.batch" in GRAPH["pipeline.api"]


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert cycles(GRAPH) == []


def test_top_level_is_small():
    entries = sorted(p.name for p in PACKAGE.iterdir() if p.name != "__pycache__")
    assert len(entries) <= MAX_TOP_ENTRIES, entries


@pytest.mark.parametrize("module", sorted(MODULES))
def test_stage_imports_only_earlier_stages(module):
    mine = stage(module)
    bad = []
    for target in sorted(GRAPH[module]):
        theirs = stage(target)
        if theirs == "shared" or theirs == mine:
            continue
        if mine == "shared" or RANK[theirs] >= RANK[mine]:
            bad.append(target)
    assert not bad, f"{module} ({mine}) imports later or sibling stages: {bad}"


def test_every_module_belongs_to_a_known_stage():
    assert {stage(m) for m in MODULES} <= {"shared", *RANK}

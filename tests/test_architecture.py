"""The layering of docs/architecture.md, checked on the import graph of the package.

Layers, from the bottom: foundation (errors, vocabulary) <- maths <- sources <- pipeline
<- outputs <- commands. A module imports only from its own layer or below, no module
imports an underscore name of another, there is no import cycle, a long module says in
its docstring why it is one job, and every ``docs/...`` path the code names exists.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "staffing"

FOUNDATION, MATHS, SOURCES, PIPELINE, OUTPUTS, COMMANDS, FACADE = range(7)
LAYER_NAMES = ["foundation", "maths", "sources", "pipeline", "outputs", "commands", "facade"]

#: Deprecated re-exports kept for one release (CHANGELOG 0.2.0): they sit above everything.
SHIMS = {
    "staffing.report",
    "staffing.plots",
    "staffing.liveperson",
    "staffing.store",
    "staffing.testing",
}
#: Longest module that need not explain itself [lines].
LONG_MODULE = 750  # the formatter spreads long calls over lines; issue 18 replaces this rule


def layer_of(module: str) -> int:
    """The layer of a module of the package, by its dotted name."""
    if module in SHIMS or module in ("staffing", "staffing.__main__"):
        return FACADE
    if module in ("staffing.errors", "staffing.vocabulary", "staffing.starter"):
        return FOUNDATION
    if module in (
        "staffing.queueing",
        "staffing.forecast",
        "staffing.simulation.kernel",
        "staffing.shifts.solver",
        "staffing.daily",
        "staffing.special_days",
        "staffing.skill_queue",
        "staffing.calendar",
    ):
        return MATHS
    if module.startswith("staffing.sources"):
        return SOURCES
    if module.startswith("staffing.outputs"):
        return OUTPUTS
    if module.startswith("staffing.commands") or module == "staffing.cli":
        return COMMANDS
    if module in ("staffing.config", "staffing.scenarios") or module.startswith(
        ("staffing.simulation", "staffing.shifts", "staffing.plan")
    ):
        return PIPELINE
    raise AssertionError(f"{module}: no layer assigned; add it to docs/architecture.md and here")


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = modules()


def imports_of(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """``(imported module, names taken from it, line)`` for every import of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                (a.name, [], node.lineno) for a in node.names if a.name.split(".")[0] == "staffing"
            ]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1]
                    + ([base] if base else [])
                )
            if base.split(".")[0] != "staffing":
                continue
            names = [a.name for a in node.names]
            # "from staffing import queueing" imports the module staffing.queueing
            submodules = [n for n in names if f"{base}.{n}" in MODULES]
            for sub in submodules:
                found.append((f"{base}.{sub}", [], node.lineno))
            rest = [n for n in names if n not in submodules]
            if rest:
                found.append((base, rest, node.lineno))
    return found


GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name):
    if name == "staffing.__main__":
        pytest.skip("runs the command line when imported")  # pragma: no cover
    assert importlib.import_module(name).__name__ == name


def test_the_layers_cover_every_module():
    # A new module must be placed in a layer (here and in docs/architecture.md).
    placed = {name: LAYER_NAMES[layer_of(name)] for name in MODULES}
    assert placed["staffing.queueing"] == "maths"
    assert placed["staffing.sources.liveperson.sync"] == "sources"
    assert placed["staffing.outputs.workbook"] == "outputs"
    assert placed["staffing.cli"] == "commands"


def test_no_module_imports_from_a_higher_layer():
    upward = []
    for name, found in GRAPH.items():
        for target, _, line in found:
            if target in MODULES and layer_of(target) > layer_of(name):
                where = f"{MODULES[name].relative_to(ROOT)}:{line}"
                upward.append(
                    f"{where} ({LAYER_NAMES[layer_of(name)]}) imports {target} "
                    f"({LAYER_NAMES[layer_of(target)]})"
                )
    assert upward == []


def test_nothing_in_the_package_uses_the_deprecated_modules():
    users = [
        f"{name} imports {target}"
        for name, found in GRAPH.items()
        if name not in SHIMS
        for target, _, _ in found
        if target in SHIMS
    ]
    assert users == []


def test_no_underscore_name_is_imported_across_modules():
    private = [
        f"{MODULES[name].relative_to(ROOT)}:{line}: {target}.{n}"
        for name, found in GRAPH.items()
        for target, names, line in found
        for n in names
        if n.startswith("_") and n != "__all__" and target != name
    ]
    assert private == []


def test_there_is_no_import_cycle():
    # Module-level imports only: a cycle there breaks "import staffing.x" from a fresh
    # interpreter, whatever the import order.
    edges: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {n.lineno for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)}
        edges[name] = {
            t
            for t, _, line in GRAPH[name]
            if line in top and t in MODULES and t != name and not name.startswith(t + ".")
        }  # a package's own __init__
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1 and not cycle:
                cycle.extend(
                    [*trail[trail.index(nxt) :], node, nxt] if nxt in trail else [node, nxt]
                )
            elif nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for name in sorted(MODULES):
        if name not in state:
            visit(name, [])
    assert cycle == []


def test_long_modules_say_why_they_are_one_job():
    long = []
    for path in MODULES.values():
        lines = path.read_text(encoding="utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > LONG_MODULE and "One job:" not in doc:
            long.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert long == []


def test_every_docs_reference_in_the_code_exists():
    missing = []
    for path in [*MODULES.values(), *sorted((ROOT / "tests").rglob("*.py"))]:
        for ref in set(re.findall(r"docs/[\w./-]+\.md", path.read_text(encoding="utf-8"))):
            if "shared/docs" in ref or not (ROOT / ref).is_file():
                missing.append(f"{path.relative_to(ROOT)}: {ref}")
    assert missing == []


def test_the_shared_vocabulary_is_defined_once():
    # Each shared name has one home (staffing/vocabulary.py); other modules import it.
    names = [
        "INTERVAL_COLUMNS",
        "INTERVAL_MINUTES",
        "VALID_INTERVALS",
        "WEEKDAYS",
        "METHODS",
        "METRIC_COLUMNS",
        "HISTORY_COLUMNS",
        "BASIS_OVERRIDE",
        "VERSION",
        "_VERSION",
    ]
    homes: dict[str, list[str]] = {n: [] for n in names}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            targets = []
            if isinstance(node, ast.Assign):
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                targets = [node.target.id]
            elif isinstance(node, ast.Try):  # VERSION = version(...) inside try/except
                targets = [
                    t.id
                    for sub in ast.walk(node)
                    if isinstance(sub, ast.Assign)
                    for t in sub.targets
                    if isinstance(t, ast.Name)
                ]
            for target in targets:
                if target in homes and isinstance(
                    getattr(node, "value", None),
                    ast.List | ast.Tuple | ast.Constant | ast.Call | None,
                ):
                    homes[target].append(name)
    defined_elsewhere = {
        n: [m for m in mods if m != "staffing.vocabulary"] for n, mods in homes.items()
    }
    # plan.py keeps INTERVAL_COLUMNS as a list made from the vocabulary's (a re-export).
    defined_elsewhere["INTERVAL_COLUMNS"] = [
        m
        for m in defined_elsewhere["INTERVAL_COLUMNS"]
        if "vocabulary.INTERVAL_COLUMNS" not in MODULES[m].read_text(encoding="utf-8")
    ]
    assert {n: m for n, m in defined_elsewhere.items() if m} == {}

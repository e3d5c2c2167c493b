"""The layering of docs/architecture.md, checked on the import graph of the package.

Layers, from the bottom: foundation (errors, vocabulary) <- maths <- sources <- pipeline
<- outputs <- commands. A module imports only from its own layer or below, no module (and
no test) uses an underscore name of another, there is no import cycle (imports inside
functions count), no module or function is over the size rule, the vocabulary's names and
values are typed once, and every ``docs/...`` path the code names exists.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import warnings
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
}
#: The size rule: the longest module [lines, as formatted] and function [lines, docstring
#: left out] in the package.
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
#: Stated exceptions, each with its reason in docs/architecture.md ("The size rule").
LONG_MODULES: set[str] = set()
LONG_FUNCTIONS = {("staffing.simulation.kernel_agents", "run_agents")}


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
        "staffing.simulation.kernel_jit",
        "staffing.simulation.kernel_pooled",
        "staffing.simulation.kernel_agents",
        "staffing.simulation.engine",
        "staffing.simulation.inputs",
        "staffing.simulation.tables",
        "staffing.simulation.teams_inputs",
        "staffing.simulation.kernel_teams",
        "staffing.simulation.teams",
        "staffing.teams_search",
        "staffing.shifts.solver",
        "staffing.shifts.patterns",
        "staffing.shifts.blocks",
        "staffing.shifts.lp_first",
        "staffing.shifts.rounding",
        "staffing.shifts.relaxations",
        "staffing.shifts.branch_and_bound",
        "staffing.daily",
        "staffing.confidence",
        "staffing.special_days",
        "staffing.skill_queue",
        "staffing.calendar",
        "staffing.teams_bounds",
    ) or module.startswith(("staffing.queueing.", "staffing.forecast.")):
        return MATHS
    if module.startswith("staffing.sources"):
        return SOURCES
    # The fake LivePerson server (tests and demos) needs only the sources below it; no
    # module of the package imports it (test_nothing_in_the_package_uses_the_test_helpers).
    if module == "staffing.testing" or module.startswith("staffing.testing."):
        return SOURCES
    if module.startswith("staffing.outputs"):
        return OUTPUTS
    if module.startswith("staffing.commands") or module == "staffing.cli":
        return COMMANDS
    if module == "staffing.scenarios" or module.startswith(
        ("staffing.config", "staffing.simulation", "staffing.shifts", "staffing.plan")
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
    with warnings.catch_warnings():
        if name in SHIMS:  # they warn when imported (tests/test_deprecated.py)
            warnings.simplefilter("ignore", DeprecationWarning)
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


def _shim_imports(tree: ast.AST) -> list[str]:
    """The deprecated modules an AST imports (``import``, ``from ... import``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name in SHIMS]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            if node.module in SHIMS:
                found.append(node.module)
            elif node.module == "staffing":
                found += [f"staffing.{a.name}" for a in node.names if f"staffing.{a.name}" in SHIMS]
    return found


def test_nothing_in_the_project_imports_the_deprecated_modules():
    # Tests (but the one file that checks the shims' warnings), benchmarks, notebooks and
    # the documentation's code use the new homes.
    users = []
    scripts = [*(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    for path in scripts:
        if path.name != "test_deprecated.py":
            tree = ast.parse(path.read_text(encoding="utf-8"))
            users += [f"{path.relative_to(ROOT)}: {m}" for m in _shim_imports(tree)]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in (c for c in cells if c["cell_type"] == "code"):
            code = "".join(cell["source"])
            code = "\n".join(x for x in code.splitlines() if not x.lstrip().startswith(("%", "!")))
            users += [f"{path.relative_to(ROOT)}: {m}" for m in _shim_imports(ast.parse(code))]
    shim = "|".join(re.escape(m.rpartition(".")[2]) for m in sorted(SHIMS))
    pattern = re.compile(rf"(from|import) staffing\.({shim})\b|from staffing import ({shim})\b")
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        users += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert users == []


def test_nothing_in_the_package_uses_the_test_helpers():
    # staffing.testing (the fake LivePerson server) serves tests and demos, not the planning.
    users = [
        f"{MODULES[name].relative_to(ROOT)}:{line} imports {target}"
        for name, found in GRAPH.items()
        if not name.startswith("staffing.testing")
        for target, _, line in found
        if target == "staffing.testing" or target.startswith("staffing.testing.")
    ]
    assert users == []


def _private_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, name)`` of each private name of the package a test module reaches for.

    An underscore name imported from ``staffing``; an underscore attribute of a module of
    ``staffing`` bound by an import; ``setattr``/``getattr`` (monkeypatch's too) of an
    underscore name on such a module, or of a dotted ``"staffing...._name"`` string.
    """
    found: list[tuple[int, str]] = []
    modules: dict[str, str] = {}  # local name -> module of the package
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "staffing":
            for a in node.names:
                if a.name.startswith("_") and not a.name.startswith("__"):
                    found.append((node.lineno, f"{node.module}.{a.name}"))
                if f"{node.module}.{a.name}" in MODULES:
                    modules[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "staffing":
                    # "import staffing.plan as p" binds staffing.plan, else "staffing"
                    modules[a.asname or "staffing"] = a.name if a.asname else "staffing"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if not node.attr.startswith("__") and isinstance(base, ast.Name):
                if base.id in modules:
                    found.append((node.lineno, f"{modules[base.id]}...{node.attr}"))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called not in ("setattr", "getattr", "delattr", "hasattr"):
                continue
            first, rest = node.args[0], node.args[1:2]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                dotted = first.value
                if dotted.startswith("staffing.") and "._" in dotted:
                    found.append((node.lineno, dotted))
            elif isinstance(first, ast.Name) and first.id in modules and rest:
                name = rest[0]
                if isinstance(name, ast.Constant) and str(name.value).startswith("_"):
                    found.append((node.lineno, f"{modules[first.id]}.{name.value}"))
    return found


def test_tests_use_no_private_name_of_the_package():
    # docs/architecture.md rule 2: tests go through the public API too.
    private = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        private += [f"{where}:{line}: {name}" for line, name in _private_uses(tree)]
    assert private == []


def test_the_private_name_check_sees_each_way_in():
    # The check above on a sample of each way a test could reach a private name.
    sample = ast.parse(
        "from staffing.shifts.solver import _objective_unit\n"
        "from staffing.outputs import workbook\n"
        "import staffing.plan as plan_module\n"
        "monkeypatch.setattr(workbook, '_CHUNK_ROWS', 40)\n"
        "monkeypatch.setattr('staffing.plan._plan', None)\n"
        "plan_module._plan(None)\n"
        "workbook.write_workbook(None)\n"
    )
    assert [line for line, _ in _private_uses(sample)] == [1, 4, 5, 6]


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
    # Every import counts, those inside functions too: a cycle there is a circle of data
    # (the pipeline calling back up into itself), even when import time survives it.
    edges: dict[str, set[str]] = {
        name: {
            t
            for t, _, _ in GRAPH[name]
            if t in MODULES and t != name and not name.startswith(t + ".")
        }  # a package's own __init__
        for name in MODULES
    }
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


def test_no_module_is_over_the_size_rule():
    long = [
        f"{path.relative_to(ROOT)} ({lines} lines)"
        for name, path in MODULES.items()
        if (lines := path.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES
        and name not in LONG_MODULES
    ]
    assert long == []
    assert len(LONG_MODULES) <= 1  # at most one stated exception, in docs/architecture.md


def function_lengths(path: Path) -> list[tuple[str, int, int]]:
    """``(name, first line, lines)`` of every function of a file, its docstring left out."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            has_doc = ast.get_docstring(node) is not None and len(body) > 1
            start = body[1].lineno if has_doc else body[0].lineno
            found.append((node.name, node.lineno, (node.end_lineno or start) - start + 1))
    return found


def test_no_function_is_longer_than_a_screen():
    long = [
        f"{path.relative_to(ROOT)}:{line} {function} ({n} lines)"
        for name, path in MODULES.items()
        for function, line, n in function_lengths(path)
        if n > MAX_FUNCTION_LINES and (name, function) not in LONG_FUNCTIONS
    ]
    assert long == []


def test_the_size_rule_sees_a_long_function(tmp_path):
    sample = tmp_path / "sample.py"
    lines = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES + 1))
    sample.write_text(f'def f():\n    """Doc."""\n{lines}\n', encoding="utf-8")
    assert function_lengths(sample) == [("f", 1, MAX_FUNCTION_LINES + 1)]


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


def retyped_values(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, value)`` of each vocabulary value typed as a literal: a method name, or a
    tuple, list or set of interval lengths. Docstrings and ``__all__`` are not values."""
    from staffing.vocabulary import INTERVAL_MINUTES, METHODS

    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            skip.update(id(n) for n in ast.walk(node.value))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in METHODS:
                found.append((node.lineno, repr(node.value)))
        elif isinstance(node, ast.Tuple | ast.List | ast.Set) and len(node.elts) > 1:
            values = [e.value if isinstance(e, ast.Constant) else None for e in node.elts]
            if all(type(v) is int and v in INTERVAL_MINUTES for v in values):
                found.append((node.lineno, repr(tuple(values))))
    return found


def test_vocabulary_values_are_not_retyped():
    # Names are checked above; this checks values: a method name or the interval lengths
    # typed again as literals would drift from staffing/vocabulary.py unseen.
    retyped = [
        f"{path.relative_to(ROOT)}:{line}: {value}"
        for name, path in MODULES.items()
        if name != "staffing.vocabulary"
        for line, value in retyped_values(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert retyped == []


def test_the_value_check_sees_each_form():
    source = '"""chat."""\n__all__ = ["chat"]\nA = "erlang_c"\nB = (15, 30)\nC = {"chat": 1}\n'
    tree = ast.parse(source + "D = (1, 2)\n")
    assert retyped_values(tree) == [(3, "'erlang_c'"), (4, "(15, 30)"), (5, "'chat'")]

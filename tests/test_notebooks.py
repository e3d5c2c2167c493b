"""The planner's notebooks: committed without outputs, public API only, and they run.

Each notebook is executed from a clean kernel with nbclient in a copy of ``config/`` and
``notebooks/`` under a temporary folder, so what it writes (``../out/``) never lands in the
checkout. The kernel is this test run's Python (the project's venv), through a kernel spec
written for the test and put first on ``JUPYTER_PATH``, so a ``python3`` kernel installed
elsewhere on the machine can never be picked up instead.
"""

from __future__ import annotations

import ast
import importlib
import json
import math
import shutil
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest

import staffing

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ["planning_walkthrough.ipynb", "erlang_calculator.ipynb"]
PUBLIC_MODULES = {
    "staffing",
    "staffing.queueing",
    "staffing.outputs",
    "staffing.outputs.plots",
    "staffing.outputs.workbook",
}


def _read(name: str):
    return nbformat.read(ROOT / "notebooks" / name, as_version=4)


def _code(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs(name):
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.outputs == [], f"{name}: a code cell has outputs: {cell.source[:60]!r}"
        assert cell.execution_count is None, f"{name}: execution count {cell.execution_count}"
    assert "widgets" not in nb.metadata
    # nbformat renames a repeated cell id on reading (with a warning): each id once
    ids = [cell.get("id") for cell in json.loads((ROOT / "notebooks" / name).read_text())["cells"]]
    assert len(set(ids)) == len(ids), f"{name}: repeated cell ids"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_uses_only_the_public_api(name):
    for source in _code(_read(name)):
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("staffing"):
                        assert alias.name in PUBLIC_MODULES, alias.name
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("staffing"):
                assert node.module in PUBLIC_MODULES, node.module
                for alias in node.names:
                    public = getattr(importlib.import_module(node.module), "__all__", [])
                    assert alias.name in public or (
                        f"{node.module}.{alias.name}" in PUBLIC_MODULES
                    ), alias.name
            elif isinstance(node, ast.Attribute):
                private = node.attr.startswith("_") and not node.attr.startswith("__")
                assert not private, f"{name}: private attribute {node.attr!r}"


@pytest.fixture
def kernel_env(tmp_path, monkeypatch) -> Path:
    """A ``python3`` kernel spec running this interpreter, first on JUPYTER_PATH."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (staffing venv)",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    # connection files and IPython's profile in the test's folder: a CI runner's home
    # may be read-only, and a developer's IPython startup files must not run here
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    work = tmp_path / "work"
    shutil.copytree(ROOT / "config", work / "config")
    shutil.copytree(ROOT / "notebooks", work / "notebooks")
    return work


def _execute(work: Path, name: str, extra: str | None = None):
    """Run a notebook from a clean kernel; ``extra`` is a check cell appended in memory."""
    nb = nbformat.read(work / "notebooks" / name, as_version=4)
    if extra is not None:
        nb.cells.append(nbformat.v4.new_code_cell(extra))
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=180,
        resources={"metadata": {"path": str(work / "notebooks")}},
    )
    client.execute()  # raises CellExecutionError when a cell raises
    return nb


def _text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif "data" in output:
                parts.append(output.data.get("text/plain", ""))
    return "\n".join(parts)


def _images(nb) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in nb.cells
        for output in cell.get("outputs", [])
    )


CHECK_WALKTHROUGH = """
import json
print("CHECK " + json.dumps({
    "scenarios": int(sweep["scenario"].nunique()), "rows": len(sweep),
    "methods": list(comparison.index),
    "method_fte": [round(float(x), 9) for x in comparison["fte_headcount"]],
}))
"""


def test_planning_walkthrough_runs(kernel_env):
    nb = _execute(kernel_env, "planning_walkthrough.ipynb", CHECK_WALKTHROUGH)
    check = json.loads(nb.cells[-1].outputs[0].text.split("CHECK ", 1)[1])
    # 3 targets x 2 shrinkages x 3 concurrencies = 18 scenarios; each has the 6 skills of
    # example.yaml over its 4 weeks: 18 x 6 x 4 = 432 rows
    assert check["scenarios"] == 18 and check["rows"] == 432
    assert check["methods"] == ["workload", "erlang_c", "erlang_a", "chat"]
    # the notebook shows what the library computes for the same question in this process
    expected = staffing.scenarios(
        ROOT / "config" / "example.yaml", skills=["Live Chat Sales"], method=check["methods"]
    )
    first = expected[expected["week_start"] == expected["week_start"].min()]
    assert check["method_fte"] == [round(float(x), 9) for x in first["fte_headcount"]]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None
            assert all(o.output_type != "error" for o in cell.outputs)
    text = _text(nb)
    # the config's plan and the plan's repr (example.yaml: 4 weeks, 6 skills, New York)
    assert "Plan(name='example', skills=6" in text
    assert "timezone='America/New_York'" in text
    # NHT history plot, profile plot, heat map, requirements, method bars, sweep lines
    assert _images(nb) >= 6
    workbook = kernel_env / "out" / "walkthrough.xlsx"
    assert f"wrote {workbook.resolve()}" in text
    import openpyxl

    book = openpyxl.load_workbook(workbook, read_only=True)
    try:
        assert "Summary" in book.sheetnames and "Assumptions" in book.sheetnames
    finally:
        book.close()
    assert not (ROOT / "notebooks" / "out").exists()


def _erlang_c_textbook(n: int, a: float) -> float:
    """Erlang C by its textbook sum (Gans, Koole & Mandelbaum 2003, eq. for M/M/n)."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**i / math.factorial(i) for i in range(n)) + top)


def test_erlang_calculator_runs(kernel_env):
    nb = _execute(kernel_env, "erlang_calculator.ipynb")
    text = _text(nb)
    assert "offered load: 10.0 Erlang" in text  # 120 contacts/h x 300 s / 3600 s
    # Erlang C for 80 % within 60 s at 10 Erlang and 300 s handle time, independently: the
    # smallest n with 1 - C(n, 10) exp(-(n - 10) 60 / 300) >= 0.8 (12 gives 0.699, 13 0.843)
    n = next(
        n
        for n in range(11, 40)
        if 1 - _erlang_c_textbook(n, 10.0) * math.exp(-(n - 10) * 60 / 300) >= 0.8
    )
    assert n == 13
    assert f"'erlang_c': {n}" in text
    assert "B(1 agent, 1 Erlang) = 0.500000" in text  # a / (1 + a) with a = 1
    assert "C(1 agent, 0.5 Erlang) = 0.500000" in text  # M/M/1: P(wait) = rho
    assert _images(nb) >= 1

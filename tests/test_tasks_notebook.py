"""tasks.py: the demo environment runs every README command; ``notebook`` sets Jupyter up
(issue 14). Nothing is installed and no server is started: the install and the commands
are recorded instead of run."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tasks():
    spec = importlib.util.spec_from_file_location("tasks_notebook_test", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebook_installs_dev_plots_and_jupyter_and_registers_the_kernel(monkeypatch, capsys):
    tasks = _tasks()
    installed, ran = [], []
    monkeypatch.setattr(tasks, "_ensure_env", installed.append)
    monkeypatch.setattr(tasks, "_run", lambda *args: ran.append(args) or 0)
    assert "notebook" in tasks.JOBS
    assert tasks.notebook() == 0
    assert installed == ["dev,plots,notebook"]
    assert ran == [
        (
            "python",
            "-m",
            "ipykernel",
            "install",
            "--user",
            "--name",
            "staffing",
            "--display-name",
            "Python (staffing)",
        )
    ]
    assert not any("lab" in args or "notebook" in args for args in ran)  # no server started
    printed = capsys.readouterr().out
    assert "jupyter' lab" not in printed and "lab notebooks/" in printed


def test_jupyter_is_only_in_the_notebook_extra_and_the_demo_brings_plots(monkeypatch):
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(d.startswith("jupyterlab") for d in extras["notebook"])
    assert not any(d.startswith(("jupyterlab", "notebook")) for d in extras["dev"])
    assert any(d.startswith("pyarrow") for d in extras["parquet"])
    tasks = _tasks()
    installed = []
    monkeypatch.setattr(tasks, "_ensure_env", installed.append)
    monkeypatch.setattr(tasks, "_run", lambda *args: 0)
    assert tasks.demo() == 0
    assert installed == ["plots"]  # the README's --plots command works after the demo

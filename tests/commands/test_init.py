"""``staffing init``, ``python -m staffing``, the typed package and a clean Ctrl-C at start-up.

Issue "What a planner trips over", points 13 and 19: a planner who installs the wheel gets a
starter config and sample history that ``staffing plan`` runs as is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.resources import files

import yaml

from staffing.cli import main
from tests.conftest import ROOT


def test_init_writes_a_starter_that_plans_as_is(tmp_path, capsys):
    target = tmp_path / "planning"
    assert main(["init", str(target)]) == 0
    assert (target / "plan.yaml").is_file() and (target / "data" / "nht_history.csv").is_file()
    capsys.readouterr()
    out = tmp_path / "out.xlsx"
    assert (
        main(["plan", str(target / "plan.yaml"), "--weeks", "1", "--out", str(out), "--quiet"]) == 0
    )
    assert out.is_file()
    # --out decides where the run's files go: the starter's intervals CSV (output.csv)
    # follows the workbook's name beside it, and nothing is written into the starter.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out-intervals.csv",
        "out.xlsx",
        "planning",
    ]
    assert not (target / "out").exists()


def test_init_never_replaces_files_without_force(tmp_path, capsys):
    target = tmp_path / "planning"
    target.mkdir()
    (target / "plan.yaml").write_text("mine\n")
    assert main(["init", str(target)]) == 1
    assert "plan.yaml is already there" in capsys.readouterr().err
    assert (target / "plan.yaml").read_text() == "mine\n"
    assert not (target / "data").exists()
    assert main(["init", str(target), "--force"]) == 0
    assert (target / "plan.yaml").read_text() != "mine\n"


def test_the_starter_is_the_repository_example_in_its_own_words():
    # The starter must differ from the example where the example speaks of the repository
    # (issue 21, point 12): its comments, its plan name and its output paths. Every other
    # key is the example's, and the sample history is the same file.
    starter = files("staffing.starter")
    example = yaml.safe_load((ROOT / "config" / "example.yaml").read_text())
    shipped = yaml.safe_load(starter.joinpath("example.yaml").read_text())
    assert shipped.pop("output") == {"path": "out/my-plan.xlsx", "csv": "out/my-plan-intervals.csv"}
    assert shipped["plan"].pop("name") == "my-plan"
    example.pop("output")
    example["plan"].pop("name")
    assert shipped == example
    assert (
        starter.joinpath("nht_history.csv").read_bytes()
        == (ROOT / "config" / "data" / "nht_history.csv").read_bytes()
    )


def test_init_then_plan_from_its_folder_names_only_its_own_files(tmp_path, monkeypatch, capsys):
    # Issue 21, point 12: a pip user runs `staffing init` and then the command its config
    # names, from that folder; the config text names no repository path and no docs/ file.
    target = tmp_path / "planning"
    assert main(["init", str(target)]) == 0
    text = (target / "plan.yaml").read_text()
    for absent in ("config/", "docs/", "example", ".py"):
        assert absent not in text, absent
    assert "staffing plan plan.yaml" in text
    monkeypatch.chdir(target)
    capsys.readouterr()
    assert main(["plan", "plan.yaml", "--weeks", "1", "--quiet"]) == 0
    # The files the header promises, where it says.
    assert "writes out/my-plan.xlsx and out/my-plan-intervals.csv here" in text
    assert sorted(p.name for p in (target / "out").iterdir()) == [
        "my-plan-intervals.csv",
        "my-plan.xlsx",
    ]


def test_python_m_staffing_and_the_typed_marker():
    run = subprocess.run(
        [sys.executable, "-m", "staffing", "--version"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0 and run.stdout.startswith("staffing ")
    assert (ROOT / "staffing" / "py.typed").is_file()
    assert "py.typed" in (ROOT / "pyproject.toml").read_text()


def test_ctrl_c_while_the_command_starts_is_clean():
    # A KeyboardInterrupt raised while `staffing` imports its modules (as Ctrl-C does in
    # the first second) ends with status 130 and one line, no traceback.
    code = (
        "import sys\n"
        "sys.argv = ['staffing', '--version']\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'staffing.plan':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from staffing.cli import main\n"
        "sys.exit(main())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert run.returncode == 130
    assert run.stderr.strip() == "staffing: interrupted"
    assert "Traceback" not in run.stderr


def test_ctrl_c_while_a_library_user_imports_is_a_keyboard_interrupt():
    code = (
        "import sys\n"
        "sys.argv = ['my_script.py']\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'staffing.plan':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "try:\n"
        "    import staffing\n"
        "except KeyboardInterrupt:\n"
        "    print('caught')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert run.stdout.strip() == "caught"

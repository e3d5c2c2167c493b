"""Issue 21, point 9: command-line messages in the planner's words, and no stray warnings.

Bad inputs run through the real command line (``staffing.cli.main``); what it prints must
hold no NumPy repr and no code word; ``--out`` a folder says so; a normal ``staffing plan``
run in a subprocess prints no FutureWarning or DeprecationWarning.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

from staffing.cli import main
from staffing.simulation import kernel

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ROOT / "config" / "data" / "nht_history.csv"

#: What a planner must never read: NumPy reprs and words of the code, not of the program.
CODE_WORDS = ("np.", "force=True", "exist(s)", "required_agents", "Traceback")


def _example(folder: Path, *, history: Path = HISTORY, **changes) -> Path:
    """The bundled example in ``folder``, its history and outputs given explicitly."""
    data = yaml.safe_load((ROOT / "config" / "example.yaml").read_text())
    data["nht"]["path"] = str(history)
    data["output"] = {"path": str(folder / "out" / "example.xlsx")}
    data.update(changes)
    path = folder / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _negative_nht_history(folder: Path) -> Path:
    """The sample history with one negative net handle time (row 5 as a spreadsheet counts)."""
    lines = HISTORY.read_text().splitlines()
    head = lines[0].split(",")
    cells = lines[4].split(",")
    cells[head.index("net_handle_time_s")] = "-3.5"
    lines[4] = ",".join(cells)
    path = folder / "negative.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _bad_runs(folder: Path) -> dict[str, list[str]]:
    """Command lines that each fail on one planner's mistake."""
    foreign = folder / "budget.xlsx"
    foreign.write_bytes(b"the planner's own budget")
    starter = folder / "starter"
    starter.mkdir()
    (starter / "plan.yaml").write_text("mine\n")
    sim_out = folder / "sim.csv"
    sim_out.write_text("keep me\n")
    negative = folder / "neg"
    negative.mkdir()
    good = str(_example(folder))
    return {
        # before: "... in row 5: np.float64(-3.5)"
        "negative NHT": [
            "plan",
            str(_example(negative, history=_negative_nht_history(negative))),
            "--quiet",
        ],
        # before: "--handle-time must be finite and > 0, got np.float64(0.0)"
        "chat handle time 0": [
            "calc",
            "--model",
            "chat",
            "--volume",
            "10",
            "--handle-time",
            "300,0",
            "--asa",
            "20",
        ],
        # before: "required_agents needs at least one target: --service-level, ..."
        "no target": ["calc", "--volume", "10", "--handle-time", "300"],
        # before: "(use --force, or force=True, to overwrite it)"
        "foreign workbook": ["plan", good, "--out", str(foreign), "--quiet"],
        # before: "plan.yaml exist(s) already"
        "init over files": ["init", str(starter)],
        # before: "... already exist(s); use --force to overwrite"
        "simulate over a CSV": [
            "simulate",
            good,
            "--replications",
            "2",
            "--out",
            str(sim_out),
            "--quiet",
        ],
    }


def test_bad_inputs_get_no_numpy_repr_and_no_code_word(tmp_path, capsys):
    failed = {}
    for name, argv in _bad_runs(tmp_path).items():
        assert main(argv) != 0, name
        failed[name] = capsys.readouterr().err
    for name, err in failed.items():
        assert err.startswith("staffing "), (name, err)
        assert not [word for word in CODE_WORDS if word in err], (name, err)
    # what they say instead
    assert "net_handle_time_s is negative in row 5: -3.5" in failed["negative NHT"]
    assert "got 0" in failed["chat handle time 0"]
    assert "give at least one target: --service-level" in failed["no target"]
    assert "(give --force to overwrite it)" in failed["foreign workbook"]
    assert "plan.yaml is already there" in failed["init over files"]
    assert "sim.csv is already there; give --force" in failed["simulate over a CSV"]


@pytest.mark.parametrize(("fmt", "example"), [("xlsx", "plan.xlsx"), ("csv", "plan-intervals.csv")])
def test_out_a_folder_says_it_is_a_folder(tmp_path, capsys, fmt, example):
    folder = tmp_path / "outputs"
    folder.mkdir()
    argv = ["plan", str(_example(tmp_path)), "--out", str(folder), "--format", fmt, "--quiet"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    # before (xlsx): only "workbook path ... must end in .xlsx"
    assert f"{folder} is a folder, not a file" in err, err
    assert str(folder / example) in err, err
    assert "must end in" not in err
    assert list(folder.iterdir()) == []  # nothing written


def test_missing_numba_is_said_once_before_the_bar(tmp_path, capsys, monkeypatch):
    find_spec = importlib.util.find_spec

    def without_numba(name, *args):
        return None if name == "numba" else find_spec(name, *args)

    # as if numba were missing: the note of the command and the kernel's own warning
    monkeypatch.setattr(importlib.util, "find_spec", without_numba)
    monkeypatch.setattr(kernel, "HAVE_NUMBA", False)
    data = yaml.safe_load((ROOT / "config" / "example.yaml").read_text())
    voice = [skill for skill in data["skills"] if skill["id"] == 3002]
    config = _example(tmp_path, skills=voice, volume={"source": "history"})
    argv = ["simulate", str(config), "--replications", "2", "--weeks", "1"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(argv) == 0
    err = capsys.readouterr().err
    # before: the kernel's RuntimeWarning came again, inside the progress bar
    assert not [w for w in caught if "numba" in str(w.message)]
    assert err.count("numba is not installed") == 1, err
    assert err.index("numba is not installed") < err.index("simulating")


def test_a_normal_plan_prints_no_dependency_warning(tmp_path):
    data = yaml.safe_load((ROOT / "config" / "example-shifts.yaml").read_text())
    data["nht"]["path"] = str(HISTORY)
    data["output"] = {"path": str(tmp_path / "out" / "shifts.xlsx")}
    # a closed day for one skill: special days were the source of pandas' FutureWarning
    data["special_days"] = [
        {"date": "2026-03-10", "closed": True, "skills": [1001]},
        {"date": "2026-03-11", "volume_factor": 1.2},
    ]
    config = tmp_path / "shifts.yaml"
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    env = {
        **os.environ,
        "PYTHONWARNINGS": "always::FutureWarning,always::DeprecationWarning,"
        "always::PendingDeprecationWarning",
    }
    run = subprocess.run(
        [sys.executable, "-m", "staffing", "plan", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "wrote " in run.stdout
    # before (pandas 2.x): special_days.py: FutureWarning: Downcasting object dtype arrays
    for word in ("FutureWarning", "DeprecationWarning", "Warning:"):
        assert word not in run.stderr, run.stderr

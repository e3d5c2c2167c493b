"""The ``staffing calc`` command, run through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from staffing import queueing
from staffing.cli import main


def test_calc_json_solves_the_worked_example(capsys):
    # 100 calls / 30 min, AHT 180 s, 80% in 20 s -> 14 agents (see test_queueing's worked
    # example, confirmed by mpmath).
    argv = [
        "calc",
        "--model",
        "erlang_c",
        "--volume",
        "100",
        "--interval",
        "1800",
        "--handle-time",
        "180",
        "--service-level",
        "0.8",
        "--answer-within",
        "20",
        "--json",
    ]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"agents", "p_wait", "service_level", "asa_s", "p_abandon", "occupancy"}
    assert out["agents"] == 14
    assert round(out["service_level"], 4) == 0.8884
    assert out["p_abandon"] == 0.0


def test_calc_table_for_a_given_staffing_equals_the_engine(capsys):
    assert (
        main(
            [
                "calc",
                "--model",
                "erlang_a",
                "--volume",
                "100",
                "--handle-time",
                "360",
                "--answer-within",
                "20",
                "--patience",
                "300",
                "--agents",
                "10",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    res = queueing.evaluate(
        "erlang_a", 10, volume=100, handle_time_s=360, answer_within_s=20, patience_s=300
    )
    assert f"{float(res['service_level']):.2%}" in text
    assert f"{float(res['p_abandon']):.2%}" in text
    assert "agents" in text and " 10" in text


def test_calc_chat_takes_a_list_of_handle_times(capsys):
    argv = [
        "calc",
        "--model",
        "chat",
        "--volume",
        "100",
        "--interval",
        "1800",
        "--handle-time",
        "300,420,600",
        "--service-level",
        "0.8",
        "--answer-within",
        "20",
        "--patience",
        "300",
        "--max-abandon",
        "0.05",
        "--json",
    ]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    want = queueing.required_agents(
        "chat",
        volume=100,
        interval_s=1800,
        handle_time_s=[300, 420, 600],
        service_level=0.8,
        answer_within_s=20,
        patience_s=300,
        max_abandon=0.05,
    )
    assert out["agents"] == int(want)
    assert 1 <= out["mean_concurrency"] <= 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--handle-time", "180,200"], "lists are for chat"),
        (["--handle-time", "abc"], "--handle-time"),
        # Errors name the flag typed, not the engine's parameter (issue 14, point 7).
        (
            ["--handle-time", "180", "--service-level", "1.5", "--answer-within", "20"],
            "--service-level must be a share between 0 and 1",
        ),
        (
            ["--handle-time", "-5", "--service-level", "0.8", "--answer-within", "20"],
            "--handle-time",
        ),
        # 1.0 is refused like the config refuses it (no finite staffing reaches 100 %).
        (
            ["--handle-time", "180", "--service-level", "1.0", "--answer-within", "20"],
            "1.0 cannot be met",
        ),
        # A target without its threshold used to mean "within 0 s" silently.
        (
            ["--handle-time", "180", "--service-level", "0.8"],
            "--service-level needs --answer-within",
        ),
    ],
)
def test_calc_bad_input_is_a_clear_error(argv, message, capsys):
    assert main(["calc", "--volume", "100", *argv]) == 1
    assert message in capsys.readouterr().err


def test_console_script_is_installed():
    # The entry point in pyproject.toml: `staffing calc ...` as a planner types it.
    script = Path(sys.executable).parent / "staffing"
    assert script.exists(), "pip install -e . creates the staffing console script"
    proc = subprocess.run(
        [
            str(script),
            "calc",
            "--volume",
            "100",
            "--interval",
            "1800",
            "--handle-time",
            "180",
            "--service-level",
            "0.8",
            "--answer-within",
            "20",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout)["agents"] == 14


def _strict_json(text):
    def refuse(token):
        raise AssertionError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def test_calc_json_is_standard_json_for_unbounded_and_limit_values(capsys):
    # Issue 11: `calc --json` printed bare NaN, which is not JSON. An unstable queue (5 agents
    # for 10 Erlangs) has an unbounded ASA: null. Endless patience on an overloaded queue
    # is the theta -> inf limit of Erlang A: finite figures.
    assert main(["calc", "--volume", "360", "--handle-time", "100", "--agents", "5", "--json"]) == 0
    out = _strict_json(capsys.readouterr().out)
    assert out["asa_s"] is None and out["p_wait"] == 1.0
    assert (
        main(
            [
                "calc",
                "--model",
                "erlang_a",
                "--volume",
                "1e4",
                "--handle-time",
                "300",
                "--patience",
                "1e12",
                "--agents",
                "10",
                "--json",
            ]
        )
        == 0
    )
    out = _strict_json(capsys.readouterr().out)
    assert out["p_abandon"] == pytest.approx(0.988) and out["asa_s"] > 1e12


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        # Issue 11: agents 1e308 gave NaN metrics; issue 10: interval 1e-9 never ended.
        (
            [
                "--model",
                "erlang_a",
                "--patience",
                "180",
                "--handle-time",
                "300",
                "--agents",
                "1e308",
            ],
            "agents",
        ),
        (
            [
                "--handle-time",
                "300",
                "--interval",
                "1e-9",
                "--service-level",
                "0.8",
                "--answer-within",
                "20",
            ],
            "--interval",
        ),
    ],
)
def test_calc_refuses_out_of_range_inputs_by_name(argv, message, capsys):
    assert main(["calc", "--volume", "100", *argv]) == 1
    assert message in capsys.readouterr().err


def test_calc_says_when_a_given_staffing_cannot_carry_the_load(capsys):
    # 5 agents for 360 x 100 s / 3600 s = 10 Erlang: M/M/5 is unstable (rho = 2 > 1).
    assert main(["calc", "--volume", "360", "--handle-time", "100", "--agents", "5"]) == 0
    err = capsys.readouterr().err
    assert "cannot carry an offered load of 10.000 Erlang: the queue is unstable" in err
    # 12 agents carry it: no note.
    assert main(["calc", "--volume", "360", "--handle-time", "100", "--agents", "12"]) == 0
    assert "unstable" not in capsys.readouterr().err


def test_calc_notes_chat_handle_times_that_fall_with_the_load(capsys):
    assert (
        main(
            [
                "calc",
                "--model",
                "chat",
                "--volume",
                "100",
                "--handle-time",
                "300,100",
                "--service-level",
                "0.8",
                "--answer-within",
                "60",
            ]
        )
        == 0
    )
    assert "--handle-time falls from 300 s at load 1 to 100 s at load 2" in capsys.readouterr().err

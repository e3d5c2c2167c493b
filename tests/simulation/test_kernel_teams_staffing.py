"""The teams kernel's staffing rules worked out by hand (``docs/simulation.md``, "Teams:
routing"): at a drop in planned agents the least loaded leave first *whatever their load*,
a busy leaver finishes what it holds and is no longer on shift; the shapes the docstring
promises; the ``compiled`` switch."""

from __future__ import annotations

import sys
from types import FrameType

import numpy as np
import pytest

from staffing.simulation import kernel_teams
from staffing.simulation.kernel_jit import HAVE_NUMBA
from staffing.simulation.kernel_teams import TEAM_STATS, run_teams_loop

BUSY, CONVERSATION, ON_SHIFT = (TEAM_STATS.index(c) for c in TEAM_STATS)


def drop(columns: int, compiled: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """One skill, one team of three slots: 5 agents planned in interval 0 (100 s), 1 in
    interval 1. Fifteen contacts arrive at t = 1, 2, ..., 15 s and each lasts 10,000 s
    (work 1 × 10,000 s at every load, given as ``columns`` load columns)."""
    n = 15
    return run_teams_loop(
        np.arange(1.0, n + 1),
        np.zeros(n, np.int64),
        np.zeros(n, np.int64),
        np.ones(n),
        np.full(n, np.inf),
        np.array([[5, 1]]),
        np.full((1, 2, columns), 10_000.0),
        np.array([[True]]),
        np.array([3]),
        np.array([0]),
        100.0,
        np.array([20.0]),
        False,
        compiled=compiled,
    )


@pytest.mark.parametrize("columns", [1, 3])
@pytest.mark.parametrize("compiled", [True, False])
def test_agents_at_full_load_leave_the_shift_at_a_drop(columns, compiled):
    # By hand. Contacts go to the least loaded agent: agents 1-5 take c1-c5 (t = 1-5 s),
    # then c6-c10, then c11-c15: all five hold 3 conversations from t = 15 s on, none ends
    # before 10,001 s. Interval 0: busy = sum(100 - t) over each agent's first contact
    # (t = 1..5) = 485 s; conversations = sum(100 - t) over t = 1..15 = 1380 s; on shift
    # 5 x 100 s. At 100 s the plan drops to 1: four agents leave, each busy, so each
    # finishes its three conversations but is off shift: on shift 1 x 100 s, while all 5
    # stay busy (500 s) with 15 conversations (1500 s). Handle times given without a load
    # column (columns = 1) must not change who may leave: every level up to 3 is searched.
    _, team = drop(columns, compiled)
    assert team[0, :, ON_SHIFT].tolist() == [500.0, 100.0]
    assert team[0, :, BUSY].tolist() == [485.0, 500.0]
    assert team[0, :, CONVERSATION].tolist() == [1380.0, 1500.0]


def test_shapes_are_those_documented():
    # run_teams_loop's docstring: stats (S, T, 6), the single-skill kernel's columns;
    # team_stats (R, T, 3), the columns of TEAM_STATS.
    stats, team = drop(1)
    assert stats.shape == (1, 2, 6)
    assert team.shape == (1, 2, len(TEAM_STATS)) == (1, 2, 3)
    assert stats[0, :, 0].tolist() == [15.0, 0.0]  # every arrival in interval 0
    assert stats[0, :, 1].tolist() == [15.0, 0.0]  # each answered at once (wait 0)
    assert stats[0, :, 2].tolist() == [15.0, 0.0]


def python_frames(compiled: bool) -> set[str]:
    """Names of the Python functions of the kernel's module run by :func:`drop`."""
    names: set[str] = set()

    def seen(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code.co_filename == kernel_teams.__file__:
            names.add(frame.f_code.co_name)

    sys.setprofile(seen)
    try:
        drop(1, compiled)
    finally:
        sys.setprofile(None)
    return names


@pytest.mark.skipif(not HAVE_NUMBA, reason="without numba every step is plain Python")
def test_compiled_false_runs_the_event_loop_as_python():
    # The docstring: `compiled=False` "runs the same steps as plain Python", True the
    # numba-compiled loop. Plain Python shows as Python frames the compiled run has not.
    assert python_frames(False) - python_frames(True)
    assert python_frames(True) <= python_frames(False)


@pytest.mark.parametrize("compiled", [True, False])
def test_without_a_team_every_contact_waits_to_the_end_and_abandons(compiled):
    # No team (R = 0): nobody answers, so each contact is still waiting when the run ends
    # and counts as abandoned in its arrival interval (the kernel's end-of-run rule), as
    # staffing.simulation.teams.run_teams reports skills in no team without the kernel.
    stats, team = run_teams_loop(
        np.array([1.0, 150.0, 160.0]),
        np.array([0, 1, 1]),
        np.zeros(3, np.int64),
        np.ones(3),
        np.full(3, np.inf),
        np.zeros((0, 2), np.int64),
        np.full((1, 2, 1), 100.0),
        np.zeros((1, 0), bool),
        np.zeros(0, np.int64),
        np.array([0]),
        100.0,
        np.array([20.0]),
        True,
        compiled=compiled,
    )
    assert stats[0].tolist() == [[1.0, 0.0, 0.0, 1.0, 0.0, 0.0], [2.0, 0.0, 0.0, 2.0, 0.0, 0.0]]
    assert team.shape == (0, 2, 3)


@pytest.mark.parametrize("compiled", [True, False])
def test_a_horizon_of_no_interval_gives_empty_tables_of_the_documented_shapes(compiled):
    # T = 0 and no contact: (S, 0, 6) and (R, 0, 3), nothing to fail on.
    stats, team = run_teams_loop(
        np.zeros(0),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0),
        np.zeros(0),
        np.zeros((1, 0), np.int64),
        np.zeros((1, 0, 1)),
        np.ones((1, 1), bool),
        np.array([2]),
        np.array([0]),
        100.0,
        np.array([20.0]),
        True,
        compiled=compiled,
    )
    assert (stats.shape, team.shape) == ((1, 0, 6), (1, 0, 3))

"""Every refusal of the simulation names what is wrong, and the limits are where they say.

Rule protected: nothing lost silently (a bad option, shape or value is refused before any
simulation runs, with a message naming the argument and the value given), and the
documented limits hold at the boundary: ``replications`` >= 2, ``seed`` >= 0,
``correlation`` in [0, 1], ``workers`` >= 1, at most one of ``client``, ``scheduler`` and
``workers``. The messages are compared in full (``re.fullmatch`` of the escaped text), so a
message that loses its argument's name or the value given fails here.
"""

from __future__ import annotations

import datetime as dt
import re
import sys

import numpy as np
import pandas as pd
import pytest

from staffing.simulation import engine, kernel
from staffing.simulation.day_scope import day_scope_agents
from staffing.simulation.inputs import SkillInput
from staffing.simulation.teams import run_teams
from staffing.simulation.teams_inputs import TeamsInput
from tests.simulation.teams_cases import make_teams


def exactly(text: str) -> str:
    """A pattern that matches ``text`` and nothing longer (pytest.raises uses re.search)."""
    return "^" + re.escape(text) + "$"


def tiny_skill(volume: float = 20.0, days: int = 1) -> SkillInput:
    """``days`` days of two hourly intervals, one agent, an Erlang C skill."""
    n_t = 2 * days
    grid = pd.date_range("2026-03-02", periods=n_t, freq="h", tz="Europe/Berlin")
    return SkillInput(
        skill_id=3,
        skill_name="Tiny",
        method="erlang_c",
        interval_start=grid,
        volume=np.full(n_t, volume),
        agents=np.ones(n_t, dtype=np.int64),
        handle_time_s=np.full(n_t, 60.0),
        is_open=np.ones(n_t, dtype=bool),
        interval_s=3600.0,
        answer_within_s=20.0,
        patience_s=None,
        service_level_target=0.8,
        asa_s=None,
        max_abandon=None,
        day=np.repeat(np.arange(days), 2).astype(np.int64),
        dates=np.array([dt.date(2026, 3, 2) + dt.timedelta(days=d) for d in range(days)]),
        week=np.zeros(n_t, dtype=np.int64),
        week_start=(dt.date(2026, 3, 2),),
    )


# --------------------------------------------------------------------------- engine options

OPTIONS = {
    "replications": 2,
    "seed": 0,
    "handle_time": "exponential",
    "handle_time_cv": 1.0,
    "routing": "least_loaded",
    "at_close": "drain",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"replications": 1}, "replications must be a whole number >= 2, got 1"),
        ({"replications": 2.5}, "replications must be a whole number >= 2, got 2.5"),
        ({"seed": -1}, "seed must be a whole number >= 0, got -1"),
        ({"seed": 0.5}, "seed must be a whole number >= 0, got 0.5"),
        (
            {"handle_time": "gamma"},
            "handle_time must be one of exponential, lognormal; got 'gamma'",
        ),
        (
            {"routing": "random"},
            "routing must be one of least_loaded, even_spread; got 'random'",
        ),
        ({"at_close": "never"}, "at_close must be one of drain, hold; got 'never'"),
        (
            {"handle_time": "lognormal", "handle_time_cv": 0.0},
            "handle_time_cv must be finite and > 0, got 0.0",
        ),
        (
            {"handle_time": "lognormal", "handle_time_cv": float("inf")},
            "handle_time_cv must be finite and > 0, got inf",
        ),
        (
            {"handle_time_cv": 0.5},
            "an exponential handle time has a CV of 1; use handle_time='lognormal' for another CV",
        ),
    ],
)
def test_check_options_names_the_option_and_the_value(change, message):
    with pytest.raises(ValueError, match=exactly(message)):
        engine.check_options(**{**OPTIONS, **change})


@pytest.mark.parametrize(
    "change",
    [
        {},  # the smallest replications and seed allowed
        {"replications": 2.0, "seed": 0.0},  # whole numbers given as floats
        {"handle_time": "lognormal", "handle_time_cv": 0.5},
        {"handle_time": "lognormal", "handle_time_cv": 1.0},
        {"routing": "even_spread", "at_close": "hold"},
    ],
)
def test_check_options_accepts_the_limits_themselves(change):
    assert engine.check_options(**{**OPTIONS, **change}) is None


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            {"scheduler": "tcp://127.0.0.1:1", "workers": 2},
            "give at most one of client, scheduler and workers; got scheduler and workers",
        ),
        (
            {"client": object(), "workers": 2},
            "give at most one of client, scheduler and workers; got client and workers",
        ),
        (
            {"client": object(), "scheduler": "tcp://127.0.0.1:1", "workers": 1},
            "give at most one of client, scheduler and workers; "
            "got client and scheduler and workers",
        ),
        ({"workers": 0}, "workers must be a whole number >= 1, got 0"),
        ({"workers": 1.5}, "workers must be a whole number >= 1, got 1.5"),
    ],
)
def test_where_to_run_is_refused_before_anything_starts(where, message):
    full = {"client": None, "scheduler": None, "workers": None, **where}
    with pytest.raises(ValueError, match=exactly(message)):
        engine.connect(full["client"], full["scheduler"], full["workers"])
    with pytest.raises(ValueError, match=exactly(message)):
        engine.run([tiny_skill()], replications=2, **where)


def test_in_process_needs_no_dask():
    assert engine.connect(None, None, None) == (None, None, "in-process")


def test_dask_asked_for_without_distributed_says_which_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    message = "running on Dask needs the distributed extra: pip install staffing[distributed]"
    with pytest.raises(ImportError, match=exactly(message)):
        engine.connect(None, None, 1)


@pytest.mark.parametrize("correlation", [-0.1, 1.1])
def test_correlation_outside_zero_one_is_refused(correlation):
    message = f"correlation must lie in [0, 1], got {correlation!r}"
    with pytest.raises(ValueError, match=exactly(message)):
        engine.run([tiny_skill()], replications=2, correlation=correlation)


@pytest.mark.parametrize("correlation", [0.0, 1.0])
def test_correlation_at_zero_and_one_runs(correlation):
    done = engine.run([tiny_skill()], replications=2, correlation=correlation)
    assert done.tasks == 1 and len(done.intervals) == 2


# --------------------------------------------------------------------------- kernel inputs


@pytest.mark.parametrize(
    ("volume", "interval_s", "message"),
    [
        (np.array([1.0, -1.0]), 60.0, "volume must be a 1-d array of finite values >= 0"),
        (np.array([1.0, np.nan]), 60.0, "volume must be a 1-d array of finite values >= 0"),
        (np.ones((2, 2)), 60.0, "volume must be a 1-d array of finite values >= 0"),
        (np.ones(2), 0.0, "interval_s must be > 0, got 0.0"),
        (np.ones(2), float("nan"), "interval_s must be > 0, got nan"),
    ],
)
def test_draw_arrivals_refuses_bad_volume_and_interval(volume, interval_s, message):
    with pytest.raises(ValueError, match=exactly(message)):
        kernel.draw_arrivals(volume, interval_s, np.random.default_rng(0))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"handle_time": "gamma"},
            "handle_time must be one of exponential, lognormal; got 'gamma'",
        ),
        (
            {"handle_time": "lognormal", "handle_time_cv": -1.0},
            "handle_time_cv must be finite and > 0, got -1.0",
        ),
        (
            {"handle_time_cv": 2.0},
            "an exponential handle time has a CV of 1; use handle_time='lognormal' for another CV",
        ),
        ({"patience_s": 0.0}, "patience_s must be > 0, got 0.0"),
        ({"patience_s": -5.0}, "patience_s must be > 0, got -5.0"),
    ],
)
def test_draw_contacts_refuses_bad_shapes_and_patience(options, message):
    with pytest.raises(ValueError, match=exactly(message)):
        kernel.draw_contacts(3, np.random.default_rng(0), **options)


@pytest.mark.parametrize("patience_s", [None, float("inf")])
def test_draw_contacts_without_patience_never_abandons(patience_s):
    work, patience = kernel.draw_contacts(4, np.random.default_rng(0), patience_s=patience_s)
    assert work.shape == (4,) and np.all(work > 0)
    assert np.all(np.isinf(patience))


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (
            (np.ones(2), np.ones(2), np.ones(2)),
            {"routing": "random"},
            "routing must be one of least_loaded, even_spread; got 'random'",
        ),
        (
            (np.ones(2), np.ones(2), np.ones(2)),
            {"at_close": "never"},
            "at_close must be one of drain, hold; got 'never'",
        ),
        (
            (np.ones(2), np.array([1.5, 1.0]), np.ones(2)),
            {},
            "agents must be whole numbers >= 0, one per interval",
        ),
        (
            (np.ones(2), np.array([1, -1]), np.ones(2)),
            {},
            "agents must be whole numbers >= 0, one per interval",
        ),
        (
            (np.ones(2), np.ones(3), np.ones(2)),
            {},
            "agents must be whole numbers >= 0, one per interval",
        ),
        (
            (np.ones(2), np.ones(2), np.ones(3)),
            {},
            "handle_time_s must have shape (T,) or (T, k), T = 2; got (3,)",
        ),
        (
            (np.ones(2), np.ones(2), np.ones((2, 2, 2))),
            {},
            "handle_time_s must have shape (T,) or (T, k), T = 2; got (2, 2, 2)",
        ),
        (
            (np.ones(2), np.array([1, 0]), np.array([0.0, 5.0])),
            {},
            "handle_time_s must be finite and > 0 where agents > 0",
        ),
        (
            (np.ones(2), np.array([0, 1]), np.array([5.0, np.inf])),
            {},
            "handle_time_s must be finite and > 0 where agents > 0",
        ),
    ],
)
def test_simulate_replication_names_the_bad_input(args, options, message):
    with pytest.raises(ValueError, match=exactly(message)):
        kernel.simulate_replication(*args, np.random.default_rng(0), **options)


def test_a_bad_handle_time_where_nobody_works_is_harmless():
    # interval 1 has no agents: its handle time (0, then NaN) is never used
    for bad in (0.0, np.nan):
        stats = kernel.simulate_replication(
            np.array([3.0, 3.0]),
            np.array([2, 0]),
            np.array([60.0, bad]),
            np.random.default_rng(1),
            interval_s=600.0,
        )
        assert stats.shape == (2, 6) and np.all(np.isfinite(stats))


def test_an_empty_horizon_gives_an_empty_table():
    stats = kernel.simulate_replication(
        np.zeros(0), np.zeros(0), np.zeros(0), np.random.default_rng(0)
    )
    assert stats.shape == (0, 6)


# --------------------------------------------------------------------------- teams

VOLUME = np.array([[10.0, 20.0], [5.0, 0.0], [7.0, 7.0]])
MEMBERS = [[True, False], [True, True], [False, False]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"skill_names": ("a", "b")}, "skill_names must have one entry per skill (3), got 2"),
        ({"methods": ("erlang_c",) * 4}, "methods must have one entry per skill (3), got 4"),
        ({"patience_s": [None]}, "patience_s must have one entry per skill (3), got 1"),
        (
            {"service_level_target": (0.8, 0.8)},
            "service_level_target must have one entry per skill (3), got 2",
        ),
        ({"asa_s": (None,) * 2}, "asa_s must have one entry per skill (3), got 2"),
        ({"max_abandon": (None,) * 4}, "max_abandon must have one entry per skill (3), got 4"),
        ({"skill_ids": (1, 1, 2)}, "skill_ids must be distinct, got (1, 1, 2)"),
        (
            {"volume": np.zeros((2, 2))},
            "volume must have shape (skills, intervals) = (3, 2)",
        ),
        (
            {"is_open": np.ones((3, 3), bool)},
            "is_open must have shape (skills, intervals) = (3, 2)",
        ),
        ({"volume": -VOLUME}, "volume must be finite and >= 0"),
        ({"volume": VOLUME * np.nan}, "volume must be finite and >= 0"),
        (
            {"handle_s": np.ones((3, 3))},
            "handle_s must have shape (S, T) or (S, T, K), S=3, T=2",
        ),
        (
            {"handle_s": np.ones((3, 2, 1, 1))},
            "handle_s must have shape (S, T) or (S, T, K), S=3, T=2",
        ),
        (
            {"handle_s": np.array([[300.0, 0.0], [300.0, 300.0], [300.0, 300.0]])},
            "handle_s must be finite and > 0 where a skill has volume",
        ),
        (
            {"membership": np.ones((3, 3), bool)},
            "membership must have shape (skills, teams) = (3, 2)",
        ),
        (
            {"membership": np.array([[True, False], [True, False], [False, False]])},
            "teams with no skill: team 2",
        ),
        (
            {"membership": np.zeros((3, 2), bool)},
            "teams with no skill: team 1, team 2",
        ),
        ({"max_concurrency": np.array([0, 1])}, "max_concurrency must be >= 1 for every team"),
        (
            {"max_concurrency": np.array([1, 3]), "handle_s": np.full((3, 2, 2), 300.0)},
            "handle_s by load needs a column per slot of the largest team",
        ),
        (
            {"agents": np.array([[1, -1], [0, 0]])},
            "agents must be whole numbers >= 0 of shape (teams, intervals) = (2, 2)",
        ),
        (
            {"agents": np.array([[1.5, 1], [0, 0]])},
            "agents must be whole numbers >= 0 of shape (teams, intervals) = (2, 2)",
        ),
        (
            {"agents": np.ones((2, 3))},
            "agents must be whole numbers >= 0 of shape (teams, intervals) = (2, 2)",
        ),
        (
            {"handle_time": ("gamma", "exponential", "exponential")},
            "handle_time must be one of exponential, lognormal",
        ),
        (
            {"handle_time": ("exponential",) * 2},
            "handle_time must have one entry per skill (3), got 2",
        ),
        ({"patience_s": (0.0, None, None)}, "patience_s must be > 0 or None, got 0.0"),
        ({"patience_s": (None, None, -3.0)}, "patience_s must be > 0 or None, got -3.0"),
    ],
)
def test_teams_input_names_the_bad_field_exactly(change, message):
    base = make_teams(VOLUME, 300.0, MEMBERS)
    fields = {name: getattr(base, name) for name in TeamsInput.__dataclass_fields__}
    with pytest.raises(ValueError, match=exactly(message)):
        TeamsInput(**{**fields, **change})


def test_teams_input_accepts_the_limits_and_fills_the_defaults():
    base = make_teams(VOLUME, 300.0, MEMBERS, agents=np.zeros((2, 2)))
    fields = {name: getattr(base, name) for name in TeamsInput.__dataclass_fields__}
    # a handle time of 0 where a skill has no volume, or is closed, is never used
    handle = np.full((3, 2), 300.0)
    handle[1, 1] = 0.0  # skill 2 has no volume in interval 2
    closed = np.ones((3, 2), bool)
    closed[0, 0] = False
    handle[0, 0] = np.nan
    made = TeamsInput(
        **{
            **fields,
            "handle_s": handle,
            "is_open": closed,
            "max_concurrency": np.array([1, 2]),
            "patience_s": (1e-3, None, 50.0),
            "handle_time": "lognormal",
            "handle_time_cv": 0.5,
            "priority": 2,
            "min_agents": 1,
            "answer_within_s": 30.0,
        }
    )
    assert made.handle_s.shape == (3, 2, 1)
    assert made.handle_time == ("lognormal",) * 3
    assert made.handle_time_cv.tolist() == [0.5] * 3
    assert made.priority.tolist() == [2, 2, 2] and made.priority.dtype == np.int64
    assert made.min_agents.tolist() == [1, 1] and made.min_agents.dtype == np.int64
    assert made.answer_within_s.tolist() == [30.0] * 3
    assert made.agents.dtype == np.int64 and made.max_concurrency.tolist() == [1, 2]
    # one column per slot of the largest team is enough, and so is one column for all
    wide = TeamsInput(
        **{**fields, "max_concurrency": np.array([1, 3]), "handle_s": np.full((3, 2, 3), 9.0)}
    )
    assert wide.handle_s.shape == (3, 2, 3)


def test_run_teams_refuses_missing_agents_and_bad_options():
    inputs = make_teams(VOLUME, 300.0, MEMBERS)
    message = "run_teams needs inputs.agents (agents per team and interval)"
    with pytest.raises(ValueError, match=exactly(message)):
        run_teams(inputs, replications=2)
    staffed = inputs.with_agents(np.ones((2, 2), np.int64))
    with pytest.raises(
        ValueError, match=exactly("replications must be a whole number >= 2, got 1")
    ):
        run_teams(staffed, replications=1)
    with pytest.raises(ValueError, match=exactly("at_close must be one of drain, hold; got 'x'")):
        run_teams(staffed, replications=2, at_close="x")


# --------------------------------------------------------------------------- day scope


def test_day_scope_refuses_an_interval_scope_skill_by_id(ramps_plan):
    message = (
        "skills [11, 99]: the correction by simulation needs queueing skills of "
        "service_level.scope day or week"
    )
    with pytest.raises(ValueError, match=exactly(message)):
        day_scope_agents(ramps_plan, [99, 11, 11])

"""Promises of the teams engine that its statistics tests leave open.

Rules protected (each test names its own): a skill's tables judge it by its own method and
targets (:attr:`staffing.simulation.inputs.SkillInput.targets`: the abandonment cap does
not apply to Erlang C); :func:`staffing.simulation.teams.skill_view` is skill ``s`` and
nothing else; a team's occupancy half-width is ``t(0.975, n-1) s / sqrt(n)`` (Law,
*Simulation Modeling and Analysis*, 5th ed., 2015, eq. 4.12), so 0 where every
replication is the same; an unstaffed interval is NaN without a warning; the facts and
defaults the docstrings state (seed 0, a client runs the batches, task seconds inside
the call).
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from dataclasses import replace

import numpy as np
import pytest

from staffing.simulation.teams import run_teams, simulate_staffings, skill_view
from tests.simulation.teams_cases import MONDAY, make_teams
from tests.simulation.test_teams_statistics_by_hand import REPS, SEED, case, replication

METHODS = ("erlang_a", "erlang_c", "erlang_a")
SL_TARGET = (0.7, 0.2, 0.7)
ASA_TARGET = (22.0, 40.0, None)
MAX_ABANDON = (0.11, 0.5, None)  # skill 4 is Erlang C: its 0.5 must be ignored


def targeted():
    """The statistics tests' case with a method and targets of each skill's own."""
    return replace(
        case(),
        methods=METHODS,
        service_level_target=SL_TARGET,
        asa_s=ASA_TARGET,
        max_abandon=MAX_ABANDON,
    )


def test_each_skill_is_judged_by_its_own_method_and_targets():
    """Rule: P(day meets target) is the share of replications whose day has service level
    >= the skill's target, ASA <= its ASA target and, for Erlang A only, abandonment <= its
    cap (SkillInput.targets); the interval rows carry the skill's method. Expected values
    from the replications rerun by hand."""
    inputs = targeted()
    result = run_teams(inputs, replications=REPS, seed=SEED)
    first = [replication(inputs, [0, 1], [0, 1], r) for r in range(REPS)]
    for s, sid in enumerate(inputs.skill_ids):
        rows = result.intervals[result.intervals["skill_id"] == sid]
        assert (rows["method"] == METHODS[s]).all()
    binding = {"asa": False, "abandon": False, "erlang_c_cap": False}
    for s, sid in enumerate((9, 4)):
        counts = np.stack([out[s] for out, _ in first])
        days = np.stack([counts[:, inputs.day == d, :5].sum(axis=1) for d in range(2)], axis=1)
        arrivals, answered, within, abandoned, wait = (days[..., i] for i in range(5))
        sl, asa, pab = within / arrivals, wait / answered, abandoned / arrivals
        ok_sl = sl >= SL_TARGET[s]
        ok_asa = asa <= ASA_TARGET[s]
        ok_pab = pab <= MAX_ABANDON[s]
        expected = ok_sl & ok_asa & (ok_pab if METHODS[s] == "erlang_a" else True)
        table = result.daily[result.daily["skill_id"] == sid]
        np.testing.assert_allclose(table["p_meets_target"], expected.mean(axis=0))
        # the instance is sharp: each target changes the answer somewhere
        binding["asa"] |= bool(((ok_sl & ~ok_asa).mean(axis=0) > 0).any())
        if METHODS[s] == "erlang_a":
            binding["abandon"] |= bool((ok_sl & ok_asa & ~ok_pab).any())
        else:
            binding["erlang_c_cap"] |= bool((expected & ~ok_pab).any())
    assert all(binding.values()), binding


def test_skill_view_is_the_skill_with_its_teams_agents():
    """Rule: skill_view(inputs, s) is skill s's own input (method, arrays, targets and
    calendar), its agents the sum of the teams holding it, as int64 (SkillInput.agents)."""
    inputs = targeted()
    for s in range(inputs.n_skills):
        view = skill_view(inputs, s)
        assert (view.skill_id, view.skill_name, view.method) == (
            inputs.skill_ids[s],
            f"skill {s + 1}",
            METHODS[s],
        )
        np.testing.assert_array_equal(view.volume, inputs.volume[s])
        np.testing.assert_array_equal(view.is_open, inputs.is_open[s])
        np.testing.assert_array_equal(view.handle_time_s, np.full(view.volume.size, 300.0))
        expected = np.zeros(inputs.n_intervals, np.int64)
        for r in range(inputs.n_teams):
            expected += inputs.agents[r] if inputs.membership[s, r] else 0
        np.testing.assert_array_equal(view.agents, expected)
        assert view.agents.dtype == np.int64
        assert view.answer_within_s == 20.0 and view.patience_s == 240.0
        assert view.service_level_target == SL_TARGET[s]
        assert (view.asa_s, view.max_abandon) == (ASA_TARGET[s], MAX_ABANDON[s])
        assert view.interval_s == 1800.0
        assert list(view.dates) == list(inputs.dates)
        assert view.week_start == inputs.week_start
        np.testing.assert_array_equal(view.day, inputs.day)
        np.testing.assert_array_equal(view.week, inputs.week)
    # no agents given (the staffing search builds views before staffing): zero agents
    bare = replace(inputs, agents=None)
    view = skill_view(bare, 0)
    np.testing.assert_array_equal(view.agents, np.zeros(bare.n_intervals))
    assert view.agents.dtype == np.int64
    # a skill in no team: zero agents, int64 as well
    alone = make_teams(np.full((1, 4), 2.0), 300.0, np.zeros((1, 0), bool), agents=np.zeros((0, 4)))
    assert skill_view(alone, 0).agents.dtype == np.int64


def test_team_half_width_is_zero_where_every_replication_is_the_same():
    """Rule: the occupancy half-width is t(0.975, n-1) s / sqrt(n) / capacity (Law 2015,
    eq. 4.12): a staffed hour with no contact has busy time 0 in every replication, so
    occupancy 0 and half-width exactly 0; unstaffed hours are NaN, without a warning."""
    volume = np.array([[0.0, 6.0, 6.0, 0.0]])  # hour 0: agents, no contact yet
    agents = np.array([[2, 2, 2, 0]])  # hour 3: nobody (the drained work falls in it)
    inputs = make_teams(volume, 300.0, [[True]], agents=agents, interval_s=3600.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0/0 and x/0 of the unstaffed hour: no warning
        result = run_teams(inputs, replications=4, seed=3)
    table = result.teams
    assert table["occupancy_sim"].iloc[0] == 0.0 and table["occupancy_ci"].iloc[0] == 0.0
    assert table["slot_use_sim"].iloc[0] == 0.0
    assert (table["occupancy_ci"].iloc[1:3] > 0).all()  # busy hours do vary
    assert table.iloc[3][["occupancy_sim", "occupancy_ci", "slot_use_sim"]].isna().all()


def test_unstaffed_team_intervals_raise_no_warning_on_a_two_team_day():
    """Rule: an interval where a team has no agent is NaN, silently (no numpy warning),
    even where the team's draining agents were busy in it (x/0) or idle (0/0)."""
    inputs = case()
    component = inputs.subset(np.array([0, 1]), np.array([0, 1]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run_teams(component, replications=2, seed=SEED)
    unstaffed = result.teams["agents"] == 0
    assert unstaffed.any() and result.teams.loc[unstaffed, "occupancy_sim"].isna().all()


def test_task_seconds_are_spent_inside_the_call():
    """Rule: task_seconds is the summed wall time of the tasks; in process they run inside
    the call, so 0 < task_seconds <= the call's wall time."""
    inputs = make_teams(np.full((1, 4), 4.0), 300.0, [[True]], agents=np.full((1, 4), 2))
    began = time.perf_counter()
    result = run_teams(inputs, replications=2, seed=1)
    assert 0 < result.task_seconds <= time.perf_counter() - began


def test_simulate_staffings_seeds_with_zero_by_default():
    """Rule (docstring): seed defaults to 0, so the default run is the seed-0 run."""
    inputs = make_teams(np.full((1, 4), 4.0), 300.0, [[True]])
    jobs = [(inputs, [np.full((1, 4), 1)])]
    default = simulate_staffings(jobs, replications=2)[0]
    np.testing.assert_array_equal(default, simulate_staffings(jobs, replications=2, seed=0)[0])
    other = simulate_staffings(jobs, replications=2, seed=1)[0]
    assert not np.array_equal(default[..., 0], other[..., 0])  # the seed matters


class _Refused(Exception):
    pass


class _Client:
    """A stand-in for a Dask client: records the batches it is given, runs none."""

    def __init__(self):
        self.specs = []

    def map(self, function, specs, pure=True):
        self.specs.extend(specs)
        raise _Refused


def test_simulate_staffings_sends_the_batches_to_the_client():
    """Rule (docstring): with a client the batches run on Dask, not in this process: the
    client receives every batch (ten replications each) of every job."""
    inputs = make_teams(np.full((1, 4), 4.0), 300.0, [[True]])
    client = _Client()
    with pytest.raises(_Refused):
        simulate_staffings([(inputs, [np.full((1, 4), 1)])], replications=12, client=client)
    assert [spec["reps"] for spec in client.specs] == [(0, 10), (10, 12)]


def test_a_calendar_day_without_intervals_gets_no_row():
    """Rule: the day and week tables have one slot per date of the calendar; a date with
    no interval (listed past the last one) is counted as empty, not a shape error, and
    gets no row (no volume). Two days of two 12-hour intervals, three dates."""
    inputs = make_teams(
        np.full((1, 4), 4.0), 300.0, [[True]], agents=np.full((1, 4), 2), interval_s=43200.0
    )
    dates = [MONDAY + dt.timedelta(days=d) for d in range(3)]
    inputs = replace(inputs, dates=np.array(dates))
    result = run_teams(inputs, replications=2, seed=1)
    assert list(result.daily["date"]) == dates[:2]
    arrivals = result.intervals["arrivals_sim"].to_numpy()
    np.testing.assert_allclose(
        result.daily["arrivals_sim"], [arrivals[:2].sum(), arrivals[2:].sum()]
    )

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
import pandas as pd
import pytest

from staffing.simulation.teams import (
    draw_team_contacts,
    run_teams,
    simulate_staffings,
    simulate_teams_replication,
    skill_view,
)
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


def test_a_calendar_day_or_week_without_intervals_gets_no_row():
    """Rule: the day and week tables have one slot per date and plan week of the calendar;
    a date or week with no interval (listed past the last one) is counted as empty, not a
    shape error, and gets no row (no volume). Two days of two 12-hour intervals, three
    dates, two plan weeks; the week rows are labelled by their first day."""
    inputs = make_teams(
        np.full((1, 4), 4.0), 300.0, [[True]], agents=np.full((1, 4), 2), interval_s=43200.0
    )
    dates = [MONDAY + dt.timedelta(days=d) for d in range(3)]
    weeks = (MONDAY, MONDAY + dt.timedelta(days=7))
    inputs = replace(inputs, dates=np.array(dates), week_start=weeks)
    result = run_teams(inputs, replications=2, seed=1)
    assert list(result.daily["date"]) == dates[:2]
    arrivals = result.intervals["arrivals_sim"].to_numpy()
    np.testing.assert_allclose(
        result.daily["arrivals_sim"], [arrivals[:2].sum(), arrivals[2:].sum()]
    )
    assert list(result.weekly["week_start"]) == [MONDAY]
    assert list(result.weekly["days"]) == [2]
    assert result.weekly["arrivals_sim"].iloc[0] == pytest.approx(arrivals.sum())


def test_one_replication_drains_by_default():
    """Rule (docstring): simulate_teams_replication closes with ``at_close="drain"`` unless
    told: the default is the drained replication, which differs from the held one here
    (team 2 leaves at 12:00 with skill 4's queue)."""
    component = case().subset(np.array([0, 1]), np.array([0, 1]))
    rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(4, 0)))
    contacts = draw_team_contacts(component, rng)
    default, _ = simulate_teams_replication(component, component.agents, contacts)
    drained, _ = simulate_teams_replication(component, component.agents, contacts, at_close="drain")
    held, _ = simulate_teams_replication(component, component.agents, contacts, at_close="hold")
    np.testing.assert_array_equal(default, drained)
    assert not np.array_equal(default, held)


def test_skills_in_no_team_abandon_every_contact_skill_by_skill():
    """Rule: with no team, nobody answers: each skill's contacts of an interval are its
    arrivals and its abandoned (counted here from the drawn contacts), and there is no
    team row, shape (0, T, 3)."""
    volume = np.array([[3.0, 0.0, 5.0], [1.0, 4.0, 2.0]])
    inputs = make_teams(volume, 300.0, np.zeros((2, 0), bool), agents=np.zeros((0, 3)))
    contacts = draw_team_contacts(inputs, np.random.default_rng(5))
    stats, team_stats = simulate_teams_replication(inputs, inputs.agents, contacts)
    _, interval, skill, _, _ = contacts
    for s in range(2):
        expected = np.bincount(interval[skill == s], minlength=3)
        np.testing.assert_array_equal(stats[s, :, 0], expected)  # arrivals
        np.testing.assert_array_equal(stats[s, :, 3], expected)  # abandoned
        np.testing.assert_array_equal(stats[s, :, [1, 2, 4]], 0.0)  # none answered
    assert stats[0, :, 0].sum() != stats[1, :, 0].sum()  # the skills' counts differ here
    assert team_stats.shape == (0, 3, 3)


def test_run_teams_defaults_are_30_replications_and_seed_0():
    """Rule (docstring): replications default to 30 (three batches of ten) and the seed to
    0: the default run is the run with those values given."""
    inputs = make_teams(np.full((1, 2), 3.0), 300.0, [[True]], agents=np.full((1, 2), 1))
    default = run_teams(inputs)
    given = run_teams(inputs, replications=30, seed=0)
    assert default.tasks == 3
    pd.testing.assert_frame_equal(default.intervals, given.intervals)
    other = run_teams(inputs, replications=30, seed=1)
    assert not other.intervals["arrivals_sim"].equals(default.intervals["arrivals_sim"])


@pytest.fixture
def dask_client():
    """A Dask client on one worker thread in this process (no cluster of processes)."""
    distributed = pytest.importorskip("distributed")
    client = distributed.Client(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None
    )
    yield client
    client.close()


def test_a_dask_client_gives_the_in_process_figures_and_progress(dask_client):
    """Rule (module docstring): batches are fixed, so the tables are identical in process
    and on Dask; progress is called with (tasks done, tasks) after each task; the staffing
    search's counts are the same on Dask."""
    inputs = make_teams(np.full((2, 3), 3.0), 300.0, [[True], [False]], agents=np.full((1, 3), 1))
    calls = []
    on_dask = run_teams(
        inputs, replications=12, seed=2, client=dask_client, progress=lambda *a: calls.append(a)
    )
    here = run_teams(inputs, replications=12, seed=2)
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]  # two components x two batches
    pd.testing.assert_frame_equal(on_dask.intervals, here.intervals)
    pd.testing.assert_frame_equal(on_dask.teams, here.teams)
    jobs = [(inputs.subset(np.array([0]), np.array([0])), [np.full((1, 3), 1)])]
    np.testing.assert_array_equal(
        simulate_staffings(jobs, replications=12, seed=2, client=dask_client)[0],
        simulate_staffings(jobs, replications=12, seed=2)[0],
    )

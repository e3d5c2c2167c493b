"""Team schedules at their edges: a lone team with templates, thin volume, no shrinkage.

Rules (``staffing.shifts.team_shifts``, ``docs/shifts.md`` "Teams"): the service a team's
schedule achieves comes from simulating every team together, the teams without templates
at their planned agents; a team's figures are its skills' weighted by volume (ASA by
answered volume) wherever any volume is served, however little; a head at work is on queue
1 - shrinkage of the time, so with no shrinkage one head is one on-queue agent; a team the
plan has no staffing for is refused with its name. The plan is the teams example on one
Monday morning with its volume scaled down to under one contact per interval.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pytest

import staffing
from staffing.errors import DataError
from staffing.simulation.teams import run_teams
from tests.shifts.teams_example import DAY, teams_example


def _config() -> dict:
    """The teams example, one week, every skill open Monday 09:00-13:00, volume x 0.005,
    templates for Voice Sales only (the second team of three), Voice Sales without
    shrinkage."""
    data = teams_example(1, {"mon": "09:00-13:00"})
    data["volume"]["growth"] = 0.005
    data["teams"][1]["shrinkage"] = 0.0
    data["shifts"] = [{"name": "sales", "team": "Voice Sales", **DAY}]
    return data


@pytest.fixture
def planned():
    # function scope: mutation testing credits a fixture's calls to the first test using it
    return staffing.plan(_config(), teams={"replications": 10})


def test_a_lone_teams_service_is_simulated_with_the_other_teams_at_their_staffing(planned):
    """Rule: the schedule's team is simulated together with every other team (those
    without templates at their planned agents), 10 replications, seed 0; its service
    level and abandonment are its skills' weighted by volume, its ASA weighted by answered
    volume, in every interval with served volume, even under one contact in all."""
    result = staffing.schedule(planned)
    cov = result.coverage
    assert cov["skill_group"].unique().tolist() == ["Voice Sales"]
    inputs = planned.teams.inputs
    assert inputs.team_names.index("Voice Sales") > 0  # a team before it has no templates
    agents = np.array(inputs.agents, dtype=np.int64)
    r = inputs.team_names.index("Voice Sales")
    agents[r] = np.floor(cov["scheduled"].to_numpy() + 1e-9)
    run = run_teams(inputs.with_agents(agents), 10, seed=0).intervals
    n_t = len(inputs.interval_start)
    ids = [inputs.skill_ids[s] for s in np.flatnonzero(inputs.membership[:, r])]
    assert sorted(ids) == [1001, 3001]
    mine = run[run["skill_id"].isin(ids)]
    volume = mine["volume"].to_numpy(float).reshape(-1, n_t)
    total = volume.sum(axis=0)
    busy = total > 0
    # the edge this test is about: every served interval has under one contact in all
    assert busy.sum() == 4 and (total[busy] < 1.0).all()
    ab = mine["p_abandon_sim"].to_numpy(float).reshape(-1, n_t)
    answered = volume * (1 - np.nan_to_num(ab))
    for key, weights in (
        ("service_level", volume),
        ("p_abandon", volume),
        ("asa_s", answered),
    ):
        values = mine[f"{key}_sim"].to_numpy(float).reshape(-1, n_t)
        want = np.full(n_t, np.nan)
        for t in np.flatnonzero(busy):
            num = den = 0.0
            for s in range(values.shape[0]):
                if np.isfinite(values[s, t]):
                    num += values[s, t] * weights[s, t]
                    den += weights[s, t]
            want[t] = num / den
        got = cov[key].to_numpy()
        assert np.isfinite(got[busy]).all(), key
        np.testing.assert_allclose(got[busy], want[busy], rtol=1e-12)
        assert np.isnan(got[~busy]).all()


def test_without_shrinkage_one_head_at_work_is_one_agent_on_queue(planned):
    """Rule: scheduled = heads x (1 - shrinkage); Voice Sales has none, so each of its
    heads is one on-queue agent, also where the team needs a single head (FTE 1)."""
    result = staffing.schedule(planned)
    cov = result.coverage
    teams = planned.teams.intervals
    mine = teams[teams["team"] == "Voice Sales"]
    fte = mine["fte"].to_numpy(float)
    # by hand: FTE = agents / (1 - 0) = agents, 1 in each open interval (min_agents 1)
    assert (fte[fte > 0] == 1.0).all() and (fte > 0).sum() == 4
    np.testing.assert_array_equal(cov["scheduled"].to_numpy(), cov["heads"].to_numpy())
    assert (cov.loc[fte > 0, "scheduled"] >= 1.0).all()
    assert not cov["understaffed"].any()


def test_a_team_schedule_warns_of_nothing(planned):
    """Rule: nothing a planner reads is noise: closed intervals (no FTE, no volume) give
    no numpy division warning from the team's schedule and service."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = staffing.schedule(planned)
    ours = [w for w in caught if Path(w.filename).name == "team_shifts.py"]
    assert ours == []
    # the closed intervals are there and have no service figures
    closed = result.coverage["required_heads"].to_numpy() == 0
    assert closed.sum() > 0 and result.coverage.loc[closed, "service_level"].isna().all()


@pytest.mark.parametrize("how", ["no teams at all", "team left out"])
def test_a_team_without_staffing_is_refused_by_name(planned, how):
    """Rule: templates naming a team the plan has no staffing for are refused with a
    DataError that names the team and says why (none of its skills is planned)."""
    teams = planned.teams
    if how == "no teams at all":
        plan = dataclasses.replace(planned, teams=None)
    else:
        kept = teams.intervals[teams.intervals["team"] != "Voice Sales"]
        plan = dataclasses.replace(planned, teams=dataclasses.replace(teams, intervals=kept))
    with pytest.raises(DataError) as caught:
        staffing.schedule(plan)
    assert str(caught.value) == (
        "shift templates name team 'Voice Sales', and the plan has no staffing for it "
        "(none of its skills is planned)"
    )

"""Shift templates that name a team: one group per team, its requirement the team's staffing."""

from __future__ import annotations

import numpy as np
import pytest

import staffing
from staffing.errors import ConfigError
from staffing.simulation.teams import run_teams
from tests.conftest import per_module
from tests.shifts.teams_example import DAY, teams_example


def _config(shifts) -> dict:
    """The teams example on one Monday morning with ``shifts``."""
    data = teams_example(1, {"mon": "09:00-13:00"})
    data["shifts"] = shifts
    return data


@pytest.fixture(scope=per_module)
def scheduled():
    shifts = [
        {"name": "msg", "team": "Messaging", **DAY},
        {"name": "sales", "team": "Voice Sales", **DAY},
        {"name": "service", "team": "Voice Service", **DAY},
    ]
    plan = staffing.plan(_config(shifts), teams={"replications": 10})
    return plan, staffing.schedule(plan)


def test_a_team_group_covers_the_teams_staffing_not_its_skills_alone(scheduled):
    plan, schedule = scheduled
    assert schedule.groups["skill_group"].tolist() == ["Messaging", "Voice Sales", "Voice Service"]
    # Voice Callback (3001) is in both voice groups: overlapping skill sets, no refusal
    assert schedule.groups["skill_ids"].tolist()[1:] == ["1001, 3001", "3001, 3002"]
    teams = plan.teams.intervals
    for name, part in schedule.coverage.groupby("skill_group", sort=False):
        mine = teams[teams["team"] == name]
        np.testing.assert_array_equal(part["required"], mine["agents"])
        np.testing.assert_allclose(part["required_heads"], mine["fte"])
        # the optimum covers every interval: heads at work >= the team's FTE
        assert (part["heads"].to_numpy() >= mine["fte"].to_numpy() - 1e-9).all()
        assert not part["understaffed"].any()
    # the team staffing needs fewer on-queue hours than the skills alone (pooling)
    required_h = schedule.groups["required_hours"].sum()
    alone_h = plan.intervals.loc[
        plan.intervals["skill_id"].isin([2001, 2002, 1001, 3001, 3002]), "agents"
    ].sum()
    assert required_h <= alone_h
    # (one test: mutation testing credits the module fixture's calls to its first test)
    _check_simulated_service(plan, schedule)


def _check_simulated_service(plan, schedule):
    """Rule: each team's row gets its skills' simulated service under the schedule's
    on-queue agents (every team simulated together, 10 replications, seed 0): service
    level and abandonment weighted by volume, ASA by answered volume."""
    served = schedule.coverage[schedule.coverage["required"] > 0]
    assert served["service_level"].notna().all()
    # the schedule puts at least the team's agents on queue in every interval, so its
    # skills keep about the service the staffing promised (80 % targets)
    assert (served["service_level"] > 0.7).all()
    # recomputed here: the same simulation of the schedule's whole on-queue agents, then
    # each team's skills weighted by hand
    inputs = plan.teams.inputs
    agents = np.array(inputs.agents, dtype=np.int64)
    for r, name in enumerate(inputs.team_names):
        part = schedule.coverage[schedule.coverage["skill_group"] == name]
        agents[r] = np.floor(part["scheduled"].to_numpy() + 1e-9)
    run = run_teams(inputs.with_agents(agents), 10, seed=0).intervals
    n_t = len(inputs.interval_start)
    for r, name in enumerate(inputs.team_names):
        ids = [inputs.skill_ids[s] for s in np.flatnonzero(inputs.membership[:, r])]
        mine = run[run["skill_id"].isin(ids)]
        volume = mine["volume"].to_numpy(float).reshape(-1, n_t)
        sl = mine["service_level_sim"].to_numpy(float).reshape(-1, n_t)
        ab = mine["p_abandon_sim"].to_numpy(float).reshape(-1, n_t)
        asa = mine["asa_s_sim"].to_numpy(float).reshape(-1, n_t)
        answered = volume * (1 - np.nan_to_num(ab))
        part = schedule.coverage[schedule.coverage["skill_group"] == name]
        busy = volume.sum(axis=0) > 0
        for got, values, weights in (
            (part["service_level"], sl, volume),
            (part["p_abandon"], ab, volume),
            (part["asa_s"], asa, answered),
        ):
            w = np.where(np.isfinite(values), weights, 0.0)
            want = (np.nan_to_num(values) * w).sum(axis=0)[busy] / w.sum(axis=0)[busy]
            np.testing.assert_allclose(got.to_numpy()[busy], want, rtol=1e-12)
            assert np.isnan(got.to_numpy()[~busy]).all()


@pytest.mark.parametrize(
    ("shifts", "expected"),
    [
        ([{"name": "a", "team": "Nobody", **DAY}], "shifts[0].team: 'Nobody' is not in teams"),
        (
            [{"name": "a", "team": "Messaging", "skills": [2001], **DAY}],
            "shifts[0].team: give team or skills, not both",
        ),
        (
            [{"name": "a", "team": "Voice Sales", **DAY}, {"name": "b", "skills": [3001], **DAY}],
            "shifts[1].skills: serves skill(s) 3001 that shifts[0] serves through its team",
        ),
    ],
)
def test_team_templates_are_checked_by_key(shifts, expected):
    with pytest.raises(ConfigError) as caught:
        staffing.load_config(_config(shifts))
    assert expected in str(caught.value)

"""The teams staffed by simulation in a plan: small instances of the teams example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import staffing
from staffing.plan.teams_sim import SIMULATION
from staffing.simulation.teams import run_teams

ROOT = Path(__file__).resolve().parents[2]
#: Monday morning only: a few busy hours keep the search fast.
MORNING = {"mon": "09:00-13:00"}


@pytest.fixture(scope="module")
def morning_plan():
    """The teams example (both kinds of team, a shared skill) on one Monday morning."""
    data = yaml.safe_load((ROOT / "config" / "example-teams.yaml").read_text())
    data["nht"]["path"] = str(ROOT / "config" / "data" / "nht_history.csv")
    data["plan"]["weeks"] = 1
    for skill in data["skills"]:
        skill["open_hours"] = MORNING
    data["skills"][3]["priority"] = 10  # Voice Callback, shared by the two voice teams
    return staffing.plan(data, teams={"replications": 20, "seed": 0})


def test_each_skill_meets_its_targets_in_an_independent_simulation(morning_plan):
    teams = morning_plan.teams
    assert set(teams.skills["figures_from"]) == {SIMULATION}
    assert teams.inputs.priority.tolist() == [0, 0, 0, 10, 0]  # as configured, in plan order
    assert teams.totals["met_in_simulation"] is True
    assert teams.skills["meets_targets"].all()
    # 30 fresh replications on another seed: no skill misses a target with 95 % confidence
    check = run_teams(teams.inputs, replications=30, seed=12345)
    week = check.weekly.set_index("skill_id")
    for row in teams.skills.itertuples(index=False):
        got = week.loc[row.skill_id]
        if not np.isnan(row.service_level_target):
            assert got["service_level_sim"] + got["service_level_ci"] >= row.service_level_target
        if not np.isnan(row.max_abandon):
            assert got["p_abandon_sim"] - got["p_abandon_ci"] <= row.max_abandon
        if not np.isnan(row.asa_target_s):
            assert got["asa_s_sim"] - got["asa_s_ci"] <= row.asa_target_s


def test_the_teams_need_no_more_agent_hours_than_the_skills_alone(morning_plan):
    totals = morning_plan.teams.totals
    assert totals["agent_hours"] <= totals["alone_agent_hours"]
    assert totals["saving_agent_hours"] == totals["alone_agent_hours"] - totals["agent_hours"]
    team = morning_plan.teams.intervals
    assert (team.loc[team["agents"] > 0, "occupancy"].dropna() <= 1).all()
    # closed hours: nobody
    closed = team["interval_start"].dt.hour < 9
    assert (team.loc[closed, "agents"] == 0).all()


def test_the_same_seed_gives_the_same_staffing(morning_plan):
    again = staffing.plan(morning_plan.config, teams={"replications": 20, "seed": 0})
    np.testing.assert_array_equal(
        again.teams.intervals["agents"], morning_plan.teams.intervals["agents"]
    )

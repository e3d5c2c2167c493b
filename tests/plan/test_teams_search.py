"""The teams staffed by simulation in a plan: small instances of the teams example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import staffing
from staffing.plan.teams_sim import SIMULATION
from staffing.simulation.teams import run_teams
from tests.conftest import per_module

ROOT = Path(__file__).resolve().parents[2]
#: Monday morning only: a few busy hours keep the search fast.
MORNING = {"mon": "09:00-13:00"}


@pytest.fixture(scope=per_module)
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


def test_a_team_holding_every_skill_is_within_one_agent_of_pooled_erlang_c(tmp_path):
    """Four Erlang C skills, equal 300 s handle times, one team: issue 20's known answer."""
    from staffing import queueing
    from staffing.plan import horizon

    skills = [{"id": i, "name": f"S{i}", "open_hours": {"mon": "09:00-12:00"}} for i in range(1, 5)]
    config = {
        "plan": {"name": "pool", "start": "2026-03-02", "weeks": 1, "timezone": "UTC"},
        "nht": {"source": "store"},
        "volume": {"source": "history"},
        "defaults": {
            "method": "erlang_c",
            "service_level": {"target": 0.8, "answer_within_seconds": 20},
            "shrinkage": 0.3,
            "fte_hours_per_week": 40,
            "nht_seconds": 300,
        },
        "skills": skills,
        "teams": [{"name": "All", "skills": [1, 2, 3, 4]}],
    }
    grid = horizon(staffing.load_config(config))
    open_ = (grid.day_of_week == 0) & (grid.hour >= 9) & (grid.hour < 12)
    rows = [
        {"skill_id": i, "interval_start": t.tz_localize(None), "volume": 120.0 if o else 0.0}
        for i in range(1, 5)
        for t, o in zip(grid, open_, strict=True)
    ]
    path = tmp_path / "volume.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    config["volume"] = {"source": "file", "path": str(path)}
    config["nht"] = {"source": "none"}
    result = staffing.plan(config, teams={"replications": 20, "seed": 0})
    got = result.teams.intervals["agents"].to_numpy()[open_]
    # 4 x 120 calls an hour of 300 s = 40 Erlangs: Erlang C, 80 % in 20 s
    want = queueing.required_agents(
        "erlang_c",
        volume=480,
        handle_time_s=300,
        interval_s=3600,
        service_level=0.8,
        answer_within_s=20,
    )
    assert np.abs(got - want).max() <= 1


def test_the_independent_check_only_adds_agents_and_says_how_many(morning_plan):
    """The search's staffing, re-simulated on a sample it never saw (seed + 10007), gains
    agents only where a skill missed a target there (docs/models.md, Teams)."""
    unchecked = staffing.plan(
        morning_plan.config, teams={"replications": 20, "seed": 0, "check": False}
    )
    checked = morning_plan.teams.intervals["agents"].to_numpy()
    searched = unchecked.teams.intervals["agents"].to_numpy()
    assert (checked >= searched).all()
    totals = morning_plan.teams.totals
    assert checked.sum() - searched.sum() == totals["check_added_agent_intervals"]
    assert totals["check_seed"] == 10_007
    assert unchecked.teams.totals["check_seed"] is None
    assert "not checked on an independent sample" in unchecked.teams.totals["method"]

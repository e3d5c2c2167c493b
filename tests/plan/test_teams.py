"""The plan's teams stage: Plan.teams, against the skills staffed alone and the pooled bound."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import staffing
from staffing import queueing
from staffing.plan import horizon
from staffing.plan.teams import ALONE, POOLED, TEAM_COLUMNS, TEAM_SKILL_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
SL = {"target": 0.8, "answer_within_seconds": 20}


def _config(skills, teams) -> dict:
    return {
        "plan": {
            "name": "teams",
            "start": "2026-03-02",
            "weeks": 1,
            "timezone": "UTC",
            "interval_minutes": 30,
        },
        "volume": {"source": "history"},
        "defaults": {
            "method": "erlang_c",
            "service_level": SL,
            "shrinkage": 0.25,
            "fte_hours_per_week": 40,
            "nht_seconds": 300,
        },
        "skills": skills,
        "teams": teams,
    }


def _volume(config: dict, per_skill: dict[int, float], seed: int = 1) -> pd.DataFrame:
    """Random volume per half hour around each skill's mean, naive local times."""
    grid = horizon(
        staffing.load_config(
            {**config, "volume": {"source": "history"}, "nht": {"source": "store"}}
        )
    )
    rng = np.random.default_rng(seed)
    frames = [
        pd.DataFrame(
            {
                "skill_id": sid,
                "interval_start": grid.tz_localize(None),
                "volume": rng.uniform(0.5, 1.5, len(grid)) * mean,
            }
        )
        for sid, mean in per_skill.items()
    ]
    return pd.concat(frames, ignore_index=True)


def _plan(tmp_path: Path, config: dict, volume: pd.DataFrame) -> staffing.Plan:
    """The plan of ``config`` with ``volume`` as its forecast file."""
    path = tmp_path / "volume.csv"
    volume.to_csv(path, index=False)
    config = {**config, "volume": {"source": "file", "path": str(path)}}
    return staffing.plan(config, teams={"search": False})  # the analytic staffing


def test_a_team_of_one_skill_is_the_skill_staffed_alone(tmp_path):
    config = _config(
        [
            {"id": 1, "name": "A", "min_agents": 1},
            {
                "id": 2,
                "name": "B",
                "method": "erlang_a",
                "patience_seconds": 120,
                "max_abandon": 0.05,
            },
        ],
        [{"name": "Solo", "skills": [2], "min_agents": 1}],
    )
    config["defaults"]["min_agents"] = 1
    result = _plan(tmp_path, config, _volume(config, {1: 50.0, 2: 80.0}))
    alone = result.intervals.loc[result.intervals["skill_id"] == 2, "agents"].to_numpy()
    team = result.teams.intervals
    assert list(team.columns) == list(TEAM_COLUMNS)
    np.testing.assert_array_equal(team["agents"].to_numpy(), alone)
    assert result.teams.totals["saving_agent_hours"] == 0
    assert result.teams.totals["pooling_distance_agent_hours"] == 0
    assert result.teams.skills["figures_from"].tolist() == [POOLED]
    # the skill's promised figures are its figures alone (one skill, one queue)
    mine = result.intervals[(result.intervals["skill_id"] == 2) & (result.intervals["volume"] > 0)]
    got = result.teams.skill_intervals.set_index("interval_start")["service_level"]
    np.testing.assert_allclose(got.loc[mine["interval_start"]].to_numpy(), mine["service_level"])


def test_a_team_holding_every_skill_is_pooled_erlang_c_on_the_summed_volume(tmp_path):
    skills = [{"id": i, "name": f"S{i}"} for i in range(1, 5)]
    config = _config(skills, [{"name": "All", "skills": [1, 2, 3, 4]}])
    volume = _volume(config, {i: 60.0 for i in range(1, 5)})
    result = _plan(tmp_path, config, volume)
    summed = volume.groupby("interval_start", sort=True)["volume"].sum().to_numpy()
    # Erlang C on the summed volume, equal 300 s handle times (docs/models.md)
    want = queueing.required_agents(
        "erlang_c",
        volume=summed,
        handle_time_s=300.0,
        interval_s=1800,
        service_level=0.8,
        answer_within_s=20,
    )
    got = result.teams.intervals["agents"].to_numpy()
    assert np.abs(got - want).max() <= 1
    totals = result.teams.totals
    # pooling four 10-Erlang skills saves about 18 % (issue 20: 56 agents apart, 46 together)
    assert 10 < totals["saving_pct"] < 25
    assert totals["agent_hours"] == pytest.approx(totals["pooled_agent_hours"])
    assert result.teams.skills["meets_targets"].all()
    assert (result.teams.skills["service_level"] >= 0.8).all()


def test_skills_in_no_team_are_planned_as_before(tmp_path):
    skills = [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}, {"id": 3, "name": "C"}]
    with_teams = _config(skills, [{"name": "AB", "skills": [1, 2]}])
    without = _config(skills, [])
    volume = _volume(with_teams, {1: 40.0, 2: 30.0, 3: 20.0})
    a = _plan(tmp_path, with_teams, volume)
    b = _plan(tmp_path, without, volume)
    pd.testing.assert_frame_equal(a.intervals, b.intervals)
    assert b.teams is None
    assert set(a.teams.skills["skill_id"]) == {1, 2}
    assert list(a.teams.skills.columns) == list(TEAM_SKILL_COLUMNS)


def test_the_teams_example_saves_agent_hours_and_every_skill_meets_its_targets():
    result = staffing.plan(ROOT / "config" / "example-teams.yaml", teams={"search": False})
    totals, skills = result.teams.totals, result.teams.skills
    assert totals["components"] == 2  # messaging; the two voice teams linked by callback
    assert totals["pooled_agent_hours"] <= totals["agent_hours"] < totals["alone_agent_hours"]
    assert skills["meets_targets"].all()
    shared = skills.set_index("skill_id").loc[3001]
    assert shared["teams"] == "Voice Sales, Voice Service"
    assert shared["figures_from"] == ALONE
    team = result.teams.intervals
    busy = team["agents"] > 0
    assert (team.loc[busy, "occupancy"] <= 1).all()
    np.testing.assert_allclose(team["fte"], team["agents"] / (1 - 0.3))


def test_scenarios_of_a_teams_config_sweep_the_skills_without_the_teams():
    # max_concurrency 2 would disagree with the Messaging team's 3: scenarios plan the
    # skills alone, as their weekly table reports them
    sweep = staffing.scenarios(ROOT / "config" / "example-teams.yaml", max_concurrency=[2, 3])
    assert set(sweep["max_concurrency"]) == {2, 3}
    assert set(sweep["skill_id"]) == {2001, 2002, 1001, 3001, 3002}
    chat = sweep[sweep["skill_id"] == 2001].groupby("max_concurrency")["agent_hours"].sum()
    assert chat[2] > chat[3]  # fewer slots per agent, more agents

"""Shift templates that name a team: one group per team, its requirement the team's staffing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import staffing
from staffing.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
DAY = {"length_hours": 4, "start": {"earliest": "08:00", "latest": "10:00", "step_minutes": 60}}


def _config(shifts) -> dict:
    """The teams example on one Monday morning with ``shifts``."""
    data = yaml.safe_load((ROOT / "config" / "example-teams.yaml").read_text())
    data["nht"]["path"] = str(ROOT / "config" / "data" / "nht_history.csv")
    data["plan"]["weeks"] = 1
    for skill in data["skills"]:
        skill["open_hours"] = {"mon": "09:00-13:00"}
    data["shifts"] = shifts
    return data


@pytest.fixture(scope="module")
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


def test_a_team_schedule_gets_its_skills_service_by_simulation(scheduled):
    _, schedule = scheduled
    served = schedule.coverage[schedule.coverage["required"] > 0]
    assert served["service_level"].notna().all()
    # the schedule puts at least the team's agents on queue in every interval, so its
    # skills keep about the service the staffing promised (80 % targets)
    assert (served["service_level"] > 0.7).all()


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

"""A team's schedule in the schedule's daily and weekly tables and its coverage columns.

Rules (``staffing.shifts.schedule.Schedule``, ``docs/shifts.md`` "Teams"): a team's group
is an optimised group like a skill group, so its daily and weekly ``paid_hours`` are the
paid hours of its shifts starting that day or plan week (NaN only for a group compared
from a given schedule without shifts); its coverage's ``required`` is the team's on-queue
agents as real numbers, like a skill group's, so the coverage CSV writes them alike. The
plan is the teams example over two weeks, open Monday and Wednesday mornings, templates
for Voice Sales. Expected values are summed here from the schedule's own shifts table and
the plan's team staffing.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

import staffing
from tests.shifts.teams_example import DAY, teams_example


@pytest.fixture
def scheduled():
    # function scope: mutation testing credits a fixture's calls to the first test using it
    data = teams_example(2, {"mon": "09:00-13:00", "wed": "09:00-12:00"})
    data["volume"]["growth"] = 0.05
    data["shifts"] = [{"name": "sales", "team": "Voice Sales", **DAY}]
    plan = staffing.plan(data)
    return plan, staffing.schedule(plan)


def test_a_teams_paid_hours_per_day_and_week_are_its_shifts(scheduled):
    """Rule: daily and weekly paid_hours of a team's group = the paid hours of its shifts
    starting that local date / plan week (weeks from the plan's first day), 0 where none
    start, never NaN (the group is optimised)."""
    plan, result = scheduled
    shifts = result.shifts
    assert set(shifts["skill_group"]) == {"Voice Sales"} and len(shifts) >= 4
    start = plan.config.plan.start
    by_day: dict = {}
    by_week: dict = {}
    for day, paid in zip(shifts["date"], shifts["paid_hours"], strict=True):
        by_day[day] = by_day.get(day, 0.0) + paid
        week = start + timedelta(weeks=(day - start).days // 7)
        by_week[week] = by_week.get(week, 0.0) + paid
    daily, weekly = result.daily, result.weekly
    assert (daily["skill_group"] == "Voice Sales").all() and len(daily) == 14
    assert len(weekly) == 2
    for table, key, want in ((daily, "date", by_day), (weekly, "week_start", by_week)):
        got = table["paid_hours"].to_numpy()
        assert not np.isnan(got).any()
        expected = [want.get(k, 0.0) for k in table[key]]
        np.testing.assert_allclose(got, expected, rtol=1e-12)
        assert got.sum() == pytest.approx(float(shifts["paid_hours"].sum()))


def test_a_teams_required_agents_are_real_numbers_like_a_skill_groups(scheduled):
    """Rule: coverage ``required`` is on-queue agents as float64 for every group (the team
    table's whole agents, as reals), so the coverage CSV writes a team's 3 as 3.0, as it
    does a skill group's."""
    plan, result = scheduled
    cov = result.coverage
    teams = plan.teams.intervals
    mine = teams[teams["team"] == "Voice Sales"]
    assert cov["required"].dtype == np.float64
    np.testing.assert_array_equal(cov["required"].to_numpy(), mine["agents"].to_numpy(float))
    assert (cov["required"] > 0).any()

"""A team schedule's coverage and groups row recomputed by hand from the team staffing.

Rule (``staffing.shifts.team_shifts``, ``docs/shifts.md`` "Teams"): a team's group covers
the team's staffing (``Plan.teams.intervals``: ``agents`` required, ``fte`` heads needed);
``scheduled`` = heads × (1 − the team's shrinkage at that hour), the gap is scheduled −
required, ``volume`` is its skills' volume with a skill shared by m teams counted 1/m in
each; without a simulated team staffing there are no service figures, and ``occupancy``
is never given; the team's shifts' paid hours and heads add up in ``groups``. The plan is
the teams example on Monday 09:00-13:00 with the analytic team staffing (no simulation),
so every figure here is read from its own tables and recomputed in the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import staffing
from tests.shifts.teams_example import DAY, teams_example


@pytest.fixture
def scheduled():
    # function scope: mutation testing credits a fixture's calls to the first test using it
    data = teams_example(1, {"mon": "09:00-13:00"})
    # Messaging's shrinkage is 0.5 at 08:00 (a closed hour its forced heads still work)
    data["teams"][0]["shrinkage"] = {"default": 0.3, "by_hour": {8: 0.5}}
    data["shifts"] = [
        {"name": "msg", "team": "Messaging", "min_heads": 1, **DAY},
        {"name": "sales", "team": "Voice Sales", **DAY},
    ]
    plan = staffing.plan(data, teams={"search": False})
    return plan, staffing.schedule(plan)


def test_team_coverage_is_the_team_staffing_and_its_heads_on_queue(scheduled):
    """Rule: required = the team's agents, required heads = its FTE, scheduled = heads ×
    (1 − shrinkage at that local hour), gap = scheduled − required."""
    plan, result = scheduled
    teams = plan.teams.intervals
    assert result.groups["skill_group"].tolist() == ["Messaging", "Voice Sales"]
    for name in ("Messaging", "Voice Sales"):
        part = result.coverage[result.coverage["skill_group"] == name]
        mine = teams[teams["team"] == name]
        np.testing.assert_array_equal(part["required"], mine["agents"])
        np.testing.assert_allclose(part["required_heads"], mine["fte"])
        hour = pd.DatetimeIndex(part["interval_start"]).hour
        shrink = np.where((name == "Messaging") & (hour == 8), 0.5, 0.3)
        np.testing.assert_allclose(part["scheduled"], part["heads"] * (1 - shrink))
        np.testing.assert_allclose(part["gap"], part["scheduled"] - part["required"])
        np.testing.assert_array_equal(part["understaffed"], part["gap"] < -1e-6)
        # heads at 08:00 of a closed day: Messaging's forced head (min_heads 1) works then
        assert part["occupancy"].isna().all()
    msg = result.coverage[result.coverage["skill_group"] == "Messaging"]
    at_eight = msg[pd.DatetimeIndex(msg["interval_start"]).hour == 8]
    assert (at_eight["heads"] >= 1).all()
    np.testing.assert_allclose(at_eight["scheduled"], at_eight["heads"] * 0.5)


def test_team_volume_splits_a_shared_skill_evenly(scheduled):
    """Rule: a team's volume is its skills' volume, a skill shared by m teams counting 1/m."""
    plan, result = scheduled
    iv = plan.intervals

    def volume(skill_id: int) -> np.ndarray:
        return iv.loc[iv["skill_id"] == skill_id, "volume"].to_numpy(float)

    cov = result.coverage
    # Messaging: 2001 and 2002, no other team holds them
    np.testing.assert_allclose(
        cov.loc[cov["skill_group"] == "Messaging", "volume"], volume(2001) + volume(2002)
    )
    # Voice Sales: 1001, and 3001 which Voice Service holds too (half each)
    np.testing.assert_allclose(
        cov.loc[cov["skill_group"] == "Voice Sales", "volume"], volume(1001) + volume(3001) / 2
    )


def test_a_team_without_simulated_staffing_has_no_service_figures(scheduled):
    """Rule: a team's service needs every sharing team simulated together: without a
    simulated staffing its service columns are NaN, and a team has no per-skill rows."""
    _, result = scheduled
    cov = result.coverage
    for key in ("service_level", "asa_s", "p_abandon", "occupancy"):
        assert cov[key].dtype == np.float64 and cov[key].isna().all()
    assert len(result.skill_coverage) == 0


def test_a_teams_groups_row_adds_up_its_shifts_and_coverage(scheduled):
    """Rule: the groups row of a team gives its paid hours and heads (from its shifts), its
    on-queue hours, efficiency and over/under hours (from its coverage)."""
    _, result = scheduled
    for _, group in result.groups.iterrows():
        name = group["skill_group"]
        shifts = result.shifts[result.shifts["skill_group"] == name]
        cov = result.coverage[result.coverage["skill_group"] == name]
        assert group["paid_hours"] == pytest.approx(shifts["paid_hours"].sum())
        assert group["paid_hours"] == pytest.approx(4.0 * shifts["heads"].sum())  # 4-hour
        assert group["shifts"] == shifts["heads"].sum()
        assert group["required_hours"] == pytest.approx(cov["required"].sum())  # 1-hour grid
        assert group["scheduled_hours"] == pytest.approx(cov["scheduled"].sum())
        assert group["efficiency"] == pytest.approx(cov["required"].sum() / cov["scheduled"].sum())
        assert group["over_hours"] == pytest.approx(np.maximum(cov["gap"], 0).sum())
        assert group["under_hours"] == pytest.approx(np.maximum(-cov["gap"], 0).sum())
        assert (group["source"], group["solver_status"], group["mip_gap"]) == (
            "optimised",
            "optimal",
            0.0,
        )
    assert result.groups["skill_ids"].tolist() == ["2001, 2002", "1001, 3001"]
    assert result.groups["templates"].tolist() == ["msg", "sales"]
    # min_heads 1: every Messaging start (08:00, 09:00, 10:00 on 7 days) has a head
    msg = result.shifts[result.shifts["skill_group"] == "Messaging"]
    assert len(msg) == 21 and (msg["heads"] >= 1).all()
    assert result.paid_hours == pytest.approx(result.groups["paid_hours"].sum())
    assert result.uncovered.empty


def test_a_teams_short_intervals_are_listed_with_their_reason():
    """Rule: a team's understaffed intervals are listed in ``uncovered`` with why: no
    template reaches them, or the templates' head limits."""
    data = teams_example(1, {"mon": "09:00-13:00"})
    # Messaging: one 2-hour shift at 09:00, so 11:00-13:00 has no template; Voice Sales:
    # at most 1 head per start, below its staffing
    data["shifts"] = [
        {"name": "msg", "team": "Messaging", "length_hours": 2, "start": "09:00"},
        {"name": "sales", "team": "Voice Sales", "max_heads": 1, **DAY},
    ]
    plan = staffing.plan(data, teams={"search": False})
    result = staffing.schedule(plan)
    short = result.uncovered
    msg = short[short["skill_group"] == "Messaging"]
    assert pd.DatetimeIndex(msg["interval_start"]).hour.tolist() == [11, 12]
    assert set(msg["reason"]) == {"no shift template covers this interval"}
    sales = short[short["skill_group"] == "Voice Sales"]
    assert len(sales) > 0 and set(sales["reason"]) == {"max_heads or min_heads limits"}
    cov = result.coverage
    np.testing.assert_allclose(
        sales["shortfall"],
        sales["required"] - sales["scheduled"],
    )
    assert (cov.loc[cov["understaffed"], "gap"] < -1e-6).all()
    assert result.groups["uncovered_intervals"].tolist() == [2, len(sales)]

"""A team short by a share of one agent is understaffed (staffing.shifts.team_shifts).

Rule (``Schedule.coverage``, ``docs/shifts.md`` "Teams"): ``understaffed`` = the gap
(scheduled − required on-queue agents) below −1e-6, however small the shortfall, and
every understaffed interval is listed in ``uncovered`` with its shortfall and why. The
plan is the teams example on Monday 09:00-13:00 with volume x 0.005 and the analytic team
staffing, so Voice Sales needs 2 agents in each open interval (2.86 heads at work); its
shrinkage is 0.3 and its one template (09:00, 4 h) may have at most 2 heads. By hand: 2
heads at work are 2 x (1 - 0.3) = 1.4 on-queue agents, 0.6 short of the 2 needed, in each
of the 4 intervals.
"""

from __future__ import annotations

import numpy as np
import pytest

import staffing
from tests.shifts.teams_example import teams_example


def test_a_team_short_by_a_share_of_an_agent_is_understaffed():
    data = teams_example(1, {"mon": "09:00-13:00"})
    data["volume"]["growth"] = 0.005
    data["teams"][1]["shrinkage"] = 0.3
    data["shifts"] = [
        {
            "name": "sales",
            "team": "Voice Sales",
            "length_hours": 4,
            "start": "09:00",
            "max_heads": 2,
        }
    ]
    result = staffing.schedule(staffing.plan(data, teams={"search": False}))
    cov = result.coverage
    open_ = cov["required"].to_numpy() > 0
    assert open_.sum() == 4 and (cov.loc[open_, "required"] == 2.0).all()
    assert (cov.loc[open_, "heads"] == 2.0).all()
    np.testing.assert_allclose(cov.loc[open_, "scheduled"], 1.4, rtol=1e-12)
    np.testing.assert_array_equal(cov["understaffed"].to_numpy(), open_)
    short = result.uncovered
    assert len(short) == 4
    np.testing.assert_allclose(short["shortfall"], 0.6, rtol=1e-9)
    assert set(short["reason"]) == {"max_heads or min_heads limits"}
    assert result.groups["uncovered_intervals"].tolist() == [4]
    assert cov.loc[open_, "gap"].to_numpy() == pytest.approx([-0.6] * 4)

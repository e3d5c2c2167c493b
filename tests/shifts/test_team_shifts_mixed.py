"""A team's templates beside a skill's templates (``docs/shifts.md``, "Teams"): a template
without a team may serve a skill no team's templates serve, and then both groups are
scheduled, each as it would be alone."""

from __future__ import annotations

import staffing
from tests.shifts.teams_example import DAY, teams_example

SALES = {"name": "sales", "team": "Voice Sales", **DAY}
CHAT = {"name": "chat", "skills": [2001], **DAY}  # Live Chat Sales, in no template's team


def _schedule(shifts: list[dict]) -> staffing.Schedule:
    data = teams_example(1, {"mon": "09:00-13:00"})
    data["volume"]["growth"] = 0.005
    data["shifts"] = shifts
    return staffing.schedule(staffing.plan(data, teams={"search": False}))


def test_a_teams_group_and_a_skills_group_are_both_scheduled_as_alone():
    both = _schedule([SALES, CHAT])
    team_alone, skill_alone = _schedule([SALES]), _schedule([CHAT])
    assert set(both.coverage["skill_group"]) == {"Voice Sales", "Live Chat Sales"}
    for alone in (team_alone, skill_alone):
        (group,) = set(alone.coverage["skill_group"])
        ours = both.shifts[both.shifts["skill_group"] == group]
        assert ours["paid_hours"].sum() == alone.paid_hours > 0
        mine = both.coverage[both.coverage["skill_group"] == group].reset_index(drop=True)
        assert mine["scheduled"].tolist() == alone.coverage["scheduled"].tolist()
    assert both.paid_hours == team_alone.paid_hours + skill_alone.paid_hours

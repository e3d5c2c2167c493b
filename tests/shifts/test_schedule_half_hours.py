"""A schedule's hours on a 30-minute grid over two weeks with a spring-forward day, by hand.

Rules (``staffing.shifts.schedule``, ``docs/shifts.md``): on-queue agent-hours are agents ×
the interval length in hours (here 0.5 h, so a rule that forgets the length, or divides
by it, is off by a factor 2 or 4); ``groups``, ``daily`` (per local date) and ``weekly``
(per plan week, from ``plan.start``) add up required, scheduled, over- and under-staffed
hours and the paid hours of the shifts starting then; the uncovered intervals carry their
shortfall and reason.

The plan: one ``workload`` skill, NHT 360 s, no occupancy cap, shrinkage 0.5, in
America/New_York from Monday 2026-03-02 for two weeks (Sunday 2026-03-08 springs forward:
46 half hours). Every day 08:00-10:00 and 11:00-12:00 local it has 10 contacts a half hour
(10 × 360 / 1800 = 2 Erlang: 2 agents, 4 heads), 10:00-11:00 5 contacts (1 agent, 2
heads). One template: 3 hours from 08:00, every day, so 4 heads work 08:00-11:00 (2 on
queue) and nobody 11:00-12:00. Per day, by hand (half hours × agents × 0.5 h):
required 4 × 2 + 2 × 1 + 2 × 2 = 14 → 7 h; scheduled 6 × 2 = 12 → 6 h; over 2 × 1 → 1 h;
under 2 × 2 → 2 h; paid 4 heads × 3 h = 12 h.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import staffing

TZ = "America/New_York"
START = dt.date(2026, 3, 2)  # a Monday
DAYS = [START + dt.timedelta(days=d) for d in range(14)]
SHIFT = {"name": "day", "length_hours": 3, "start": "08:00"}


def _grid() -> pd.DatetimeIndex:
    return pd.date_range(
        pd.Timestamp("2026-03-02 00:00", tz=TZ),
        pd.Timestamp("2026-03-16 00:00", tz=TZ),
        freq="30min",
        inclusive="left",
    )


def _plan(open_hours: str | None = None, scale: float = 1.0) -> staffing.Plan:
    cfg = {
        "plan": {
            "name": "half-hours",
            "start": START.isoformat(),
            "weeks": 2,
            "timezone": TZ,
            "interval_minutes": 30,
        },
        "nht": {"source": "store"},  # never read: the skill has nht_seconds
        "volume": {"source": "history"},  # replaced by the volume DataFrame
        "defaults": {"method": "workload", "max_occupancy": 1.0, "fte_hours_per_week": 40},
        "skills": [{"id": 1, "name": "Sales", "nht_seconds": 360, "shrinkage": 0.5}],
        "shifts": [SHIFT],
    }
    if open_hours is not None:
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        cfg["skills"][0]["open_hours"] = dict.fromkeys(days, open_hours)
    grid = _grid()
    hour = grid.hour + grid.minute / 60
    volume = np.where((hour >= 8) & (hour < 12), 10.0, 0.0)
    volume[(hour >= 10) & (hour < 11)] = 5.0
    frame = pd.DataFrame({"skill_id": 1, "interval_start": grid, "volume": volume * scale})
    return staffing.plan(staffing.load_config(cfg), volume=frame)


@pytest.fixture
def planned():
    # function scope: mutation testing credits a fixture's calls to the first test using it
    return _plan()


def test_the_plan_is_the_one_computed_by_hand(planned):
    """The premise: 2 agents at 10 contacts, 1 at 5, none without volume; a 46-half-hour
    spring-forward Sunday."""
    iv = planned.intervals
    assert len(iv) == 14 * 48 - 2
    hour = pd.DatetimeIndex(iv["interval_start"]).hour
    want = np.select([(hour >= 8) & (hour < 10), hour == 10, hour == 11], [2, 1, 2], 0)
    np.testing.assert_array_equal(iv["agents"].to_numpy(), want)


def test_groups_daily_and_weekly_hours_count_half_hours(planned):
    """Rule: hours are agents x 0.5 h per half hour; per day 7 h required, 6 h scheduled,
    1 h over, 2 h under and 12 paid hours; a week is seven days, the group fourteen."""
    result = staffing.schedule(planned)
    group = result.groups.iloc[0]
    assert (group["skill_group"], group["shifts"]) == ("Sales", 14 * 4)
    assert group["paid_hours"] == pytest.approx(14 * 12.0)
    assert result.paid_hours == pytest.approx(14 * 12.0)
    assert group["required_hours"] == pytest.approx(14 * 7.0)
    assert group["scheduled_hours"] == pytest.approx(14 * 6.0)
    assert group["over_hours"] == pytest.approx(14 * 1.0)
    assert group["under_hours"] == pytest.approx(14 * 2.0)
    assert group["efficiency"] == pytest.approx(7.0 / 6.0)
    assert group["uncovered_intervals"] == 14 * 2

    daily = result.daily
    assert daily["date"].tolist() == DAYS
    assert (daily["skill_group"] == "Sales").all()
    for key, per_day in (
        ("required_hours", 7.0),
        ("scheduled_hours", 6.0),
        ("over_hours", 1.0),
        ("under_hours", 2.0),
        ("paid_hours", 12.0),
    ):
        np.testing.assert_allclose(daily[key].to_numpy(), per_day, err_msg=key)

    weekly = result.weekly
    assert weekly["week_start"].tolist() == [START, START + dt.timedelta(days=7)]
    for key, per_day in (
        ("required_hours", 7.0),
        ("scheduled_hours", 6.0),
        ("over_hours", 1.0),
        ("under_hours", 2.0),
        ("paid_hours", 12.0),
    ):
        np.testing.assert_allclose(weekly[key].to_numpy(), 7 * per_day, err_msg=key)


def test_the_uncovered_half_hours_are_listed_with_their_shortfall(planned):
    """Rule: the half hours 11:00 and 11:30, which no template reaches, are uncovered by
    2 agents each day (4 heads needed, none at work)."""
    result = staffing.schedule(planned)
    short = result.uncovered
    start = pd.DatetimeIndex(short["interval_start"])
    assert len(short) == 28
    assert sorted(set(zip(start.hour, start.minute, strict=True))) == [(11, 0), (11, 30)]
    assert sorted(set(start.date)) == DAYS
    np.testing.assert_allclose(short["shortfall"].to_numpy(), 2.0)
    np.testing.assert_allclose(short["required_heads"].to_numpy(), 4.0)
    np.testing.assert_allclose(short["heads"].to_numpy(), 0.0)
    assert set(short["reason"]) == {"no shift template covers this interval"}


def test_a_given_schedule_on_half_hours_is_summed_the_same_way(planned):
    """Rule: a given schedule of 3 on-queue agents 08:00-12:00 is compared half hour by
    half hour: over 1 + 1 + 1 + 1 + 2 + 2 + 1 + 1 = 10 agent-half-hours a day (5 h), never
    under; the optimised shifts' paid hours stay in the daily table."""
    grid = _grid()
    hour = grid.hour + grid.minute / 60
    on = (hour >= 8) & (hour < 12)
    frame = pd.DataFrame({"skill_id": 1, "interval_start": grid[on], "scheduled": 3.0})
    result = staffing.schedule(planned, scheduled=frame)
    group = result.groups.iloc[0]
    assert group["source"] == "DataFrame"
    assert group["scheduled_hours"] == pytest.approx(14 * 8 * 3 * 0.5)
    assert group["over_hours"] == pytest.approx(14 * 5.0)
    assert group["under_hours"] == 0.0
    assert group["efficiency"] == pytest.approx(7.0 / 12.0)
    np.testing.assert_allclose(result.daily["over_hours"].to_numpy(), 5.0)
    np.testing.assert_allclose(result.daily["scheduled_hours"].to_numpy(), 12.0)
    np.testing.assert_allclose(result.daily["paid_hours"].to_numpy(), 12.0)
    np.testing.assert_allclose(result.weekly["over_hours"].to_numpy(), 35.0)
    assert result.uncovered.empty


def test_service_is_judged_in_the_open_half_hours_only():
    """Rule: the achieved service is evaluated where the skill is open and has volume, and
    is NaN elsewhere: open 08:00-11:30, the half hour from 11:30 is closed although its
    volume is there (7 open half hours a day with volume: 08:00 to 11:00)."""
    result = staffing.schedule(_plan(open_hours="08:00-11:30"))
    cov = result.coverage
    start = pd.DatetimeIndex(cov["interval_start"])
    minute = start.hour * 60 + start.minute
    open_ = (minute >= 8 * 60) & (minute < 11 * 60 + 30)
    assert open_.sum() == 14 * 7
    assert cov.loc[open_, "service_level"].notna().all()
    assert cov.loc[~open_, "service_level"].isna().all()
    assert cov.loc[~open_, "asa_s"].isna().all() and cov.loc[~open_, "p_abandon"].isna().all()
    at_1130 = (start.hour == 11) & (start.minute == 30)
    assert (cov.loc[at_1130, "volume"] == 10.0).all()


def test_a_groups_service_under_one_contact_is_its_skills_own():
    """Rule: a group's service level and abandonment are its skills' weighted by volume,
    ASA by answered volume, occupancy by whole agents, wherever any weight is positive,
    however small, and NaN where none is: with one skill and 0.5 or 0.25 contacts a half
    hour (volume x 0.05), each group figure is that skill's own (``skill_coverage``)."""
    result = staffing.schedule(_plan(scale=0.05))
    cov = result.coverage
    own = result.skill_coverage
    assert len(own) == len(cov)
    served = cov["volume"].to_numpy() > 0
    assert served.sum() == 14 * 8 and (cov.loc[served, "volume"] <= 0.5).all()
    for key in ("service_level", "asa_s", "p_abandon"):
        got, want = cov[key].to_numpy(), own[key].to_numpy()
        assert not np.isnan(want[served]).any(), key  # inf ASA where nobody is on queue
        np.testing.assert_allclose(got[served], want[served], rtol=1e-12, err_msg=key)
        assert np.isnan(got[~served]).all(), key
    # occupancy is weighted by whole agents: the skill's own where it has one, else NaN
    staffed = served & (own["evaluated_agents"].to_numpy() > 0)
    assert staffed.sum() == 14 * 6  # 11:00 and 11:30 have nobody on queue
    got = cov["occupancy"].to_numpy()
    np.testing.assert_allclose(got[staffed], own["occupancy"].to_numpy()[staffed], rtol=1e-12)
    assert np.isnan(got[~staffed]).all()

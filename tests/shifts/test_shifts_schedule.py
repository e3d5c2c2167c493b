"""staffing.schedule: from a plan's requirement to shifts, and a given schedule's gaps.

The plans here use ``workload`` skills with NHT 360 s and no occupancy cap, so a volume of
10 contacts per hour (pro rata per interval) is exactly 1 Erlang: 1 agent, by hand
(⌈10 × 360 / 3600⌉ = 1). With shrinkage 0.5 that is 2 heads (fte = 1 / (1 - 0.5)); with
shrinkage 0, 1 head. Every expected number below is derived from that in its comment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import staffing
from staffing import queueing
from staffing.errors import ConfigError, DataError
from tests.shifts.workload_plans import MON, workload_config


def _plan(cfg: dict, one_agent) -> staffing.Plan:
    """Plan with 1 Erlang (one agent) wherever ``one_agent(local_times)`` is True, else 0."""
    config = staffing.load_config(cfg)
    tz, minutes = cfg["plan"]["timezone"], cfg["plan"]["interval_minutes"]
    first_day = pd.Timestamp(cfg["plan"]["start"])
    grid = pd.date_range(
        first_day.tz_localize(tz),
        (first_day + pd.Timedelta(weeks=cfg["plan"]["weeks"])).tz_localize(tz),
        freq=f"{minutes}min",
        inclusive="left",
    )  # local days, DST-aware
    frames = []
    for skill in config.skills:
        volume = np.where(one_agent(grid), 10.0 * minutes / 60.0, 0.0)
        frames.append(
            pd.DataFrame({"skill_id": skill.id, "interval_start": grid, "volume": volume})
        )
    return staffing.plan(config, volume=pd.concat(frames, ignore_index=True))


def _weekday_day(times: pd.DatetimeIndex) -> np.ndarray:
    # Monday to Friday, 08:00-16:00 local
    return (np.asarray(times.day_of_week) < 5) & (times.hour >= 8) & (times.hour < 16)


DAY_SHIFT = {
    "name": "day",
    "length_hours": 8,
    "start": "08:00",
    "days": ["mon", "tue", "wed", "thu", "fri"],
}


@pytest.mark.parametrize("minutes", [15, 30, 60])
def test_day_shifts_meet_the_lower_bound_at_every_interval_length(minutes):
    # 1 agent = 2 heads Mon-Fri 08-16: 2 heads × 8 h × 5 days = 80 head-hours, a lower bound
    # on paid hours (a paid hour covers at most one head-hour); 2 day shifts a day reach it.
    plan = _plan(workload_config([DAY_SHIFT], minutes=minutes), _weekday_day)
    result = staffing.schedule(plan)
    assert result.paid_hours == 80.0 and result.mip_gap == 0.0
    assert result.shifts["heads"].tolist() == [2] * 5
    assert result.shifts["day"].tolist() == ["mon", "tue", "wed", "thu", "fri"]
    assert list(result.shifts.columns[:6]) == [
        "skill_group",
        "shift",
        "date",
        "day",
        "start",
        "end",
    ]
    assert result.uncovered.empty
    day = result.coverage[_weekday_day(pd.DatetimeIndex(result.coverage["interval_start"]))]
    # 2 heads at work × (1 - 0.5) = 1 agent on queue, exactly the requirement
    np.testing.assert_allclose(day["scheduled"], 1.0)
    np.testing.assert_allclose(day["gap"], 0.0)
    np.testing.assert_allclose(day["required_heads"], 2.0)
    # the achieved service is the plan's own for the same 1 agent (same engine, same inputs)
    iv = plan.intervals
    np.testing.assert_allclose(
        day["service_level"].to_numpy(),
        iv.loc[_weekday_day(pd.DatetimeIndex(iv["interval_start"])), "service_level"].to_numpy(),
    )
    # 40 required agent-hours, 80 paid hours × 0.5 on queue = 40: efficiency 1
    group = result.groups.iloc[0]
    assert group["required_hours"] == pytest.approx(40.0)
    assert group["efficiency"] == pytest.approx(1.0)
    assert result.weekly["paid_hours"].tolist() == [80.0]
    assert result.weekly["under_hours"].tolist() == [0.0]


def test_a_repeating_week_is_solved_once():
    # Two identical weeks whose weekdays are all alike: the ten weekday blocks are equal, so
    # one is solved and nine reuse it; paid hours double (2 × 80 h, the lower bound above).
    result = staffing.schedule(_plan(workload_config([DAY_SHIFT], weeks=2), _weekday_day))
    assert result.paid_hours == 160.0
    assert result.groups[["blocks", "reused_blocks"]].iloc[0].tolist() == [1, 9]
    assert result.weekly["paid_hours"].tolist() == [80.0, 80.0]


def test_break_window_decides_between_one_and_two_heads():
    # shrinkage 0: 1 agent = 1 head, Monday 08:00-16:00 (16 half-hours). An 8.5-hour shift
    # with a 30-minute unpaid break (8 paid hours) may start 07:30 or 08:00.
    def monday(times):
        return (np.asarray(times.day_of_week) == 0) & (times.hour >= 8) & (times.hour < 16)

    early = {
        "name": "long",
        "length_hours": 8.5,
        "days": ["mon"],
        "start": {"earliest": "07:30", "latest": "08:00", "step_minutes": 30},
        "break": {"length_minutes": 30, "earliest_after_hours": 0, "latest_after_hours": 5},
    }
    # break allowed at the start: one head from 07:30 with its break 07:30-08:00 covers
    # 08:00-16:00 alone: 8 paid hours (= the 8 required head-hours, the lower bound)
    result = staffing.schedule(_plan(workload_config([early], minutes=30, shrinkage=0), monday))
    assert result.paid_hours == 8.0
    row = result.shifts.iloc[0]
    assert (
        row["heads"],
        row["start"].strftime("%H:%M"),
        row["break_start"].strftime("%H:%M"),
        row["end"].strftime("%H:%M"),
    ) == (1, "07:30", "07:30", "16:00")
    # break 3-5 h after the start: it always falls inside 08:00-16:00, so one head leaves a
    # half-hour uncovered and two heads (16 paid hours) with different breaks are needed
    late = {
        **early,
        "break": {"length_minutes": 30, "earliest_after_hours": 3, "latest_after_hours": 5},
    }
    result = staffing.schedule(_plan(workload_config([late], minutes=30, shrinkage=0), monday))
    assert result.paid_hours == 16.0 and result.uncovered.empty
    assert result.shifts["break_start"].nunique() == 2


def test_night_shift_crosses_midnight_and_wraps_the_week():
    # shrinkage 0: 1 head 22:00-06:00 every night; an 8-hour shift starting 22:00 every day.
    # 7 nights × 8 h = 56 head-hours: the lower bound, met by one shift a night.
    def nights(times):
        return (times.hour >= 22) | (times.hour < 6)

    night = {"name": "night", "length_hours": 8, "start": "22:00"}
    plan = _plan(workload_config([night], shrinkage=0), nights)
    wrapped = staffing.schedule(plan)
    assert wrapped.paid_hours == 56.0 and wrapped.uncovered.empty  # Sunday's covers Monday
    # without wrapping, Monday 00:00-06:00 has no shift (no start before the horizon):
    # 6 hours uncovered, listed with their reason; still 56 h (Sunday 22-24 needs its shift)
    linear = staffing.schedule(plan, wrap=False)
    assert linear.paid_hours == 56.0
    assert len(linear.uncovered) == 6
    assert linear.uncovered["interval_start"].iloc[0] == pd.Timestamp(f"{MON} 00:00", tz="UTC")
    assert set(linear.uncovered["reason"]) == {"no shift template covers this interval"}


def test_max_heads_leaves_the_rest_uncovered_and_lists_it():
    # shrinkage 0: 3 agents = 3 heads Monday 08-16, but at most 2 heads may start at 08:00.
    # Best: 2 heads (16 paid hours), 1 agent short in each of the 8 hours: 8 under-hours.
    def monday(times):
        return (np.asarray(times.day_of_week) == 0) & (times.hour >= 8) & (times.hour < 16)

    cfg = workload_config(
        [{**DAY_SHIFT, "days": ["mon"], "max_heads": 2}],
        shrinkage=0,
        skills=[{"id": 1, "name": "W", "nht_seconds": 360 * 3}],
    )
    result = staffing.schedule(_plan(cfg, monday))
    assert result.paid_hours == 16.0 and result.mip_gap == 0.0
    assert len(result.uncovered) == 8
    np.testing.assert_allclose(result.uncovered["shortfall"], 1.0)
    assert set(result.uncovered["reason"]) == {"max_heads or min_heads limits"}
    assert result.daily["under_hours"].iloc[0] == pytest.approx(8.0)
    assert result.groups["uncovered_intervals"].iloc[0] == 8


def test_dst_week_has_167_hours_and_shifts_last_elapsed_hours():
    # America/New_York springs forward on Sunday 2026-03-08 at 02:00: the week has 167
    # hourly intervals. 1 head around the clock (shrinkage 0), 8-hour shifts at 00:00,
    # 08:00 and 16:00 every day. Each start is the only one covering 01:00, 12:00 and
    # 20:00 of its day, so all 21 are needed: 168 paid hours for 167 required head-hours.
    every = {
        "name": "third",
        "length_hours": 8,
        "start": {"earliest": "00:00", "latest": "16:00", "step_minutes": 480},
    }
    plan = _plan(
        workload_config([every], tz="America/New_York", shrinkage=0), lambda t: t.hour >= 0
    )
    assert len(plan.intervals) == 167
    result = staffing.schedule(plan)
    assert result.paid_hours == 168.0 and result.uncovered.empty
    assert result.groups["efficiency"].iloc[0] == pytest.approx(167 / 168)
    sunday = result.shifts[result.shifts["date"] == pd.Timestamp("2026-03-08").date()]
    first = sunday.iloc[0]
    # 8 elapsed hours from 00:00 EST end at 09:00 EDT
    assert first["end"].isoformat() == "2026-03-08T09:00:00-04:00"


def test_a_start_in_the_spring_gap_is_skipped_and_an_autumn_start_is_the_first_one():
    # 02:30 does not exist on 2026-03-08 in New York: no shift can start then, so the
    # requirement at 03:00 EDT that only it could cover is listed as uncovered.
    def three_am_sunday(times):
        return (np.asarray(times.day_of_week) == 6) & (times.hour == 3)

    gap = {"name": "gap", "length_hours": 2, "start": "02:30", "days": ["sun"]}
    spring = staffing.schedule(
        _plan(
            workload_config([gap], tz="America/New_York", minutes=30, shrinkage=0), three_am_sunday
        )
    )
    assert spring.shifts.empty and len(spring.uncovered) == 2  # 03:00 and 03:30

    # 01:30 happens twice on 2026-11-01: the shift starts at the first (EDT, UTC-4)
    def first_half_past_one(times):
        return times == pd.Timestamp("2026-11-01T01:30:00-04:00")

    autumn = {"name": "autumn", "length_hours": 0.5, "start": "01:30", "days": ["sun"]}
    result = staffing.schedule(
        _plan(
            workload_config(
                [autumn], tz="America/New_York", minutes=30, shrinkage=0, start="2026-10-26"
            ),
            first_half_past_one,
        )
    )
    assert result.uncovered.empty
    assert result.shifts["start"].iloc[0].isoformat() == "2026-11-01T01:30:00-04:00"


def test_a_skill_group_adds_up_its_skills_requirements():
    # Two skills of 1 agent each (2 heads each at shrinkage 0.5) served by one template:
    # the group needs 4 heads, 2 on queue; 4 day shifts a day, 4 × 8 h × 5 = 160 paid hours.
    skills = [
        {"id": 1, "name": "A", "nht_seconds": 360},
        {"id": 2, "name": "B", "nht_seconds": 360},
    ]
    cfg = workload_config([{**DAY_SHIFT, "skills": [1, 2]}], skills=skills)
    result = staffing.schedule(_plan(cfg, _weekday_day))
    assert result.paid_hours == 160.0
    assert result.groups["skill_group"].tolist() == ["A + B"]
    day = result.coverage[_weekday_day(pd.DatetimeIndex(result.coverage["interval_start"]))]
    np.testing.assert_allclose(
        day[["required", "required_heads", "heads", "scheduled"]],
        np.tile([2.0, 4.0, 4.0, 2.0], (len(day), 1)),
    )
    # each skill gets the heads of its own share: 2 heads, 1 agent on queue
    per_skill = result.skill_coverage
    busy = per_skill[_weekday_day(pd.DatetimeIndex(per_skill["interval_start"]))]
    assert set(busy["evaluated_agents"]) == {1}


def test_a_given_schedule_is_compared_with_the_requirement(tmp_path):
    # Monday 08-12 needs 1 agent an hour. The file schedules 2, 1, 0 agents at 08, 09, 10
    # and nothing at 11 (absent = 0): gaps +1, 0, -1, -1; over 1 h, under 2 h.
    def monday_morning(times):
        return (np.asarray(times.day_of_week) == 0) & (times.hour >= 8) & (times.hour < 12)

    roster = tmp_path / "roster.csv"
    roster.write_text(
        "skill_id,interval_start,scheduled\n"
        "1,2026-03-02 08:00,2\n1,2026-03-02 09:00,1\n1,2026-03-02 10:00,0\n"
    )
    cfg = workload_config(scheduled=str(roster))
    result = staffing.schedule(_plan(cfg, monday_morning))
    rows = result.coverage.set_index("interval_start").loc[
        pd.date_range(f"{MON} 08:00", periods=4, freq="h", tz="UTC")
    ]
    np.testing.assert_allclose(rows["gap"], [1, 0, -1, -1])
    assert result.daily["over_hours"].iloc[0] == pytest.approx(1.0)
    assert result.daily["under_hours"].iloc[0] == pytest.approx(2.0)
    assert len(result.uncovered) == 2 and np.isnan(result.paid_hours)
    # achieved service of 2 agents for 1 Erlang, straight from the engine (Erlang C; the
    # workload method has no queue of its own)
    expected = queueing.evaluate(
        "erlang_c", 2, volume=10.0, handle_time_s=360.0, interval_s=3600.0, answer_within_s=0.0
    )
    assert rows["service_level"].iloc[0] == pytest.approx(float(expected.service_level))
    # 0 agents for 1 Erlang is unstable: nobody is answered in time, ASA infinite
    assert rows["service_level"].iloc[2] == 0.0 and np.isinf(rows["asa_s"].iloc[2])


def test_a_schedule_dataframe_with_offsets_and_the_optimised_column():
    def monday_morning(times):
        return (np.asarray(times.day_of_week) == 0) & (times.hour == 8)

    cfg = workload_config([{**DAY_SHIFT, "days": ["mon"]}], shrinkage=0)
    frame = pd.DataFrame(
        {"skill_id": [1], "interval_start": ["2026-03-02T09:00:00+01:00"], "scheduled": [3.0]}
    )  # 08:00 UTC
    result = staffing.schedule(_plan(cfg, monday_morning), scheduled=frame)
    row = result.coverage.set_index("interval_start").loc[pd.Timestamp(f"{MON} 08:00", tz="UTC")]
    # the frame's 3 agents against 1 required; the optimiser's single day shift gives 1
    assert (row["scheduled"], row["gap"], row["optimised"]) == (3.0, 2.0, 1.0)
    assert result.paid_hours == 8.0


def test_unusable_schedules_name_the_file_skill_and_time(tmp_path):
    plan = _plan(workload_config(), _weekday_day)
    bad = pd.DataFrame(
        {"skill_id": [1], "interval_start": ["2026-03-02 08:30"], "scheduled": [1.0]}
    )
    with pytest.raises(
        DataError,
        match="skill 1 at 2026-03-02T08:30:00\\+00:00 is not on the plan's 60-minute interval grid",
    ):
        staffing.schedule(plan, scheduled=bad)
    with pytest.raises(DataError, match="skill 9 is not in the config"):
        staffing.schedule(plan, scheduled=bad.assign(skill_id=9, interval_start="2026-03-02"))
    with pytest.raises(DataError, match=r"scheduled is negative in row 2: -1 for skill 1"):
        staffing.schedule(plan, scheduled=bad.assign(scheduled=-1.0))
    with pytest.raises(DataError, match="missing column"):
        staffing.schedule(plan, scheduled=bad.drop(columns="scheduled"))
    # nothing to optimise and nothing to compare
    with pytest.raises(ConfigError, match="nothing to schedule"):
        staffing.schedule(plan)

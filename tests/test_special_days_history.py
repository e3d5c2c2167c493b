"""Special days in the history: hours left out, closed hours filled with zeros, holidays
found (issue 23: the rules behind the profiles staffing.special_days feeds).

Small direct inputs to the public functions of :mod:`staffing.special_days`; every expected
row is worked out in the test from the inputs and the zone's UTC offset (Asia/Tokyo is
UTC+9 all year; America/New_York is UTC-5 in early March 2026, before its 8 March change).
"""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import pandas as pd
import pytest

from staffing.config import OpenHours
from staffing.special_days import fill_closed, find_holidays, leave_out_special_days


def _hours(**days: str) -> OpenHours:
    return OpenHours.model_validate({day: [text] for day, text in days.items()})


# ---------------------------------------------------------------------------------------
# leave_out_special_days
# ---------------------------------------------------------------------------------------


def _hourly(skill_id: int, first: str, hours: int) -> pd.DataFrame:
    times = pd.date_range(first, periods=hours, freq="h", tz="UTC")
    return pd.DataFrame(
        {
            "skill_id": skill_id,
            "interval_start": times,
            "arrivals": 10.0,
            "handled_segments": 9.0,
            "net_handle_time_s": 300.0,
            "interval_minutes": 60,
        }
    )


def test_a_special_local_date_has_no_data_in_any_measured_column():
    """A special day is a local date: in New York (UTC-5) 10 March runs 05:00 UTC on the 10th
    to 05:00 UTC on the 11th; its hours of that skill lose arrivals, handled segments and
    handle time (NaN, rows kept), the other skill's hours and other columns stay."""
    history = pd.concat([_hourly(1, "2026-03-10 00:00", 30), _hourly(2, "2026-03-10 00:00", 30)])
    history = history.reset_index(drop=True)
    table = pd.DataFrame({"skill_id": [1], "date": [date(2026, 3, 10)]})
    out, dates = leave_out_special_days(history, table, timezone="America/New_York")
    assert dates == ["2026-03-10"]
    assert len(out) == len(history)
    local = out["interval_start"].dt.tz_convert("America/New_York")
    hit = (out["skill_id"] == 1) & (local.dt.day == 10)
    assert hit.sum() == 24  # 05:00 .. 28:00 UTC of the 30 hours from the 10th 00:00
    measured = ["arrivals", "handled_segments", "net_handle_time_s"]
    assert out.loc[hit, measured].isna().all().all()
    assert (out.loc[~hit, measured] == history.loc[~hit, measured]).all().all()
    assert (out["interval_minutes"] == 60).all()


def test_no_special_day_leaves_the_history_as_it_is():
    history = _hourly(1, "2026-03-10 00:00", 5)
    empty = pd.DataFrame({"skill_id": pd.Series([], dtype="int64"), "date": []})
    out, dates = leave_out_special_days(history, empty, timezone="UTC")
    assert out is history and dates == []


# ---------------------------------------------------------------------------------------
# fill_closed
# ---------------------------------------------------------------------------------------

#: Monday 2 March 2026, local midnight in Tokyo (UTC+9) = 1 March 15:00 UTC.
TOKYO_DAY = pd.Timestamp("2026-03-01 15:00", tz="UTC")


def _tokyo_history() -> pd.DataFrame:
    """Skill 1 has rows at local 03:00 (closed, 2 arrivals), 10:00 (5) and 12:00 (no data);
    skill 2 at local 00:00 (1)."""
    local = pd.to_datetime(["2026-03-02 03:00", "2026-03-02 10:00", "2026-03-02 12:00"])
    starts = local.tz_localize("Asia/Tokyo").tz_convert("UTC").as_unit("ns")
    return pd.DataFrame(
        {
            "skill_id": np.array([1, 1, 1, 2], dtype=np.int64),
            "interval_start": starts.append(pd.DatetimeIndex([TOKYO_DAY]).as_unit("ns")),
            "interval_minutes": 30,
            "arrivals": [2.0, 5.0, np.nan, 1.0],
        }
    )


def _fill(history: pd.DataFrame, open_hours: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    return fill_closed(
        history,
        open_hours,
        timezone="Asia/Tokyo",
        minutes=30,
        start=TOKYO_DAY,
        end=TOKYO_DAY + pd.Timedelta(days=1),
    )


def test_absent_closed_half_hours_become_zero_and_open_ones_stay_absent():
    """The rule of fill_closed: in [start, end), from each skill's first row, a half-hour
    without a row is a zero when its skill is closed then (local time: Monday 09:00-17:00
    open) and is listed with its local date when open; rows already there stay as they are
    (the closed 03:00 keeps its 2, the open 12:00 its "no data"). A skill with no row (3)
    is skipped; a skill without opening hours (2) is always open."""
    history = _tokyo_history()
    filled, absent = _fill(
        history, {3: _hours(mon="09:00-17:00"), 1: _hours(mon="09:00-17:00"), 2: None}
    )
    day = pd.date_range(TOKYO_DAY, periods=48, freq="30min").as_unit("ns")
    clock = day.tz_convert("Asia/Tokyo")
    is_open = (clock.hour >= 9) & (clock.hour < 17)  # 09:00 .. 16:30 local
    present_1 = set(history.loc[history["skill_id"] == 1, "interval_start"])
    absent_1 = [(t, o) for t, o in zip(day, is_open, strict=True) if t not in present_1]
    zeros = [t for t, o in absent_1 if not o and t > min(present_1)]  # from its first row
    gaps_1 = [t for t, o in absent_1 if o]
    gaps_2 = list(day[1:])  # skill 2's first row is the first half-hour
    # skill 1 from local 03:00: closed 03:30 .. 08:30 (11) and 17:00 .. 23:30 (14);
    # open 09:00 .. 16:30 (16) less 10:00 and 12:00
    assert len(zeros) == 11 + 14 and len(gaps_1) == 16 - 2

    assert list(filled.columns) == ["skill_id", "interval_start", "interval_minutes", "arrivals"]
    assert filled.index.tolist() == list(range(len(history) + len(zeros)))
    assert filled["skill_id"].dtype == np.int64
    one = filled[filled["skill_id"] == 1]
    assert one["interval_start"].tolist() == sorted(present_1 | set(zeros))
    added = one[one["interval_start"].isin(zeros)]
    assert (added["arrivals"] == 0.0).all() and (added["interval_minutes"] == 30).all()
    kept = one.set_index("interval_start")["arrivals"]
    assert kept[history["interval_start"][0]] == 2.0 and np.isnan(
        kept[history["interval_start"][2]]
    )
    assert filled.loc[filled["skill_id"] == 2, "arrivals"].tolist() == [1.0]

    assert list(absent.columns) == ["skill_id", "interval_start", "date"]
    assert absent.index.tolist() == list(range(len(gaps_1) + len(gaps_2)))
    assert absent["skill_id"].tolist() == [1] * len(gaps_1) + [2] * len(gaps_2)
    assert absent["interval_start"].tolist() == gaps_1 + gaps_2
    # local dates: all of them Monday 2 March in Tokyo, though UTC says 1 March until 15:00
    assert set(absent["date"]) == {"2026-03-02"}


def test_a_skill_whose_history_starts_late_is_completed_from_its_first_row():
    """Each skill from its first row on: skill 1's first row is local 03:00, so 00:00-02:30
    get no zeros; the end of the span is left out (``[start, end)``)."""
    history = _tokyo_history()
    filled, _ = _fill(history, {1: _hours(mon="09:00-17:00")})
    one = filled[filled["skill_id"] == 1]
    assert one["interval_start"].min() == history["interval_start"][0]
    assert one["interval_start"].max() == TOKYO_DAY + pd.Timedelta(hours=23, minutes=30)
    # closed 03:00 .. 08:30 (12 half-hours, 03:00 there already) and 17:00 .. 23:30 (14)
    assert (one["arrivals"] == 0.0).sum() == 11 + 14


def test_nothing_absent_gives_an_empty_list_with_its_columns():
    """No skill with rows to complete: the history comes back and the absent list is empty
    with its three columns."""
    history = _tokyo_history()
    filled, absent = _fill(history, {5: None})
    pd.testing.assert_frame_equal(
        filled, history.sort_values(["skill_id", "interval_start"], ignore_index=True)
    )
    assert len(absent) == 0
    assert list(absent.columns) == ["skill_id", "interval_start", "date"]


# ---------------------------------------------------------------------------------------
# find_holidays
# ---------------------------------------------------------------------------------------


def _daily(pattern: str, skill_id: int = 1, first: str = "2026-03-02", hour: int = 12):
    """One row a day at ``hour`` UTC from ``first``: B = 10 arrivals, 1 = one arrival,
    . = zero, n = no data (NaN), _ = no row at all."""
    value = {"B": 10.0, "1": 1.0, ".": 0.0, "n": np.nan}
    days = pd.date_range(first, periods=len(pattern), freq="D", tz="UTC") + pd.Timedelta(hours=hour)
    keep = [c != "_" for c in pattern]
    return pd.DataFrame(
        {
            "skill_id": np.int64(skill_id),
            "interval_start": days[keep],
            "arrivals": [value[c] for c in pattern if c != "_"],
        }
    )


def _holidays(history, open_hours=None, *, timezone="UTC", declared=()):
    """find_holidays, failing on any warning (a planner would read it as a fault)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = find_holidays(
            history, open_hours or {1: None}, timezone=timezone, declared=declared
        )
    assert list(found.columns) == ["skill_id", "date"]
    return [(int(s), d) for s, d in found.itertuples(index=False)]


def _on(*offsets: int, skill_id: int = 1, first: date = date(2026, 3, 2)):
    return [(skill_id, date.fromordinal(first.toordinal() + k)) for k in offsets]


@pytest.mark.parametrize(
    ("pattern", "holidays"),
    [
        ("BB.BB", [2]),  # an open day without volume between days with volume
        ("B.B.B", [1, 3]),  # two runs, both kept
        ("B.B", [1]),  # the run right after the first day
        ("B...B", [1, 2, 3]),  # HOLIDAY_RUN_DAYS = 3 days in a row: still holidays
        ("B....B", []),  # four: a closure, not holidays
        (".BB", []),  # the first day of the history is never a holiday
        ("..BB", []),
        ("BB.", []),  # nor the last
        ("B.1", [1]),  # one arrival makes a day with volume
        ("BnB", [1]),  # "no data" all day counts as no volume
        ("B_B", [1]),  # so does a day without rows
    ],
)
def test_holidays_are_short_runs_of_empty_open_days_between_busy_ones(pattern, holidays):
    """find_holidays' rule: per skill, open days whose arrivals are zero or absent all day,
    in a run of at most 3 that open days with arrivals close on both sides."""
    assert _holidays(_daily(pattern)) == _on(*holidays)


def test_holidays_are_found_per_skill_and_sorted_by_skill():
    history = pd.concat([_daily("B.BB", 2), _daily("BB.B", 1)], ignore_index=True)
    found = _holidays(history, {3: None, 2: None, 1: None})
    assert found == _on(1, skill_id=2) + _on(2, skill_id=1)


def test_closed_weekdays_are_neither_holidays_nor_breaks_in_a_run():
    """A weekday closed all day (Sunday here; Monday-Saturday 09:00-17:00) is skipped:
    Saturday without volume between Friday and Monday with volume is a holiday, and the
    empty Sunday is not one."""
    #            Mon 2 .. Sun 8, Mon 9
    history = _daily("BBBBB..B")
    week = dict.fromkeys(["mon", "tue", "wed", "thu", "fri", "sat"], "09:00-17:00")
    assert _holidays(history, {1: _hours(**week)}) == _on(5)


def test_a_weekday_open_only_late_at_night_is_open():
    """A weekday is open when any of its minutes is: Saturday open 23:00-24:00 only."""
    week = dict.fromkeys(["mon", "tue", "wed", "thu", "fri"], "09:00-17:00")
    history = _daily("BBBBB..B")
    assert _holidays(history, {1: _hours(**week, sat="23:00-24:00")}) == _on(5)
    assert _holidays(history, {1: _hours(**week)}) == []  # Saturday closed: nothing found


def test_a_declared_special_day_decides_and_is_not_found():
    """A ``special_days`` entry's date is never found, and is not part of a run either:
    Tuesday declared, Wednesday empty between Tuesday's and Thursday's... only Wednesday."""
    history = _daily("B..B")
    assert _holidays(history, declared=[(1, date(2026, 3, 3))]) == _on(2)
    assert _holidays(history, declared=[(2, date(2026, 3, 3))]) == _on(1, 2)


def test_holidays_are_local_dates():
    """Days are local: rows at 02:00 UTC are the evening before in New York (UTC-5), so a
    row on 5 March UTC is Wednesday 4 March's."""
    history = _daily("BB.BB", first="2026-03-03", hour=2)
    assert _holidays(history, timezone="America/New_York") == [(1, date(2026, 3, 4))]

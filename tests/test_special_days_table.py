"""Special days at the table level: how entries combine, the local days a ``like`` copies
from, and the volume it copies (issue 23: the rules behind staffing.special_days' figures).

Small direct inputs to the public functions of :mod:`staffing.special_days`; every expected
value is worked out in the test from the inputs (the README's rules of combination, the
zone's clock changes from the IANA database).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from staffing.config import SpecialDay
from staffing.special_days import (
    SPECIAL_DAY_COLUMNS,
    like_volume,
    local_days,
    special_day_table,
)


def _entry(**fields) -> SpecialDay:
    return SpecialDay.model_validate(fields)


# ---------------------------------------------------------------------------------------
# special_day_table
# ---------------------------------------------------------------------------------------


def test_entries_on_one_date_combine_closed_wins_factors_multiply():
    """README, special days: entries covering the same date and skill combine (closed if
    any closes, volume and NHT factors multiply, ``like`` from its one entry); a skill the
    plan lacks is ignored; rows are sorted by date then skill and numbered 0..n-1."""
    entries = [
        _entry(date=date(2026, 12, 26), like=date(2026, 11, 29), skills=[2]),
        _entry(**{"from": date(2026, 12, 24), "to": date(2026, 12, 25)}, nht_factor=1.1),
        _entry(date=date(2026, 12, 24), nht_factor=1.2, volume_factor=0.5, skills=[1, 9]),
        _entry(date=date(2026, 12, 24), volume_factor=0.8, skills=[1]),
        _entry(date=date(2026, 12, 24), closed=True, skills=[1]),
    ]
    table = special_day_table(entries, [1, 2])
    assert list(table.columns) == SPECIAL_DAY_COLUMNS
    assert table.index.tolist() == list(range(5))
    rows = [tuple(r) for r in table[["date", "skill_id", "closed"]].itertuples(index=False)]
    assert rows == [
        (date(2026, 12, 24), 1, True),
        (date(2026, 12, 24), 2, False),
        (date(2026, 12, 25), 1, False),
        (date(2026, 12, 25), 2, False),
        (date(2026, 12, 26), 2, False),
    ]
    # 24th, skill 1: nht 1.1 x 1.2 = 1.32, volume 0.5 x 0.8 = 0.4; skill 2: nht 1.1 only
    np.testing.assert_allclose(table["nht_factor"], [1.32, 1.1, 1.1, 1.1, 1.0])
    np.testing.assert_allclose(table["volume_factor"], [0.4, 1.0, 1.0, 1.0, 1.0])
    assert table["like"].tolist() == [None, None, None, None, date(2026, 11, 29)]
    assert table["skill_id"].dtype == np.int64
    assert table["closed"].dtype == bool
    assert table[["volume_factor", "nht_factor"]].dtypes.tolist() == [np.float64] * 2


def test_a_date_without_like_has_none_not_a_missing_number():
    """The documented ``like`` column: a date or None (Plan.special_days shows it)."""
    table = special_day_table([_entry(date=date(2026, 5, 1), volume_factor=1.5)], [7])
    assert table["like"].tolist() == [None]


def test_first_and_last_keep_the_dates_of_the_horizon_only():
    """``first`` and ``last`` clip an entry's range to the plan's dates, both ends kept."""
    entries = [_entry(**{"from": date(2026, 3, 1), "to": date(2026, 3, 10)}, closed=True)]
    table = special_day_table(entries, [1], first=date(2026, 3, 3), last=date(2026, 3, 5))
    assert table["date"].tolist() == [date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)]
    only_last = special_day_table(entries, [1], last=date(2026, 3, 2))
    assert only_last["date"].tolist() == [date(2026, 3, 1), date(2026, 3, 2)]


# ---------------------------------------------------------------------------------------
# local_days
# ---------------------------------------------------------------------------------------


def _days(*iso: str) -> np.ndarray:
    return np.array([np.datetime64(d, "D") if d else np.datetime64("NaT", "D") for d in iso])


def test_local_days_run_midnight_to_midnight_once_per_date_in_order():
    """Each distinct date once (repeats and NaT dropped), in date order, from its local
    midnight to the next (left-closed): 48 half-hours a day in a zone without a change."""
    got = local_days(_days("2026-03-04", "", "2026-03-02", "2026-03-04", "2026-03-03"), "UTC", 30)
    assert len(got) == 3 * 48
    assert got.unit == "ns"
    assert str(got.tz) == "UTC"
    expected = pd.date_range("2026-03-02", periods=3 * 48, freq="30min", tz="UTC")
    assert got.equals(expected)


@pytest.mark.parametrize("count", [1, 2])
def test_one_or_two_dates_keep_nanoseconds_and_every_date(count):
    """One date and two dates give their own intervals, in ns like the plan's grid."""
    iso = ["2026-03-02", "2026-03-03"][:count]
    got = local_days(_days(*iso), "UTC", 60)
    assert got.unit == "ns"
    assert len(got) == 24 * count
    assert got[-1] == pd.Timestamp(iso[-1], tz="UTC") + pd.Timedelta(hours=23)


@pytest.mark.parametrize(
    ("day", "hours"),
    [("2026-03-29", 23), ("2026-10-25", 25), ("2026-03-30", 24)],
)
def test_a_clock_change_day_has_23_or_25_hours(day, hours):
    """Europe/Berlin changes its clocks on 29 March and 25 October 2026 (IANA): those local
    dates have 23 and 25 hours of intervals."""
    got = local_days(_days(day), "Europe/Berlin", 30)
    assert len(got) == 2 * hours
    assert got[0] == pd.Timestamp(day).tz_localize("Europe/Berlin")


def test_a_missing_local_midnight_starts_the_day_at_the_first_clock_time():
    """America/Santiago moves from 00:00 to 01:00 on 6 September 2026 (IANA): that date
    starts at 01:00 and has 23 hours, and the day before ends at that 01:00."""
    got = local_days(_days("2026-09-05", "2026-09-06"), "America/Santiago", 60)
    before, changed = got[:24], got[24:]
    assert before[0] == pd.Timestamp("2026-09-05").tz_localize("America/Santiago")
    assert len(before) == 24 and len(changed) == 23
    assert changed[0] == pd.Timestamp("2026-09-06 01:00").tz_localize("America/Santiago")


def test_no_dates_give_an_empty_index_in_the_zone():
    got = local_days(_days("", ""), "Europe/Berlin", 30)
    assert len(got) == 0 and str(got.tz) == "Europe/Berlin" and got.unit == "ns"


# ---------------------------------------------------------------------------------------
# like_volume
# ---------------------------------------------------------------------------------------


def _reference(day: str, timezone: str, minutes: int, skill_id: int = 1) -> pd.DataFrame:
    """The reference date's forecast: volume = 100 x local hour + local minute, so every
    local wall time tells itself apart."""
    times = local_days(_days(day), timezone, minutes)
    return pd.DataFrame(
        {
            "skill_id": skill_id,
            "interval_start": times,
            "volume": (100 * times.hour + times.minute).astype(float),
        }
    )


def test_like_copies_the_reference_volume_at_the_same_local_half_hour():
    """``like`` copies the reference date's volume at the same local time of day, on a
    half-hour grid (so hours and minutes both count): 08:30 gets 830, 17:00 gets 1700."""
    grid = local_days(_days("2026-06-10"), "Europe/Berlin", 30)
    like = np.full(len(grid), np.datetime64("2026-06-03", "D"))
    got = like_volume(_reference("2026-06-03", "Europe/Berlin", 30), [1], grid, like)
    np.testing.assert_array_equal(got, 100 * grid.hour + grid.minute)


def test_like_takes_the_nearest_wall_time_the_reference_lacks():
    """Reference 29 March 2026 in Berlin lacks 02:00-03:00 (clocks go forward): 02:00 takes
    01:30 (30 min away, 03:00 is 60) and 02:30 takes 03:00 (30 min away, 01:30 is 60)."""
    grid = local_days(_days("2026-04-01"), "Europe/Berlin", 30)
    like = np.full(len(grid), np.datetime64("2026-03-29", "D"))
    got = like_volume(_reference("2026-03-29", "Europe/Berlin", 30), [1], grid, like)
    at = {(t.hour, t.minute): v for t, v in zip(grid, got, strict=True)}
    assert at[(1, 30)] == 130
    assert at[(2, 0)] == 130
    assert at[(2, 30)] == 300
    assert at[(3, 0)] == 300


def test_like_takes_the_mean_of_a_repeated_hour():
    """Reference 25 October 2026 in Berlin has 02:00 twice (clocks go back): a reference
    whose two 02:00 hours have 10 and 30 gives 20 at 02:00 of the copying date."""
    times = local_days(_days("2026-10-25"), "Europe/Berlin", 60)
    volume = np.where(times.hour == 2, np.cumsum(times.hour == 2) * 20.0 - 10.0, 5.0)
    reference = pd.DataFrame({"skill_id": 1, "interval_start": times, "volume": volume})
    grid = local_days(_days("2026-10-28"), "Europe/Berlin", 60)
    like = np.full(len(grid), np.datetime64("2026-10-25", "D"))
    got = like_volume(reference, [1], grid, like)
    assert got[2] == 20.0
    assert np.all(np.delete(got, 2) == 5.0)


def test_like_is_per_skill_and_nan_where_no_like_or_no_reference():
    """Skill-major output: each skill copies its own reference volume; NaN where ``like``
    is NaT or the reference has no volume for that skill and date."""
    grid = local_days(_days("2026-06-10"), "UTC", 60)
    reference = pd.concat(
        [_reference("2026-06-03", "UTC", 60, 1), _reference("2026-06-03", "UTC", 60, 2)]
    )
    reference.loc[reference["skill_id"] == 2, "volume"] += 10_000
    ref = np.datetime64("2026-06-03", "D")
    nat = np.datetime64("NaT", "D")
    like = np.concatenate([np.full(24, ref), np.full(24, nat), np.full(24, ref)])
    got = like_volume(reference, [2, 1, 3], grid, like)
    np.testing.assert_array_equal(got[:24], 10_000 + 100 * np.arange(24))
    assert np.isnan(got[24:]).all()  # skill 1 has no like; skill 3 has no reference


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_like_reads_any_integer_skill_id_column(dtype):
    """A reference read from a file may carry int32 skill ids: they match the plan's."""
    grid = local_days(_days("2026-06-10"), "UTC", 60)
    reference = _reference("2026-06-03", "UTC", 60).astype({"skill_id": dtype})
    like = np.full(24, np.datetime64("2026-06-03", "D"))
    got = like_volume(reference, [1], grid, like)
    np.testing.assert_array_equal(got, 100 * np.arange(24))


def test_like_without_a_reference_or_without_a_like_is_all_missing():
    grid = local_days(_days("2026-06-10"), "UTC", 60)
    like = np.full(24, np.datetime64("2026-06-03", "D"))
    empty = _reference("2026-06-03", "UTC", 60).iloc[:0]
    assert np.isnan(like_volume(empty, [1], grid, like)).all()
    none = np.full(24, np.datetime64("NaT", "D"))
    reference = _reference("2026-06-03", "UTC", 60)
    assert np.isnan(like_volume(reference, [1], grid, none)).all()

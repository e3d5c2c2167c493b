"""Closed hours, holidays and half-hour profiles on a real bank's calls (issue 21, points 2, 3, 6).

``bank_calls.csv`` (``../shared/realdata/README.md``): five-minute calls of a North American
bank, weekdays 07:00-21:05 local (written with a ``Z`` but local wall time), 3 Mar - 24 Oct
2003, no weekend rows, weekdays absent 2003-04-04, 04-07, 05-26, 07-04, 09-01, 10-14. The
tests convert it as a planner would (strip the Z, localise to America/New_York, sum to the
plan's interval) and go through :func:`staffing.plan`.
"""

from __future__ import annotations

import warnings
from functools import cache

import numpy as np
import pandas as pd
import pytest

from staffing import plan
from staffing.errors import DataWarning
from staffing.vocabulary import HISTORY_COLUMNS
from tests.realdata import BANK, needs_bank

TZ = "America/New_York"
#: The held-out week: the last full week of the data, Monday to Friday.
HELD_OUT = pd.Timestamp("2003-10-20", tz=TZ)
#: The weekdays the README lists as absent.
ABSENT_WEEKDAYS = [
    "2003-04-04",
    "2003-04-07",
    "2003-05-26",
    "2003-07-04",
    "2003-09-01",
    "2003-10-14",
]

pytestmark = needs_bank


@cache
def _calls(minutes: int) -> pd.DataFrame:
    """bank_calls.csv summed to ``minutes``, in the history's columns (UTC, no handle times)."""
    raw = pd.read_csv(BANK)
    local = pd.to_datetime(raw["DateTime"].str.rstrip("Z")).dt.tz_localize(TZ)
    frame = pd.DataFrame(
        {
            "interval_start": local.dt.tz_convert("UTC").dt.floor(f"{minutes}min"),
            "arrivals": raw["Calls"].astype(float),
        }
    )
    frame = frame.groupby("interval_start", as_index=False)["arrivals"].sum()
    frame = frame.assign(
        skill_id=1, interval_minutes=minutes, handled_segments=np.nan, net_handle_time_s=np.nan
    )
    return frame[list(HISTORY_COLUMNS)]


def _config(minutes: int, *, start="2003-10-27", weeks=8, decay=0.75, special=()) -> dict:
    close = "21:30" if minutes == 30 else "22:00"  # the 21:00-21:05 calls fall in open hours
    return {
        "plan": {
            "name": "bank",
            "start": start,
            "weeks": 1,
            "timezone": TZ,
            "interval_minutes": minutes,
        },
        "nht": {"source": "store", "history_weeks": weeks},  # never read: history given
        "volume": {"source": "history", "recency_decay": decay},
        "defaults": {"shrinkage": 0.3, "fte_hours_per_week": 40},
        "skills": [
            {
                "id": 1,
                "name": "Bank",
                "method": "erlang_c",
                "nht_seconds": 300,  # no handle times in the data
                "service_level": {"target": 0.8, "answer_within_seconds": 20},
                "open_hours": {d: f"07:00-{close}" for d in ("mon", "tue", "wed", "thu", "fri")},
            }
        ],
        "special_days": [{"date": d, "closed": True} for d in special],
    }


def _plan(cfg: dict, history: pd.DataFrame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return plan(cfg, nht_history=history)


def _by_weekday(result) -> pd.Series:
    iv = result.intervals
    return iv.groupby(iv["interval_start"].dt.day_of_week)["volume"].sum()


def test_absent_weekend_rows_are_closed_not_weekday_means():
    # Point 2: before, Saturday and Sunday 07:00-21:00 took the weekday means (about 64,000
    # invented calls a week); now they are closed and have no rows, so they are zero.
    result = _plan(_config(60), _calls(60))
    days = _by_weekday(result)
    assert days[5] == 0.0 and days[6] == 0.0
    assert result.meta["closed_volume"] == 0.0
    # the week is the weekdays' level: the held-out week had 157,757 calls (the data summed
    # over 2003-10-20..24); the forecast is within 5 % of it, not 224,000 as before
    assert result.intervals["volume"].sum() == pytest.approx(157_757, rel=0.05)


def test_absent_closed_rows_equal_zero_rows_given_by_hand():
    # Point 2: weekend rows of zero written by hand give the same forecast as no rows.
    calls = _calls(60)
    local = pd.date_range("2003-03-01", "2003-10-26", freq="h", inclusive="left", tz=TZ)
    weekend = local[local.day_of_week >= 5].tz_convert("UTC")
    zeros = pd.DataFrame({"interval_start": weekend}).assign(
        skill_id=1,
        interval_minutes=60,
        arrivals=0.0,
        handled_segments=np.nan,
        net_handle_time_s=np.nan,
    )
    by_hand = pd.concat([calls, zeros[list(HISTORY_COLUMNS)]], ignore_index=True)
    absent = _plan(_config(60), calls).intervals["volume"].to_numpy()
    given = _plan(_config(60), by_hand).intervals["volume"].to_numpy()
    np.testing.assert_allclose(absent, given, rtol=1e-12)


def test_absent_open_rows_are_warned_once_with_count_and_dates():
    # Point 2: three half-hours missing on 2003-10-21 and one on 10-22 (open hours): one
    # warning, with the count (4) and the two dates; the rest of the day still counts.
    calls = _calls(30)
    starts = calls["interval_start"].dt.tz_convert(TZ)
    drop = starts.isin(
        pd.DatetimeIndex(
            ["2003-10-21 10:00", "2003-10-21 10:30", "2003-10-21 11:00", "2003-10-22 15:00"]
        ).tz_localize(TZ)
    )
    with pytest.warns(DataWarning) as record:
        result = plan(_config(30), nht_history=calls[~drop])
    gaps = [str(w.message) for w in record if "in open hours have no row" in str(w.message)]
    assert len(gaps) == 1
    assert (
        "4 interval(s) in open hours have no row, on 2 day(s) (2003-10-21, 2003-10-22)" in gaps[0]
    )
    assert gaps[0] in result.warnings


def test_a_forecast_file_without_closed_hour_rows_is_taken_as_zero(tmp_path):
    # Point 2: before, "728 skill-interval(s) missing" (the 2 x 24 weekend hours and the
    # weekday hours 22:00-07:00 not written). Now closed-hour rows may be left out.
    cfg = _config(60)
    grid = pd.date_range("2003-10-27", "2003-11-03", freq="h", inclusive="left", tz=TZ)
    open_ = grid[(grid.day_of_week < 5) & (grid.hour >= 7) & (grid.hour < 22)]
    path = tmp_path / "volume.csv"
    pd.DataFrame(
        {"skill_id": 1, "interval_start": open_.tz_localize(None), "volume": 100.0}
    ).to_csv(path, index=False)
    cfg["volume"] = {"source": "file", "path": str(path)}
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # nothing to warn about
        result = plan(cfg)
    iv = result.intervals
    assert len(iv) == 168 and iv["volume"].sum() == pytest.approx(100.0 * 5 * 15)
    assert (iv.loc[iv["interval_start"].dt.day_of_week >= 5, "volume"] == 0).all()


def test_holidays_in_the_history_are_found_and_left_out():
    # Point 3: the README's six absent weekdays, found in a window covering the whole data
    # (34 weeks), each between open days with calls; named in one note.
    result = _plan(_config(60, weeks=34), _calls(60))
    notes = [n for n in result.warnings if n.startswith("holidays found in the history")]
    assert len(notes) == 1
    assert ", ".join(ABSENT_WEEKDAYS) in notes[0]
    # left out as if declared: the same forecast as with the six dates declared closed by
    # hand, and the declared dates are then not "found"
    declared = _plan(_config(60, weeks=34, special=ABSENT_WEEKDAYS), _calls(60))
    np.testing.assert_allclose(
        result.intervals["volume"].to_numpy(), declared.intervals["volume"].to_numpy(), rtol=1e-12
    )
    assert not any(n.startswith("holidays found") for n in declared.warnings)


def test_a_zero_volume_holiday_is_found_too():
    # Point 3: a holiday exported as rows of zero (not absent) is found the same way.
    calls = _calls(60)
    day = calls["interval_start"].dt.tz_convert(TZ).dt.strftime("%Y-%m-%d")
    zeroed = calls.assign(arrivals=calls["arrivals"].where(day != "2003-10-08", 0.0))
    result = _plan(_config(60), zeroed)
    notes = [n for n in result.warnings if n.startswith("holidays found")]
    assert len(notes) == 1 and "2003-10-08, 2003-10-14" in notes[0]


def _held_out_wape(plan_minutes: int, history_minutes: int, **options) -> float:
    """WAPE of the plan's forecast of the held-out week, from the weeks before it [-]."""
    history = _calls(history_minutes)
    cfg = _config(plan_minutes, start="2003-10-20", **options)
    result = _plan(cfg, history[history["interval_start"] < HELD_OUT])
    forecast = result.intervals.set_index(result.intervals["interval_start"].dt.tz_convert("UTC"))
    actual = _calls(plan_minutes).set_index("interval_start")["arrivals"]
    actual = actual.reindex(forecast.index).fillna(0.0)
    return float(np.abs(actual - forecast["volume"]).sum() / actual.sum())


def test_half_hour_profiles_beat_the_even_split_on_bank_calls():
    # Point 6. WAPE of the held-out week 2003-10-20..24 per plan interval, from the weeks
    # before it (8 weeks, recency decay 0.75, the defaults), measured with
    # `.venv/bin/python -m pytest -q tests/plan/test_real_days.py` (values printed below):
    #   60 minutes:                        6.16 %
    #   30 minutes, hour split evenly:      7.57 % (a 60-minute history: the old behaviour)
    #   30 minutes, half-hour profile:      6.62 %
    even = _held_out_wape(30, 60)
    sliced = _held_out_wape(30, 30)
    hourly = _held_out_wape(60, 60)
    print(f"WAPE 60 min {hourly:.4f}, 30 min even split {even:.4f}, 30 min profile {sliced:.4f}")
    assert even == pytest.approx(0.0757, abs=5e-4)
    assert sliced == pytest.approx(0.0662, abs=5e-4)
    assert hourly == pytest.approx(0.0616, abs=5e-4)


def test_half_hour_profile_is_the_plain_mean_of_the_last_four_weeks():
    # Point 6, checked independently: with 4 weeks and no recency decay the profile is the
    # plain mean of the last four weeks by half-hour of the week, computed here with pandas
    # from the five-minute file (6.54 % WAPE on the held-out week).
    raw = pd.read_csv(BANK)
    calls = (
        pd.Series(
            raw["Calls"].to_numpy(dtype=float),
            index=pd.to_datetime(raw["DateTime"].str.rstrip("Z")),
        )
        .resample("30min")
        .sum(min_count=1)
        .dropna()
    )
    held = calls[calls.index >= "2003-10-20"]
    train = calls[(calls.index < "2003-10-20") & (calls.index >= "2003-09-22")]

    def slot(index: pd.DatetimeIndex) -> np.ndarray:
        return np.asarray(index.day_of_week * 48 + index.hour * 2 + index.minute // 30)

    mean = train.groupby(slot(train.index)).mean().reindex(slot(held.index)).to_numpy()
    plain = float(np.abs(held.to_numpy() - mean).sum() / held.sum())
    assert plain == pytest.approx(0.0654, abs=5e-4)
    assert _held_out_wape(30, 30, weeks=4, decay=1.0) == pytest.approx(plain, rel=1e-9)

"""The forecast's rules, each with a case where getting it wrong changes the answer.

Rules as README "From NHT history to expected NHT and volume" and the docstrings of
``staffing.forecast`` state them: winsorising at median +- 5 x 1.4826 x MAD (both tails),
the eight hour bands (weekday / weekend x 00-06, 06-12, 12-18, 18-24 local), recency
weights 1, decay, decay^2 ... over the last ``weeks`` whole weeks, and the backtest's
held-out week forecast with the same decay and scored by WAPE = sum|actual - forecast| /
sum actual. Every expected number is worked out in the comment beside it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffing.config import load_config
from staffing.errors import DataError
from staffing.forecast import backtest, hourly_history, nht_profile, volume_profile
from staffing.plan import plan
from staffing.vocabulary import HISTORY_COLUMNS

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example.yaml"


def _skills(*ids: int):
    cfg = load_config(
        {
            "plan": {"name": "t", "start": "2026-03-02", "weeks": 1, "timezone": "UTC"},
            "nht": {"source": "store"},
            "volume": {"source": "history"},
            "defaults": {"method": "workload", "shrinkage": 0.3, "fte_hours_per_week": 40},
            "skills": [{"id": i, "name": f"S{i}"} for i in ids],
        }
    )
    return cfg.resolved_skills


def _history(rows) -> pd.DataFrame:
    """rows: (skill_id, UTC time, nht_s, segments, arrivals) -> hourly history."""
    frame = pd.DataFrame(
        rows,
        columns=["skill_id", "interval_start", "net_handle_time_s", "handled_segments", "arrivals"],
    )
    frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True)
    frame["interval_minutes"] = 60
    return hourly_history(frame)


# ---------------------------------------------------------------------------
# Winsorising: both tails
# ---------------------------------------------------------------------------


def test_both_tails_are_winsorised():
    # Monday 2026-02-16 hours 0-19: ten of 100 s and ten of 104 s; hour 20 is 1 s and
    # hour 21 is 10,000 s. 22 values: median = (100 + 104) / 2 = 102; |deviations| are twenty
    # 2s, 101 and 9898, so MAD = 2 and the bound is 102 +- 5 x 1.4826 x 2 = 102 +- 14.826.
    # One segment per hour and min_segments 1, so each cell is its own clipped hour.
    rows = [(1, f"2026-02-16 {h:02d}:00", 100.0 if h % 2 else 104.0, 1, 1) for h in range(20)]
    rows += [(1, "2026-02-16 20:00", 1.0, 1, 1), (1, "2026-02-16 21:00", 10_000.0, 1, 1)]
    prof = nht_profile(
        _history(rows), _skills(1), timezone="UTC", history_weeks=8, min_segments=1
    ).set_index("hour_of_week")["nht_s"]
    assert prof[20] == pytest.approx(102 - 5 * 1.4826 * 2)  # 87.174, not 1
    assert prof[21] == pytest.approx(102 + 5 * 1.4826 * 2)  # 116.826, not 10,000
    assert prof[1] == 100.0 and prof[0] == 104.0  # inside the bounds: kept
    # the skill mean carries the clipped values too: (10 x 100 + 10 x 104 + 87.174 +
    # 116.826) / 22 = 102
    skill_mean = nht_profile(
        _history(rows), _skills(1), timezone="UTC", history_weeks=8, min_segments=22
    ).set_index("hour_of_week")
    assert skill_mean.loc[100, "nht_s"] == pytest.approx(102.0)
    assert skill_mean.loc[100, "nht_basis"] == "skill_mean"


def test_no_clipping_when_the_mad_is_zero():
    # nht_profile's Notes: "no clipping when the MAD is 0". Twelve hours of 100 s and
    # eight of 300 s: median 100, MAD 0, so the 300 s hours stay 300 s (clipping them to
    # the median would make every hour 100 s).
    rows = [(1, f"2026-02-16 {h:02d}:00", 100.0 if h < 12 else 300.0, 1, 1) for h in range(20)]
    prof = nht_profile(
        _history(rows), _skills(1), timezone="UTC", history_weeks=8, min_segments=1
    ).set_index("hour_of_week")["nht_s"]
    assert prof[15] == 300.0 and prof[3] == 100.0


def test_winsorising_is_per_skill():
    # Skill 2's hours are all around 1000 s; they must not be clipped by skill 1's bounds
    # (median 102, MAD 2 as above) nor move skill 1's.
    rows = [(1, f"2026-02-16 {h:02d}:00", 100.0 if h % 2 else 104.0, 1, 1) for h in range(20)]
    rows += [(2, f"2026-02-16 {h:02d}:00", 1000.0 if h % 2 else 1010.0, 1, 1) for h in range(20)]
    prof = nht_profile(
        _history(rows), _skills(1, 2), timezone="UTC", history_weeks=8, min_segments=1
    )
    two = prof[prof.skill_id == 2].set_index("hour_of_week")["nht_s"]
    one = prof[prof.skill_id == 1].set_index("hour_of_week")["nht_s"]
    assert two[1] == 1000.0 and two[0] == 1010.0
    assert one[1] == 100.0 and one[0] == 104.0


# ---------------------------------------------------------------------------
# Bands: each of the eight
# ---------------------------------------------------------------------------


def _band_history():
    # One UTC week from Monday 2026-02-16, every hour with 2 segments: a cell has 2 (< 20),
    # a weekday band 5 days x 6 h x 2 = 60 and a weekend band 2 x 6 x 2 = 24 (>= 20).
    # NHT of an hour = 100 + 10 x band + weekday (Mon 0 ... Sun 6), band as in the docstring.
    rows = []
    for how in range(168):
        day, hour = divmod(how, 24)
        band = (4 if day >= 5 else 0) + hour // 6
        t = pd.Timestamp("2026-02-16", tz="UTC") + pd.Timedelta(hours=how)
        rows.append((1, t, 100.0 + 10 * band + day, 2, 1))
    return _history(rows)


def test_each_band_is_its_own_mean():
    prof = nht_profile(
        _band_history(), _skills(1), timezone="UTC", history_weeks=8, min_segments=20
    ).set_index("hour_of_week")
    assert (prof["nht_basis"] == "hour_band").all()
    # weekday band b: mean over Mon-Fri of 100 + 10 b + day = 100 + 10 b + 2;
    # weekend band: mean over Sat, Sun = 100 + 10 (4 + b) + 5.5
    for how in range(168):
        day, hour = divmod(how, 24)
        if day < 5:
            expected = 100 + 10 * (hour // 6) + 2
        else:
            expected = 100 + 10 * (4 + hour // 6) + 5.5
        assert prof.loc[how, "nht_s"] == pytest.approx(expected), (day, hour)


def test_saturday_and_sunday_are_weekend_and_friday_is_not():
    prof = nht_profile(
        _band_history(), _skills(1), timezone="UTC", history_weeks=8, min_segments=20
    ).set_index("hour_of_week")["nht_s"]
    # Friday 10:00 (how 106): weekday 06-12 band = 112; Saturday 10:00 (how 130) and Sunday
    # 10:00 (how 154): weekend 06-12 band = 100 + 50 + 5.5 = 155.5
    assert prof[4 * 24 + 10] == pytest.approx(112.0)
    assert prof[5 * 24 + 10] == pytest.approx(155.5)
    assert prof[6 * 24 + 10] == pytest.approx(155.5)
    # band edges: 05:00 and 06:00, 17:00 and 18:00 on Saturday
    assert prof[5 * 24 + 5] == pytest.approx(145.5) and prof[5 * 24 + 6] == pytest.approx(155.5)
    assert prof[5 * 24 + 17] == pytest.approx(165.5) and prof[5 * 24 + 18] == pytest.approx(175.5)


def test_bands_follow_local_wall_time():
    # The same history read in a zone 6 hours ahead (Asia/Dhaka, UTC+6 all year): UTC 18:00
    # Friday is Saturday 00:00 there, so it joins the weekend night band.
    prof = nht_profile(
        _band_history(), _skills(1), timezone="Asia/Dhaka", history_weeks=8, min_segments=20
    ).set_index("hour_of_week")["nht_s"]
    # local weekday 00-06 band = UTC Sun 18-24 (day 6, band 7: 176) for local Mon, then UTC
    # Mon-Thu 18-24 (band 3: 130 + day 0..3) for local Tue-Fri:
    # (176 + 130 + 131 + 132 + 133) / 5 = 140.4
    assert prof[0] == pytest.approx((176 + 130 + 131 + 132 + 133) / 5)
    # local weekend 00-06 band = UTC Fri 18-24 (134) and Sat 18-24 (band 7, day 5: 175)
    assert prof[5 * 24] == pytest.approx((134 + 175) / 2)


# ---------------------------------------------------------------------------
# Recency weights
# ---------------------------------------------------------------------------


def _monday_nine(values):
    """Monday 09:00 arrivals, newest week first, ending on Sunday 2026-03-01 23:00."""
    rows = [(1, "2026-03-01 23:00", 100.0, 1, 0.0)]  # end of history: 2026-03-02 00:00 UTC
    for age, value in enumerate(values):
        t = pd.Timestamp("2026-02-23 09:00", tz="UTC") - pd.Timedelta(weeks=age)
        rows.append((1, t, 100.0, 1, value))
    return _history(rows)


def test_recency_weights_are_powers_of_the_decay_within_the_window():
    # ages 0, 1, 2 weigh 1, 0.5, 0.25; age 3 (1000) is outside weeks=3:
    # (40 + 0.5 x 20 + 0.25 x 10) / 1.75 = 30
    history = _monday_nine([40.0, 20.0, 10.0, 1000.0])
    prof = volume_profile(history, [1], timezone="UTC", weeks=3, decay=0.5).set_index(
        "hour_of_week"
    )["volume"]
    assert prof[9] == pytest.approx(30.0)
    # decay 1: the plain mean (40 + 20 + 10) / 3
    flat = volume_profile(history, [1], timezone="UTC", weeks=3, decay=1.0).set_index(
        "hour_of_week"
    )["volume"]
    assert flat[9] == pytest.approx(70 / 3)


def test_the_default_decay_is_three_quarters():
    # README: volume.recency_decay defaults to 0.75. (40 + 0.75 x 20) / 1.75 = 31.43
    history = _monday_nine([40.0, 20.0])
    prof = volume_profile(history, [1], timezone="UTC", weeks=2).set_index("hour_of_week")["volume"]
    assert prof[9] == pytest.approx(55 / 1.75)
    skills_cfg = load_config(
        {
            "plan": {"name": "t", "start": "2026-03-02", "weeks": 1, "timezone": "UTC"},
            "nht": {"source": "store"},
            "volume": {"source": "history"},
            "defaults": {"method": "workload", "shrinkage": 0.3, "fte_hours_per_week": 40},
            "skills": [{"id": 1, "name": "S"}],
        }
    )
    assert skills_cfg.volume.recency_decay == 0.75


# ---------------------------------------------------------------------------
# The backtest's weighting
# ---------------------------------------------------------------------------


def _three_weeks(skill_id, week_values, start="2026-02-02"):
    times = pd.date_range(pd.Timestamp(start, tz="UTC"), periods=3 * 168, freq="h")
    week = np.arange(len(times)) // 168
    return pd.DataFrame(
        {
            "skill_id": skill_id,
            "interval_start": times,
            "interval_minutes": 60,
            "arrivals": np.asarray(week_values, dtype=float)[week],
            "handled_segments": 5.0,
            "net_handle_time_s": 300.0,
        }
    )


def test_the_backtest_uses_the_recency_decay():
    # Weeks of 10, 20 then the held-out 20 per hour. decay 0.5: forecast (20 + 0.5 x 10) /
    # 1.5 = 16.667, WAPE = 3.333 / 20 = 1/6; the default 0.75 would give 15.714 (WAPE 0.214).
    history = hourly_history(_three_weeks(5, [10, 20, 20]))
    result = backtest(history, _skills(5), timezone="UTC", weeks=2, decay=0.5)
    assert result.loc[0, "wape"] == pytest.approx(1 / 6)
    assert result.loc[0, "actual_volume"] == pytest.approx(20 * 168)
    result = backtest(history, _skills(5), timezone="UTC", weeks=2, decay=1.0)
    assert result.loc[0, "wape"] == pytest.approx(0.25)  # (20 - 15) / 20


def test_wape_weights_each_hour_by_its_actual_volume():
    # Held-out hours alternate 10 and 30 arrivals; both training weeks are 20 per hour, so the
    # forecast is 20. WAPE = sum|a - f| / sum a = (10 + 10) / 40 = 0.5, not the mean of the
    # hourly percentage errors ((1 + 1/3) / 2 = 0.667).
    frame = _three_weeks(5, [20, 20, 20])
    held = frame["interval_start"] >= pd.Timestamp("2026-02-16", tz="UTC")
    frame.loc[held, "arrivals"] = np.where(np.arange(held.sum()) % 2, 30.0, 10.0)
    result = backtest(hourly_history(frame), _skills(5), timezone="UTC", weeks=2, decay=0.5)
    assert result.loc[0, "wape"] == pytest.approx(0.5)
    assert result.loc[0, "hours"] == 168


def test_the_plan_backtests_and_forecasts_with_its_recency_decay():
    # Two skills with three weeks of history each, planned from history with decay 0.5.
    # Skill 1: weeks 10, 20, 20 -> backtest WAPE 1/6 (above), actual 3360; the plan's volume
    # per hour over 3 weeks = (20 + 0.5 x 20 + 0.25 x 10) / 1.75 = 18.571.
    # Skill 2: weeks 20, 20, 40 -> forecast 20, WAPE 20 / 40 = 0.5, actual 6720.
    # The summary's total WAPE is weighted by the held-out volume:
    # (1/6 x 3360 + 0.5 x 6720) / 10080 = 0.3889.
    history = pd.concat(
        [_three_weeks(1, [10, 20, 20]), _three_weeks(2, [20, 20, 40])], ignore_index=True
    )
    cfg = {
        "plan": {"name": "bt", "start": "2026-02-23", "weeks": 1, "timezone": "UTC"},
        "nht": {"source": "store", "history_weeks": 3, "min_segments": 1},
        "volume": {"source": "history", "recency_decay": 0.5},
        "defaults": {"method": "workload", "shrinkage": 0.2, "fte_hours_per_week": 40},
        "skills": [{"id": 1, "name": "One"}, {"id": 2, "name": "Two"}],
    }
    result = plan(cfg, nht_history=history)
    bt = result.backtest.set_index("skill_id")
    assert bt.loc[1, "wape"] == pytest.approx(1 / 6)
    assert bt.loc[2, "wape"] == pytest.approx(0.5)
    summary = result.summary().set_index("skill_name")
    assert summary.loc["All skills", "wape"] == pytest.approx((3360 / 6 + 0.5 * 6720) / 10080)
    iv = result.intervals
    np.testing.assert_allclose(iv[iv.skill_id == 1]["volume"], 32.5 / 1.75)
    # skill 2: (40 + 0.5 x 20 + 0.25 x 20) / 1.75 = 31.43
    np.testing.assert_allclose(iv[iv.skill_id == 2]["volume"], 55 / 1.75)


def test_a_gap_at_the_end_of_the_training_weeks_keeps_the_weeks_aligned_on_the_cut():
    # Four weeks from Monday 2026-02-02 of 5, 10, 20 and (held out) 20 per hour, but the
    # Sunday of the third week is missing. Weeks are counted back from the cut (the start of
    # the held-out week), not from the last training row: Mon-Sat forecast = (0.5 x 10 +
    # 20) / 1.5 = 16.667 (error 3.333 in 144 hours); Sunday has only the second week: 10
    # (error 10 in 24 hours). WAPE = (480 + 240) / 3360 = 0.2143. Counting from the last row
    # would bring the first week's Sunday in and give (480 + 280) / 3360 = 0.2262.
    times = pd.date_range(pd.Timestamp("2026-02-02", tz="UTC"), periods=4 * 168, freq="h")
    week = np.arange(len(times)) // 168
    frame = pd.DataFrame(
        {
            "skill_id": 5,
            "interval_start": times,
            "interval_minutes": 60,
            "arrivals": np.array([5.0, 10.0, 20.0, 20.0])[week],
            "handled_segments": 5.0,
            "net_handle_time_s": 300.0,
        }
    )
    gap = (week == 2) & (times.day_of_week == 6)
    history = hourly_history(frame[~gap])
    result = backtest(history, _skills(5), timezone="UTC", weeks=2, decay=0.5)
    assert result.loc[0, "wape"] == pytest.approx(720 / 3360)


def test_a_backtest_without_a_week_to_train_on_is_empty_with_its_columns():
    # backtest's docstring: no rows when the history has no week before the held-out one.
    history = hourly_history(_three_weeks(5, [10, 20, 20]).iloc[:168])
    result = backtest(history, _skills(5), timezone="UTC", weeks=2)
    assert result.empty
    assert list(result.columns) == ["skill_id", "skill_name", "wape", "actual_volume", "hours"]


# ---------------------------------------------------------------------------
# Reading the history
# ---------------------------------------------------------------------------


def test_history_in_another_zone_is_taken_to_utc():
    # hourly_history's docstring: UTC hours out, whatever zone the instants came in.
    frame = pd.DataFrame(
        {
            "skill_id": [1],
            "interval_start": [pd.Timestamp("2026-02-16 10:00", tz="Europe/Berlin")],
            "interval_minutes": [60],
            "arrivals": [4.0],
            "handled_segments": [2.0],
            "net_handle_time_s": [1.0],
        }
    )
    hourly = hourly_history(frame)
    assert hourly.loc[0, "interval_start"] == pd.Timestamp("2026-02-16 09:00", tz="UTC")
    assert str(hourly["interval_start"].dt.tz) == "UTC"
    # an NHT of 1 s is a value (only 0 and negatives mean "no data")
    assert hourly.loc[0, "net_handle_time_s"] == 1.0


def test_a_skill_without_any_history_is_named_with_zero_segments():
    history = _history([(1, "2026-02-16 09:00", 100.0, 30, 10)])
    with pytest.raises(DataError, match=r"'S2' \(id 2, 0 handled segments\)"):
        nht_profile(history, _skills(1, 2), timezone="UTC", history_weeks=8, min_segments=20)


def test_the_plan_backtests_in_its_own_zone_across_dst():
    # Europe/Berlin springs forward on 2026-03-29. Arrivals follow local time: 10 per hour
    # from 09:00 to 17:00 local, 1 otherwise, every day of three weeks from Monday
    # 2026-03-16 (local). The held-out week (from 2026-03-30) is after the switch. Read in
    # local hours of the week the forecast is exact (WAPE 0); read in UTC hours it would be
    # an hour off after the switch.
    # NHT follows local time too: 200 s by day, 400 s by night (30 segments an hour, so each
    # hour of the week has its own NHT).
    local = pd.date_range("2026-03-16", periods=3 * 168, freq="h", tz="Europe/Berlin")
    day_hours = (local.hour >= 9) & (local.hour < 17)
    history = pd.DataFrame(
        {
            "skill_id": 1,
            "interval_start": local.tz_convert("UTC"),
            "interval_minutes": 60,
            "arrivals": np.where(day_hours, 10.0, 1.0),
            "handled_segments": 30.0,
            "net_handle_time_s": np.where(day_hours, 200.0, 400.0),
        }
    )
    cfg = {
        "plan": {"name": "dst", "start": "2026-04-06", "weeks": 1, "timezone": "Europe/Berlin"},
        "nht": {"source": "store", "history_weeks": 2},
        "volume": {"source": "history", "recency_decay": 0.5},
        "defaults": {"method": "workload", "shrinkage": 0.2, "fte_hours_per_week": 40},
        "skills": [{"id": 1, "name": "One"}],
    }
    result = plan(cfg, nht_history=history)
    assert result.backtest.loc[0, "wape"] == pytest.approx(0.0, abs=1e-12)
    iv = result.intervals
    day = (iv.interval_start.dt.hour >= 9) & (iv.interval_start.dt.hour < 17)
    assert (iv.loc[day, "volume"] == 10).all() and (iv.loc[~day, "volume"] == 1).all()
    assert (iv.loc[day, "nht_s"] == 200).all() and (iv.loc[~day, "nht_s"] == 400).all()
    assert (iv["nht_basis"] == "hour_of_week").all()
    # the history the plan shows: the store's columns, in local time
    assert list(result.history.columns) == list(HISTORY_COLUMNS)
    assert str(result.history["interval_start"].dt.tz) == "Europe/Berlin"
    # the history window: the last 2 weeks before one hour after the newest history row
    end = local[-1] + pd.Timedelta(hours=1)
    assert result.meta["history_end"] == end.isoformat()
    assert result.meta["history_start"] == (end - pd.Timedelta(weeks=2)).isoformat()

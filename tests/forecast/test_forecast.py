"""Tests of the NHT and volume forecasts: each fallback rule, outliers, DST, backtest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffing.config import load_config
from staffing.errors import DataError, DataWarning
from staffing.forecast import (
    backtest,
    hour_of_week,
    hourly_history,
    nht_profile,
    volume_profile,
)
from staffing.sources.files import read_history_file, read_volume_file


def _skills(*skills: dict, fallback: float | None = None):
    defaults = {"method": "workload", "shrinkage": 0.3, "fte_hours_per_week": 40}
    if fallback is not None:
        defaults["nht_seconds"] = fallback
    cfg = load_config(
        {
            "plan": {"name": "t", "start": "2026-03-02", "weeks": 1, "timezone": "UTC"},
            "nht": {"source": "store"},
            "volume": {"source": "history"},
            "defaults": defaults,
            "skills": list(skills),
        }
    )
    return cfg.resolved_skills


def _rows(rows):
    """rows: (skill_id, UTC time, nht_s, segments, arrivals)."""
    frame = pd.DataFrame(
        rows,
        columns=["skill_id", "interval_start", "net_handle_time_s", "handled_segments", "arrivals"],
    )
    frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True)
    frame["interval_minutes"] = 60
    return hourly_history(frame)


def test_each_nht_rule_in_order():
    # Monday 2026-02-16 and 2026-02-23 (UTC plan, so hour of week = weekday*24 + hour)
    history = _rows(
        [
            (1, "2026-02-16 09:00", 100.0, 15, 10),  # how 9, week 1
            (1, "2026-02-23 09:00", 200.0, 5, 10),  # how 9, week 2 -> 20 segments in the cell
            (1, "2026-02-23 10:00", 400.0, 5, 10),  # how 10: 5 segments, too few
            (1, "2026-02-21 03:00", 50.0, 4, 10),  # Saturday 03:00 = how 123, weekend night band
            (1, "2026-02-22 04:00", -1.0, -1, 3),  # LivePerson's "no data": ignored
        ]
    )
    skills = _skills(
        {"id": 1, "name": "A"},
        {"id": 2, "name": "B", "nht_seconds": 333},
        {"id": 3, "name": "C"},
        fallback=500,
    )
    prof = nht_profile(history, skills, timezone="UTC", history_weeks=8, min_segments=20)
    assert len(prof) == 3 * 168
    a = prof[prof.skill_id == 1].set_index("hour_of_week")
    # cell: (100*15 + 200*5) / 20 = 125 (no clipping: median 150, MAD 75, bound 150 +- 556)
    assert a.loc[9, "nht_s"] == pytest.approx(125.0) and a.loc[9, "nht_basis"] == "hour_of_week"
    # weekday 06-12 band holds how 9 and 10: (1500 + 1000 + 2000) / 25 = 180
    assert a.loc[10, "nht_s"] == pytest.approx(180.0) and a.loc[10, "nht_basis"] == "hour_band"
    assert a.loc[6, "nht_basis"] == "hour_band"
    # weekend night band has 4 segments: skill mean (1500 + 1000 + 2000 + 200) / 29
    assert a.loc[123, "nht_s"] == pytest.approx(4700 / 29)
    assert a.loc[123, "nht_basis"] == "skill_mean"
    b = prof[prof.skill_id == 2]
    assert (b.nht_s == 333).all() and (b.nht_basis == "override").all()
    c = prof[prof.skill_id == 3]
    assert (c.nht_s == 500).all() and (c.nht_basis == "configured").all()


def test_skill_without_usable_nht_is_an_error_naming_it():
    history = _rows([(1, "2026-02-16 09:00", 100.0, 3, 10)])
    skills = _skills({"id": 1, "name": "Thin skill"})
    with pytest.raises(DataError, match=r"'Thin skill' \(id 1, 3 handled segments\)"):
        nht_profile(history, skills, timezone="UTC", history_weeks=8, min_segments=20)


def test_outliers_are_winsorised_at_five_scaled_mads():
    # 20 hours of NHT 100 and 120 alternating and one of 10000 with many segments
    rows = [(1, f"2026-02-16 {h:02d}:00", 100.0 if h % 2 else 120.0, 1, 1) for h in range(20)]
    rows.append((1, "2026-02-16 20:00", 10_000.0, 1, 1))
    history = _rows(rows)
    prof = nht_profile(
        history, _skills({"id": 1, "name": "A"}), timezone="UTC", history_weeks=8, min_segments=1
    )
    # median of 10x100, 10x120, 10000 = 120; |dev| = 10x20, 10x0, 9880 -> MAD = 20 (11th of 21)
    # bound = 120 + 5 * 1.4826 * 20 = 268.26
    assert prof.set_index("hour_of_week").loc[20, "nht_s"] == pytest.approx(120 + 5 * 1.4826 * 20)


def test_hour_of_week_is_local_wall_time_across_dst():
    # Europe/Berlin springs forward on Sunday 2026-03-29 at 02:00 local (01:00 UTC)
    utc = pd.Series(pd.to_datetime(["2026-03-29 00:30", "2026-03-29 01:30"], utc=True))
    local = utc.dt.tz_convert("Europe/Berlin")
    # 00:30 UTC = 01:30 CET (how 6*24+1 = 145); 01:30 UTC = 03:30 CEST (how 147)
    assert hour_of_week(local).tolist() == [145, 147]


def test_quarter_hour_history_sums_arrivals_and_keeps_hourly_nht_once():
    times = pd.date_range("2026-02-16 09:00", periods=4, freq="15min", tz="UTC")
    frame = pd.DataFrame(
        {
            "skill_id": 7,
            "interval_start": times,
            "interval_minutes": 15,
            "arrivals": [1.0, 2.0, np.nan, 4.0],
            "handled_segments": 6.0,
            "net_handle_time_s": 300.0,
        }
    )
    hourly = hourly_history(frame)
    assert len(hourly) == 1
    # 1 + 2 + 4 (missing quarter left out); NHT and segments are hour copies, not summed
    row = hourly.iloc[0]
    assert row.arrivals == 7 and row.handled_segments == 6 and row.net_handle_time_s == 300


def test_volume_profile_weights_recent_weeks_more_and_skips_gaps():
    history = _rows(
        [
            (1, "2026-02-16 09:00", 100, 1, 10.0),  # older week, Monday 09:00
            (1, "2026-02-23 09:00", 100, 1, 20.0),  # newer week, Monday 09:00
            (1, "2026-02-16 10:00", 100, 1, 8.0),  # only the older week has Monday 10:00
            (1, "2026-02-24 09:00", 100, 1, 30.0),  # Tuesday 09:00, newer week
            (1, "2026-03-01 23:00", 100, 1, 0.0),  # last hour: end of history = 2026-03-02 00:00
        ]
    )
    prof = volume_profile(history, [1], timezone="UTC", weeks=2, decay=0.5).set_index(
        "hour_of_week"
    )["volume"]
    # newer week weight 1, older 0.5: (1*20 + 0.5*10) / 1.5
    assert prof[9] == pytest.approx(25 / 1.5)
    assert prof[10] == pytest.approx(8.0)  # one week only: its value, not diluted by a gap
    # Wednesday 09:00 has no data: the weighted mean of all 09:00 hours (20 + 5 + 30) / 2.5
    assert prof[2 * 24 + 9] == pytest.approx(55 / 2.5)
    assert prof[3] == 0.0  # no 03:00 hour at all


def test_backtest_holds_out_the_last_week():
    start = pd.Timestamp("2026-02-02", tz="UTC")
    times = pd.date_range(start, periods=3 * 168, freq="h")
    arrivals = np.where(times >= start + pd.Timedelta(weeks=2), 12.0, 10.0)
    frame = pd.DataFrame(
        {
            "skill_id": 5,
            "interval_start": times,
            "interval_minutes": 60,
            "arrivals": arrivals,
            "handled_segments": 1.0,
            "net_handle_time_s": 100.0,
        }
    )
    result = backtest(
        hourly_history(frame), _skills({"id": 5, "name": "E"}), timezone="UTC", weeks=2
    )
    # forecast for the held-out week = 10 per hour; actual 12: WAPE = 2 / 12
    assert result.loc[0, "wape"] == pytest.approx(2 / 12)
    assert result.loc[0, "hours"] == 168 and result.loc[0, "skill_name"] == "E"


def test_history_file_errors_name_file_column_and_row(tmp_path):
    path = tmp_path / "nht.csv"
    path.write_text("skill_id,interval_start,net_handle_time_s,arrivals\n1,2026-01-01T00:00Z,5,1\n")
    with pytest.raises(DataError, match=r"nht\.csv: missing column\(s\) handled_segments"):
        read_history_file(path)
    path.write_text(
        "skill_id,interval_start,net_handle_time_s,arrivals,handled_segments\n"
        "1,2026-01-01T00:00Z,5,1,1\n1,2026-01-01T01:00Z,abc,1,1\n"
    )
    with pytest.raises(DataError, match="net_handle_time_s is not a number in row 3"):
        read_history_file(path)
    path.write_text(
        "skill_id,interval_start,net_handle_time_s,arrivals,handled_segments\n"
        "1,2026-01-01T00:00,5,1,1\n"
    )
    frame = read_history_file(path)
    assert frame.loc[0, "interval_start"] == pd.Timestamp("2026-01-01 00:00", tz="UTC")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "1,2026-03-02T09:00,\n",
            "volume is missing or not a number in row 2: '' for skill 1 at "
            "2026-03-02T09:00:00+01:00",
        ),
        (
            "1,2026-03-02T09:00,-3\n",
            "volume is negative in row 2: -3 for skill 1 at 2026-03-02T09:00:00+01:00",
        ),
        (
            "1,2026-03-02T09:00,3\n1,2026-03-02T09:00,4\n",
            "skill 1 has two rows for 2026-03-02T09:00:00+01:00 (rows 2, 3)",
        ),
    ],
)
def test_volume_file_errors(tmp_path, body, message):
    path = tmp_path / "fc.csv"
    path.write_text("skill_id,interval_start,volume\n" + body)
    with pytest.raises(DataError) as info:
        read_volume_file(path, timezone="Europe/Berlin")
    assert str(path) in str(info.value) and message in str(info.value)


def test_naive_local_times_in_the_repeated_autumn_hour_follow_file_order(tmp_path):
    # Europe/Berlin 2026-10-25: 03:00 CEST -> 02:00 CET, so 02:00 occurs twice
    rows = ["skill_id,interval_start,volume"]
    for sid in (1, 2):
        rows += [
            f"{sid},2026-10-25T01:00,1",
            f"{sid},2026-10-25T02:00,2",
            f"{sid},2026-10-25T02:00,3",
            f"{sid},2026-10-25T03:00,4",
        ]
    path = tmp_path / "autumn.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.warns(DataWarning, match="2026-10-25 02:00 occur twice in Europe/Berlin"):
        frame = read_volume_file(path, timezone="Europe/Berlin")
    one = frame[frame.skill_id == 1]
    # first 02:00 is CEST (+02:00) = 00:00 UTC, the second CET (+01:00) = 01:00 UTC
    assert [t.isoformat() for t in one.interval_start] == [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T03:00:00+01:00",
    ]
    assert one.volume.tolist() == [1, 2, 3, 4]


def test_volume_from_xlsx(tmp_path):
    import openpyxl  # noqa: F401

    path = tmp_path / "fc.xlsx"
    pd.DataFrame(
        {
            "skill_id": [7, 7],
            "interval_start": ["2026-03-02 09:00", "2026-03-02 10:00"],
            "volume": [12.5, 0],
        }
    ).to_excel(path, index=False, sheet_name="forecast")
    frame = read_volume_file(path, timezone="America/New_York", sheet="forecast")
    assert frame.volume.tolist() == [12.5, 0.0]
    assert frame.interval_start.iloc[0] == pd.Timestamp("2026-03-02 09:00", tz="America/New_York")

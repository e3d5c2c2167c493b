"""Files as planners have them (issue 21, points 1, 4 and 5): five- and ten-minute rows summed to
the plan's interval, local times labelled ``Z``, dates as Excel saves them, DST days, other
column names, and every problem of a file at once. Real files written to tmp_path and read
back through the readers the plan uses."""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest

import staffing
from staffing.config import load_config
from staffing.errors import DataError, DataWarning
from staffing.plan import history as plan_history
from staffing.sources.files import read_history_file, read_volume_file
from tests.realdata import REALDATA, needs_bank

HISTORY = "skill_id,interval_start,net_handle_time_s,arrivals,handled_segments\n"


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


# --- point 1: rows shorter than the plan's interval ----------------------------------------


def test_five_minute_history_rows_are_summed_to_the_plans_interval(tmp_path):
    path = _csv(
        tmp_path,
        "five.csv",
        HISTORY
        + "1,2026-03-02T08:00Z,100,2,1\n1,2026-03-02T08:05Z,200,3,3\n"
        + "1,2026-03-02T08:30Z,300,4,\n1,2026-03-02T08:35Z,500,1,\n",
    )
    frame = read_history_file(path, interval_minutes=30).set_index("interval_start")
    first, second = frame.loc["2026-03-02 08:00Z"], frame.loc["2026-03-02 08:30Z"]
    assert frame["interval_minutes"].tolist() == [30, 30]
    # 08:00: arrivals 2 + 3, segments 1 + 3, NHT by segments (100*1 + 200*3) / 4 = 175 s
    assert (first.arrivals, first.handled_segments) == (5, 4)
    assert first.net_handle_time_s == pytest.approx(175.0)
    # 08:30: no segments, so the NHT is weighted by arrivals: (300*4 + 500*1) / 5 = 340 s
    assert second.arrivals == 5 and pd.isna(second.handled_segments)
    assert second.net_handle_time_s == pytest.approx(340.0)


def test_ten_minute_forecast_rows_are_summed_to_half_hours(tmp_path):
    rows = "".join(
        f"1,2026-03-02 09:{m:02d},{v}\n" for m, v in zip(range(0, 60, 10), range(1, 7), strict=True)
    )
    path = _csv(tmp_path, "ten.csv", "skill_id,interval_start,volume\n" + rows)
    frame = read_volume_file(path, timezone="Europe/Berlin", interval_minutes=30)
    assert [t.strftime("%H:%M") for t in frame.interval_start] == ["09:00", "09:30"]
    assert frame.volume.tolist() == [1 + 2 + 3, 4 + 5 + 6]


def test_rows_longer_than_the_plans_interval_are_refused_with_the_reason(tmp_path):
    history = _csv(
        tmp_path,
        "twenty.csv",
        "skill_id,interval_start,interval_minutes,net_handle_time_s,arrivals,handled_segments\n"
        "1,2026-03-02T08:00Z,20,300,4,4\n1,2026-03-02T08:20Z,20,300,4,4\n",
    )
    with pytest.raises(DataError) as info:
        read_history_file(history, interval_minutes=30)
    assert (
        "twenty.csv: interval_minutes is not 15, 30 or 60 and does not divide the plan's "
        "30-minute interval in rows 2, 3 (row 2: 20)" in str(info.value)
    )
    hourly = "".join(f"1,2026-03-02 {h:02d}:00,5\n" for h in range(8, 12))
    forecast = _csv(tmp_path, "hourly.csv", "skill_id,interval_start,volume\n" + hourly)
    with pytest.raises(DataError, match=r"hourly\.csv: rows are 60 minutes apart, longer than "):
        read_volume_file(forecast, timezone="UTC", interval_minutes=30)


# --- point 4: local times whatever their suffix says -----------------------------------------


def test_timezone_reads_z_times_as_local_wall_clock(tmp_path):
    history = _csv(tmp_path, "h.csv", HISTORY + "1,2026-03-02T09:00:00Z,300,10,10\n")
    frame = read_history_file(history, timezone="America/New_York")
    # 09:00 New York (EST, UTC-5) is 14:00 UTC, not the 09:00 UTC the Z says
    assert frame.interval_start.iloc[0] == pd.Timestamp("2026-03-02 14:00", tz="UTC")
    forecast = _csv(tmp_path, "f.csv", "skill_id,interval_start,volume\n1,2026-03-02T15:00:00Z,3\n")
    volume = read_volume_file(forecast, timezone="America/New_York", file_timezone="Europe/Berlin")
    # 15:00 Berlin (CET, UTC+1) = 14:00 UTC = 09:00 New York
    assert volume.interval_start.iloc[0].isoformat() == "2026-03-02T09:00:00-05:00"


def test_history_in_closed_hours_names_the_likely_shift(tmp_path):
    # A Monday 09:00-16:00 of New York wall-clock times written with a Z; open 09:00-17:00.
    rows = "".join(f"1,2026-03-02T{h:02d}:00Z,300,10,10\n" for h in range(9, 17))
    path = _csv(tmp_path, "z.csv", HISTORY + rows)
    config = load_config(
        {
            "plan": {
                "name": "z",
                "start": "2026-03-09",
                "weeks": 1,
                "timezone": "America/New_York",
            },
            "nht": {"source": "store"},
            "volume": {"source": "history"},
            "defaults": {"method": "workload", "shrinkage": 0.3, "fte_hours_per_week": 40},
            "skills": [{"id": 1, "name": "A", "open_hours": {"mon": "09:00-17:00"}}],
        }
    )
    skills, tz = config.resolved_skills, config.plan.timezone
    with pytest.warns(DataWarning) as caught:
        shift = plan_history.warn_shifted_history(read_history_file(path), skills, tz, "file z.csv")
    # read as UTC, 09Z-16Z is 04:00-11:00 EST: 5 of 8 hours closed; +5 h puts all 8 open
    assert shift == 5.0
    text = str(caught[0].message)
    assert (
        "62% of the history's arrivals fall in closed hours, 0% would with every time 5 h "
        "later (+5 h)" in text
    )
    assert "set nht.timezone: America/New_York" in text
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        local = read_history_file(path, timezone="America/New_York")
        assert plan_history.warn_shifted_history(local, skills, tz, "file z.csv") is None


# --- point 5: Excel dates, DST days, every problem at once ------------------------------------


@pytest.mark.parametrize(
    ("cells", "second"),
    [
        (["3/2/2026 0:00", "3/13/2026 0:00"], "2026-03-13"),  # 13 in the middle: month first
        (["2/3/2026 0:00", "13/3/2026 0:00"], "2026-03-13"),  # 13 in front: day first
        (["03.02.2026 00:00", "13.02.2026 12:00"], "2026-02-13"),  # dotted, day first
        (["3/2/2026 12:00 AM", "3/13/2026 1:30 PM"], "2026-03-13"),  # US clock
    ],
)
def test_excel_dates_in_a_csv_are_read_where_the_order_is_unambiguous(tmp_path, cells, second):
    body = "".join(f"1,{c},{i}\n" for i, c in enumerate(cells))
    path = _csv(tmp_path, "excel.csv", "skill_id,interval_start,volume\n" + body)
    frame = read_volume_file(path, timezone="Europe/Berlin")
    assert frame.interval_start.iloc[1].strftime("%Y-%m-%d") == second
    assert frame.interval_start.iloc[0].strftime("%H:%M") == "00:00"


def test_a_week_of_small_day_numbers_is_read_as_the_series_of_days_it_is(tmp_path):
    # 3/2 ... 3/8/2026: month-first is one week of days; day-first would be 3 Feb ... 3 Aug.
    body = "".join(f"1,3/{d}/2026 {h}:00,1\n" for d in range(2, 9) for h in range(24))
    path = _csv(tmp_path, "week.csv", "skill_id,interval_start,volume\n" + body)
    frame = read_volume_file(path, timezone="UTC")
    days = frame.interval_start.dt.strftime("%Y-%m-%d").unique().tolist()
    assert days == [f"2026-03-0{d}" for d in range(2, 9)]


def test_truly_ambiguous_dates_ask_for_date_format_and_it_is_used(tmp_path):
    path = _csv(
        tmp_path,
        "amb.csv",
        "skill_id,interval_start,volume\n1,3/2/2026 0:00,1\n1,2/3/2026 0:00,2\n",
    )
    with pytest.raises(DataError) as info:
        read_volume_file(path, timezone="UTC")
    text = str(info.value)
    assert "amb.csv: interval_start: dates such as '3/2/2026 0:00' can be read day-first" in text
    assert "set date_format" in text and "\n" not in text and "format='mixed'" not in text
    frame = read_volume_file(path, timezone="UTC", date_format="%d/%m/%Y %H:%M")
    assert frame.interval_start.dt.strftime("%Y-%m-%d").tolist() == ["2026-02-03", "2026-03-02"]


def test_an_xlsx_as_excel_saves_it_date_cells_and_text_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Skill ID", "Interval Start", "Volume"])
    sheet.append([1, dt.datetime(2026, 3, 13, 0, 0), 4])
    sheet.cell(row=2, column=2).number_format = "m/d/yyyy h:mm"
    sheet.append([1, dt.datetime(2026, 3, 13, 1, 0), 5])
    sheet.cell(row=3, column=2).number_format = "m/d/yyyy h:mm"
    book.save(tmp_path / "cells.xlsx")
    text = openpyxl.Workbook()
    text.active.append(["skill_id", "interval_start", "volume"])
    text.active.append([1, "3/13/2026 0:00", 4])
    text.active.append([1, "3/13/2026 1:00", 5])
    text.save(tmp_path / "text.xlsx")
    for name in ("cells.xlsx", "text.xlsx"):
        frame = read_volume_file(tmp_path / name, timezone="America/New_York")
        assert [t.isoformat() for t in frame.interval_start] == [
            "2026-03-13T00:00:00-04:00",
            "2026-03-13T01:00:00-04:00",
        ], name


def test_local_times_in_the_spring_gap_move_forward_with_a_note(tmp_path):
    # New York, 8 Mar 2026: 02:00 -> 03:00, so 02:00 and 02:30 do not exist.
    body = (
        "1,2026-03-08 01:30,1\n1,2026-03-08 02:00,2\n1,2026-03-08 02:30,3\n1,2026-03-08 03:00,4\n"
    )
    path = _csv(tmp_path, "spring.csv", "skill_id,interval_start,volume\n" + body)
    with pytest.warns(DataWarning) as caught:
        frame = read_volume_file(path, timezone="America/New_York", interval_minutes=30)
    assert (
        "local time(s) 2026-03-08 02:00, 2026-03-08 02:30 do not exist in America/New_York"
        in str(caught[0].message)
    )
    # their volume is counted at 03:00: 2 + 3 + 4; nothing lost (1 + 2 + 3 + 4 = 10)
    assert [t.isoformat() for t in frame.interval_start] == [
        "2026-03-08T01:30:00-05:00",
        "2026-03-08T03:00:00-04:00",
    ]
    assert frame.volume.tolist() == [1.0, 9.0]


def test_a_repeated_autumn_hour_of_local_history_is_read_in_order_with_a_note(tmp_path):
    # New York, 1 Nov 2026: 02:00 EDT -> 01:00 EST, so 01:00 occurs twice.
    rows = ["00:00", "01:00", "01:00", "02:00"]
    body = "".join(f"1,2026-11-01T{t}:00Z,300,{i},1\n" for i, t in enumerate(rows))
    path = _csv(tmp_path, "autumn.csv", HISTORY + body)
    with pytest.warns(DataWarning, match="2026-11-01 01:00 occur twice in America/New_York"):
        frame = read_history_file(path, timezone="America/New_York")
    # 00:00 and the first 01:00 are EDT (UTC-4), the second 01:00 and 02:00 EST (UTC-5)
    assert frame.interval_start.dt.strftime("%H:%M").tolist() == [
        "04:00",
        "05:00",
        "06:00",
        "07:00",
    ]


def test_every_problem_of_a_file_is_listed_at_once_with_rows(tmp_path):
    body = "".join(f"1,2026-03-02T{h:02d}:00Z,abc,1,1\n" for h in range(12))
    body += "1,2026-03-02T12:00Z,300,-5,1\n1,2026-13-45T00:00Z,300,1,1\n"
    path = _csv(tmp_path, "many.csv", HISTORY + body)
    with pytest.raises(DataError) as info:
        read_history_file(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 3 and all(line.startswith(f"{path}: ") for line in lines)
    assert lines[0].endswith(
        "interval_start is not an ISO timestamp in row 15: '2026-13-45T00:00Z'"
    )
    # the first ten rows and a count of the rest (rows 2 to 13 are the twelve 'abc')
    assert lines[1].endswith(
        "net_handle_time_s is not a number in rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more "
        "(row 2: 'abc')"
    )
    assert lines[2].endswith("arrivals is negative in row 14: -5")


# --- columns under other names, a single-skill file -------------------------------------------


def test_columns_and_skill_id_read_a_file_with_its_own_headers(tmp_path):
    text = "rownames,DateTime,Calls\n1,2026-03-02T09:00:00Z,7\n2,2026-03-02T09:30:00Z,8\n"
    path = _csv(tmp_path, "own.csv", text)
    columns = {"interval_start": "DateTime", "volume": "Calls"}
    frame = read_volume_file(path, timezone="UTC", columns=columns, skill_id=42)
    assert frame.skill_id.tolist() == [42, 42] and frame.volume.tolist() == [7.0, 8.0]
    with pytest.raises(DataError) as info:
        read_volume_file(path, timezone="UTC", columns={"volume": "Volume"}, skill_id=42)
    assert "own.csv: columns.volume: no column 'Volume' in the file (it has 'rownames', " in str(
        info.value
    )
    both = _csv(tmp_path, "both.csv", "skill_id,interval_start,volume\n1,2026-03-02 09:00,1\n")
    with pytest.raises(DataError, match="has a skill_id column and the config gives skill_id 42"):
        read_volume_file(both, timezone="UTC", skill_id=42)


# --- with main's handle-time and patience columns ----------------------------------------------


def test_handle_times_survive_summing_and_the_spring_gap_weighted_by_volume(tmp_path):
    # 10-minute rows with a handle time, summed to 30 minutes: (100*1 + 200*3) / 4 = 175 s
    ten = _csv(
        tmp_path,
        "aht.csv",
        "skill_id,interval_start,volume,AHT s\n1,2026-03-02 09:00,1,100\n"
        "1,2026-03-02 09:10,3,200\n1,2026-03-02 09:20,0,\n",
    )
    frame = read_volume_file(ten, timezone="Europe/Berlin", interval_minutes=30)
    assert frame.volume.tolist() == [4.0]
    assert frame.handle_time_s.tolist() == pytest.approx([175.0])
    # New York, 8 Mar 2026: 02:30 moves to 03:00 and is added there, its handle time weighted
    gap = _csv(
        tmp_path,
        "gap.csv",
        "skill_id,interval_start,volume,handle_time_s\n"
        "1,2026-03-08 01:30,1,300\n1,2026-03-08 02:30,1,100\n1,2026-03-08 03:00,3,500\n",
    )
    with pytest.warns(DataWarning):
        frame = read_volume_file(gap, timezone="America/New_York", interval_minutes=30)
    assert frame.volume.tolist() == [1.0, 4.0]
    assert frame.handle_time_s.tolist() == pytest.approx([300.0, (100 + 3 * 500) / 4])


def test_columns_maps_the_handle_time_and_refuses_its_unreadable_cells(tmp_path):
    text = "DateTime,Calls,Talk\n2026-03-02T09:00,7,240\n2026-03-02T09:30,8,#N/A\n"
    path = _csv(tmp_path, "talk.csv", text)
    columns = {"interval_start": "DateTime", "volume": "Calls", "handle_time_s": "talk"}
    with pytest.raises(DataError, match=r"talk.csv: Talk is not a number in row 3 \(#N/A\)"):
        read_volume_file(path, timezone="UTC", columns=columns, skill_id=5)
    path.write_text("DateTime,Calls,Talk\n2026-03-02T09:00,7,240\n2026-03-02T09:30,8,\n")
    frame = read_volume_file(path, timezone="UTC", columns=columns, skill_id=5)
    assert frame.handle_time_s.tolist()[0] == 240.0 and pd.isna(frame.handle_time_s.iloc[1])


def test_five_minute_history_sums_the_patience_columns(tmp_path):
    path = _csv(
        tmp_path,
        "patience.csv",
        "Skill ID,Interval Start,Net Handle Time S,Arrivals,Handled Segments,Abandoned,"
        "Total Wait S\n1,2026-03-02T08:00Z,100,2,1,1,30\n1,2026-03-02T08:05Z,200,3,3,-1,\n"
        "1,2026-03-02T08:10Z,200,3,3,2,50\n",
    )
    frame = read_history_file(path, interval_minutes=30)
    assert (frame.abandoned.tolist(), frame.total_wait_s.tolist()) == ([3.0], [80.0])


# --- real data: bank_calls.csv as it is --------------------------------------------------------

BANK = {"columns": {"interval_start": "DateTime", "arrivals": "Calls"}, "skill_id": 1}


@needs_bank
def test_bank_calls_five_minute_local_rows_summed_to_half_hours_and_hours():
    path = REALDATA / "bank_calls.csv"
    half = read_history_file(path, interval_minutes=30, timezone="America/New_York", **BANK)
    local = half.interval_start.dt.tz_convert("America/New_York")
    # totals from the file: awk -F, 'NR>1{s+=$3} END{print s}' bank_calls.csv -> 5323661;
    # 3 Mar 07:00-07:25: 111 + 113 + 76 + 82 + 91 + 87 = 560 (rows 1-6 of the file)
    assert half.arrivals.sum() == 5_323_661
    assert (
        half.loc[
            local == pd.Timestamp("2003-03-03 07:00", tz="America/New_York"), "arrivals"
        ].item()
        == 560
    )
    # the README: 164 days, 07:00-21:05 local: 29 half-hours a day (the last holds 21:00-21:05)
    assert len(half) == 164 * 29 and set(half.interval_minutes) == {30}
    starts = local.groupby(local.dt.date).min()
    assert len(starts) == 164 and set(starts.dt.strftime("%H:%M")) == {"07:00"}
    # across the DST change of 6 Apr 2003 the day still starts 07:00 local: 12:00 UTC (EST)
    # on 3 Apr, 11:00 UTC (EDT) on 8 Apr
    utc = half.interval_start.groupby(local.dt.date).min()
    assert utc[dt.date(2003, 4, 3)].hour == 12 and utc[dt.date(2003, 4, 8)].hour == 11

    hourly = read_volume_file(
        path,
        timezone="America/New_York",
        interval_minutes=60,
        file_timezone="America/New_York",
        columns={"interval_start": "DateTime", "volume": "Calls"},
        skill_id=1,
    )
    # 3 Mar 07:00-07:55, the file's first twelve rows: awk gives 1169
    assert hourly.volume.iloc[0] == 1169 and hourly.volume.sum() == 5_323_661
    assert len(hourly) == 164 * 15


def test_the_plan_passes_the_layout_keys_and_its_interval_to_the_volume_reader(tmp_path):
    # One day of ten-minute rows under the file's own headers, local times written with a Z.
    times = pd.date_range("2026-03-02 00:00", periods=6 * 24, freq="10min")
    body = "".join(f"{i},{t:%Y-%m-%dT%H:%M:%S}Z,{1 + i % 3}\n" for i, t in enumerate(times))
    (tmp_path / "calls.csv").write_text("rownames,DateTime,Calls\n" + body)
    result = staffing.plan(
        {
            "plan": {
                "name": "calls",
                "start": "2026-03-02",
                "end": "2026-03-02",
                "timezone": "America/New_York",
                "interval_minutes": 30,
            },
            "nht": {"source": "store"},  # never read: the skill has its own NHT
            "volume": {
                "source": "file",
                "path": str(tmp_path / "calls.csv"),
                "timezone": "America/New_York",
                "columns": {"interval_start": "DateTime", "volume": "Calls"},
                "skill_id": 5,
            },
            "defaults": {"method": "workload", "shrinkage": 0.3, "fte_hours_per_week": 40},
            "skills": [{"id": 5, "name": "Calls", "nht_seconds": 300}],
        }
    )
    volume = result.intervals["volume"].to_numpy()
    # 48 half-hours of the local day; each sums three rows of 1, 2 and 3 calls = 6
    assert len(volume) == 48 and (volume == 6).all()
    assert result.intervals["interval_start"].iloc[0].isoformat() == "2026-03-02T00:00:00-05:00"

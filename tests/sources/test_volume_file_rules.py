"""The volume forecast reader's rules and messages, each on a small table written by hand.

A planner fixes a forecast from the error alone, so each message is checked word for word:
the file, the column, the rows, the skill and time (issue 23: each test kills mutants of
:mod:`staffing.sources.files` that change what a planner reads). The forecast on the plan's
grid is checked with its horizon boundaries and the note about skills left out.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from staffing.errors import DataError, DataWarning
from staffing.sources.files import (
    check_interval_frame,
    check_volume_frame,
    read_table,
    read_volume_file,
    volume_on_grid,
)

T = "2026-03-02 08:00"


def _problems(frame: pd.DataFrame, column: str = "volume", **kw) -> list[str]:
    with pytest.raises(DataError) as info:
        check_interval_frame(frame, column, timezone=kw.pop("timezone", "UTC"), where="f.csv", **kw)
    return str(info.value).splitlines()


# --- check_interval_frame: every problem with its rows, skill and time -------------------------


def test_unreadable_skill_ids_are_named_once_and_never_as_a_skill_of_their_own():
    """Rule: a skill id that is not a whole number ('abc', 1.5) is an error naming the rows;
    such rows are not reported again as two rows of a made-up skill, nor as repeats of a
    real skill (1, or -2) at the same time."""
    frame = pd.DataFrame(
        {"skill_id": [1, "abc", 1.5, -2], "interval_start": [T] * 4, "volume": [1, 2, 3, 4]}
    )
    assert _problems(frame) == ["f.csv: skill_id is not a whole number in rows 3, 4 (row 3: 'abc')"]


def test_missing_and_negative_volumes_name_rows_skill_and_local_time():
    """Rule: a volume that is empty, not a number or negative is refused with its rows, the
    first value, its skill and its local time ('?' where the time is unreadable, '?' for a
    skill that is unreadable)."""
    frame = pd.DataFrame(
        {
            "skill_id": [1, 1, 1, 1, 2, "x"],
            "interval_start": [
                "2026-03-02 08:00",
                "2026-03-02 09:00",
                "2026-03-02 10:00",
                "2026-03-02 11:00",
                "2026-13-02 11:00",
                "2026-03-02 12:00",
            ],
            "volume": ["abc", None, -2, -3, np.nan, -1],
        }
    )
    problems = _problems(frame, timezone="Europe/Berlin")
    assert problems[0] == "f.csv: skill_id is not a whole number in row 7: 'x'"
    assert problems[1].startswith("f.csv: interval_start is not a date and time")
    assert problems[2:] == [
        "f.csv: volume is missing or not a number in rows 2, 3, 6 "
        "(row 2: 'abc' for skill 1 at 2026-03-02T08:00:00+01:00)",
        "f.csv: volume is negative in rows 4, 5, 7 (row 4: -2 for skill 1 at "
        "2026-03-02T10:00:00+01:00)",
    ]
    unreadable = frame.iloc[[4]].reset_index(drop=True)
    assert _problems(unreadable, timezone="Europe/Berlin")[1] == (
        "f.csv: volume is missing or not a number in row 2: '' for skill 2 at ?"
    )
    no_skill = frame.iloc[[5]].reset_index(drop=True)
    assert _problems(no_skill, timezone="Europe/Berlin")[1] == (
        "f.csv: volume is negative in row 2: -1 for skill ? at 2026-03-02T12:00:00+01:00"
    )


def test_a_missing_volume_alone_is_refused():
    """Rule: an empty volume cell is an error even when no volume is negative."""
    frame = pd.DataFrame({"skill_id": [1, 1], "interval_start": [T, "2026-03-02 09:00"]})
    frame["volume"] = [1.0, np.nan]
    assert _problems(frame) == [
        "f.csv: volume is missing or not a number in row 3: '' for skill 1 at "
        "2026-03-02T09:00:00+00:00"
    ]


def test_two_rows_for_a_skill_and_time_are_both_named_and_listing_stops_at_ten():
    """Rule: a skill given two different volumes for one time is refused naming both rows;
    at most ten such problems are listed (ROWS_LISTED), then the error is raised."""
    starts = [f"2026-03-02 {h:02d}:00" for h in range(12) for _ in (0, 1)]
    frame = pd.DataFrame({"skill_id": [1] * 24, "interval_start": starts, "volume": range(24)})
    problems = _problems(frame)
    assert len(problems) == 10
    assert problems[0] == "f.csv: skill 1 has two rows for 2026-03-02T00:00:00+00:00 (rows 2, 3)"
    assert problems[9] == "f.csv: skill 1 has two rows for 2026-03-02T09:00:00+00:00 (rows 20, 21)"


def test_a_missing_column_is_named_with_the_file():
    """Rule: a table without its value column is refused naming the file and the column."""
    frame = pd.DataFrame({"skill_id": [1], "interval_start": [T]})
    assert _problems(frame, column="scheduled") == [
        "f.csv: missing column(s) scheduled (has: skill_id, interval_start)"
    ]


def test_an_unreadable_handle_time_is_named_with_the_file():
    """Rule: the handle-time column's errors name the file too."""
    frame = pd.DataFrame(
        {"skill_id": [1], "interval_start": [T], "volume": [1], "handle_time_s": ["abc"]}
    )
    with pytest.raises(DataError) as info:
        check_volume_frame(frame, timezone="UTC", where="f.csv")
    assert str(info.value).startswith("f.csv: handle_time_s is not a number in row 2 (abc)")


def test_the_autumn_hour_is_read_in_row_order_for_each_skill():
    """Rule: each skill's first 01:00 of the repeated autumn hour is EDT and its second EST,
    skill by skill, so two skills in the same hour are not taken for repeats."""
    frame = pd.DataFrame(
        {"skill_id": [1, 1, 2, 2], "interval_start": ["2026-11-01 01:00"] * 4, "volume": 1.0}
    )
    with pytest.warns(DataWarning, match="occur twice in America/New_York"):
        out = check_interval_frame(frame, "volume", timezone="America/New_York", where="f")
    assert [t.isoformat() for t in out["interval_start"]] == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:00:00-05:00",
    ] * 2


# --- read_volume_file and read_table: files as planners have them -------------------------------


def _workbook(path, sheets: dict[str, pd.DataFrame]) -> None:
    pytest.importorskip("openpyxl")
    with pd.ExcelWriter(path) as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def test_the_named_sheet_is_read_and_its_handle_times_checked(tmp_path):
    """Rule: ``sheet`` names the sheet read (values and the text of its handle-time cells),
    not the first sheet of the workbook."""
    forecast = pd.DataFrame(
        {"skill_id": [1, 1], "interval_start": [T, "2026-03-02 09:00"], "volume": [3, 4]}
    )
    notes = pd.DataFrame({"note": ["made by hand"]})
    path = tmp_path / "book.xlsx"
    _workbook(path, {"Notes": notes, "Forecast": forecast.assign(handle_time_s=[200, 300])})
    frame = read_volume_file(path, timezone="UTC", sheet="Forecast")
    assert frame["volume"].tolist() == [3.0, 4.0]
    assert frame["handle_time_s"].tolist() == [200.0, 300.0]
    _workbook(path, {"Notes": notes, "Forecast": forecast.assign(handle_time_s=[200, "#N/A"])})
    with pytest.raises(DataError, match=r"book\.xlsx: handle_time_s is not a number in row 3"):
        read_volume_file(path, timezone="UTC", sheet="Forecast")


def test_an_xlsm_workbook_is_read_as_a_workbook(tmp_path):
    """Rule: ``.xlsm`` (a workbook with macros) is read as a workbook, like ``.xlsx``."""
    path = tmp_path / "forecast.xlsm"
    _workbook(path, {"Sheet1": pd.DataFrame({"skill_id": [1], "interval_start": [T], "volume": 2})})
    assert read_volume_file(path, timezone="UTC")["volume"].tolist() == [2.0]


def test_five_minute_rows_are_summed_to_local_hours_in_a_half_hour_offset_zone(tmp_path):
    """Rule: rows are summed to the plan's intervals on the plan zone's wall clock: in
    Kolkata (UTC+05:30) twelve five-minute rows from 09:00 make the 09:00 hour."""
    path = tmp_path / "kolkata.csv"
    rows = "".join(f"1,2026-03-02 09:{m:02d},1\n" for m in range(0, 60, 5))
    path.write_text("skill_id,interval_start,volume\n" + rows)
    frame = read_volume_file(path, timezone="Asia/Kolkata", interval_minutes=60)
    assert [t.isoformat() for t in frame["interval_start"]] == ["2026-03-02T09:00:00+05:30"]
    assert frame["volume"].tolist() == [12.0]


def test_file_errors_name_the_file_and_what_it_holds(tmp_path, monkeypatch):
    """Rule: a forecast that is missing, unreadable, a truncated workbook, or a workbook
    without openpyxl installed is refused with the file's name, what it holds and the way
    out, word for word."""
    missing = tmp_path / "gone.csv"
    with pytest.raises(DataError) as info:
        read_volume_file(missing, timezone="UTC")
    assert str(info.value) == f"{missing}: file not found"
    garbled = tmp_path / "garbled.csv"
    garbled.write_bytes(b"skill_id,interval_start,volume\n1,\xff\xfe,3\n")
    with pytest.raises(DataError) as info:
        read_volume_file(garbled, timezone="UTC")
    assert str(info.value).startswith(f"{garbled}: cannot read the volume forecast: ")
    with pytest.raises(DataError) as info:
        read_table(garbled)
    assert str(info.value).startswith(f"{garbled}: cannot read the file: ")
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(b"PK\x03\x04 not a whole workbook")
    with pytest.raises(DataError) as info:
        read_table(cut)
    assert str(info.value) == (
        f"{cut}: not a readable xlsx workbook (truncated or not an Excel file?): save it "
        "again from Excel, or as CSV"
    )
    good = tmp_path / "good.xlsx"
    _workbook(good, {"Sheet1": pd.DataFrame({"skill_id": [1]})})
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if it were not installed
    with pytest.raises(DataError) as info:
        read_table(good)
    assert str(info.value) == (
        f"{good}: reading .xlsx needs the openpyxl package (pip install openpyxl), or save it "
        "as CSV"
    )


# --- volume_on_grid: the forecast on the plan's grid -----------------------------------------

GRID = pd.date_range("2026-03-02 08:00", periods=3, freq="60min", tz="Europe/Berlin")
PLANNED = [(1, f"2026-03-02 {h:02d}:00", float(h)) for h in (8, 9, 10)]


def _volume(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["skill_id", "interval_start", "volume"])
    frame["interval_start"] = pd.to_datetime(frame["interval_start"]).dt.tz_localize(
        "Europe/Berlin"
    )
    return frame


def test_a_forecast_of_planned_skills_only_has_no_note():
    """Rule: the note is None (not an empty text) when every skill is planned."""
    values, note = volume_on_grid(_volume(PLANNED), GRID, [1], where="f.csv")
    assert values.tolist() == [8.0, 9.0, 10.0] and note is None


def test_rows_outside_the_horizon_are_left_out_at_both_ends():
    """Rule: the horizon is [first start, last start + interval): rows before it and at its
    end (11:00) are not the plan's and are ignored, not refused as off the grid."""
    outside = [(1, "2026-03-02 07:00", 100.0), (1, "2026-03-02 11:00", 1000.0)]
    values, _ = volume_on_grid(_volume(PLANNED + outside), GRID, [1], where="f.csv")
    assert values.tolist() == [8.0, 9.0, 10.0]


@pytest.mark.parametrize(
    ("count", "listed"),
    [
        (10, "2, 3, 4, 5, 6, 7, 8, 9, 10, 11"),
        (11, "2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 1 more"),
        (12, "2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more"),
    ],
)
def test_skills_left_out_are_noted_with_their_contacts_in_the_horizon(count, listed):
    """Rule: skills of the forecast that the plan lacks are left out with a note listing the
    first ten and counting the rest, with their contacts inside the horizon only (one each
    at 09:00; the 100 before it and the 1,000 at its end are not counted)."""
    unknown = [(s, "2026-03-02 09:00", 1.0) for s in range(2, 2 + count)]
    unknown += [(2, "2026-03-02 07:00", 100.0), (2, "2026-03-02 11:00", 1000.0)]
    with pytest.warns(DataWarning) as caught:
        values, note = volume_on_grid(_volume(PLANNED + unknown), GRID, [1], where="f.csv")
    expected = (
        f"f.csv: {count} skill(s) not in the config left out ({listed}; "
        f"{count} contacts in the horizon)"
    )
    assert note == expected and [str(w.message) for w in caught] == [expected]
    assert values.tolist() == [8.0, 9.0, 10.0]


def test_a_time_off_the_grid_is_refused_naming_skill_time_and_interval():
    """Rule: a planned skill's time off the plan's grid is refused with the skill, the local
    time, the interval length and the setting to match."""
    with pytest.raises(DataError) as info:
        volume_on_grid(_volume([*PLANNED, (1, "2026-03-02 08:30", 1.0)]), GRID, [1], where="f")
    assert str(info.value) == (
        "f: skill 1 at 2026-03-02T08:30:00+01:00 is not on the plan's 60-minute interval "
        "grid (the forecast's intervals must match plan.interval_minutes)"
    )


def test_a_planned_interval_without_volume_is_refused_with_a_count():
    """Rule: a planned skill and interval of the horizon without a volume is refused, naming
    the first and counting them all."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        with pytest.raises(DataError) as info:
            volume_on_grid(_volume(PLANNED[:1]), GRID, [1], where="f")
    assert str(info.value) == (
        "f: no volume for skill 1 at 2026-03-02T09:00:00+01:00 (2 skill-interval(s) missing "
        "in the horizon)"
    )

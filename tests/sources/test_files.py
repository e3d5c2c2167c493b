"""Hostile history and forecast files: refused with the file, column and row named.

Each case injects one fault into an otherwise valid history CSV (issue "Nothing lost
silently", points 2 to 4): the expected outcome is an error naming where, never a
quietly different number.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from staffing.errors import DataError, DataWarning
from staffing.forecast import hourly_history
from staffing.sources.files import read_history_file, read_volume_file

HEADER = "skill_id,interval_start,interval_minutes,net_handle_time_s,arrivals,handled_segments\n"
GOOD = [
    "1,2026-01-05T08:00Z,60,300,10,9\n",
    "1,2026-01-05T09:00Z,60,320,12,11\n",
    "2,2026-01-05T08:00Z,60,200,5,5\n",
]


def _write(tmp_path, *rows: str):
    path = tmp_path / "nht.csv"
    path.write_text(HEADER + "".join(rows))
    return path


def test_identical_repeated_rows_are_dropped(tmp_path):
    frame = read_history_file(_write(tmp_path, *GOOD, GOOD[1]))
    assert len(frame) == 3
    assert frame["arrivals"].tolist() == [10.0, 12.0, 5.0]


def test_a_repeated_row_with_other_values_is_refused_naming_skill_hour_and_rows(tmp_path):
    path = _write(tmp_path, *GOOD, "1,2026-01-05T09:00Z,60,320,17,11\n")
    with pytest.raises(DataError) as info:
        read_history_file(path)
    # rows 3 and 5 of the file (the header is row 1)
    assert (
        "skill 1 at 2026-01-05 09:00 UTC is given twice with different values "
        "(rows 3 and 5)" in str(info.value)
    )


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("inf", "net_handle_time_s is not a finite number in row 3"),
        ("-inf", "net_handle_time_s is not a finite number in row 3"),
        ("-300", "net_handle_time_s is negative in row 3"),
        ("abc", "net_handle_time_s is not a number in row 3"),
    ],
)
def test_non_finite_and_negative_nht_are_refused(tmp_path, cell, words):
    row = f"1,2026-01-05T09:00Z,60,{cell},12,11\n"
    with pytest.raises(DataError, match=words):
        read_history_file(_write(tmp_path, GOOD[0], row))


def test_minus_one_and_blank_mean_no_data(tmp_path):
    # LivePerson's -1 and an empty cell are "no data": accepted, and NaN once the history
    # is prepared for the forecast, never a value.
    frame = read_history_file(_write(tmp_path, GOOD[0], "1,2026-01-05T09:00Z,60,-1,,11\n"))
    hourly = hourly_history(frame)
    assert hourly["net_handle_time_s"].isna().tolist() == [False, True]
    assert hourly["arrivals"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (
            "1,2026-01-05T09:00Z,45,300,12,11\n",
            "interval_minutes is not 15, 30 or 60 and does not divide .* in row 3",
        ),
        ("1,2026-01-05T09:17Z,60,300,12,11\n", "interval_start is not on the grid .* in row 3"),
        ("1,2026-01-05T09:15Z,30,300,12,11\n", "interval_start is not on the grid .* in row 3"),
    ],
)
def test_off_grid_rows_are_refused(tmp_path, row, words):
    with pytest.raises(DataError, match=words):
        read_history_file(_write(tmp_path, GOOD[0], row))


def test_implausible_magnitudes_warn(tmp_path):
    path = _write(tmp_path, GOOD[0], "1,2026-01-05T09:00Z,60,300,1e300,11\n")
    with pytest.warns(DataWarning, match="arrivals above 1e\\+06"):
        frame = read_history_file(path)
    assert frame["arrivals"].iloc[1] == 1e300


def test_plausible_history_does_not_warn(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        assert len(read_history_file(_write(tmp_path, *GOOD))) == 3


def test_a_truncated_xlsx_forecast_is_a_clear_error(tmp_path):
    good = tmp_path / "good.xlsx"
    pd.DataFrame(
        {"skill_id": [1], "interval_start": ["2026-01-05 08:00"], "volume": [3.0]}
    ).to_excel(good, index=False)
    cut = tmp_path / "forecast.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(DataError, match=r"forecast\.xlsx: not a readable xlsx workbook"):
        read_volume_file(cut, timezone="UTC")

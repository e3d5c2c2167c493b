"""The NHT history reader's rules, each checked on a small file with the figures by hand.

Rows moved out of a spring DST gap summed into the interval they land in, the grid of a zone
whose offset is not a whole hour, a repeated autumn hour read per skill, the history's own
columns and row numbers, and every message naming the file (issue 23: each test kills the
mutants of :mod:`staffing.sources.files` that change what a planner reads).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from staffing.errors import DataError, DataWarning
from staffing.sources.files import read_history_file, warn_implausible

HEADER = "skill_id,interval_start,interval_minutes,net_handle_time_s,arrivals,handled_segments\n"
COLUMNS = [
    "skill_id",
    "interval_start",
    "interval_minutes",
    "net_handle_time_s",
    "arrivals",
    "handled_segments",
]


def _history(tmp_path, rows: list[str], name: str = "nht.csv", header: str = HEADER):
    path = tmp_path / name
    path.write_text(header + "".join(f"{row}\n" for row in rows))
    return path


def _expected(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True).dt.as_unit("us")
    return frame.astype(
        {
            "skill_id": "int64",
            "interval_minutes": "int64",
            "net_handle_time_s": float,
            "arrivals": float,
            "handled_segments": float,
        }
    )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["skill_id", "interval_start"]).reset_index(drop=True)


# New York, 8 Mar 2026: 02:00 EST -> 03:00 EDT; 01:xx is UTC-5, 03:00 on UTC-4.
SPRING = [
    "1,2026-03-08T01:00,60,300,10,10",
    "1,2026-03-08T02:00,60,200,4,4",  # in the gap: moves to 03:00
    "1,2026-03-08T03:00,60,400,6,6",
    "1,2026-03-08T04:00,60,-1,5,-1",  # no NHT data: stays -1, never summed
    "2,2026-03-08T01:30,30,100,1,1",
    "2,2026-03-08T02:00,30,200,2,2",  # both in the gap: move to 03:00
    "2,2026-03-08T02:30,30,300,3,3",
    "2,2026-03-08T03:00,30,400,4,4",
    "2,2026-03-08T03:30,30,500,5,5",
]


def test_rows_moved_out_of_the_spring_gap_are_summed_where_they_land_per_row_length(tmp_path):
    """Rule: a local time in the spring gap moves to the first time after it and its counts
    are added to the row already there (NHT weighted by segments), for hourly and half-hourly
    skills alike; rows that did not move are returned exactly as read."""
    with pytest.warns(DataWarning, match="do not exist in America/New_York"):
        frame = read_history_file(_history(tmp_path, SPRING), timezone="America/New_York")
    # skill 1 at 03:00 EDT (07:00Z): arrivals 4 + 6, NHT (200*4 + 400*6) / 10 = 320 s;
    # skill 2 at 03:00 EDT: arrivals 2 + 3 + 4, NHT (200*2 + 300*3 + 400*4) / 9 s.
    expected = _expected(
        [
            (1, "2026-03-08T06:00Z", 60, 300.0, 10, 10),
            (1, "2026-03-08T07:00Z", 60, 320.0, 10, 10),
            (1, "2026-03-08T08:00Z", 60, -1.0, 5, -1),
            (2, "2026-03-08T06:30Z", 30, 100.0, 1, 1),
            (2, "2026-03-08T07:00Z", 30, 2900 / 9, 9, 9),
            (2, "2026-03-08T07:30Z", 30, 500.0, 5, 5),
        ]
    )
    pd.testing.assert_frame_equal(_sorted(frame), expected)


def test_a_row_moved_out_of_the_gap_to_an_empty_slot_keeps_a_clean_row_index(tmp_path):
    """Rule: the history comes back as a plain table (index 0..n-1, one label a row), also
    when a row moved out of the gap lands where no other row is."""
    rows = ["3,2026-03-08T01:00,60,100,1,1", "3,2026-03-08T02:00,60,200,2,2"]
    rows.append("3,2026-03-08T04:00,60,300,3,3")
    with pytest.warns(DataWarning):
        frame = read_history_file(_history(tmp_path, rows), timezone="America/New_York")
    expected = _expected(
        [
            (3, "2026-03-08T06:00Z", 60, 100.0, 1, 1),
            (3, "2026-03-08T08:00Z", 60, 300.0, 3, 3),
            (3, "2026-03-08T07:00Z", 60, 200.0, 2, 2),  # moved: after the rows kept in place
        ]
    )
    pd.testing.assert_frame_equal(frame, expected)


def test_a_half_hour_offset_zone_keeps_its_local_hours(tmp_path):
    """Rule: the grid follows the zone's wall clock: in Kolkata (UTC+05:30) hourly rows at
    local 09:00 are on the grid, and five-minute rows are summed to local hours (03:30Z),
    not to UTC hours."""
    rows = ["1,2026-03-02T09:00,60,300,10,10", "1,2026-03-02T10:00,60,300,10,10"]
    rows += [f"2,2026-03-02T09:{m:02d},5,100,1,1" for m in range(0, 60, 5)]
    frame = read_history_file(_history(tmp_path, rows), timezone="Asia/Kolkata")
    expected = _expected(
        [
            (1, "2026-03-02T03:30Z", 60, 300.0, 10, 10),
            (1, "2026-03-02T04:30Z", 60, 300.0, 10, 10),
            (2, "2026-03-02T03:30Z", 60, 100.0, 12, 12),  # twelve 5-minute rows of 1
        ]
    )
    pd.testing.assert_frame_equal(_sorted(frame), expected)


def test_five_minute_rows_are_summed_to_hours_by_default(tmp_path):
    """Rule: without ``interval_minutes`` the plan's interval is 60 minutes (the documented
    default), so five-minute rows come back as one hourly row."""
    header = "skill_id,interval_start,net_handle_time_s,arrivals,handled_segments\n"
    rows = [f"1,2026-03-02T08:{m:02d}Z,100,1,1" for m in range(0, 60, 5)]
    frame = read_history_file(_history(tmp_path, rows, header=header))
    assert frame["interval_minutes"].tolist() == [60]
    assert frame["arrivals"].tolist() == [12.0]


def test_the_autumn_hour_is_read_in_file_order_for_each_skill(tmp_path):
    """Rule: in the repeated autumn hour each skill's first 01:00 is the earlier instant
    (EDT) and its second the later (EST), skill by skill, so two skills with the same hour
    are not taken for repeats of one another."""
    rows = [f"{s},2026-11-01T01:00,60,300,{s}{i},1" for s in (1, 2) for i in (1, 2)]
    with pytest.warns(DataWarning, match="occur twice in America/New_York"):
        frame = read_history_file(_history(tmp_path, rows), timezone="America/New_York")
    # 01:00 EDT = 05:00Z, 01:00 EST = 06:00Z
    got = _sorted(frame)[["skill_id", "interval_start", "arrivals"]]
    assert got.astype({"interval_start": str}).values.tolist() == [
        [1, "2026-11-01 05:00:00+00:00", 11.0],
        [1, "2026-11-01 06:00:00+00:00", 12.0],
        [2, "2026-11-01 05:00:00+00:00", 21.0],
        [2, "2026-11-01 06:00:00+00:00", 22.0],
    ]


def test_ambiguous_dates_are_read_with_the_given_date_format(tmp_path):
    """Rule: ``date_format`` decides day-first dates in a history file as in a forecast."""
    rows = ["1,3/2/2026 8:00,60,300,1,1", "1,2/3/2026 8:00,60,300,2,2"]
    frame = read_history_file(_history(tmp_path, rows), date_format="%d/%m/%Y %H:%M")
    assert frame["interval_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-02-03",
        "2026-03-02",
    ]


def test_a_history_of_arrivals_only_has_empty_handle_time_columns(tmp_path):
    """Rule: a file without ``net_handle_time_s`` and ``handled_segments`` is read as
    arrivals only, with both columns present and empty (no data), not refused."""
    header = "skill_id,interval_start,arrivals\n"
    frame = read_history_file(_history(tmp_path, ["1,2026-03-02T08:00Z,7"], header=header))
    assert frame["arrivals"].tolist() == [7.0]
    assert frame["net_handle_time_s"].isna().all() and frame["handled_segments"].isna().all()


def test_the_history_has_the_stores_columns_with_whole_skill_ids(tmp_path):
    """Rule: the history comes out in the store's shape: these columns and no others (the
    file has none more), ``skill_id`` int64 even when written ``1.0``."""
    frame = read_history_file(_history(tmp_path, ["1.0,2026-03-02T08:00Z,60,300,5,5"]))
    expected = _expected([(1, "2026-03-02T08:00Z", 60, 300.0, 5, 5)])
    pd.testing.assert_frame_equal(frame, expected)


def test_columns_and_skill_id_map_a_history_file_with_its_own_headers(tmp_path):
    """Rule: ``columns`` and ``skill_id`` read a history file with other headers and no skill
    column; a mapped header the file lacks is an error naming the file."""
    header = "DateTime,Calls\n"
    path = _history(tmp_path, ["2026-03-02T08:00Z,7"], name="own.csv", header=header)
    columns = {"interval_start": "DateTime", "arrivals": "Calls"}
    frame = read_history_file(path, columns=columns, skill_id=42)
    assert frame["skill_id"].tolist() == [42] and frame["arrivals"].tolist() == [7.0]
    with pytest.raises(DataError) as info:
        read_history_file(path, columns={"arrivals": "Volume"}, skill_id=42)
    assert str(info.value).startswith(f"{path}: columns.arrivals: no column 'Volume'")


def test_two_values_for_one_skill_and_hour_name_the_first_clash_and_its_rows(tmp_path):
    """Rule: with several clashes the message names the first clashing row's skill and hour
    and the row of its own twin (rows 2 and 4), not a row of another hour."""
    rows = [
        "1,2026-03-02T09:00Z,60,300,1,1",
        "1,2026-03-02T08:00Z,60,300,2,2",
        "1,2026-03-02T09:00Z,60,300,3,3",
        "1,2026-03-02T08:00Z,60,300,4,4",
    ]
    with pytest.raises(DataError) as info:
        read_history_file(_history(tmp_path, rows))
    path = tmp_path / "nht.csv"
    assert str(info.value) == (
        f"{path}: skill 1 at 2026-03-02 09:00 UTC is given twice with different values "
        "(rows 2 and 4); refusing to pick one"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a readable CSV: No columns to parse from file"),
        (HEADER.replace(",arrivals", ""), "missing column(s) arrivals"),
        (HEADER.replace("arrivals", "Arrivals,arrivals"), "columns 'Arrivals' and 'arrivals'"),
    ],
)
def test_history_errors_start_with_the_file(tmp_path, text, message):
    """Rule: every error about a history file starts with the file's path."""
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        read_history_file(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_a_missing_history_file_is_named(tmp_path):
    """Rule: a history file that is not there is named in the error."""
    with pytest.raises(DataError) as info:
        read_history_file(tmp_path / "gone.csv")
    assert str(info.value) == f"{tmp_path / 'gone.csv'}: file not found"


def test_an_implausible_value_is_warned_naming_the_file_value_skill_and_hour(tmp_path):
    """Rule: a value above :data:`PLAUSIBLE_MAX` is warned with the file, the count, the
    limit, the first value with its skill and hour, and what to do."""
    path = _history(tmp_path, ["7,2026-03-02T08:00Z,60,90000,5,5"])
    with pytest.warns(DataWarning) as caught:
        read_history_file(path)
    assert [str(w.message) for w in caught] == [
        f"{path}: 1 value(s) of net_handle_time_s above 86400, e.g. 9e+04 for skill 7 at "
        "2026-03-02 08:00:00+00:00: check the history"
    ]


def _one_row(**values: float) -> pd.DataFrame:
    start = pd.Timestamp("2026-03-02 08:00", tz="UTC")
    return pd.DataFrame({"skill_id": [7], "interval_start": [start], **values})


def test_a_value_exactly_at_the_plausible_limit_is_not_warned():
    """Rule: only values above the limit warn (86,400 s is a whole day: possible)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        warn_implausible(_one_row(net_handle_time_s=86_400.0, arrivals=1e6), "h")


def test_a_history_without_one_metric_is_still_checked_for_the_others():
    """Rule: a column the history lacks is skipped, not the end of the checks: an
    implausible handle time is warned when ``handled_segments`` is absent."""
    frame = _one_row(arrivals=5.0, net_handle_time_s=1e9)
    with pytest.warns(DataWarning, match=r"h: 1 value\(s\) of net_handle_time_s above 86400"):
        warn_implausible(frame, "h")


def test_a_repeat_with_other_patience_counts_is_a_clash_not_a_duplicate(tmp_path):
    """Rule: a row is an identical repeat only when its patience counts (``abandoned``,
    ``total_wait_s``) match too: otherwise the file gives two values and is refused, and an
    abandoned count is never dropped silently. Columns the history does not count (a note)
    are carried, not compared."""
    header = HEADER.replace("\n", ",abandoned,note\n")
    same = ["1,2026-03-02T08:00Z,60,300,5,5,2,a", "1,2026-03-02T08:00Z,60,300,5,5,2,b"]
    frame = read_history_file(_history(tmp_path, same, header=header))
    assert frame[["arrivals", "abandoned", "note"]].values.tolist() == [[5.0, 2.0, "a"]]
    other = [same[0], "1,2026-03-02T08:00Z,60,300,5,5,3,a"]
    with pytest.raises(DataError, match=r"given twice with different values \(rows 2 and 3\)"):
        read_history_file(_history(tmp_path, other, header=header))


@pytest.mark.parametrize(
    ("column", "row"),
    [
        ("net_handle_time_s", "1,2026-03-02T08:00Z,60,301,5,5"),
        ("arrivals", "1,2026-03-02T08:00Z,60,300,6,5"),
        ("handled_segments", "1,2026-03-02T08:00Z,60,300,5,4"),
    ],
)
def test_a_repeat_differing_in_any_one_figure_is_refused(tmp_path, column, row):
    """Rule: a skill and hour given twice is an identical repeat only when every figure
    matches; one figure different (here ``column``) is two values, refused."""
    rows = ["1,2026-03-02T08:00Z,60,300,5,5", row]
    with pytest.raises(DataError, match=r"given twice with different values \(rows 2 and 3\)"):
        read_history_file(_history(tmp_path, rows))


def test_rows_moved_out_of_the_gap_in_a_half_hour_offset_zone_land_on_its_local_hour(tmp_path):
    """Rule: a row moved out of the spring gap is added to the local interval it lands in,
    on the zone's own clock: Adelaide (UTC+09:30, 4 Oct 2026 02:00 -> 03:00) sums the moved
    02:00 row into 03:00 local, which is 16:30 UTC, not a UTC hour."""
    rows = ["1,2026-10-04T01:00,60,100,1,1", "1,2026-10-04T02:00,60,200,2,2"]
    rows.append("1,2026-10-04T03:00,60,400,3,3")
    with pytest.warns(DataWarning, match="do not exist in Australia/Adelaide"):
        frame = read_history_file(_history(tmp_path, rows), timezone="Australia/Adelaide")
    expected = _expected(
        [
            (1, "2026-10-03T15:30Z", 60, 100.0, 1, 1),  # 01:00 ACST (UTC+09:30)
            (1, "2026-10-03T16:30Z", 60, (200 * 2 + 400 * 3) / 5, 5, 5),  # 03:00 ACDT (+10:30)
        ]
    )
    pd.testing.assert_frame_equal(_sorted(frame), expected)

"""What the Shifts and Coverage sheets say, and the refusal of a schedule of another plan.

Rules protected:
- the Shifts sheet's note gives the shifts started, the paid hours, the MILP gap and the
  solver (or, with no shifts optimised, where the schedule came from), what coverage
  efficiency means, the time zone and where the rules are; its tables sit under their
  section titles in a fixed order; the heads grid's start times are clock times;
- each Coverage sheet's notes give the group's skills, the schedule's source, the paid
  hours, coverage efficiency, under- and over-staffed hours and the uncovered intervals,
  each figure formatted as a planner reads it (blank or "-" when there is none); its
  chart draws scheduled (area) against required (line) agents under a title naming the
  group;
- a schedule whose grid differs from the plan's is refused with a message naming each
  difference (time zone, interval length, intervals per group, first interval, skills);
  one too large for a sheet names its rows and Excel's limit.

The expected texts are written out here by hand from the schedule's own tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re

import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

import staffing
from staffing.errors import DataError, OutputError
from staffing.outputs import layout
from staffing.outputs.sheets.coverage import coverage_sheet_names, write_coverage
from staffing.outputs.sheets.shifts import check_schedule, schedule_note, write_shifts_sheet
from staffing.outputs.view import PlanView
from tests.conftest import per_module
from tests.outputs import schedule_support
from tests.outputs import simulation_support as support
from tests.outputs.sheet_reading import (
    assert_look,
    cell_rows,
    column_widths,
    first_row,
    one_sheet,
    written_book,
)

TZ = support.TIMEZONE
RULES = "Rules: python -m pydoc staffing.shifts.schedule."


@pytest.fixture(scope=per_module)
def planned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    return staffing.plan(staffing.load_config(schedule_support.write_config(folder)))


@pytest.fixture(scope=per_module)
def scheduled(planned):
    return staffing.schedule(planned)


@pytest.fixture(scope=per_module)
def view(planned):
    return PlanView.from_plan(planned)


def _shifts_sheet(tmp_path, view, schedule):
    return one_sheet(
        tmp_path,
        "Shifts",
        lambda wb, ws, formats: write_shifts_sheet(ws, view, schedule, formats),
    )


def test_the_shifts_note_counts_shifts_paid_hours_gap_and_solver(tmp_path, view, scheduled):
    ws, _ = _shifts_sheet(tmp_path, view, scheduled)
    rows = cell_rows(ws)
    heads = int(scheduled.shifts["heads"].sum())
    assert rows[0][0] == f"Shifts of plan {view.name}"
    assert rows[1][0] == (
        f"{heads:,} shifts, {scheduled.paid_hours:,.1f} paid hours (length minus the unpaid "
        f"break), MILP gap {scheduled.mip_gap:.2%} ({scheduled.meta['solver']}). Coverage "
        "efficiency = required agent-hours / scheduled on-queue hours. Times are local to "
        f"{TZ}. {RULES}"
    )
    column_a = [r[0] for r in rows]
    assert_look(ws["A1"], "title")
    assert_look(ws["A2"], "note")
    assert column_a[3] == "Per skill group"
    assert_look(ws["A4"], "section")
    assert column_a[4] == "Skill group"  # the groups table's header right below
    grid = 4 + 1 + len(scheduled.groups) + 1
    assert column_a[grid] == "Heads starting per template and start time (rows) and day (columns)"
    assert rows[grid + 1][:3] == ["Skill group", "Shift", f"Start ({TZ})"]
    # the grid's start times are clock times (fractions of a day), 08:00 first
    first = rows[grid + 2]
    assert first[2] == dt.time(8, 0)
    r = grid + 3  # 1-based row of the grid's first line
    assert ws.cell(r, 3).number_format == "hh:mm"
    assert ws.cell(grid + 2, 4).number_format == "ddd yyyy-mm-dd" and ws.cell(grid + 2, 4).font.b
    total = len([v for v in rows[grid + 1] if v is not None])  # its last header: "Heads"
    assert rows[grid + 1][total - 1] == "Heads"
    heads = [c for c in range(4, total) if first[c - 1]]
    assert heads and all(ws.cell(r, c).number_format == "#,##0" for c in heads)
    assert all(not ws.cell(r, c).font.b for c in heads)
    assert ws.cell(r, total).font.b and ws.cell(r, total).number_format == "#,##0"
    # a day without heads is an empty cell, not a zero
    end = column_a.index("Every shift: template, start, unpaid break and heads") - 1
    grid_cells = [v for line in rows[grid + 2 : end] for v in line[3 : total - 1]]
    assert None in grid_cells and 0 not in grid_cells
    every = column_a.index("Every shift: template, start, unpaid break and heads")
    assert column_a[every + 1] == "Skill group" and column_a[every - 1] is None
    assert_look(ws.cell(grid + 1, 1), "section")
    assert_look(ws.cell(every + 1, 1), "section")
    assert len(rows) == every + 2 + len(scheduled.shifts)
    widths = column_widths(ws)
    assert widths[3] >= len(f"Start ({TZ})") + 2  # the grid's start-time header fits


def test_without_optimised_shifts_the_note_names_the_schedule_s_source(tmp_path, view, scheduled):
    given = dataclasses.replace(
        scheduled,
        shifts=scheduled.shifts.iloc[:0],
        paid_hours=math.nan,
        meta={**scheduled.meta, "source": "roster.csv"},
    )
    ws, _ = _shifts_sheet(tmp_path, view, given)
    rows = cell_rows(ws)
    assert rows[1][0] == (
        "No shifts were optimised: the Coverage sheets compare the schedule from roster.csv "
        "with the requirement. Coverage efficiency = required agent-hours / scheduled "
        f"on-queue hours. Times are local to {TZ}. {RULES}"
    )
    column_a = [r[0] for r in rows]
    assert "Heads starting per template and start time (rows) and day (columns)" not in column_a
    every = column_a.index("Every shift: template, start, unpaid break and heads")
    assert every == 4 + 1 + len(scheduled.groups) + 1
    assert ws.auto_filter.ref is None  # no rows to filter


def test_the_summary_names_the_schedule_sheets_and_counts_groups(scheduled):
    assert schedule_note(scheduled) == "; shifts: sheets Shifts and Coverage (2 skill groups)"
    one = dataclasses.replace(scheduled, groups=scheduled.groups.iloc[:1])
    assert schedule_note(one) == "; shifts: sheets Shifts and Coverage (1 skill group)"


def _coverage_book(tmp_path, view, schedule):
    names = coverage_sheet_names(schedule, ["Summary", "Weekly"])
    return (
        *written_book(
            tmp_path,
            lambda wb, formats: write_coverage(wb, view, schedule, names, formats),
            "coverage",
        ),
        names,
    )


def test_each_coverage_sheet_s_notes_give_the_group_s_figures(tmp_path, view, scheduled):
    book, _parts, names = _coverage_book(tmp_path, view, scheduled)
    assert names == ["Coverage Voice + Chat", "Coverage Messaging"]
    for name, (_, group) in zip(names, scheduled.groups.iterrows(), strict=True):
        rows = cell_rows(book[name])
        label = group["skill_group"]
        assert rows[0][0] == f"Coverage of {label}: required against scheduled on-queue agents"
        assert rows[1][0] == (
            f"Skills {group['skill_ids']}; schedule: {group['source']}. Required: the plan's "
            "on-queue agents summed over the group's skills; scheduled: heads at work and not "
            "on their unpaid break x (1 - shrinkage); gap = scheduled - required. Service "
            "level, ASA, abandonment and occupancy are what the scheduled agents achieve "
            "(whole agents, each skill's own method). Times are local to "
            f"{TZ}. {RULES}"
        )
        assert rows[2][0] == (
            f"{group['paid_hours']:,.1f} paid hours, coverage efficiency "
            f"{group['efficiency']:.1%}; under-staffed {group['under_hours']:,.1f} "
            f"agent-hours in {int(group['uncovered_intervals']):,} intervals (in red below), "
            f"over-staffed {group['over_hours']:,.1f} agent-hours."
        )
        column_a = [r[0] for r in rows]
        ws = book[name]
        assert_look(ws["A1"], "title")
        assert_look(ws["A2"], "note")
        assert_look(ws["A3"], "note")
        for k, text in enumerate(column_a):
            if text in ("Per plan week", "Per interval (under-staffed intervals in red)"):
                assert_look(ws.cell(k + 1, 1), "section")
        assert_look(ws["A23"], "section")
        # the tables start below the chart's 18 rows (rows 4 to 21)
        assert all(v is None for v in column_a[3:22])
        assert column_a[22].startswith("Per day: on-queue agent-hours required")
        assert "Per interval (under-staffed intervals in red)" in column_a
        # each table ends one blank row above the next section: the daily table has one row
        # a day and a header, the weekly one a row a plan week and a header
        days = scheduled.daily[scheduled.daily["skill_group"] == label]
        weeks = scheduled.weekly[scheduled.weekly["skill_group"] == label]
        week_title = column_a.index("Per plan week")
        assert week_title == 22 + 1 + 1 + len(days) + 1
        interval_title = column_a.index("Per interval (under-staffed intervals in red)")
        assert interval_title == week_title + 1 + 1 + len(weeks) + 1
        assert rows[week_title - 1] == [None] * len(rows[week_title - 1])
        assert rows[interval_title - 1] == [None] * len(rows[interval_title - 1])


def test_a_group_without_paid_hours_or_efficiency_says_so(tmp_path, view, scheduled):
    groups = scheduled.groups.copy()
    groups["paid_hours"] = math.nan
    groups["efficiency"] = math.nan
    given = dataclasses.replace(scheduled, groups=groups)
    book, _, names = _coverage_book(tmp_path, view, given)
    group = groups.iloc[1]
    assert cell_rows(book[names[1]])[2][0] == (
        f"coverage efficiency -; under-staffed {group['under_hours']:,.1f} agent-hours in "
        f"{int(group['uncovered_intervals']):,} intervals (in red below), over-staffed "
        f"{group['over_hours']:,.1f} agent-hours."
    )


def test_one_group_gets_one_sheet_named_coverage(scheduled):
    one = dataclasses.replace(scheduled, groups=scheduled.groups.iloc[1:])
    assert coverage_sheet_names(one, ["Summary"]) == ["Coverage"]
    # a skill sheet already called "Coverage" keeps its name; the group's sheet gives way
    taken = coverage_sheet_names(one, ["Summary", "Coverage"])
    assert taken != ["Coverage"] and taken[0].startswith("Coverage")
    shifts_taken = dataclasses.replace(
        scheduled, groups=scheduled.groups.assign(skill_group=["Shifts", "Other"])
    )
    names = coverage_sheet_names(shifts_taken, [])
    assert names[0] == "Coverage Shifts" and len(set(names)) == 2


def test_the_coverage_chart_draws_scheduled_area_under_required_line(tmp_path, view, scheduled):
    _book, parts, _names = _coverage_book(tmp_path, view, scheduled)
    charts = [text for part, text in sorted(parts.items()) if "charts/chart" in part]
    assert len(charts) == 2
    for chart, label in zip(charts, scheduled.groups["skill_group"], strict=True):
        titles = re.findall(r"<a:t>(.*?)</a:t>", chart)
        assert titles[0] == f"{label}: required against scheduled on-queue agents, first week"
        assert "On-queue agents" in titles
        names_ = re.findall(r"<c:tx><c:v>(.*?)</c:v></c:tx>", chart)
        assert names_ == ["Scheduled on-queue agents", "Required on-queue agents"]
        area = re.search(r"<c:areaChart>.*?</c:areaChart>", chart, flags=re.S).group(0)
        assert '<a:srgbClr val="9DC3E6"><a:alpha val="70000"/>' in area  # 30 % transparent
        assert "<a:ln><a:noFill/></a:ln>" in area  # no border
        line = re.search(r"<c:lineChart>.*?</c:lineChart>", chart, flags=re.S).group(0)
        assert '<a:ln w="19050"><a:solidFill><a:srgbClr val="C00000"/>' in line  # 1.5 pt red
    drawing = next(text for part, text in sorted(parts.items()) if "drawings/drawing" in part)
    rows = re.findall(r"<xdr:row>(\d+)</xdr:row>", drawing)
    assert rows[:2] == ["3", "21"]  # from row 4, 18 rows of 20 px


def _with(schedule, **changes):
    return dataclasses.replace(schedule, **changes)


def test_a_schedule_of_another_grid_names_each_difference(view, scheduled):
    name = view.name
    cases = [
        (
            _with(scheduled, meta={**scheduled.meta, "interval_minutes": 30}),
            f"the schedule is not of plan {name!r}: its intervals are 30 minutes, the plan's 60",
        ),
        (
            _with(
                scheduled,
                coverage=scheduled.coverage[
                    ~(
                        (scheduled.coverage["skill_group"] == "Messaging")
                        & (scheduled.coverage.index == scheduled.coverage.index[-1])
                    )
                ],
            ),
            f"the schedule is not of plan {name!r}: skill group(s) Messaging have another "
            "number of intervals than the plan's 168",
        ),
    ]
    shifted = scheduled.coverage.assign(
        interval_start=scheduled.coverage["interval_start"] + pd.Timedelta(hours=1)
    )
    first = view.intervals["interval_start"].min()
    cases.append(
        (
            _with(scheduled, coverage=shifted),
            f"the schedule is not of plan {name!r}: its first interval is "
            f"{first + pd.Timedelta(hours=1)}, the plan's {first}",
        )
    )
    many = scheduled.groups.assign(skill_ids=["21, 22, 91, 92, 93", "23, 94, 95, 96"])
    cases.append(
        (
            _with(scheduled, groups=many),
            f"the schedule is not of plan {name!r}: skill(s) 91, 92, 93, 94, 95 are not in the "
            "plan",
        )
    )
    unknown = scheduled.groups.assign(skill_ids=["21, 22, 98", "23, 99"])
    cases.append(
        (
            _with(scheduled, groups=unknown),
            f"the schedule is not of plan {name!r}: skill(s) 98, 99 are not in the plan",
        )
    )
    both = {**scheduled.meta, "timezone": "UTC", "interval_minutes": 15}
    cases.append(
        (
            _with(scheduled, meta=both),
            f"the schedule is not of plan {name!r}: its time zone is UTC, the plan's {TZ}; "
            "its intervals are 15 minutes, the plan's 60",
        )
    )
    for schedule, message in cases:
        with pytest.raises(DataError) as caught:
            check_schedule(view, schedule)
        assert str(caught.value) == message
    check_schedule(view, scheduled)  # its own plan's schedule passes


def test_a_shifts_table_too_long_for_a_sheet_is_refused(view, scheduled, monkeypatch):
    shifts = pd.concat([scheduled.shifts] * 10, ignore_index=True)  # longer than the coverage
    longer = dataclasses.replace(scheduled, shifts=shifts)
    rows = 12 + len(scheduled.groups) + 2 * len(shifts)  # title to the last shift, by hand
    assert rows > 16 + 18 + len(scheduled.daily) + len(scheduled.weekly) + 7 * 24
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", rows)
    check_schedule(view, longer)
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", rows - 1)
    with pytest.raises(OutputError, match=f"the schedule's tables \\({rows:,} rows\\)"):
        check_schedule(view, longer)


def test_a_schedule_too_large_for_a_sheet_names_its_rows(view, scheduled, monkeypatch):
    shifts_rows = 12 + len(scheduled.groups) + 2 * len(scheduled.shifts)
    coverage_rows = 16 + 18 + len(scheduled.daily) + len(scheduled.weekly) + 7 * 24
    rows = max(shifts_rows, coverage_rows)
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", rows)
    check_schedule(view, scheduled)  # exactly at the limit: it fits
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", rows - 1)
    with pytest.raises(OutputError) as caught:
        check_schedule(view, scheduled)
    assert str(caught.value) == (
        f"the schedule's tables ({rows:,} rows) do not fit one Excel sheet ({rows - 1:,} rows);"
        " write its CSVs instead (write_outputs with fmt='csv')"
    )


def test_the_coverage_intervals_are_filtered_flagged_and_charted(tmp_path, view, scheduled):
    book, parts, names = _coverage_book(tmp_path, view, scheduled)
    charts = [text for part, text in sorted(parts.items()) if "charts/chart" in part]
    for name, chart in zip(names, charts, strict=True):
        ws = book[name]
        column_a = [r[0] for r in cell_rows(ws)]
        header = column_a.index(f"Interval start ({TZ})") + 1  # 1-based
        assert column_a[header - 2] == "Per interval (under-staffed intervals in red)"
        labels = [ws.cell(header, c).value for c in range(1, 13)]
        assert labels[:4] == [
            f"Interval start ({TZ})",
            "Volume",
            "Required on-queue agents",
            "Scheduled on-queue agents",
        ]
        n = 7 * 24  # one week of hours
        last = header + n
        assert ws.auto_filter.ref == f"A{header}:L{last}"
        (flagged,) = list(ws.conditional_formatting)
        assert str(flagged.sqref) == f"A{header + 1}:L{last}"
        flag = get_column_letter(labels.index("Under-staffed") + 1)
        (rule,) = flagged.rules
        assert rule.formula == [f"${flag}{header + 1}=TRUE"]
        assert rule.dxf.fill.bgColor.rgb == "FFF4CCCC"  # the red fill
        # the chart: the whole first week, times in A, required in C, scheduled in D
        quoted = f"'{name}'"
        area = re.search(r"<c:areaChart>.*?</c:areaChart>", chart, flags=re.S).group(0)
        line = re.search(r"<c:lineChart>.*?</c:lineChart>", chart, flags=re.S).group(0)
        for part in (area, line):
            assert f"<c:cat><c:numRef><c:f>{quoted}!$A${header + 1}:$A${last}</c:f>" in part
        assert f"<c:val><c:numRef><c:f>{quoted}!$D${header + 1}:$D${last}</c:f>" in area
        assert f"<c:val><c:numRef><c:f>{quoted}!$C${header + 1}:$C${last}</c:f>" in line
        # each label gets room for the filter button: label + 2, + 2 of margin, at least
        widths = column_widths(ws)
        for col, label in enumerate(labels, start=1):
            assert widths[col] >= min(len(label), 40) + 4 + 0.7, label
        # L, "Under-staffed", only in this table (the daily and weekly tables end at G): its
        # 13 characters + 2 for the filter button + 2 of margin
        assert labels[11] == "Under-staffed"
        assert widths[12] == pytest.approx(13 + 4 + 0.71, abs=0.01)


def test_a_long_zone_name_widens_the_interval_column_to_40_characters_at_most(tmp_path):
    """A header label gets its length + 2 for the filter button, capped at 40 characters:
    in America/Argentina/Buenos_Aires the interval table's first label, "Interval start
    (America/Argentina/Buenos_Aires)", has 47, so column A is 40 + 2, + 2 of margin (the
    daily and weekly tables' "Date (...)" and "Week start (...)" labels, 37 and 43
    characters, are capped at 40 as well, and their dates are narrower)."""
    zone = "America/Argentina/Buenos_Aires"
    forecast = tmp_path / "volume.csv"
    support.volume().to_csv(forecast, index=False)  # naive local times: read in the zone
    config = support.config(forecast)
    config["plan"]["timezone"] = zone
    config["shifts"] = schedule_support.SHIFTS
    planned = staffing.plan(config)
    schedule = staffing.schedule(planned)
    book, _parts, names = _coverage_book(tmp_path, PlanView.from_plan(planned), schedule)
    label = f"Interval start ({zone})"
    assert len(label) == 47
    for name in names:
        ws = book[name]
        first_row(ws, label)  # the interval table's header is in column A
        assert column_widths(ws)[1] == pytest.approx(40 + 2 + 2 + 0.71, abs=0.01), name

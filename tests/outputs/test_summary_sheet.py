"""The Summary sheet written alone from a small one-week plan, read back.

Rules protected:
- the note gives the plan's first and last day, the interval length, the time zone and
  the version, then what a simulation or schedule adds;
- the table sits below the chart (row 25) or, without intervals, on row 4, its totals in
  bold: a row named total / all / all skills, or without a skill id; it is named
  ``SummaryTable`` over exactly its header and rows, for links from other files;
- weekly on-queue agent-hours per skill (agents x interval hours / weeks) come right after
  the peak time when the summary lacks them, their sum on the total row;
- the workload note follows the table only when a workload skill is in it;
- the warnings are counted and listed (or "none"), with a line saying where the interval
  rows are when the workbook leaves them out;
- the chart draws the required FTE of each skill over the first week from hidden columns
  from AY on (the data's header naming each series), under its title, with the print
  area ending at the warnings;
- a print header for the title row, landscape one page wide.

The expected rows, values and references are computed here by hand from the plan's
intervals.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

import staffing
from staffing.outputs.layout import rows_note
from staffing.outputs.sheets import plan as plan_sheets
from staffing.outputs.sheets.plan import write_summary
from staffing.outputs.view import PlanView
from staffing.shifts.schedule import Schedule
from staffing.vocabulary import VERSION
from tests.conftest import per_module
from tests.outputs import simulation_support as support
from tests.outputs.sheet_reading import assert_look, cell_rows, column_widths, written_book

TZ = support.TIMEZONE
WORKLOAD_NOTE = (
    "Service level: blank for workload skills, which have no service-level target (they "
    "staff volume x NHT / max occupancy); the total's is that of the other skills."
)


@pytest.fixture(scope=per_module)
def planned(tmp_path_factory):
    return staffing.plan(
        staffing.load_config(support.write_config(tmp_path_factory.mktemp("small")))
    )


@pytest.fixture(scope=per_module)
def view(planned):
    return PlanView.from_plan(planned, with_summary=True)


def _write(tmp_path, view, **options):
    def write(workbook, formats):
        write_summary(workbook, workbook.add_worksheet("Summary"), view, formats, **options)

    book, parts = written_book(tmp_path, write, "summary")
    return book["Summary"], parts


@pytest.fixture
def written(view, tmp_path):
    # written anew for every test: the mutation job runs a test only for the functions
    # called while that test (not another test's module fixture) ran
    ws, parts = _write(tmp_path, view)
    return ws, cell_rows(ws), parts


def test_the_note_names_days_interval_zone_and_version(written, view):
    _, rows, _ = written
    assert rows[0][0] == "Staffing plan: small"
    ws = written[0]
    assert_look(ws["A1"], "title")
    assert_look(ws["A2"], "note")
    assert rows[1][0] == (
        "Mon 2026-03-02 to Sun 2026-03-08; 60-minute intervals; times are local to "
        f"{TZ}; staffing {VERSION}"
    )


def test_weekly_agent_hours_follow_the_peak_time_and_total_rows_are_bold(written, view):
    ws, rows, _ = written
    header = rows[24]  # row 25: below the title, the note, a blank row and 20 chart rows
    assert all(r[0] is None for r in rows[2:24])
    assert header[:8] == [
        "Skill ID",
        "Skill",
        "Method",
        "Weekly volume",
        "Mean NHT [s]",
        "Peak agents",
        f"Peak at ({TZ})",
        "Weekly agent hours",
    ]
    iv = view.intervals
    weeks = 7 / 7.0  # a one-week plan
    per_skill = [iv.loc[iv["skill_id"] == s, "agents"].sum() * 1.0 / weeks for s in (21, 22, 23)]
    body = rows[25:29]
    assert [r[7] for r in body] == pytest.approx([*per_skill, sum(per_skill)], rel=1e-12)
    assert [r[1] for r in body] == ["Voice", "Chat", "Messaging", "All skills"]
    assert [bool(ws.cell(26 + i, 2).font.b) for i in range(4)] == [False, False, False, True]
    assert all(v is None for v in rows[29])
    assert rows[30][0] == WORKLOAD_NOTE
    assert_look(ws["A31"], "note")
    assert all(v is None for v in rows[31])


def test_warnings_are_counted_and_listed_after_the_table(written, view):
    _, rows, _ = written
    notes = [str(n) for n in view.meta["notes"]]
    assert rows[32][0] == f"Warnings: what to double-check ({len(notes)})"
    assert_look(written[0]["A33"], "section")
    assert not written[0]["A34"].font.b  # a warning itself is plain text
    assert [r[0] for r in rows[33 : 33 + len(notes)]] == notes


def test_the_table_s_name_covers_its_header_and_rows(written, view):
    _, rows, parts = written
    last_col = len(rows[24]) - 1
    while rows[24][last_col] is None:
        last_col -= 1
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(last_col + 1)
    workbook_xml = parts["xl/workbook.xml"]
    assert f'<definedName name="SummaryTable">Summary!$A$25:${letter}$29</definedName>' in (
        workbook_xml
    )
    # the print area: from A1 to the last warning and the table's last column
    n_notes = len(view.meta["notes"])
    assert (
        f'<definedName name="_xlnm.Print_Area" localSheetId="0">Summary!$A$1:${letter}$'
        f"{33 + n_notes}</definedName>" in workbook_xml
    )
    assert '<definedName name="_xlnm.Print_Titles" localSheetId="0">Summary!$25:$25' in (
        workbook_xml
    )


def test_the_chart_draws_each_skill_s_first_week_from_hidden_columns(written, view):
    ws, rows, parts = written
    n_notes = len(view.meta["notes"])
    data = 33 + n_notes + 1  # 0-based: a blank row after the warnings
    title = "Required FTE per interval, first week"
    assert rows[data][50] == title + " (chart data)"
    assert_look(ws.cell(data + 1, 51), "section")
    assert ws.cell(data + 2, 51).font.b and ws.cell(data + 2, 52).font.b  # header look
    assert ws.cell(data + 2, 52).fill.fgColor.rgb == "FFDDEBF7"
    assert rows[data + 1][50:54] == [f"Interval start ({TZ})", "Voice", "Chat", "Messaging"]
    iv = view.intervals
    voice = iv[iv["skill_id"] == 21]
    assert rows[data + 2][50] == dt.datetime(2026, 3, 2, 0, 0)
    assert [r[51] for r in rows[data + 2 : data + 2 + 168]] == pytest.approx(voice["fte"].tolist())
    assert len(rows) == data + 2 + 168
    widths = column_widths(ws)
    hidden = {
        col
        for dim in ws.column_dimensions.values()
        if dim.hidden
        for col in range(dim.min, dim.max + 1)
    }
    assert hidden == {51, 52, 53, 54}  # AY (the times) to BB (the third skill)
    assert widths[51] == pytest.approx(20 + 0.71, abs=0.01)  # the datetime width
    assert widths[52] == pytest.approx(10 + 0.71, abs=0.01)
    chart = next(text for name, text in parts.items() if "charts/chart" in name)
    header, first, last = data + 2, data + 3, data + 2 + 168  # 1-based rows
    series = re.findall(r"<c:ser>(.*?)</c:ser>", chart, flags=re.S)
    assert len(series) == 3
    for j, (ser, col) in enumerate(zip(series, ("AZ", "BA", "BB"), strict=True)):
        assert f"<c:tx><c:strRef><c:f>Summary!${col}${header}</c:f>" in ser, j
        assert f"<c:cat><c:numRef><c:f>Summary!$AY${first}:$AY${last}</c:f>" in ser
        assert f"<c:val><c:numRef><c:f>Summary!${col}${first}:${col}${last}</c:f>" in ser
        assert '<a:ln w="15875"/>' in ser  # 1.25 pt
    texts = re.findall(r"<a:t>(.*?)</a:t>", chart)
    assert texts[0] == title and "Required FTE" in texts
    assert "plotVisOnly" not in chart  # the chart draws its hidden data
    drawing = next(text for name, text in parts.items() if "drawings/drawing" in name)
    assert re.findall(r"<xdr:row>(\d+)</xdr:row>", drawing) == ["3", "23"]  # 20 rows


def test_a_plan_without_intervals_has_its_table_on_row_4_and_no_chart(tmp_path, view):
    empty = PlanView(
        name="empty",
        timezone=TZ,
        interval_minutes=60,
        intervals=view.intervals.iloc[:0],
        summary=view.summary.iloc[:0],
        meta={"days": 7},
    )
    ws, parts = _write(tmp_path, empty)
    rows = cell_rows(ws)
    assert rows[1][0] == (
        f"no intervals; 60-minute intervals; times are local to {TZ}; staffing {VERSION}"
    )
    assert rows[3][0] == "Skill ID"
    assert rows[5][0] == "Warnings: none"
    assert not [name for name in parts if "charts/chart" in name]
    assert '<definedName name="SummaryTable">Summary!$A$4:$' in parts["xl/workbook.xml"]


def test_without_the_intervals_sheet_a_warning_says_where_they_are(tmp_path, view):
    """The note saying where the rows went (layout.rows_note) is the last warning."""
    note = rows_note(
        len(view.intervals), intervals_sheet=False, skill_sheets=True, files=["out/p.csv"]
    )
    ws, _ = _write(tmp_path, view, rows_note=note)
    column_a = [r[0] for r in cell_rows(ws)]
    n = len(view.meta["notes"]) + 1
    at = column_a.index(f"Warnings: what to double-check ({n})")
    # the words of rows_note's docstring, with this plan's row count
    assert column_a[at + n] == (
        f"The workbook has no Intervals sheet ({len(view.intervals):,} interval rows): "
        "the rows are in out/p.csv."
    )


def test_the_schedule_s_note_joins_the_summary_s(tmp_path, view):
    empty = pd.DataFrame()
    schedule = Schedule(
        shifts=empty,
        coverage=empty,
        skill_coverage=empty,
        uncovered=empty,
        daily=empty,
        weekly=empty,
        groups=pd.DataFrame({"skill_group": ["a"]}),
        paid_hours=np.nan,
        mip_gap=np.nan,
    )
    ws, _ = _write(tmp_path, view, schedule=schedule)
    assert cell_rows(ws)[1][0].endswith(
        f"staffing {VERSION}; shifts: sheets Shifts and Coverage (1 skill group)"
    )


@pytest.mark.parametrize(
    ("names", "ids", "bold"),
    [
        (["A", "Total"], [1, 2], [False, True]),
        (["all", "B"], [1, 2], [True, False]),
        ([" All Skills ", "B"], [1, 2], [True, False]),
        (["Totally", "B"], [1, None], [False, True]),  # no skill id: a total row
    ],
)
def test_total_rows_are_found_by_name_or_missing_id(tmp_path, view, names, ids, bold):
    summary = pd.DataFrame(
        {
            "skill_id": pd.array(ids, dtype="Int64"),
            "skill_name": names,
            "weekly_agent_hours": [1.0, 2.0],
        }
    )
    mine = PlanView(
        name="t",
        timezone=TZ,
        interval_minutes=60,
        intervals=view.intervals.iloc[:0],
        summary=summary,
        meta={"days": 7},
    )
    ws, _ = _write(tmp_path, mine)
    assert [bool(ws.cell(5 + i, 2).font.b) for i in range(2)] == bold
    assert [ws.cell(4, c).value for c in (1, 2, 3, 4)] == [
        "Skill ID",
        "Skill",
        "Weekly agent hours",
        None,
    ]  # agent hours already there: none added


def test_the_chart_keeps_the_first_week_and_the_skills_with_most_fte_hours(
    tmp_path, view, monkeypatch
):
    monkeypatch.setattr(plan_sheets, "CHART_MAX_SERIES", 2)
    iv = view.intervals
    later = iv.assign(interval_start=iv["interval_start"] + pd.Timedelta(days=7))
    two_weeks = dataclasses.replace(view, intervals=pd.concat([iv, later], ignore_index=True))
    ws, parts = _write(tmp_path, two_weeks)
    rows = cell_rows(ws)
    fte = iv.groupby("skill_id")["fte"].sum()  # the first week's FTE-hours per skill
    kept = sorted(fte.nlargest(2).index, key=[21, 22, 23].index)  # in the plan's order
    names = {21: "Voice", 22: "Chat", 23: "Messaging"}
    title = "Required FTE per interval, first week (2 of 3 skills with the most FTE-hours)"
    data = next(i for i, r in enumerate(rows) if len(r) > 50 and r[50] == title + " (chart data)")
    assert rows[data + 1][50:53] == [f"Interval start ({TZ})", *[names[s] for s in kept]]
    times = [r[50] for r in rows[data + 2 :]]
    assert len(times) == 7 * 24  # the first week only: the plan's first 168 hours
    assert times[-1] == dt.datetime(2026, 3, 8, 23, 0)
    chart = next(text for name, text in parts.items() if "charts/chart" in name)
    assert re.findall(r"<a:t>(.*?)</a:t>", chart)[0] == title
    assert chart.count("<c:ser>") == 2


def test_without_a_summary_the_warnings_follow_the_chart(tmp_path, view):
    bare = dataclasses.replace(view, summary=None)
    ws, parts = _write(tmp_path, bare)
    rows = cell_rows(ws)
    n = len(view.meta["notes"])
    assert rows[25][0] == f"Warnings: what to double-check ({n})"  # row 26: table row + 1
    assert "SummaryTable" not in parts["xl/workbook.xml"]
    # the print area still spans the table's ten columns, A to J
    assert (
        f'<definedName name="_xlnm.Print_Area" localSheetId="0">Summary!$A$1:$J${26 + n}'
        "</definedName>" in parts["xl/workbook.xml"]
    )


def test_agent_hours_go_last_without_a_peak_time(tmp_path, view):
    summary = view.summary.drop(columns=["peak_at"])
    ws, _ = _write(tmp_path, dataclasses.replace(view, summary=summary))
    header = [v for v in cell_rows(ws)[24] if v is not None]
    assert header[-1] == "Weekly agent hours"
    assert len(header) == len(summary.columns) + 1


def test_a_one_day_plan_s_weekly_agent_hours_are_its_day_s_times_seven(tmp_path):
    """Weekly agent-hours are the horizon's agent-hours over its weeks, days / 7: a plan of
    one day (end = start, Monday 2026-03-02) has 1/7 of a week, so each skill's weekly
    figure is its day's agents x 1 hour x 7, and the total row their sum."""
    config = support.config(tmp_path / "volume.csv")
    support.volume().to_csv(tmp_path / "volume.csv", index=False)
    del config["plan"]["weeks"]
    config["plan"]["end"] = support.START
    one_day = PlanView.from_plan(staffing.plan(config), with_summary=True)
    assert one_day.meta["days"] == 1
    ws, _ = _write(tmp_path, one_day)
    rows = cell_rows(ws)
    header = next(i for i, r in enumerate(rows) if r[0] == "Skill ID")
    col = rows[header].index("Weekly agent hours")
    iv = one_day.intervals
    per_skill = [iv.loc[iv["skill_id"] == s, "agents"].sum() * 1.0 * 7 for s in (21, 22, 23)]
    assert len(iv) == 3 * 24 and per_skill[0] > 0
    body = rows[header + 1 : header + 5]
    assert [r[col] for r in body] == pytest.approx([*per_skill, sum(per_skill)], rel=1e-12)


@pytest.mark.parametrize(
    "columns",
    [
        # a total named in the skill id alone (text ids), not in the name
        {"skill_id": ["1", "Total"], "skill_name": ["A", "Everything"]},
        # a summary naming its skills in a "skill" column
        {"skill_id": [1, 2], "skill": ["A", "total"]},
        # a summary without skill ids: its names alone tell the total
        {"skill_name": ["A", "All skills"]},
    ],
)
def test_a_total_named_in_any_of_the_skill_columns_is_bold(tmp_path, view, columns):
    """A row is a total when its skill id, skill name or skill column says total (or all,
    all skills), whichever of them says it, and a summary without skill ids is read by its
    names: the second row is bold."""
    summary = pd.DataFrame({**columns, "weekly_agent_hours": [1.0, 2.0]})
    mine = PlanView(
        name="t",
        timezone=TZ,
        interval_minutes=60,
        intervals=view.intervals.iloc[:0],
        summary=summary,
        meta={"days": 7},
    )
    ws, _ = _write(tmp_path, mine)
    assert [bool(ws.cell(5 + i, 2).font.b) for i in range(2)] == [False, True]


def test_the_chart_data_keeps_the_fte_format_its_axis_shows(written, view):
    """The chart's hidden data cells carry the FTE format (one decimal) and the local
    date-time format, which the chart's value and time axes take over from them."""
    ws, rows, _ = written
    data = 33 + len(view.meta["notes"]) + 1  # 0-based: the chart data's title row
    first = data + 3  # 1-based: the first data row, below the title and the header
    assert rows[first - 1][50] == dt.datetime(2026, 3, 2, 0, 0)
    assert ws.cell(first, 51).number_format == "ddd yyyy-mm-dd hh:mm"
    for col in (52, 53, 54):  # Voice, Chat, Messaging
        assert ws.cell(first, col).number_format == "#,##0.0", col

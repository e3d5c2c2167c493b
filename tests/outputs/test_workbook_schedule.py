"""The workbook and CSVs with a schedule: the Shifts sheet, the Coverage sheets, the CSVs.

A real one-week plan is scheduled (:mod:`tests.outputs.schedule_support`: two skill groups,
Messaging's nights uncovered) and written; the workbook is read back with openpyxl and compared
cell for cell with the ``Schedule``'s own tables, its chart parts are read from the xlsx zip,
and the CSVs are read back with pandas. The labels expected here are written out by hand.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
import yaml

import staffing
from staffing.errors import DataError, OutputError
from staffing.outputs import layout, write_outputs, write_workbook
from tests.conftest import per_module
from tests.outputs import schedule_support, sheet_reading
from tests.outputs import simulation_support as support
from tests.outputs.sheet_reading import first_row, read_table

TZ = support.TIMEZONE
COVERAGE_SHEETS = ["Coverage Voice + Chat", "Coverage Messaging"]

#: Result column -> header the sheet must show (dates and times name the time zone).
LABELS = {
    "skill_group": "Skill group",
    "skill_ids": "Skill IDs",
    "source": "Source",
    "templates": "Shift templates",
    "paid_hours": "Paid hours",
    "shifts": "Shifts (heads started)",
    "required_hours": "Required agent-hours",
    "scheduled_hours": "Scheduled on-queue hours",
    "efficiency": "Coverage efficiency",
    "over_hours": "Over-staffed hours",
    "under_hours": "Under-staffed hours",
    "uncovered_intervals": "Under-staffed intervals",
    "mip_gap": "MILP gap",
    "solver_status": "Solver status",
    "solve_s": "Solve time [s]",
    "blocks": "Blocks solved",
    "reused_blocks": "Blocks reused",
    "shift": "Shift",
    "date": f"Date ({TZ})",
    "day": "Day",
    "start": f"Start ({TZ})",
    "end": f"End ({TZ})",
    "break_start": f"Break start ({TZ})",
    "break_end": f"Break end ({TZ})",
    "heads": "Heads at work",
    "week_start": f"Week start ({TZ})",
    "interval_start": f"Interval start ({TZ})",
    "volume": "Volume",
    "required": "Required on-queue agents",
    "scheduled": "Scheduled on-queue agents",
    "gap": "Gap (scheduled - required)",
    "required_heads": "Required heads at work",
    "service_level": "Service level",
    "asa_s": "ASA [s]",
    "p_abandon": "Abandonment",
    "occupancy": "Occupancy",
    "understaffed": "Under-staffed",
}


@pytest.fixture(scope=per_module)
def planned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    return staffing.plan(staffing.load_config(schedule_support.write_config(folder)))


@pytest.fixture(scope=per_module)
def scheduled(planned):
    return staffing.schedule(planned)


@pytest.fixture(scope=per_module)
def written(planned, scheduled, tmp_path_factory):
    folder = tmp_path_factory.mktemp("books")
    paths = write_outputs(
        planned, folder / "small.xlsx", csv_path=folder / "small-intervals.csv", schedule=scheduled
    )
    without = write_workbook(planned, folder / "without.xlsx")
    return paths, without


@pytest.fixture(scope=per_module)
def book(written):
    return openpyxl.load_workbook(written[0][0])


def assert_table_equals(labels, rows, frame: pd.DataFrame) -> None:
    sheet_reading.assert_table_equals(labels, rows, frame, LABELS, TZ)


def of_group(frame: pd.DataFrame, group: str) -> pd.DataFrame:
    return frame[frame["skill_group"] == group].drop(columns="skill_group").reset_index(drop=True)


def test_the_sheets_come_after_weekly_only_with_a_schedule(book, written, scheduled):
    assert list(scheduled.groups["skill_group"]) == schedule_support.GROUPS
    assert book.sheetnames[:5] == ["Summary", "Weekly", "Shifts", *COVERAGE_SHEETS]
    assert book.sheetnames[5:8] == ["Voice", "Chat", "Messaging"]  # the skills' own sheets
    plain = openpyxl.load_workbook(written[1], read_only=True)
    try:
        assert plain.sheetnames == [
            "Summary",
            "Weekly",
            "Voice",
            "Chat",
            "Messaging",
            "Intervals",
            "Assumptions",
        ]
    finally:
        plain.close()
    assert "sheets Shifts and Coverage (2 skill groups)" in book["Summary"]["A2"].value


def test_the_shifts_sheet_holds_the_groups_and_every_shift(book, scheduled):
    ws = book["Shifts"]
    labels, rows = read_table(ws, first_row(ws, "Skill group"))
    assert_table_equals(labels, rows, scheduled.groups)
    header = first_row(
        ws,
        "Skill group",
        after=first_row(ws, "Every shift: template, start, unpaid break and heads") - 1,
    )
    labels, rows = read_table(ws, header)
    assert_table_equals(labels, rows, scheduled.shifts)
    assert scheduled.shifts["break_start"].notna().any()  # desk shifts have their break
    assert scheduled.shifts["break_start"].isna().any()  # msg shifts have none
    assert ws.auto_filter.ref == f"A{header}:J{header + len(rows)}"
    assert f"{scheduled.paid_hours:,.1f} paid hours" in ws["A2"].value


def test_the_heads_grid_adds_up_to_the_shifts(book, scheduled):
    ws = book["Shifts"]
    header = first_row(
        ws,
        "Skill group",
        after=first_row(ws, "Heads starting per template and start time (rows) and day (columns)"),
    )
    labels, rows = read_table(ws, header)
    assert labels[:3] == ["Skill group", "Shift", f"Start ({TZ})"] and labels[-1] == "Heads"
    days = labels[3:-1]
    assert days == sorted(days) and days[0] == dt.datetime(2026, 3, 2)
    shifts = scheduled.shifts
    for row in rows:
        group, shift, start = row[:3]
        mine = shifts[
            (shifts["skill_group"] == group)
            & (shifts["shift"] == shift)
            & (shifts["start"].dt.strftime("%H:%M") == start.strftime("%H:%M"))
        ]
        assert row[-1] == mine["heads"].sum()
        by_day = mine.groupby("date")["heads"].sum()
        for day, value in zip(days, row[3:-1], strict=True):
            assert (value or 0) == by_day.get(day.date(), 0)
    assert sum(row[-1] for row in rows) == shifts["heads"].sum()


@pytest.mark.parametrize("number", [0, 1])
def test_each_coverage_sheet_is_the_groups_coverage_cell_for_cell(book, scheduled, number):
    group, ws = schedule_support.GROUPS[number], book[COVERAGE_SHEETS[number]]
    assert ws["A1"].value.startswith(f"Coverage of {group}: ")
    labels, rows = read_table(ws, first_row(ws, f"Date ({TZ})"))
    assert_table_equals(labels, rows, of_group(scheduled.daily, group))
    labels, rows = read_table(ws, first_row(ws, f"Week start ({TZ})"))
    assert_table_equals(labels, rows, of_group(scheduled.weekly, group))
    header = first_row(ws, f"Interval start ({TZ})")
    labels, rows = read_table(ws, header)
    coverage = of_group(scheduled.coverage, group)
    assert_table_equals(labels, rows, coverage)
    assert len(rows) == 7 * 24  # one week of hours (Berlin has no DST switch 2-8 March)
    assert ws.auto_filter.ref == f"A{header}:L{header + len(rows)}"


def test_under_staffed_intervals_are_highlighted(book, scheduled):
    ws = book["Coverage Messaging"]
    header = first_row(ws, f"Interval start ({TZ})")
    labels = [ws.cell(header, c).value for c in range(1, 13)]
    letter = openpyxl.utils.get_column_letter(labels.index("Under-staffed") + 1)
    ranges = list(ws.conditional_formatting)
    assert len(ranges) == 1
    last = header + 7 * 24
    assert str(ranges[0].sqref) == f"A{header + 1}:L{last}"
    (rule,) = ranges[0].rules
    assert rule.type == "expression" and rule.formula == [f"${letter}{header + 1}=TRUE"]
    assert rule.dxf.fill is not None
    # the flags in the sheet are the result's, and Messaging's nights are among them
    uncovered = scheduled.uncovered[scheduled.uncovered["skill_group"] == "Messaging"]
    flags = [
        ws.cell(row, labels.index("Under-staffed") + 1).value for row in range(header + 1, last + 1)
    ]
    assert sum(flags) == len(uncovered) > 0
    assert set(uncovered["reason"]) == {"no shift template covers this interval"}


def _zip_target(base: str, target: str) -> str:
    """A relationship target resolved against the folder of the part ``base``."""
    parts = base.rsplit("/", 1)[0].split("/")
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = part.rsplit("/", 1)
    xml = ElementTree.fromstring(archive.read(f"{folder}/_rels/{name}.rels"))
    return {r.get("Type").rsplit("/", 1)[-1]: _zip_target(part, r.get("Target")) for r in xml}


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    xml = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): _zip_target("xl/workbook.xml", r.get("Target")) for r in rels}
    return {s.get("name"): targets[s.get(f"{{{ns['r']}}}id")] for s in xml.find("m:sheets", ns)}


def test_each_coverage_sheet_has_a_native_chart_of_its_first_week(written, book):
    with zipfile.ZipFile(written[0][0]) as archive:
        sheets = _sheet_parts(archive)
        for name in COVERAGE_SHEETS:
            drawing = _rels(archive, sheets[name])["drawing"]  # the sheet's drawing relation
            chart = _rels(archive, drawing)["chart"]
            assert re.fullmatch(r"xl/charts/chart\d+\.xml", chart)
            xml = archive.read(chart).decode()
            assert "<c:areaChart>" in xml and "<c:lineChart>" in xml  # scheduled, required
            header = first_row(book[name], f"Interval start ({TZ})")
            first, last = header + 1, header + 7 * 24  # the whole first week
            quoted = f"'{name}'"
            assert f"<c:f>{quoted}!$A${first}:$A${last}</c:f>" in xml  # local times
            assert f"<c:f>{quoted}!$C${first}:$C${last}</c:f>" in xml  # required
            assert f"<c:f>{quoted}!$D${first}:$D${last}</c:f>" in xml  # scheduled
        assert "xl/charts/chart1.xml" in archive.namelist()  # the Summary's


def test_the_assumptions_say_how_shrinkage_and_breaks_combine(book, scheduled):
    ws = book["Assumptions"]
    settings = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert settings["schedule.shrinkage_rule"] == scheduled.meta["shrinkage_rule"]
    assert settings["schedule.group_rule"] == scheduled.meta["group_rule"]
    assert "(s - b) / (1 - b)" in settings["schedule.breaks_in_shrinkage"]
    assert settings["schedule.solver"] == scheduled.meta["solver"]
    assert settings["schedule.time_limit_s"] == 60
    assert settings["schedule.wrap"] is True  # one whole week
    assert settings["schedule.mip_gap"] == 0
    assert settings["schedule.paid_hours"] == pytest.approx(scheduled.paid_hours)


def test_the_csvs_beside_the_intervals_csv_are_the_tables(written, scheduled):
    paths = written[0]
    folder = paths[0].parent
    assert paths[1:] == [
        folder / "small-intervals.csv",
        folder / "small-shifts.csv",
        folder / "small-coverage.csv",
    ]
    shifts = pd.read_csv(paths[2])
    assert list(shifts.columns) == list(scheduled.shifts.columns)
    assert shifts["heads"].tolist() == scheduled.shifts["heads"].tolist()
    starts = pd.to_datetime(shifts["start"], utc=True).dt.tz_convert(TZ)
    assert (starts == scheduled.shifts["start"]).all()
    coverage = pd.read_csv(paths[3])
    assert list(coverage.columns) == list(scheduled.coverage.columns)
    pd.testing.assert_series_equal(
        coverage["gap"], scheduled.coverage["gap"], check_exact=False, rtol=1e-15
    )
    assert coverage["understaffed"].tolist() == scheduled.coverage["understaffed"].tolist()
    assert coverage["interval_start"].iloc[0] == "2026-03-02 00:00:00+01:00"


def test_csv_output_writes_the_schedule_csvs_and_refuses_a_foreign_file_first(
    planned, scheduled, tmp_path
):
    out = tmp_path / "plan.csv"
    written = write_outputs(planned, out, fmt="csv", schedule=scheduled)
    assert written == [out, tmp_path / "plan-shifts.csv", tmp_path / "plan-coverage.csv"]
    # a second run replaces its own files
    assert write_outputs(planned, out, fmt="csv", schedule=scheduled) == written
    other = tmp_path / "other"
    other.mkdir()
    (other / "plan-coverage.csv").write_text("somebody's notes\n")
    with pytest.raises(OutputError, match=r"plan-coverage\.csv: it is not a coverage CSV"):
        write_outputs(planned, other / "plan.csv", fmt="csv", schedule=scheduled)
    assert sorted(p.name for p in other.iterdir()) == ["plan-coverage.csv"]  # nothing written


def test_a_schedule_of_another_plan_is_refused(scheduled, tmp_path):
    config = staffing.load_config(
        schedule_support.write_config(tmp_path), overrides={"plan": {"timezone": "UTC"}}
    )
    other = staffing.plan(config)
    with pytest.raises(DataError, match=f"its time zone is {TZ}, the plan's UTC"):
        write_workbook(other, tmp_path / "x.xlsx", schedule=scheduled)
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.filterwarnings("ignore::staffing.errors.DataWarning")  # Messaging's volume
def test_a_schedule_of_other_skills_on_the_same_grid_is_refused(scheduled, tmp_path):
    path = schedule_support.write_config(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["skills"] = data["skills"][:2]  # Voice and Chat: no Messaging (23)
    data["shifts"] = data["shifts"][:1]
    other = staffing.plan(
        staffing.load_config(
            data | {"volume": {"source": "file", "path": str(tmp_path / "small-volume.csv")}}
        )
    )
    with pytest.raises(DataError, match=r"skill\(s\) 23 are not in the plan"):
        write_workbook(other, tmp_path / "x.xlsx", schedule=scheduled)


def test_tables_past_the_row_limit_are_refused_before_writing(
    planned, scheduled, tmp_path, monkeypatch
):

    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", 2 * len(scheduled.shifts))
    with pytest.raises(OutputError, match="do not fit one Excel sheet"):
        write_workbook(planned, tmp_path / "x.xlsx", schedule=scheduled)
    assert not (tmp_path / "x.xlsx").exists()


def test_no_cell_points_to_a_docs_file_a_pip_install_lacks(book):
    # Issue 21, point 12: the Shifts, Coverage and Assumptions sheets named docs/shifts.md,
    # a path only the repository has; they name `python -m pydoc ...` instead.
    texts = [
        (ws.title, cell.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "docs/" in cell.value
    ]
    assert texts == []
    assert any(
        "python -m pydoc staffing.shifts.schedule" in str(cell.value) for cell in book["Shifts"][2]
    )

"""The workbook for planners (issue 14): print layout, warnings, the Assumptions sheet, the
Intervals sheet left out of a big plan, and progress while writing.

Print settings are checked in the xlsx XML (LibreOffice is not installed here to render
them): ``xl/worksheets/sheetN.xml`` (pageSetup, fitToPage, headerFooter) and the defined
names of ``xl/workbook.xml`` (``_xlnm.Print_Titles``, ``_xlnm.Print_Area``).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml

import staffing
from staffing.outputs import workbook
from staffing.outputs.workbook import write_workbook
from tests.conftest import per_module

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope=per_module)
def plan():
    data = yaml.safe_load((ROOT / "config" / "example.yaml").read_text())
    data["nht"]["path"] = str(ROOT / "config" / "data" / "nht_history.csv")
    data["plan"]["weeks"] = 1
    data["defaults"]["max_occupancy"] = 0.1 + 0.75  # 0.8500000000000001
    return staffing.plan(data)


@pytest.fixture(scope=per_module)
def written(plan, tmp_path_factory):
    messages: list[str] = []
    path = write_workbook(
        plan, tmp_path_factory.mktemp("print") / "plan.xlsx", progress=messages.append
    )
    return path, messages


def _xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode()


def _sheet_files(path: Path) -> dict[str, str]:
    """Sheet name -> its part (xl/worksheets/sheetN.xml), in workbook order."""
    book = _xml(path, "xl/workbook.xml")
    names = re.findall(r'<sheet name="([^"]+)" sheetId="(\d+)"', book)
    return {name: f"xl/worksheets/sheet{i}.xml" for i, (name, _) in enumerate(names, start=1)}


def test_a_skill_sheet_prints_a_map_a_page_wide_with_title_and_header_on_every_page(written):
    path, _ = written
    sheet = _xml(path, _sheet_files(path)["Sales Messaging"])
    # each heat map on its own landscape page at a scale (fit-to would ignore the breaks)
    assert "fitToPage" not in sheet
    setup = re.search(r"<pageSetup [^>]*/>", sheet).group(0)
    assert 'orientation="landscape"' in setup and 'scale="' in setup
    # hourly, 12 hours a page: the FTE map's second half (0-based column 1 + 12 = 13), the
    # agents' map at the gap column AA (26), its second half (27 + 12 = 39)
    breaks = re.findall(r'<brk id="(\d+)" max="1048575" man="1"/>', sheet)
    assert breaks == ["13", "26", "39"]
    header = re.search(r"<oddHeader>(.*?)</oddHeader>", sheet).group(1)
    assert "Sales Messaging (skill 1001)" in header and "Plan example" in header
    names = _xml(path, "xl/workbook.xml")
    # the date column and the title, notes and time-of-day header (rows 1-4) repeat; the
    # grid is the print area
    assert (
        '<definedName name="_xlnm.Print_Titles" localSheetId="2">\'Sales '
        "Messaging'!$A:$A,'Sales Messaging'!$1:$4</definedName>" in names
    )
    area = re.search(r'<definedName name="_xlnm.Print_Area" localSheetId="2">([^<]+)<', names)
    # 7 days + total; date, 24 slots, total, gap, 24 slots, total
    assert area.group(1) == "'Sales Messaging'!$A$1:$AZ$12"


def test_the_summary_chart_data_is_out_of_the_way_and_warnings_are_listed(written, plan):
    path, _ = written
    ws = openpyxl.load_workbook(path)["Summary"]
    column_a = [c.value for c in ws["A"]]
    assert column_a.count("Skill ID") == 1  # the chart data no longer repeats the header
    at = next(i for i, v in enumerate(column_a) if str(v).startswith("Warnings:"))
    assert column_a[at] == f"Warnings: what to double-check ({len(plan.warnings)})"
    assert column_a[at + 1 : at + 1 + len(plan.warnings)] == plan.warnings
    names = _xml(path, "xl/workbook.xml")
    area = re.search(
        r'<definedName name="_xlnm.Print_Area" localSheetId="0">([^<]+)<', names
    ).group(1)
    assert area.startswith("Summary!$A$1:") and "$AY" not in area
    # the service level of workload skills is blank, the others' shown
    top = column_a.index("Skill ID") + 1
    labels = [c.value for c in ws[top]]
    sl = labels.index("Service level") + 1
    by_name = {ws.cell(r, 2).value: ws.cell(r, sl).value for r in range(top + 1, top + 8)}
    assert by_name["Sales Messaging"] is None and by_name["Support Messaging"] is None
    assert by_name["Live Chat Sales"] == pytest.approx(
        plan.summary().set_index("skill_name").loc["Live Chat Sales", "service_level"]
    )
    assert any(str(v).startswith("Service level: blank for workload skills") for v in column_a)


def test_the_weekly_sheet_shows_no_service_level_for_workload_skills(written):
    path, _ = written
    ws = openpyxl.load_workbook(path)["Weekly"]
    labels = [c.value for c in ws[4]]
    skill, sl = labels.index("Skill") + 1, labels.index("Service level") + 1
    rows = {ws.cell(r, skill).value: ws.cell(r, sl).value for r in range(5, ws.max_row + 1)}
    assert rows["Sales Messaging"] is None
    assert rows["Live Chat Sales"] is not None and rows["All skills"] is not None


def test_assumptions_show_the_shrinkage_profile_clock_times_and_round_numbers(written):
    path, _ = written
    ws = openpyxl.load_workbook(path)["Assumptions"]
    cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value}
    keys = {v: r for (r, col), v in cells.items() if col == 1}
    assert cells[(keys["defaults.max_occupancy"], 2)] == 0.85  # not 0.8500000000000001
    assert cells[(keys["skills[1].open_hours.mon"], 2)] == "07:00-23:00"  # not "420, 1380"
    assert cells[(keys["skills[2].open_hours.sun"], 2)] == "09:00-18:00"
    values = set(cells.values())
    assert "Shrinkage as configured" in values and "Shrinkage (weekly mean)" in values
    assert "0.32; sat 0.25, sun 0.25" in values
    assert "Shrinkage" not in values  # the weekly mean is labelled as a mean


def test_progress_is_reported_while_writing(written):
    _, messages = written
    assert messages[0] == "writing the Summary and Weekly sheets"
    assert "writing 6 skill sheet(s)" in messages and "skill sheets: 6 of 6" in messages
    assert any(m.startswith("Intervals rows: ") for m in messages)
    assert messages[-1] == "compressing the workbook"


def test_the_intervals_sheet_can_be_left_out(plan, tmp_path):
    path = write_workbook(plan, tmp_path / "small.xlsx", intervals_sheet=False)
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        assert "Intervals" not in book.sheetnames and "Assumptions" in book.sheetnames
    finally:
        book.close()


def test_write_outputs_leaves_the_sheet_out_above_the_size_limit(plan, tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "INTERVALS_SHEET_MAX_ROWS", len(plan.intervals) - 1)
    written = workbook.write_outputs(
        plan, tmp_path / "big.xlsx", csv_path=tmp_path / "big-intervals.csv"
    )
    assert [p.name for p in written] == ["big.xlsx", "big-intervals.csv"]
    book = openpyxl.load_workbook(written[0], read_only=True)
    try:
        assert "Intervals" not in book.sheetnames
    finally:
        book.close()

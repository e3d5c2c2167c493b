"""What the planner reads (issue 21, point 13): the intervals CSV's times as Excel dates with
their UTC offset beside, ``fte_hours`` and ``binding`` in the outputs, sheet names without a
trailing space, the Summary table in one place with or without a simulation, and skill
sheets that print each heat map on its own pages.

Print settings are read back from the written xlsx with openpyxl (LibreOffice is not in CI;
the pages were looked at once rendered with ``soffice --headless --convert-to pdf``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import staffing
from staffing.outputs.layout import sheet_names
from staffing.outputs.sheets.plan import SUMMARY_TABLE_NAME, SUMMARY_TABLE_ROW
from staffing.outputs.workbook import write_outputs, write_workbook
from staffing.vocabulary import COLUMN_META
from tests.conftest import per_module

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "example.yaml"
#: 41 characters: cut to 31, "Coverage Web Messaging + Voice " would end in a space.
LONG_NAME = "Coverage Web Messaging + Voice escalations"


def _plan(minutes: int = 60, name: str = "Voice") -> staffing.Plan:
    config = {
        "plan": {
            "name": "reading",
            "start": "2026-03-02",
            "weeks": 1,
            "timezone": "America/New_York",
            "interval_minutes": minutes,
        },
        "nht": {"source": "store"},  # never read: the skill has nht_seconds
        "volume": {"source": "file", "path": str(EXAMPLE)},  # replaced by a DataFrame
        "defaults": {"shrinkage": 0.3, "fte_hours_per_week": 40},
        "skills": [
            {
                "id": 7,
                "name": name,
                "method": "erlang_c",
                "nht_seconds": 300,
                "service_level": {"target": 0.8, "answer_within_seconds": 20},
            }
        ],
    }
    grid = pd.date_range(
        "2026-03-02", "2026-03-09", freq=f"{minutes}min", inclusive="left", tz="America/New_York"
    )
    volume = pd.DataFrame({"skill_id": 7, "interval_start": grid, "volume": 20.0 + grid.hour})
    return staffing.plan(config, volume=volume)


@pytest.fixture(scope=per_module)
def half_hourly():
    return _plan(minutes=30, name=LONG_NAME)


def test_the_csv_times_read_back_as_dates_with_the_offset_beside(half_hourly, tmp_path):
    path = write_outputs(half_hourly, tmp_path / "plan.csv", fmt="csv")[0]
    header = path.read_text(encoding="utf-8").splitlines()[:2]
    assert header[0].startswith("skill_id,skill_name,interval_start,utc_offset,volume")
    # 2026-03-02 00:00 in New York is EST, UTC-05:00: no offset glued to the time
    assert ",2026-03-02 00:00:00,-05:00," in header[1]
    got = pd.read_csv(path, parse_dates=["interval_start"])
    assert pd.api.types.is_datetime64_dtype(got["interval_start"])  # a date, not text
    local = half_hourly.intervals["interval_start"].dt.tz_localize(None)
    assert (got["interval_start"] == local).all()
    # after the switch of 8 March 02:00 the offset is EDT, -04:00; together they give the instant
    assert set(got.loc[got["interval_start"] >= "2026-03-08 03:00", "utc_offset"]) == {"-04:00"}
    instants = pd.to_datetime(got["interval_start"].astype(str) + got["utc_offset"], utc=True)
    assert (instants == half_hourly.intervals["interval_start"].dt.tz_convert("UTC")).all()
    # fte is per half hour; fte_hours = fte x 0.5 sums to the weekly table's FTE-hours
    np.testing.assert_allclose(got["fte_hours"], got["fte"] * 0.5)
    assert got["fte_hours"].sum() == pytest.approx(half_hourly.weekly["fte_hours"].sum())
    assert set(got["binding"]) <= {"service level", "occupancy cap", "minimum agents"}


def test_excel_reads_the_csv_time_as_a_date(half_hourly, tmp_path):
    # openpyxl reads a cell like Excel's "2026-03-02 00:00:00" text-to-date: write the CSV's
    # first row into a workbook as Excel would parse it and check it is a datetime.
    path = write_outputs(half_hourly, tmp_path / "plan.csv", fmt="csv")[0]
    text = pd.read_csv(path, dtype=str)["interval_start"].iloc[0]
    assert pd.Timestamp(text).tz is None  # no offset: a naive date and time, as Excel needs


def test_sheet_names_lose_the_space_a_cut_leaves_and_stay_unique(half_hourly, tmp_path):
    assert sheet_names([LONG_NAME, LONG_NAME + " 2"]) == [
        "Coverage Web Messaging + Voice",
        "Coverage Web Messaging + Vo (2)",  # 31 with the suffix
    ]
    book = openpyxl.load_workbook(write_workbook(half_hourly, tmp_path / "p.xlsx"))
    assert "Coverage Web Messaging + Voice" in book.sheetnames
    assert all(name == name.strip() for name in book.sheetnames)


def _table_row(path: Path) -> int:
    ws = openpyxl.load_workbook(path)["Summary"]
    return next(c.row for c in ws["A"] if c.value == COLUMN_META["skill_id"].label)


def test_the_summary_table_is_in_one_place_with_or_without_a_simulation(tmp_path):
    plan = _plan()
    simulation = plan.simulate(replications=2, seed=1)
    plain = write_workbook(plan, tmp_path / "plain.xlsx")
    simulated = write_workbook(plan, tmp_path / "sim.xlsx", simulation=simulation)
    assert _table_row(plain) == _table_row(simulated) == SUMMARY_TABLE_ROW + 1  # 1-based
    for path, last in ((plain, None), (simulated, None)):
        book = openpyxl.load_workbook(path)
        target = book.defined_names[SUMMARY_TABLE_NAME].attr_text
        # header and the skill's row and the All skills row: rows 25 to 27
        assert target.startswith(f"Summary!$A${SUMMARY_TABLE_ROW + 1}:") and target.endswith(
            f"${SUMMARY_TABLE_ROW + 3}"
        ), (path, last)


def test_a_skill_sheet_prints_each_heat_map_on_its_own_pages(half_hourly, tmp_path):
    book = openpyxl.load_workbook(write_workbook(half_hourly, tmp_path / "p.xlsx"))
    ws = book["Coverage Web Messaging + Voice"]
    assert ws.page_setup.orientation == "landscape"
    assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
    # 48 half hours per map: FTE map in columns B..AW (0-based 1..48), its total AX (49), a
    # gap AY (50), agents from AZ (51). A page holds 12 half hours (the fewest pages at 65 %
    # or more): breaks (0-based column a page starts at) every 12 slots of the FTE map
    # (13, 25, 37), at the gap (50) and every 12 slots of the agents' map (63, 75, 87).
    assert sorted(b.id for b in ws.col_breaks.brk) == [13, 25, 37, 50, 63, 75, 87]
    # Calibri 11 at 65 % or more prints at 7 pt or more (4 pt before, both maps on a page)
    assert 65 <= ws.page_setup.scale <= 100
    assert ws.print_title_cols == "$A:$A" and ws.print_title_rows == "$1:$4"

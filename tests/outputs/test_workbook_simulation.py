"""The workbook with a simulation: the Simulation sheet and the Summary's simulated columns.

A real one-week plan is simulated (4 replications) and written; the workbook is read back with
openpyxl and compared cell for cell with the ``SimulationResult``'s own tables. The labels
expected here are written out by hand, not looked up the way the writer does.
"""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest

from staffing.config import load_config
from staffing.errors import DataError, OutputError
from staffing.outputs import layout, write_outputs, write_workbook
from staffing.plan import plan
from staffing.simulation import SimulationResult, simulate
from tests.conftest import per_module
from tests.outputs import sheet_reading
from tests.outputs import simulation_support as support
from tests.outputs.sheet_reading import first_row, read_table

TZ = support.TIMEZONE

#: Result column -> header the sheet must show (dates and times name the time zone).
LABELS = {
    "skill_id": "Skill ID",
    "skill_name": "Skill",
    "date": f"Date ({TZ})",
    "interval_start": f"Interval start ({TZ})",
    "method": "Method",
    "volume": "Volume",
    "agents": "Agents",
    "arrivals_sim": "Simulated arrivals",
    "service_level": "Planned service level",
    "service_level_sim": "Simulated service level",
    "service_level_ci": "Service level ± (95 %)",
    "service_level_p10": "Simulated service level, 10th percentile",
    "asa_s": "Planned ASA [s]",
    "asa_s_sim": "Simulated ASA [s]",
    "asa_s_ci": "ASA ± (95 %) [s]",
    "p_abandon": "Planned abandonment",
    "p_abandon_sim": "Simulated abandonment",
    "p_abandon_ci": "Abandonment ± (95 %)",
    "occupancy": "Planned occupancy",
    "occupancy_sim": "Simulated occupancy",
    "occupancy_ci": "Occupancy ± (95 %)",
    "target_missed": "Target missed (95 %)",
    "missed_targets": "Missed targets",
    "p_meets_target": "P(meets every target)",
    "p_meets_target_known_volume": "P(meets every target), volume known",
    "below_interval_target": "Below an interval target (information)",
}
CUT_AT = pd.Timestamp("2026-03-02 10:00", tz=TZ)  # Monday's peak hour


@pytest.fixture(scope=per_module)
def planned(tmp_path_factory):
    """The small plan, with the voice skill's peak hour on Monday cut to a third."""
    result = plan(load_config(support.write_config(tmp_path_factory.mktemp("small"))))
    iv = result.intervals
    cut = (iv["skill_id"] == 21) & (iv["interval_start"] == CUT_AT)
    assert cut.sum() == 1 and iv.loc[cut, "agents"].iloc[0] >= 6
    iv.loc[cut, "agents"] = iv.loc[cut, "agents"] // 3
    return result


@pytest.fixture(scope=per_module)
def simulated(planned) -> SimulationResult:
    return simulate(planned, replications=4, seed=3)


@pytest.fixture(scope=per_module)
def written(planned, simulated, tmp_path_factory):
    folder = tmp_path_factory.mktemp("books")
    with_sim = write_workbook(planned, folder / "with.xlsx", simulation=simulated)
    without = write_workbook(planned, folder / "without.xlsx")
    return with_sim, without


@pytest.fixture(scope=per_module)
def book(written):
    return openpyxl.load_workbook(written[0])


def assert_table_equals(labels, rows, frame: pd.DataFrame) -> None:
    sheet_reading.assert_table_equals(labels, rows, frame, LABELS, TZ)


def test_the_simulation_sheet_exists_only_with_a_simulation(written, book):
    plain = openpyxl.load_workbook(written[1], read_only=True)
    try:
        assert not any(name.startswith("Simulation") for name in plain.sheetnames)
    finally:
        plain.close()
    names = book.sheetnames
    assert names[:3] == ["Summary", "Weekly", "Simulation"]
    assert names.count("Simulation") == 1 and "Simulation 2" not in names


def test_the_daily_table_is_the_results_cell_for_cell(book, simulated):
    ws = book["Simulation"]
    labels, rows = read_table(ws, first_row(ws, "Skill ID"))
    assert_table_equals(labels, rows, simulated.daily)
    assert set(simulated.daily["skill_id"]) == {21, 22}  # the workload skill is not simulated
    assert "23 Messaging: not simulated" in ws.cell(3, 1).value


def test_the_interval_table_is_the_results_cell_for_cell(book, simulated):
    ws = book["Simulation"]
    header = first_row(ws, "Skill ID", after=first_row(ws, "Skill ID"))
    labels, rows = read_table(ws, header)
    assert_table_equals(labels, rows, simulated.intervals)
    assert ws.auto_filter.ref == f"A{header}:V{header + len(rows)}"


def test_intervals_missing_a_target_with_confidence_are_highlighted(book, simulated):
    ws = book["Simulation"]
    header = first_row(ws, "Skill ID", after=first_row(ws, "Skill ID"))
    flag_col = [ws.cell(header, c).value for c in range(1, 22)].index("Target missed (95 %)")
    letter = openpyxl.utils.get_column_letter(flag_col + 1)
    ranges = list(ws.conditional_formatting)
    assert len(ranges) == 1
    last = header + len(simulated.intervals)
    assert str(ranges[0].sqref) == f"A{header + 1}:V{last}"
    (rule,) = ranges[0].rules
    assert rule.type == "expression" and rule.formula == [f"${letter}{header + 1}=TRUE"]
    assert rule.dxf.fill is not None  # the highlight has a fill colour
    # the cut peak hour misses its target, and the flags in the sheet are the result's
    missed = simulated.intervals["target_missed"].to_numpy()
    cut = (simulated.intervals["skill_id"] == 21) & (
        simulated.intervals["interval_start"] == CUT_AT
    )
    assert missed[cut.to_numpy()].all()
    flags = [ws.cell(row, flag_col + 1).value for row in range(header + 1, last + 1)]
    assert flags == missed.tolist()


def test_the_summary_shows_the_simulated_service_level_and_the_chance_a_day_meets_it(
    book, simulated
):
    ws = book["Summary"]
    labels, rows = read_table(ws, first_row(ws, "Skill ID"))
    table = pd.DataFrame(rows, columns=labels)
    at = labels.index("Service level")
    assert labels[at + 1 : at + 4] == [
        "Simulated service level",
        "Simulated service level, worst day of the week",
        "P(day meets target)",
    ]
    weekly = simulated.weekly.set_index("skill_id")
    daily = simulated.daily.groupby("skill_id")
    for sid in (21, 22):
        row = table[table["Skill ID"] == sid].iloc[0]
        # one week: the horizon's simulated service level is the week's
        assert row["Simulated service level"] == pytest.approx(
            weekly.loc[sid, "service_level_sim"], rel=1e-12
        )
        assert row["P(day meets target)"] == pytest.approx(
            daily.get_group(sid)["p_meets_target"].mean(), rel=1e-12
        )
        # the mean of each replication's worst day is at most the worst day's mean
        assert row["Simulated service level, worst day of the week"] <= (
            daily.get_group(sid)["service_level_sim"].min() + 1e-12
        )
    others = table[~table["Skill ID"].isin([21, 22])]  # the workload skill and the total
    assert len(others) == 2
    assert others[labels[at + 1 : at + 4]].isna().all().all()


def test_the_interval_table_continues_on_more_sheets_past_the_row_limit(
    planned, simulated, tmp_path, monkeypatch
):
    # first sheet: notes (5 rows), daily header and rows, gap, section, header, 100 intervals
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", 5 + 1 + len(simulated.daily) + 3 + 100)
    path = write_workbook(planned, tmp_path / "split.xlsx", simulation=simulated)
    book = openpyxl.load_workbook(path)
    sheets = [name for name in book.sheetnames if name.startswith("Simulation")]
    per_sheet = layout.EXCEL_MAX_ROWS - 1
    assert len(sheets) == 1 + math.ceil((len(simulated.intervals) - 100) / per_sheet)
    rows = []
    for number, name in enumerate(sheets):
        ws = book[name]
        header = first_row(ws, "Skill ID", after=first_row(ws, "Skill ID")) if number == 0 else 1
        labels, part = read_table(ws, header)
        left = len(simulated.intervals) - 100 - (number - 1) * per_sheet
        assert len(part) == (100 if number == 0 else min(per_sheet, left))
        assert len(list(ws.conditional_formatting)) == 1
        rows += part
    assert_table_equals(labels, rows, simulated.intervals)


def test_a_simulation_goes_into_the_workbook_only(planned, simulated, tmp_path):
    target = tmp_path / "plan.csv"
    with pytest.raises(OutputError, match="workbook"):
        write_outputs(planned, target, fmt="csv", simulation=simulated)
    assert not target.exists()


def test_a_simulation_of_another_plan_is_refused(planned, simulated, tmp_path):
    other = SimulationResult(
        intervals=simulated.intervals.iloc[:-5],
        daily=simulated.daily,
        weekly=simulated.weekly,
        meta=simulated.meta,
    )
    with pytest.raises(DataError, match="not of plan 'small'"):
        write_workbook(planned, tmp_path / "x.xlsx", simulation=other)
    assert not (tmp_path / "x.xlsx").exists()


def test_the_simulation_sheet_points_to_help_a_pip_user_has(book):
    # Issue 21, point 12: it named docs/simulation.md, a path only the repository has.
    texts = [str(cell.value) for row in book["Simulation"].iter_rows(max_row=4) for cell in row]
    assert not any("docs/" in text for text in texts)
    assert any("staffing simulate --help" in text for text in texts)

"""What the Simulation sheet says, how it splits, and the Summary's simulated columns.

Rules protected:
- the first note says how the plan was simulated (replications, seed, handle-time shape with
  its CV unless exponential, ramped or constant arrivals, chat routing, what happens at
  close, contacts simulated, executor, the forecast error drawn or that none was, the time
  zone, where the rules are); the second how to read the sheet, naming every skill left
  out and why;
- the daily table sits under its section on row 6 ("no skill was simulated" otherwise),
  the interval table below it with filters and the highlight of missed targets keyed to
  the ``Target missed`` column; a continuation sheet keeps its header in view;
- the interval table moves to ``Simulation 2``, ... exactly when the first sheet is full,
  and a daily table too long for one sheet is refused naming its rows;
- the Summary's simulated columns come right after the service level (at the end without
  one), matched by skill id, blank for a row without one;
- a simulation of another plan is refused naming the skills that differ.

Texts and row numbers are written out here by hand.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from staffing.config import load_config
from staffing.errors import DataError, OutputError
from staffing.outputs import layout
from staffing.outputs.sheets.simulation import (
    check_simulation,
    simulation_note,
    simulation_sheets,
    with_simulation,
    write_simulation,
)
from staffing.outputs.view import PlanView
from staffing.plan import plan
from staffing.simulation import simulate
from tests.conftest import per_module
from tests.outputs import simulation_support as support
from tests.outputs.sheet_reading import assert_look, cell_rows, column_widths, written_book

TZ = support.TIMEZONE
READING = (
    "Planned: the plan's formulas, volume-weighted over a day. Simulated: the mean over "
    "replications (a day's service level is answered within the threshold over all its "
    "arrivals) and its 95 % half-width (±). P(meets every target) is with the forecast "
    "error drawn, beside it with the volume known. Under day or week scope an interval "
    "below a per-interval target is not a miss: 'Below an interval target' lists it "
    "as information."
)
DAILY_SECTION = (
    "Per skill and day: planned against simulated, the 10th percentile of the day's service "
    "level over replications and the probability that the day meets every target"
)
INTERVAL_SECTION = (
    "Per skill and interval: planned against simulated (rows in red miss a target with 95 % "
    "confidence; under day or week scope no interval is missed, and its shortfalls are "
    "information)"
)


@pytest.fixture(scope=per_module)
def planned(tmp_path_factory):
    return plan(load_config(support.write_config(tmp_path_factory.mktemp("small"))))


@pytest.fixture(scope=per_module)
def simulated(planned):
    return simulate(planned, replications=2, seed=5)


@pytest.fixture(scope=per_module)
def view(planned):
    return PlanView.from_plan(planned, with_summary=True)


def _book(tmp_path, view, simulation):
    return written_book(
        tmp_path, lambda wb, formats: write_simulation(wb, view, simulation, formats), "sim"
    )


def _meta(simulated, **changes) -> dict:
    meta = {
        **simulated.meta,
        "replications": 12,
        "seed": 99,
        "handle_time": "lognormal",
        "handle_time_cv": 0.75,
        "ramp": True,
        "routing": "longest-idle",
        "at_close": "finish",
        "contacts": 12345,
        "executor": "2 processes",
        "forecast_error": None,
    }
    return meta | changes


def test_the_notes_say_how_it_was_simulated(tmp_path, view, simulated):
    meta = _meta(simulated)
    meta["skills"] = [{**s, "note": ""} for s in meta["skills"]]
    book, _ = _book(tmp_path, view, dataclasses.replace(simulated, meta=meta))
    rows = cell_rows(book["Simulation"])
    assert rows[0][0] == "Simulation of plan small: planned against simulated"
    assert rows[1][0] == (
        "12 replications, seed 99; lognormal (CV 0.75) handle times, ramped arrivals per "
        "interval, chat routing longest-idle, at close: finish; 12,345 contacts simulated "
        "on 2 processes; the forecast taken as exact (no forecast error drawn). Times are "
        f"local to {TZ}. Rules: staffing simulate --help."
    )
    assert rows[2][0] == READING
    ws = book["Simulation"]
    assert_look(ws["A1"], "title")
    assert_look(ws["A2"], "note")
    assert_look(ws["A3"], "note")
    assert_look(ws["A5"], "section")
    assert_look(ws.cell(8 + len(simulated.daily), 1), "section")
    assert rows[3][0] is None and rows[4][0] == DAILY_SECTION
    assert rows[5][0] == "Skill ID"  # the daily table's header on row 6
    n_daily = len(simulated.daily)
    assert all(v is None for v in rows[6 + n_daily])
    assert rows[7 + n_daily][0] == INTERVAL_SECTION
    assert rows[8 + n_daily][0] == "Skill ID"


def test_exponential_constant_and_a_drawn_forecast_error_in_words(tmp_path, view, simulated):
    drawn = {"daily_cv": {21: 0.1, 22: 0.055}, "correlation": 0.3}
    meta = _meta(simulated, handle_time="exponential", ramp=False, forecast_error=drawn)
    meta["skills"] = [
        {**s, "note": "not simulated: workload" if s["skill_id"] == 23 else ""}
        for s in meta["skills"]
    ]
    book, _ = _book(tmp_path, view, dataclasses.replace(simulated, meta=meta))
    rows = cell_rows(book["Simulation"])
    assert rows[1][0] == (
        "12 replications, seed 99; exponential handle times, constant arrivals per "
        "interval, chat routing longest-idle, at close: finish; 12,345 contacts simulated "
        "on 2 processes; forecast error drawn per skill and day (daily CV skill 21 10.0%, "
        "skill 22 5.5%; correlation 0.3). Times are "
        f"local to {TZ}. Rules: staffing simulate --help."
    )
    name = next(s["skill_name"] for s in meta["skills"] if s["skill_id"] == 23)
    assert rows[2][0] == f"{READING} 23 {name}: not simulated: workload."


def test_the_interval_table_is_filtered_and_highlighted_by_its_flag(tmp_path, view, simulated):
    book, _ = _book(tmp_path, view, simulated)
    ws = book["Simulation"]
    header = 9 + len(simulated.daily)  # 1-based: the daily table, a gap, the section
    n = len(simulated.intervals)
    labels = [ws.cell(header, c).value for c in range(1, ws.max_column + 1)]
    last = get_column_letter(len(labels))
    assert ws.auto_filter.ref == f"A{header}:{last}{header + n}"
    (ranges,) = list(ws.conditional_formatting)
    assert str(ranges.sqref) == f"A{header + 1}:{last}{header + n}"
    flag = get_column_letter(labels.index("Target missed (95 %)") + 1)
    (rule,) = ranges.rules
    assert rule.formula == [f"${flag}{header + 1}=TRUE"]
    assert ws.freeze_panes is None  # the first sheet scrolls with its notes
    # the last column, only in the interval table: its label (38 characters) + 2 for the
    # filter button + 2 of margin
    assert labels[-1] == "Below an interval target (information)"
    widths = column_widths(ws)
    assert widths[len(labels)] == pytest.approx(38 + 4 + 0.71, abs=0.01)


def test_the_interval_table_moves_on_exactly_when_the_first_sheet_is_full(simulated, monkeypatch):
    n_days, n = len(simulated.daily), len(simulated.intervals)
    # the first sheet: 5 rows of notes, the daily header and rows, a gap, section, header
    fits = 5 + 1 + n_days + 3 + n
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", fits)
    assert simulation_sheets(simulated) == [("Simulation", 0, n)]
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", fits - 1)
    assert simulation_sheets(simulated) == [("Simulation", 0, n - 1), ("Simulation 2", n - 1, n)]
    # no room for a single interval row on the first sheet
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", 5 + 1 + n_days + 3)
    with pytest.raises(OutputError) as caught:
        simulation_sheets(simulated)
    assert str(caught.value) == (
        f"the simulation's daily table ({n_days:,} rows) does not fit one Excel sheet "
        f"({5 + 1 + n_days + 3:,} rows)"
    )
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", 5 + 1 + n_days + 3 + 1)
    assert simulation_sheets(simulated)[0] == ("Simulation", 0, 1)


def test_a_continuation_sheet_has_its_header_on_top_and_frozen(
    tmp_path, view, simulated, monkeypatch
):
    n_days, n = len(simulated.daily), len(simulated.intervals)
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", 5 + 1 + n_days + 3 + n - 10)
    book, _ = _book(tmp_path, view, simulated)
    ws = book["Simulation 2"]
    rows = cell_rows(ws)
    assert rows[0][0] == "Skill ID" and len(rows) == 1 + 10
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:") and ws.auto_filter.ref.endswith("11")


def test_without_simulated_skills_the_sheet_says_so(tmp_path, view, simulated):
    empty = dataclasses.replace(
        simulated, intervals=pd.DataFrame(), daily=pd.DataFrame(), weekly=pd.DataFrame()
    )
    book, _ = _book(tmp_path, view, empty)
    rows = cell_rows(book["Simulation"])
    assert rows[5][0] == "no skill was simulated"
    assert rows[7][0] == INTERVAL_SECTION and len(rows) == 8  # no interval table


def test_the_summary_note_counts_replications(simulated):
    assert simulation_note(simulated) == (
        f"; simulated columns: {simulated.meta['replications']} replications (sheet Simulation)"
    )


def test_the_simulated_columns_follow_the_service_level_by_skill_id(simulated):
    figures = simulated.summary().set_index("skill_id")
    summary = pd.DataFrame(
        {
            "skill_id": [22, 21, None],
            "skill_name": ["Chat", "Voice", "All skills"],
            "service_level": [0.8, 0.9, 0.85],
            "volume": [1.0, 2.0, 3.0],
        }
    )
    out = with_simulation(summary, simulated)
    assert list(out.columns) == [
        "skill_id",
        "skill_name",
        "service_level",
        "service_level_sim",
        "worst_day_sl_sim",
        "p_day_meets_target",
        "volume",
    ]
    for name in ("service_level_sim", "worst_day_sl_sim", "p_day_meets_target"):
        assert out[name].iloc[:2].tolist() == pytest.approx(
            [figures.loc[22, name], figures.loc[21, name]], rel=1e-15
        )
        assert math.isnan(out[name].iloc[2])  # the total row has no skill id
    assert list(summary.columns)[3] == "volume"  # the input is left as it was
    # without a service level the columns go last; without skill ids nothing is added
    no_sl = with_simulation(summary.drop(columns="service_level"), simulated)
    assert list(no_sl.columns)[-3:] == [
        "service_level_sim",
        "worst_day_sl_sim",
        "p_day_meets_target",
    ]
    no_ids = summary.drop(columns="skill_id")
    assert with_simulation(no_ids, simulated).equals(no_ids)
    # a skill id the simulation does not have gets blanks
    other = with_simulation(summary.assign(skill_id=[22, 77, None]), simulated)
    assert math.isnan(other["service_level_sim"].iloc[1])


def test_a_simulation_of_other_skills_names_them(view, simulated):
    iv = simulated.intervals
    fewer = iv[~((iv["skill_id"] == 22) & (iv.index == iv[iv["skill_id"] == 22].index[-1]))]
    other = dataclasses.replace(simulated, intervals=fewer.assign())
    with pytest.raises(DataError) as caught:
        check_simulation(view, other)
    assert str(caught.value) == (
        "the simulation is not of plan 'small': skill(s) 22 differ in the plan's skills or "
        "intervals"
    )
    renamed = dataclasses.replace(simulated, intervals=iv.assign(skill_id=iv["skill_id"] + 100))
    with pytest.raises(DataError, match=r"skill\(s\) 121, 122 differ"):
        check_simulation(view, renamed)
    check_simulation(view, simulated)  # its own plan's simulation passes
    check_simulation(view, dataclasses.replace(simulated, intervals=pd.DataFrame()))


def test_every_skill_left_out_is_named_with_its_reason_one_after_another(tmp_path, view, simulated):
    """The reading note names each skill not simulated, "id name: reason", the skills
    separated by "; " and the list closed by a full stop."""
    meta = _meta(simulated)
    reasons = {22: "not simulated: no volume", 23: "not simulated: workload"}
    meta["skills"] = [{**s, "note": reasons.get(s["skill_id"], "")} for s in meta["skills"]]
    names = {s["skill_id"]: s["skill_name"] for s in meta["skills"]}
    book, _ = _book(tmp_path, view, dataclasses.replace(simulated, meta=meta))
    assert cell_rows(book["Simulation"])[2][0] == (
        f"{READING} 22 {names[22]}: not simulated: no volume; "
        f"23 {names[23]}: not simulated: workload."
    )


def test_the_interval_table_s_header_cells_are_in_the_header_look(tmp_path, view, simulated):
    """Every header cell of the interval table bold on light blue, as every table's."""
    book, _ = _book(tmp_path, view, simulated)
    ws = book["Simulation"]
    header = 9 + len(simulated.daily)  # 1-based: the daily table, a gap, the section
    labels = [ws.cell(header, c) for c in range(1, ws.max_column + 1)]
    assert labels[0].value == "Skill ID" and len(labels) == len(simulated.intervals.columns)
    for cell in labels:
        assert cell.font.b and cell.fill.fgColor.rgb == "FFDDEBF7", cell.coordinate


def test_an_interval_table_without_rows_gets_its_header_only(tmp_path, view, simulated):
    """A simulation whose interval table has its columns but no row: the header is
    written, with no filter and no highlight over rows that are not there."""
    empty = dataclasses.replace(simulated, intervals=simulated.intervals.iloc[:0])
    book, _ = _book(tmp_path, view, empty)
    ws = book["Simulation"]
    header = 9 + len(simulated.daily)
    assert ws.cell(header, 1).value == "Skill ID" and ws.max_row == header
    assert ws.auto_filter.ref is None
    assert not list(ws.conditional_formatting)


def test_a_long_zone_name_widens_an_interval_column_to_40_characters_at_most(tmp_path):
    """A header label gets its length + 2 for the filter button, capped at 40 characters:
    in America/Argentina/Buenos_Aires the label "Interval start
    (America/Argentina/Buenos_Aires)" has 47, so its column is 40 + 2, + 2 of margin (the
    daily table's "Date (...)" above it is capped at 40 too)."""
    zone = "America/Argentina/Buenos_Aires"
    forecast = tmp_path / "volume.csv"
    support.volume().to_csv(forecast, index=False)  # naive local times: read in the zone
    config = support.config(forecast)
    config["plan"]["timezone"] = zone
    planned = plan(config)
    simulation = simulate(planned, replications=2, seed=5)
    book, _ = _book(tmp_path, PlanView.from_plan(planned), simulation)
    ws = book["Simulation"]
    header = 9 + len(simulation.daily)
    labels = [ws.cell(header, c).value for c in range(1, ws.max_column + 1)]
    col = labels.index(f"Interval start ({zone})") + 1
    assert len(labels[col - 1]) == 47
    assert column_widths(ws)[col] == pytest.approx(40 + 2 + 2 + 0.71, abs=0.01)

"""A skill's sheet written alone from a small one-week hourly plan, read back.

Rules protected:
- the title and note name the skill, the time zone, what FTE means and how the repeated
  hour of the autumn clock change is shown; the two maps are labelled;
- the FTE map (B to Y) with its per-day total (Z) and the agents' map (AB to AY) with its
  total (AZ), one row per local day and a bold total row, in their number formats;
- each map under its own colour scale; the date column and the header stay in view;
- printing: the grid is the print area, the title rows and the date column repeat, the
  page header names the skill and the plan, each map gets its own pages (12 hours a page
  here) at a scale that fits a page across;
- every slot column as wide as the widest FTE figure (5 characters at least), the date
  column as wide as its zone's label.

The page arithmetic is redone here by hand from the documented rule (9 px a character,
a US Letter landscape page less 0.7 in margins, 65 % the smallest scale).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

import staffing
from staffing.errors import DataWarning
from staffing.outputs.sheets.plan import write_skill_sheet
from staffing.outputs.view import PlanView
from tests.conftest import per_module
from tests.outputs import simulation_support as support
from tests.outputs.sheet_reading import assert_look, cell_rows, column_widths, one_sheet

TZ = support.TIMEZONE  # Europe/Berlin: 13 characters


@pytest.fixture(scope=per_module)
def view(tmp_path_factory):
    planned = staffing.plan(
        staffing.load_config(support.write_config(tmp_path_factory.mktemp("small")))
    )
    return PlanView.from_plan(planned)


@pytest.fixture
def written(view, tmp_path):
    # written anew for every test: the mutation job runs a test only for the functions
    # called while that test (not another test's module fixture) ran
    rows = view.intervals[view.intervals["skill_id"] == 21]
    ws, parts = one_sheet(
        tmp_path,
        "Voice",
        lambda wb, ws, formats: write_skill_sheet(ws, rows, 21, "Voice", view, formats),
    )
    return rows, ws, cell_rows(ws), parts


def test_title_note_and_labels(written):
    _, _, rows, _ = written
    assert rows[0][0] == "Voice (skill 21): required FTE and on-queue agents"
    assert rows[1][0] == (
        f"Times are local to {TZ}. FTE = on-queue agents / (1 - shrinkage). Totals are "
        "FTE-hours and agent-hours and count every interval; on the day clocks go back the "
        "repeated hour shows the larger of its two intervals."
    )
    assert rows[2][1] == "Required FTE (scheduled staff)"
    ws = written[1]
    assert_look(ws["A1"], "title")
    assert_look(ws["A2"], "note")
    assert_look(ws["B3"], "section")
    assert_look(ws["AB3"], "section")
    for cell in ("A4", "Z4", "AZ4"):
        assert ws[cell].font.b and ws[cell].fill.fgColor.rgb == "FFDDEBF7", cell
    assert rows[2][27] == "On-queue agents"
    assert rows[3][0] == f"Date ({TZ})"
    assert rows[3][1] == dt.time(0, 0) and rows[3][24] == dt.time(23, 0)
    assert rows[3][25] == "Total [FTE-h]" and rows[3][26] is None
    assert rows[3][27] == dt.time(0, 0) and rows[3][50] == dt.time(23, 0)
    assert rows[3][51] == "Total [agent-h]"


def test_both_maps_and_their_totals_by_local_day_and_hour(written):
    iv, ws, rows, _ = written
    fte = iv["fte"].to_numpy(float).reshape(7, 24)  # one week of whole local days
    agents = iv["agents"].to_numpy(float).reshape(7, 24)
    for d in range(7):
        row = rows[4 + d]
        assert row[0] == dt.datetime(2026, 3, 2) + dt.timedelta(days=d)
        assert row[1:25] == pytest.approx(fte[d].tolist())
        assert row[25] == pytest.approx(fte[d].sum())
        assert row[26] is None
        assert row[27:51] == pytest.approx(agents[d].tolist())
        assert row[51] == pytest.approx(agents[d].sum())
    total = rows[11]
    assert total[0] == "Total"
    assert total[1:25] == pytest.approx(fte.sum(axis=0).tolist())
    assert total[25] == pytest.approx(fte.sum())
    assert total[27:51] == pytest.approx(agents.sum(axis=0).tolist())
    assert total[51] == pytest.approx(agents.sum())
    assert len(rows) == 12
    # formats: dates, FTE one decimal, agents whole, totals bold
    assert ws["A5"].number_format == "ddd yyyy-mm-dd"
    assert ws["B5"].number_format == "#,##0.0" and not ws["B5"].font.b
    assert ws["AB5"].number_format == "#,##0" and not ws["AB5"].font.b
    for cell in ("Z5", "AZ5", "B12", "AB12", "Z12", "AZ12"):
        assert ws[cell].number_format == "#,##0.0" and ws[cell].font.b, cell
    assert ws["A12"].font.b
    assert ws["B4"].number_format == "hh:mm" and ws["B4"].font.b  # header look
    assert ws["A4"].fill.fgColor.rgb == "FFDDEBF7"


def test_each_map_has_its_colour_scale_and_the_header_is_frozen(written):
    _, ws, _, _ = written
    scales = {
        str(r.sqref): [c.rgb for c in r.rules[0].colorScale.color]
        for r in ws.conditional_formatting
    }
    colours = ["FFFFFFFF", "FFFFD966", "FFE06666"]
    assert scales == {"B5:Y11": colours, "AB5:AY11": colours}
    assert ws.freeze_panes == "B5"


def test_printing_each_map_on_its_own_pages(written):
    iv, ws, _, parts = written
    assert ws.print_area.endswith("!$A$1:$AZ$12")
    assert ws.print_title_rows == "$1:$4" and ws.print_title_cols == "$A:$A"
    assert ws.oddHeader.left.text == "Voice (skill 21)"
    assert ws.oddHeader.right.text == "Plan small, page &P of &N"
    assert ws.page_setup.orientation == "landscape"
    # by hand: a column w characters wide prints (w + 2) x 9 + 5 px; the date column is
    # 5 + 13 = 18 characters, a slot 5 (the widest FTE figure is shorter), a total 15
    fte = iv["fte"].to_numpy(float).reshape(7, 24)
    widest = max(len(f"{v:,.1f}") for v in [*fte.ravel(), *fte.sum(axis=0)])
    assert widest <= 5
    date_px, slot_px, total_px = (18 + 2) * 9 + 5, (5 + 2) * 9 + 5, (15 + 2) * 9 + 5
    page_px = (11.0 - 1.4) * 96
    assert (date_px + 24 * slot_px + total_px) * 0.65 > page_px  # a whole map is too wide
    half = date_px + 12 * slot_px + total_px
    assert half * 0.65 <= page_px  # half a day fits at 65 % or more
    sheet = next(text for name, text in parts.items() if name == "xl/worksheets/sheet1.xml")
    breaks = re.findall(r'<brk id="(\d+)" max="1048575" man="1"/>', sheet)
    assert breaks == ["13", "26", "39"]  # B + 12, the gap column, AB + 12
    assert ws.page_setup.scale == int(page_px / half * 90)
    assert "fitToPage" not in sheet


def test_column_widths(written):
    _, ws, _, _ = written
    widths = column_widths(ws)
    assert widths[1] == pytest.approx(18 + 2 + 0.71, abs=0.01)  # the date column
    assert widths[26] == pytest.approx(13 + 2 + 0.71, abs=0.01)  # FTE total
    assert widths[27] == pytest.approx(3 + 0.71, abs=0.01)  # the gap: the 3-character minimum
    assert widths[52] == pytest.approx(15 + 2 + 0.71, abs=0.01)  # agents' total
    for c in range(2, 26):
        assert widths[c] == pytest.approx(5 + 2 + 0.71, abs=0.01), c
    for c in range(28, 52):
        assert widths[c] == pytest.approx(5 + 2 + 0.71, abs=0.01), c


def test_slots_are_as_wide_as_the_widest_figure_totals_included(view, tmp_path):
    """FTE scaled up so that the per-hour totals (a week of a slot) print wider than any
    cell: every slot column takes the width of the widest total, by hand."""
    rows = view.intervals[view.intervals["skill_id"] == 21]
    scaled = rows.assign(fte=rows["fte"] * 40.0)
    ws, _ = one_sheet(
        tmp_path,
        "Voice",
        lambda wb, ws, formats: write_skill_sheet(ws, scaled, 21, "Voice", view, formats),
    )
    fte = scaled["fte"].to_numpy(float).reshape(7, 24)
    cells = max(len(f"{v:,.1f}") for v in fte.ravel())
    totals = max(len(f"{v:,.1f}") for v in fte.sum(axis=0))
    assert totals > cells and totals > 5
    widths = column_widths(ws)
    for c in [*range(2, 26), *range(28, 52)]:
        assert widths[c] == pytest.approx(totals + 2 + 0.71, abs=0.01), c


def test_a_map_of_a_single_day_gets_its_colour_scale_too(view, tmp_path):
    """The colour scale covers every day row of each map, one row included: the sheet of
    one local day (Voice on Monday 2026-03-02, the small plan's first day) has the scale
    over row 5 alone, B:Y (FTE) and AB:AY (agents)."""
    rows = view.intervals[view.intervals["skill_id"] == 21]
    local = rows["interval_start"].dt.tz_convert(TZ).dt.date
    one_day = rows[local == local.iloc[0]]
    assert len(one_day) == 24
    ws, _ = one_sheet(
        tmp_path,
        "Voice",
        lambda wb, ws, formats: write_skill_sheet(ws, one_day, 21, "Voice", view, formats),
    )
    scales = {str(r.sqref) for r in ws.conditional_formatting}
    assert scales == {"B5:Y5", "AB5:AY5"}


def test_a_long_zone_name_widens_the_printed_date_column_and_lowers_the_scale(tmp_path):
    """In America/Argentina/Buenos_Aires (30 characters) the date column prints 5 + 30
    characters wide: with slots of 5 characters and totals of 15, half a day takes
    (35 + 2) x 9 + 5 + 12 x ((5 + 2) x 9 + 5) + (15 + 2) x 9 + 5 = 1,312 px, a whole day
    too much at 65 %, so each map prints 12 hours a page at int(921.6 / 1,312 x 90) = 63 %
    (by hand; a date or total column one character wider would print at 62 %)."""
    zone = "America/Argentina/Buenos_Aires"
    forecast = tmp_path / "volume.csv"
    support.volume().to_csv(forecast, index=False)  # naive local times: read in the zone
    config = support.config(forecast)
    config["plan"]["timezone"] = zone
    view = PlanView.from_plan(staffing.plan(config))
    rows = view.intervals[view.intervals["skill_id"] == 21]
    fte = rows["fte"].to_numpy(float).reshape(7, 24)
    assert max(len(f"{v:,.1f}") for v in [*fte.ravel(), *fte.sum(axis=0)]) <= 5
    ws, parts = one_sheet(
        tmp_path,
        "Voice",
        lambda wb, ws, formats: write_skill_sheet(ws, rows, 21, "Voice", view, formats),
    )
    date_px, slot_px, total_px = (5 + len(zone) + 2) * 9 + 5, (5 + 2) * 9 + 5, (15 + 2) * 9 + 5
    page_px = (11.0 - 1.4) * 96
    half = date_px + 12 * slot_px + total_px
    assert half == 1312 and (date_px + 24 * slot_px + total_px) * 0.65 > page_px
    sheet = next(text for name, text in parts.items() if name == "xl/worksheets/sheet1.xml")
    breaks = re.findall(r'<brk id="(\d+)" max="1048575" man="1"/>', sheet)
    assert breaks == ["13", "26", "39"]  # B + 12, the gap column, AB + 12
    assert ws.page_setup.scale == int(page_px / half * 90) == 63


def _los_angeles(tmp_path) -> PlanView:
    """The small plan in America/Los_Angeles: its week has the spring clock change."""
    forecast = tmp_path / "volume.csv"
    support.volume().to_csv(forecast, index=False)  # naive local times: read in the zone
    config = support.config(forecast)
    config["plan"]["timezone"] = "America/Los_Angeles"
    with pytest.warns(DataWarning, match="2026-03-08 02:00 do not exist"):  # the lost hour
        return PlanView.from_plan(staffing.plan(config))


def test_the_day_clocks_go_forward_leaves_its_lost_hour_empty_and_keeps_its_formats(tmp_path):
    """Sunday 2026-03-08 in Los Angeles has no 02:00: its row (the 7th day, row 11) leaves
    the 02:00 cells of both maps empty (D and AD), and every other cell of the row keeps
    its map's format, FTE one decimal and agents whole, as on the other days."""
    view = _los_angeles(tmp_path)
    rows = view.intervals[view.intervals["skill_id"] == 21]
    ws, _ = one_sheet(
        tmp_path,
        "Voice",
        lambda wb, ws, formats: write_skill_sheet(ws, rows, 21, "Voice", view, formats),
    )
    assert ws["A11"].value == dt.datetime(2026, 3, 8)
    assert ws["D11"].value is None and ws["AD11"].value is None  # 02:00 of each map
    for col in range(2, 26):  # B:Y, the FTE map's 24 slots
        if col != 4:
            assert ws.cell(11, col).number_format == "#,##0.0", col
            assert ws.cell(11, col + 26).number_format == "#,##0", col + 26  # AB:AY
    assert ws["C11"].value is not None and ws["AC11"].value is not None


def test_a_half_day_just_too_wide_at_65_percent_prints_a_third_of_a_day_a_page(tmp_path):
    """The fewest pages across whose page fits at 65 %: in America/Los_Angeles (19
    characters; the week of the US spring clock change) with FTE scaled so that the
    widest figure, a per-hour total, has 7 characters, half a day takes (5 + 19 + 2) x 9
    + 5 + 12 x ((7 + 2) x 9 + 5) + (15 + 2) x 9 + 5 = 1,429 px, 11 px more than 65 %
    allows (921.6 / 0.65 = 1,417.8): each map prints 8 hours a page (1,085 px) at
    int(921.6 / 1,085 x 90) = 76 %."""
    zone = "America/Los_Angeles"
    view = _los_angeles(tmp_path)
    rows = view.intervals[view.intervals["skill_id"] == 21]
    scaled = rows.assign(fte=rows["fte"] * 30.0)
    assert len(scaled) == 7 * 24 - 1  # the week of the US spring clock change (2026-03-08)
    clock = scaled["interval_start"].dt.tz_convert(zone).dt.strftime("%H:%M")
    figures = [*scaled["fte"], *scaled.groupby(clock)["fte"].sum()]  # cells, per-hour totals
    assert max(len(f"{v:,.1f}") for v in figures) == 7
    ws, parts = one_sheet(
        tmp_path,
        "Voice",
        lambda wb, ws, formats: write_skill_sheet(ws, scaled, 21, "Voice", view, formats),
    )
    date_px, slot_px, total_px = (5 + 19 + 2) * 9 + 5, (7 + 2) * 9 + 5, (15 + 2) * 9 + 5
    page_px = (11.0 - 1.4) * 96
    assert date_px + 12 * slot_px + total_px == 1429 and 1429 * 0.65 > page_px
    third = date_px + 8 * slot_px + total_px
    assert third == 1085
    sheet = next(text for name, text in parts.items() if name == "xl/worksheets/sheet1.xml")
    breaks = re.findall(r'<brk id="(\d+)" max="1048575" man="1"/>', sheet)
    assert breaks == ["9", "17", "26", "35", "43"]  # B + 8, B + 16, the gap, AB + 8, AB + 16
    assert ws.page_setup.scale == int(page_px / third * 90) == 76

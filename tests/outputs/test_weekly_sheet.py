"""The Weekly sheet written alone from small hand-made weekly tables, read back.

Rules protected: the Weekly sheet shows the all-skills rows first, in bold, with an empty
skill id and the name ``All skills``, then every skill's rows, in one table whose columns
are those of ``Plan.weekly`` (a column only the totals have comes last); the table has
filters over exactly its rows, its header stays in view and repeats on every printed page,
and the sheet prints landscape one page wide. Expected cells and ranges are counted by
hand from the layout (title, note, a blank row, the header on row 4).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from staffing.outputs.sheets.weekly import write_weekly
from staffing.outputs.view import PlanView
from tests.outputs.sheet_reading import assert_look, cell_rows, column_widths, one_sheet

TZ = "Europe/Paris"
WEEKS = [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]


def _weekly() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "skill_id": [5, 5, 6, 6],
            "skill_name": ["Voice", "Voice", "Mail", "Mail"],
            "week_start": WEEKS * 2,
            "volume": [100.0, 110.0, 40.0, 44.0],
            "agent_hours": [50.0, 55.0, 20.0, 22.0],
        }
    )


def _total(extra: bool = False) -> pd.DataFrame:
    total = pd.DataFrame(
        {"week_start": WEEKS, "volume": [140.0, 154.0], "agent_hours": [70.0, 77.0]}
    )
    if extra:
        total["peak_agents"] = [9, 10]
    return total


def _write(tmp_path, weekly, total):
    view = PlanView(
        name="wk",
        timezone=TZ,
        interval_minutes=60,
        intervals=pd.DataFrame({"interval_start": pd.DatetimeIndex([], tz=TZ)}),
        weekly=weekly,
        weekly_total=total,
    )
    return one_sheet(tmp_path, "Weekly", lambda wb, ws, formats: write_weekly(ws, view, formats))


def test_all_skills_rows_first_in_bold_then_each_skill(tmp_path):
    ws, _parts = _write(tmp_path, _weekly(), _total(extra=True))
    rows = cell_rows(ws)
    assert rows[0][0] == "Weekly requirements of plan wk"
    assert rows[1][0] == (
        f"Weeks start on the plan's first day ({TZ}). FTE headcount = FTE-hours / "
        "contracted hours per FTE per week; NHT, service level and abandonment are "
        "volume-weighted."
    )
    assert all(v is None for v in rows[2])
    assert_look(ws["A1"], "title")
    assert_look(ws["A2"], "note")
    assert rows[3] == [
        "Skill ID",
        "Skill",
        f"Week start ({TZ})",
        "Volume",
        "Agent hours",
        "Peak agents",
    ]
    body = rows[4:]
    assert [r[:2] for r in body] == [
        [None, "All skills"],
        [None, "All skills"],
        [5, "Voice"],
        [5, "Voice"],
        [6, "Mail"],
        [6, "Mail"],
    ]
    assert [r[2].date() for r in body] == WEEKS * 3
    assert [r[3] for r in body] == [140.0, 154.0, 100.0, 110.0, 40.0, 44.0]
    assert [r[5] for r in body] == [9, 10, None, None, None, None]  # totals-only column last
    # the skills' ids keep the id format (no thousands separator) below the totals' blanks
    assert [ws.cell(row, 1).number_format for row in range(7, 11)] == ["0"] * 4
    bold = [bool(ws.cell(row, 4).font.b) for row in range(5, 11)]
    assert bold == [True, True, False, False, False, False]
    assert ws.auto_filter.ref == "A4:F10"
    assert ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # one page wide (1 is the file's default, left out), as many pages down as it takes
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    # "Skill ID" is 8 characters, but the filter button needs 12; + 2 of margin
    assert column_widths(ws)[1] == pytest.approx(12 + 2 + 0.71, abs=0.01)


def test_without_per_skill_rows_the_totals_keep_their_own_columns(tmp_path):
    ws, _ = _write(tmp_path, None, _total())
    rows = cell_rows(ws)
    assert rows[3] == [f"Week start ({TZ})", "Volume", "Agent hours"]
    assert [r[1] for r in rows[4:]] == [140.0, 154.0]
    assert [bool(ws.cell(row, 2).font.b) for row in (5, 6)] == [True, True]
    assert ws.auto_filter.ref == "A4:C6"


def test_without_totals_only_the_skills_rows_none_bold(tmp_path):
    ws, _ = _write(tmp_path, _weekly(), None)
    rows = cell_rows(ws)
    assert [r[0] for r in rows[4:]] == [5, 5, 6, 6]
    assert not any(ws.cell(row, 4).font.b for row in range(5, 9))
    assert ws.auto_filter.ref == "A4:E8"


def test_totals_without_a_skill_id_column_are_not_given_one(tmp_path):
    weekly = _weekly().drop(columns=["skill_id"])
    ws, _ = _write(tmp_path, weekly, _total())
    rows = cell_rows(ws)
    assert rows[3][:2] == ["Skill", f"Week start ({TZ})"]
    assert [r[0] for r in rows[4:6]] == [None, None]  # no name invented for the totals
    assert [r[2] for r in rows[4:6]] == pytest.approx([140.0, 154.0])

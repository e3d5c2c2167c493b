"""The Assumptions sheet written alone from a hand-made plan view and schedule, read back.

Rules protected:
- every run fact is one ``key | value`` row under "Run": ISO times as local date-times,
  ISO dates as dates, booleans as booleans, numbers in the format their key declares
  (a target as a per cent, a count as an integer) with float noise rounded away, text as
  text (wrapped, its row tall enough when it is long), nothing for a missing value;
- a credential-like key's value is never written, only ``[redacted]``; a credential-like
  column of the per-skill settings is left out;
- a schedule's rules come first in a fixed order, the note on breaks in shrinkage right
  after the shrinkage rule, then its other facts, its paid hours and MILP gap;
- the sections follow in order (run, schedule, configuration, per skill, backtest,
  uncertainty), one blank row apart, and say "none: ..." when there is nothing to show;
- the correlation between skills is shown above the uncertainty table.

Every expected row, value and format is written out here by hand.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from staffing.outputs.sheets.assumptions import write_assumptions
from staffing.outputs.view import PlanView
from staffing.shifts.schedule import Schedule
from tests.outputs.sheet_reading import assert_look, cell_rows, column_widths, one_sheet

TZ = "Europe/Berlin"
LONG = "a source described at length, " * 4  # 120 characters: wraps onto 3 lines of 42
BREAKS = (
    "if the configured shrinkage s already includes the unpaid break scheduled here (a share "
    "b of the shift's span), use s' = (s - b) / (1 - b) instead; paid short breaks, "
    "meetings, training and absence stay in s"
)


def _meta() -> dict:
    return {
        "name": "asm",
        "run_at_utc": "2026-03-01T10:00:00+00:00",  # 11:00 in Berlin
        "start": "2026-03-02",
        "forced": True,
        "weeks": 3,
        "skills[4].service_level.target": 0.8,
        "noise": 0.1 + 0.25,  # 0.35000000000000003
        "sources": LONG,
        "api_token": "s3cr3t",
        "nothing": None,
        "count": 1234567,
        "missing_time": pd.NaT,
        "first_day": dt.date(2026, 3, 2),
        "liveperson.app_secret": "hidden",  # the last part names a credential
        "token_store.path": "/srv/store",  # only the first part does: shown
        "exactly": "x" * 42,  # fits the 40-character column + 2: no taller row
        "one_more": "y" * 43,  # wraps onto 2 lines
    }


def _view(**tables) -> PlanView:
    return PlanView(
        name="asm",
        timezone=TZ,
        interval_minutes=60,
        intervals=pd.DataFrame({"interval_start": pd.DatetimeIndex([], tz=TZ)}),
        meta=_meta(),
        **tables,
    )


def _schedule() -> Schedule:
    empty = pd.DataFrame()
    return Schedule(
        shifts=empty,
        coverage=empty,
        skill_coverage=empty,
        uncovered=empty,
        daily=empty,
        weekly=empty,
        groups=empty,
        paid_hours=1234.5,
        mip_gap=0.0125,
        meta={
            "solver": "HiGHS",
            "extra_fact": "kept",
            "shrinkage_rule": "per interval",
            "time_limit_s": 60,
            "source": "optimised",
        },
    )


def _write(tmp_path, view, schedule=None):
    return one_sheet(
        tmp_path,
        "Assumptions",
        lambda wb, ws, formats: write_assumptions(ws, view, formats, schedule=schedule),
    )


def _settings(ws, first: int, last: int) -> dict:
    return {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(first, last + 1)}


def test_each_run_fact_in_its_own_kind_and_format(tmp_path):
    ws, _ = _write(tmp_path, _view())
    rows = cell_rows(ws)
    assert rows[0][0] == "Assumptions of plan asm"
    assert rows[1][0] == f"Times are local to {TZ}. Credentials are never written."
    assert rows[2][0] is None and rows[3][0] == "Run"
    assert_look(ws["A1"], "title")
    assert_look(ws["A2"], "note")
    assert_look(ws["A4"], "section")
    keys = [r[0] for r in rows[4 : 4 + len(_meta())]]
    assert keys == [
        "name",
        "run_at",  # a _utc key is shown in local time and loses the suffix
        "start",
        "forced",
        "weeks",
        "skills[4].service_level.target",
        "noise",
        "sources",
        "api_token",
        "nothing",
        "count",
        "missing_time",
        "first_day",
        "liveperson.app_secret",
        "token_store.path",
        "exactly",
        "one_more",
    ]
    cells = _settings(ws, 5, 4 + len(_meta()))
    assert cells["name"].value == "asm"
    assert cells["run_at"].value == dt.datetime(2026, 3, 1, 11, 0)
    assert cells["run_at"].number_format == "ddd yyyy-mm-dd hh:mm"
    assert cells["start"].value == dt.datetime(2026, 3, 2)
    assert cells["start"].number_format == "ddd yyyy-mm-dd"
    assert cells["first_day"].value == dt.datetime(2026, 3, 2)
    assert cells["first_day"].number_format == "ddd yyyy-mm-dd"
    assert cells["forced"].value is True
    assert cells["weeks"].value == 3 and cells["weeks"].number_format == "#,##0"
    target = cells["skills[4].service_level.target"]
    assert target.value == 0.8 and target.number_format == "0.0%"  # declared a per cent
    assert cells["noise"].value == 0.35  # not 0.35000000000000003
    assert cells["noise"].number_format == "#,##0.00"  # an undeclared float
    assert cells["count"].value == 1234567 and cells["count"].number_format == "#,##0"
    assert cells["sources"].value == LONG and cells["sources"].alignment.wrap_text
    assert cells["api_token"].value == "[redacted]"
    assert cells["liveperson.app_secret"].value == "[redacted]"
    assert cells["token_store.path"].value == "/srv/store"
    exactly_row = 4 + keys.index("exactly") + 1
    assert ws.row_dimensions[exactly_row].height is None
    assert ws.row_dimensions[exactly_row + 1].height == 30
    assert cells["nothing"].value is None and cells["missing_time"].value is None
    for key in ("run_at", "start", "weeks", "noise", "forced", "skills[4].service_level.target"):
        assert cells[key].alignment.horizontal == "left", key
    assert cells["name"].alignment.wrap_text and cells["name"].alignment.vertical == "top"
    # the long value's row: 3 lines of 15 points; a short one keeps the default height
    sources_row = 4 + keys.index("sources") + 1
    assert ws.row_dimensions[sources_row].height == 45
    assert ws.row_dimensions[5].height is None
    # no schedule, configuration, skills or backtest: the uncertainty section follows
    after = 4 + len(_meta())
    assert rows[after][0] is None
    assert rows[after + 1][0] == "Forecast uncertainty (day-level CV of each skill's volume)"
    assert rows[after + 2][0] == "none: volume.uncertainty is none, the forecast is exact"
    assert len(rows) == after + 3
    widths = column_widths(ws)
    # keys: the longest, "skills[4].service_level.target" (30) + 2; values: the 40-character
    # wrap width + 2
    assert widths[1] == pytest.approx(30 + 2, abs=0.72)
    assert widths[2] == pytest.approx(40 + 2, abs=0.72)
    assert ws.page_setup.orientation == "landscape"


def test_short_keys_and_values_keep_the_sheet_s_minimum_widths(tmp_path):
    view = _view()
    view.meta = {"a": "b"}
    ws, _ = _write(tmp_path, view)
    widths = column_widths(ws)
    assert widths[1] == pytest.approx(18 + 2, abs=0.72)  # column A is 18 characters at least
    assert widths[2] == pytest.approx(max(1 + 2, 4), abs=0.72)


def test_the_schedule_s_rules_come_first_then_its_facts(tmp_path):
    ws, _ = _write(tmp_path, _view(), schedule=_schedule())
    rows = cell_rows(ws)
    at = 4 + len(_meta()) + 1
    assert_look(ws.cell(at + 1, 1), "section")
    assert rows[at][0] == (
        "Shifts: how shrinkage and scheduled breaks combine, and the solver "
        "(python -m pydoc staffing.shifts.schedule)"
    )
    got = [(r[0], r[1]) for r in rows[at + 1 : at + 9]]
    assert got == [
        ("schedule.shrinkage_rule", "per interval"),
        ("schedule.breaks_in_shrinkage", BREAKS),
        ("schedule.source", "optimised"),
        ("schedule.solver", "HiGHS"),
        ("schedule.time_limit_s", 60),
        ("schedule.extra_fact", "kept"),
        ("schedule.paid_hours", 1234.5),
        ("schedule.mip_gap", 0.0125),
    ]
    assert ws.cell(at + 1 + 5, 2).number_format == '#,##0.0" s"'  # seconds, declared
    assert ws.cell(at + 1 + 8, 2).number_format == "0.0%"  # the gap is a per cent
    assert rows[at + 9][0] is None
    assert rows[at + 10][0] == "Forecast uncertainty (day-level CV of each skill's volume)"
    # the break note is long: its row is as many 15-point lines as it needs at 42 a line
    assert ws.row_dimensions[at + 3].height == 15 * math.ceil(len(BREAKS) / 42)


def test_configuration_skills_backtest_and_uncertainty_in_order(tmp_path):
    skills = pd.DataFrame(
        {"skill_id": [1, 2], "skill_name": ["Voice", "Chat"], "app_secret": ["x", "y"]}
    )
    uncertainty = pd.DataFrame(
        {"skill_id": [1, 2], "daily_cv": [0.08, 0.12], "source": ["history", "history"]}
    )
    uncertainty.attrs["correlation"] = 0.4
    view = _view(
        config={"plan": {"name": "asm", "weeks": 2}},
        skills=skills,
        backtest=pd.DataFrame({"skill_id": pd.Series([], dtype="int64")}),
        uncertainty=uncertainty,
    )
    view.meta = {"name": "asm"}
    ws, _ = _write(tmp_path, view)
    rows = cell_rows(ws)
    column_a = [r[0] for r in rows]
    assert column_a[3:6] == ["Run", "name", None]
    assert column_a[6:10] == ["Configuration as applied", "plan.name", "plan.weeks", None]
    assert rows[8][1] == 2
    assert column_a[10] == "Settings per skill (defaults resolved)"
    for row in (7, 11, 16, 19):  # configuration, per skill, backtest, uncertainty
        assert_look(ws.cell(row, 1), "section")
    assert rows[11][:3] == ["Skill ID", "Skill", None]  # the credential column left out
    assert column_a[12:15] == [1, 2, None]
    assert column_a[15] == "Volume forecast backtest (last history week held out)"
    assert column_a[16] == "none: the volume forecast did not come from history"
    assert column_a[17] is None
    assert column_a[18] == "Forecast uncertainty (day-level CV of each skill's volume)"
    assert rows[19][:2] == ["correlation between skills", 0.4]
    assert column_a[20] == "Skill ID"
    assert [r[1] for r in rows[21:23]] == [0.08, 0.12]
    assert len(rows) == 23


def test_an_uncertainty_table_without_a_correlation_shows_zero(tmp_path):
    uncertainty = pd.DataFrame({"skill_id": [1], "daily_cv": [0.08]})
    view = _view(uncertainty=uncertainty)
    view.meta = {"name": "asm"}
    ws, _ = _write(tmp_path, view)
    rows = cell_rows(ws)
    at = [r[0] for r in rows].index("correlation between skills")
    assert rows[at][1] == 0.0 and rows[at + 1][0] == "Skill ID"


def test_a_backtest_table_is_shown_under_its_section(tmp_path):
    backtest = pd.DataFrame({"skill_id": [1], "wape": [0.12]})
    view = _view(backtest=backtest)
    view.meta = {"name": "asm"}
    ws, _ = _write(tmp_path, view)
    column_a = [r[0] for r in cell_rows(ws)]
    at = column_a.index("Volume forecast backtest (last history week held out)")
    assert column_a[at + 1 : at + 4] == ["Skill ID", 1, None]
    assert column_a[at + 4] == "Forecast uncertainty (day-level CV of each skill's volume)"


def test_a_configuration_s_iso_times_are_local_times_as_the_run_s(tmp_path):
    """The configuration's settings follow the run facts' rule: an ISO time with an offset
    is shown in the plan's zone (10:00 UTC is 11:00 in Berlin in March), its ``_utc``
    suffix dropped; a date stays a date."""
    view = _view(
        config={"history": {"fetched_utc": "2026-03-01T10:00:00+00:00", "since": "2026-01-05"}}
    )
    view.meta = {"name": "asm"}
    ws, _ = _write(tmp_path, view)
    column_a = [r[0] for r in cell_rows(ws)]
    at = column_a.index("Configuration as applied") + 1  # 1-based row of the first setting
    assert column_a[at : at + 2] == ["history.fetched", "history.since"]
    assert ws.cell(at + 1, 2).value == dt.datetime(2026, 3, 1, 11, 0)
    assert ws.cell(at + 1, 2).number_format == "ddd yyyy-mm-dd hh:mm"
    assert ws.cell(at + 2, 2).value == dt.datetime(2026, 1, 5)
    assert ws.cell(at + 2, 2).number_format == "ddd yyyy-mm-dd"


def test_only_the_last_part_of_a_key_makes_it_a_credential(tmp_path):
    """A setting ``a.b.c`` is a credential by its last part alone: three-part keys whose
    middle part names a token are shown, one whose last part does is ``[redacted]``."""
    view = _view()
    view.meta = {
        "liveperson.token_store.path": "/srv/store",
        "sync.auth.method": "oauth",
        "sync.client.app_secret": "hidden",
    }
    ws, _ = _write(tmp_path, view)
    cells = _settings(ws, 5, 7)
    assert cells["liveperson.token_store.path"].value == "/srv/store"
    assert cells["sync.auth.method"].value == "oauth"
    assert cells["sync.client.app_secret"].value == "[redacted]"


def test_a_tall_row_s_key_sits_at_the_top_beside_its_value_s_first_line(tmp_path):
    """A long value wraps onto several lines of a taller row; its key is top-aligned (and
    wraps) like the value, so the two read together on the first line; the row itself is
    set to wrap, top-aligned, for anything typed beside them."""
    view = _view()
    view.meta = {"sources": LONG, "name": "asm"}
    ws, _ = _write(tmp_path, view)
    tall = ws.row_dimensions[5]
    assert tall.height == 45  # 120 characters: 3 lines of 15 points
    assert tall.alignment.wrap_text and tall.alignment.vertical == "top"
    for cell in (ws["A5"], ws["B5"], ws["A6"]):
        assert cell.alignment.vertical == "top" and cell.alignment.wrap_text, cell.coordinate


@pytest.mark.parametrize(
    ("meta", "chars"),
    [
        ({"run_at_utc": "2026-03-01T10:00:00+00:00"}, 20),  # a local date-time
        ({"first_day": dt.date(2026, 3, 2)}, 14),  # a date
        ({"count": 1234567890123}, 13 + 2),  # a number: its digits + 2
    ],
)
def test_the_value_column_is_as_wide_as_its_widest_value(tmp_path, meta, chars):
    """Column B takes the width of its widest value, by kind: a date-time 20 characters,
    a date 14, a number its digits + 2 (every setting's value in B, + 2 of margin); a
    whole number keeps all its 13 digits (no float rounding)."""
    view = _view()
    view.meta = meta
    ws, _ = _write(tmp_path, view)
    assert ws["B5"].value is not None
    if "count" in meta:
        assert ws["B5"].value == 1234567890123
    widths = column_widths(ws)
    assert widths[2] == pytest.approx(chars + 2, abs=0.72)
    assert 3 not in widths  # nothing widens column C

"""Tests of the staffing workbook and CSV (staffing.outputs), read back with openpyxl and zipfile.

The plans here are built by ``make_plan`` with the columns of the ``Plan`` contract
(``staffing/plan.py``); every number the tests expect is either read from that plan's own
DataFrames (the workbook must reproduce them) or computed by hand in a comment.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter.workbook

from staffing.errors import DataError, OutputError
from staffing.outputs import (
    cells,
    check_outputs,
    interval_grid,
    layout,
    sheet_names,
    workbook,
    write_intervals_csv,
    write_outputs,
    write_workbook,
)
from staffing.outputs.sheets import plan as plan_sheets
from staffing.vocabulary import INTERVAL_COLUMNS
from tests.conftest import per_module

TZ = "Europe/Paris"
SECRET = "s3cr3t-SHOULD-NEVER-APPEAR"


# --------------------------------------------------------------------------------------------
# A plan with the contract's columns
# --------------------------------------------------------------------------------------------


class FakePlan(SimpleNamespace):
    """Stands in for staffing.plan.Plan: the same attributes, run_facts() and summary()."""

    def run_facts(self) -> dict:
        return {
            "name": self.name,
            "timezone": self.timezone,
            "interval_minutes": self.interval_minutes,
            **self.meta,
        }

    def summary(self) -> pd.DataFrame:
        iv = self.intervals
        hours = self.interval_minutes / 60
        weeks = iv["interval_start"].dt.normalize().nunique() / 7
        rows = []
        for (sid, name), g in iv.groupby(["skill_id", "skill_name"], sort=False):
            peak = g.loc[g["agents"].idxmax()]
            rows.append(
                {
                    "skill_id": str(sid),
                    "skill_name": name,
                    "weekly_volume": g["volume"].sum() / weeks,
                    "nht_s": (g["volume"] * g["nht_s"]).sum() / g["volume"].sum(),
                    "peak_agents": int(peak["agents"]),
                    "peak_at": peak["interval_start"],
                    "agent_hours": g["agents"].sum() * hours,
                    "fte_headcount": g["fte"].sum() * hours / weeks / 40.0,
                    "service_level": np.average(g["service_level"].fillna(1), weights=g["volume"]),
                    "p_abandon": np.average(g["p_abandon"], weights=g["volume"]),
                }
            )
        total = pd.DataFrame(rows)
        all_row = {
            "skill_id": "total",
            "skill_name": "All skills",
            "weekly_volume": total["weekly_volume"].sum(),
            "nht_s": float(np.average(total["nht_s"], weights=total["weekly_volume"])),
            "peak_agents": int(iv.groupby("interval_start")["agents"].sum().max()),
            "peak_at": iv.groupby("interval_start")["agents"].sum().idxmax(),
            "agent_hours": total["agent_hours"].sum(),
            "fte_headcount": total["fte_headcount"].sum(),
            "service_level": float(np.average(total["service_level"])),
            "p_abandon": float(np.average(total["p_abandon"])),
        }
        return pd.concat([total, pd.DataFrame([all_row])], ignore_index=True)


def make_intervals(
    skills: list[tuple[int, str]],
    start: str = "2026-03-23",
    days: int = 14,
    tz: str = TZ,
    minutes: int = 60,
) -> pd.DataFrame:
    """Intervals over ``days`` local days; 2026-03-29 is Paris's spring-forward day."""
    first = pd.Timestamp(start, tz=tz)
    last = pd.Timestamp(start) + pd.Timedelta(days=days)
    starts = pd.date_range(first, last.tz_localize(tz), freq=f"{minutes}min", inclusive="left")
    frames = []
    for k, (sid, name) in enumerate(skills):
        hour = starts.hour.to_numpy()
        volume = (10.0 + 5 * k + hour).astype(float)
        volume[(hour < 6)] = 0.0  # night: zero volume gives zero agents
        nht = np.full(len(starts), 300.0 + 10 * k)
        workload = volume * nht / (minutes * 60)
        agents = np.ceil(workload / 0.8).astype(int)
        with np.errstate(invalid="ignore", divide="ignore"):
            occupancy = np.where(agents > 0, workload / np.maximum(agents, 1), np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "skill_id": sid,
                    "skill_name": name,
                    "interval_start": starts,
                    "volume": volume,
                    "nht_s": nht,
                    "nht_basis": np.where(hour < 12, "hour_of_week", "skill_mean"),
                    "workload_erlangs": workload,
                    "agents": agents,
                    "fte": agents / (1 - 0.3),
                    "shrinkage": 0.3,
                    "service_level": np.where(volume > 0, 0.8 + 0.01 * (hour % 10), np.nan),
                    "asa_s": np.where(volume > 0, 12.5 + hour, 0.0),
                    "p_abandon": np.where(volume > 0, 0.02, 0.0),
                    "occupancy": occupancy,
                    "method": "erlang_a" if k % 2 else "workload",
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def make_plan(
    skills: list[tuple[int, str]] | None = None,
    *,
    config: object = None,
    **kwargs,
) -> FakePlan:
    skills = skills or [(101, "Sales"), (202, "Billing/Refunds [EU]"), (303, "Support chat")]
    intervals = make_intervals(skills, **kwargs)
    tz = kwargs.get("tz", TZ)
    minutes = kwargs.get("minutes", 60)
    meta = {
        "start": dt.date(2026, 3, 23),
        "end": dt.date(2026, 4, 5),
        "history_window": "2026-01-19 to 2026-03-22",
        "nht_source": "file",
        "volume_source": "history",
        "version": "9.9.9",
        "run_time": pd.Timestamp("2026-03-20 08:30", tz="UTC"),
    }
    skill_table = pd.DataFrame(
        {
            "skill_id": [s for s, _ in skills],
            "skill_name": [n for _, n in skills],
            "method": ["workload", "erlang_a", "workload"][: len(skills)]
            + ["workload"] * max(0, len(skills) - 3),
            "service_level_target": 0.8,
            "answer_within_s": 60.0,
            "shrinkage": 0.3,
            "fte_hours_per_week": 40.0,
        }
    )
    return FakePlan(
        config=config,
        intervals=intervals,
        weekly=pd.DataFrame(),
        weekly_total=pd.DataFrame(),
        history=pd.DataFrame(),
        nht_profile=pd.DataFrame(),
        skills=skill_table,
        backtest=pd.DataFrame(
            {
                "skill_id": [s for s, _ in skills],
                "skill_name": [n for _, n in skills],
                "wape": 0.125,
            }
        ),
        name="unit-plan",
        timezone=tz,
        interval_minutes=minutes,
        meta=meta,
    )


@pytest.fixture(scope=per_module)
def plan() -> FakePlan:
    return make_plan()


@pytest.fixture(scope=per_module)
def workbook_path(plan, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wb") / "plan.xlsx"
    write_workbook(plan, path)
    return path


@pytest.fixture(scope=per_module)
def book(workbook_path):
    return openpyxl.load_workbook(workbook_path)


def header_map(ws, row: int = 1) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value is not None}


def table_rows(ws) -> pd.DataFrame:
    """The Intervals sheet back as a DataFrame (header in row 1)."""
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


# --------------------------------------------------------------------------------------------
# Workbook contents
# --------------------------------------------------------------------------------------------


def test_sheets_are_summary_one_per_skill_intervals_assumptions(book):
    # "Billing/Refunds [EU]" has three characters Excel forbids in sheet names (/ [ ]).
    assert book.sheetnames == [
        "Summary",
        "Sales",
        "Billing_Refunds _EU_",
        "Support chat",
        "Intervals",
        "Assumptions",
    ]


def test_intervals_sheet_reproduces_every_value_of_the_plan(plan, book):
    ws = book["Intervals"]
    got = table_rows(ws)
    iv = plan.intervals
    assert len(got) == len(iv)  # 3 skills x (14 days x 24 h - 1 skipped DST hour) = 1005 rows
    assert len(got) == 3 * (14 * 24 - 1)
    # Times are real datetimes, local wall-clock time, zone named in the header.
    col = f"Interval start ({TZ})"
    assert all(isinstance(v, dt.datetime) for v in got[col])
    expected_local = iv["interval_start"].dt.tz_localize(None)
    assert (pd.to_datetime(got[col]).dt.round("s") == expected_local.dt.round("s")).all()
    # No 02:00 on 2026-03-29 (clocks go 02:00 -> 03:00 in Paris).
    assert dt.datetime(2026, 3, 29, 2) not in set(got[col])
    pairs = {
        "Skill ID": "skill_id",
        "Volume": "volume",
        "NHT [s]": "nht_s",
        "Workload [Erlang]": "workload_erlangs",
        "Agents": "agents",
        "FTE in the interval": "fte",
        "Shrinkage": "shrinkage",
        "ASA [s]": "asa_s",
        "Abandonment": "p_abandon",
        "Occupancy": "occupancy",  # NaN at zero volume: an empty cell read back as NaN
    }
    for label, name in pairs.items():
        np.testing.assert_allclose(got[label].astype(float), iv[name].astype(float), rtol=1e-12)
    # NaN (no volume, so no service level) is an empty cell, not a number or an error.
    sl = got["Service level"]
    assert sl.isna().sum() == iv["service_level"].isna().sum() > 0
    np.testing.assert_allclose(sl.dropna().astype(float), iv["service_level"].dropna())
    assert list(got["NHT basis"]) == list(iv["nht_basis"])
    assert list(got["Method"]) == list(iv["method"])
    assert list(got["Skill"]) == list(iv["skill_name"])


def test_intervals_have_filters_over_the_whole_range_and_formats(plan, book):
    ws = book["Intervals"]
    # xlsxwriter's constant_memory mode cannot hold an Excel table: an autofilter instead.
    assert list(ws.tables) == []
    n = len(plan.intervals)
    # 15 columns A..O, header in row 1, data rows 2..n+1.
    assert ws.auto_filter.ref == f"A1:Q{n + 1}"  # the 17 INTERVAL_COLUMNS, A to Q
    assert [c.value for c in ws[1]][:3] == ["Skill ID", "Skill", f"Interval start ({TZ})"]
    h = header_map(ws)
    row = 2 + 8  # 2026-03-23 08:00, skill Sales: volume 18 > 0
    assert ws.cell(row, h["Service level"]).number_format == "0.0%"
    assert ws.cell(row, h["FTE in the interval"]).number_format == "#,##0.0"
    assert ws.cell(row, h["ASA [s]"]).number_format == '#,##0.0" s"'
    assert ws.cell(row, h[f"Interval start ({TZ})"]).is_date
    assert ws.freeze_panes == "A2"
    # Widths fit: the datetime column is wider than Excel's default 8.43.
    letter = openpyxl.utils.get_column_letter(h[f"Interval start ({TZ})"])
    assert ws.column_dimensions[letter].width >= 20


def test_skill_sheet_grid_equals_the_plan_with_totals(plan, book):
    ws = book["Sales"]
    iv = plan.intervals[plan.intervals["skill_id"] == 101]
    header = 4  # title, note, group labels, then the header row
    assert ws.cell(header, 1).value == f"Date ({TZ})"
    assert ws.cell(header, 2).value == dt.time(0, 0)
    assert ws.cell(header, 2 + 9).value == dt.time(9, 0)
    assert ws.cell(header, 2 + 24).value == "Total [FTE-h]"
    # Row of 2026-03-23 (first day); 09:00 has volume 10 + 9 = 19, NHT 300 s -> workload
    # 19*300/3600 = 1.5833 Erlang -> ceil(1.5833/0.8) = 2 agents -> FTE 2/0.7 = 2.857.
    first = header + 1
    assert ws.cell(first, 1).value == dt.datetime(2026, 3, 23)
    assert ws.cell(first, 2 + 9).value == pytest.approx(2 / 0.7)
    agent_col0 = 2 + 24 + 2  # FTE grid (24 slots), its total, a gap column
    assert ws.cell(header, agent_col0 + 9).value == dt.time(9, 0)
    assert ws.cell(first, agent_col0 + 9).value == 2
    # Every grid cell equals the plan at that local day and hour.
    local = iv["interval_start"].dt.tz_localize(None)
    for i in range(14):
        day = dt.datetime(2026, 3, 23) + dt.timedelta(days=i)
        assert ws.cell(first + i, 1).value == day
        for hour in range(24):
            match = iv.loc[local == day + dt.timedelta(hours=hour), "fte"]
            cell = ws.cell(first + i, 2 + hour).value
            if len(match):
                assert cell == pytest.approx(match.iloc[0])
            else:  # 2026-03-29 02:00 does not exist in Paris
                assert (day.date(), hour) == (dt.date(2026, 3, 29), 2)
                assert cell is None
    # Totals: per day = sum of FTE x 1 h over that day; grand total = all FTE-hours.
    day_sums = iv.groupby(local.dt.date)["fte"].sum().to_numpy()
    got_days = [ws.cell(first + i, 2 + 24).value for i in range(14)]
    np.testing.assert_allclose(got_days, day_sums)
    total_row = first + 14
    assert ws.cell(total_row, 1).value == "Total"
    assert ws.cell(total_row, 2 + 24).value == pytest.approx(iv["fte"].sum())
    assert ws.cell(total_row, agent_col0 + 24).value == pytest.approx(iv["agents"].sum())
    hour9 = iv.loc[local.dt.hour == 9, "fte"].sum()
    assert ws.cell(total_row, 2 + 9).value == pytest.approx(hour9)
    # Heat maps on both grids, headers frozen.
    ranges = {str(r.sqref): r.rules[0].type for r in ws.conditional_formatting}
    assert ranges == {"B5:Y18": "colorScale", "AB5:AY18": "colorScale"}
    assert ws.freeze_panes == "B5"


def test_summary_sheet_has_the_plan_summary_and_a_line_chart(plan, book, workbook_path):
    ws = book["Summary"]
    summary = plan.summary()
    assert ws["A1"].value == "Staffing plan: unit-plan"
    # The chart comes first (rows 4-24), the summary table below it.
    top = next(c.row for c in ws["A"] if c.value == "Skill ID")
    assert top == 4 + workbook.SUMMARY_CHART_ROWS + 1
    h = header_map(ws, top)
    assert list(h) == [
        "Skill ID",
        "Skill",
        "Weekly volume",
        "NHT [s]",
        "Peak agents",
        f"Peak at ({TZ})",
        "Agent hours",
        "FTE headcount",
        "Service level",
        "Abandonment",
    ]
    for i, rec in enumerate(summary.itertuples(index=False)):
        row = top + 1 + i
        assert ws.cell(row, h["Skill"]).value == rec.skill_name
        assert ws.cell(row, h["Weekly volume"]).value == pytest.approx(rec.weekly_volume)
        assert ws.cell(row, h["FTE headcount"]).value == pytest.approx(rec.fte_headcount)
        assert ws.cell(row, h["Peak agents"]).value == rec.peak_agents
        assert ws.cell(row, h[f"Peak at ({TZ})"]).value == rec.peak_at.tz_localize(None)
        assert ws.cell(row, h["Service level"]).number_format == "0.0%"
    assert ws.cell(top + len(summary), h["Skill"]).font.b  # the total row is bold
    assert not ws.cell(top + 1, h["Skill"]).font.b
    # The chart: a native line chart, one series per skill, values on this sheet's chart data.
    with zipfile.ZipFile(workbook_path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    assert "<c:lineChart>" in xml
    assert xml.count("<c:ser>") == 3
    assert "drawing" in rels  # anchored on the first sheet, Summary
    assert "<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>3</xdr:row>" in drawing
    # The series values point at the chart data block, in hidden columns far right (AY on)
    # so it neither repeats the summary's header nor prints; its first value is Sales'.
    first_ref = xml.split("<c:val><c:numRef><c:f>")[1].split("</c:f>")[0]
    assert first_ref.startswith("Summary!$AZ$")
    assert "plotVisOnly" not in xml  # the chart still draws its hidden data
    row = int(first_ref.split(":")[0].rsplit("$", 1)[1])
    col = workbook.CHART_DATA_COL + 1  # openpyxl counts from 1
    assert ws.cell(row, col + 1).value == pytest.approx(plan.intervals["fte"].iloc[0])
    assert ws.cell(row, col).value == dt.datetime(2026, 3, 23, 0, 0)
    assert ws.column_dimensions["AY"].hidden
    # First week only: 7 days x 24 h - 1 (DST) = 167 rows of chart data.
    assert ws.cell(row + 166, col).value == dt.datetime(2026, 3, 29, 23, 0)
    assert ws.cell(row + 167, col).value is None
    # Nothing below the table in column A repeats the summary's header.
    assert [c.value for c in ws["A"]].count("Skill ID") == 1


def test_chart_keeps_the_skills_with_most_fte_hours_when_there_are_many(tmp_path, monkeypatch):
    monkeypatch.setattr(plan_sheets, "CHART_MAX_SERIES", 2)
    # Skill k has volume 10 + 5k + hour, so the last two skills carry the most FTE-hours.
    plan = make_plan([(1, "a"), (2, "b"), (3, "c"), (4, "d")], days=7)
    path = write_workbook(plan, tmp_path / "many.xlsx")
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/charts/chart1.xml").decode()
    assert xml.count("<c:ser>") == 2
    assert "2 of 4 skills" in xml
    ws = openpyxl.load_workbook(path)["Summary"]
    labels = {c.value for row in ws.iter_rows() for c in row}
    assert {"c", "d"} <= labels


def test_assumptions_has_meta_config_and_per_skill_settings_but_no_credential(tmp_path):
    config = {
        "plan": {"name": "unit-plan", "timezone": TZ, "interval_minutes": 60},
        "nht": {
            "source": "store",
            "history_weeks": 8,
            "liveperson": {"account": "123", "app_key": SECRET, "access_token": SECRET},
        },
        "skills": [{"id": 101, "name": "Sales", "consumer_secret": SECRET}],
    }
    plan = make_plan(config=config, days=7)
    plan.meta["access_token_secret"] = SECRET
    plan.meta["volume_source"] = "history (8 weeks, recency decay 0.75, growth applied)"
    path = write_workbook(plan, tmp_path / "a.xlsx")
    ws = openpyxl.load_workbook(path)["Assumptions"]
    # A 54-character value wraps in the 40-character column: two lines of 15 points.
    cell = next(r[1] for r in ws.iter_rows() if r[0].value == "volume_source")
    assert cell.alignment.wrap_text
    assert ws.row_dimensions[cell.row].height == 30
    values = {
        row[0]: row[1]
        for row in ws.iter_rows(values_only=True)
        if row and isinstance(row[0], str) and len(row) > 1
    }
    assert values["history_window"] == "2026-01-19 to 2026-03-22"
    assert values["version"] == "9.9.9"
    # Run time 08:30 UTC is 09:30 in Paris (CET, UTC+1, on 2026-03-20).
    assert values["run_time"] == dt.datetime(2026, 3, 20, 9, 30)
    assert values["nht.history_weeks"] == 8
    assert values["nht.liveperson.account"] == "123"
    assert values["nht.liveperson.app_key"] == "[redacted]"
    assert values["skills[0].consumer_secret"] == "[redacted]"
    texts = {c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert "Settings per skill (defaults resolved)" in texts
    assert "WAPE" in texts
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            assert SECRET.encode() not in z.read(name), name


def test_assumptions_accepts_a_validated_plan_config(tmp_path):
    from staffing.config import load_config

    (tmp_path / "nht.csv").write_text(
        "skill_id,interval_start,net_handle_time_s,arrivals,handled_segments\n"
    )
    config = load_config(
        {
            "plan": {"name": "cfg", "start": "2026-03-23", "weeks": 1, "timezone": TZ},
            "nht": {"source": "file", "path": str(tmp_path / "nht.csv")},
            "volume": {"source": "history"},
            "defaults": {
                "method": "workload",
                "nht_seconds": 300,
                "shrinkage": 0.3,
                "fte_hours_per_week": 40,
            },
            "skills": [{"id": 101, "name": "Sales"}],
        }
    )
    plan = make_plan([(101, "Sales")], config=config, days=7)
    path = write_workbook(plan, tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(path)["Assumptions"]
    values = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and isinstance(r[0], str)}
    assert values["plan.timezone"] == TZ
    assert values["plan.start"] == dt.datetime(2026, 3, 23)  # a real date, not text
    formats = {r[0].value: r[1].number_format for r in ws.iter_rows() if len(r) > 1}
    assert formats["plan.start"] == "ddd yyyy-mm-dd"
    assert formats["defaults.nht_seconds"] == '#,##0.0" s"'
    assert values["skills[0].name"] == "Sales"


def test_intervals_split_across_sheets_past_the_row_limit(tmp_path, monkeypatch):
    # With a limit of 100 rows a sheet holds 99 data rows; 2 skills x 7 x 24 - 2 (DST) = 334
    # rows -> ceil(334 / 99) = 4 sheets: 99 + 99 + 99 + 37.
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", 100)
    monkeypatch.setattr(cells, "CHUNK_ROWS", 40)  # rows are converted 40 at a time too
    plan = make_plan([(1, "a"), (2, "b")], days=7)
    assert len(plan.intervals) == 334
    path = write_workbook(plan, tmp_path / "split.xlsx")
    book = openpyxl.load_workbook(path)
    names = ["Intervals", "Intervals 2", "Intervals 3", "Intervals 4"]
    assert [n for n in book.sheetnames if n.startswith("Intervals")] == names
    parts = [table_rows(book[n]) for n in names]
    assert [len(p) for p in parts] == [99, 99, 99, 37]
    assert book["Intervals 4"].auto_filter.ref == "A1:Q38"  # 17 columns, A to Q
    joined = pd.concat(parts, ignore_index=True)
    np.testing.assert_allclose(joined["FTE in the interval"].astype(float), plan.intervals["fte"])
    assert list(joined["Skill ID"]) == list(plan.intervals["skill_id"])
    local = plan.intervals["interval_start"].dt.tz_localize(None)
    assert (pd.to_datetime(joined[f"Interval start ({TZ})"]).dt.round("s") == local).all()


def test_sheet_names_are_safe_and_unique():
    long = "A very long skill name for premium customers"
    got = sheet_names(
        ["Sales", "sales", "a/b:c*d?e[f]g\\h", long, long, "'quoted'", "Summary", ""],
        reserved=["Summary", "Intervals"],
    )
    assert got[0] == "Sales"
    assert got[1] == "sales (2)"  # Excel compares sheet names case-insensitively
    assert got[2] == "a_b_c_d_e_f_g_h"
    assert got[3] == long[:31]
    assert got[4] == long[:27].rstrip() + " (2)"
    assert got[5] == "quoted"  # Excel forbids a leading or trailing apostrophe
    assert got[6] == "Summary (2)"
    assert got[7] == "Sheet"
    assert all(len(n) <= 31 for n in got)
    assert len({n.lower() for n in got}) == len(got)


def test_colliding_skill_names_get_distinct_sheets(tmp_path):
    plan = make_plan([(1, "Chat: EU/UK"), (2, "Chat? EU/UK"), (3, "Intervals")], days=7)
    book = openpyxl.load_workbook(write_workbook(plan, tmp_path / "n.xlsx"))
    assert book.sheetnames[1:4] == ["Chat_ EU_UK", "Chat_ EU_UK (2)", "Intervals (2)"]
    assert book["Chat_ EU_UK (2)"]["A1"].value.startswith("Chat? EU/UK (skill 2)")


def test_quarter_hour_plan_has_96_slots_per_day(tmp_path):
    plan = make_plan([(1, "a")], days=7, minutes=15)
    plan.interval_minutes = 15
    ws = openpyxl.load_workbook(write_workbook(plan, tmp_path / "q.xlsx"))["a"]
    assert ws.cell(4, 2 + 95).value == dt.time(23, 45)
    assert ws.cell(4, 2 + 96).value == "Total [FTE-h]"
    iv = plan.intervals
    # Totals are FTE-hours: each 15-minute interval counts a quarter hour.
    assert ws.cell(5 + 7, 2 + 96).value == pytest.approx(iv["fte"].sum() * 0.25)


def test_unstable_interval_asa_is_written_as_inf_text(tmp_path):
    plan = make_plan([(1, "a")], days=7)
    plan.intervals.loc[10, "asa_s"] = math.inf
    book = openpyxl.load_workbook(write_workbook(plan, tmp_path / "inf.xlsx"))
    got = table_rows(book["Intervals"])
    assert got["ASA [s]"].iloc[10] == "inf"
    assert got["ASA [s]"].iloc[11] == pytest.approx(plan.intervals["asa_s"].iloc[11])


def test_missing_interval_column_is_a_data_error_naming_it(tmp_path):
    plan = make_plan([(1, "a")], days=7)
    plan.intervals = plan.intervals.drop(columns=["fte"])
    with pytest.raises(DataError, match="fte"):
        write_workbook(plan, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_interval_grid_looks_up_a_skill_by_id_or_name(plan):
    by_id = interval_grid(plan, 202, "agents")
    by_name = interval_grid(plan, "Billing/Refunds [EU]", "agents")
    pd.testing.assert_frame_equal(by_id, by_name)
    assert by_id.shape == (14, 24)
    # Skill 202 (k=1) at 10:00: volume 10 + 5 + 10 = 25, NHT 310 s -> 25*310/3600 = 2.153
    # Erlang -> ceil(2.153 / 0.8) = 3 agents.
    assert by_id.loc[dt.date(2026, 3, 23), dt.time(10)] == 3
    with pytest.raises(DataError, match="no skill 'nope'"):
        interval_grid(plan, "nope")


# --------------------------------------------------------------------------------------------
# Safety of writes
# --------------------------------------------------------------------------------------------


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".partial"))


def test_failure_while_zipping_leaves_the_previous_workbook_byte_identical(
    plan, tmp_path, monkeypatch
):
    path = write_workbook(plan, tmp_path / "plan.xlsx")
    before = path.read_bytes()

    class DiskFull(zipfile.ZipFile):
        calls = 0

        def write(self, *args, **kwargs):
            DiskFull.calls += 1
            if DiskFull.calls == 3:  # a few parts in: the archive is half-written
                raise OSError(28, "No space left on device")
            return super().write(*args, **kwargs)

    monkeypatch.setattr(xlsxwriter.workbook, "ZipFile", DiskFull)
    with pytest.raises(OutputError, match=r"plan\.xlsx") as err:
        write_workbook(make_plan([(9, "other")], days=7), path)
    assert DiskFull.calls == 3
    assert "No space left" in str(err.value)
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_exception_mid_sheet_leaves_the_previous_workbook_byte_identical(
    plan, tmp_path, monkeypatch
):
    path = write_workbook(plan, tmp_path / "plan.xlsx")
    before = path.read_bytes()

    def boom(self, *args, **kwargs):
        raise RuntimeError("interrupted")

    # conditional_format runs after the first skill sheet's rows are written.
    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "conditional_format", boom)
    with pytest.raises(RuntimeError, match="interrupted"):
        write_workbook(plan, path)
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_rewriting_our_own_workbook_replaces_it_and_keeps_its_mode(plan, tmp_path):
    path = write_workbook(make_plan([(1, "first")], days=7), tmp_path / "p.xlsx")
    os.chmod(path, 0o640)
    write_workbook(plan, path)
    assert openpyxl.load_workbook(path).sheetnames[1] == "Sales"
    assert path.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("content", ["text", "openpyxl"])
def test_refuses_to_overwrite_a_file_it_did_not_write_unless_forced(plan, tmp_path, content):
    path = tmp_path / "budget.xlsx"
    if content == "text":
        path.write_text("not a workbook")
    else:
        wb = openpyxl.Workbook()
        wb.active["A1"] = "the planner's own budget"
        wb.save(path)
    before = path.read_bytes()
    with pytest.raises(OutputError, match=r"refusing to overwrite .*budget\.xlsx.*force=True"):
        write_workbook(plan, path)
    assert path.read_bytes() == before
    write_workbook(plan, path, force=True)
    assert openpyxl.load_workbook(path).sheetnames[0] == "Summary"


def test_open_in_libreoffice_lock_file_is_a_clear_error(plan, tmp_path):
    path = write_workbook(plan, tmp_path / "plan.xlsx")
    before = path.read_bytes()
    (tmp_path / ".~lock.plan.xlsx#").write_text("someone,host,2026\n")
    with pytest.raises(OutputError, match=r"open in a spreadsheet program.*\.~lock\.plan\.xlsx#"):
        write_workbook(plan, path)
    assert path.read_bytes() == before


def test_file_locked_by_another_process_is_a_clear_error(plan, tmp_path):
    path = write_workbook(plan, tmp_path / "plan.xlsx")
    before = path.read_bytes()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys\n"
            f"f = open({str(path)!r}, 'rb+')\n"
            "fcntl.lockf(f, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutputError, match="locked by another program"):
            write_workbook(plan, path)
    finally:
        holder.stdin.close()
        holder.wait()
    assert path.read_bytes() == before


def test_directory_and_wrong_suffix_targets_are_refused(plan, tmp_path):
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(OutputError, match="is a folder, not a file"):
        write_workbook(plan, tmp_path / "dir.xlsx")
    with pytest.raises(OutputError, match=r"must end in \.xlsx"):
        write_workbook(plan, tmp_path / "plan.ods")
    with pytest.raises(OutputError, match=r"would look like a spreadsheet; use \.csv"):
        write_outputs(plan, tmp_path / "plan.xlsx", fmt="csv")
    with pytest.raises(OutputError, match="unknown output format 'pdf'"):
        write_outputs(plan, tmp_path / "plan.pdf", fmt="pdf")


def test_missing_parent_folders_are_created(plan, tmp_path):
    path = write_workbook(plan, tmp_path / "out" / "deeper" / "plan.xlsx")
    assert zipfile.is_zipfile(path)


# --------------------------------------------------------------------------------------------
# CSV and write_outputs
# --------------------------------------------------------------------------------------------


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=True)


def csv_columns(columns) -> list[str]:
    """The intervals CSV's columns: the plan's, ``utc_offset`` right after interval_start."""
    columns = list(columns)
    at = columns.index("interval_start") + 1
    return [*columns[:at], "utc_offset", *columns[at:]]


def test_csv_format_writes_the_intervals_with_local_offsets(plan, tmp_path):
    written = write_outputs(plan, tmp_path / "plan.csv", fmt="csv")
    assert written == [tmp_path / "plan.csv"]
    got = read_csv(written[0])
    assert list(got.columns) == csv_columns(INTERVAL_COLUMNS)
    # 2026-03-29 01:00 CET is +01:00; 03:00 the same day is CEST, +02:00.
    assert (got["interval_start"].iloc[0], got["utc_offset"].iloc[0]) == (
        "2026-03-23 00:00:00",
        "+01:00",
    )
    at_three = got["interval_start"] == "2026-03-29 03:00:00"
    assert set(got.loc[at_three, "utc_offset"]) == {"+02:00"}
    instants = pd.to_datetime(got["interval_start"] + got["utc_offset"], utc=True)
    assert (instants == plan.intervals["interval_start"].dt.tz_convert("UTC")).all()
    for name in ("volume", "nht_s", "workload_erlangs", "agents", "fte", "asa_s", "occupancy"):
        np.testing.assert_allclose(got[name], plan.intervals[name], rtol=0, atol=0)


def test_xlsx_with_csv_path_writes_both(plan, tmp_path):
    written = write_outputs(plan, tmp_path / "plan.xlsx", csv_path=tmp_path / "intervals.csv")
    assert written == [tmp_path / "plan.xlsx", tmp_path / "intervals.csv"]
    assert len(read_csv(written[1])) == len(plan.intervals)
    assert openpyxl.load_workbook(written[0]).sheetnames[0] == "Summary"


def test_check_outputs_refuses_before_any_work(tmp_path):
    foreign = tmp_path / "budget.xlsx"
    foreign.write_bytes(b"PK not really")
    with pytest.raises(OutputError, match="refusing to overwrite"):
        check_outputs(foreign)
    assert check_outputs(foreign, force=True) == "xlsx"
    assert check_outputs(tmp_path / "new.csv", fmt="CSV") == "csv"
    with pytest.raises(OutputError, match="same file"):
        check_outputs(tmp_path / "a.xlsx", csv_path=tmp_path / "a.xlsx")
    assert foreign.read_bytes() == b"PK not really"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budget.xlsx"]


def test_refused_csv_target_writes_nothing_at_all(plan, tmp_path):
    (tmp_path / "intervals.csv").write_text("date,headcount\n2026-01-01,4\n")
    with pytest.raises(OutputError, match="not an intervals CSV written by staffing"):
        write_outputs(plan, tmp_path / "plan.xlsx", csv_path=tmp_path / "intervals.csv")
    assert not (tmp_path / "plan.xlsx").exists()
    assert (tmp_path / "intervals.csv").read_text() == "date,headcount\n2026-01-01,4\n"
    # Our own CSV is overwritten without force.
    write_intervals_csv(plan, tmp_path / "ours.csv")
    write_intervals_csv(make_plan([(1, "a")], days=7), tmp_path / "ours.csv")
    assert set(read_csv(tmp_path / "ours.csv")["skill_name"]) == {"a"}


def test_refused_parquet_target_writes_nothing_at_all(plan, tmp_path):
    # write_outputs checks every target before it writes the first file.
    (tmp_path / "intervals.parquet").write_text("not parquet\n")
    with pytest.raises(OutputError, match="not a Parquet file written by staffing"):
        write_outputs(plan, tmp_path / "plan.xlsx", parquet_path=tmp_path / "intervals.parquet")
    assert not (tmp_path / "plan.xlsx").exists()
    assert (tmp_path / "intervals.parquet").read_text() == "not parquet\n"


# --------------------------------------------------------------------------------------------
# A real Plan from staffing.plan
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope=per_module)
def real_plan(tmp_path_factory):
    from staffing.plan import plan as run_plan

    folder = tmp_path_factory.mktemp("real")
    empty = folder / "empty.csv"
    empty.write_text("skill_id,interval_start,net_handle_time_s,arrivals,handled_segments\n")
    config = {
        "plan": {"name": "real", "start": "2026-03-23", "weeks": 1, "timezone": TZ},
        "nht": {"source": "file", "path": str(empty)},
        "volume": {"source": "file", "path": str(empty)},
        "defaults": {
            "service_level": {"target": 0.8, "answer_within_seconds": 60},
            "max_occupancy": 0.75,
            "shrinkage": 0.2,
            "fte_hours_per_week": 40,
        },
        "skills": [
            {"id": 11, "name": "Messaging", "method": "workload", "nht_seconds": 300},
            {"id": 22, "name": "Chat", "method": "erlang_c", "nht_seconds": 240},
        ],
    }
    starts = pd.date_range("2026-03-23", "2026-03-30", freq="h", inclusive="left")
    starts = starts[~((starts.day == 29) & (starts.hour == 2))]  # no 02:00 on 2026-03-29
    volume = pd.concat(
        [
            pd.DataFrame({"skill_id": 11, "interval_start": starts, "volume": 36.0}),
            pd.DataFrame(
                {
                    "skill_id": 22,
                    "interval_start": starts,
                    "volume": np.where((starts.hour >= 8) & (starts.hour < 20), 60.0, 0.0),
                }
            ),
        ]
    )
    return run_plan(config, volume=volume)


def test_real_plan_workbook_matches_hand_computation(real_plan, tmp_path):
    path = write_workbook(real_plan, tmp_path / "real.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Summary",
        "Weekly",
        "Messaging",
        "Chat",
        "Intervals",
        "Assumptions",
    ]
    got = table_rows(book["Intervals"])
    assert len(got) == 2 * 167  # a week of hours in Paris minus the spring-forward hour
    np.testing.assert_allclose(got["FTE in the interval"].astype(float), real_plan.intervals["fte"])
    # Messaging: 36 contacts x 300 s / 3600 s = 3 Erlang; ceil(3 / 0.75) = 4 agents;
    # 4 / (1 - 0.2) = 5 FTE in every hour.
    messaging = got[got["Skill ID"] == 11]
    assert set(messaging["Agents"]) == {4}
    assert set(messaging["FTE in the interval"].round(12)) == {5.0}
    # Its grid: 24 h x 5 FTE = 120 FTE-h a day; 23 h x 5 = 115 on 2026-03-29 (DST);
    # 6 x 120 + 115 = 835 in all.
    ws = book["Messaging"]
    assert [ws.cell(5 + i, 2 + 24).value for i in range(7)] == pytest.approx(
        [120, 120, 120, 120, 120, 120, 115]
    )
    assert ws.cell(12, 2 + 24).value == pytest.approx(835)
    # Summary: the plan's own summary, plus weekly agent-hours the plan does not report:
    # 4 agents x 167 h over a 7-day plan = 668 agent-hours a week.
    ws = book["Summary"]
    top = next(c.row for c in ws["A"] if c.value == "Skill ID")
    h = header_map(ws, top)
    summary = real_plan.summary()
    assert ws.cell(top + 1, h["Weekly FTE"]).value == pytest.approx(summary["weekly_fte"][0])
    assert ws.cell(top + 1, h["Weekly agent hours"]).value == pytest.approx(668)
    assert ws.cell(top + 3, h["Skill"]).value == "All skills"
    assert ws.cell(top + 3, h["Skill ID"]).value is None
    # Weekly: the plan's weekly roll-ups. Messaging's FTE headcount: 5 FTE x 167 h / 40 h
    # per FTE per week = 20.875.
    ws = book["Weekly"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    weekly = pd.DataFrame(rows[1:], columns=list(rows[0]))
    assert len(weekly) == 1 + 2  # one week for all skills, then one per skill
    assert weekly["Skill"].iloc[0] == "All skills"
    assert ws["B5"].font.b  # the all-skills row is bold
    got = weekly.iloc[1:]
    np.testing.assert_allclose(got["FTE headcount"], real_plan.weekly["fte_headcount"])
    assert got["FTE headcount"].iloc[0] == pytest.approx(20.875)
    assert weekly[f"Week start ({TZ})"].iloc[0] == dt.datetime(2026, 3, 23)
    total = real_plan.weekly_total
    assert weekly["Agent hours"].iloc[0] == pytest.approx(total["agent_hours"][0])
    assert ws.auto_filter.ref == "A4:L7"
    assert ws.freeze_panes == "A5"
    # Assumptions: the run's metadata, times local.
    values = {
        r[0]: r[1]
        for r in book["Assumptions"].iter_rows(values_only=True)
        if r and isinstance(r[0], str)
    }
    assert values["staffing_version"] == real_plan.meta["staffing_version"]
    run_at = pd.Timestamp(real_plan.meta["run_at_utc"]).tz_convert(TZ).tz_localize(None)
    assert values["run_at"] == run_at.to_pydatetime()
    assert values["skills[1].method"] == "erlang_c"


def test_real_plan_csv_round_trips(real_plan, tmp_path):
    path = write_intervals_csv(real_plan, tmp_path / "real.csv")
    got = read_csv(path)
    assert list(got.columns) == csv_columns(real_plan.intervals.columns)
    np.testing.assert_allclose(got["fte"], real_plan.intervals["fte"], rtol=0, atol=0)
    assert list(got["method"]) == list(real_plan.intervals["method"].astype(str))


def test_fall_back_day_shows_the_larger_repeated_hour_and_counts_both(tmp_path):
    # 2026-10-25: Paris clocks go back at 03:00 CEST to 02:00 CET, so 02:00 happens twice
    # and the day has 25 hourly intervals.
    plan = make_plan([(1, "a")], start="2026-10-19", days=7)
    iv = plan.intervals
    twice = iv.index[
        (iv["interval_start"].dt.tz_localize(None) == pd.Timestamp("2026-10-25 02:00"))
    ]
    assert len(twice) == 2
    iv.loc[twice, "fte"] = [3.0, 7.5]
    day = iv["interval_start"].dt.tz_localize(None).dt.date == dt.date(2026, 10, 25)
    assert day.sum() == 25
    book = openpyxl.load_workbook(write_workbook(plan, tmp_path / "fall.xlsx"))
    ws = book["a"]
    row = 5 + 6  # the seventh day of the grid
    assert ws.cell(row, 1).value == dt.datetime(2026, 10, 25)
    assert ws.cell(row, 2 + 2).value == 7.5  # max(3.0, 7.5)
    assert ws.cell(row, 2 + 24).value == pytest.approx(iv.loc[day, "fte"].sum())
    # The Intervals sheet keeps both 02:00 rows, in time order.
    got = table_rows(book["Intervals"])
    at_two = got[got[f"Interval start ({TZ})"] == dt.datetime(2026, 10, 25, 2)]
    assert list(at_two["FTE in the interval"]) == [3.0, 7.5]


def test_naive_interval_starts_are_read_as_local_time(tmp_path):
    plan = make_plan([(1, "a")], days=7)
    plan.intervals["interval_start"] = plan.intervals["interval_start"].dt.tz_localize(None)
    got = table_rows(openpyxl.load_workbook(write_workbook(plan, tmp_path / "n.xlsx"))["Intervals"])
    assert got[f"Interval start ({TZ})"].iloc[0] == dt.datetime(2026, 3, 23)
    # 02:00 on 2026-03-29 never happens in Paris: a clear error, nothing written.
    plan.intervals.loc[0, "interval_start"] = pd.Timestamp("2026-03-29 02:00")
    with pytest.raises(DataError, match="interval_start cannot be read as Europe/Paris"):
        write_workbook(plan, tmp_path / "bad.xlsx")
    assert not (tmp_path / "bad.xlsx").exists()


def _write_under_file_limit(out: Path, soft: int, hard: int | None) -> subprocess.CompletedProcess:
    """Write a 120-skill workbook in a fresh process whose open-file limit is lowered."""
    root = Path(__file__).resolve().parents[2]
    code = (
        "import resource, sys\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        "from tests.outputs.test_workbook import make_plan\n"
        "from staffing.outputs import write_workbook\n"
        "plan = make_plan([(i, f'skill {i}') for i in range(1, 121)], days=2)\n"
        "hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]\n"
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({soft}, {hard} or hard))\n"
        f"write_workbook(plan, {str(out)!r})\n"
        f"assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == {soft}  # put back\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_hundreds_of_skills_fit_a_small_open_file_limit(tmp_path):
    # constant_memory keeps a temporary file per sheet open until the end: 120 skill sheets
    # need more than a soft limit of 64 descriptors, so the writer raises the soft limit
    # (up to the hard limit) for the write and puts it back.
    import resource

    if resource.getrlimit(resource.RLIMIT_NOFILE)[1] < 400:
        pytest.skip("the hard open-file limit is too low to raise the soft one")
    out = tmp_path / "many.xlsx"
    done = _write_under_file_limit(out, soft=64, hard=None)
    assert done.returncode == 0, done.stderr[-2000:]
    book = openpyxl.load_workbook(out, read_only=True)
    assert len(book.sheetnames) == 1 + 120 + 2  # Summary, skills, Intervals, Assumptions
    ws = book["skill 120"]
    # Skill 120 (k = 119) at 10:00 on day one: volume 10 + 5*119 + 10 = 615, NHT 300 + 1190 =
    # 1490 s -> 615*1490/3600 = 254.54 Erlang -> ceil(254.54/0.8) = 319 agents -> 319/0.7 FTE.
    assert ws.cell(5, 2 + 10).value == pytest.approx(319 / 0.7)
    book.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_a_hard_open_file_limit_too_low_is_refused_before_writing(tmp_path):
    out = tmp_path / "many.xlsx"
    done = _write_under_file_limit(out, soft=64, hard=64)
    assert done.returncode != 0
    assert "OutputError" in done.stderr
    assert "needs about" in done.stderr and "limit is 64" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written, no leftovers

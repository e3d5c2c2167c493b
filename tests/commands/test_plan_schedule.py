"""``staffing plan`` on a config with shift templates, through the real CLI entry point."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from staffing.cli import main
from tests.outputs import schedule_support
from tests.outputs import simulation_support as support

ROOT = Path(__file__).resolve().parents[2]


def sheet_names(path) -> list[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return book.sheetnames
    finally:
        book.close()


def test_plan_schedules_prints_the_summary_and_writes_the_sheets_and_csvs(tmp_path, capsys):
    config = schedule_support.write_config(tmp_path)
    out = tmp_path / "out" / "small.xlsx"
    csv = tmp_path / "out" / "small-intervals.csv"
    assert main(["plan", str(config), "--out", str(out), "--quiet"]) == 0  # no CSV configured
    text = capsys.readouterr().out
    assert "Plan 'small'" in text  # the plan's summary comes first
    lines = text.splitlines()
    head = lines.index(
        "Schedule: 2 skill group(s), optimal shifts (HiGHS MILP); 60-minute intervals"
    )
    table = lines[head + 2 : head + 8]
    assert table[0].split() == [
        "skill",
        "group",
        "paid",
        "h",
        "shifts",
        "efficiency",
        "under",
        "h",
        "over",
        "h",
        "uncovered",
        "MILP",
        "gap",
    ]
    assert table[2].startswith("Voice + Chat ") and table[3].startswith("Messaging ")
    assert table[5].startswith("All groups ")
    # Messaging is served 08:00-16:00 only: its other 16 hours of each of 7 days are uncovered
    assert table[3].split()[-2:] == ["112", "0.0%"] and table[5].split()[-2] == "112"
    note = next(i for i, line in enumerate(lines) if line.startswith("note: "))
    assert lines[note] == (
        "note: 112 interval(s) under-staffed (all of them in the Coverage sheets); the first 5:"
    )
    assert lines[note + 1] == (
        "  Messaging  Mon 2026-03-02 00:00  short 1.0 agents: no shift "
        "template covers this interval"
    )
    assert lines[note + 5].startswith("  Messaging  Mon 2026-03-02 04:00  short ")
    assert lines[note + 6] == "  and 107 more"
    assert f"wrote {out}" in text and not csv.exists()
    assert sheet_names(out)[:4] == ["Summary", "Weekly", "Shifts", "Coverage Voice + Chat"]


def test_no_schedule_skips_it(tmp_path, capsys):
    config = schedule_support.write_config(tmp_path)
    out = tmp_path / "small.xlsx"
    assert main(["plan", str(config), "--out", str(out), "--no-schedule", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Schedule:" not in text and "All skills" in text
    assert "Shifts" not in sheet_names(out)


def test_csv_format_writes_the_schedule_csvs_beside_it(tmp_path, capsys):
    config = schedule_support.write_config(tmp_path)
    out = tmp_path / "plan.csv"
    assert main(["plan", str(config), "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    for name in ("plan.csv", "plan-shifts.csv", "plan-coverage.csv"):
        assert f"wrote {tmp_path / name}" in text
    shifts = pd.read_csv(tmp_path / "plan-shifts.csv")
    assert set(shifts["shift"]) == {"desk", "msg"}
    assert len(pd.read_csv(tmp_path / "plan-coverage.csv")) == 2 * 7 * 24


def test_a_foreign_schedule_csv_is_refused_before_planning(tmp_path, capsys):
    config = schedule_support.write_config(tmp_path)
    (tmp_path / "plan-shifts.csv").write_text("not ours\n")
    assert main(["plan", str(config), "--out", str(tmp_path / "plan.csv")]) == 1
    captured = capsys.readouterr()
    assert "plan-shifts.csv: it is not a shifts CSV written by staffing" in captured.err
    assert "forecasting" not in captured.err  # refused before the planning run
    assert not (tmp_path / "plan.csv").exists()


def test_a_given_schedule_alone_is_compared_without_optimising(tmp_path, capsys):
    # 2 on-queue agents for Voice in every hour: no shifts, paid hours "-"
    grid = pd.date_range(support.START, periods=7 * 24, freq="60min")
    roster = tmp_path / "roster.csv"
    pd.DataFrame({"skill_id": 21, "interval_start": grid, "scheduled": 2.0}).to_csv(
        roster, index=False
    )
    config = schedule_support.write_config(tmp_path, shifts=None, scheduled=str(roster))
    out = tmp_path / "small.xlsx"
    assert main(["plan", str(config), "--out", str(out), "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Schedule: "))
    assert f"the schedule from file {roster}" in lines[head]
    voice = lines[head + 4].split()
    assert voice[0] == "Voice" and voice[1:3] == ["-", "-"]  # paid hours, shifts
    assert voice[-1] == "-"  # no MILP
    assert "Shifts" in sheet_names(out) and "Coverage" in sheet_names(out)


@pytest.mark.parametrize("flag", ["--no-schedule"])
def test_the_option_is_in_the_help(flag, capsys):
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    assert flag in capsys.readouterr().out


def test_the_shifts_example_plans_and_schedules(tmp_path, capsys):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    config = tmp_path / "config" / "example-shifts.yaml"
    assert main(["validate", str(config)]) == 0
    assert main(["plan", str(config), "--weeks", "1", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Schedule: 2 skill group(s), optimal shifts" in text
    assert "Sales Messaging + Support Messaging" in text
    assert "Voice Callback + Voice Escalations" in text
    assert "under-staffed (all" not in text  # the templates cover every open hour
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "example-shifts-coverage.csv",
        "example-shifts-intervals.csv",
        "example-shifts-shifts.csv",
        "example-shifts.xlsx",
    ]

"""The skill sheets of a big plan (issue 22): left out above a size, the rows named elsewhere.

Above ``SKILL_SHEETS_MAX_ROWS`` interval rows the workbook has no sheet per skill; every
summary sheet stays, the intervals CSV holds every row, and the Summary and the returned
notes name the file. ``skill_sheets=True`` forces the sheets, ``False`` leaves them out of
a small plan. The limit is lowered with monkeypatch (the module reads it when it writes),
so a plan of one week stands for a year.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

import staffing
from staffing.outputs import workbook
from staffing.outputs.layout import rows_note
from tests.conftest import per_module

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope=per_module)
def plan():
    data = yaml.safe_load((ROOT / "config" / "example.yaml").read_text())
    data["nht"]["path"] = str(ROOT / "config" / "data" / "nht_history.csv")
    data["plan"]["weeks"] = 1
    return staffing.plan(data)


def _sheets_and_summary(path: Path) -> tuple[list[str], list[str]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        summary = [str(c) for row in book["Summary"].iter_rows(values_only=True) for c in row]
        return list(book.sheetnames), [c for c in summary if c != "None"]
    finally:
        book.close()


@pytest.fixture(scope=per_module)
def full_sheets(plan, tmp_path_factory):
    """The sheets of the small plan's workbook with every part (the reference)."""
    path = workbook.write_workbook(plan, tmp_path_factory.mktemp("full") / "full.xlsx")
    return _sheets_and_summary(path)[0]


def test_above_the_limit_the_skill_sheets_are_left_out_and_the_csv_holds_every_row(
    plan, full_sheets, tmp_path, monkeypatch
):
    monkeypatch.setattr(workbook, "SKILL_SHEETS_MAX_ROWS", len(plan.intervals) - 1)
    csv = tmp_path / "big-intervals.csv"
    written = workbook.write_outputs(plan, tmp_path / "big.xlsx", csv_path=csv)
    assert [p.name for p in written] == ["big.xlsx", "big-intervals.csv"]
    sheets, summary = _sheets_and_summary(written[0])
    skill_names = set(plan.intervals["skill_name"])
    assert skill_names <= set(full_sheets)  # the reference has one sheet per skill
    assert sheets == [s for s in full_sheets if s not in skill_names]
    assert {"Summary", "Weekly", "Assumptions"} <= set(sheets)
    # the Summary and the notes name the file, the reason and how to force the sheets
    expected = rows_note(
        len(plan.intervals),
        intervals_sheet=True,
        skill_sheets=False,
        files=[csv],
        why=f"skill sheets above {len(plan.intervals) - 1:,} rows",
    )
    assert expected is not None and str(csv) in expected
    assert expected in summary
    assert written.notes == [expected[0].lower() + expected[1:]]
    # every row is in the CSV: the same skills, intervals and agents as the plan
    back = pd.read_csv(csv)
    assert len(back) == len(plan.intervals)
    assert back["agents"].sum() == pytest.approx(plan.intervals["agents"].sum(), rel=1e-12)
    assert list(back["skill_id"]) == list(plan.intervals["skill_id"])


def test_skill_sheets_true_forces_them_above_the_limit(plan, full_sheets, tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "SKILL_SHEETS_MAX_ROWS", 1)
    written = workbook.write_outputs(plan, tmp_path / "forced.xlsx", skill_sheets=True)
    sheets, summary = _sheets_and_summary(written[0])
    assert sheets == full_sheets
    assert written.notes == []
    assert not any("no sheet per skill" in c for c in summary)


def test_skill_sheets_false_leaves_them_out_of_a_small_plan(plan, full_sheets, tmp_path):
    written = workbook.write_outputs(plan, tmp_path / "small.xlsx", skill_sheets=False)
    sheets, summary = _sheets_and_summary(written[0])
    assert sheets == [s for s in full_sheets if s not in set(plan.intervals["skill_name"])]
    # no CSV was asked for: the note says the rows are only in the Intervals sheet
    note = next(c for c in summary if "no sheet per skill" in c)
    assert "skill sheets turned off" in note
    assert "the rows are in its Intervals sheet." in note


def test_the_note_says_when_the_rows_are_in_no_file():
    assert rows_note(10, intervals_sheet=True, skill_sheets=True) is None
    note = rows_note(10, intervals_sheet=False, skill_sheets=False, why="x")
    assert note is not None
    assert note.startswith("The workbook has no Intervals sheet and no sheet per skill (10 ")
    assert "the rows are in no file" in note
    assert "output.skill_sheets: always" in note
    # only the Intervals sheet left out: nothing about skill sheets
    only = rows_note(10, intervals_sheet=False, skill_sheets=True, files=["a.csv"], why="x")
    assert only == "The workbook has no Intervals sheet (10 interval rows): the rows are in a.csv."

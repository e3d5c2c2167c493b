"""The files of one run as one set, and a planner's edits kept (issue 21, points 10 and 11).

Point 11: a run's workbook, CSV and Parquet file are replaced together or not at all; an
interrupted run names the files kept and the new ones not written. Point 10: a workbook a
planner changed since staffing wrote it is kept as a backup beside the new one.
"""

from __future__ import annotations

import errno
import os
import zipfile

import openpyxl
import pyarrow.parquet
import pytest

from staffing import load_config, plan
from staffing.cli import main
from staffing.errors import OutputError
from staffing.outputs import intervals_csv, write_outputs
from staffing.outputs.workbook_edits import SEAL_PREFIX, workbook_edits
from tests.conftest import ROOT, per_module

CONFIG = ROOT / "config" / "example.yaml"


@pytest.fixture(scope=per_module)
def one_week():
    """A real one-week plan of the repository's example."""
    return plan(load_config(CONFIG, overrides={"plan": {"weeks": 1}}))


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_ctrl_c_while_the_csv_is_written_keeps_the_old_workbook_and_csv(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "plan.xlsx"
    command = ["plan", str(CONFIG), "--weeks", "1", "--out", str(out), "--quiet"]
    assert main(command) == 0
    before = snapshot(tmp_path)
    assert sorted(before) == ["plan-intervals.csv", "plan.xlsx"]
    capsys.readouterr()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    # The intervals CSV is written by csv_text.write_csv, in a thread beside the workbook.
    monkeypatch.setattr(intervals_csv, "write_csv", interrupted)
    assert main(command) == 130
    err = capsys.readouterr().err
    # Both old files are byte-identical and nothing else is left (no .partial).
    assert snapshot(tmp_path) == before
    assert "nothing was replaced" in err
    assert f"kept as they were: {out}, {tmp_path / 'plan-intervals.csv'}" in err
    assert f"while writing {tmp_path / 'plan-intervals.csv'}" in err


def test_an_error_in_the_third_file_leaves_every_old_file(one_week, tmp_path, monkeypatch):
    out, csv = tmp_path / "plan.xlsx", tmp_path / "plan-intervals.csv"
    write_outputs(one_week, out, csv_path=csv)
    before = snapshot(tmp_path)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pyarrow.parquet, "write_table", full_disk)
    parquet = tmp_path / "plan-intervals.parquet"
    with pytest.raises(OutputError) as info:
        write_outputs(one_week, out, csv_path=csv, parquet_path=parquet)
    message = str(info.value)
    assert snapshot(tmp_path) == before
    assert f"cannot write {parquet}: the disk holding {tmp_path} is full" in message
    assert f"kept as they were: {out}, {csv}" in message
    assert f"not written (new files): {parquet}" in message


def test_renames_interrupted_midway_say_exactly_which_files_are_new(
    one_week, tmp_path, monkeypatch
):
    out, csv = tmp_path / "plan.xlsx", tmp_path / "plan-intervals.csv"
    write_outputs(one_week, out, csv_path=csv)
    old_csv = csv.read_bytes()
    replace = os.replace
    calls = []

    def second_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise PermissionError(errno.EACCES, "Permission denied")
        replace(src, dst)

    monkeypatch.setattr(os, "replace", second_fails)
    with pytest.raises(OutputError) as info:
        write_outputs(one_week, out, csv_path=csv)
    message = str(info.value)
    assert f"replaced with the new files: {out}; kept as they were: {csv}" in message
    assert "is it open in another program?" in message
    assert csv.read_bytes() == old_csv
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan-intervals.csv", "plan.xlsx"]


def test_a_notes_sheet_added_by_the_planner_is_kept_as_a_backup(one_week, tmp_path):
    out = tmp_path / "plan.xlsx"
    write_outputs(one_week, out)
    book = openpyxl.load_workbook(out)
    book.create_sheet("My notes")["A1"] = "call the vendor about Monday"
    book.save(out)

    written = write_outputs(one_week, out)
    backups = sorted(tmp_path.glob("plan.edited-*.xlsx"))
    assert len(backups) == 1
    assert [str(out)] == [str(p) for p in written]
    (note,) = written.notes
    assert "sheet 'My notes' added" in note and str(backups[0]) in note
    kept = openpyxl.load_workbook(backups[0], read_only=True)
    assert kept["My notes"]["A1"].value == "call the vendor about Monday"
    assert "My notes" not in openpyxl.load_workbook(out, read_only=True).sheetnames
    # The new workbook is sealed and unchanged: the next run keeps no backup.
    assert write_outputs(one_week, out).notes == []
    assert len(list(tmp_path.glob("plan.edited-*.xlsx"))) == 1


def test_cells_edited_in_a_sealed_workbook_are_named_by_sheet(one_week, tmp_path):
    out = tmp_path / "plan.xlsx"
    write_outputs(one_week, out)
    assert workbook_edits(out, []) == []
    # Edit the Summary sheet's XML in place, keeping the seal (the zip comment).
    edited = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(out) as old, zipfile.ZipFile(edited, "w") as new:
        assert old.comment.startswith(SEAL_PREFIX)
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>", b'<row r="999"><c r="A999"/></row></sheetData>'
                )
            new.writestr(info, data)
        new.comment = old.comment
    assert workbook_edits(edited, []) == ["cells edited on sheet 'Summary'"]

"""Disk faults while writing outputs (issue "Nothing lost silently", points 8 and 9).

A full disk is simulated with Linux's /dev/full (every write fails with ENOSPC) and by
making the target's folder refuse writes midway; a killed run's leftovers are made by a
child process that is killed with SIGKILL while it holds them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter.workbook

from staffing.cli import main
from staffing.errors import OutputError
from staffing.outputs import atomic_replace
from staffing.outputs.history import write_csv
from staffing.outputs.safety import describe_os_error, remove_stale_temporaries
from staffing.sources.store import HistoryStore
from tests.sources.liveperson_support import NOW


def test_a_full_disk_is_one_line_naming_the_disk(tmp_path):
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"previous")
    with pytest.raises(OutputError) as info, atomic_replace(target) as tmp:
        tmp.write_bytes(b"x")
        with open("/dev/full", "wb") as full:  # writes fail with ENOSPC
            full.write(b"x" * 65536)
            full.flush()
    message = str(info.value)
    assert "\n" not in message
    assert f"the disk holding {tmp_path} is full" in message
    assert target.read_bytes() == b"previous"  # nothing replaced
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]  # no .partial left


def test_describe_os_error_names_other_errors_plainly(tmp_path):
    error = PermissionError(13, "Permission denied")
    assert (
        describe_os_error(error, tmp_path / "a.csv")
        == f"cannot write {tmp_path / 'a.csv'}: Permission denied"
    )


def test_leftovers_of_a_killed_run_are_removed_by_the_next_write(tmp_path):
    # A child process creates a .partial and a rows folder the way the writers do, then is
    # killed with SIGKILL: nothing of it can clean up.
    code = (
        "import sys, time\n"
        "from staffing.outputs.safety import temp_beside, temp_folder_beside\n"
        "target = sys.argv[1]\n"
        "temp_beside(target); (temp_folder_beside(target) / 'rows').write_bytes(b'x')\n"
        "print('ready', flush=True); time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "out.csv")], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "ready"
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) == 2 and all(str(child.pid) in name for name in left)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    # A write in progress elsewhere (this process's own temporaries) is never touched.
    mine = tmp_path / f".other.csv.{os.getpid()}-00000000.partial"
    mine.write_bytes(b"")
    removed = remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in removed) == left
    assert sorted(p.name for p in tmp_path.iterdir()) == [mine.name]


def test_a_failed_workbook_write_leaves_no_row_files_and_the_old_workbook(tmp_path, monkeypatch):
    from staffing.outputs import workbook
    from tests.outputs.test_workbook import make_plan

    plan = make_plan()
    target = tmp_path / "plan.xlsx"
    workbook.write_workbook(plan, target)
    before = target.read_bytes()
    add_worksheet = xlsxwriter.workbook.Workbook.add_worksheet

    def fill_the_disk(self, name=None):  # the disk fills while the sheets are written
        if name == "Assumptions":
            raise OSError(28, "No space left on device")
        return add_worksheet(self, name)

    monkeypatch.setattr(xlsxwriter.workbook.Workbook, "add_worksheet", fill_the_disk)
    with pytest.raises(OutputError, match=r"the disk holding .* is full"):
        workbook.write_workbook(plan, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


def _store(tmp_path: Path) -> Path:
    path = tmp_path / "h.sqlite"
    HistoryStore(path).upsert(
        "1",
        pd.DataFrame(
            {
                "skill_id": [1],
                "interval_start": [NOW.floor("60min")],
                "interval_minutes": [60],
                "arrivals": [4.0],
            }
        ),
    )
    return path


def test_history_csv_does_not_overwrite_a_file_it_did_not_write(tmp_path, capsys):
    store = _store(tmp_path)
    other = tmp_path / "notes.csv"
    other.write_text("my,own\n1,2\n")
    args = ["history", "--store", str(store), "--csv", str(other)]
    assert main(args) == 1
    assert "--force" in capsys.readouterr().err
    assert other.read_text() == "my,own\n1,2\n"  # untouched
    assert main([*args, "--force"]) == 0
    assert other.read_text().startswith("account,skill_id,interval_start,interval_minutes")
    assert main(args) == 0  # now it is ours: replaced without --force


def test_history_write_csv_is_atomic(tmp_path, monkeypatch):
    store = _store(tmp_path)
    frame = HistoryStore(store).read()
    target = tmp_path / "h.csv"
    write_csv(frame, target, "UTC")
    before = target.read_bytes()

    def broken(self, path, **kwargs):
        Path(path).write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OutputError, match="is full"):
        write_csv(frame, target, "UTC")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv", "h.sqlite"]

"""``staffing plan --simulate N`` and ``staffing simulate --out PATH.xlsx`` through the CLI."""

from __future__ import annotations

import openpyxl
import pytest

from staffing.cli import main
from tests.outputs import simulation_support as support


@pytest.fixture
def config(tmp_path):
    return str(support.write_config(tmp_path))


def sheet_values(path, name: str) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [row for row in book[name].iter_rows(values_only=True)]
    finally:
        book.close()


def test_plan_simulate_writes_the_sheet_and_the_summary_column_in_one_run(config, tmp_path, capsys):
    out = tmp_path / "out" / "small.xlsx"
    assert (
        main(["plan", config, "--simulate", "5", "--seed", "4", "--out", str(out), "--quiet"]) == 0
    )
    text = capsys.readouterr().out
    assert "Plan 'small'" in text and "All skills" in text  # the plan's summary
    assert "5 replications, seed 4" in text and "P(day ok)" in text  # and the simulation's
    assert "23 Messaging: not simulated" in text
    assert f"wrote {out}" in text
    book = openpyxl.load_workbook(out, read_only=True)
    try:
        assert book.sheetnames[:3] == ["Summary", "Weekly", "Simulation"]
    finally:
        book.close()
    summary = sheet_values(out, "Summary")
    header = next(row for row in summary if row[0] == "Skill ID")
    assert "Simulated service level" in header and "P(day meets target)" in header

    # the same seed through staffing simulate gives the same Simulation sheet
    again = tmp_path / "again.xlsx"
    assert (
        main(
            [
                "simulate",
                config,
                "--replications",
                "5",
                "--seed",
                "4",
                "--out",
                str(again),
                "--quiet",
            ]
        )
        == 0
    )
    assert f"wrote {again}" in capsys.readouterr().out
    first, second = sheet_values(out, "Simulation"), sheet_values(again, "Simulation")
    assert first == second
    assert len(first) > 300


def test_engine_options_need_simulate_and_csv_output_refuses_it(config, tmp_path, capsys):
    out = tmp_path / "small.xlsx"
    assert main(["plan", config, "--workers", "2", "--out", str(out), "--quiet"]) == 1
    assert "--workers only apply with --simulate N" in capsys.readouterr().err
    csv = tmp_path / "small.csv"
    assert main(["plan", config, "--simulate", "3", "--out", str(csv), "--quiet"]) == 1
    assert "--simulate writes into the workbook" in capsys.readouterr().err
    assert not out.exists() and not csv.exists()


def test_simulate_refuses_a_workbook_it_did_not_write(config, tmp_path, capsys):
    out = tmp_path / "theirs.xlsx"
    out.write_text("not ours")
    assert main(["simulate", config, "--replications", "2", "--out", str(out), "--quiet"]) == 1
    assert "--force" in capsys.readouterr().err
    assert out.read_text() == "not ours"

"""``staffing plan``: where the files of a run go, optional packages, warnings (issue 14)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

import staffing.commands.plan as plan_command
import staffing.commands.plan_paths as plan_paths
from staffing.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _example(tmp_path: Path, **changes) -> Path:
    """config/example.yaml in tmp_path, its outputs (workbook and CSV) kept there."""
    data = yaml.safe_load((ROOT / "config" / "example.yaml").read_text())
    data["nht"]["path"] = str(ROOT / "config" / "data" / "nht_history.csv")
    data["output"] = {"path": "out/example.xlsx", "csv": "out/example-intervals.csv"}
    for skill in data["skills"][:2]:  # the workload skills take the defaults' target again
        skill.pop("service_level", None)
    for section, values in changes.items():
        if isinstance(values, dict):
            data.setdefault(section, {}).update(values)
        else:
            data[section] = values
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_out_decides_where_the_csv_goes_and_the_configs_csv_is_left_alone(tmp_path, capsys):
    # The README's command: it used to overwrite the config's output.csv with one week.
    config = _example(tmp_path)
    kept = tmp_path / "out" / "example-intervals.csv"
    kept.parent.mkdir()
    kept.write_text("the 4-week CSV of example.xlsx\n")
    out = tmp_path / "elsewhere" / "one-week.xlsx"
    assert main(["plan", str(config), "--weeks", "1", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert kept.read_text() == "the 4-week CSV of example.xlsx\n"
    beside = out.parent / "one-week-intervals.csv"
    assert beside.is_file() and out.is_file()
    assert f"wrote {beside} (the intervals, beside --out)" in printed


def test_csv_path_and_no_csv(tmp_path, capsys):
    config = _example(tmp_path)
    chosen = tmp_path / "mine.csv"
    assert (
        main(
            [
                "plan",
                str(config),
                "--weeks",
                "1",
                "--out",
                str(tmp_path / "a.xlsx"),
                "--csv",
                str(chosen),
                "--quiet",
            ]
        )
        == 0
    )
    assert chosen.is_file() and not (tmp_path / "a-intervals.csv").exists()
    assert (
        main(
            [
                "plan",
                str(config),
                "--weeks",
                "1",
                "--out",
                str(tmp_path / "b.xlsx"),
                "--no-csv",
                "--quiet",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in tmp_path.glob("b*")) == ["b.xlsx"]
    assert not (tmp_path / "out").exists()  # the config's output.csv was not written either


def test_replacing_a_csv_the_user_did_not_name_is_said(tmp_path, capsys):
    config = _example(tmp_path)
    out = tmp_path / "one.xlsx"
    args = ["plan", str(config), "--weeks", "1", "--out", str(out), "--quiet"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 0
    assert "replaced the file that was there" in capsys.readouterr().out


def test_a_missing_matplotlib_fails_before_any_work_or_output(tmp_path, capsys, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else real(name, *a),
    )
    config = _example(tmp_path)
    out = tmp_path / "pictures.xlsx"
    assert (
        main(
            [
                "plan",
                str(config),
                "--weeks",
                "1",
                "--out",
                str(out),
                "--plots",
                str(tmp_path / "plots"),
            ]
        )
        == 1
    )
    captured = capsys.readouterr()
    assert "--plots needs matplotlib: pip install 'staffing[plots]'" in captured.err
    assert "forecasting" not in captured.err  # no planning run started
    assert sorted(tmp_path.iterdir()) == [config]


def test_missing_pyarrow_and_dask_are_named_before_any_work(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("pyarrow", "dask", "numba") else real(name, *a),
    )
    with pytest.raises(Exception, match=r"pyarrow: pip install 'staffing\[parquet\]'"):
        plan_command.check_optional_dependencies(parquet=True)
    with pytest.raises(Exception, match=r"staffing\[distributed\]"):
        plan_command.check_optional_dependencies(simulate=True, distributed=True)
    # numba only speeds the simulation up: a note, not an error
    notes = plan_command.check_optional_dependencies(simulate=True)
    assert notes and "numba is not installed" in notes[0]


def test_a_big_plan_leaves_the_intervals_sheet_out_and_the_csv_holds_them(
    tmp_path, capsys, monkeypatch
):
    import openpyxl

    # 1 week: 1,002 rows (DST); the paths choose the CSV, the command words the warning
    monkeypatch.setattr(plan_paths, "INTERVALS_SHEET_MAX_ROWS", 500)
    monkeypatch.setattr(plan_command, "INTERVALS_SHEET_MAX_ROWS", 500)
    config = _example(tmp_path, output={"csv": None})
    out = tmp_path / "big.xlsx"
    assert main(["plan", str(config), "--weeks", "1", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    csv = tmp_path / "big-intervals.csv"
    assert csv.is_file()
    assert (
        f"warning: the workbook has no Intervals sheet (1,002 interval rows, above 500 "
        f"rows): they are in {csv}" in printed
    )
    book = openpyxl.load_workbook(out, read_only=True)
    try:
        assert "Intervals" not in book.sheetnames
        summary = [c for row in book["Summary"].iter_rows(values_only=True) for c in row if c]
    finally:
        book.close()
    assert any("no Intervals sheet" in str(c) for c in summary)
    # --intervals workbook keeps the sheet whatever the size
    assert (
        main(
            [
                "plan",
                str(config),
                "--weeks",
                "1",
                "--out",
                str(tmp_path / "w.xlsx"),
                "--intervals",
                "workbook",
                "--quiet",
            ]
        )
        == 0
    )
    book = openpyxl.load_workbook(tmp_path / "w.xlsx", read_only=True)
    try:
        assert "Intervals" in book.sheetnames
    finally:
        book.close()


def test_intervals_parquet_instead_of_the_csv(tmp_path, capsys):
    pq = pytest.importorskip("pyarrow.parquet")
    config = _example(tmp_path)
    out = tmp_path / "p.xlsx"
    assert (
        main(
            [
                "plan",
                str(config),
                "--weeks",
                "1",
                "--out",
                str(out),
                "--intervals",
                "parquet",
                "--quiet",
            ]
        )
        == 0
    )
    table = pq.read_table(tmp_path / "p-intervals.parquet").to_pandas()
    assert len(table) == 1002 and not (tmp_path / "p-intervals.csv").exists()
    assert str(table["interval_start"].dt.tz) == "America/New_York"


def test_contradicting_output_options_are_refused(tmp_path, capsys):
    config = _example(tmp_path)
    assert main(["plan", str(config), "--out", str(tmp_path / "x.csv"), "--no-csv"]) == 1
    assert "apply to workbook (xlsx) output" in capsys.readouterr().err
    assert main(["plan", str(config), "--intervals", "csv", "--no-csv"]) == 1
    assert "contradicts --no-csv" in capsys.readouterr().err


def test_the_summary_says_no_target_for_workload_and_lists_the_warnings(tmp_path, capsys):
    config = _example(tmp_path)
    assert (
        main(
            [
                "plan",
                str(config),
                "--weeks",
                "1",
                "--start",
                "1999-01-04",
                "--out",
                str(tmp_path / "old.xlsx"),
                "--no-csv",
                "--quiet",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    sales = next(line for line in printed.splitlines() if line.startswith("1001 Sales"))
    assert "no target" in sales and "%  " not in sales.split("no target")[0][-12:]
    assert (
        "warning: skills[0] 'Sales Messaging' (1001): method workload does not use the "
        "service_level from defaults" in printed
    )
    assert "warning: the plan starts on 1999-01-04, before the history" in printed
    assert "contacts forecast in closed hours are not staffed" in printed


def test_validate_warns_for_a_default_target_and_errors_for_an_explicit_one(tmp_path, capsys):
    config = _example(tmp_path)
    assert main(["validate", str(config)]) == 0
    out = capsys.readouterr().out
    assert (
        "warning: skills[0] 'Sales Messaging' (1001): method workload does not use the "
        "service_level from defaults" in out
    )
    data = yaml.safe_load(config.read_text())
    data["skills"][0]["service_level"] = {"target": 0.9, "answer_within_seconds": 30}
    data["skills"][1]["service_level"] = None  # an explicit null says "no target": fine
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["validate", str(config)]) == 2
    err = capsys.readouterr().err
    assert (
        f"{config}: skills[0].service_level: method workload does not use a "
        "service-level target" in err
    )
    assert "skills[1]" not in err


def test_output_skill_sheets_never_always_and_a_wrong_value(tmp_path, capsys, monkeypatch):
    import openpyxl

    from staffing.outputs import workbook

    def skill_sheets_of(path: Path) -> list[str]:
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return [s for s in book.sheetnames if s in ("Sales Messaging", "Voice Callback")]
        finally:
            book.close()

    config = _example(tmp_path, output={"csv": None, "skill_sheets": "never"})
    out = tmp_path / "never.xlsx"
    assert main(["plan", str(config), "--weeks", "1", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert skill_sheets_of(out) == []
    assert "note: the workbook has no sheet per skill (1,002 interval rows; skill sheets " in (
        printed
    )
    assert "output.skill_sheets: always" in printed
    # always: the sheets whatever the size; the CSV holds the rows as well
    monkeypatch.setattr(workbook, "SKILL_SHEETS_MAX_ROWS", 10)
    config = _example(tmp_path, output={"csv": None, "skill_sheets": "always"})
    out = tmp_path / "always.xlsx"
    assert main(["plan", str(config), "--weeks", "1", "--out", str(out), "--quiet"]) == 0
    assert skill_sheets_of(out) == ["Sales Messaging", "Voice Callback"]
    assert "no sheet per skill" not in capsys.readouterr().out
    # auto above the (lowered) limit: left out, the note names the CSV beside --out
    config = _example(tmp_path, output={"csv": "x.csv"})
    out = tmp_path / "auto.xlsx"
    assert main(["plan", str(config), "--weeks", "1", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert skill_sheets_of(out) == []
    csv = tmp_path / "auto-intervals.csv"
    assert f"skill sheets above 10 rows): the rows are in its Intervals sheet and {csv}." in (
        printed
    )
    config = _example(tmp_path, output={"skill_sheets": "sometimes"})
    assert main(["plan", str(config), "--weeks", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "output.skill_sheets" in err and "'auto', 'always' or 'never'" in err

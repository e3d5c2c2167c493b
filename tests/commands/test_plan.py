"""Tests of ``staffing plan`` and ``staffing validate`` run through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from staffing.cli import main
from staffing.plan import INTERVAL_COLUMNS

ROOT = Path(__file__).resolve().parents[2]


def _example(tmp_path: Path, **changes) -> Path:
    """The bundled example, copied into tmp_path with its outputs kept there too."""
    data = yaml.safe_load((ROOT / "config" / "example.yaml").read_text())
    data["nht"]["path"] = str(ROOT / "config" / "data" / "nht_history.csv")
    data["output"] = {"path": "out/example.xlsx"}
    for section, values in changes.items():
        data.setdefault(section, {}).update(values)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_validate_ok_and_invalid(tmp_path, capsys):
    good = _example(tmp_path)
    assert main(["validate", str(good)]) == 0
    assert "valid: plan 'example', 6 skill(s)" in capsys.readouterr().out

    bad = yaml.safe_load(good.read_text())
    bad["plan"]["interval_minutes"] = 20
    bad["skills"][4]["service_level"]["target"] = 80  # percent instead of a fraction
    bad["defaults"]["shrinkge"] = 0.3
    good.write_text(yaml.safe_dump(bad, sort_keys=False))
    assert main(["validate", str(good)]) == 2
    err = capsys.readouterr().err
    for key in ("plan.interval_minutes", "skills[4].service_level.target", "defaults.shrinkge"):
        assert f"{good}: {key}:" in err


def test_plan_writes_workbook_csv_and_prints_summary(tmp_path, capsys):
    config = _example(tmp_path, output={"csv": "out/intervals.csv"})
    assert main(["plan", str(config), "--weeks", "1", "--start", "2026-03-09"]) == 0
    captured = capsys.readouterr()
    # summary: one line per skill and the total, with the backtest WAPE column
    assert "1001 Sales Messaging" in captured.out and "All skills" in captured.out
    assert "WAPE" in captured.out
    assert "forecasting NHT" in captured.err  # progress goes to stderr
    workbook = tmp_path / "out" / "example.xlsx"
    assert f"wrote {workbook}" in captured.out
    import openpyxl

    book = openpyxl.load_workbook(workbook, read_only=True)
    assert len(book.sheetnames) >= 2
    book.close()
    intervals = pd.read_csv(tmp_path / "out" / "intervals.csv")
    # the plan's columns, the UTC offset beside the local interval_start
    assert list(intervals.columns) == [*INTERVAL_COLUMNS[:3], "utc_offset", *INTERVAL_COLUMNS[3:]]
    # --weeks 1 --start 2026-03-09: 9-15 March, after the US DST switch of 8 March, is a
    # plain 168-hour week; x 6 skills
    assert len(intervals) == 6 * 168
    assert intervals["interval_start"].iloc[0].startswith("2026-03-09")


def test_plan_csv_format_and_out_override(tmp_path, capsys):
    config = _example(tmp_path)
    out = tmp_path / "elsewhere" / "plan.csv"
    assert main(["plan", str(config), "--weeks", "1", "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # --quiet
    frame = pd.read_csv(out)
    # 2026-03-02 .. 03-08 in America/New_York loses the 02:00 hour on 8 March
    assert len(frame) == 6 * 167
    assert not (tmp_path / "out").exists()  # --out replaced output.path


def test_invalid_config_exits_2_and_writes_nothing(tmp_path, capsys):
    config = _example(tmp_path, plan={"timezone": "Mars/Base"})
    assert main(["plan", str(config)]) == 2
    assert "plan.timezone: unknown IANA time zone" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_bad_volume_file_exits_1_naming_file_skill_and_time(tmp_path, capsys):
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("skill_id,interval_start,volume\n1001,2026-03-02T00:00,5\n")
    config = _example(tmp_path)
    data = yaml.safe_load(config.read_text())
    data["volume"] = {"source": "file", "path": str(forecast)}
    config.write_text(yaml.safe_dump(data))
    assert main(["plan", str(config), "--quiet"]) == 1
    err = capsys.readouterr().err
    # skill 1001's other hours are zero (issue 21: absent rows, warned); 1002 has no row at all
    assert f"{forecast}: no volume for skill 1002 at 2026-03-02T00:00:00-05:00" in err
    assert not (tmp_path / "out").exists()


def test_existing_foreign_file_needs_force(tmp_path, capsys):
    config = _example(tmp_path)
    out = tmp_path / "mine.csv"
    out.write_text("my own notes\n")
    assert main(["plan", str(config), "--weeks", "1", "--out", str(out), "--quiet"]) == 1
    assert out.read_text() == "my own notes\n"  # nothing lost
    capsys.readouterr()
    assert main(["plan", str(config), "--weeks", "1", "--out", str(out), "--quiet", "--force"]) == 0
    assert pd.read_csv(out).columns[0] == "skill_id"


def test_plots_option(tmp_path):
    import matplotlib  # noqa: F401

    config = _example(tmp_path)
    plots = tmp_path / "plots"
    assert main(["plan", str(config), "--weeks", "1", "--quiet", "--plots", str(plots)]) == 0
    names = {p.name for p in plots.glob("*.png")}
    assert "requirements.png" in names and len(names) >= 7  # overview + a heat map per skill


def test_bad_start_option_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["plan", str(_example(tmp_path)), "--start", "2026-02-30"])
    assert info.value.code == 2
    assert "not a date" in capsys.readouterr().err


def test_a_foreign_target_is_refused_before_the_planning_run(tmp_path, capsys):
    config = _example(tmp_path)
    target = tmp_path / "out" / "example.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"a planner's own workbook")
    assert main(["plan", str(config), "--weeks", "1"]) == 1
    err = capsys.readouterr().err
    assert "example.xlsx" in err and "force" in err
    assert "forecasting" not in err  # refused before any planning work
    assert target.read_bytes() == b"a planner's own workbook"

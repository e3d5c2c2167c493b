"""``staffing simulate CONFIG``: the summary it prints and the CSV files it writes."""

from __future__ import annotations

import pandas as pd
import yaml
from conftest import ramp_config, ramp_volume

from staffing.cli import main


def _write_config(folder) -> str:
    volume = ramp_volume()
    volume["interval_start"] = volume["interval_start"].dt.tz_localize(None)  # local times
    forecast = folder / "forecast.csv"
    volume.to_csv(forecast, index=False)
    config = folder / "ramps.yaml"
    config.write_text(yaml.safe_dump(ramp_config(str(forecast))), encoding="utf-8")
    return str(config)


def test_simulate_prints_per_skill_and_writes_the_tables(tmp_path, capsys):
    config = _write_config(tmp_path)
    out = tmp_path / "sim" / "ramps.csv"
    assert (
        main(
            ["simulate", config, "--replications", "3", "--seed", "5", "--out", str(out), "--quiet"]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "3 replications, seed 5" in text
    for label in ("11 Voice A", "12 Chat", "13 Voice C", "P(day ok)", "missed ivals"):
        assert label in text
    assert "14 Messaging: not simulated: workload skills have no queue" in text
    intervals = pd.read_csv(out)
    assert {"service_level", "service_level_sim", "service_level_ci", "target_missed"} <= set(
        intervals.columns
    )
    assert set(intervals["skill_id"]) == {11, 12, 13}
    for name in ("daily", "weekly", "summary"):
        assert (tmp_path / "sim" / f"ramps-{name}.csv").exists()


def test_simulate_refuses_to_overwrite_without_force(tmp_path, capsys):
    config = _write_config(tmp_path)
    out = tmp_path / "ramps.csv"
    out.write_text("keep me\n")
    assert main(["simulate", config, "--replications", "2", "--out", str(out), "--quiet"]) == 1
    assert "--force" in capsys.readouterr().err
    assert out.read_text() == "keep me\n"
    assert (
        main(["simulate", config, "--replications", "2", "--out", str(out), "--quiet", "--force"])
        == 0
    )
    assert "service_level_sim" in out.read_text()


def test_workers_and_scheduler_exclude_each_other(tmp_path, capsys):
    config = _write_config(tmp_path)
    try:
        main(["simulate", config, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_simulate_says_which_forecast_error_it_drew_and_can_leave_it_out(tmp_path, capsys):
    folder = tmp_path
    volume = ramp_volume()
    volume["interval_start"] = volume["interval_start"].dt.tz_localize(None)
    forecast = folder / "forecast.csv"
    volume.to_csv(forecast, index=False)
    config = ramp_config(str(forecast))
    config["volume"]["uncertainty"] = {"daily_cv": 0.1, "correlation": 0.5}
    path = folder / "ramps.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    out = folder / "with.csv"
    args = ["simulate", str(path), "--replications", "2", "--seed", "1", "--quiet"]
    assert main([*args, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "forecast error drawn: daily CV skill 11 10.0%" in text and "correlation 0.5" in text
    assert "vol known" in text
    drawn = pd.read_csv(folder / "with-daily.csv")
    assert drawn["p_meets_target_known_volume"].notna().all()
    out = folder / "without.csv"
    assert main([*args, "--no-forecast-error", "--out", str(out)]) == 0
    assert "forecast taken as exact" in capsys.readouterr().out
    exact = pd.read_csv(folder / "without-daily.csv")
    assert (exact["p_meets_target"] == exact["p_meets_target_known_volume"]).all()
    # the known-volume run is the run without forecast error: same seed, same numbers
    assert (drawn["p_meets_target_known_volume"] == exact["p_meets_target"]).all()

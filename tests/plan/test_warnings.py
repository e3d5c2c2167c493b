"""Plan.warnings: what a planner should double-check, collected in one list (issue 14)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

import staffing
from staffing.errors import DataWarning

ROOT = Path(__file__).resolve().parents[2]


def _config(**plan) -> dict:
    data = yaml.safe_load((ROOT / "config" / "example.yaml").read_text())
    data["nht"]["path"] = str(ROOT / "config" / "data" / "nht_history.csv")
    data["plan"].update({"weeks": 1, **plan})
    for skill in data["skills"][:2]:  # the workload skills take the defaults' target again
        skill.pop("service_level", None)
    return data


def test_plan_dates_against_the_history_window():
    before = staffing.plan(_config(start="1999-01-04"))
    assert any("before the history it is forecast from" in w for w in before.warnings)
    inside = staffing.plan(_config(start="2026-02-16"))  # the sample history ends 2026-03-01
    assert any("inside the history it is forecast from" in w for w in inside.warnings)
    far = staffing.plan(_config(start="2150-01-05"))
    assert any(
        "weeks after the history ends" in w and "more than 8 weeks" in w for w in far.warnings
    )
    right_after = staffing.plan(_config(start="2026-03-02"))
    assert not any("history" in w for w in right_after.warnings)


def test_an_all_zero_forecast_warns_and_invents_no_peak(tmp_path):
    from staffing.plan import horizon

    config = _config()
    grid = horizon(staffing.load_config(config))
    ids = [s["id"] for s in config["skills"]]
    path = tmp_path / "zero.csv"
    pd.DataFrame(
        {
            "skill_id": np.repeat(ids, len(grid)),
            "interval_start": np.tile(grid.tz_localize(None), len(ids)),
            "volume": 0.0,
        }
    ).to_csv(path, index=False)
    config["volume"] = {"source": "file", "path": str(path)}
    result = staffing.plan(config)
    assert any("volume forecast is 0 in every interval" in w for w in result.warnings)
    summary = result.summary()
    assert (summary["peak_agents"] == 0).all()
    assert summary["peak_at"].isna().all()  # no "peak at Mon 00:00"


def test_warnings_are_one_list_with_the_notes_and_collect_every_kind():
    config = _config()
    config["skills"][2]["shrinkage"] = {"default": 0.3, "by_hour": {12: 0.65}}
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # none here
        result = staffing.plan(config)
    assert result.warnings is result.meta["notes"]  # one list, not two
    texts = "\n".join(result.warnings)
    assert "'Sales Messaging' (1001): method workload does not use the service_level" in texts
    assert "'Live Chat Sales' (2001): shrinkage up to 65%, above 60%" in texts
    assert "contacts forecast in closed hours are not staffed ('Support Messaging'" in texts


def test_data_warnings_of_the_history_are_in_the_plan_warnings(tmp_path):
    history = pd.read_csv(ROOT / "config" / "data" / "nht_history.csv")
    history.loc[0, "arrivals"] = 5e6  # implausible
    path = tmp_path / "history.csv"
    history.to_csv(path, index=False)
    config = _config()
    config["nht"]["path"] = str(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = staffing.plan(config)
    assert any("arrivals above 1e+06" in w for w in result.warnings)
    assert any(issubclass(w.category, DataWarning) for w in caught)  # still warned too


def test_workload_targets_are_not_listed_as_applied():
    result = staffing.plan(_config())
    skills = result.skills.set_index("skill_id")
    assert np.isnan(skills.loc[1001, "service_level_target"])
    assert skills.loc[2001, "service_level_target"] == 0.8
    assert skills.loc[1001, "shrinkage_profile"] == "0.32; sat 0.25, sun 0.25"
    assert skills.loc[3002, "shrinkage_mean"] == 0.35

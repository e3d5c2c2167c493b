"""The planner's own handle times (issue 21, point 7): the volume file's ``handle_time_s``
column, and a plan with no history at all (a forecast file and ``nht_seconds``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffing import queueing
from staffing.config import load_config
from staffing.errors import ConfigError, DataError
from staffing.plan import plan
from staffing.vocabulary import BASIS_FILE, BASIS_HOUR, BASIS_OVERRIDE, ERLANG_C

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ROOT / "config" / "data" / "nht_history.csv"


def _config(volume_path: Path, skill: dict, *, nht: dict | None = None) -> dict:
    cfg = {
        "plan": {"name": "t", "start": "2026-03-02", "weeks": 1, "timezone": "UTC"},
        "volume": {"source": "file", "path": str(volume_path)},
        "defaults": {"shrinkage": 0.35, "fte_hours_per_week": 40},
        "skills": [
            {
                "id": 1,
                "name": "Voice",
                "method": ERLANG_C,
                "service_level": {"target": 0.8, "answer_within_seconds": 20},
                **skill,
            }
        ],
    }
    if nht is not None:
        cfg["nht"] = nht
    return cfg


def _forecast(tmp_path: Path, handle_time: dict[int, object] | None, *, header="handle_time_s"):
    """A week of hourly volume 50 for skill 1 as a CSV; ``handle_time``: hour -> cell text."""
    grid = pd.date_range("2026-03-02", periods=168, freq="h")
    frame = pd.DataFrame(
        {"skill_id": 1, "interval_start": grid.strftime("%Y-%m-%dT%H:%M"), "volume": 50.0}
    )
    if handle_time is not None:
        frame[header] = [handle_time.get(i, "") for i in range(168)]
    path = tmp_path / "forecast.csv"
    frame.to_csv(path, index=False)
    return path


def test_the_file_handle_time_replaces_the_nht_exactly_there(tmp_path):
    path = _forecast(tmp_path, {9: 240, 10: 420.5})
    result = plan(_config(path, {"nht_seconds": 300}))
    iv = result.intervals
    # hours 9 and 10 of Monday 2026-03-02 (rows 9 and 10) take the file's values; every
    # other hour keeps the skill's nht_seconds (the normal rule: override)
    assert iv.loc[9, "nht_s"] == 240 and iv.loc[10, "nht_s"] == 420.5
    assert list(iv.loc[[9, 10], "nht_basis"]) == [BASIS_FILE, BASIS_FILE]
    others = iv.drop(index=[9, 10])
    assert (others["nht_s"] == 300).all() and (others["nht_basis"] == BASIS_OVERRIDE).all()
    # the agents follow: Erlang C for 50 contacts of 420.5 s in an hour, 80 % in 20 s, by
    # the engine called directly
    for row, h in ((9, 240.0), (10, 420.5), (11, 300.0)):
        direct = queueing.required_agents(
            ERLANG_C,
            volume=50.0,
            handle_time_s=h,
            interval_s=3600,
            service_level=0.8,
            answer_within_s=20,
        )
        assert iv.loc[row, "agents"] == direct
    assert iv.loc[10, "agents"] > iv.loc[11, "agents"] > iv.loc[9, "agents"]


def test_the_file_handle_time_comes_before_the_history(tmp_path):
    # With history the empty cells keep the history's rule (hour_of_week for skill 1001
    # of the sample history); the given cell is the file's.
    grid = pd.date_range("2026-03-02", periods=168, freq="h")
    frame = pd.DataFrame(
        {
            "Skill ID": 1001,
            "Interval Start": grid.strftime("%Y-%m-%dT%H:%M"),
            "Volume": 20.0,
            "AHT s": [555.0 if i == 14 else np.nan for i in range(168)],
        }
    )
    path = tmp_path / "forecast.csv"
    frame.to_csv(path, index=False)
    cfg = _config(path, {}, nht={"source": "file", "path": str(HISTORY)})
    cfg["skills"][0]["id"] = 1001
    iv = plan(cfg).intervals
    assert iv.loc[14, "nht_s"] == 555.0 and iv.loc[14, "nht_basis"] == BASIS_FILE
    assert iv.loc[13, "nht_basis"] == BASIS_HOUR and iv.loc[13, "nht_s"] != 555.0


@pytest.mark.parametrize(
    ("cells", "words"),
    [
        ({3: 0}, "handle_time_s is zero or negative in row 5"),
        ({3: -10, 7: -1}, "handle_time_s is zero or negative in rows 5, 9"),
        ({3: "abc"}, "handle_time_s is not a number in row 5"),
        ({3: "NaN"}, "handle_time_s is not a number in row 5"),
        ({3: "#N/A"}, "handle_time_s is not a number in row 5"),
        ({3: "inf"}, "handle_time_s is not a finite number in row 5"),
    ],
)
def test_a_bad_handle_time_names_the_file_and_rows(tmp_path, cells, words):
    path = _forecast(tmp_path, cells)
    with pytest.raises(DataError) as info:
        plan(_config(path, {"nht_seconds": 300}))
    assert str(path) in str(info.value) and words in str(info.value)


def test_two_handle_time_columns_are_refused(tmp_path):
    path = _forecast(tmp_path, {1: 300})
    frame = pd.read_csv(path)
    frame["AHT_s"] = 200.0
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match="'handle_time_s', 'AHT_s' are all a handle time"):
        plan(_config(path, {"nht_seconds": 300}))


def test_a_plan_without_history_runs_on_nht_seconds(tmp_path):
    # no nht section at all: the forecast file and nht_seconds are all the plan needs
    path = _forecast(tmp_path, None)
    result = plan(_config(path, {"nht_seconds": 300}))
    assert (result.intervals["nht_s"] == 300).all()
    assert result.meta["history_start"] is None
    assert "no history" in result.meta["nht_source"]


def test_a_plan_without_history_runs_on_the_file_handle_times(tmp_path):
    path = _forecast(tmp_path, {i: 200 + i for i in range(168)})
    iv = plan(_config(path, {})).intervals
    np.testing.assert_array_equal(iv["nht_s"], 200 + np.arange(168))
    assert (iv["nht_basis"] == BASIS_FILE).all()


def test_without_history_a_skill_needs_nht_seconds_or_the_file_column(tmp_path):
    path = _forecast(tmp_path, {0: 300, 1: 300})  # 166 of 168 hours without a handle time
    with pytest.raises(DataError) as info:
        plan(_config(path, {}))
    text = str(info.value)
    assert "no nht section" in text and "every skill needs nht_seconds" in text
    assert "handle_time_s" in text and "'Voice' (id 1)" in text
    assert "166 of its 168 intervals" in text


def test_without_history_volume_and_patience_cannot_come_from_history(tmp_path):
    path = _forecast(tmp_path, None)
    cfg = _config(path, {"nht_seconds": 300, "method": "erlang_a", "patience_seconds": "auto"})
    cfg["volume"] = {"source": "history"}
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    problems = " | ".join(info.value.problems)
    assert "volume.source: 'history' forecasts from the NHT history" in problems
    assert "skills[0].patience_seconds: auto estimates the patience" in problems


def test_the_readme_plan_without_history_runs_as_written(tmp_path):
    import yaml

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### A plan without history") :]
    opening = section.index("```text\n") + len("```text\n")
    block = section[opening : section.index("```", opening)]
    (tmp_path / "plan.yaml").write_text(block)
    cfg = yaml.safe_load(block)
    assert "nht" not in cfg  # the documented plan really has no history
    grid = pd.date_range("2026-04-06", periods=13 * 168, freq="h")  # local, no DST change
    pd.DataFrame(
        {
            "skill_id": 1,
            "interval_start": grid,
            "volume": 30.0,
            "handle_time_s": np.where(grid.hour == 12, 330.0, np.nan),
        }
    ).to_excel(tmp_path / "forecast.xlsx", index=False)
    iv = plan(tmp_path / "plan.yaml").intervals
    noon = iv["interval_start"].dt.hour == 12
    assert (iv.loc[noon, "nht_s"] == 330).all() and (iv.loc[~noon, "nht_s"] == 280).all()


def test_validate_says_what_a_plan_without_history_lacks(tmp_path, capsys):
    import yaml

    from staffing.cli import main

    path = _forecast(tmp_path, {0: 300})
    config = tmp_path / "plan.yaml"
    config.write_text(yaml.safe_dump(_config(path, {})))
    assert main(["validate", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"{config}: volume.path:" in err and "every skill needs nht_seconds" in err
    config.write_text(yaml.safe_dump(_config(path, {"nht_seconds": 280})))
    assert main(["validate", str(config)]) == 0
    assert "NHT from none" in capsys.readouterr().out

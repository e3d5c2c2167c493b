"""Plan.uncertainty: volume.uncertainty auto, numbers or none, and its validation."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from staffing.config import load_config
from staffing.errors import ConfigError
from staffing.forecast import day_multiplier, uncertainty
from staffing.plan import plan
from staffing.plan.uncertainty import DEFAULT_DAILY_CV
from staffing.sources.files import read_history_file
from tests.config.support import minimal_with
from tests.realdata import BANK, needs_bank

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "example.yaml"
#: bank_calls.csv's wall clock (../shared/realdata/README.md).
BANK_TZ = "America/New_York"


def _example(**volume) -> dict:
    """config/example.yaml as a dict (one week), its paths absolute, ``volume`` keys set."""
    data = yaml.safe_load(EXAMPLE.read_text())
    data["nht"]["path"] = str(EXAMPLE.parent / data["nht"]["path"])
    data["plan"]["weeks"] = 1
    data["volume"].update(volume)
    return data


@functools.cache
def _auto_plan():
    return plan(_example())


def test_auto_measures_every_skill_of_the_example_from_its_backtest():
    result = _auto_plan()
    table = result.uncertainty
    ids = [s["id"] for s in _example()["skills"]]
    assert table is not None and table.index.name == "skill_id"
    assert table.index.tolist() == ids
    assert list(table.columns) == ["daily_cv", "source", "origins"]
    # 9 weeks of sample history, forecast from 8: five weekly origins (4 weeks before each)
    assert table["origins"].tolist() == [5] * len(ids)
    assert (table["source"] == "backtest, 5 weekly origins").all()
    assert (table["daily_cv"] >= uncertainty.CV_FLOOR).all()
    # The sample history is Poisson around a smooth profile (config/data/make_sample_data.py,
    # no day-level factor): what the backtest sees is the profile's own noise, a few percent.
    assert (table["daily_cv"] < 0.08).all()
    assert 0.0 <= table.attrs["correlation"] <= 1.0
    assert not any("volume.uncertainty" in w for w in result.warnings)


def test_config_numbers_are_taken_as_given():
    result = plan(_example(uncertainty={"daily_cv": 0.07, "correlation": 0.3}))
    table = result.uncertainty
    assert table["daily_cv"].tolist() == [0.07] * len(table)
    assert (table["source"] == "config").all() and (table["origins"] == 0).all()
    assert table.attrs["correlation"] == 0.3


def test_none_takes_the_forecast_as_exact():
    assert plan(_example(uncertainty="none")).uncertainty is None


def test_a_volume_frame_gets_the_default_and_a_note():
    data = _example()
    result = _auto_plan()
    frame = result.intervals[["skill_id", "interval_start", "volume"]]
    planned = plan(data, volume=frame)
    table = planned.uncertainty
    assert table["daily_cv"].tolist() == [DEFAULT_DAILY_CV] * len(table)
    assert table["source"].str.startswith("default 0.10 (volume from DataFrame)").all()
    assert (table["origins"] == 0).all() and table.attrs["correlation"] == 0.0
    assert any("volume.uncertainty" in w and "0.10" in w for w in planned.warnings)


def test_too_few_origins_take_the_default_with_a_note():
    # Six weeks of the sample history, forecast from 8 weeks: an origin needs 4 weeks
    # before it, so only 2 origins fit (at least 4 are needed).
    history = read_history_file(EXAMPLE.parent / "data" / "nht_history.csv")
    end = history["interval_start"].max()
    recent = history[history["interval_start"] > end - pd.Timedelta(weeks=6)]
    result = plan(_example(), nht_history=recent)
    table = result.uncertainty
    assert table["daily_cv"].tolist() == [DEFAULT_DAILY_CV] * len(table)
    assert (table["source"] == "default 0.10 (2 origins)").all()
    assert (table["origins"] == 0).all() and table.attrs["correlation"] == 0.0
    assert any("too few weekly backtest origins" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("sometimes", "must be 'auto', 'none'"),
        (0.1, "must be 'auto', 'none' or a mapping"),
        (None, "must be 'auto', 'none' or a mapping"),
        ({"daily_cv": -0.01}, "greater than or equal to 0"),
        ({"daily_cv": 1.5}, "less than or equal to 1"),
        ({"daily_cv": 0.1, "correlation": 1.2}, "less than or equal to 1"),
        ({"daily_cv": 0.1, "correlation": -0.1}, "greater than or equal to 0"),
        ({"correlation": 0.2}, "daily_cv"),
        ({"daily_cv": 0.1, "corelation": 0.2}, "corelation"),
    ],
)
def test_a_bad_uncertainty_is_refused_naming_the_key(value, words):
    with pytest.raises(ConfigError) as info:
        load_config(minimal_with("volume.uncertainty", value))
    hits = [line for line in info.value.problems if "volume.uncertainty" in line]
    assert hits and any(words in line for line in hits), info.value.problems


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ({"daily_cv": 0.0}, (0.0, 0.0)),
        ({"daily_cv": 1.0, "correlation": 1.0}, (1.0, 1.0)),
    ],
)
def test_the_documented_values_load(value, expected):
    loaded = load_config(minimal_with("volume.uncertainty", value)).volume.uncertainty
    if isinstance(expected, tuple):
        assert (loaded.daily_cv, loaded.correlation) == expected
    else:
        assert loaded == expected


def test_auto_is_the_default():
    assert load_config(minimal_with("plan.weeks", 1)).volume.uncertainty == "auto"


def _bank_hourly() -> pd.DataFrame:
    """bank_calls as an hourly UTC history of skill 1 (its times are New York wall clock)."""
    raw = pd.read_csv(BANK)
    local = pd.to_datetime(raw["DateTime"].str.rstrip("Z")).dt.tz_localize(BANK_TZ)
    frame = pd.DataFrame(
        {
            "skill_id": 1,
            "interval_start": local.dt.tz_convert("UTC").dt.floor("h"),
            "arrivals": raw["Calls"].astype(float),
        }
    )
    return frame.groupby(["skill_id", "interval_start"], as_index=False)["arrivals"].sum()


@needs_bank
def test_bank_calls_intervals_hold_their_share_of_days(tmp_path):
    # The bar: the 80 % interval of the day's total holds 75-85 % of days, the 95 %
    # one 90-98 %, over the 26 weekly origins of the plan's own backtest.
    config = {
        "plan": {"name": "bank", "start": "2003-10-27", "weeks": 1, "timezone": BANK_TZ},
        "nht": {
            "source": "file",
            "path": str(BANK),
            "timezone": BANK_TZ,
            "columns": {"interval_start": "DateTime", "arrivals": "Calls"},
            "skill_id": 1,
        },
        "volume": {"source": "history"},
        "defaults": {"shrinkage": 0.3, "fte_hours_per_week": 40},
        "skills": [
            {
                "id": 1,
                "name": "Bank",
                "method": "erlang_c",
                "nht_seconds": 300,
                "service_level": {"target": 0.8, "answer_within_seconds": 20},
                "open_hours": {d: "07:00-22:00" for d in ("mon", "tue", "wed", "thu", "fri")},
            }
        ],
    }
    table = plan(config).uncertainty
    assert table.loc[1, "origins"] == uncertainty.MAX_ORIGINS
    assert table.loc[1, "source"] == "backtest, 26 weekly origins"
    errors = uncertainty.daily_errors(_bank_hourly(), [1], timezone=BANK_TZ, weeks=8)
    cv = float(uncertainty.daily_cv(errors, [1]).loc[1, "daily_cv"])
    assert table.loc[1, "daily_cv"] == pytest.approx(cv, rel=0.02)  # the same backtest
    assert len(errors) >= 120  # 26 weeks of weekdays, the holidays absent
    for coverage, low, high in ((0.8, 0.75, 0.85), (0.95, 0.90, 0.98)):
        total = np.sqrt(cv**2 + 1.0 / errors["forecast"])  # the day's rate and its Poisson noise
        lower, upper = day_multiplier.interval(coverage, total)
        ratio = errors["actual"] / errors["forecast"]
        share = float(((ratio >= lower) & (ratio <= upper)).mean())
        assert low <= share <= high, (coverage, share)

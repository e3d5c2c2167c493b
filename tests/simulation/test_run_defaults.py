"""A simulation without options is the one its docstrings describe.

Rules protected (:func:`staffing.simulation.simulate` and
:func:`staffing.simulation.engine.run` docstrings): by default 30 replications, seed 0,
constant rates per interval, exponential handle times (CV 1), least-loaded routing,
draining at closing, the plan's forecast error drawn (skills correlated as the plan says;
0 for the engine) and the known-volume run made beside it; ``meta`` records those options
and the wall time of the call. A default call is compared with the call that spells every
default out, on two skills with forecast error (where the correlation and the known-volume
run change the figures).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from staffing.plan import plan
from staffing.simulation import engine, simulate
from tests.simulation.conftest import ramp_config, ramp_volume
from tests.simulation.test_engine_by_hand import hourly

SPELLED = {
    "replications": 30,
    "seed": 0,
    "ramp": False,
    "handle_time": "exponential",
    "handle_time_cv": 1.0,
    "routing": "least_loaded",
    "at_close": "drain",
    "known_volume": True,
}


def test_the_engine_without_options_is_its_documented_defaults():
    skills = [hourly(3, 1, daily_cv=0.3), hourly(4, 1, daily_cv=0.3)]
    default = engine.run(skills)
    spelled = engine.run(skills, correlation=0.0, **SPELLED)
    for name in ("intervals", "daily", "weekly"):
        pd.testing.assert_frame_equal(getattr(default, name), getattr(spelled, name))
    assert default.tasks == 6  # 30 replications: three tasks of ten per skill
    assert default.daily["p_meets_target_known_volume"].notna().all()


def test_simulate_without_options_records_the_documented_defaults(tmp_path):
    unused = tmp_path / "unused.csv"
    unused.write_text("skill_id,interval_start,volume\n")
    config = ramp_config(str(unused))
    config["skills"] = [config["skills"][2]]  # Voice C: low volume, quick
    config["volume"]["uncertainty"] = {"daily_cv": 0.2, "correlation": 0.5}
    volume = ramp_volume()
    planned = plan(config, volume=volume[volume["skill_id"] == 13])
    before = time.perf_counter()
    result = simulate(planned)
    elapsed = time.perf_counter() - before
    meta = result.meta
    assert {k: meta[k] for k in SPELLED if k != "known_volume"} == {
        k: v for k, v in SPELLED.items() if k != "known_volume"
    }
    assert meta["forecast_error"] == {"daily_cv": {13: 0.2}, "correlation": 0.5}
    assert result.daily["p_meets_target_known_volume"].notna().all()
    assert 0.0 < meta["wall_seconds"] <= elapsed
    assert np.isfinite(result.daily["service_level_sim"]).all()


def test_no_skill_gives_empty_tables_and_skills_follow_each_other():
    """Rule (``engine.run``): the tables hold the skills in input order, one row after
    another (index 0..n-1); with no queueing skill (a plan of workload skills only) the run
    has no task and empty tables, not an error."""
    nothing = engine.run([])
    assert (nothing.tasks, nothing.contacts) == (0, 0)
    assert nothing.intervals.empty and nothing.daily.empty and nothing.weekly.empty
    both = engine.run([hourly(3, 1), hourly(4, 1)], replications=2, seed=1)
    assert list(both.intervals.index) == list(range(48))
    assert list(both.intervals["skill_id"]) == [3] * 24 + [4] * 24
    assert list(both.daily.index) == [0, 1] and list(both.daily["skill_id"]) == [3, 4]

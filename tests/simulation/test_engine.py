"""The engine from arrays alone: no plan, no config; the same tables as simulate(plan)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from staffing.simulation import engine, simulate
from staffing.simulation.inputs import SkillInput
from staffing.simulation.run import plan_uncertainty, skill_inputs
from staffing.simulation.time_stable import time_stable_agents, time_stable_skills


def erlang_a_skill(skill_id: int = 7) -> SkillInput:
    """Two days of hourly intervals of an Erlang A skill, typed by hand."""
    n_t = 48
    start = pd.Timestamp("2026-03-02", tz="Europe/Berlin")
    grid = pd.date_range(start, periods=n_t, freq="h")
    hour = np.arange(n_t) % 24
    open_ = (hour >= 8) & (hour < 18)
    day = (np.arange(n_t) // 24).astype(np.int64)
    return SkillInput(
        skill_id=skill_id,
        skill_name="Voice",
        method="erlang_a",
        interval_start=grid,
        volume=np.where(open_, 40.0, 0.0),
        agents=np.where(open_, 4, 0).astype(np.int64),
        handle_time_s=np.full(n_t, 240.0),
        is_open=open_,
        interval_s=3600.0,
        answer_within_s=20.0,
        patience_s=120.0,
        service_level_target=0.8,
        asa_s=None,
        max_abandon=0.05,
        day=day,
        dates=np.array([dt.date(2026, 3, 2), dt.date(2026, 3, 3)], dtype=object),
        week=np.zeros(n_t, dtype=np.int64),
        week_start=(dt.date(2026, 3, 2),),
    )


def test_the_engine_runs_from_arrays_alone():
    done = engine.run([erlang_a_skill()], replications=4, seed=1)
    iv = done.intervals
    assert len(iv) == 48 and set(iv["skill_id"]) == {7}
    assert np.isnan(iv["service_level"]).all()  # no analytic figures given
    open_ = iv["agents"] > 0
    assert (iv.loc[open_, "arrivals_sim"] > 0).all()
    assert (iv.loc[~open_, "arrivals_sim"] == 0).all()
    assert list(done.daily["date"]) == [dt.date(2026, 3, 2), dt.date(2026, 3, 3)]
    assert len(done.weekly) == 1 and done.weekly["days"].iloc[0] == 2
    assert done.tasks == 1 and done.contacts > 0 and 0 < done.horizon[7]["service_level"] <= 1


def test_the_engine_matches_the_adapter_for_the_same_seed(ramps_plan):
    adapted = simulate(ramps_plan, replications=6, seed=3)
    correlation = plan_uncertainty(ramps_plan)[1]
    inputs = skill_inputs(ramps_plan, forecast_error=True)
    done = engine.run(inputs, replications=6, seed=3, correlation=correlation)
    pd.testing.assert_frame_equal(done.intervals, adapted.intervals, check_exact=True)
    pd.testing.assert_frame_equal(done.daily, adapted.daily, check_exact=True)
    pd.testing.assert_frame_equal(done.weekly, adapted.weekly, check_exact=True)
    assert done.horizon == adapted.meta["horizon"]


def test_time_stable_staffing_runs_from_arrays_and_matches_the_plan_adapter(ramps_plan):
    options = {"replications": 4, "seed": 2, "max_iterations": 2}
    by_plan, report = time_stable_agents(ramps_plan, [11], **options)
    skill = next(s for s in skill_inputs(ramps_plan) if s.skill_id == 11)
    (agents,), report_arrays = time_stable_skills([skill], **options)
    np.testing.assert_array_equal(by_plan[~np.isnan(by_plan)], agents)
    assert report == report_arrays


def test_the_engine_refuses_bad_options():
    with pytest.raises(ValueError, match="replications"):
        engine.run([erlang_a_skill()], replications=1)
    with pytest.raises(ValueError, match="routing"):
        engine.run([erlang_a_skill()], replications=2, routing="random")

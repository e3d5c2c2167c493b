"""simulate(plan): tables, reproducibility, Dask scale-out and option checks.

The plan is the ``ramps_plan`` fixture (conftest.py): sharp ramps, low volumes, an Erlang
A, a chat, an Erlang C skill with an ASA target, and a workload skill.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from distributed import LocalCluster

import staffing
from staffing.simulation import SimulationResult, simulate

REPS = 6


@pytest.fixture  # per test: mutation testing sees each test call the simulation it checks
def result(ramps_plan) -> SimulationResult:
    return simulate(ramps_plan, replications=REPS, seed=3)


def test_workload_skills_are_skipped_with_a_note(result):
    assert set(result.intervals["skill_id"]) == {11, 12, 13}
    assert 14 in result.meta["skipped"]
    summary = result.summary()
    row = summary[summary["skill_id"] == 14].iloc[0]
    assert "no queue" in row["note"] and np.isnan(row["service_level_sim"])


def test_interval_table_puts_the_plan_beside_the_simulation(result, ramps_plan):
    iv = result.intervals
    plan_iv = ramps_plan.intervals[ramps_plan.intervals["skill_id"] != 14]
    assert len(iv) == len(plan_iv)
    for column in ("volume", "agents", "service_level", "asa_s", "p_abandon", "occupancy"):
        np.testing.assert_array_equal(iv[column].to_numpy(), plan_iv[column].to_numpy())
    assert (iv["interval_start"].to_numpy() == plan_iv["interval_start"].to_numpy()).all()
    closed = iv["agents"] == 0
    # closed intervals have no arrivals, so no simulated figures
    assert (iv.loc[closed, "arrivals_sim"] == 0).all()
    assert iv.loc[closed, "service_level_sim"].isna().all()
    served = ~closed & (iv["volume"] > 0)
    sl = iv.loc[served, "service_level_sim"]
    assert sl.dropna().between(0, 1).all()
    # NaN only where no replication had an arrival (low volume)
    assert (iv.loc[served & iv["service_level_sim"].isna(), "arrivals_sim"] == 0).all()
    assert (iv.loc[served, "service_level_ci"] > 0).any()
    # missed targets are only flagged where the CI lies wholly below the target (SL 0.8)
    flagged = iv[iv["missed_targets"].str.contains("service_level")]
    assert (flagged["service_level_sim"] + flagged["service_level_ci"] < 0.8).all()
    assert (iv["target_missed"] == (iv["missed_targets"] != "")).all()


def test_daily_figures_are_volume_weighted_over_the_day(result):
    iv = result.intervals
    voice = iv[iv["skill_id"] == 11].copy()
    voice["date"] = voice["interval_start"].dt.date
    day = result.daily[result.daily["skill_id"] == 11].set_index("date")
    # only days with offered volume (Voice A is closed at the weekend)
    assert len(day) == 5
    served = voice[(voice["agents"] > 0) & (voice["volume"] > 0)]
    planned = served.groupby("date").apply(
        lambda d: np.average(d["service_level"], weights=d["volume"]), include_groups=False
    )
    np.testing.assert_allclose(day["service_level"], planned.loc[day.index], rtol=1e-12)
    # mean arrivals of the day = the sum of its intervals' mean arrivals
    arrivals = voice.groupby("date")["arrivals_sim"].sum()
    np.testing.assert_allclose(day["arrivals_sim"], arrivals.loc[day.index], rtol=1e-12)
    assert day["p_meets_target"].between(0, 1).all()
    assert (day["service_level_p10"] <= day["service_level_sim"] + 1e-12).all()


def test_weekly_table_has_one_week_per_skill(result):
    weekly = result.weekly
    assert sorted(weekly["skill_id"]) == [11, 12, 13]
    assert (weekly["days"] == 7).all()
    assert str(weekly["week_start"].iloc[0]) == "2026-03-02"


def test_same_seed_same_numbers_other_seed_other_numbers(ramps_plan, result):
    again = simulate(ramps_plan, replications=REPS, seed=3)
    pd.testing.assert_frame_equal(again.intervals, result.intervals)
    other = simulate(ramps_plan, replications=REPS, seed=4)
    assert not other.intervals["arrivals_sim"].equals(result.intervals["arrivals_sim"])


def test_plan_simulate_and_the_package_export_are_the_same_function(ramps_plan, result):
    via_method = ramps_plan.simulate(replications=REPS, seed=3)
    pd.testing.assert_frame_equal(via_method.daily, result.daily)
    assert staffing.simulate is simulate


def test_identical_without_dask_and_on_one_or_two_dask_workers(ramps_plan):
    # Tasks are seeded by (skill id, replication) and batched independently of the worker
    # count, so the numbers cannot depend on where they ran. 12 replications = 2 tasks
    # per skill, so two workers really share a skill.
    local = simulate(ramps_plan, replications=12, seed=11)
    one = simulate(ramps_plan, replications=12, seed=11, workers=1)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True, dashboard_address=None
    ) as cluster:
        two = simulate(ramps_plan, replications=12, seed=11, scheduler=cluster.scheduler_address)
    assert one.meta["executor"].startswith("Dask LocalCluster")
    assert two.meta["executor"].startswith("Dask scheduler")
    for other in (one, two):
        pd.testing.assert_frame_equal(other.intervals, local.intervals)
        pd.testing.assert_frame_equal(other.daily, local.daily)
        pd.testing.assert_frame_equal(other.weekly, local.weekly)


def test_progress_is_reported_per_task(ramps_plan):
    calls = []
    simulate(ramps_plan, replications=2, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"replications": 1}, "replications"),
        ({"seed": -1}, "seed"),
        ({"routing": "random"}, "routing"),
        ({"at_close": "never"}, "at_close"),
        ({"handle_time": "gamma"}, "handle_time"),
        ({"handle_time_cv": 0.5}, "CV of 1"),
        ({"workers": 2, "scheduler": "tcp://127.0.0.1:1"}, "at most one"),
    ],
)
def test_bad_options_are_refused_before_anything_runs(ramps_plan, options, match):
    with pytest.raises(ValueError, match=match):
        simulate(ramps_plan, **options)


def test_lognormal_handle_times_and_ramps_run_and_differ(ramps_plan, result):
    shaped = simulate(
        ramps_plan,
        replications=REPS,
        seed=3,
        ramp=True,
        handle_time="lognormal",
        handle_time_cv=0.6,
    )
    assert shaped.meta["ramp"] and shaped.meta["handle_time_cv"] == 0.6
    # same seeds, other inputs: other numbers, same planned columns
    assert not shaped.intervals["service_level_sim"].equals(result.intervals["service_level_sim"])
    pd.testing.assert_series_equal(
        shaped.intervals["service_level"], result.intervals["service_level"]
    )

"""What simulate(plan) hands a planner besides the tables: the engine's input read from the
plan, the run's facts in ``meta``, the summary's rows and columns, and the result's repr.

Rules protected (``SimulationResult`` and ``simulate`` docstrings, docs/simulation.md):

- each queueing skill is simulated with the plan's own figures: its volume, agents,
  handle times, open hours, interval length, threshold, patience, targets, occupancy cap,
  fewest agents, scope, the plan's day and week calendar and the plan's analytic figures;
  the day-level CV of ``plan.uncertainty`` only with ``forecast_error``;
- ``meta`` says what ran: the plan, replications, seed, options, the forecast error drawn
  (or None), engine, executor, tasks (one per skill and batch of ten replications),
  contacts simulated, skills skipped and why;
- the summary has one row per skill of the plan in config order, the columns the
  docstring lists in that order, and each figure is the one named (checked against the
  tables it summarises).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from staffing.plan import plan
from staffing.simulation import engine, kernel, simulate
from staffing.simulation.run import plan_uncertainty, skill_inputs
from tests.conftest import per_module
from tests.simulation.by_hand import SUMMARY_COLUMNS
from tests.simulation.conftest import ramp_config, ramp_volume

REPS = 12  # two tasks per skill: 10 + 2


@pytest.fixture(scope=per_module)
def capped_plan(tmp_path_factory):
    """The ramps plan with an occupancy cap and a floor of agents on Voice A, and a day-level
    CV of 0.15 with correlation 0.4 between the skills."""
    folder = tmp_path_factory.mktemp("capped")
    unused = folder / "unused.csv"
    unused.write_text("skill_id,interval_start,volume\n")
    config = ramp_config(str(unused))
    config["skills"][0].update(max_occupancy=0.85, min_agents=2)
    config["volume"]["uncertainty"] = {"daily_cv": 0.15, "correlation": 0.4}
    return plan(config, volume=ramp_volume())


@pytest.fixture  # per test: mutation testing sees each test call the simulation it checks
def result(capped_plan):
    return simulate(capped_plan, replications=REPS, seed=5)


def test_the_engine_input_is_the_plans_own_figures(capped_plan):
    iv = capped_plan.intervals
    n_t = 7 * 48
    inputs = {s.skill_id: s for s in skill_inputs(capped_plan, forecast_error=True)}
    assert list(inputs) == [11, 12, 13]  # queueing skills in config order; no workload
    grid = iv["interval_start"].iloc[:n_t]
    hour = grid.dt.hour.to_numpy() + grid.dt.minute.to_numpy() / 60
    weekday = grid.dt.day_of_week.to_numpy() < 5
    for index, sid in enumerate((11, 12, 13)):
        skill, rows = inputs[sid], iv.iloc[index * n_t : (index + 1) * n_t]
        assert skill.interval_s == 1800.0
        np.testing.assert_array_equal(skill.volume, rows["volume"].to_numpy())
        np.testing.assert_array_equal(skill.agents, rows["agents"].to_numpy())
        assert skill.agents.dtype == np.int64
        assert (skill.interval_start == pd.DatetimeIndex(grid)).all()
        for name in ("service_level", "asa_s", "p_abandon", "occupancy"):
            np.testing.assert_array_equal(skill.planned[name], rows[name].to_numpy(dtype=float))
        np.testing.assert_array_equal(skill.day, np.repeat(np.arange(7), 48))
        assert list(skill.dates) == [dt.date(2026, 3, 2) + dt.timedelta(days=d) for d in range(7)]
        np.testing.assert_array_equal(skill.week, np.zeros(n_t))
        assert skill.week_start == (dt.date(2026, 3, 2),)
        assert skill.daily_cv == 0.15 and skill.scope == "interval"
    voice, chat, voice_c = inputs[11], inputs[12], inputs[13]
    assert (voice.skill_name, voice.method) == ("Voice A", "erlang_a")
    np.testing.assert_array_equal(voice.is_open, weekday & (hour >= 8) & (hour < 18))
    np.testing.assert_array_equal(chat.is_open, (hour >= 8) & (hour < 20))
    np.testing.assert_array_equal(voice.handle_time_s, np.full(n_t, 300.0))
    assert (voice.answer_within_s, voice.patience_s) == (20.0, 120.0)
    assert (voice.service_level_target, voice.asa_s, voice.max_abandon) == (0.8, None, 0.05)
    assert (voice.max_occupancy, voice.min_agents) == (0.85, 2)
    assert (chat.answer_within_s, chat.patience_s, chat.max_occupancy) == (60.0, 150.0, None)
    assert chat.handle_time_s.shape == (n_t, 3)  # one column per load 1..3
    assert (chat.handle_time_s > 0).all()
    # no service level: no threshold (0), the ASA target only, infinitely patient
    assert (voice_c.answer_within_s, voice_c.patience_s) == (0.0, None)
    assert (voice_c.service_level_target, voice_c.asa_s) == (None, 30.0)
    assert voice_c.min_agents == 0
    assert all(s.daily_cv == 0.0 for s in skill_inputs(capped_plan))  # forecast taken as exact


def test_plan_uncertainty_reads_the_cv_and_the_correlation(capped_plan):
    cvs, correlation = plan_uncertainty(capped_plan)
    assert cvs == {11: 0.15, 12: 0.15, 13: 0.15, 14: 0.15}
    assert correlation == 0.4

    class NoUncertainty:
        uncertainty = None

    assert plan_uncertainty(NoUncertainty()) == ({}, 0.0)  # type: ignore[arg-type]

    class Empty:
        uncertainty = pd.DataFrame({"daily_cv": []})

    assert plan_uncertainty(Empty()) == ({}, 0.0)  # type: ignore[arg-type]


def test_meta_says_what_ran(result, capped_plan):
    meta = result.meta
    assert meta["plan"] == "ramps" == capped_plan.name
    assert (meta["replications"], meta["seed"]) == (REPS, 5)
    assert (meta["ramp"], meta["handle_time"], meta["handle_time_cv"]) == (
        False,
        "exponential",
        1.0,
    )
    assert (meta["routing"], meta["at_close"]) == ("least_loaded", "drain")
    assert meta["forecast_error"] == {
        "daily_cv": {11: 0.15, 12: 0.15, 13: 0.15, 14: 0.15},
        "correlation": 0.4,
    }
    assert meta["engine"] == ("numba" if kernel.HAVE_NUMBA else "python")
    assert meta["executor"] == "in-process"
    assert meta["tasks"] == 6  # three queueing skills x two batches
    # contacts: every arrival of the replications with the forecast error
    arrivals = result.intervals["arrivals_sim"].sum() * REPS
    assert meta["contacts"] == round(arrivals)
    assert 0 < meta["task_seconds"] <= meta["wall_seconds"]  # tasks ran inside the call
    assert meta["skipped"] == {14: "not simulated: workload skills have no queue"}
    assert meta["skills"] == [
        {"skill_id": 11, "skill_name": "Voice A", "method": "erlang_a", "scope": "interval"},
        {"skill_id": 12, "skill_name": "Chat", "method": "chat", "scope": "interval"},
        {"skill_id": 13, "skill_name": "Voice C", "method": "erlang_c", "scope": "interval"},
        {
            "skill_id": 14,
            "skill_name": "Messaging",
            "method": "workload",
            "scope": "interval",
            "note": "not simulated: workload skills have no queue",
        },
    ]
    assert sorted(meta["horizon"]) == [11, 12, 13]


def test_options_are_recorded_as_given(capped_plan):
    shaped = simulate(
        capped_plan,
        replications=2,
        seed=9,
        ramp=1,
        handle_time="lognormal",
        handle_time_cv=2,
        routing="even_spread",
        at_close="hold",
        forecast_error=False,
    )
    meta = shaped.meta
    assert meta["ramp"] is True and meta["handle_time_cv"] == 2.0
    assert isinstance(meta["handle_time_cv"], float)
    assert (meta["handle_time"], meta["routing"], meta["at_close"]) == (
        "lognormal",
        "even_spread",
        "hold",
    )
    assert meta["forecast_error"] is None and meta["tasks"] == 3
    # no forecast error: the probability with the volume known is the same replications
    daily = shaped.daily
    np.testing.assert_array_equal(daily["p_meets_target_known_volume"], daily["p_meets_target"])


def test_known_volume_off_leaves_its_probability_empty(capped_plan):
    done = simulate(capped_plan, replications=2, seed=1, known_volume=False)
    assert done.daily["p_meets_target_known_volume"].isna().all()
    assert done.weekly["p_meets_target_known_volume"].isna().all()
    assert done.daily["p_meets_target"].notna().all()
    summary = done.summary().set_index("skill_id")
    assert summary.loc[[11, 12, 13], "p_day_meets_target_known_volume"].isna().all()


def test_repr_names_the_plan_skills_replications_and_seed(result):
    assert repr(result) == "SimulationResult(plan='ramps', skills=3, replications=12, seed=5)"


def test_summary_rows_and_columns_are_those_documented(result):
    summary = result.summary()
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert summary["skill_id"].tolist() == [11, 12, 13, 14]
    assert summary["skill_name"].tolist() == ["Voice A", "Chat", "Voice C", "Messaging"]
    assert summary["method"].tolist() == ["erlang_a", "chat", "erlang_c", "workload"]
    assert summary["scope"].tolist() == ["interval"] * 4
    assert summary["note"].tolist() == [""] * 3 + ["not simulated: workload skills have no queue"]
    workload = summary.iloc[3]
    figures = [c for c in SUMMARY_COLUMNS if c not in ("skill_id", "skill_name", "method")]
    assert workload[[c for c in figures if c not in ("scope", "note")]].isna().all()
    for _, row in summary.iloc[:3].iterrows():
        sid = row["skill_id"]
        days = result.daily[result.daily["skill_id"] == sid]
        horizon = result.meta["horizon"][sid]
        assert row["daily_service_level"] == pytest.approx(days["service_level"].mean())
        assert row["daily_service_level_sim"] == pytest.approx(days["service_level_sim"].mean())
        assert row["p_day_meets_target"] == pytest.approx(days["p_meets_target"].mean())
        assert row["p_day_meets_target_known_volume"] == pytest.approx(
            days["p_meets_target_known_volume"].mean()
        )
        for name in ("service_level", "p_abandon", "asa_s"):
            assert row[f"{name}_sim"] == horizon[name]
        assert row["worst_day_sl_sim"] == horizon["worst_day_sl"]
        assert row["intervals_below_interval_target"] == 0.0  # interval scope: misses instead
    # the known-volume figure differs from the one with forecast error somewhere
    known = summary["p_day_meets_target_known_volume"].iloc[:3]
    assert not np.allclose(known, summary["p_day_meets_target"].iloc[:3])


def test_a_skill_with_no_simulated_rows_has_empty_figures(result):
    skills = result.meta["skills"] + [
        {"skill_id": 99, "skill_name": "Ghost", "method": "erlang_c", "scope": "day"}
    ]
    ghost = type(result)(
        result.intervals, result.daily, result.weekly, {**result.meta, "skills": skills}
    )
    row = ghost.summary().iloc[-1]
    assert (row["skill_id"], row["skill_name"], row["scope"], row["note"]) == (
        99,
        "Ghost",
        "day",
        "",
    )
    assert np.isnan(row["service_level_sim"]) and np.isnan(row["p_day_meets_target"])


def test_simulate_runs_the_engine_with_the_plans_correlation_and_options(capped_plan, result):
    """simulate(plan) is engine.run on the plan's skills with its CVs and correlation (0.4
    here) and every option as given: the same tables to the last digit."""
    inputs = skill_inputs(capped_plan, forecast_error=True)
    direct = engine.run(inputs, replications=REPS, seed=5, correlation=0.4)
    for name in ("intervals", "daily", "weekly"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(direct, name))
    options = {
        "ramp": True,
        "handle_time": "lognormal",
        "handle_time_cv": 0.7,
        "routing": "even_spread",
        "at_close": "hold",
    }
    shaped = simulate(capped_plan, replications=2, seed=9, known_volume=False, **options)
    again = engine.run(
        inputs, replications=2, seed=9, correlation=0.4, known_volume=False, **options
    )
    pd.testing.assert_frame_equal(shaped.daily, again.daily)
    pd.testing.assert_frame_equal(shaped.intervals, again.intervals)


def test_a_skill_without_open_hours_is_open_in_every_interval(tmp_path):
    """No ``open_hours``: the skill takes arrivals in every interval of the plan."""
    unused = tmp_path / "unused.csv"
    unused.write_text("skill_id,interval_start,volume\n")
    config = ramp_config(str(unused))
    del config["skills"][0]["open_hours"]
    config["skills"] = config["skills"][:1]
    volume = ramp_volume()
    planned = plan(config, volume=volume[volume["skill_id"] == 11])
    (voice,) = skill_inputs(planned)
    assert voice.is_open.dtype == bool and voice.is_open.shape == (7 * 48,)
    assert voice.is_open.all()

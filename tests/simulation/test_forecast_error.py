"""The simulation draws the forecast error: one day multiplier per skill, day and replication."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

from staffing import queueing
from staffing.forecast import day_multiplier
from staffing.simulation import engine
from staffing.simulation.inputs import SkillInput
from staffing.vocabulary import ERLANG_C

HOUR_S = 3600.0
VOLUME = 400.0  # calls per hour: 20 Erlangs at 180 s
HANDLE_S = 180.0
AGENTS = 25
WITHIN_S = 20.0
TARGET = 0.8


def stationary_skill(days: int, skill_id: int = 3, daily_cv: float = 0.1) -> SkillInput:
    """``days`` days of hourly Erlang C intervals, open 08:00-20:00, the same every hour."""
    n_t = 24 * days
    grid = pd.date_range(pd.Timestamp("2026-03-02", tz="Europe/Berlin"), periods=n_t, freq="h")
    open_ = (np.arange(n_t) % 24 >= 8) & (np.arange(n_t) % 24 < 20)
    return SkillInput(
        skill_id=skill_id,
        skill_name="Voice",
        method=ERLANG_C,
        interval_start=grid,
        volume=np.where(open_, VOLUME, 0.0),
        agents=np.where(open_, AGENTS, 0).astype(np.int64),
        handle_time_s=np.full(n_t, HANDLE_S),
        is_open=open_,
        interval_s=HOUR_S,
        answer_within_s=WITHIN_S,
        patience_s=None,
        service_level_target=TARGET,
        asa_s=None,
        max_abandon=None,
        day=(np.arange(n_t) // 24).astype(np.int64),
        dates=np.array([dt.date(2026, 3, 2) + dt.timedelta(days=d) for d in range(days)]),
        week=(np.arange(n_t) // (24 * 7)).astype(np.int64),
        week_start=tuple(dt.date(2026, 3, 2) + dt.timedelta(weeks=w) for w in range(-(-days // 7))),
        daily_cv=daily_cv,
    )


def erlang_c_sl(multiplier: np.ndarray) -> np.ndarray:
    """Erlang C service level of the stationary skill at volume × multiplier."""
    return np.asarray(
        queueing.evaluate(
            ERLANG_C,
            AGENTS,
            volume=VOLUME * np.asarray(multiplier, dtype=float),
            handle_time_s=HANDLE_S,
            interval_s=HOUR_S,
            answer_within_s=WITHIN_S,
        )["service_level"],
        dtype=float,
    )


def test_forecast_error_matches_the_mixture_over_the_multiplier_by_quadrature():
    """A stationary day: the simulated mean day SL and P(day meets) with forecast error
    against the mixture of the Erlang C formula over the lognormal multiplier.

    Independent computation: E[SL] = Σ w_i SL_C(m_i·a) by 48-node Gauss-Hermite quadrature
    (day_multiplier.nodes), and P(day meets) = P(M ≤ m*) with SL_C(m*·a) = 0.8 solved by
    brentq, the lognormal CDF Φ((ln m* + σ²/2)/σ). Both ignore the day's Poisson noise and
    the empty system at opening, which at 4,800 calls a day move them by far less than the
    simulation's 95 % half-width (200 simulated days)."""
    cv, days, reps = 0.1, 5, 40
    done = engine.run([stationary_skill(days, daily_cv=cv)], replications=reps, seed=11)
    daily = done.daily
    m, w = day_multiplier.nodes(cv, 48)
    mean_sl = float(np.sum(w * erlang_c_sl(m)))
    m_star = optimize.brentq(lambda x: float(erlang_c_sl(np.array([x]))[0]) - TARGET, 0.8, 1.5)
    shape = float(day_multiplier.sigma(cv))
    p_exact = float(special.ndtr((np.log(m_star) + shape**2 / 2) / shape))
    # the simulated day SL per replication is in the engine's counts; the daily table
    # gives its mean per day over replications and P(meets) per day
    sim_mean = float(daily["service_level_sim"].mean())
    sim_sd = float(np.sqrt(np.mean(daily["service_level_ci"] ** 2)))  # per-day half-width
    half_width = sim_sd / np.sqrt(days)  # the mean of 5 days' independent means
    assert abs(sim_mean - mean_sl) < half_width, (sim_mean, mean_sl, half_width)
    p_sim = float(daily["p_meets_target"].mean())
    p_half_width = 1.96 * np.sqrt(p_exact * (1 - p_exact) / (days * reps))
    assert abs(p_sim - p_exact) < p_half_width, (p_sim, p_exact, p_half_width)
    # with the volume known the skill sits at SL_C(a) = 0.88 > 0.8: nearly every day meets
    assert float(daily["p_meets_target_known_volume"].mean()) > p_sim + 0.2


def test_a_cv_of_zero_gives_the_tables_of_the_run_without_forecast_error():
    skill = stationary_skill(2, daily_cv=0.0)
    known = engine.run([replace(skill, daily_cv=0.0)], replications=4, seed=5)
    zero = engine.run([skill], replications=4, seed=5, correlation=0.5)
    for name in ("intervals", "daily", "weekly"):
        pd.testing.assert_frame_equal(getattr(zero, name), getattr(known, name), check_exact=True)
    assert (zero.daily["p_meets_target"] == zero.daily["p_meets_target_known_volume"]).all()


def test_the_forecast_error_changes_the_run_and_keeps_the_known_volume_run():
    skill = stationary_skill(2, daily_cv=0.0)
    known = engine.run([skill], replications=4, seed=5)
    drawn = engine.run([replace(skill, daily_cv=0.2)], replications=4, seed=5)
    # the known-volume probability is the run without forecast error (common random numbers)
    pd.testing.assert_series_equal(
        drawn.daily["p_meets_target_known_volume"],
        known.daily["p_meets_target"],
        check_names=False,
        check_exact=True,
    )
    assert not np.allclose(drawn.daily["arrivals_sim"], known.daily["arrivals_sim"])


def test_one_draw_of_multipliers_per_replication_for_all_skills_at_once():
    """Skills of one replication share the draw: with correlation 1 and equal CVs they get
    the same multiplier, seen as the same ratio of simulated to planned arrivals."""
    cvs = np.array([0.3, 0.3])
    factors = engine.day_multipliers(seed=2, rep=0, cvs=cvs, correlation=1.0, days=4)
    np.testing.assert_allclose(factors[:, 0], factors[:, 1], rtol=1e-15)
    again = engine.day_multipliers(seed=2, rep=0, cvs=cvs, correlation=1.0, days=4)
    np.testing.assert_array_equal(factors, again)
    other = engine.day_multipliers(seed=2, rep=1, cvs=cvs, correlation=1.0, days=4)
    assert not np.allclose(factors, other)


def test_engine_refuses_a_correlation_outside_0_1():
    with pytest.raises(ValueError, match="correlation"):
        engine.run([stationary_skill(1)], replications=2, correlation=1.5)


def test_forecast_error_draws_reproduce_in_process_and_on_two_dask_workers():
    """12 replications = 2 tasks per skill, so the two workers share a skill's draws."""
    skills = [stationary_skill(2, skill_id=3, daily_cv=0.15), stationary_skill(2, 4, 0.05)]
    options = {"replications": 12, "seed": 7, "correlation": 0.4}
    local = engine.run(skills, **options)
    two = engine.run(skills, workers=2, **options)
    for name in ("intervals", "daily", "weekly"):
        pd.testing.assert_frame_equal(getattr(two, name), getattr(local, name), check_exact=True)
    assert local.daily["p_meets_target"].ne(local.daily["p_meets_target_known_volume"]).any()
    assert two.executor.startswith("Dask LocalCluster, 2")


def test_without_the_known_volume_run_the_forecast_error_tables_are_the_same():
    skill = stationary_skill(2, daily_cv=0.2)
    both = engine.run([skill], replications=4, seed=5)
    once = engine.run([skill], replications=4, seed=5, known_volume=False)
    assert once.daily["p_meets_target_known_volume"].isna().all()
    assert once.contacts == both.contacts  # contacts counts the forecast-error run only
    pd.testing.assert_frame_equal(once.intervals, both.intervals, check_exact=True)
    pd.testing.assert_frame_equal(
        once.daily.drop(columns="p_meets_target_known_volume"),
        both.daily.drop(columns="p_meets_target_known_volume"),
        check_exact=True,
    )

"""Day scope true in simulation: the criterion, the budget and the plan adapter at their edges.

Rules protected (docstrings of :mod:`staffing.simulation.day_scope`, steps 1-4, and of
:func:`~staffing.simulation.day_scope.day_scope_skills` and
:func:`~staffing.simulation.day_scope.day_scope_agents`):

- step 1: each distinct period is simulated as if alone: after a closed, unstaffed interval,
  so it starts empty and the arrival ramp (``ramp=True``) is not drawn across the gap;
- step 2 with a confidence ``c``: the ``1 - c`` quantile of the period's service level (the
  ``c`` quantile of abandonment and ASA) from the regression ``y = a + b ln M + e`` of each
  replication's figure on its own drawn multiplier, over ``ln M ~ N(-s^2/2, s^2)``,
  ``s^2 = ln(1 + cv^2)``: the figure is normal with mean ``a - b s^2/2`` and variance
  ``b^2 s^2 + var e``, ``var e`` the residual sum of squares over ``n - 2`` (Law,
  *Simulation Modeling and Analysis*, 5th ed., 2015, section 11.3, a control variate).
  With no spread in the draws (no forecast error) the fit has no slope: ``b = 0`` and
  the figure's own mean and spread are read. A week's ``cv`` is
  ``daily_cv / sqrt(days)``, the days of the week that have volume and agents;
- the skills' draws are correlated as the run's ``correlation`` says, in the simulation and
  in the regression alike; the engine options (``ramp``, ...) reach every simulation;
- ``max_contacts`` bounds one simulation's expected contacts (at the bound a run fits);
- the plan adapter hands the plan's forecast error (CVs and correlation), the confidence,
  seed, iterations and engine options to :func:`day_scope_skills`.

Every expected statistic is recomputed here from the per-replication counts of a
simulation run by hand (``engine.run`` on the compact skill built by the rules of step 1)
and the draws of ``engine.day_multipliers``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import special

from staffing.plan import plan
from staffing.simulation import engine
from staffing.simulation.day_scope import day_scope_agents, day_scope_skills, distinct_periods
from staffing.simulation.inputs import SkillInput
from staffing.simulation.run import plan_uncertainty, skill_inputs
from tests.simulation.peaks import peaks_config, peaks_volume
from tests.simulation.test_day_scope_by_hand import by_hand, compact, figures, skill

SIGN = {"service_level": -1.0, "p_abandon": 1.0, "asa_s": 1.0}
TARGET = {"service_level": "service_level_target", "p_abandon": "max_abandon", "asa_s": "asa_s"}


def regression_quantile(x: np.ndarray, y: np.ndarray, s2: float, z: float, sign: float) -> float:
    """The linear-normal quantile of one period's figure (module docstring of this file)."""
    n = x.size
    if n > 1 and np.ptp(x) > 0:
        b, a = np.polyfit(x, y, 1)
    else:  # no spread in the draws: no slope
        b, a = 0.0, float(np.mean(y))
    var_e = np.sum((y - (a + b * x)) ** 2) / max(n - 2, 1)
    return float(a - b * s2 / 2 + sign * z * np.sqrt(b * b * s2 + var_e))


def simulated(
    skills: list[SkillInput],
    confidence: dict[int, float],
    reps: int,
    seed: int,
    correlation: float = 0.0,
    **options,
) -> list[dict[str, np.ndarray]]:
    """Steps 1-2 by hand: per skill, the criterion's statistic of each distinct period."""
    parts = []
    for s in skills:
        _, rows, representative = distinct_periods(s)
        distinct = [rows[p] for p in np.unique(representative[representative >= 0])]
        cv = s.daily_cv if s.skill_id in confidence else 0.0
        parts.append(compact(replace(s, daily_cv=cv), distinct)[0])
    done = engine.run(
        parts,
        replications=reps,
        seed=seed,
        correlation=correlation,
        known_volume=False,
        **options,
    )
    cvs = np.array([p.daily_cv for p in parts])
    days = max(len(p.dates) for p in parts)
    drawn = np.stack([engine.day_multipliers(seed, r, cvs, correlation, days) for r in range(reps)])
    out = []
    for column, part in enumerate(parts):
        values = figures(done.counts[part.skill_id][1])  # (reps, periods)
        c = confidence.get(part.skill_id)
        if c is None:
            out.append({k: np.nanmean(v, axis=0) for k, v in values.items()})
            continue
        n_periods = len(part.week_start)
        served = (part.volume > 0) & (part.agents > 0)
        stats: dict[str, np.ndarray] = {k: np.zeros(n_periods) for k in values}
        for p in range(n_periods):
            at = part.week == p
            day_volume = {
                d: part.volume[at & (part.day == d)].sum() for d in np.unique(part.day[at])
            }
            total = sum(day_volume.values())
            x = np.log(
                [sum(row[d, column] * v / total for d, v in day_volume.items()) for row in drawn]
            )
            n_days = np.unique(part.day[at & served]).size if part.scope == "week" else 1
            s2 = np.log1p((part.daily_cv / np.sqrt(n_days)) ** 2)
            for name, y in values.items():
                y = np.nan_to_num(y[:, p], nan=0.0, posinf=np.finfo(float).max)
                stats[name][p] = regression_quantile(x, y, s2, special.ndtri(c), SIGN[name])
        out.append(stats)
    return out


def edges(
    skills: list[SkillInput],
    index: int,
    figure: str,
    confidence: dict[int, float],
    reps: int,
    seed: int,
    **options,
) -> None:
    """Skill ``index`` given only the ``figure`` target (the others none), set at its worst
    distinct period's statistic computed by hand: a hair looser and no period fails, a
    hair stricter and the worst one does (one simulation each)."""
    stats = simulated(skills, confidence, reps, seed, **options)[index][figure]
    worst = float(stats.min() if figure == "service_level" else stats.max())
    hair = 1e-7 * max(abs(worst), 1.0)
    none = {"service_level_target": None, "max_abandon": None, "asa_s": None}
    for nudge, failing in ((hair, 0), (-hair, 1)):
        target = worst - nudge if figure == "service_level" else worst + nudge
        given = [
            replace(s, **{**none, TARGET[figure]: target}) if i == index else replace(s, **none)
            for i, s in enumerate(skills)
        ]
        _, report = day_scope_skills(
            given,
            confidence=confidence,
            replications=reps,
            seed=seed,
            max_iterations=1,
            **options,
        )
        assert report["failing"] == [failing], (figure, nudge, worst, report["failing"])


def test_three_replications_read_the_residual_spread_over_one_degree_of_freedom():
    """Three replications: ``var e`` is the residual sum of squares over 3 - 2 = 1."""
    s = skill("erlang_c", daily_cv=0.1)
    edges([s], 0, "service_level", {5: 0.9}, reps=3, seed=1)


def test_a_confidence_without_forecast_error_reads_the_mean_less_z_spreads():
    """No day-level CV: every draw is 1, so the statistic is the mean of the replications'
    figures less ``z`` times their spread (residuals over n - 2)."""
    s = skill("erlang_c")
    edges([s], 0, "service_level", {5: 0.9}, reps=6, seed=3)


def test_the_asa_quantile_is_the_upper_one():
    """ASA with a confidence ``c``: the ``c`` quantile (mean plus ``z`` spreads)."""
    s = skill("erlang_c", service_level=None, asa_s=30.0, daily_cv=0.15)
    edges([s], 0, "asa_s", {5: 0.85}, reps=8, seed=4)


def test_correlated_skills_are_read_against_their_correlated_draws():
    """Two skills with a forecast error and a correlation of 0.7: the second skill's draws
    depend on the first's, in the engine and in the regression."""
    first = skill("erlang_c", daily_cv=0.2)
    second = replace(skill("erlang_c", days=(1.2, 0.9), daily_cv=0.25), skill_id=6)
    edges(
        [first, second],
        1,
        "service_level",
        {5: 0.8, 6: 0.9},
        reps=10,
        seed=5,
        correlation=0.7,
    )


def test_a_ramped_arrival_rate_is_not_drawn_across_the_gap_between_periods():
    """``ramp=True`` reaches the correction's simulation, and each period starts after a
    closed interval: its first interval's rate is flat, as the period alone would have."""
    s = skill("erlang_c", days=(1.0, 1.25, 0.8))
    edges([s], 0, "service_level", {}, reps=10, seed=6, ramp=True)


def week_with_odd_days() -> SkillInput:
    """One plan week of five days under week scope: two busy days, a quiet day (every
    interval under one call and one agent), a day with calls but no agent, and a closed
    day (no calls, one agent) at the end: three days have volume and agents."""
    s = skill(
        "erlang_c",
        days=(1.0, 1.1, 0.01, 0.5, 0.0),
        scope="week",
        daily_cv=0.2,
        days_per_week=5,
    )
    agents = s.agents.copy()
    agents[s.day == 3] = 0
    return replace(s, agents=agents)


def test_a_week_counts_only_its_days_with_volume_and_agents():
    """``cv = daily_cv / sqrt(days)``: the quiet day counts, the unstaffed and the closed
    day do not (3 days)."""
    s = week_with_odd_days()
    assert np.all(s.volume[s.day == 2] < 1) and np.all(s.agents[s.day == 2] == 1)
    edges([s], 0, "service_level", {5: 0.9}, reps=12, seed=7)


def test_a_week_with_odd_days_is_corrected_by_the_documented_step():
    """The whole step (as tests/simulation/test_day_scope_by_hand.py recomputes it) on the
    week of odd days: the week's CV of three days, the volume at its quantile, an unstaffed
    interval left unstaffed (only intervals the plan staffs are re-staffed)."""
    s = week_with_odd_days()
    expected, failing, _ = by_hand(s, 0.9)
    (agents,), report = day_scope_skills(
        [s], confidence={5: 0.9}, replications=20, seed=3, max_iterations=2
    )
    assert failing == 1 and report["failing"][0] == 1
    np.testing.assert_array_equal(agents, expected)
    assert np.all(agents[s.day == 3] == 0)  # calls but no agent: left as planned


def test_days_of_one_interval_are_simulated_and_staffed():
    """A skill open one interval a day (its peak half hour): each period is that interval
    after its gap; the step is the documented one."""
    s = skill("erlang_c", days=(1.0, 1.25, 1.0, 1.25))
    at = np.flatnonzero(np.tile(np.arange(20) == 6, 4))
    one = replace(
        s,
        interval_start=s.interval_start[at],
        volume=s.volume[at],
        agents=s.agents[at] - 1,
        handle_time_s=s.handle_time_s[at],
        is_open=s.is_open[at],
        day=s.day[at],
    )
    expected, failing, _ = by_hand(one, None)
    (agents,), report = day_scope_skills([one], replications=20, seed=3, max_iterations=2)
    assert report["distinct_periods"] == 2 and report["failing"][0] == failing
    np.testing.assert_array_equal(agents, expected)


def test_a_period_short_of_its_service_level_fails_though_abandonment_is_met():
    """Every target is checked: a day below its service level fails even when its
    abandonment is well within a lax cap; the step is the documented one."""
    s = skill("erlang_a", patience_s=200.0, max_abandon=0.5)
    expected, failing, _ = by_hand(s, None)
    (agents,), report = day_scope_skills([s], replications=20, seed=3, max_iterations=2)
    assert failing > 0 and report["failing"][0] == failing
    np.testing.assert_array_equal(agents, expected)


def test_a_slow_quiet_interval_gets_more_agents_than_its_offered_load():
    """Where customers never abandon, a re-staffed interval gets at least the fewest
    agents above its offered load: half a call of two hours in a half hour is a load of
    exactly 2, so at least 3 agents (an interval under one call included)."""
    s = skill("erlang_c")
    volume, handle, agents = s.volume.copy(), s.handle_time_s.copy(), s.agents.copy()
    volume[3], handle[3], agents[3] = 0.5, 7200.0, 2  # load 0.5 x 7200 / 1800 = 2.0
    slow = replace(s, volume=volume, handle_time_s=handle, agents=agents)
    expected, failing, _ = by_hand(slow, None)
    (got,), report = day_scope_skills([slow], replications=20, seed=3, max_iterations=2)
    assert failing > 0 and report["failing"][0] == failing
    assert got[3] >= 3
    np.testing.assert_array_equal(got, expected)


def test_an_asa_just_short_is_re_staffed_to_below_the_stationary_asa():
    """ASA only, the worst day's simulated ASA a hair above the target: the re-staffing
    aims at the stationary ASA at the current agents scaled by target / simulated and less
    0.2 %, so it adds agents (scaled up instead, it would add none)."""
    s = skill("erlang_c", service_level=None, asa_s=1.0)
    worst = float(simulated([s], {}, 20, 3)[0]["asa_s"].max())
    short = replace(s, asa_s=worst * (1 - 1e-6))
    expected, failing, _ = by_hand(short, None)
    (agents,), report = day_scope_skills([short], replications=20, seed=3, max_iterations=2)
    assert failing == 1 and report["failing"][0] == 1
    np.testing.assert_array_equal(agents, expected)
    assert agents.sum() > short.agents.sum()


def one_row(total: float) -> SkillInput:
    """A day whose only calls, ``total`` of them, come in its peak half hour."""
    s = skill("erlang_c", days=(1.0,))
    volume = np.zeros(s.volume.size)
    volume[6] = total
    return replace(s, volume=volume)


def test_the_budget_of_a_skill_under_two_contacts_a_simulation():
    """``replications = max_contacts // contacts per replication`` (at least 20), the
    contacts counted as they are from one on, under one as one: 60 // 1.5 = 40,
    60 // max(0.75, 1) = 60."""
    for total, reps in ((1.5, 40), (0.75, 60)):
        report = day_scope_skills(
            [one_row(total)], replications=100, max_contacts=60, max_iterations=0
        )[1]
        assert report["replications"] == reps and report["skipped"] == {}


def test_a_budget_of_exactly_the_contacts_keeps_every_replication():
    """At the bound exactly (``contacts x replications == max_contacts``) a run fits, even
    where the float division would give one replication fewer: 1.1 x 21 rounds up."""
    total, reps = 1.1, 21
    exact = total * reps
    assert exact // total == reps - 1  # the trap this test is about
    report = day_scope_skills(
        [one_row(total)], replications=reps, max_contacts=exact, max_iterations=0
    )[1]
    assert report["replications"] == reps


def test_the_correction_skips_the_known_volume_run(monkeypatch):
    """The correction reads only the runs with the forecast error: it asks the engine not
    to simulate each skill a second time with the volume known (half its cost)."""
    calls = []
    run = engine.run

    def spy(*args, **kwargs):
        calls.append(kwargs.get("known_volume", True))
        return run(*args, **kwargs)

    monkeypatch.setattr(engine, "run", spy)
    s = skill("erlang_c", daily_cv=0.1)
    _, report = day_scope_skills([s], confidence={5: 0.9}, replications=4, max_iterations=2)
    assert calls == [False] * report["iterations"] and calls


@pytest.fixture
def uncertain_plan(tmp_path) -> object:
    unused = tmp_path / "unused.csv"
    unused.write_text("skill_id,interval_start,volume\n")
    config = peaks_config(str(unused))
    config["volume"]["uncertainty"] = {"daily_cv": 0.15, "correlation": 0.6}
    return plan(config, volume=peaks_volume(), day_scope=False)


def test_the_plan_adapter_hands_on_the_forecast_error_and_every_option(uncertain_plan):
    """``day_scope_agents`` = ``day_scope_skills`` on the plan's skills with their CVs,
    the plan's correlation, and the confidence, seed, iterations and engine options given."""
    cvs, correlation = plan_uncertainty(uncertain_plan)
    assert correlation == 0.6 and cvs == {21: 0.15, 22: 0.15}
    options = {"replications": 6, "seed": 7, "max_iterations": 2, "ramp": True}
    wanted = {21: 0.9, 22: 0.8}
    found, report = day_scope_agents(uncertain_plan, [21, 22], confidence=wanted, **options)
    skills = skill_inputs(uncertain_plan, forecast_error=True)
    assert [s.daily_cv for s in skills] == [0.15, 0.15]
    agents, direct = day_scope_skills(skills, confidence=wanted, correlation=correlation, **options)
    np.testing.assert_array_equal(found, np.concatenate(agents))
    assert report["failing"] == direct["failing"] and report["seed"] == 7
    assert report["iterations"] == 2 and not report["converged"]
    # each of them changes the answer here: without it the agents differ
    for changed in (
        {"confidence": None},
        {"correlation": 0.0},
        {"seed": 0},
        {"ramp": False},
        {"skills": [replace(s, daily_cv=0.0) for s in skills]},
    ):
        given = {"skills": skills, "confidence": wanted, "correlation": correlation, **options}
        other, _ = day_scope_skills(**{**given, **changed})
        assert not np.array_equal(np.concatenate(other), found), changed


def test_a_chat_interval_gets_more_agents_than_its_load_at_full_concurrency():
    """Chat without abandonment, up to 3 chats at once: an agent at full load handles 3
    chats per h_3, so a re-staffed interval gets more agents than volume x h_3 / 3 /
    interval (h_3 = 600 s here, not h_2 = 400 s nor 3 x h_3)."""
    s = skill("chat")
    handle = np.outer(np.ones(s.volume.size), [300.0, 400.0, 600.0])
    low = (np.floor(s.volume * 100.0 / 1800.0) + 1).astype(np.int64)  # under the load
    chat = replace(s, handle_time_s=handle, agents=low)
    expected, failing, _ = by_hand(chat, None)
    (agents,), report = day_scope_skills([chat], replications=20, seed=3, max_iterations=2)
    assert failing > 0 and report["failing"][0] == failing
    np.testing.assert_array_equal(agents, expected)
    busy = chat.volume > 30
    assert np.all(agents[busy] > chat.volume[busy] * 600.0 / 3 / 1800.0)


def voice_a_plan(tmp_path, scale_to: float | None = None, **service_level):
    """The peaks plan's Voice A alone; its distinct days' calls scaled to ``scale_to``."""
    unused = tmp_path / "unused.csv"
    unused.write_text("skill_id,interval_start,volume\n")
    config = peaks_config(str(unused), **service_level)
    config["skills"] = config["skills"][:1]
    volume = peaks_volume()
    volume = volume[volume.skill_id == 21]
    if scale_to is not None:
        volume = volume.assign(volume=volume.volume * (scale_to / distinct_calls(volume)))
    return plan(config, volume=volume, day_scope=False)


def distinct_calls(volume: pd.DataFrame) -> float:
    """Calls of the peaks week's distinct days: Monday (as Tuesday-Thursday) and Friday."""
    day = pd.DatetimeIndex(volume["interval_start"]).day_of_week
    return float(volume["volume"][(day == 0) | (day == 4)].sum())


def test_the_plan_adapter_budgets_5_000_000_contacts_by_default(tmp_path):
    """Default ``max_contacts`` 5,000,000: 62,500.005 calls a simulated week of distinct
    days is 5,000,000.4 at 80 replications, just over: 79 replications."""
    p = voice_a_plan(tmp_path, scale_to=62_500.005)
    (s,) = skill_inputs(p)
    _, rows, representative = distinct_periods(s)
    calls = sum(float(s.volume[rows[d]].sum()) for d in np.unique(representative))
    assert 5_000_000 < 80 * calls < 5_000_001
    report = day_scope_agents(p, [21], max_iterations=0)[1]
    assert report["replications"] == 79 and report["skipped"] == {}


def test_the_correction_stops_after_8_simulations_by_default(tmp_path):
    """Default ``max_iterations`` 8: a target of 0.99995 is above the highest level a
    re-staffing asks for (0.9999), so the correction cannot meet it and stops after 8
    simulations, not converged (through the plan adapter and directly)."""
    p = voice_a_plan(tmp_path, target=0.99995)
    _, report = day_scope_agents(p, [21], replications=4)
    assert report["iterations"] == 8 and report["failing"] == [1] * 8
    assert not report["converged"]
    _, report = day_scope_skills(skill_inputs(p), replications=4)
    assert report["iterations"] == 8 and not report["converged"]

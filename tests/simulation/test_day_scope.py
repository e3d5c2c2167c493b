"""Day scope true in simulation: the correction of day-scope staffing by simulation.

On the sharp-ramp config of tests/simulation/peaks.py (two voice skills, peaks at 10:00 and
15:00, 30-minute intervals, open 08:00-20:00, ``scope: day``) the analytic day staffing
misses its target in simulation: the queue of each peak carries over into the intervals
after it, which the per-interval formulas never see.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from staffing.forecast import day_multiplier
from staffing.plan import Plan, plan
from staffing.simulation import engine
from staffing.simulation.day_scope import day_scope_agents, day_scope_skills, distinct_periods
from staffing.simulation.inputs import SkillInput
from staffing.simulation.run import skill_inputs
from tests.conftest import per_module
from tests.simulation.peaks import peaks_config, peaks_volume

TARGET = 0.8
CHECK_SEED = 101  # the checks simulate on another seed than the correction (seed 0)


@pytest.fixture(scope=per_module)
def peaks_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    unused = tmp_path_factory.mktemp("peaks") / "unused.csv"
    unused.write_text("skill_id,interval_start,volume\n")
    return plan(peaks_config(str(unused)), volume=peaks_volume(), day_scope=False)


def staffed(skills: list[SkillInput], agents: list[np.ndarray]) -> list[SkillInput]:
    return [replace(s, agents=a.astype(np.int64)) for s, a in zip(skills, agents, strict=True)]


def worst_days(skills: list[SkillInput], replications: int = 20):
    """Per skill: the simulated day SL of the worst day and its 95 % half-width."""
    daily = engine.run(skills, replications=replications, seed=CHECK_SEED).daily
    worst = daily.loc[daily.groupby("skill_id")["service_level_sim"].idxmin()]
    return worst.set_index("skill_id")[["service_level_sim", "service_level_ci"]]


def test_distinct_days_are_found_and_closed_days_are_left_out(peaks_plan):
    voice = skill_inputs(peaks_plan)[0]
    codes, rows, representative = distinct_periods(voice)
    assert len(rows) == 7 and all(np.all(codes[r] == d) for d, r in enumerate(rows))
    # Monday to Thursday are the same day, Friday has 15 % more calls, the weekend is closed
    assert representative.tolist() == [0, 0, 0, 0, 4, -1, -1]


def test_the_correction_lifts_the_worst_simulated_day_to_the_target(peaks_plan):
    skills = skill_inputs(peaks_plan)
    before = worst_days(skills)
    # the analytic day staffing promises 0.80 a day; the simulated worst day falls short
    assert (before["service_level_sim"] < TARGET).all(), before
    agents, report = day_scope_skills(skills)
    assert report["converged"] and report["distinct_periods"] == 4 and report["periods"] == 14
    assert report["failing"][0] > 0 and report["failing"][-1] == 0
    for skill, new in zip(skills, agents, strict=True):
        assert np.all(new >= skill.agents)  # agents are only added
        closed = skill.volume == 0
        np.testing.assert_array_equal(new[closed], skill.agents[closed])
        days = distinct_periods(skill)[1]
        np.testing.assert_array_equal(new[days[0]], new[days[3]])  # Monday = Thursday
    after = worst_days(staffed(skills, agents))
    ok = after["service_level_sim"] >= TARGET - after["service_level_ci"]
    assert ok.all(), after
    # cheap: a few per cent more agent-hours, not a flat buffer
    added = sum(a.sum() for a in agents) / sum(s.agents.sum() for s in skills) - 1
    assert 0 < added < 0.06


def test_the_adapter_puts_the_corrected_agents_on_the_plan_rows(peaks_plan):
    by_plan, report = day_scope_agents(peaks_plan, [22], replications=20, max_iterations=3)
    voice_b = [s for s in skill_inputs(peaks_plan) if s.skill_id == 22]
    (agents,), direct = day_scope_skills(voice_b, replications=20, max_iterations=3)
    n_t = len(peaks_plan.intervals) // 2
    assert np.isnan(by_plan[:n_t]).all()  # Voice A not asked for
    np.testing.assert_array_equal(by_plan[n_t:], agents)
    assert report["failing"] == direct["failing"]


def test_the_adapter_refuses_an_interval_scope_skill(ramps_plan):
    with pytest.raises(ValueError, match="scope day or week"):
        day_scope_agents(ramps_plan, [11])


def test_with_a_confidence_the_simulated_day_meets_the_target_on_90_percent_of_days(
    tmp_path_factory,
):
    """daily_cv 0.1, confidence 0.9: start from the analytic staffing at the 0.9 quantile
    of the day multiplier (the day-scope optimiser on volume × quantile), then correct.

    The check: P(day meets target) over 5 days × 40 replications per skill on a fresh seed,
    with its binomial 95 % half-width, must reach 0.88."""
    unused = tmp_path_factory.mktemp("peaks_q") / "unused.csv"
    unused.write_text("skill_id,interval_start,volume\n")
    volume = peaks_volume()
    quantile = float(day_multiplier.quantile(0.9, 0.1))
    config = peaks_config(str(unused))
    forecast = plan(config, volume=volume, day_scope=False)
    analytic = plan(config, volume=volume.assign(volume=volume.volume * quantile), day_scope=False)
    skills = [
        replace(s, daily_cv=0.1, agents=a.agents)
        for s, a in zip(skill_inputs(forecast), skill_inputs(analytic), strict=True)
    ]
    wanted = {21: 0.9, 22: 0.9}
    agents, report = day_scope_skills(skills, confidence=wanted)
    assert report["converged"]
    after = engine.run(staffed(skills, agents), replications=40, seed=CHECK_SEED).daily
    before = engine.run(skills, replications=40, seed=CHECK_SEED).daily
    for sid in wanted:
        p_after = after.loc[after.skill_id == sid, "p_meets_target"].mean()
        p_before = before.loc[before.skill_id == sid, "p_meets_target"].mean()
        half_width = 1.96 * np.sqrt(p_after * (1 - p_after) / 200)
        assert p_after >= 0.88, (sid, p_after, half_width)
        assert p_after > p_before
        # the forecast error, not the queue, is what the confidence pays for
        p_known = after.loc[after.skill_id == sid, "p_meets_target_known_volume"].mean()
        assert p_known > p_after


def test_a_budget_lowers_the_replications_then_leaves_skills_uncorrected(peaks_plan):
    skills = skill_inputs(peaks_plan)
    # expected contacts of one replication of the distinct days of each skill
    per_rep = [
        sum(s.volume[rows].sum() for d, rows in enumerate(distinct_periods(s)[1]) if d in (0, 4))
        for s in skills
    ]
    fewer = 30 * sum(per_rep) + 1
    _, report = day_scope_skills(skills, max_contacts=fewer, max_iterations=1)
    assert report["replications"] == 30 and report["skipped"] == {}
    only_first = 20 * per_rep[0] + 1
    agents, report = day_scope_skills(skills, max_contacts=only_first, max_iterations=1)
    assert report["replications"] == 20
    assert list(report["skipped"]) == [22] and "max_contacts" in report["skipped"][22]
    np.testing.assert_array_equal(agents[1], skills[1].agents)


def test_simulation_flags_follow_the_day_scope(peaks_plan):
    """Day scope trades single intervals away: none is missed, shortfalls are information."""
    result = peaks_plan.simulate(replications=10, seed=4)
    iv = result.intervals
    assert not iv["target_missed"].any() and (iv["missed_targets"] == "").all()
    below = iv["below_interval_target"]
    assert below.str.contains("service_level").any()  # the peaks run below 80 % in 20 s
    summary = result.summary().set_index("skill_id")
    assert (summary["intervals_missed"] == 0).all()
    assert (summary["intervals_below_interval_target"] > 0).all()
    assert (summary["scope"] == "day").all()


def test_week_scope_is_corrected_per_distinct_week(tmp_path):
    """Two identical weeks under ``scope: week``: one simulated week per skill, the same
    agents in both, and each week's simulated SL at least the target less its half-width."""
    unused = tmp_path / "unused.csv"
    unused.write_text("skill_id,interval_start,volume\n")
    config = peaks_config(str(unused), scope="week")
    config["plan"]["weeks"] = 2
    volume = peaks_volume()
    later = volume.assign(interval_start=volume["interval_start"] + pd.Timedelta(weeks=1))
    skills = skill_inputs(plan(config, volume=pd.concat([volume, later], ignore_index=True)))
    agents, report = day_scope_skills(skills)
    assert report["converged"] and report["periods"] == 4 and report["distinct_periods"] == 2
    for skill, new in zip(skills, agents, strict=True):
        np.testing.assert_array_equal(new[: new.size // 2], new[new.size // 2 :])
        assert np.all(new >= skill.agents)
    weekly = engine.run(staffed(skills, agents), replications=20, seed=CHECK_SEED).weekly
    assert (weekly["service_level_sim"] >= TARGET - weekly["service_level_ci"]).all(), weekly

"""Time-stable staffing changes the answer where the stationary model is wrong, and only there.

Rule protected: the iterative staffing algorithm (Feldman, Mandelbaum, Massey & Whitt 2008,
Management Science 54(2), doi:10.1287/mnsc.1070.0821) adds agents where the load carried
over from earlier intervals makes the stationary staffing miss its target, and keeps the
stationary agents where the stationary model is right.

The instance: one Erlang C queue (patient callers, 300 s handle time, 80 % answered within
20 s), quarter hours, a baseline of 36 calls per interval with a 45-minute burst of 108 in
the middle. When the burst ends the stationary plan drops to the baseline's agents while the
burst's calls are still being served (each lasts 300 s on average): callers of the first
interval after the burst wait, and the stationary plan misses its target there by a wide
margin. In the steady baseline before the burst the stationary model is right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from staffing import skill_queue
from staffing.simulation import engine
from staffing.simulation.inputs import SkillInput
from staffing.simulation.time_stable import time_stable_skills

INTERVAL_S = 900.0
BURST = slice(12, 15)  # 03:00-03:45
AFTER = 15  # the first interval after the burst
OPTIONS = {"replications": 40, "seed": 3, "max_iterations": 6}


def _skill() -> SkillInput:
    n = 24
    volume = np.full(n, 36.0)
    volume[BURST] = 108.0
    handle = np.full(n, 300.0)
    agents = skill_queue.required_agents(
        "erlang_c",
        volume=volume,
        handle_time_s=handle,
        interval_s=INTERVAL_S,
        service_level=0.8,
        answer_within_s=20.0,
    ).astype(np.int64)
    grid = pd.date_range("2026-03-02", periods=n, freq="15min", tz="Europe/Berlin")
    return SkillInput(
        skill_id=1,
        skill_name="Voice",
        method="erlang_c",
        interval_start=grid,
        volume=volume,
        agents=agents,
        handle_time_s=handle,
        is_open=np.ones(n, dtype=bool),
        interval_s=INTERVAL_S,
        answer_within_s=20.0,
        patience_s=None,
        service_level_target=0.8,
        asa_s=None,
        max_abandon=None,
        day=np.zeros(n, dtype=np.int64),
        dates=np.array([dt.date(2026, 3, 2)]),
        week=np.zeros(n, dtype=np.int64),
        week_start=(dt.date(2026, 3, 2),),
    )


@pytest.fixture  # per test: mutation testing sees each test call the staffing it checks
def corrected():
    skill = _skill()
    (agents,), report = time_stable_skills([skill], **OPTIONS)
    return skill, agents, report


def test_the_stationary_plan_misses_right_after_the_burst():
    skill = _skill()
    sim = engine.run([skill], replications=40, seed=3).intervals
    assert sim["target_missed"].iloc[AFTER]
    assert sim["service_level_sim"].iloc[AFTER] < 0.8 - 0.1


def test_agents_are_added_after_the_burst_and_its_misses_go(corrected):
    skill, agents, report = corrected
    added = agents - skill.agents
    assert added[AFTER] >= 5
    assert added[AFTER] == added.max()  # the correction is largest where load carries over
    again = engine.run([replace(skill, agents=agents.astype(np.int64))], replications=40, seed=3)
    table = again.intervals
    assert not table["target_missed"].iloc[AFTER]
    assert table["service_level_sim"].iloc[AFTER] > 0.8 - table["service_level_ci"].iloc[AFTER]
    # the report's share of missed intervals is that of the last staffing simulated
    assert report["converged"]
    assert report["intervals_missed"] == pytest.approx(float(table["target_missed"].mean()))


def test_the_steady_baseline_keeps_its_stationary_agents(corrected):
    skill, agents, _ = corrected
    steady = slice(4, 12)  # an hour after the (empty) start until the burst
    assert np.abs(agents[steady] - skill.agents[steady]).max() <= 1
    assert np.mean(agents[steady] == skill.agents[steady]) >= 0.75

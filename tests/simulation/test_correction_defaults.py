"""The corrections by simulation run with the replications, seed and budget they document.

Rules protected (docstrings of :func:`staffing.simulation.time_stable.time_stable_skills`,
:func:`~staffing.simulation.time_stable.time_stable_agents`,
:func:`staffing.simulation.day_scope.day_scope_skills` and
:func:`~staffing.simulation.day_scope.day_scope_agents`): time-stable staffing defaults to
20 replications and seed 0; the day-scope correction to 80 replications, seed 0 and a
budget of 5,000,000 expected contacts per simulation, over which a skill is left
uncorrected with the budget named. The report says what was used; the cases here need no
simulation (no skill, or a skill over the budget), so they cost nothing.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from staffing.simulation.day_scope import day_scope_agents, day_scope_skills
from staffing.simulation.run import skill_inputs
from staffing.simulation.time_stable import time_stable_agents, time_stable_skills
from tests.simulation.test_day_scope_by_hand import skill


def test_time_stable_defaults_are_20_replications_and_seed_0(ramps_plan):
    for _, report in (time_stable_skills([]), time_stable_agents(ramps_plan, [])):
        assert (report["replications"], report["seed"]) == (20, 0)
        assert report["iterations"] == 0 and report["converged"]


def test_day_scope_defaults_are_80_replications_seed_0_and_5e6_contacts(ramps_plan):
    for _, report in (day_scope_skills([]), day_scope_agents(ramps_plan, [])):
        assert (report["replications"], report["seed"]) == (80, 0)
        assert report["iterations"] == 0 and report["skipped"] == {}
    # 250,001 contacts a day: even 20 replications are over 5,000,000; nothing simulated
    big = skill("erlang_c", days=(1.0,))
    big = replace(big, volume=big.volume * 250_001.0 / big.volume.sum())
    (agents,), report = day_scope_skills([big])
    assert report["skipped"] == {5: "not corrected by simulation: over max_contacts=5,000,000"}
    assert report["replications"] == 20 and report["contacts"] == 0
    np.testing.assert_array_equal(agents, big.agents)
    # 60,000 contacts a day: 80 replications fit the budget, and the skill is kept
    fits = replace(big, volume=big.volume * 60_000.0 / big.volume.sum())
    report = day_scope_skills([fits], max_iterations=0)[1]
    assert report["skipped"] == {} and report["replications"] == 80


def test_the_time_stable_adapter_passes_the_engine_options_on(ramps_plan):
    """Rule (``time_stable_agents``: "**options: further keyword arguments of simulate"):
    the plan adapter gives the engine the options it is given; its agents are those of
    ``time_stable_skills`` with the same options, and the options change them here."""
    options = {"replications": 4, "seed": 2, "max_iterations": 1}
    (voice_c,) = [s for s in skill_inputs(ramps_plan) if s.skill_id == 13]
    rows = slice(2 * voice_c.volume.size, 3 * voice_c.volume.size)  # skill 13, third
    agents, _ = time_stable_agents(ramps_plan, [13], ramp=True, at_close="hold", **options)
    (same,), _ = time_stable_skills([voice_c], ramp=True, at_close="hold", **options)
    (plain,), _ = time_stable_skills([voice_c], **options)
    np.testing.assert_array_equal(agents[rows], same)
    assert not np.array_equal(same, plain)

"""Day scope true in simulation: a period with no call meets its targets.

Rule protected (:func:`staffing.simulation.tables.meets`, which the simulation's tables and
``p_meets_target`` use, and the day-scope criterion of
:mod:`staffing.simulation.day_scope`, step 2): a period in which no call arrives meets
every target. With a confidence, a replication of a quiet day in which no call comes counts
as meeting the service level (not as a service level of 0); without one, a day no call
reaches in any replication has no mean to miss. Before this rule the correction failed
such days forever: it could add no agent (the stationary formulas already met the raised
target), ran every iteration, and told the planner it stopped with periods still short.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np

from staffing.simulation import engine
from staffing.simulation.day_scope import day_scope_skills
from staffing.simulation.tables import meets, period_metrics
from tests.simulation.test_day_scope_by_hand import compact, skill


def quiet_skill(scale: float, daily_cv: float = 0.0):
    """A busy day and a quiet one (``scale`` of the busy day's calls), four agents more
    than the stationary staffing everywhere: nobody waits 20 s."""
    s = skill("erlang_c", days=(1.0, scale), daily_cv=daily_cv)
    return replace(s, agents=s.agents + 4)


def per_replication(s, reps: int, seed: int, confidence: bool) -> np.ndarray:
    """Per replication and day: the day meets its target, by the simulation's own rule
    (the two days are distinct: each is its own period of the compact run)."""
    rows = [np.flatnonzero(s.day == d) for d in range(2)]
    part, _ = compact(replace(s, daily_cv=s.daily_cv if confidence else 0.0), rows)
    done = engine.run([part], replications=reps, seed=seed, known_volume=False)
    counts = done.counts[s.skill_id][1]
    return counts, meets(period_metrics(counts), part.targets)


def test_a_quiet_day_with_a_confidence_meets_when_no_call_comes():
    """About 3 calls on the quiet day: some replications see none. Every replication meets
    the target by the tables' rule, so its 0.9 quantile does too (and the busy day's, with
    four spare agents): nothing is added, the correction converges on its first
    simulation."""
    s = quiet_skill(0.005, daily_cv=0.1)
    counts, ok = per_replication(s, 40, 3, confidence=True)
    assert (counts[:, 1, 0] == 0).any() and (counts[:, 1, 0] > 0).any()  # some see none
    assert ok[:, 1].all()  # the quiet day meets in every replication
    (agents,), report = day_scope_skills([s], confidence={5: 0.9}, replications=40, seed=3)
    assert report["failing"] == [0] and report["converged"]
    np.testing.assert_array_equal(agents, s.agents)


def test_a_day_no_call_reaches_has_no_mean_to_miss():
    """Without a confidence, a day with a millionth of a call in it sees no call in any of
    20 replications: its service level has no mean, and it meets its target, quietly."""
    s = quiet_skill(1e-6)
    counts, ok = per_replication(s, 20, 3, confidence=False)
    assert (counts[:, 1, 0] == 0).all() and ok.all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "mean of empty slice" for the planner
        (agents,), report = day_scope_skills([s], replications=20, seed=3)
    assert report["failing"] == [0] and report["converged"]
    np.testing.assert_array_equal(agents, s.agents)


def test_a_quiet_days_abandonment_and_asa_with_a_confidence_meet_when_no_call_comes():
    """The same quiet day staffed for Erlang A (patience 120 s) with an abandonment and an
    ASA target as well: a replication without a call abandons nobody and makes nobody
    wait (``meets``), so, as for the service level, nothing is added. Counting such a
    replication as all abandoned would fail the day's 5 % cap."""
    s = skill(
        "erlang_a", days=(1.0, 0.005), daily_cv=0.1, patience_s=120.0, max_abandon=0.05, asa_s=0.5
    )
    s = replace(s, agents=s.agents + 8)  # nobody waits, even on the busy day
    counts, ok = per_replication(s, 40, 3, confidence=True)
    assert (counts[:, 1, 0] == 0).any() and ok[:, 1].all()
    (agents,), report = day_scope_skills([s], confidence={5: 0.9}, replications=40, seed=3)
    assert report["failing"] == [0] and report["converged"]
    np.testing.assert_array_equal(agents, s.agents)

"""Time-stable staffing: the iterative staffing algorithm's iterations recomputed by hand.

Rule protected: :mod:`staffing.simulation.time_stable` (its docstring; Feldman, Mandelbaum,
Massey & Whitt 2008, Management Science 54(2), 324-338): each iteration simulates the
current staffing on one seed, finds for every staffed interval the effective load factor
phi at which the stationary model with the current agents gives the simulated figure
(service level, else ASA, else abandonment; phi searched in [1/16, 16]), staffs the
interval for phi times its volume and every target of the skill (and the occupancy cap on
the real volume, and the fewest agents), and repeats; from half the iteration cap on,
agents may only be added. The report counts the intervals changed in each iteration and
the share of staffed intervals the last simulation found missing a target.

The test finds phi with an independent root finder (``scipy.optimize.brentq``) instead of
the module's bisection, and staffs with :func:`staffing.skill_queue.required_agents`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from staffing import skill_queue
from staffing.simulation import engine
from staffing.simulation.inputs import SkillInput
from staffing.simulation.time_stable import time_stable_skills

REPS = 8
SEED = 4
N_T = 24  # half hours from 08:00
VOLUME = 20.0 + 70.0 * np.exp(-0.5 * ((np.arange(N_T) - 6) / 1.5) ** 2)  # a peak at 11:00


def skill(method: str = "erlang_c", skill_id: int = 6, **changes) -> SkillInput:
    load = VOLUME * 300.0 / 1800.0
    start = pd.Timestamp("2026-03-02 08:00", tz="Europe/Berlin")
    base = SkillInput(
        skill_id=skill_id,
        skill_name="Peak",
        method=method,
        interval_start=pd.date_range(start, periods=N_T, freq="30min"),
        volume=VOLUME.copy(),
        agents=(np.floor(load) + 2).astype(np.int64),
        handle_time_s=np.full(N_T, 300.0),
        is_open=np.ones(N_T, dtype=bool),
        interval_s=1800.0,
        answer_within_s=20.0,
        patience_s=None,
        service_level_target=0.8,
        asa_s=None,
        max_abandon=None,
        day=np.zeros(N_T, dtype=np.int64),
        dates=np.array([dt.date(2026, 3, 2)]),
        week=np.zeros(N_T, dtype=np.int64),
        week_start=(dt.date(2026, 3, 2),),
    )
    return replace(base, **changes)


def metric_of(s: SkillInput) -> str | None:
    if s.service_level_target is not None:
        return "service_level"
    if s.asa_s is not None:
        return "asa_s"
    if s.max_abandon is not None and s.method != "erlang_c":
        return "p_abandon"
    return None


def factor(s: SkillInput, row: int, agents: float, observed: float, metric: str) -> float:
    """phi with metric(agents, phi * volume) = observed, clipped to [1/16, 16]."""
    patience = np.inf if s.patience_s is None else s.patience_s

    def gap(log_phi: float) -> float:
        value = skill_queue.evaluate(
            s.method,
            [agents],
            volume=s.volume[row] * np.exp(log_phi),
            handle_time_s=s.handle_time_s[row],
            interval_s=s.interval_s,
            answer_within_s=s.answer_within_s,
            patience_s=patience,
        )[metric][0]
        return value - observed

    lo, hi = np.log(1 / 16), np.log(16.0)
    # "better": the model at that load still does better than observed (a higher service
    # level, a lower ASA or abandonment); out of the range, the search ends at an end
    worse_up = metric != "service_level"
    better_at = [(gap(x) < 0) if worse_up else (gap(x) > 0) for x in (lo, hi)]
    if not better_at[0]:
        return float(np.exp(lo))
    if better_at[1]:
        return float(np.exp(hi))
    return float(np.exp(optimize.brentq(gap, lo, hi, xtol=1e-13)))


def iteration(s: SkillInput, only_up: bool) -> tuple[np.ndarray, float]:
    """One iteration: the next agents, and the share of staffed intervals missed."""
    sim = engine.run([s], replications=REPS, seed=SEED).intervals
    staffed = (s.agents > 0) & (s.volume > 0)
    missed = float(sim["target_missed"][staffed].mean())
    metric = metric_of(s)
    new = s.agents.astype(float)
    patience = np.inf if s.patience_s is None else s.patience_s
    if metric is not None:
        observed = sim[f"{metric}_sim"].to_numpy()
        for row in np.flatnonzero(staffed & np.isfinite(observed)):
            phi = factor(s, row, float(s.agents[row]), observed[row], metric)
            want = skill_queue.required_agents(
                s.method,
                volume=s.volume[row] * phi,
                handle_time_s=s.handle_time_s[row],
                interval_s=s.interval_s,
                service_level=s.service_level_target,
                answer_within_s=s.answer_within_s,
                asa_s=s.asa_s,
                max_abandon=s.max_abandon,
                patience_s=patience,
            )
            if s.max_occupancy is not None:  # on the real volume
                want = max(
                    want,
                    skill_queue.required_agents(
                        s.method,
                        volume=s.volume[row],
                        handle_time_s=s.handle_time_s[row],
                        interval_s=s.interval_s,
                        max_occupancy=s.max_occupancy,
                        patience_s=patience,
                    ),
                )
            new[row] = max(float(want), s.min_agents)
    if only_up:
        new = np.maximum(new, s.agents)
    return new, missed


CASES = {
    "service level": skill(),
    "ASA, an occupancy cap and a floor": skill(
        service_level_target=None, asa_s=15.0, max_occupancy=0.7, min_agents=9
    ),
    "Erlang A with an occupancy cap on its carried load": skill(
        "erlang_a", patience_s=60.0, max_occupancy=0.6
    ),
    "abandonment of an Erlang A": skill(
        "erlang_a", service_level_target=None, patience_s=90.0, max_abandon=0.04
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_two_iterations_are_the_documented_algorithm(name):
    s = CASES[name]
    current, changed, missed = s, [], 0.0
    for it in (1, 2):  # cap 2: the first may remove agents, the second only adds
        new, missed = iteration(current, only_up=it > 1)
        changed.append(int(np.sum(new != current.agents)))
        if changed[-1] == 0:
            break
        current = replace(current, agents=new.astype(np.int64))
    (agents,), report = time_stable_skills([s], replications=REPS, seed=SEED, max_iterations=2)
    assert changed[0] > 0
    np.testing.assert_array_equal(agents, current.agents)
    assert report["changed"] == changed
    assert report["iterations"] == len(changed)
    assert report["converged"] == (changed[-1] == 0)
    assert report["intervals_missed"] == pytest.approx(missed)
    assert (report["replications"], report["seed"]) == (REPS, SEED)


def test_the_first_half_of_the_iterations_may_remove_agents():
    generous = skill(agents=(np.floor(VOLUME * 300.0 / 1800.0) + 9).astype(np.int64))
    (agents,), report = time_stable_skills(
        [generous], replications=REPS, seed=SEED, max_iterations=2
    )
    # iteration 1 of 2 may remove agents: the generous staffing is cut back
    assert report["changed"][0] > 0
    assert (agents < generous.agents).any()
    (kept,), _ = time_stable_skills([generous], replications=REPS, seed=SEED, max_iterations=1)
    assert np.all(kept >= generous.agents)  # a cap of 1: from the first iteration on, only up


def test_a_skill_without_a_target_and_no_skill_keep_their_agents():
    bare = skill("erlang_c", service_level_target=None, max_abandon=0.05)  # ignored for C
    (agents,), report = time_stable_skills([bare], replications=REPS, seed=SEED)
    np.testing.assert_array_equal(agents, bare.agents)
    assert report["iterations"] == 1 and report["converged"] and report["changed"] == [0]
    nothing, empty = time_stable_skills([], replications=3, seed=2)
    assert nothing == []
    assert empty == {
        "iterations": 0,
        "converged": True,
        "changed": [],
        "intervals_missed": pytest.approx(float("nan"), nan_ok=True),
        "replications": 3,
        "seed": 2,
    }


def test_two_skills_are_read_from_their_own_rows():
    first, second = skill(skill_id=6), skill(skill_id=8, agents=skill().agents + 3)
    (a, b), _ = time_stable_skills([first, second], replications=REPS, seed=SEED, max_iterations=1)
    (a_alone,), _ = time_stable_skills([first], replications=REPS, seed=SEED, max_iterations=1)
    (b_alone,), _ = time_stable_skills([second], replications=REPS, seed=SEED, max_iterations=1)
    np.testing.assert_array_equal(a, a_alone)
    np.testing.assert_array_equal(b, b_alone)


def test_the_share_missed_counts_staffed_intervals_with_volume_only():
    """The report's ``intervals_missed``: the share of staffed intervals with volume the
    last simulation flags (an interval staffed without volume is not in the share)."""
    volume = VOLUME.copy()
    volume[-4:] = 0.0  # staffed, no volume
    short = skill(volume=volume, agents=(np.floor(VOLUME * 300.0 / 1800.0)).astype(np.int64))
    _, report = time_stable_skills([short], replications=REPS, seed=SEED, max_iterations=1)
    table = engine.run([short], replications=REPS, seed=SEED).intervals
    counted = (short.agents > 0) & (short.volume > 0)
    assert counted.sum() == N_T - 4 and table["target_missed"].any()
    assert report["intervals_missed"] == pytest.approx(table["target_missed"][counted].mean())

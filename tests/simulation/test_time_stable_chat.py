"""Time-stable staffing of a chat skill without patience, and the plan adapter's budget.

Rules protected: a skill's ``patience_s`` of None means infinitely patient contacts
(:class:`staffing.simulation.inputs.SkillInput`), so time-stable staffing
(:mod:`staffing.simulation.time_stable`, Feldman, Mandelbaum, Massey & Whitt 2008) of a
chat skill without patience is the staffing of the same skill with an infinite patience,
and it re-staffs the peak's intervals; :func:`staffing.simulation.time_stable.time_stable_agents`
runs at most 8 simulations unless told (its docstring: ``max_iterations``, default 8).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from staffing.simulation import time_stable
from staffing.simulation.time_stable import time_stable_agents, time_stable_skills
from tests.simulation.test_time_stable_by_hand import (
    N_T,
    REPS,
    SEED,
    VOLUME,
    iteration,
    skill,
)

#: Two conversations per agent: each takes 300 s alone, 420 s beside another.
CHAT_HANDLE_S = np.tile([300.0, 420.0], (N_T, 1))


def chat(patience_s: float | None):
    """The by-hand file's peak as a chat skill of two slots, staffed below its load."""
    agents = (np.floor(VOLUME * 360.0 / 1800.0 / 2) + 1).astype(np.int64)
    return skill("chat", handle_time_s=CHAT_HANDLE_S, agents=agents, patience_s=patience_s)


def test_a_chat_skill_without_patience_is_staffed_as_an_infinitely_patient_one():
    """Rule: patience None is an infinite patience, also where the iteration reads the
    simulated service level through the chat model (the effective load search): the
    staffing equals the one with ``patience_s=inf``, and the iteration changed agents."""
    kwargs = {"replications": REPS, "seed": SEED, "max_iterations": 2}
    (none,), report = time_stable_skills([chat(None)], **kwargs)
    (inf,), report_inf = time_stable_skills([chat(np.inf)], **kwargs)
    np.testing.assert_array_equal(none, inf)
    assert report == report_inf
    assert report["changed"][0] > 0  # the first iteration re-staffed some interval
    assert not np.array_equal(none, chat(None).agents)


def test_the_plan_adapter_runs_at_most_8_simulations_by_default(ramps_plan, monkeypatch):
    """Rule (``time_stable_agents`` docstring): ``max_iterations`` defaults to 8, handed
    to the iteration as given (recorded here: no simulation is run)."""
    seen = []

    def record(skills, **kwargs):
        seen.append(kwargs)
        return [], {"iterations": 0}

    monkeypatch.setattr(time_stable, "time_stable_skills", record)
    time_stable_agents(ramps_plan, [])
    time_stable_agents(ramps_plan, [], max_iterations=3)
    assert [k["max_iterations"] for k in seen] == [8, 3]


def test_only_staffed_intervals_with_volume_are_restaffed_and_counted():
    """Rule (module docstring, report): the iteration re-staffs and counts as missed only
    *staffed intervals with volume* (agents > 0 and volume > 0; any volume, a fraction of
    a contact too; one agent is staffed): an interval with volume but no agent keeps its 0,
    one with agents but no volume keeps them. Expected from the by-hand iterations (the
    first may remove agents, the second only adds)."""
    base = skill()
    agents, volume = base.agents.copy(), base.volume.copy()
    volume[0], agents[0] = 0.0, 0  # closed
    volume[1], agents[1] = 0.5, 4  # half a contact, more agents than it needs
    volume[2], agents[2] = 12.0, 0  # volume, nobody planned
    volume[3], agents[3] = 0.0, 3  # agents, no volume
    agents[4] = 1  # one agent for the interval's volume
    odd = replace(base, volume=volume, agents=agents)
    current, missed = odd, 0.0
    for it in (1, 2):
        new, missed = iteration(current, only_up=it > 1)
        if np.array_equal(new, current.agents):
            break
        current = replace(current, agents=new.astype(np.int64))
    (got,), report = time_stable_skills([odd], replications=REPS, seed=SEED, max_iterations=2)
    np.testing.assert_array_equal(got, current.agents)
    assert got[[0, 2, 3]].tolist() == [0.0, 0.0, 3.0]
    assert got[1] < 4 and got[4] > 1  # both were re-staffed
    assert report["intervals_missed"] == pytest.approx(missed)
    assert 0.0 < missed < 1.0

"""Time-stable staffing of a chat skill without patience, and the plan adapter's budget.

Rules protected: a skill's ``patience_s`` of None means infinitely patient contacts
(:class:`staffing.simulation.inputs.SkillInput`), so time-stable staffing
(:mod:`staffing.simulation.time_stable`, Feldman, Mandelbaum, Massey & Whitt 2008) of a
chat skill without patience is the staffing of the same skill with an infinite patience,
and it re-staffs the peak's intervals; :func:`staffing.simulation.time_stable.time_stable_agents`
runs at most 8 simulations unless told (its docstring: ``max_iterations``, default 8).
"""

from __future__ import annotations

import numpy as np

from staffing.simulation import time_stable
from staffing.simulation.time_stable import time_stable_agents, time_stable_skills
from tests.simulation.test_time_stable_by_hand import N_T, REPS, SEED, VOLUME, skill

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

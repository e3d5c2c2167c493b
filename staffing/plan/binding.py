"""What set each interval's agents: the ``binding`` column of ``Plan.intervals``.

An interval's agents are the largest of what each of its rules requires on its own (each
target is monotone in the agents, so the fewest agents meeting them all is the largest of
the fewest meeting each). :func:`interval_binding` asks the engine for each target alone
over the same distinct inputs and names the one whose requirement equals the agents; ties go
to the first in :data:`staffing.vocabulary.BINDINGS` (targets before guard rails).
"""

from __future__ import annotations

import numpy as np

from staffing import skill_queue
from staffing.plan.rows import SkillRows
from staffing.vocabulary import (
    BINDING_ABANDON,
    BINDING_ASA,
    BINDING_CLOSED,
    BINDING_DAY,
    BINDING_LOAD,
    BINDING_MIN_AGENTS,
    BINDING_NO_VOLUME,
    BINDING_OCCUPANCY,
    BINDING_SERVICE_LEVEL,
    BINDING_TIME_STABLE,
    BINDING_WEEK,
    ERLANG_C,
    WORKLOAD,
)

__all__ = ["final_binding", "first_equal", "interval_binding", "period_binding"]

#: Targets in their tie order, with the SkillRows field and the engine's keyword.
_TARGETS = (
    (BINDING_SERVICE_LEVEL, "service_level"),
    (BINDING_ASA, "asa_s"),
    (BINDING_ABANDON, "max_abandon"),
    (BINDING_OCCUPANCY, "max_occupancy"),
)


def first_equal(agents: np.ndarray, needs: dict[str, np.ndarray], fallback: str) -> np.ndarray:
    """The first name (in ``needs``' order) whose requirement equals ``agents``, per row.

    Parameters
    ----------
    agents : ndarray
        The agents per row [-].
    needs : dict of str to ndarray
        Name -> agents that rule alone requires per row (NaN where it does not apply) [-].
    fallback : str
        The name of rows no requirement equals.

    Returns
    -------
    ndarray of object
        One name per row.
    """
    out = np.full(agents.size, fallback, dtype=object)
    decided = np.zeros(agents.size, dtype=bool)
    for name, need in needs.items():
        hit = ~decided & (need == agents)
        out[hit] = name
        decided |= hit
    return out


def interval_binding(
    name: str,
    agents: np.ndarray,
    *,
    volume: np.ndarray,
    handle_time_s: np.ndarray,
    interval_s: float,
    rows: SkillRows,
    idx: np.ndarray,
) -> np.ndarray:
    """Which target set the agents of interval-scope rows of one method.

    Parameters
    ----------
    name : str
        The rows' method.
    agents : ndarray
        Their required agents, every target together [-].
    volume : ndarray
        Their volume [-].
    handle_time_s : ndarray
        Their handle times [s] (shape (rows, k) for chat).
    interval_s : float
        Interval length [s].
    rows : SkillRows
        Every row's settings.
    idx : ndarray
        The rows' indices into ``rows``.

    Returns
    -------
    ndarray of object
        A :data:`staffing.vocabulary.BINDINGS` name per row: the first target (service
        level, ASA, abandonment, occupancy cap) whose requirement alone equals ``agents``;
        a ``workload`` row's is the occupancy cap, or the offered load without one.
    """
    if name == WORKLOAD:
        capped = np.isfinite(rows.max_occupancy[idx]) & (rows.max_occupancy[idx] < 1.0)
        return np.where(capped, BINDING_OCCUPANCY, BINDING_LOAD).astype(object)
    needs: dict[str, np.ndarray] = {}
    for label, key in _TARGETS:
        values = getattr(rows, key)[idx]
        if (key == "max_abandon" and name == ERLANG_C) or np.isnan(values).all():
            continue
        alone = skill_queue.required_agents(
            name,
            volume=volume,
            handle_time_s=handle_time_s,
            interval_s=interval_s,
            answer_within_s=rows.answer_within_s[idx],
            patience_s=rows.patience_s[idx],
            **{key: values},
        )
        needs[label] = np.where(np.isnan(values), np.nan, alone)
    return first_equal(agents, needs, BINDING_SERVICE_LEVEL)


def period_binding(
    agents: np.ndarray,
    floors: dict[str, np.ndarray],
    scope: np.ndarray,
) -> np.ndarray:
    """Which rule set the agents of day- and week-scope rows.

    Parameters
    ----------
    agents : ndarray
        The period staffing's agents [-].
    floors : dict of str to ndarray
        The floors by name in tie order (interval floor, occupancy cap, minimum agents), NaN
        where one does not apply [-].
    scope : ndarray
        ``day`` or ``week`` per row.

    Returns
    -------
    ndarray of object
        The first floor equal to the agents, else ``day scope`` / ``week scope``.
    """
    above = np.where(scope == "day", BINDING_DAY, BINDING_WEEK).astype(object)
    named = first_equal(agents, floors, "")
    return np.where(named == "", above, named).astype(object)


def final_binding(
    binding: np.ndarray,
    agents: np.ndarray,
    computed: np.ndarray,
    *,
    min_agents: np.ndarray,
    is_open: np.ndarray,
    served: np.ndarray,
    fixed: np.ndarray | None,
) -> np.ndarray:
    """The binding after time-stable staffing, the ``min_agents`` floor and closures.

    Parameters
    ----------
    binding : ndarray of object
        What set the computed agents, per row.
    agents : ndarray
        The final agents [-].
    computed : ndarray
        The agents before the ``min_agents`` floor [-].
    min_agents : ndarray
        The floor per row [-].
    is_open, served : ndarray of bool
        Open rows; open rows with volume.
    fixed : ndarray, optional
        Time-stable agents (NaN where not fixed) [-].

    Returns
    -------
    ndarray of object
        ``closed`` where closed, ``no volume`` where open without volume, ``minimum agents``
        where the floor raised the agents, ``time-stable simulation`` where simulation set
        them, else ``binding``.
    """
    out = binding.copy()
    if fixed is not None:
        out[~np.isnan(fixed)] = BINDING_TIME_STABLE
    out[served & (min_agents == agents) & (min_agents > computed)] = BINDING_MIN_AGENTS
    out[is_open & ~served] = BINDING_NO_VOLUME
    out[~is_open] = BINDING_CLOSED
    return out

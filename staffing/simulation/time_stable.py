"""Time-stable staffing: re-staff every interval until its simulated performance meets it.

The stationary plan staffs each interval as if it were in steady state on its own. After
a peak, or when the staffing drops, the backlog carries over and the next intervals miss
their targets. The iterative staffing algorithm (ISA) of Feldman, Mandelbaum, Massey &
Whitt (2008) fixes this by simulation: simulate the system with the current staffing, set
each interval's agents to the fewest whose simulated performance meets the interval's
target, and repeat until the staffing stops changing.

One simulation only shows the performance of the staffing simulated, so each iteration
reads it through the analytic model: for every interval it finds the *effective load*
a_eff (the volume scaled by a factor φ) at which the stationary model with the current
agents gives the simulated figure (service level, else ASA, else abandonment), then staffs
the interval with :func:`staffing.queueing.required_agents` for a_eff and every target of
the skill. Where the stationary model is right, φ = 1 and the staffing is unchanged; where
backlog carries in, φ > 1 and agents are added. Iterations use common random numbers (the
same seed), and from half the iteration cap on the staffing may only grow, so the
iteration ends. The report gives the iterations, whether it converged and the share of
staffed intervals the last simulation found missing a target with 95 % confidence.

Reference: Feldman, Z., Mandelbaum, A., Massey, W. A., Whitt, W. (2008). Staffing of
time-varying queues to achieve time-stable performance. Management Science 54(2),
324-338. doi:10.1287/mnsc.1070.0821
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from staffing import skill_queue
from staffing.simulation import engine
from staffing.simulation.inputs import SkillInput
from staffing.simulation.run import PlanLike, skill_inputs
from staffing.vocabulary import ERLANG_C

__all__ = ["time_stable_agents", "time_stable_skills"]

_FACTORS = (1 / 16, 16.0)  # range of the effective-load factor φ searched
_BISECTIONS = 40


def _metric(skill: SkillInput) -> str | None:
    """The simulated figure the effective load is matched to."""
    if skill.service_level_target is not None:
        return "service_level"
    if skill.asa_s is not None:
        return "asa_s"
    if skill.max_abandon is not None and skill.method != ERLANG_C:
        return "p_abandon"
    return None


def _effective_factor(
    skill: SkillInput,
    agents: np.ndarray,
    volume: np.ndarray,
    h: np.ndarray,
    interval_s: float,
    observed: np.ndarray,
    metric: str,
) -> np.ndarray:
    """φ per row with metric(agents, φ·volume) = observed (bisection on log φ)."""
    patience = np.inf if skill.patience_s is None else skill.patience_s
    lo = np.full(agents.size, np.log(_FACTORS[0]))
    hi = np.full(agents.size, np.log(_FACTORS[1]))
    worse_up = metric != "service_level"  # ASA and abandonment grow with the load
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2
        value = skill_queue.evaluate(
            skill.method,
            agents,
            volume=volume * np.exp(mid),
            handle_time_s=h,
            interval_s=interval_s,
            answer_within_s=skill.answer_within_s,
            patience_s=patience,
        )[metric]
        # the load at mid is too small while the model is still better than observed
        better = value < observed if worse_up else value > observed
        lo = np.where(better, mid, lo)
        hi = np.where(better, hi, mid)
    return np.exp((lo + hi) / 2)


def _wanted(skill: SkillInput, rows: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Agents for the effective load of the given rows, and the occupancy cap's floor."""
    volume, h = skill.volume[rows], skill.handle_time_s[rows]
    patience = np.inf if skill.patience_s is None else skill.patience_s
    wanted = skill_queue.required_agents(
        skill.method,
        volume=volume * factor,
        handle_time_s=h,
        interval_s=skill.interval_s,
        service_level=skill.service_level_target,
        answer_within_s=skill.answer_within_s,
        asa_s=skill.asa_s,
        max_abandon=skill.max_abandon,
        patience_s=patience,
    )
    if skill.max_occupancy is not None:  # the cap is on the real load
        wanted = np.maximum(
            wanted,
            skill_queue.required_agents(
                skill.method,
                volume=volume,
                handle_time_s=h,
                interval_s=skill.interval_s,
                max_occupancy=skill.max_occupancy,
                patience_s=patience,
            ),
        )
    return np.asarray(wanted, dtype=float)


def _restaff(skill: SkillInput, sim: Any) -> np.ndarray:
    """Next agents of one skill from its simulated intervals (``sim``, its table rows)."""
    agents = skill.agents.astype(float)
    volume = skill.volume.astype(float)
    metric = _metric(skill)
    if metric is None:
        return agents
    staffed = (agents > 0) & (volume > 0)
    observed = sim[f"{metric}_sim"].to_numpy(dtype=float)
    rows = np.flatnonzero(staffed & np.isfinite(observed))
    if not rows.size:
        return agents
    h = skill.handle_time_s[rows]
    factor = _effective_factor(
        skill, agents[rows], volume[rows], h, skill.interval_s, observed[rows], metric
    )
    wanted = _wanted(skill, rows, factor)
    out = agents.copy()
    out[rows] = np.maximum(np.where(np.isfinite(wanted), wanted, agents[rows]), skill.min_agents)
    return out


def time_stable_skills(
    skills: Sequence[SkillInput],
    *,
    replications: int = 20,
    seed: int = 0,
    max_iterations: int = 8,
    **options: Any,
) -> tuple[list[np.ndarray], dict[str, Any]]:
    """Agents per interval of queueing skills by the iterative staffing algorithm, from arrays.

    Parameters
    ----------
    skills : sequence of SkillInput
        The skills to staff time-stably; their ``agents`` are the first iterate.
    replications : int, default 20
        Replications of each simulation [-].
    seed : int, default 0
        Seed of every iteration's simulation (common random numbers).
    max_iterations : int, default 8
        Most simulations [-]; from half of them on, agents may only be added.
    **options
        Further keyword arguments of :func:`staffing.simulation.engine.run` (``ramp``,
        ``routing``, ``workers``, ``client``, ...).

    Returns
    -------
    agents : list of numpy.ndarray
        The new agents per interval of each skill [-].
    report : dict
        As for :func:`time_stable_agents`.
    """
    report: dict[str, Any] = {
        "iterations": 0,
        "converged": not skills,  # nothing to staff: done
        "changed": [],
        "intervals_missed": float("nan"),
        "replications": int(replications),
        "seed": int(seed),
    }
    current = list(skills)
    if not current:
        return [], report
    for iteration in range(1, max_iterations + 1):
        sim = engine.run(current, replications=replications, seed=seed, **options).intervals
        staffed = np.concatenate([(s.agents > 0) & (s.volume > 0) for s in current])
        report["intervals_missed"] = float(sim["target_missed"][staffed].mean())
        ends = np.cumsum([0] + [s.volume.size for s in current])
        new = [_restaff(skill, sim.iloc[ends[j] : ends[j + 1]]) for j, skill in enumerate(current)]
        if iteration > max_iterations // 2:
            new = [np.maximum(n, s.agents.astype(float)) for n, s in zip(new, current, strict=True)]
        changed = int(
            sum(np.sum(n != s.agents.astype(float)) for n, s in zip(new, current, strict=True))
        )
        report["iterations"] = iteration
        report["changed"].append(changed)
        if changed == 0:
            report["converged"] = True
            break
        current = [replace(s, agents=n.astype(np.int64)) for s, n in zip(current, new, strict=True)]
    return [s.agents.astype(float) for s in current], report


def time_stable_agents(
    plan: PlanLike,
    skill_ids: list[int],
    *,
    replications: int = 20,
    seed: int = 0,
    max_iterations: int = 8,
    **options: Any,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Agents per interval of the given skills of a plan by the iterative staffing algorithm.

    A thin adapter: the plan's skills as :class:`~staffing.simulation.engine.SkillInput`
    (:func:`staffing.simulation.run.skill_inputs`) through :func:`time_stable_skills`.

    Parameters
    ----------
    plan : PlanLike
        A stationary plan (:class:`staffing.plan.Plan`) (its agents are the first iterate).
    skill_ids : list of int
        The queueing skills to staff time-stably (others keep their agents).
    replications : int, default 20
        Replications of each simulation [-].
    seed : int, default 0
        Seed of every iteration's simulation (common random numbers).
    max_iterations : int, default 8
        Most simulations [-]; from half of them on, agents may only be added.
    **options
        Further keyword arguments of :func:`staffing.simulation.simulate` (``ramp``,
        ``routing``, ``workers``, ``client``, ...).

    Returns
    -------
    agents : ndarray
        Per row of ``plan.intervals``: the new agents of the given skills, NaN elsewhere.
    report : dict
        ``iterations`` [-], ``converged`` (bool), ``changed`` (intervals changed in each
        iteration), ``intervals_missed`` (share of staffed intervals of those skills the
        last simulation found missing a target with 95 % confidence [-]), ``replications``,
        ``seed``.
    """
    skills = plan.config.resolved_skills
    n_t = len(plan.intervals) // len(skills)
    wanted = set(skill_ids)
    chosen = [s for s in skill_inputs(plan) if s.skill_id in wanted]
    agents, report = time_stable_skills(
        chosen, replications=replications, seed=seed, max_iterations=max_iterations, **options
    )
    result = np.full(len(plan.intervals), np.nan)
    position = {s.skill_id: i for i, s in enumerate(skills)}
    for skill, new in zip(chosen, agents, strict=True):
        i = position[skill.skill_id]
        result[i * n_t : (i + 1) * n_t] = new
    return result, report

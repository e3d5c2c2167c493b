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

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from staffing import queueing
from staffing.simulation.run import simulate

if TYPE_CHECKING:  # pragma: no cover
    from staffing.plan import Plan

__all__ = ["time_stable_agents"]

_FACTORS = (1 / 16, 16.0)  # range of the effective-load factor φ searched
_BISECTIONS = 40


def _handle_times(skill: Any, nht: np.ndarray) -> np.ndarray:
    if skill.method != "chat":
        return nht
    k = int(skill.max_concurrency)
    if skill.handle_time_by_load_s is not None:
        return np.tile(np.asarray(skill.handle_time_by_load_s, dtype=float), (nht.size, 1))
    return nht[:, None] * np.arange(1, k + 1, dtype=float)


def _metric(skill: Any) -> str | None:
    """The simulated figure the effective load is matched to."""
    if skill.service_level_target is not None:
        return "service_level"
    if skill.asa_s is not None:
        return "asa_s"
    if skill.max_abandon is not None and skill.method != "erlang_c":
        return "p_abandon"
    return None


def _effective_factor(
    skill: Any,
    agents: np.ndarray,
    volume: np.ndarray,
    h: np.ndarray,
    interval_s: float,
    observed: np.ndarray,
    metric: str,
) -> np.ndarray:
    """φ per row with metric(agents, φ·volume) = observed (bisection on log φ)."""
    patience = (
        {}
        if skill.method == "erlang_c"
        else {"patience_s": np.inf if skill.patience_s is None else skill.patience_s}
    )
    lo = np.full(agents.size, np.log(_FACTORS[0]))
    hi = np.full(agents.size, np.log(_FACTORS[1]))
    worse_up = metric != "service_level"  # ASA and abandonment grow with the load
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2
        value = np.asarray(
            queueing.evaluate(
                skill.method,
                agents,
                volume=volume * np.exp(mid),
                handle_time_s=h,
                interval_s=interval_s,
                answer_within_s=skill.answer_within_s,
                **patience,
            )[metric],
            dtype=float,
        )
        # the load at mid is too small while the model is still better than observed
        better = value < observed if worse_up else value > observed
        lo = np.where(better, mid, lo)
        hi = np.where(better, hi, mid)
    return np.exp((lo + hi) / 2)


def _restaff(skill: Any, part: Any, sim: Any, interval_s: float) -> np.ndarray:
    """Next agents of one skill from its simulated intervals (rows of ``part``)."""
    agents = part["agents"].to_numpy(dtype=float)
    volume = part["volume"].to_numpy(dtype=float)
    metric = _metric(skill)
    staffed = (agents > 0) & (volume > 0)
    observed = sim[f"{metric}_sim"].to_numpy(dtype=float) if metric else None
    if metric is None:
        return agents
    rows = np.flatnonzero(staffed & np.isfinite(observed))
    if not rows.size:
        return agents
    h = _handle_times(skill, part["nht_s"].to_numpy(dtype=float))[rows]
    factor = _effective_factor(
        skill, agents[rows], volume[rows], h, interval_s, observed[rows], metric
    )
    extra: dict[str, Any] = {}
    if skill.method != "erlang_c":
        extra = {
            "patience_s": np.inf if skill.patience_s is None else skill.patience_s,
            "max_abandon": skill.max_abandon,
        }
    wanted = queueing.required_agents(
        skill.method,
        volume=volume[rows] * factor,
        handle_time_s=h,
        interval_s=interval_s,
        service_level=skill.service_level_target,
        answer_within_s=skill.answer_within_s,
        asa_s=skill.asa_s,
        **extra,
    )
    if skill.max_occupancy is not None:  # the cap is on the real load
        wanted = np.maximum(
            wanted,
            queueing.required_agents(
                skill.method,
                volume=volume[rows],
                handle_time_s=h,
                interval_s=interval_s,
                max_occupancy=skill.max_occupancy,
                **{k: v for k, v in extra.items() if k == "patience_s"},
            ),
        )
    out = agents.copy()
    out[rows] = np.maximum(np.where(np.isfinite(wanted), wanted, agents[rows]), skill.min_agents)
    return out


def time_stable_agents(
    plan: Plan,
    skill_ids: list[int],
    *,
    replications: int = 20,
    seed: int = 0,
    max_iterations: int = 8,
    **options: Any,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Agents per interval of the given skills by the iterative staffing algorithm.

    Parameters
    ----------
    plan : staffing.plan.Plan
        A stationary plan (its agents are the first iterate).
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
    config = plan.config
    skills = config.resolved_skills
    n_t = len(plan.intervals) // len(skills)
    chosen = [i for i, s in enumerate(skills) if s.skill_id in set(skill_ids)]
    result = np.full(len(plan.intervals), np.nan)
    report: dict[str, Any] = {
        "iterations": 0,
        "converged": True,
        "changed": [],
        "intervals_missed": float("nan"),
        "replications": int(replications),
        "seed": int(seed),
    }
    if not chosen:
        return result, report
    rows = np.concatenate([np.arange(i * n_t, (i + 1) * n_t) for i in chosen])
    sub_config = config.with_skills([skills[i] for i in chosen])
    intervals = plan.intervals.iloc[rows].reset_index(drop=True).copy()
    interval_s = config.plan.interval_minutes * 60.0
    report["converged"] = False
    for iteration in range(1, max_iterations + 1):
        sub = replace(plan, config=sub_config, intervals=intervals)
        sim = simulate(sub, replications=replications, seed=seed, **options).intervals
        staffed = (intervals["agents"] > 0) & (intervals["volume"] > 0)
        report["intervals_missed"] = float(sim["target_missed"][staffed.to_numpy()].mean())
        new = np.concatenate(
            [
                _restaff(
                    skills[i],
                    intervals.iloc[j * n_t : (j + 1) * n_t],
                    sim.iloc[j * n_t : (j + 1) * n_t],
                    interval_s,
                )
                for j, i in enumerate(chosen)
            ]
        )
        current = intervals["agents"].to_numpy(dtype=float)
        if iteration > max_iterations // 2:
            new = np.maximum(new, current)
        changed = int(np.sum(new != current))
        report["iterations"] = iteration
        report["changed"].append(changed)
        if changed == 0:
            report["converged"] = True
            break
        intervals["agents"] = new.astype(np.int64)
    result[rows] = intervals["agents"].to_numpy(dtype=float)
    return result, report

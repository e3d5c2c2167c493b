"""Simulation statistics recomputed by hand from per-replication results, for the tests.

Each replication is rerun alone from the seed the engine documents
(``SeedSequence(seed, spawn_key=(skill_id, r))``); the estimators are the textbook ones
cited in :mod:`tests.simulation.test_statistics_by_hand`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from staffing.simulation.kernel import simulate_replication

#: The columns of `SimulationResult.summary()` in the order docs/simulation.md lists them.
SUMMARY_COLUMNS = [
    "skill_id",
    "skill_name",
    "method",
    "service_level",
    "service_level_sim",
    "p_abandon",
    "p_abandon_sim",
    "asa_s",
    "asa_s_sim",
    "daily_service_level",
    "daily_service_level_sim",
    "worst_day_sl_sim",
    "p_day_meets_target",
    "p_day_meets_target_known_volume",
    "intervals_missed",
    "intervals_below_interval_target",
    "scope",
    "note",
]


def replications(skill, seed: int, reps: int) -> np.ndarray:
    """Counts per replication and interval, shape (reps, T, 6): arrivals, answered, within,
    abandoned, summed wait [s], busy agent-seconds, each replication run alone."""
    out = []
    for rep in range(reps):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(skill.skill_id, rep)))
        out.append(
            simulate_replication(
                skill.volume,
                skill.agents,
                skill.handle_time_s,
                rng,
                interval_s=skill.interval_s,
                answer_within_s=skill.answer_within_s,
                patience_s=skill.patience_s,
                is_open=skill.is_open,
            )
        )
    return np.stack(out)


def half_width(values: np.ndarray) -> np.ndarray:
    """95 % half-width of the mean over axis 0 (Law 2015, eq. 4.12)."""
    n = values.shape[0]
    return stats.t.ppf(0.975, n - 1) * values.std(axis=0, ddof=1) / np.sqrt(n)


def ratio(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum(y) / sum(x) over replications and its delta-method 95 % half-width."""
    n = x.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = y.sum(axis=0) / x.sum(axis=0)
        residual = y - r * x
        hw = stats.t.ppf(0.975, n - 1) * np.sqrt((residual**2).sum(axis=0) / (n - 1) / n)
        hw = hw / x.mean(axis=0)
    return r, hw


def per_period(counts: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Sum the interval counts of each day (or week): (replications, n, columns)."""
    out = np.zeros((counts.shape[0], n, counts.shape[2]))
    for code in range(n):
        out[:, code, :] = counts[:, codes == code, :].sum(axis=1)
    return out


def period_figures(skill, reps: np.ndarray, codes: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Per replication and period: service level, abandonment, ASA, every target met."""
    days = per_period(reps, codes, n)
    arrivals, answered, within, abandoned, wait = (days[..., i] for i in range(5))
    with np.errstate(invalid="ignore", divide="ignore"):
        sl = np.where(arrivals > 0, within / arrivals, np.nan)
        pab = np.where(arrivals > 0, abandoned / arrivals, np.nan)
        asa = np.where(answered > 0, wait / answered, np.nan)
    ok = np.ones(sl.shape, dtype=bool)
    if skill.service_level_target is not None:
        ok &= ~(sl < skill.service_level_target)
    if skill.asa_s is not None:
        ok &= ~(asa > skill.asa_s)
    if skill.max_abandon is not None and skill.method != "erlang_c":
        ok &= ~(pab > skill.max_abandon)
    return {"service_level": sl, "p_abandon": pab, "asa_s": asa, "ok": ok, "arrivals": arrivals}

"""The simulation's tables: per-interval and per-period statistics over replications.

From the counts the tasks of :mod:`staffing.simulation.engine` return, one skill at a time:
ratio estimators with delta-method 95 % half-widths per interval, per-replication
figures of each day and plan week, their means, half-widths and 10th percentiles, and
whether targets are missed. numpy and pandas only; no plan, no config.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from staffing.simulation.inputs import SkillInput

__all__ = [
    "MOMENTS",
    "PERIOD",
    "horizon_figures",
    "interval_table",
    "meets",
    "per_rep",
    "period_metrics",
    "period_table",
    "ratio",
    "t_quantile",
]

#: Moments per interval summed over replications: x = arrivals, y = answered within,
#: b = abandoned, a = answered, w = summed wait, o = busy agent-seconds.
MOMENTS = ("x", "xx", "y", "yy", "xy", "b", "bb", "xb", "a", "aa", "w", "ww", "aw", "o", "oo")
#: Per replication and day (or week): arrivals, answered, within, abandoned, summed wait.
PERIOD = ("arrivals", "answered", "within", "abandoned", "wait_s")


def t_quantile(n: np.ndarray | int) -> np.ndarray:
    """Two-sided 95 % Student t quantile for n samples (NaN below 2).

    Parameters
    ----------
    n : int or numpy.ndarray
        Replications (samples) [-].
    """
    count = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(count > 1, special.stdtrit(np.maximum(count - 1, 1), 0.975), np.nan)


def ratio(
    sy: np.ndarray, syy: np.ndarray, sx: np.ndarray, sxx: np.ndarray, sxy: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Ratio estimator Σy/Σx over n replications and its 95 % half-width (delta method).

    Parameters
    ----------
    sy, syy, sx, sxx, sxy : numpy.ndarray
        Sums over replications of y, y², x, x², x·y.
    n : int or numpy.ndarray
        Replications (samples) [-].
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        r = sy / sx
        var_z = (syy - 2 * r * sxy + r * r * sxx) / (n - 1)
        hw = t_quantile(n) * np.sqrt(np.maximum(var_z, 0.0) / n) / (sx / n)
    r = np.where(sx > 0, r, np.nan)
    return r, np.where(sx > 0, hw, np.nan)


def per_rep(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over replications (axis 0, NaN ignored), 95 % half-width and 10th percentile.

    Parameters
    ----------
    values : numpy.ndarray
        Per replication (axis 0) and period; NaN: no figure.
    """
    with np.errstate(invalid="ignore", divide="ignore"), _quiet_empty_slices():
        count = np.sum(np.isfinite(values), axis=0)
        mean = np.nanmean(np.where(count > 0, values, 0.0), axis=0)
        sd = np.nanstd(np.where(count > 0, values, 0.0), axis=0, ddof=1)
        hw = t_quantile(count) * sd / np.sqrt(count)
        p10 = np.nanpercentile(np.where(count > 0, values, 0.0), 10, axis=0)
    bad = count == 0
    return (
        np.where(bad, np.nan, mean),
        np.where(bad | (count < 2), np.nan, hw),
        np.where(bad, np.nan, p10),
    )


def period_metrics(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Per replication and period: SL, abandonment, ASA from summed counts (.., 5).

    Parameters
    ----------
    counts : numpy.ndarray
        Summed counts (..., 5): arrivals, answered, within, abandoned, wait [s].
    """
    arrivals, answered, within, abandoned, wait = (counts[..., i] for i in range(5))
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "service_level": np.where(arrivals > 0, within / arrivals, np.nan),
            "p_abandon": np.where(arrivals > 0, abandoned / arrivals, np.nan),
            "asa_s": np.where(answered > 0, wait / answered, np.nan),
        }


def meets(metrics: dict[str, np.ndarray], targets: dict[str, float | None]) -> np.ndarray:
    """Per replication and period: every target met (a period with no arrival meets them).

    Parameters
    ----------
    metrics : dict
        ``service_level``, ``asa_s``, ``p_abandon`` per replication and period.
    targets : dict
        ``service_level``, ``asa_s``, ``max_abandon`` (None: no target).
    """
    ok = np.ones(metrics["service_level"].shape, dtype=bool)
    if targets["service_level"] is not None:
        ok &= ~(metrics["service_level"] < targets["service_level"] * (1 - 1e-12))
    if targets["asa_s"] is not None:
        ok &= ~(metrics["asa_s"] > targets["asa_s"] * (1 + 1e-12))
    if targets["max_abandon"] is not None:
        ok &= ~(metrics["p_abandon"] > targets["max_abandon"] * (1 + 1e-12))
    return ok


def _missed(
    skill: SkillInput,
    sl: np.ndarray,
    sl_ci: np.ndarray,
    asa: np.ndarray,
    asa_ci: np.ndarray,
    pab: np.ndarray,
    pab_ci: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per interval: a target missed with 95 % confidence, and which (comma-separated)."""
    targets = skill.targets
    staffed = (skill.agents > 0) & (skill.volume > 0)
    missed = {}
    if targets["service_level"] is not None:
        missed["service_level"] = sl + sl_ci < targets["service_level"]
    if targets["asa_s"] is not None:
        missed["asa_s"] = asa - asa_ci > targets["asa_s"]
    if targets["max_abandon"] is not None:
        missed["max_abandon"] = pab - pab_ci > targets["max_abandon"]
    for key in missed:
        missed[key] = np.asarray(missed[key] & staffed, dtype=bool)
    n_t = skill.volume.size
    any_missed = np.zeros(n_t, dtype=bool)
    labels = np.full(n_t, "", dtype=object)
    for key, flags in missed.items():
        any_missed |= flags
        labels = np.where(flags, np.where(labels == "", key, labels + "," + key), labels)
    return any_missed, labels.astype(str)


def _flags(skill: SkillInput, *figures: np.ndarray) -> dict[str, np.ndarray]:
    """The interval flags, following the scope of the skill's targets.

    Under interval scope an interval below a target with 95 % confidence is missed
    (``target_missed``, ``missed_targets``). Under day or week scope the period's targets
    trade single intervals away on purpose, so nothing is missed per interval and the same
    finding is information (``below_interval_target``).
    """
    any_missed, labels = _missed(skill, *figures)
    empty = np.full(labels.size, "", dtype=object).astype(str)
    if skill.scope == "interval":
        return {
            "target_missed": any_missed,
            "missed_targets": labels,
            "below_interval_target": empty,
        }
    return {
        "target_missed": np.zeros(labels.size, dtype=bool),
        "missed_targets": empty,
        "below_interval_target": labels,
    }


def interval_table(skill: SkillInput, moments: np.ndarray, reps: int) -> pd.DataFrame:
    """One row per interval of ``skill``: planned beside simulated, with 95 % half-widths.

    Parameters
    ----------
    skill : SkillInput
        The skill simulated.
    moments : numpy.ndarray
        Shape (15, T): the sums :data:`MOMENTS` over ``reps`` replications.
    reps : int
        Replications [-].

    Returns
    -------
    DataFrame
        The columns of :attr:`staffing.simulation.SimulationResult.intervals`.
    """
    m = dict(zip(MOMENTS, moments, strict=True))
    sl, sl_ci = ratio(m["y"], m["yy"], m["x"], m["xx"], m["xy"], reps)
    pab, pab_ci = ratio(m["b"], m["bb"], m["x"], m["xx"], m["xb"], reps)
    asa, asa_ci = ratio(m["w"], m["ww"], m["a"], m["aa"], m["aw"], reps)
    agents = skill.agents.astype(float)
    capacity = agents * skill.interval_s
    with np.errstate(invalid="ignore", divide="ignore"):
        occ = np.where(agents > 0, m["o"] / reps / capacity, np.nan)
        var = np.maximum(m["oo"] - m["o"] ** 2 / reps, 0.0) / (reps - 1)
        occ_ci = np.where(agents > 0, t_quantile(reps) * np.sqrt(var / reps) / capacity, np.nan)
    flags = _flags(skill, sl, sl_ci, asa, asa_ci, pab, pab_ci)
    n_t, planned = skill.volume.size, skill.planned_figures()
    return pd.DataFrame(
        {
            "skill_id": np.full(n_t, skill.skill_id, dtype=np.int64),
            "skill_name": np.full(n_t, skill.skill_name, dtype=object),
            "interval_start": pd.Series(skill.interval_start),
            "method": np.full(n_t, skill.method, dtype=object),
            "volume": skill.volume,
            "agents": skill.agents,
            "arrivals_sim": m["x"] / reps,
            "service_level": planned["service_level"],
            "service_level_sim": sl,
            "service_level_ci": sl_ci,
            "asa_s": planned["asa_s"],
            "asa_s_sim": asa,
            "asa_s_ci": asa_ci,
            "p_abandon": planned["p_abandon"],
            "p_abandon_sim": pab,
            "p_abandon_ci": pab_ci,
            "occupancy": planned["occupancy"],
            "occupancy_sim": occ,
            "occupancy_ci": occ_ci,
            **flags,
        }
    )


def period_table(
    skill: SkillInput,
    counts: tuple[np.ndarray, np.ndarray],
    codes: np.ndarray,
    n_groups: int,
    labels: dict[str, Any],
) -> pd.DataFrame:
    """One row per period (day or plan week) with offered volume: planned beside simulated.

    Parameters
    ----------
    skill : SkillInput
        The skill simulated.
    counts : tuple of numpy.ndarray
        Shape (replications, periods, 5) each: the :data:`PERIOD` counts simulated (with
        the forecast error when the skill has one), then on the forecast volume (the
        probability with the volume known; NaN where not run).
    codes : numpy.ndarray
        Period of each interval (``skill.day`` or ``skill.week``).
    n_groups : int
        Periods [-].
    labels : dict
        Label columns of the periods (``date``, or ``week_start`` and ``days``).

    Returns
    -------
    DataFrame
        The columns of :attr:`staffing.simulation.SimulationResult.daily` (or ``weekly``).
    """
    simulated, known = counts
    volume = skill.volume
    served = (skill.agents > 0) & (volume > 0)
    planned = skill.planned_figures()
    pab_plan = planned["p_abandon"]

    def weighted(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
        ok = served & np.isfinite(values) & (weights > 0)
        num = np.bincount(codes, weights=np.where(ok, values * weights, 0.0), minlength=n_groups)
        den = np.bincount(codes, weights=np.where(ok, weights, 0.0), minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / den, np.nan)

    offered = np.bincount(codes, weights=np.where(served, volume, 0.0), minlength=n_groups)
    sim = period_metrics(simulated)
    table = {
        "skill_id": np.int64(skill.skill_id),
        "skill_name": skill.skill_name,
        **labels,
        "volume": np.bincount(codes, weights=volume, minlength=n_groups),
        "arrivals_sim": simulated[..., 0].mean(axis=0),
    }
    plan_values = {
        "service_level": weighted(planned["service_level"], volume),
        "p_abandon": weighted(pab_plan, volume),
        "asa_s": weighted(planned["asa_s"], volume * (1 - pab_plan)),
    }
    for name in ("service_level", "p_abandon", "asa_s"):
        mean, hw, p10 = per_rep(sim[name])
        table[name] = plan_values[name]
        table[f"{name}_sim"] = mean
        table[f"{name}_ci"] = hw
        if name == "service_level":
            table["service_level_p10"] = p10
    table["p_meets_target"] = meets(sim, skill.targets).mean(axis=0)
    not_run = np.isnan(known[..., 0]).all(axis=0)  # the known-volume run was not asked for
    table["p_meets_target_known_volume"] = np.where(
        not_run, np.nan, meets(period_metrics(known), skill.targets).mean(axis=0)
    )
    frame = pd.DataFrame(table)
    return frame[offered > 0].reset_index(drop=True)


def horizon_figures(skill: SkillInput, daily: np.ndarray) -> dict[str, float]:
    """Simulated figures of the whole horizon and the mean of each plan week's worst day.

    Parameters
    ----------
    skill : SkillInput
        The skill simulated (its day and week codes).
    daily : numpy.ndarray
        Shape (replications, days, 5): the :data:`PERIOD` counts per day.

    Returns
    -------
    dict
        ``service_level`` [-], ``p_abandon`` [-], ``asa_s`` [s] (means over replications)
        and ``worst_day_sl`` [-].
    """
    total = period_metrics(daily.sum(axis=1))
    day_sl = period_metrics(daily)["service_level"]
    day_codes, week_codes = skill.day, skill.week
    with _quiet_empty_slices():
        worst = [
            np.nanmin(day_sl[:, np.unique(day_codes[week_codes == w])], axis=1)
            for w in range(len(skill.week_start))
            if np.isfinite(day_sl[:, np.unique(day_codes[week_codes == w])]).any()
        ]
        return {
            "service_level": float(np.nanmean(total["service_level"])),
            "p_abandon": float(np.nanmean(total["p_abandon"])),
            "asa_s": float(np.nanmean(total["asa_s"])),
            "worst_day_sl": float(np.nanmean(worst)) if worst else float("nan"),
        }


@contextmanager
def _quiet_empty_slices() -> Iterator[None]:
    """Silence numpy's warnings about slices with no figure, whose results are NaN.

    A replication with no contact in a day (no service level), a skill in no team, a
    period one replication alone has a figure for: the mean, minimum or spread is then NaN
    (or masked to NaN by the caller), which is the answer; numpy's "Mean of empty slice",
    "All-NaN slice encountered" and "Degrees of freedom <= 0" on the planner's console
    say nothing more.
    """
    with warnings.catch_warnings():
        for message in ("Mean of empty slice", "All-NaN slice", "Degrees of freedom <= 0"):
            warnings.filterwarnings("ignore", message=message, category=RuntimeWarning)
        yield

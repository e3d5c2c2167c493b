"""Simulate a plan: from a :class:`~staffing.plan.Plan` to tasks, optional Dask, tables.

:func:`simulate` turns every queueing skill of a plan into (skill × batch of replications)
tasks, runs them in this process or on a Dask cluster, and rolls the per-interval counts
up into :class:`SimulationResult` tables beside the plan's analytic figures. The rules of
the simulated system are in ``docs/simulation.md``; the event loops are in
:mod:`staffing.simulation.kernel`.

Reproducibility: replication r of the skill with id s draws from
``numpy.random.SeedSequence(seed, spawn_key=(s, r))`` whatever runs it, and batches are
fixed (:data:`REPLICATIONS_PER_TASK`), so the tables are identical in-process and on any
number of Dask workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import special

if TYPE_CHECKING:  # pragma: no cover
    from staffing.plan import Plan

__all__ = ["REPLICATIONS_PER_TASK", "SimulationResult", "run_task", "simulate"]

#: Replications one task runs; fixed so that batching never depends on the worker count.
REPLICATIONS_PER_TASK = 10

_QUEUE_METHODS = ("erlang_c", "erlang_a", "chat")
# moments per interval summed over replications: x = arrivals, y = answered within,
# b = abandoned, a = answered, w = summed wait, o = busy agent-seconds
_MOMENTS = ("x", "xx", "y", "yy", "xy", "b", "bb", "xb", "a", "aa", "w", "ww", "aw", "o", "oo")
# per replication and day (or week): arrivals, answered, within, abandoned, summed wait
_PERIOD = ("arrivals", "answered", "within", "abandoned", "wait_s")


@dataclass(repr=False)
class SimulationResult:
    """Result of :func:`simulate`: the plan's promises beside what the simulation delivers.

    Attributes
    ----------
    intervals : DataFrame
        One row per simulated skill and interval: ``skill_id, skill_name, interval_start,
        method, volume, agents``, then for each of ``service_level`` [-], ``asa_s`` [s],
        ``p_abandon`` [-] and ``occupancy`` [-] the plan's analytic value, the simulated
        mean (``*_sim``) and its 95 % confidence half-width (``*_ci``); ``arrivals_sim``
        (mean arrivals [-]); ``target_missed`` (a target of the skill is missed with 95 %
        confidence) and ``missed_targets`` (which: ``service_level``, ``asa_s``,
        ``max_abandon``, comma-separated).
    daily, weekly : DataFrame
        Per skill and local date / plan week (weeks start on ``plan.start``), days and
        weeks with offered volume only: planned ``volume``; ``service_level``,
        ``p_abandon``, ``asa_s`` planned (volume-weighted analytic) and simulated (``*_sim``
        = mean over replications of the period's answered-within over all its arrivals,
        ``*_ci`` its 95 % half-width); ``service_level_p10``, the 10th percentile over
        replications; ``p_meets_target``, the share of replications in which the period
        meets every target of the skill.
    meta : dict
        Options, seed, replications, engine, executor, contacts simulated, wall time, and
        ``skipped``: skills not simulated with the reason.
    """

    intervals: pd.DataFrame
    daily: pd.DataFrame
    weekly: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"SimulationResult(plan={self.meta.get('plan')!r}, "
            f"skills={self.intervals['skill_id'].nunique()}, "
            f"replications={self.meta.get('replications')}, seed={self.meta.get('seed')})"
        )

    def summary(self) -> pd.DataFrame:
        """One row per skill of the plan: planned against simulated, and the risk.

        Returns
        -------
        DataFrame
            Columns: skill_id, skill_name, method; ``service_level``, ``p_abandon``,
            ``asa_s`` planned over the horizon (volume-weighted [-], [-], [s]) and their
            simulated means ``*_sim``; ``daily_service_level`` and
            ``daily_service_level_sim``, the mean over days of the day's service level
            [-]; ``worst_day_sl_sim``, the mean over replications and plan weeks of the
            week's worst simulated day [-]; ``p_day_meets_target``, the share of
            (day, replication) pairs meeting every target [-]; ``intervals_missed``, the
            share of staffed intervals whose target is missed with 95 % confidence [-];
            ``note`` (why a skill was not simulated). Skills not simulated have NaN figures.
        """
        rows = []
        iv, daily = self.intervals, self.daily
        for skill in self.meta["skills"]:
            sid = skill["skill_id"]
            row: dict[str, Any] = {
                "skill_id": sid,
                "skill_name": skill["skill_name"],
                "method": skill["method"],
                "note": skill.get("note", ""),
            }
            mine = iv[iv["skill_id"] == sid]
            days = daily[daily["skill_id"] == sid]
            horizon = self.meta["horizon"].get(sid)
            if horizon is None or not len(mine):
                rows.append(row)
                continue
            staffed = mine[(mine["agents"] > 0) & (mine["volume"] > 0)]
            row.update(
                {
                    "service_level": _wmean(staffed["service_level"], staffed["volume"]),
                    "service_level_sim": horizon["service_level"],
                    "p_abandon": _wmean(staffed["p_abandon"], staffed["volume"]),
                    "p_abandon_sim": horizon["p_abandon"],
                    "asa_s": _wmean(
                        staffed["asa_s"], staffed["volume"] * (1 - staffed["p_abandon"])
                    ),
                    "asa_s_sim": horizon["asa_s"],
                    "daily_service_level": float(days["service_level"].mean()),
                    "daily_service_level_sim": float(days["service_level_sim"].mean()),
                    "worst_day_sl_sim": horizon["worst_day_sl"],
                    "p_day_meets_target": float(days["p_meets_target"].mean()),
                    "intervals_missed": float(staffed["target_missed"].mean())
                    if len(staffed)
                    else np.nan,
                }
            )
            rows.append(row)
        columns = [
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
            "intervals_missed",
            "note",
        ]
        return pd.DataFrame(rows).reindex(columns=columns)


def _wmean(values: pd.Series, weights: pd.Series) -> float:
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & (w > 0)
    return float(np.sum(v[ok] * w[ok]) / np.sum(w[ok])) if ok.any() else float("nan")


# --------------------------------------------------------------------------- tasks


def run_task(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one task: replications ``spec["reps"]`` of one skill; sums and per-period counts.

    This is the function shipped to Dask workers; it only needs numpy and the kernel.

    Parameters
    ----------
    spec : dict
        Built by :func:`simulate`: ``skill_id``; ``volume`` [-], ``agents`` [-],
        ``handle_time_s`` [s] (T or T × k), ``is_open`` per interval; ``interval_s`` [s],
        ``answer_within_s`` [s], ``patience_s`` [s] or None; ``reps`` (first, stop);
        ``seed``; ``day``, ``week`` (period index of each interval) and ``n_days``,
        ``n_weeks``; and the kernel options ``ramp``, ``handle_time``, ``handle_time_cv``,
        ``routing``, ``at_close``.

    Returns
    -------
    dict
        ``moments`` (15, T): per-interval sums over the task's replications of the counts
        and their squares and cross products; ``daily`` (reps, days, 5) and ``weekly``
        (reps, weeks, 5): arrivals, answered, within, abandoned [-] and summed wait [s] per
        replication and period; ``contacts``, the contacts simulated [-]; ``seconds``, the
        task's wall time [s].
    """
    from staffing.simulation import kernel

    start = time.perf_counter()
    first, stop = spec["reps"]
    n_t = len(spec["volume"])
    moments = np.zeros((len(_MOMENTS), n_t))
    daily = np.zeros((stop - first, spec["n_days"], len(_PERIOD)))
    weekly = np.zeros((stop - first, spec["n_weeks"], len(_PERIOD)))
    contacts = 0
    for index, rep in enumerate(range(first, stop)):
        rng = np.random.default_rng(
            np.random.SeedSequence(spec["seed"], spawn_key=(spec["skill_id"], rep))
        )
        out = kernel.simulate_replication(
            spec["volume"],
            spec["agents"],
            spec["handle_time_s"],
            rng,
            interval_s=spec["interval_s"],
            answer_within_s=spec["answer_within_s"],
            patience_s=spec["patience_s"],
            is_open=spec["is_open"],
            ramp=spec["ramp"],
            handle_time=spec["handle_time"],
            handle_time_cv=spec["handle_time_cv"],
            routing=spec["routing"],
            at_close=spec["at_close"],
        )
        x, a, y, b, w, o = (out[:, i] for i in range(6))
        moments += np.stack(
            [x, x * x, y, y * y, x * y, b, b * b, x * b, a, a * a, w, w * w, a * w, o, o * o]
        )
        period = out[:, [0, 1, 2, 3, 4]]
        for codes, n_groups, target in (
            (spec["day"], spec["n_days"], daily),
            (spec["week"], spec["n_weeks"], weekly),
        ):
            for col in range(len(_PERIOD)):
                target[index, :, col] = np.bincount(
                    codes, weights=period[:, col], minlength=n_groups
                )
        contacts += int(x.sum())
    return {
        "moments": moments,
        "daily": daily,
        "weekly": weekly,
        "contacts": contacts,
        "seconds": time.perf_counter() - start,
    }


def _connect(client: Any, scheduler: str | None, workers: int | None) -> tuple[Any, Any, str]:
    """A Dask client (and what to close afterwards), or None for in-process."""
    given = [
        name
        for name, value in (("client", client), ("scheduler", scheduler), ("workers", workers))
        if value is not None
    ]
    if len(given) > 1:
        raise ValueError(
            f"give at most one of client, scheduler and workers; got {' and '.join(given)}"
        )
    if not given:
        return None, None, "in-process"
    if workers is not None and (int(workers) != workers or workers < 1):
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError(
            "running on Dask needs the distributed extra: pip install staffing[distributed]"
        ) from None
    if client is not None:
        return client, None, f"Dask client {client.scheduler.address}"
    if scheduler is not None:
        made = Client(scheduler)
        return made, [made], f"Dask scheduler {scheduler}"
    cluster = LocalCluster(
        n_workers=int(workers),
        threads_per_worker=1,
        host="127.0.0.1",
        processes=True,
        dashboard_address=None,
    )
    made = Client(cluster)
    return made, [made, cluster], f"Dask LocalCluster, {int(workers)} worker(s)"


def _execute(
    specs: list[dict], client: Any, progress: Callable[[int, int], None] | None
) -> list[dict]:
    total = len(specs)
    if client is None:
        results = []
        for done, spec in enumerate(specs, start=1):
            results.append(run_task(spec))
            if progress is not None:
                progress(done, total)
        return results
    from distributed import as_completed

    futures = client.map(run_task, specs, pure=False)
    try:
        for done, _ in enumerate(as_completed(futures), start=1):
            if progress is not None:
                progress(done, total)
        return client.gather(futures)
    finally:
        for future in futures:
            future.release()


# --------------------------------------------------------------------------- statistics


def _t_quantile(n: np.ndarray | int) -> np.ndarray:
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(n > 1, special.stdtrit(np.maximum(n - 1, 1), 0.975), np.nan)


def _ratio(sy, syy, sx, sxx, sxy, n):
    """Ratio estimator Σy/Σx over n replications and its 95 % half-width (delta method)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        r = sy / sx
        var_z = (syy - 2 * r * sxy + r * r * sxx) / (n - 1)
        hw = _t_quantile(n) * np.sqrt(np.maximum(var_z, 0.0) / n) / (sx / n)
    r = np.where(sx > 0, r, np.nan)
    return r, np.where(sx > 0, hw, np.nan)


def _per_rep(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over replications (axis 0, NaN ignored), 95 % half-width and 10th percentile."""
    with np.errstate(invalid="ignore", divide="ignore"):
        count = np.sum(np.isfinite(values), axis=0)
        mean = np.nanmean(np.where(count > 0, values, 0.0), axis=0)
        sd = np.nanstd(np.where(count > 0, values, 0.0), axis=0, ddof=1)
        hw = _t_quantile(count) * sd / np.sqrt(count)
        p10 = np.nanpercentile(np.where(count > 0, values, 0.0), 10, axis=0)
    bad = count == 0
    return (
        np.where(bad, np.nan, mean),
        np.where(bad | (count < 2), np.nan, hw),
        np.where(bad, np.nan, p10),
    )


def _period_metrics(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Per replication and period: SL, abandonment, ASA from summed counts (.., 5)."""
    arrivals, answered, within, abandoned, wait = (counts[..., i] for i in range(5))
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "service_level": np.where(arrivals > 0, within / arrivals, np.nan),
            "p_abandon": np.where(arrivals > 0, abandoned / arrivals, np.nan),
            "asa_s": np.where(answered > 0, wait / answered, np.nan),
        }


def _meets(metrics: dict[str, np.ndarray], targets: dict[str, float | None]) -> np.ndarray:
    """Per replication and period: every target met (a period with no arrival meets them)."""
    ok = np.ones(metrics["service_level"].shape, dtype=bool)
    if targets["service_level"] is not None:
        ok &= ~(metrics["service_level"] < targets["service_level"] * (1 - 1e-12))
    if targets["asa_s"] is not None:
        ok &= ~(metrics["asa_s"] > targets["asa_s"] * (1 + 1e-12))
    if targets["max_abandon"] is not None:
        ok &= ~(metrics["p_abandon"] > targets["max_abandon"] * (1 + 1e-12))
    return ok


# --------------------------------------------------------------------------- the run


def simulate(
    plan: Plan,
    *,
    replications: int = 30,
    seed: int = 0,
    ramp: bool = False,
    handle_time: str = "exponential",
    handle_time_cv: float = 1.0,
    routing: str = "least_loaded",
    at_close: str = "drain",
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Simulate a plan, replication by replication, and compare it with its promises.

    Each queueing skill (``erlang_c``, ``erlang_a``, ``chat``) runs as one continuous
    discrete-event simulation over the whole horizon with the plan's volume, NHT and
    on-queue agents per interval; ``workload`` skills have no queue and are skipped (listed
    in ``meta["skipped"]`` and in the summary's ``note``).

    Parameters
    ----------
    plan : staffing.plan.Plan
        A planning result.
    replications : int, default 30
        Independent replications of the horizon [-], >= 2 for confidence intervals.
    seed : int, default 0
        Root of the random streams: replication r of skill s uses
        ``SeedSequence(seed, spawn_key=(skill_id, r))``.
    ramp : bool, default False
        Arrival rate linear between interval midpoints instead of constant per interval.
    handle_time : {"exponential", "lognormal"}, default "exponential"
        Distribution of handle times around the interval's NHT.
    handle_time_cv : float, default 1.0
        Coefficient of variation of a lognormal handle time [-].
    routing : {"least_loaded", "even_spread"}, default "least_loaded"
        Chat routing: a new conversation to the least-loaded agent with a free slot
        (LivePerson), or the model's instant even spread.
    at_close : {"drain", "hold"}, default "drain"
        When staffing drops to 0 (closing): the agents on shift stay until the queue is
        empty ("drain"), or leave and the queue waits for the next staffed interval
        ("hold"); see ``docs/simulation.md``.
    client : distributed.Client, optional
        Run the tasks on this Dask client.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:port``) to connect to.
    workers : int, optional
        Start a local Dask cluster of this many single-threaded worker processes on
        127.0.0.1 for the run.
    progress : callable, optional
        Called as ``progress(tasks_done, tasks_total)`` after each task.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ValueError
        Fewer than 2 replications, a negative seed, an unknown option, or more than one
        of ``client``, ``scheduler`` and ``workers``.
    ImportError
        Dask asked for but ``distributed`` not installed (``pip install
        staffing[distributed]``).

    Notes
    -----
    Without numba (``pip install staffing[simulate]``) the kernel runs as plain Python,
    about 100 times slower, with a warning. Targets are "missed with confidence" in an
    interval when the 95 % confidence interval of the simulated mean lies wholly on the
    wrong side of the target (one-sided 2.5 %), so about 2.5 % of the intervals of a skill
    whose true service level sits exactly on its target show as missed by chance.

    References
    ----------
    .. [1] Green, L. V., Kolesar, P. J., Soares, J. (2001). Improving the SIPP approach for
       staffing service systems that have cyclic demands. Operations Research 49(4),
       549-564. https://doi.org/10.1287/opre.49.4.549.11228
    .. [2] Roubos, A., Koole, G., Stolletz, R. (2012). Service-level variability of inbound
       call centers. MSOM 14(3), 402-413. https://doi.org/10.1287/msom.1110.0375
    """
    from staffing.simulation import kernel

    if int(replications) != replications or replications < 2:
        raise ValueError(f"replications must be a whole number >= 2, got {replications!r}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    for name, value, allowed in (
        ("handle_time", handle_time, kernel.HANDLE_TIME_SHAPES),
        ("routing", routing, kernel.ROUTINGS),
        ("at_close", at_close, kernel.AT_CLOSE),
    ):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    if not (np.isfinite(handle_time_cv) and handle_time_cv > 0):
        raise ValueError(f"handle_time_cv must be finite and > 0, got {handle_time_cv!r}")
    if handle_time == "exponential" and handle_time_cv != 1.0:
        raise ValueError(
            "an exponential handle time has a CV of 1; use handle_time='lognormal' for another CV"
        )
    replications, seed = int(replications), int(seed)
    started = time.perf_counter()

    config = plan.config
    minutes = config.plan.interval_minutes
    interval_s = minutes * 60.0
    iv = plan.intervals
    skills = config.resolved_skills
    n_sk = len(skills)
    n_t = len(iv) // n_sk
    grid = pd.DatetimeIndex(iv["interval_start"].iloc[:n_t])
    weekday = np.asarray(grid.day_of_week)
    minute_of_day = np.asarray(grid.hour * 60 + grid.minute)
    day_index = grid.tz_localize(None).normalize()
    day_codes, day_values = pd.factorize(day_index)
    start_day = pd.Timestamp(config.plan.start)
    week_codes = ((day_index - start_day).days // 7).to_numpy().astype(np.int64)
    n_days, n_weeks = len(day_values), int(week_codes.max()) + 1
    week_start = [
        config.plan.start + pd.Timedelta(weeks=w).to_pytimedelta() for w in range(n_weeks)
    ]

    specs: list[dict] = []
    skill_rows: list[dict] = []
    skipped: dict[int, str] = {}
    for index, skill in enumerate(skills):
        part = iv.iloc[index * n_t : (index + 1) * n_t]
        info = {"skill_id": skill.skill_id, "skill_name": skill.skill_name, "method": skill.method}
        if skill.method not in _QUEUE_METHODS:
            info["note"] = "not simulated: workload skills have no queue"
            skipped[skill.skill_id] = info["note"]
            skill_rows.append(info)
            continue
        skill_rows.append(info)
        nht = part["nht_s"].to_numpy(dtype=float)
        if skill.method == "chat":
            k = int(skill.max_concurrency)
            if skill.handle_time_by_load_s is not None:
                h = np.tile(np.asarray(skill.handle_time_by_load_s, dtype=float), (n_t, 1))
            else:
                h = nht[:, None] * np.arange(1, k + 1, dtype=float)
        else:
            h = nht
        is_open = np.ones(n_t, dtype=bool)
        if skill.open_hours is not None:
            is_open = skill.open_hours.is_open(weekday, minute_of_day, minutes)
        base = {
            "skill_id": skill.skill_id,
            "volume": part["volume"].to_numpy(dtype=float),
            "agents": part["agents"].to_numpy(dtype=np.int64),
            "handle_time_s": h,
            "is_open": is_open,
            "interval_s": interval_s,
            "answer_within_s": float(skill.answer_within_s or 0.0),
            "patience_s": skill.patience_s,
            "seed": seed,
            "day": day_codes,
            "week": week_codes,
            "n_days": n_days,
            "n_weeks": n_weeks,
            "ramp": bool(ramp),
            "handle_time": handle_time,
            "handle_time_cv": float(handle_time_cv),
            "routing": routing,
            "at_close": at_close,
        }
        for first in range(0, replications, REPLICATIONS_PER_TASK):
            specs.append(
                {
                    **base,
                    "index": index,
                    "reps": (first, min(first + REPLICATIONS_PER_TASK, replications)),
                }
            )

    dask_client, to_close, executor = _connect(client, scheduler, workers)
    try:
        results = _execute(specs, dask_client, progress)
    finally:
        for item in to_close or ():
            item.close()

    by_skill: dict[int, list[dict]] = {}
    for spec, result in zip(specs, results, strict=True):
        by_skill.setdefault(spec["index"], []).append(result)

    frames_iv, frames_day, frames_week = [], [], []
    horizon: dict[int, dict[str, float]] = {}
    contacts = 0
    for index, parts in by_skill.items():
        skill = skills[index]
        part = iv.iloc[index * n_t : (index + 1) * n_t]
        moments = np.sum([p["moments"] for p in parts], axis=0)
        daily = np.concatenate([p["daily"] for p in parts], axis=0)
        weekly = np.concatenate([p["weekly"] for p in parts], axis=0)
        contacts += sum(p["contacts"] for p in parts)
        targets = {
            "service_level": skill.service_level_target,
            "asa_s": skill.asa_s,
            "max_abandon": skill.max_abandon if skill.method != "erlang_c" else None,
        }
        frames_iv.append(_interval_table(part, moments, replications, interval_s, targets))
        frames_day.append(
            _period_table(
                part, daily, day_codes, n_days, targets, {"date": pd.DatetimeIndex(day_values).date}
            )
        )
        frames_week.append(
            _period_table(
                part,
                weekly,
                week_codes,
                n_weeks,
                targets,
                {
                    "week_start": week_start,
                    "days": np.bincount(
                        week_codes[np.unique(day_codes, return_index=True)[1]], minlength=n_weeks
                    ),
                },
            )
        )
        total = _period_metrics(daily.sum(axis=1))
        day_sl = _period_metrics(daily)["service_level"]
        worst = [
            np.nanmin(day_sl[:, np.unique(day_codes[week_codes == w])], axis=1)
            for w in range(n_weeks)
            if np.isfinite(day_sl[:, np.unique(day_codes[week_codes == w])]).any()
        ]
        horizon[skill.skill_id] = {
            "service_level": float(np.nanmean(total["service_level"])),
            "p_abandon": float(np.nanmean(total["p_abandon"])),
            "asa_s": float(np.nanmean(total["asa_s"])),
            "worst_day_sl": float(np.nanmean(worst)) if worst else float("nan"),
        }

    def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    meta = {
        "plan": plan.name,
        "replications": replications,
        "seed": seed,
        "ramp": bool(ramp),
        "handle_time": handle_time,
        "handle_time_cv": float(handle_time_cv),
        "routing": routing,
        "at_close": at_close,
        "engine": "numba" if kernel.HAVE_NUMBA else "python",
        "executor": executor,
        "tasks": len(specs),
        "contacts": contacts,
        "task_seconds": float(sum(r["seconds"] for r in results)),
        "wall_seconds": time.perf_counter() - started,
        "skipped": skipped,
        "skills": skill_rows,
        "horizon": horizon,
    }
    return SimulationResult(
        intervals=concat(frames_iv), daily=concat(frames_day), weekly=concat(frames_week), meta=meta
    )


def _interval_table(
    part: pd.DataFrame,
    moments: np.ndarray,
    reps: int,
    interval_s: float,
    targets: dict[str, float | None],
) -> pd.DataFrame:
    m = dict(zip(_MOMENTS, moments, strict=True))
    sl, sl_ci = _ratio(m["y"], m["yy"], m["x"], m["xx"], m["xy"], reps)
    pab, pab_ci = _ratio(m["b"], m["bb"], m["x"], m["xx"], m["xb"], reps)
    asa, asa_ci = _ratio(m["w"], m["ww"], m["a"], m["aa"], m["aw"], reps)
    agents = part["agents"].to_numpy(dtype=float)
    capacity = agents * interval_s
    with np.errstate(invalid="ignore", divide="ignore"):
        occ = np.where(agents > 0, m["o"] / reps / capacity, np.nan)
        var = np.maximum(m["oo"] - m["o"] ** 2 / reps, 0.0) / (reps - 1)
        occ_ci = np.where(agents > 0, _t_quantile(reps) * np.sqrt(var / reps) / capacity, np.nan)
    staffed = (agents > 0) & (part["volume"].to_numpy() > 0)
    missed = {}
    if targets["service_level"] is not None:
        missed["service_level"] = sl + sl_ci < targets["service_level"]
    if targets["asa_s"] is not None:
        missed["asa_s"] = asa - asa_ci > targets["asa_s"]
    if targets["max_abandon"] is not None:
        missed["max_abandon"] = pab - pab_ci > targets["max_abandon"]
    for key in missed:
        missed[key] = np.asarray(missed[key] & staffed, dtype=bool)
    any_missed = np.zeros(len(part), dtype=bool)
    labels = np.full(len(part), "", dtype=object)
    for key, flags in missed.items():
        any_missed |= flags
        labels = np.where(flags, np.where(labels == "", key, labels + "," + key), labels)
    return pd.DataFrame(
        {
            "skill_id": part["skill_id"].to_numpy(),
            "skill_name": part["skill_name"].astype(str).to_numpy(),
            "interval_start": part["interval_start"].reset_index(drop=True),
            "method": part["method"].astype(str).to_numpy(),
            "volume": part["volume"].to_numpy(),
            "agents": part["agents"].to_numpy(),
            "arrivals_sim": m["x"] / reps,
            "service_level": part["service_level"].to_numpy(),
            "service_level_sim": sl,
            "service_level_ci": sl_ci,
            "asa_s": part["asa_s"].to_numpy(),
            "asa_s_sim": asa,
            "asa_s_ci": asa_ci,
            "p_abandon": part["p_abandon"].to_numpy(),
            "p_abandon_sim": pab,
            "p_abandon_ci": pab_ci,
            "occupancy": part["occupancy"].to_numpy(),
            "occupancy_sim": occ,
            "occupancy_ci": occ_ci,
            "target_missed": any_missed,
            "missed_targets": labels.astype(str),
        }
    )


def _period_table(
    part: pd.DataFrame,
    counts: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    targets: dict[str, float | None],
    labels: dict[str, Any],
) -> pd.DataFrame:
    volume = part["volume"].to_numpy(dtype=float)
    served = (part["agents"].to_numpy() > 0) & (volume > 0)
    pab_plan = part["p_abandon"].to_numpy(dtype=float)

    def weighted(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
        ok = served & np.isfinite(values) & (weights > 0)
        num = np.bincount(codes, weights=np.where(ok, values * weights, 0.0), minlength=n_groups)
        den = np.bincount(codes, weights=np.where(ok, weights, 0.0), minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / den, np.nan)

    offered = np.bincount(codes, weights=np.where(served, volume, 0.0), minlength=n_groups)
    sim = _period_metrics(counts)
    table = {
        "skill_id": part["skill_id"].iloc[0],
        "skill_name": str(part["skill_name"].iloc[0]),
        **labels,
        "volume": np.bincount(codes, weights=volume, minlength=n_groups),
        "arrivals_sim": counts[..., 0].mean(axis=0),
    }
    plan_values = {
        "service_level": weighted(part["service_level"].to_numpy(dtype=float), volume),
        "p_abandon": weighted(pab_plan, volume),
        "asa_s": weighted(part["asa_s"].to_numpy(dtype=float), volume * (1 - pab_plan)),
    }
    for name in ("service_level", "p_abandon", "asa_s"):
        mean, hw, p10 = _per_rep(sim[name])
        table[name] = plan_values[name]
        table[f"{name}_sim"] = mean
        table[f"{name}_ci"] = hw
        if name == "service_level":
            table["service_level_p10"] = p10
    table["p_meets_target"] = _meets(sim, targets).mean(axis=0)
    frame = pd.DataFrame(table)
    return frame[offered > 0].reset_index(drop=True)

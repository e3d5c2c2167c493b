"""The simulation engine: per-skill arrays in, replications on tasks, tables out.

Below the pipeline: it knows neither the config nor the plan. A :class:`SkillInput` holds
everything one skill's simulation needs as numpy arrays and scalars (volume, agents and
handle times per interval, patience, targets, interval length, day and week codes, the
analytic figures to compare with). :func:`run` turns skills into (skill × batch of
replications) tasks, runs them in this process or on a Dask cluster, and rolls the counts
up into interval, day and week tables (:mod:`staffing.simulation.tables`).

Reproducibility: replication r of the skill with id s draws from
``numpy.random.SeedSequence(seed, spawn_key=(s, r))`` whatever runs it, and batches are
fixed (:data:`REPLICATIONS_PER_TASK`), so the tables are identical in-process and on any
number of Dask workers.

Forecast error: when a skill has a day-level coefficient of variation (``daily_cv`` > 0),
replication r draws one multiplier per day and skill for every skill at once (so the
correlation between skills holds) from ``SeedSequence(seed, spawn_key=(FORECAST_ERROR_STREAM,
r))`` with :func:`staffing.forecast.day_multiplier.draw`; each skill's task takes its column
and runs the kernel on the volume times its day's multiplier. The same replication is also
run on the forecast volume (the same kernel stream: common random numbers) for the
probability with the volume known.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from staffing.forecast import day_multiplier
from staffing.simulation import kernel
from staffing.simulation.inputs import SkillInput
from staffing.simulation.tables import (
    MOMENTS,
    PERIOD,
    horizon_figures,
    interval_table,
    period_table,
)

__all__ = [
    "FORECAST_ERROR_STREAM",
    "REPLICATIONS_PER_TASK",
    "EngineRun",
    "SkillInput",
    "check_options",
    "day_multipliers",
    "run",
    "run_task",
]

#: Replications one task runs; fixed so that batching never depends on the worker count.
REPLICATIONS_PER_TASK = 10
#: First spawn-key entry of the forecast-error streams (skill ids seed the arrival streams).
FORECAST_ERROR_STREAM = 0x19F0_5EED


@dataclass(repr=False)
class EngineRun:
    """What :func:`run` returns: the tables of every skill and facts about the run.

    Attributes
    ----------
    intervals, daily, weekly : DataFrame
        The tables of :class:`staffing.simulation.SimulationResult`, skills in input order.
    horizon : dict
        Per skill id: :func:`staffing.simulation.tables.horizon_figures`.
    executor : str
        Where the tasks ran.
    tasks, contacts : int
        Tasks run and contacts simulated [-].
    task_seconds : float
        Summed wall time of the tasks [s].
    counts : dict
        Per skill id: the :data:`~staffing.simulation.tables.PERIOD` counts per
        replication, ``(daily, weekly)``, each (replications, periods, 5), as simulated
        (with the forecast error when the skill has one).
    """

    intervals: pd.DataFrame
    daily: pd.DataFrame
    weekly: pd.DataFrame
    horizon: dict[int, dict[str, float]]
    executor: str
    tasks: int
    contacts: int
    task_seconds: float
    counts: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def check_options(
    replications: int,
    seed: int,
    handle_time: str,
    handle_time_cv: float,
    routing: str,
    at_close: str,
) -> None:
    """Refuse replications or a seed that are not whole, and unknown kernel options.

    Parameters
    ----------
    replications : int
        Replications [-], >= 2.
    seed : int
        Root seed, >= 0.
    handle_time : str
        ``exponential`` or ``lognormal``.
    handle_time_cv : float
        Coefficient of variation of a lognormal handle time [-].
    routing : str
        ``least_loaded`` or ``even_spread``.
    at_close : str
        ``drain`` or ``hold``.

    Raises
    ------
    ValueError
        Fewer than 2 replications, a negative seed, an unknown option, or a CV other than 1
        with exponential handle times.
    """
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


# --------------------------------------------------------------------------- tasks


def day_multipliers(
    seed: int, rep: int, cvs: np.ndarray, correlation: float, days: int
) -> np.ndarray:
    """The forecast-error multipliers of one replication: (days, skills), drawn at once.

    Parameters
    ----------
    seed : int
        Root seed of the run.
    rep : int
        Replication [-].
    cvs : numpy.ndarray
        Day-level coefficient of variation of every skill of the run [-].
    correlation : float
        Correlation of the skills' multipliers (Gaussian copula) [-].
    days : int
        Days of the horizon [-].

    Returns
    -------
    numpy.ndarray
        Shape (days, skills); exactly 1 for a skill with a CV of 0.
    """
    rng = np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(FORECAST_ERROR_STREAM, rep))
    )
    return day_multiplier.draw(rng, cvs, correlation, days)


def _replication(spec: dict[str, Any], rep: int, volume: np.ndarray) -> np.ndarray:
    """One replication of the task's skill on the given volume per interval: (T, 6) counts."""
    rng = np.random.default_rng(
        np.random.SeedSequence(spec["seed"], spawn_key=(spec["skill_id"], rep))
    )
    return kernel.simulate_replication(
        volume,
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


def _by_period(out: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """The :data:`PERIOD` counts of one replication summed per period: (periods, 5)."""
    return np.stack(
        [np.bincount(codes, weights=out[:, col], minlength=n_groups) for col in range(len(PERIOD))],
        axis=1,
    )


def run_task(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one task: replications ``spec["reps"]`` of one skill; sums and per-period counts.

    This is the function shipped to Dask workers; it only needs numpy and the kernel.

    Parameters
    ----------
    spec : dict
        Built by :func:`run`: ``skill_id``; ``volume`` [-], ``agents`` [-],
        ``handle_time_s`` [s] (T or T × k), ``is_open`` per interval; ``interval_s`` [s],
        ``answer_within_s`` [s], ``patience_s`` [s] or None; ``reps`` (first, stop);
        ``seed``; ``day``, ``week`` (period index of each interval) and ``n_days``,
        ``n_weeks``; the forecast error: ``cvs`` (every skill's day-level CV),
        ``column`` (this skill's), ``correlation``, ``draw_days``, ``known_volume`` (also
        run on the forecast volume); and the kernel options
        ``ramp``, ``handle_time``, ``handle_time_cv``, ``routing``, ``at_close``.

    Returns
    -------
    dict
        ``moments`` (15, T): per-interval sums over the task's replications of the counts
        and their squares and cross products; ``daily`` (reps, days, 5) and ``weekly``
        (reps, weeks, 5): arrivals, answered, within, abandoned [-] and summed wait [s] per
        replication and period; ``daily_known`` and ``weekly_known``, the same on the
        forecast volume (the same arrays when the skill has no forecast error, NaN when
        ``known_volume`` is off);
        ``contacts``, the contacts simulated [-]; ``seconds``, the task's wall time [s].
    """
    start = time.perf_counter()
    first, stop = spec["reps"]
    n_t = len(spec["volume"])
    moments = np.zeros((len(MOMENTS), n_t))
    shape = (stop - first, len(PERIOD))
    daily = np.zeros((shape[0], spec["n_days"], shape[1]))
    weekly = np.zeros((shape[0], spec["n_weeks"], shape[1]))
    uncertain = spec["cvs"][spec["column"]] > 0
    twice = uncertain and spec["known_volume"]
    daily_known = np.zeros_like(daily) if uncertain else daily
    weekly_known = np.zeros_like(weekly) if uncertain else weekly
    if uncertain and not twice:
        daily_known[:], weekly_known[:] = np.nan, np.nan
    contacts = 0
    for index, rep in enumerate(range(first, stop)):
        volume = spec["volume"]
        if twice:
            known = _replication(spec, rep, volume)
            daily_known[index] = _by_period(known, spec["day"], spec["n_days"])
            weekly_known[index] = _by_period(known, spec["week"], spec["n_weeks"])
        if uncertain:
            factors = day_multipliers(
                spec["seed"], rep, spec["cvs"], spec["correlation"], spec["draw_days"]
            )[:, spec["column"]]
            volume = volume * factors[spec["day"]]
        out = _replication(spec, rep, volume)
        x, a, y, b, w, o = (out[:, i] for i in range(6))
        moments += np.stack(
            [x, x * x, y, y * y, x * y, b, b * b, x * b, a, a * a, w, w * w, a * w, o, o * o]
        )
        daily[index] = _by_period(out, spec["day"], spec["n_days"])
        weekly[index] = _by_period(out, spec["week"], spec["n_weeks"])
        contacts += int(x.sum())
    return {
        "moments": moments,
        "daily": daily,
        "weekly": weekly,
        "daily_known": daily_known,
        "weekly_known": weekly_known,
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
        n_workers=int(workers or 0),
        threads_per_worker=1,
        host="127.0.0.1",
        processes=True,
        dashboard_address=None,
    )
    made = Client(cluster)
    return made, [made, cluster], f"Dask LocalCluster, {int(workers or 0)} worker(s)"


def _execute(
    specs: list[dict[str, Any]], client: Any, progress: Callable[[int, int], None] | None
) -> list[dict[str, Any]]:
    """Run the tasks in this process (client None) or on the Dask client, in order."""
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


# --------------------------------------------------------------------------- the run


def _task_specs(
    skills: Sequence[SkillInput], replications: int, seed: int, options: dict[str, Any]
) -> list[dict[str, Any]]:
    """The tasks of every skill: batches of :data:`REPLICATIONS_PER_TASK` replications."""
    specs: list[dict[str, Any]] = []
    cvs = np.array([float(skill.daily_cv) for skill in skills])
    draw_days = max((len(skill.dates) for skill in skills), default=0)
    for index, skill in enumerate(skills):
        base = {
            "skill_id": skill.skill_id,
            "volume": skill.volume,
            "agents": skill.agents,
            "handle_time_s": skill.handle_time_s,
            "is_open": skill.is_open,
            "interval_s": skill.interval_s,
            "answer_within_s": skill.answer_within_s,
            "patience_s": skill.patience_s,
            "seed": seed,
            "day": skill.day,
            "week": skill.week,
            "n_days": len(skill.dates),
            "n_weeks": len(skill.week_start),
            "cvs": cvs,
            "column": index,
            "draw_days": draw_days,
            **options,
        }
        for first in range(0, replications, REPLICATIONS_PER_TASK):
            stop = min(first + REPLICATIONS_PER_TASK, replications)
            specs.append({**base, "index": index, "reps": (first, stop)})
    return specs


def _skill_tables(
    skill: SkillInput, parts: list[dict[str, Any]], replications: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """One skill's interval, day and week tables and horizon figures from its tasks."""
    moments = np.sum([p["moments"] for p in parts], axis=0)
    daily, weekly, daily_known, weekly_known = (
        np.concatenate([p[key] for p in parts], axis=0)
        for key in ("daily", "weekly", "daily_known", "weekly_known")
    )
    n_days, n_weeks = len(skill.dates), len(skill.week_start)
    days_per_week = np.bincount(
        skill.week[np.unique(skill.day, return_index=True)[1]], minlength=n_weeks
    )
    return (
        interval_table(skill, moments, replications),
        period_table(skill, (daily, daily_known), skill.day, n_days, {"date": skill.dates}),
        period_table(
            skill,
            (weekly, weekly_known),
            skill.week,
            n_weeks,
            {"week_start": list(skill.week_start), "days": days_per_week},
        ),
        horizon_figures(skill, daily),
    )


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def run(
    skills: Sequence[SkillInput],
    *,
    replications: int = 30,
    seed: int = 0,
    ramp: bool = False,
    handle_time: str = "exponential",
    handle_time_cv: float = 1.0,
    routing: str = "least_loaded",
    at_close: str = "drain",
    correlation: float = 0.0,
    known_volume: bool = True,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EngineRun:
    """Simulate queueing skills from their arrays, replication by replication.

    Parameters
    ----------
    skills : sequence of SkillInput
        The skills to simulate (queueing methods only); a skill's ``daily_cv`` > 0 draws
        its forecast error (one multiplier per day and replication).
    correlation : float, default 0.0
        Correlation of the skills' day multipliers (Gaussian copula), in [0, 1].
    known_volume : bool, default True
        Also run each replication of a skill with forecast error on the forecast volume,
        for ``p_meets_target_known_volume`` (twice the work for such skills); False: that
        column is NaN for them.
    replications, seed, ramp, handle_time, handle_time_cv, routing, at_close, client, \
scheduler, workers, progress
        As for :func:`staffing.simulation.simulate`.

    Returns
    -------
    EngineRun

    Raises
    ------
    ValueError
        As :func:`check_options`, or more than one of ``client``, ``scheduler`` and
        ``workers``.
    ImportError
        Dask asked for but ``distributed`` not installed.
    """
    check_options(replications, seed, handle_time, handle_time_cv, routing, at_close)
    if not 0.0 <= correlation <= 1.0:
        raise ValueError(f"correlation must lie in [0, 1], got {correlation!r}")
    options = {
        "ramp": bool(ramp),
        "handle_time": handle_time,
        "handle_time_cv": float(handle_time_cv),
        "routing": routing,
        "at_close": at_close,
        "correlation": float(correlation),
        "known_volume": bool(known_volume),
    }
    replications = int(replications)
    specs = _task_specs(skills, replications, int(seed), options)
    dask_client, to_close, executor = _connect(client, scheduler, workers)
    try:
        results = _execute(specs, dask_client, progress)
    finally:
        for item in to_close or ():
            item.close()
    by_skill: dict[int, list[dict[str, Any]]] = {}
    for spec, result in zip(specs, results, strict=True):
        by_skill.setdefault(spec["index"], []).append(result)
    frames: tuple[list[pd.DataFrame], ...] = ([], [], [])
    horizon: dict[int, dict[str, float]] = {}
    counts: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for index, parts in by_skill.items():
        counts[skills[index].skill_id] = tuple(  # type: ignore[assignment]
            np.concatenate([p[key] for p in parts], axis=0) for key in ("daily", "weekly")
        )
        *tables, horizon[skills[index].skill_id] = _skill_tables(skills[index], parts, replications)
        for frame, table in zip(frames, tables, strict=True):
            frame.append(table)
    return EngineRun(
        intervals=_concat(frames[0]),
        daily=_concat(frames[1]),
        weekly=_concat(frames[2]),
        horizon=horizon,
        executor=executor,
        tasks=len(specs),
        contacts=sum(p["contacts"] for p in results),
        task_seconds=float(sum(r["seconds"] for r in results)),
        counts=counts,
    )

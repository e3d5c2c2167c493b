"""Simulate a plan: the adapter from a plan to the engine's per-skill arrays and back.

:func:`simulate` reads a plan's public attributes (``config``, ``intervals``, ``name``),
builds one :class:`~staffing.simulation.engine.SkillInput` per queueing skill
(:func:`skill_inputs`), runs :func:`staffing.simulation.engine.run` and wraps its tables
in a :class:`SimulationResult` beside the plan's analytic figures. It never imports the
plan module: the plan is typed by the :class:`PlanLike` protocol, so the plan can import
this module. The rules of the simulated system are in ``docs/simulation.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from staffing import calendar, skill_queue
from staffing.forecast import weighted_mean
from staffing.simulation import engine, kernel
from staffing.simulation.engine import REPLICATIONS_PER_TASK, run_task
from staffing.simulation.inputs import PLANNED, SkillInput
from staffing.vocabulary import CHAT, ERLANG_A, ERLANG_C

if TYPE_CHECKING:  # pragma: no cover
    from staffing.config import PlanConfig

__all__ = [
    "REPLICATIONS_PER_TASK",
    "PlanLike",
    "SimulationResult",
    "plan_uncertainty",
    "run_task",
    "simulate",
    "skill_inputs",
]

_QUEUE_METHODS = (ERLANG_C, ERLANG_A, CHAT)


class PlanLike(Protocol):
    """What the simulation reads of a plan (:class:`staffing.plan.Plan` has it all)."""

    @property
    def config(self) -> PlanConfig:
        """The resolved config: ``plan.interval_minutes``, ``plan.start``, the skills."""
        ...

    @property
    def intervals(self) -> pd.DataFrame:
        """One row per skill and interval, skills in config order, each on the same grid."""
        ...

    @property
    def name(self) -> str:
        """The plan's name."""
        ...

    @property
    def uncertainty(self) -> pd.DataFrame | None:
        """The forecast error assumed: ``daily_cv`` per ``skill_id``, ``attrs["correlation"]``."""
        ...


def plan_uncertainty(plan: PlanLike) -> tuple[dict[int, float], float]:
    """Each skill's day-level CV of the volume and the skills' correlation, from a plan.

    Reads ``plan.uncertainty`` (a frame indexed by ``skill_id`` with a ``daily_cv``
    column and ``attrs["correlation"]``); a plan without one (None) has no forecast
    error.

    Parameters
    ----------
    plan : PlanLike
        A planning result.

    Returns
    -------
    cvs : dict
        Skill id to coefficient of variation of the day's volume [-].
    correlation : float
        Correlation of the skills' day multipliers [-].
    """
    frame = plan.uncertainty
    if frame is None or not len(frame):
        return {}, 0.0
    cvs = {int(sid): float(cv) for sid, cv in frame["daily_cv"].items()}
    return cvs, float(frame.attrs.get("correlation", 0.0))


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
        ``max_abandon``, comma-separated); ``below_interval_target``: under day or week
        scope nothing is missed per interval, and the per-interval targets an interval
        falls short of with 95 % confidence are listed here as information.
    daily, weekly : DataFrame
        Per skill and local date / plan week (weeks start on ``plan.start``), days and
        weeks with offered volume only: planned ``volume``; ``service_level``,
        ``p_abandon``, ``asa_s`` planned (volume-weighted analytic) and simulated (``*_sim``
        = mean over replications of the period's answered-within over all its arrivals,
        ``*_ci`` its 95 % half-width); ``service_level_p10``, the 10th percentile over
        replications; ``p_meets_target``, the share of replications in which the period
        meets every target of the skill (with the forecast error when the plan has an
        uncertainty and ``forecast_error`` is on); ``p_meets_target_known_volume``, the
        same share with the volume known (the forecast taken as exact).
    meta : dict
        Options, seed, replications, engine, executor, contacts simulated, wall time,
        ``forecast_error`` (the CVs and correlation drawn, or None), and ``skipped``:
        skills not simulated with the reason.
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
            (day, replication) pairs meeting every target [-] (with forecast error),
            ``p_day_meets_target_known_volume`` the same with the volume known [-];
            ``intervals_missed``, the
            share of staffed intervals whose target is missed with 95 % confidence [-]
            (0 under day or week scope), ``intervals_below_interval_target`` the share below
            a per-interval target with 95 % confidence (information under day or week
            scope) [-]; ``scope``;
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
                "scope": skill.get("scope", "interval"),
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
                    "service_level": weighted_mean(staffed["service_level"], staffed["volume"]),
                    "service_level_sim": horizon["service_level"],
                    "p_abandon": weighted_mean(staffed["p_abandon"], staffed["volume"]),
                    "p_abandon_sim": horizon["p_abandon"],
                    "asa_s": weighted_mean(
                        staffed["asa_s"], staffed["volume"] * (1 - staffed["p_abandon"])
                    ),
                    "asa_s_sim": horizon["asa_s"],
                    "daily_service_level": float(days["service_level"].mean()),
                    "daily_service_level_sim": float(days["service_level_sim"].mean()),
                    "worst_day_sl_sim": horizon["worst_day_sl"],
                    "p_day_meets_target": float(days["p_meets_target"].mean()),
                    "p_day_meets_target_known_volume": float(
                        days["p_meets_target_known_volume"].mean()
                    ),
                    "intervals_missed": float(staffed["target_missed"].mean())
                    if len(staffed)
                    else np.nan,
                    "intervals_below_interval_target": float(
                        (staffed["below_interval_target"] != "").mean()
                    )
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
            "p_day_meets_target_known_volume",
            "intervals_missed",
            "intervals_below_interval_target",
            "scope",
            "note",
        ]
        return pd.DataFrame(rows).reindex(columns=columns)


# --------------------------------------------------------------------------- plan -> arrays


def _plan_calendar(
    plan: PlanLike, grid: pd.DatetimeIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[Any, ...]]:
    """Day codes, their dates, plan-week codes and week starts, from the plan calendar."""
    day, days = calendar.day_codes(grid)
    week = calendar.week_codes(grid, plan.config.plan.start)
    start = plan.config.plan.start
    week_start = tuple(start + timedelta(weeks=w) for w in range(int(week.max()) + 1))
    return day, days.date, week, week_start


def skill_inputs(plan: PlanLike, *, forecast_error: bool = False) -> list[SkillInput]:
    """The engine's input of every queueing skill of a plan, in config order.

    Parameters
    ----------
    plan : PlanLike
        A planning result.
    forecast_error : bool, default False
        Give each skill its day-level CV from ``plan.uncertainty`` (else 0: volume known).

    Returns
    -------
    list of SkillInput
        One per ``erlang_c``, ``erlang_a`` or ``chat`` skill (workload skills have none).
    """
    config = plan.config
    minutes = config.plan.interval_minutes
    iv, skills = plan.intervals, config.resolved_skills
    n_t = len(iv) // len(skills)
    grid = pd.DatetimeIndex(iv["interval_start"].iloc[:n_t])
    weekday = np.asarray(grid.day_of_week)
    minute_of_day = np.asarray(grid.hour * 60 + grid.minute)
    day, dates, week, week_start = _plan_calendar(plan, grid)
    cvs = plan_uncertainty(plan)[0] if forecast_error else {}
    inputs = []
    for index, skill in enumerate(skills):
        if skill.method not in _QUEUE_METHODS:
            continue
        part = iv.iloc[index * n_t : (index + 1) * n_t]
        is_open = np.ones(n_t, dtype=bool)
        if skill.open_hours is not None:
            is_open = skill.open_hours.is_open(weekday, minute_of_day, minutes)
        inputs.append(
            SkillInput(
                skill_id=skill.skill_id,
                skill_name=skill.skill_name,
                method=skill.method,
                interval_start=grid,
                volume=part["volume"].to_numpy(dtype=float),
                agents=part["agents"].to_numpy(dtype=np.int64),
                handle_time_s=skill_queue.handle_times(
                    skill.method,
                    part["nht_s"].to_numpy(dtype=float),
                    skill.max_concurrency,
                    skill.handle_time_by_load_s,
                ),
                is_open=is_open,
                interval_s=minutes * 60.0,
                answer_within_s=float(skill.answer_within_s or 0.0),
                patience_s=skill.patience_s,
                service_level_target=skill.service_level_target,
                asa_s=skill.asa_s,
                max_abandon=skill.max_abandon,
                day=day,
                dates=dates,
                week=week,
                week_start=week_start,
                max_occupancy=skill.max_occupancy,
                min_agents=int(skill.min_agents),
                daily_cv=cvs.get(skill.skill_id, 0.0),
                scope=skill.scope,
                planned={name: part[name].to_numpy(dtype=float) for name in PLANNED},
            )
        )
    return inputs


def _skill_rows(plan: PlanLike) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Every skill of the plan for the summary, and the skills not simulated with why."""
    rows: list[dict[str, Any]] = []
    skipped: dict[int, str] = {}
    for skill in plan.config.resolved_skills:
        info: dict[str, Any] = {
            "skill_id": skill.skill_id,
            "skill_name": skill.skill_name,
            "method": skill.method,
            "scope": skill.scope,
        }
        if skill.method not in _QUEUE_METHODS:
            info["note"] = "not simulated: workload skills have no queue"
            skipped[skill.skill_id] = info["note"]
        rows.append(info)
    return rows, skipped


# --------------------------------------------------------------------------- the run


def simulate(
    plan: PlanLike,
    *,
    replications: int = 30,
    seed: int = 0,
    ramp: bool = False,
    handle_time: str = "exponential",
    handle_time_cv: float = 1.0,
    routing: str = "least_loaded",
    at_close: str = "drain",
    forecast_error: bool = True,
    known_volume: bool = True,
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
    plan : PlanLike
        A planning result (:class:`staffing.plan.Plan`): its ``config``, ``intervals``
        and ``name`` are read.
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
    forecast_error : bool, default True
        When the plan has an uncertainty (``plan.uncertainty``, a day-level CV per skill),
        each replication draws one volume multiplier per skill and day (lognormal, mean 1,
        :mod:`staffing.forecast.day_multiplier`; skills correlated as the plan says) from
        ``SeedSequence(seed, spawn_key=(FORECAST_ERROR_STREAM, r))``, and the skill's
        arrival rates of that day are scaled by it. False: the forecast is taken as exact.
        The daily and weekly ``p_meets_target`` are with the forecast error;
        ``p_meets_target_known_volume`` is the same replications on the forecast volume.
    known_volume : bool, default True
        Run each replication of a skill with forecast error a second time on the forecast
        volume for ``p_meets_target_known_volume`` (twice the simulation's work for those
        skills); False leaves that column NaN for them.
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
    options: dict[str, Any] = {
        "ramp": bool(ramp),
        "handle_time": handle_time,
        "handle_time_cv": float(handle_time_cv),
        "routing": routing,
        "at_close": at_close,
    }
    engine.check_options(replications, seed, handle_time, handle_time_cv, routing, at_close)
    started = time.perf_counter()
    cvs, correlation = plan_uncertainty(plan) if forecast_error else ({}, 0.0)
    done = engine.run(
        skill_inputs(plan, forecast_error=forecast_error),
        replications=replications,
        seed=seed,
        correlation=correlation,
        known_volume=known_volume,
        **options,
        client=client,
        scheduler=scheduler,
        workers=workers,
        progress=progress,
    )
    rows, skipped = _skill_rows(plan)
    meta = {
        "plan": plan.name,
        "replications": int(replications),
        "seed": int(seed),
        **options,
        "forecast_error": {"daily_cv": cvs, "correlation": correlation} if cvs else None,
        "engine": "numba" if kernel.HAVE_NUMBA else "python",
        "executor": done.executor,
        "tasks": done.tasks,
        "contacts": done.contacts,
        "task_seconds": done.task_seconds,
        "wall_seconds": time.perf_counter() - started,
        "skipped": skipped,
        "skills": rows,
        "horizon": done.horizon,
    }
    return SimulationResult(
        intervals=done.intervals, daily=done.daily, weekly=done.weekly, meta=meta
    )

"""The planning run: from a planning config to a :class:`~staffing.plan.Plan`.

:func:`plan` validates the config, then runs four stages: the inputs (history, NHT and
volume forecasts, special days, open hours: :mod:`staffing.plan.inputs`), the forecast's
uncertainty (:mod:`staffing.plan.uncertainty`), the staffing
(agents and achieved figures per skill and interval: :mod:`staffing.plan.staff`) and the
roll-ups (:mod:`staffing.plan.rollups`); skills with ``staffing: time_stable`` are then
re-staffed by simulation.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffing import special_days as specials
from staffing import vocabulary
from staffing.config import PlanConfig, load_config
from staffing.errors import DataWarning
from staffing.plan.confidence import confidence_volume, risk_table, skill_cv
from staffing.plan.inputs import Inputs, prepare_inputs
from staffing.plan.notes import run_notes
from staffing.plan.progress import Progress, tell
from staffing.plan.result import STAFFING_METHODS, Plan
from staffing.plan.rollups import RollUps, rollups
from staffing.plan.rows import INTERVAL
from staffing.plan.skills_table import skills_table
from staffing.plan.staff import staff
from staffing.plan.teams import TeamsData, team_plan
from staffing.plan.uncertainty import forecast_uncertainty
from staffing.vocabulary import BASIS_NAMES, BINDINGS, METHODS, WORKLOAD

__all__ = ["plan"]

#: The interval columns the staffing stage sets (time-stable staffing sets them again).
STAFFED_COLUMNS = (
    "agents",
    "fte",
    "service_level",
    "asa_s",
    "p_abandon",
    "occupancy",
    "fte_hours",
    "binding",
)


def plan(
    config_or_path_or_dict: PlanConfig | str | Path | dict[str, Any],
    *,
    nht_history: pd.DataFrame | None = None,
    volume: pd.DataFrame | None = None,
    progress: Progress = None,
    time_stable: dict[str, Any] | None = None,
    teams: dict[str, Any] | None = None,
    day_scope: dict[str, Any] | bool | None = None,
) -> Plan:
    """Run a plan: required on-queue agents and FTE per skill and interval.

    Parameters
    ----------
    config_or_path_or_dict : PlanConfig, path or dict
        The planning config (validated with :func:`staffing.load_config` unless already).
    nht_history : DataFrame, optional
        NHT history in the history store's shape (UTC ``interval_start``), used instead of
        the config's ``nht`` source.
    volume : DataFrame, optional
        A volume forecast (``skill_id, interval_start, volume``; naive times are local),
        used instead of the config's ``volume`` source.
    progress : callable, optional
        Called with a short message at each stage (the command line prints them).
    time_stable : dict, optional
        Options of the simulation behind ``staffing: time_stable`` skills: keyword
        arguments of :func:`staffing.simulation.time_stable.time_stable_agents`
        (``replications`` 20, ``seed`` 0, ``max_iterations`` 8, and ``simulate``'s
        ``workers``, ``ramp``, ...).
    teams : dict, optional
        Options of the teams stage (:func:`staffing.plan.teams.team_plan`): ``search``
        (default True: the simulation-based search; False: the analytic staffing) and
        keyword arguments of :func:`staffing.teams_search.staff_teams` (``replications``
        20, ``seed`` 0, ``workers``, ``scheduler``, ...).
    day_scope : dict or False, optional
        Options of the correction by simulation of day- and week-scope skills (keyword
        arguments of :func:`staffing.simulation.day_scope.day_scope_agents`:
        ``replications`` 80, ``seed`` 0, ``max_iterations`` 8, ``workers``, ...); False
        keeps the analytic staffing (stationary formulas, with forecast error under a
        confidence) without the simulation.

    Returns
    -------
    Plan

    Raises
    ------
    ConfigError
        The config is invalid (every problem listed).
    DataError
        History or forecast unusable: a skill without usable NHT, a forecast with a
        missing interval, NaN or negative volume, an unknown skill (naming file, skill, time).

    Notes
    -----
    Methods (``volume`` per interval of ``interval_s`` seconds, ``h`` = NHT):

    - ``workload``: agents = ⌈volume·h / interval_s / max_occupancy⌉ (cap 1 when not
      given). Its achieved figures come from ``queueing.evaluate("erlang_c")`` for that
      staffing, or ``"erlang_a"`` when the skill has a ``patience_seconds``.
    - ``erlang_c`` / ``erlang_a``: :func:`staffing.queueing.required_agents` with handle
      time = NHT, every target given and the occupancy cap.
    - ``chat``: the chat model with k = ``max_concurrency`` and h_j =
      ``handle_time_by_load_seconds[j-1]``, else NHT·j. With the configured list the
      forecast NHT is not used for staffing (``nht_s`` and ``workload_erlangs`` still show it).

    A queueing skill with ``service_level.scope`` day or week is staffed for the period
    instead: its volume-weighted targets at the fewest FTE-hours (:mod:`staffing.daily`),
    over floors per interval. A skill with ``staffing: time_stable`` is staffed by
    simulation (:mod:`staffing.simulation.time_stable`), starting from the stationary
    agents. Workload skills are staffed per interval whatever they say.

    Then, for every method: closed intervals get 0 agents; open intervals with volume > 0
    get at least ``min_agents``; the achieved figures are computed for the final agents
    (NaN where no contact is served). fte = agents / (1 − shrinkage) with the shrinkage of
    the local hour of the week. Volume arriving while closed is counted in ``volume`` but
    not staffed; ``meta["closed_volume"]`` reports it. A ``workload`` skill's service level
    is NaN in the roll-ups and the summary (it has no target); its intervals keep Erlang C's
    reading of the staffing.
    """
    run_at = datetime.now(UTC)
    tell(progress, "validating the config")
    config = load_config(config_or_path_or_dict)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        result = _plan(
            config, nht_history, volume, progress, (time_stable, day_scope, teams), run_at
        )
    notes = result.warnings
    for warning in caught:  # implausible data: into the plan's warnings, and warned again
        if issubclass(warning.category, DataWarning) and str(warning.message) not in notes:
            notes.append(str(warning.message))
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return result


def _plan(
    config: PlanConfig,
    nht_history: pd.DataFrame | None,
    volume: pd.DataFrame | None,
    progress: Progress,
    options: tuple[dict[str, Any] | None, dict[str, Any] | bool | None, dict[str, Any] | None],
    run_at: datetime,
) -> Plan:
    """The planning run of :func:`plan` (its warnings recorded by the caller); ``options``:
    the time-stable, the day-scope correction and the teams options."""
    inputs = prepare_inputs(config, nht_history, volume, progress)
    if inputs.patience is not None:  # the plan's config carries the estimated patience
        config = config.with_skills(inputs.skills)
    uncertainty, uncertainty_notes = forecast_uncertainty(config, inputs, progress)
    inputs = replace(inputs, uncertainty=uncertainty)
    inputs.forecast.notes.extend(uncertainty_notes)
    interval_s = config.plan.interval_minutes * 60.0
    cv = skill_cv(inputs.skills, inputs.uncertainty)
    period_volume = confidence_volume(inputs, cv, config.plan.start)
    arrays = staff(inputs, interval_s, config.plan.start, progress, period_volume=period_volume)
    tell(progress, "building the tables")
    result = _result(config, inputs, arrays, run_at)
    if any(cv > 0):  # priced when first read: it staffs the plan again at each level
        pricing = partial(risk_table, inputs, cv, interval_s, config.plan.start)
        result = replace(result, risk_pricing=pricing)
    closed_volume = result.meta["closed_volume"]
    if closed_volume > 0:
        tell(
            progress,
            f"note: {closed_volume:,.0f} contacts are forecast in closed hours and are not staffed",
        )
    time_stable, day_scope, team_options = options
    computed = (arrays["computed"], arrays["computed_binding"])
    result = _simulated(
        result, inputs, (time_stable, day_scope), progress, (period_volume, computed)
    )
    return _teams(result, inputs, team_options, progress)


def _teams(
    result: Plan, inputs: Inputs, options: dict[str, Any] | None, progress: Progress
) -> Plan:
    """The teams stage (:mod:`staffing.plan.teams`) over the skills staffed alone."""
    teams = result.config.resolved_teams
    if not teams:
        return result
    tell(progress, f"staffing {len(teams)} team(s)")
    data = TeamsData(
        grid=inputs.grid,
        skills=inputs.skills,
        volume=inputs.volume,
        nht=inputs.nht,
        agents=result.intervals["agents"].to_numpy(),
        is_open=inputs.is_open,
        interval_s=result.interval_minutes * 60.0,
        start=result.config.plan.start,
    )
    return replace(result, teams=team_plan(data, teams, options))


def _intervals(config: PlanConfig, inputs: Inputs, arrays: dict[str, np.ndarray]) -> pd.DataFrame:
    """:attr:`Plan.intervals`: one row per skill and interval."""
    skills, grid = inputs.skills, inputs.grid
    n_t, n_sk = len(grid), len(skills)
    interval_s = config.plan.interval_minutes * 60.0
    return pd.DataFrame(
        {
            "skill_id": np.repeat(inputs.ids, n_t),
            "skill_name": pd.Categorical.from_codes(
                inputs.skill_index, [s.skill_name for s in skills]
            ),
            "interval_start": grid.append([grid] * (n_sk - 1)) if n_sk > 1 else grid,
            "volume": inputs.volume,
            "nht_s": inputs.nht,
            "nht_basis": pd.Categorical(inputs.basis, categories=list(BASIS_NAMES)),
            "workload_erlangs": inputs.volume * inputs.nht / interval_s,
            "agents": arrays["agents"],
            "fte": arrays["fte"],
            "shrinkage": inputs.shrinkage,
            "service_level": arrays["service_level"],
            "asa_s": arrays["asa_s"],
            "p_abandon": arrays["p_abandon"],
            "occupancy": arrays["occupancy"],
            "method": pd.Categorical(
                np.repeat([s.method for s in skills], n_t), categories=list(METHODS)
            ),
            "fte_hours": arrays["fte_hours"],
            "binding": _binding(arrays),
        }
    )


def _history_table(config: PlanConfig, inputs: Inputs) -> pd.DataFrame:
    """:attr:`Plan.history`: the hourly history of the window, local times."""
    hourly, window = inputs.history.hourly, inputs.history.window
    if window is None:
        return hourly
    history = hourly[
        (hourly["interval_start"] >= window[0]) & (hourly["interval_start"] < window[1])
    ].copy()
    history["interval_start"] = history["interval_start"].dt.tz_convert(config.plan.timezone)
    return history.reset_index(drop=True)


def _meta(config: PlanConfig, inputs: Inputs, run_at: datetime) -> dict[str, Any]:
    """:attr:`Plan.meta`: facts about the run (its notes still without the run's own)."""
    tz, window = config.plan.timezone, inputs.history.window
    notes: list[str] = list(config.warnings)
    if inputs.history.special_days:
        notes.append(
            f"special days left out of the history: {', '.join(inputs.history.special_days)}"
        )
    notes += inputs.history.notes
    notes += inputs.forecast.notes
    return {
        "config_file": config.source,
        "start": config.plan.start.isoformat(),
        "end": (config.plan.end_exclusive - timedelta(days=1)).isoformat(),
        "days": (config.plan.end_exclusive - config.plan.start).days,
        "history_start": None if window is None else window[0].tz_convert(tz).isoformat(),
        "history_end": None if window is None else window[1].tz_convert(tz).isoformat(),
        "history_weeks": config.nht.history_weeks,
        "nht_source": inputs.history.source,
        "volume_source": inputs.forecast.source,
        "closed_volume": float(inputs.volume[~inputs.is_open].sum()),
        "staffing_version": vocabulary.VERSION,
        "run_at_utc": run_at.isoformat(timespec="seconds"),
        "notes": notes,
        "special_days_in_history": inputs.history.special_days,
    }


def _binding(arrays: dict[str, np.ndarray]) -> pd.Categorical:
    """The ``binding`` column from the staffing stage's result."""
    return pd.Categorical(arrays["binding"], categories=list(BINDINGS))


def _staffing_method(arrays: dict[str, np.ndarray]) -> pd.Series:
    """:attr:`Plan.staffing_method` from the staffing stage's result."""
    return pd.Series(
        pd.Categorical(arrays["staffing_method"], categories=list(STAFFING_METHODS)),
        name="staffing_method",
    )


def _rollups(config: PlanConfig, inputs: Inputs, arrays: dict[str, np.ndarray]) -> RollUps:
    """The roll-ups stage over the staffing stage's result."""
    return rollups(
        inputs.skills, inputs.grid, config.plan.start, arrays, config.plan.interval_minutes
    )


def _result(
    config: PlanConfig, inputs: Inputs, arrays: dict[str, np.ndarray], run_at: datetime
) -> Plan:
    """The :class:`Plan` of the stages' results, the run's notes added."""
    meta = _meta(config, inputs, run_at)
    rolled = _rollups(config, inputs, arrays)
    meta["notes"] += run_notes(
        inputs.skills,
        inputs.grid,
        inputs.history.window,
        inputs.volume,
        inputs.is_open,
        arrays,
        inputs.shrink_table,
    )
    special = inputs.special
    names = {s.skill_id: s.skill_name for s in inputs.skills}
    return Plan(
        config=config,
        intervals=_intervals(config, inputs, arrays),
        daily=rolled.daily,
        daily_total=rolled.daily_total,
        weekly=rolled.weekly,
        weekly_total=rolled.weekly_total,
        skills=skills_table(config, patience=inputs.patience),
        history=_history_table(config, inputs),
        nht_profile=inputs.nht_profile,
        backtest=inputs.forecast.backtest,
        name=config.plan.name,
        timezone=config.plan.timezone,
        interval_minutes=config.plan.interval_minutes,
        meta=meta,
        staffing_method=_staffing_method(arrays),
        special_days=special.assign(skill_name=special["skill_id"].map(names))[
            ["date", "skill_id", "skill_name", *specials.SPECIAL_DAY_COLUMNS[2:]]
        ],
        uncertainty=inputs.uncertainty,
    )


def _simulated(
    result: Plan,
    inputs: Inputs,
    options: tuple[dict[str, Any] | None, dict[str, Any] | bool | None],
    progress: Progress,
    staffed: tuple[np.ndarray, tuple[np.ndarray, np.ndarray]],
) -> Plan:
    """Re-staff by simulation: ``staffing: time_stable`` skills, then day- and week-scope
    skills where their simulated day misses (the plan as it is else). ``staffed``: the
    period volume and the agents the plan computed before floors (not computed again)."""
    time_stable, day_scope = options
    fixed = np.full(len(result.intervals), np.nan)
    stable_ids = [
        s.skill_id for s in inputs.skills if s.staffing == "time_stable" and s.method != WORKLOAD
    ]
    if stable_ids:
        from staffing.simulation.time_stable import time_stable_agents

        tell(progress, f"time-stable staffing of {len(stable_ids)} skill(s) by simulation")
        found, report = time_stable_agents(result, stable_ids, **(time_stable or {}))
        fixed = np.where(np.isnan(found), fixed, found)
        result = _restaffed(result, inputs, fixed, {"time_stable": report}, staffed)
    period = [s for s in inputs.skills if s.method != WORKLOAD and s.scope != INTERVAL]
    if not period or day_scope is False:
        return result
    from staffing.simulation.day_scope import day_scope_agents

    tell(progress, f"day and week scope of {len(period)} skill(s) checked by simulation")
    wanted = {s.skill_id: s.confidence for s in period if s.confidence is not None}
    found, report = day_scope_agents(
        result,
        [s.skill_id for s in period],
        confidence=wanted,
        **(day_scope if isinstance(day_scope, dict) else {}),
    )
    analytic = result.staffing_method
    added = found > result.intervals["agents"].to_numpy()  # NaN compares False
    fixed = np.where(added, found, fixed)
    result = _restaffed(result, inputs, fixed, {"day_scope": report}, staffed)
    result.meta["notes"] = [*result.meta["notes"], *_day_scope_notes(report)]
    now = result.staffing_method
    if analytic is not None and now is not None:  # corrected rows keep their rule's name
        method = np.where(added, analytic.to_numpy(dtype=object), now.to_numpy(dtype=object))
        result = replace(result, staffing_method=_staffing_method({"staffing_method": method}))
    return result


def _day_scope_notes(report: dict[str, Any]) -> list[str]:
    """What the planner should know of the correction by simulation: skills it skipped
    (over its contact budget) and a correction that did not converge."""
    notes = [
        f"skill {skill_id}: day/week scope {why} (plan(..., day_scope={{'max_contacts': ...}}) "
        "raises the budget)"
        for skill_id, why in report.get("skipped", {}).items()
    ]
    if not report.get("converged", True):
        notes.append(
            f"the correction of day/week scope by simulation stopped after "
            f"{report.get('iterations')} simulations with periods still short of their target"
        )
    return notes


def _restaffed(
    result: Plan,
    inputs: Inputs,
    fixed: np.ndarray,
    report: dict[str, Any],
    staffed: tuple[np.ndarray, tuple[np.ndarray, np.ndarray]],
) -> Plan:
    """The plan staffed again with ``fixed`` agents where not NaN, ``report`` in its meta
    (the agents computed before floors, ``staffed[1]``, are not computed again)."""
    config = result.config
    interval_s = config.plan.interval_minutes * 60.0
    period_volume, computed = staffed
    arrays = staff(
        inputs,
        interval_s,
        config.plan.start,
        None,
        fixed_agents=fixed,
        period_volume=period_volume,
        computed=computed,
    )
    intervals = result.intervals.copy()
    for column in STAFFED_COLUMNS:
        intervals[column] = _binding(arrays) if column == "binding" else arrays[column]
    rolled = _rollups(config, inputs, arrays)
    return replace(
        result,
        intervals=intervals,
        daily=rolled.daily,
        daily_total=rolled.daily_total,
        weekly=rolled.weekly,
        weekly_total=rolled.weekly_total,
        meta={**result.meta, **report},
        staffing_method=_staffing_method(arrays),
    )

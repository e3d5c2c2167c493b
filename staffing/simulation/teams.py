"""The teams simulation engine: components × batches of replications, in process or on Dask.

Skills and teams linked by membership form *components* (connected sets); a component is
simulated as one system, separate components independently. Replication r of the
component whose smallest skill id is c draws from ``numpy.random.SeedSequence(seed,
spawn_key=(c, r))``: skill after skill, its arrivals then its contacts' work and patience,
as the single-skill engine draws them, so a team holding one skill reproduces
:func:`staffing.simulation.engine.run` contact for contact. Batches are fixed
(:data:`REPLICATIONS_PER_TASK`), so the tables are identical in process and on any number
of Dask workers. The routing rule is in :mod:`staffing.simulation.kernel_teams`.

:func:`run_teams` returns the per-skill interval, day and week tables of the single-skill
engine (:mod:`staffing.simulation.tables`) and a team table (occupancy per interval);
:func:`simulate_staffings` gives the summed counts of several staffings on common random
numbers, for the staffing search (:mod:`staffing.teams_search`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from staffing.simulation import kernel
from staffing.simulation.engine import REPLICATIONS_PER_TASK, check_options, connect
from staffing.simulation.inputs import SkillInput
from staffing.simulation.kernel_teams import TEAM_STATS, run_teams_loop
from staffing.simulation.tables import (
    MOMENTS,
    PERIOD,
    horizon_figures,
    interval_table,
    period_table,
    t_quantile,
)
from staffing.simulation.teams_inputs import TeamsInput

__all__ = [
    "REPLICATIONS_PER_TASK",
    "TeamsRun",
    "component_key",
    "draw_team_contacts",
    "run_team_task",
    "run_teams",
    "simulate_staffings",
    "simulate_teams_replication",
    "skill_view",
    "staffings_task",
]


@dataclass(repr=False)
class TeamsRun:
    """What :func:`run_teams` returns: per-skill tables, the team table, facts of the run.

    Attributes
    ----------
    intervals, daily, weekly : DataFrame
        Per skill, the tables of :func:`staffing.simulation.engine.run` (``agents``: the
        agents of every team holding the skill; occupancy is per team, so NaN here).
    teams : DataFrame
        Per team and interval: ``team_name``, ``interval_start``, ``agents``,
        ``occupancy_sim`` and ``occupancy_ci`` (agents holding a contact / on shift [-]),
        ``slot_use_sim`` (conversations / slots on shift [-]).
    horizon : dict
        Per skill id: :func:`staffing.simulation.tables.horizon_figures`.
    executor : str
        Where the tasks ran.
    tasks, contacts : int
        Tasks run and contacts simulated [-].
    task_seconds : float
        Summed wall time of the tasks [s].
    """

    intervals: pd.DataFrame
    daily: pd.DataFrame
    weekly: pd.DataFrame
    teams: pd.DataFrame
    horizon: dict[int, dict[str, float]]
    executor: str
    tasks: int
    contacts: int
    task_seconds: float


def component_key(inputs: TeamsInput) -> int:
    """The seed key of a component: its smallest skill id.

    Parameters
    ----------
    inputs : TeamsInput
        One component (or any set of skills).
    """
    return min(inputs.skill_ids)


def draw_team_contacts(
    inputs: TeamsInput, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every skill's contacts of one replication, merged in time order.

    Parameters
    ----------
    inputs : TeamsInput
        The skills (volume, open intervals, handle-time shape, patience).
    rng : numpy.random.Generator
        Drawn skill after skill: arrivals, then work and patience.

    Returns
    -------
    arrival_s, arrival_iv, skill, work, deadline_s : numpy.ndarray
        Sorted arrival times [s], their interval and skill position, work content [-] and
        abandonment time [s] (inf: never).
    """
    parts = []
    for s in range(inputs.n_skills):
        times, interval = kernel.draw_arrivals(
            inputs.volume[s], inputs.interval_s, rng, is_open=inputs.is_open[s]
        )
        work, patience = kernel.draw_contacts(
            times.size,
            rng,
            handle_time=inputs.handle_time[s] if inputs.handle_time else "exponential",
            handle_time_cv=float(inputs.handle_time_cv[s])
            if inputs.handle_time_cv is not None
            else 1.0,
            patience_s=inputs.patience_s[s],
        )
        parts.append((times, interval, np.full(times.size, s, np.int64), work, times + patience))
    merged = [np.concatenate([p[i] for p in parts]) for i in range(5)]
    order = np.argsort(merged[0], kind="stable")
    return tuple(m[order] for m in merged)  # type: ignore[return-value]


def simulate_teams_replication(
    inputs: TeamsInput,
    agents: np.ndarray,
    contacts: tuple[np.ndarray, ...],
    *,
    at_close: str = "drain",
    compiled: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """One replication of the teams with ``agents`` on the drawn ``contacts``.

    Parameters
    ----------
    inputs : TeamsInput
        Skills and teams.
    agents : numpy.ndarray
        Agents per team and interval [-], (R, T).
    contacts : tuple of numpy.ndarray
        From :func:`draw_team_contacts`.
    at_close : {"drain", "hold"}
        The closing rule.
    compiled : bool, default True
        False runs the event loop as plain Python.

    Returns
    -------
    stats, team_stats : numpy.ndarray
        (S, T, 6) and (R, T, 3), as :func:`staffing.simulation.kernel_teams.run_teams_loop`.
    """
    if inputs.n_teams == 0:  # skills in no team: nobody answers
        stats = np.zeros((inputs.n_skills, inputs.n_intervals, len(kernel.STATS)))
        cell = contacts[2] * inputs.n_intervals + contacts[1]
        counts = np.bincount(cell, minlength=stats[..., 0].size).reshape(stats.shape[:2])
        stats[..., kernel.ARRIVALS] = stats[..., kernel.ABANDONED] = counts
        return stats, np.zeros((0, inputs.n_intervals, len(TEAM_STATS)))
    arrival_s, arrival_iv, skill, work, deadline_s = contacts
    return run_teams_loop(
        arrival_s,
        arrival_iv,
        skill,
        work,
        deadline_s,
        np.asarray(agents, np.int64),
        inputs.handle_s,
        inputs.membership,
        inputs.max_concurrency,
        np.asarray(inputs.priority, np.int64),
        inputs.interval_s,
        inputs.answer_within_s,
        at_close == "drain",
        compiled=compiled,
    )


def _rng(spec: dict[str, Any], rep: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(spec["seed"], spawn_key=(spec["key"], rep)))


def run_team_task(spec: dict[str, Any]) -> dict[str, Any]:
    """Replications ``spec["reps"]`` of one component: moments and per-period counts.

    Parameters
    ----------
    spec : dict
        ``inputs`` (a component, with agents), ``key`` (seed key), ``seed``, ``reps``
        (first, stop), ``at_close``.

    Returns
    -------
    dict
        ``moments`` (S, 15, T) as the single-skill engine's; ``daily`` (S, reps, days, 5)
        and ``weekly`` (S, reps, weeks, 5); ``team`` (R, 2, T): sums of busy agent-seconds
        and of their squares, ``slots`` (R, T) summed conversation-seconds [s];
        ``contacts``; ``seconds``.
    """
    start = time.perf_counter()
    inputs: TeamsInput = spec["inputs"]
    first, stop = spec["reps"]
    n_s, n_r, n_t = inputs.n_skills, inputs.n_teams, inputs.n_intervals
    n_days, n_weeks = len(inputs.dates), len(inputs.week_start)
    moments = np.zeros((n_s, len(MOMENTS), n_t))
    daily = np.zeros((n_s, stop - first, n_days, len(PERIOD)))
    weekly = np.zeros((n_s, stop - first, n_weeks, len(PERIOD)))
    team = np.zeros((n_r, 2, n_t))
    slots = np.zeros((n_r, n_t))
    contacts = 0
    for index, rep in enumerate(range(first, stop)):
        drawn = draw_team_contacts(inputs, _rng(spec, rep))
        out, team_out = simulate_teams_replication(
            inputs, np.asarray(inputs.agents), drawn, at_close=spec["at_close"]
        )
        contacts += drawn[0].size
        team += np.stack([team_out[..., 0], team_out[..., 0] ** 2], axis=1)
        slots += team_out[..., 1]
        for s in range(n_s):
            x, a, y, b, w = (out[s, :, i] for i in range(5))
            o = np.full(n_t, np.nan)
            moments[s] += np.stack(
                [x, x * x, y, y * y, x * y, b, b * b, x * b, a, a * a, w, w * w, a * w, o, o]
            )
            for codes, n_groups, target in (
                (inputs.day, n_days, daily),
                (inputs.week, n_weeks, weekly),
            ):
                for col in range(len(PERIOD)):
                    target[s, index, :, col] = np.bincount(
                        codes, weights=out[s, :, col], minlength=n_groups
                    )
    return {
        "moments": moments,
        "daily": daily,
        "weekly": weekly,
        "team": team,
        "slots": slots,
        "contacts": contacts,
        "seconds": time.perf_counter() - start,
    }


def staffings_task(spec: dict[str, Any]) -> np.ndarray:
    """Summed counts of several staffings of one component on common random numbers.

    Parameters
    ----------
    spec : dict
        ``inputs`` (a component), ``staffings`` (list of (R, T) agents), ``key``, ``seed``,
        ``reps`` (first, stop), ``at_close``.

    Returns
    -------
    numpy.ndarray
        (staffings, S, T, 5): arrivals, answered, within, abandoned [-] and wait [s],
        summed over the task's replications.
    """
    inputs: TeamsInput = spec["inputs"]
    staffings = spec["staffings"]
    first, stop = spec["reps"]
    sums = np.zeros((len(staffings), inputs.n_skills, inputs.n_intervals, len(PERIOD)))
    for rep in range(first, stop):
        drawn = draw_team_contacts(inputs, _rng(spec, rep))
        for i, agents in enumerate(staffings):
            out, _ = simulate_teams_replication(inputs, agents, drawn, at_close=spec["at_close"])
            sums[i] += out[..., : len(PERIOD)]
    return sums


def _execute(
    function: Callable[[dict[str, Any]], Any],
    specs: list[dict[str, Any]],
    client: Any,
    progress: Callable[[int, int], None] | None = None,
) -> list[Any]:
    """Run ``function`` on every spec in this process (client None) or on Dask, in order."""
    if client is None:
        results = []
        for done, spec in enumerate(specs, start=1):
            results.append(function(spec))
            if progress is not None:
                progress(done, len(specs))
        return results
    from distributed import as_completed

    futures = client.map(function, specs, pure=False)
    try:
        for done, _ in enumerate(as_completed(futures), start=1):
            if progress is not None:
                progress(done, len(specs))
        return list(client.gather(futures))
    finally:
        for future in futures:
            future.release()


def _batches(replications: int) -> list[tuple[int, int]]:
    return [
        (first, min(first + REPLICATIONS_PER_TASK, replications))
        for first in range(0, replications, REPLICATIONS_PER_TASK)
    ]


def simulate_staffings(
    jobs: Sequence[tuple[TeamsInput, Sequence[np.ndarray]]],
    *,
    replications: int,
    seed: int = 0,
    at_close: str = "drain",
    client: Any = None,
) -> list[np.ndarray]:
    """Mean counts per skill and interval of staffings of components, on common random numbers.

    Parameters
    ----------
    jobs : sequence of (TeamsInput, sequence of numpy.ndarray)
        Each a component (its agents are ignored) and the staffings to simulate, agents
        per team and interval [-], each (R, T).
    replications : int
        Replications [-]; replication r draws from ``SeedSequence(seed, spawn_key=(key,
        r))``, key :func:`component_key`, whatever the staffing.
    seed : int, default 0
        Root seed.
    at_close : {"drain", "hold"}
        The closing rule.
    client : distributed.Client or None
        Run the batches on Dask; None: in this process.

    Returns
    -------
    list of numpy.ndarray
        Per job (staffings, S, T, 5): mean arrivals, answered, within, abandoned [-] and
        wait [s].
    """
    specs = [
        {
            "inputs": inputs,
            "index": index,
            "staffings": [np.asarray(a, np.int64) for a in staffings],
            "key": component_key(inputs),
            "seed": int(seed),
            "reps": reps,
            "at_close": at_close,
        }
        for index, (inputs, staffings) in enumerate(jobs)
        for reps in _batches(int(replications))
    ]
    results = _execute(staffings_task, specs, client)
    return [
        np.sum([r for spec, r in zip(specs, results, strict=True) if spec["index"] == i], axis=0)
        / int(replications)
        for i in range(len(jobs))
    ]


def skill_view(inputs: TeamsInput, s: int) -> SkillInput:
    """Skill ``s`` as a :class:`SkillInput` for the tables (agents: its teams' sum).

    Parameters
    ----------
    inputs : TeamsInput
        Skills and teams with agents.
    s : int
        Skill position.
    """
    agents = np.zeros(inputs.n_intervals, np.int64)
    if inputs.agents is not None and inputs.n_teams:
        agents = inputs.agents[inputs.membership[s]].sum(axis=0)
    return SkillInput(
        skill_id=inputs.skill_ids[s],
        skill_name=inputs.skill_names[s],
        method=inputs.methods[s],
        interval_start=inputs.interval_start,
        volume=inputs.volume[s],
        agents=agents,
        handle_time_s=inputs.handle_s[s, :, 0],
        is_open=inputs.is_open[s],
        interval_s=inputs.interval_s,
        answer_within_s=float(inputs.answer_within_s[s]),
        patience_s=inputs.patience_s[s],
        service_level_target=inputs.service_level_target[s],
        asa_s=inputs.asa_s[s],
        max_abandon=inputs.max_abandon[s],
        day=inputs.day,
        dates=inputs.dates,
        week=inputs.week,
        week_start=inputs.week_start,
    )


def _team_table(inputs: TeamsInput, parts: list[dict[str, Any]], reps: int) -> pd.DataFrame:
    """Per team and interval: agents, occupancy with its 95 % half-width, slot use."""
    team = np.sum([p["team"] for p in parts], axis=0)
    slots = np.sum([p["slots"] for p in parts], axis=0)
    frames = []
    for r in range(inputs.n_teams):
        agents = inputs.agents[r].astype(float) if inputs.agents is not None else None
        capacity = agents * inputs.interval_s if agents is not None else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = team[r, 0] / reps
            var = np.maximum(team[r, 1] - team[r, 0] ** 2 / reps, 0.0) / (reps - 1)
            staffed = np.asarray(agents) > 0
            frames.append(
                pd.DataFrame(
                    {
                        "team_name": inputs.team_names[r],
                        "interval_start": pd.Series(inputs.interval_start),
                        "agents": agents,
                        "occupancy_sim": np.where(staffed, mean / capacity, np.nan),
                        "occupancy_ci": np.where(
                            staffed, t_quantile(reps) * np.sqrt(var / reps) / capacity, np.nan
                        ),
                        "slot_use_sim": np.where(
                            staffed,
                            slots[r] / reps / (capacity * inputs.max_concurrency[r]),
                            np.nan,
                        ),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _skill_tables(
    inputs: TeamsInput, parts: list[dict[str, Any]], reps: int
) -> tuple[list[pd.DataFrame], list[pd.DataFrame], list[pd.DataFrame], dict[int, dict[str, float]]]:
    """Every skill's interval, day and week tables and horizon figures of one component."""
    moments = np.sum([p["moments"] for p in parts], axis=0)
    daily = np.concatenate([p["daily"] for p in parts], axis=1)
    weekly = np.concatenate([p["weekly"] for p in parts], axis=1)
    n_weeks = len(inputs.week_start)
    days_per_week = np.bincount(
        inputs.week[np.unique(inputs.day, return_index=True)[1]], minlength=n_weeks
    )
    tables: tuple[list[pd.DataFrame], ...] = ([], [], [])
    horizon = {}
    for s in range(inputs.n_skills):
        skill = skill_view(inputs, s)
        tables[0].append(interval_table(skill, moments[s], reps))
        # Teams draw no forecast error: the volume is known in every replication, as
        # the single-skill engine has it for a skill without forecast error.
        day_counts = (daily[s], daily[s])
        dates = {"date": inputs.dates}
        tables[1].append(period_table(skill, day_counts, inputs.day, len(inputs.dates), dates))
        labels = {"week_start": list(inputs.week_start), "days": days_per_week}
        week_counts = (weekly[s], weekly[s])
        tables[2].append(period_table(skill, week_counts, inputs.week, n_weeks, labels))
        horizon[skill.skill_id] = horizon_figures(skill, daily[s])
    return tables[0], tables[1], tables[2], horizon


def run_teams(
    inputs: TeamsInput,
    replications: int = 30,
    seed: int = 0,
    *,
    at_close: str = "drain",
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TeamsRun:
    """Simulate skills served by teams: per-skill tables with 95 % half-widths, team table.

    Parameters
    ----------
    inputs : TeamsInput
        Skills and teams, with ``agents`` (R, T).
    replications : int, default 30
        Replications [-], >= 2.
    seed : int, default 0
        Root seed; replication r of a component draws from ``SeedSequence(seed,
        spawn_key=(component_key, r))``.
    at_close : {"drain", "hold"}, default "drain"
        The closing rule (per team).
    client, scheduler, workers
        Where the tasks run, as for :func:`staffing.simulation.engine.run` (at most one;
        none: in this process).
    progress : callable, optional
        Called with (tasks done, tasks) after each task.

    Returns
    -------
    TeamsRun

    Raises
    ------
    ValueError
        ``inputs.agents`` missing, or as :func:`staffing.simulation.engine.check_options`.
    """
    check_options(replications, seed, "exponential", 1.0, kernel.ROUTINGS[0], at_close)
    if inputs.agents is None:
        raise ValueError("run_teams needs inputs.agents (agents per team and interval)")
    replications = int(replications)
    components = [inputs.subset(skills, teams) for skills, teams in inputs.components()]
    specs = [
        {
            "inputs": part,
            "index": index,
            "key": component_key(part),
            "seed": int(seed),
            "reps": reps,
            "at_close": at_close,
        }
        for index, part in enumerate(components)
        for reps in _batches(replications)
    ]
    dask_client, to_close, executor = connect(client, scheduler, workers)
    try:
        results = _execute(run_team_task, specs, dask_client, progress)
    finally:
        for item in to_close or ():
            item.close()
    frames: tuple[list[pd.DataFrame], ...] = ([], [], [], [])
    horizon: dict[int, dict[str, float]] = {}
    for index, part in enumerate(components):
        parts = [res for spec, res in zip(specs, results, strict=True) if spec["index"] == index]
        *tables, figures = _skill_tables(part, parts, replications)
        horizon.update(figures)
        for frame, table in zip(frames[:3], tables, strict=True):
            frame.extend(table)
        frames[3].append(_team_table(part, parts, replications))
    order = {skill_id: i for i, skill_id in enumerate(inputs.skill_ids)}

    def concat(items: list[pd.DataFrame], by: str | None) -> pd.DataFrame:
        frame = pd.concat(items, ignore_index=True) if items else pd.DataFrame()
        if by and not frame.empty:
            frame = frame.sort_values(by, key=lambda c: c.map(order), kind="stable")
        return frame.reset_index(drop=True)

    return TeamsRun(
        intervals=concat(frames[0], "skill_id"),
        daily=concat(frames[1], "skill_id"),
        weekly=concat(frames[2], "skill_id"),
        teams=concat(frames[3], None),
        horizon=horizon,
        executor=executor,
        tasks=len(specs),
        contacts=sum(r["contacts"] for r in results),
        task_seconds=float(sum(r["seconds"] for r in results)),
    )

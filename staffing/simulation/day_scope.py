"""Day scope true in simulation: add agents where the time-varying day misses its target.

Day- and week-scope staffing (:func:`staffing.daily.fewest_hours`) meets the period's
targets in the stationary formulas, interval by interval. The real day is one
time-varying system: a queue built in a peak carries over into the next intervals, and
the day falls short of what the formulas promise. This module corrects the staffing by
simulating the plan's own time-varying system:

1. Simulate every *distinct* period (day, or plan week under week scope) of each skill
   once: periods with the same volume, agents, handle times and open hours are simulated
   together, each from an empty system (a closed, unstaffed interval between them), with
   ``replications`` replications and one seed in every iteration (common random numbers).
2. A period fails when, without a confidence, the mean simulated day service level is
   below the target (the abandonment and ASA targets likewise); with a confidence ``c``,
   simulated with the forecast error (:mod:`staffing.forecast.day_multiplier`), when the
   ``1 - c`` quantile of the day's service level (the ``c`` quantile of abandonment and
   ASA) misses the target. That quantile comes from regressing each replication's figure
   on its own drawn multiplier and taking the multiplier's known law (a control variate,
   :func:`_linear_normal`), which needs far fewer replications than counting them.
3. A failing period is re-staffed to its target plus the optimism of the stationary
   formulas: their figure for the period at the current agents (read at the forecast
   volume, or with a confidence at the volume times the ``c`` quantile of the multiplier)
   less the simulated statistic; at least a small step up. Marginal analysis from the
   current agents (:func:`staffing.daily.fewest_hours`) meets it at the fewest
   agent-hours: agents are only added, where the formulas gain most per agent-hour.
4. Repeat until no distinct period fails or ``max_iterations`` simulations have run.
   ``max_contacts`` bounds the cost of each simulation (:func:`_budget`).

The answer meets the criterion on the correction's own simulations (its seed); another
seed sees it within the simulation's noise. It is not proven minimal: the greedy step is
exact for the stationary formulas, and the simulation only moves the target.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy import special

from staffing import daily
from staffing.forecast import day_multiplier
from staffing.simulation import engine
from staffing.simulation.inputs import SkillInput
from staffing.simulation.run import PlanLike, plan_uncertainty, skill_inputs
from staffing.simulation.tables import period_metrics

__all__ = ["day_scope_agents", "day_scope_skills", "distinct_periods"]

#: The highest service-level target a re-staffing asks for [-].
_MAX_LEVEL = 0.9999
#: The least a failing period's targets are raised by in one step: service level and
#: abandonment [-], ASA (relative) [-]; so every step adds agents.
_STEP = 0.002
#: Fewest replications the budget may bring a simulation down to [-].
_MIN_REPLICATIONS = 20


def distinct_periods(skill: SkillInput) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """The skill's periods (days, or plan weeks under week scope) and the distinct ones.

    Parameters
    ----------
    skill : SkillInput
        A day- or week-scope skill.

    Returns
    -------
    codes : numpy.ndarray
        Period of each interval.
    rows : list of numpy.ndarray
        The interval rows of each period.
    representative : numpy.ndarray
        For each period, the first period with the same volume, agents, handle times and
        open hours (itself when it is the first); -1 for a period with no staffed volume.
    """
    codes = skill.week if skill.scope == "week" else skill.day
    rows = [np.flatnonzero(codes == p) for p in range(int(codes.max()) + 1)]
    seen: dict[bytes, int] = {}
    representative = np.full(len(rows), -1, dtype=np.int64)
    for index, part in enumerate(rows):
        if not np.any((skill.volume[part] > 0) & (skill.agents[part] > 0)):
            continue  # nothing offered and served: nothing to simulate or correct
        key = b"|".join(
            np.ascontiguousarray(a[part]).tobytes()
            for a in (skill.volume, skill.agents, skill.handle_time_s, skill.is_open)
        )
        representative[index] = seen.setdefault(key, index)
    return codes, rows, representative


def _compact(skill: SkillInput, periods: list[np.ndarray]) -> tuple[SkillInput, np.ndarray]:
    """One input of the given periods' rows in a row, each after a closed, unstaffed
    interval (so each starts empty); and the original row of every compact row (-1: gap).
    """
    source = np.concatenate([np.r_[-1, part] for part in periods])
    gap = source < 0
    filled = source.copy()
    filled[gap] = source[np.flatnonzero(gap) + 1]  # a gap takes the next row's day
    day = np.unique(skill.day[filled], return_inverse=True)[1].astype(np.int64)
    period = np.repeat(np.arange(len(periods)), [part.size + 1 for part in periods])
    first = dt.date(2000, 1, 3)
    compact = replace(
        skill,
        interval_start=skill.interval_start[filled],
        volume=np.where(gap, 0.0, skill.volume[filled]),
        agents=np.where(gap, 0, skill.agents[filled]).astype(np.int64),
        handle_time_s=skill.handle_time_s[filled],
        is_open=np.where(gap, False, skill.is_open[filled]),
        day=day,
        dates=np.array(
            [first + dt.timedelta(days=d) for d in range(int(day.max()) + 1)], dtype=object
        ),
        week=period.astype(np.int64),
        week_start=tuple(first + dt.timedelta(weeks=w) for w in range(len(periods))),
        planned={},
    )
    return compact, source


def _period_log_multipliers(
    skills: Sequence[SkillInput], seed: int, correlation: float, replications: int
) -> list[np.ndarray]:
    """Per compact skill: ln of each period's volume-weighted multiplier, (reps, periods).

    The very draws the engine made (:func:`staffing.simulation.engine.day_multipliers`,
    the same seed, CVs and days), so each replication's figures can be read against its
    own forecast error.
    """
    cvs = np.array([float(s.daily_cv) for s in skills])
    days = max(len(s.dates) for s in skills)
    drawn = np.stack(
        [engine.day_multipliers(seed, r, cvs, correlation, days) for r in range(replications)]
    )
    out = []
    for column, skill in enumerate(skills):
        n_days, n_periods = len(skill.dates), len(skill.week_start)
        weight = np.bincount(skill.day, weights=skill.volume, minlength=n_days)
        period_of_day = np.zeros(n_days, dtype=np.int64)
        period_of_day[skill.day] = skill.week
        share = (
            weight / np.bincount(period_of_day, weights=weight, minlength=n_periods)[period_of_day]
        )
        mixed = np.stack(
            [
                np.bincount(period_of_day, weights=row * share, minlength=n_periods)
                for row in drawn[:, :n_days, column]
            ]
        )
        out.append(np.log(mixed))
    return out


def _period_cv(skill: SkillInput) -> np.ndarray:
    """Per compact period: the CV of its multiplier: the day's under day scope; under week
    scope the week's mean of its days' multipliers, moment-matched to a lognormal of CV
    ``daily_cv / sqrt(days)`` (independent days)."""
    n_periods = len(skill.week_start)
    days = np.ones(n_periods)
    if skill.scope == "week":
        served = (skill.volume > 0) & (skill.agents > 0)
        day_of = np.unique(np.stack([skill.week[served], skill.day[served]]), axis=1)
        days = np.bincount(day_of[0], minlength=n_periods).astype(float)
    return float(skill.daily_cv) / np.sqrt(np.maximum(days, 1.0))


def _linear_normal(
    x: np.ndarray, y: np.ndarray, shape: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd of a period's figure y over the multiplier's law, per period.

    y = a + b·ln M + ε fitted per period by least squares over the replications (x = ln M
    drawn); with ln M ~ N(−σ²/2, σ²) the figure is N(a − b·σ²/2, b²σ² + var ε). A control
    variate: the spread of the drawn multipliers is replaced by their known law.
    """
    xm, ym = x.mean(axis=0), y.mean(axis=0)
    dx, dy = x - xm, y - ym
    sxx = np.sum(dx * dx, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(sxx > 0, np.sum(dx * dy, axis=0) / sxx, 0.0)
    residual = dy - slope * dx
    noise = np.sum(residual**2, axis=0) / max(x.shape[0] - 2, 1)
    mean = ym + slope * (-(shape**2) / 2 - xm)
    return mean, np.sqrt(slope**2 * shape**2 + noise)


def _statistics(
    counts: np.ndarray, skill: SkillInput, confidence: float | None, log_m: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per period: the simulated statistic of each target, and the criterion met.

    Without a confidence: the means over replications against the targets. With one: the
    ``1 - c`` quantile of the day's service level (the ``c`` quantile of abandonment and
    ASA) under the linear-normal model of :func:`_linear_normal`, which reads every
    replication against its drawn multiplier and so needs far fewer replications than the
    share of replications meeting the target. As in the simulation's tables
    (:func:`staffing.simulation.tables.meets`), a period with no arrival meets its targets:
    its service level counts as 1 in a replication, and a period with none in any
    replication has no mean to miss.
    """
    metrics = period_metrics(counts)
    targets = skill.targets
    if confidence is None:
        stats = {}
        for name, values in metrics.items():  # nanmean, quiet where a period has none
            seen = ~np.isnan(values)
            with np.errstate(invalid="ignore", divide="ignore"):
                stats[name] = np.where(seen, values, 0.0).sum(axis=0) / seen.sum(axis=0)
        z = 0.0
    else:
        shape = np.asarray(day_multiplier.sigma(_period_cv(skill)), dtype=float)
        z = float(special.ndtri(confidence))
        stats = {}
        for name, sign, empty in (
            ("service_level", -1.0, 1.0),
            ("p_abandon", 1.0, 0.0),
            ("asa_s", 1.0, 0.0),
        ):
            values = np.nan_to_num(metrics[name], nan=empty, posinf=np.finfo(float).max)
            mean, sd = _linear_normal(log_m, values, shape)
            stats[name] = mean + sign * z * sd
    ok = np.ones(counts.shape[1], dtype=bool)  # NaN (no arrival at all) never misses
    if targets["service_level"] is not None:
        ok &= ~(stats["service_level"] < targets["service_level"])
    if targets["max_abandon"] is not None:
        ok &= ~(stats["p_abandon"] > targets["max_abandon"])
    if targets["asa_s"] is not None:
        ok &= ~(stats["asa_s"] > targets["asa_s"])
    return stats, ok


def _raised_targets(
    skill: SkillInput, analytic: dict[str, np.ndarray], stats: dict[str, np.ndarray]
) -> dict[str, np.ndarray | None]:
    """Per failing period: each target the re-staffing aims at, the analytic figure at the
    current agents moved by the simulated shortfall (at least :data:`_STEP`)."""
    targets = skill.targets
    out: dict[str, np.ndarray | None] = {"service_level": None, "max_abandon": None, "asa_s": None}
    level = targets["service_level"]
    if level is not None:
        short = np.maximum(np.nan_to_num(level - stats["service_level"], nan=0.0), 0.0)
        out["service_level"] = np.minimum(analytic["service_level"] + short + _STEP, _MAX_LEVEL)
    cap = targets["max_abandon"]
    if cap is not None:
        over = np.maximum(np.nan_to_num(stats["p_abandon"] - cap, nan=0.0), 0.0)
        out["max_abandon"] = np.maximum(analytic["p_abandon"] - over - _STEP, 0.0)
    asa = targets["asa_s"]
    if asa is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.nan_to_num(np.minimum(asa / stats["asa_s"], 1.0), nan=1.0)
        out["asa_s"] = analytic["asa_s"] * ratio * (1 - _STEP)
    return out


def _load_multiplier(skill: SkillInput, rows: np.ndarray, confidence: float | None) -> np.ndarray:
    """Per row: the multiplier of the volume the analytic figures are read at: 1 without a
    confidence, else the ``confidence`` quantile of the period's multiplier
    (:func:`_period_cv`, :func:`staffing.forecast.day_multiplier.quantile`)."""
    if confidence is None or skill.daily_cv <= 0:
        return np.ones(rows.size)
    cv = _period_cv(skill)[skill.week[rows]]
    return np.asarray(day_multiplier.quantile(confidence, cv), dtype=float)


def _stable(skill: SkillInput, rows: np.ndarray, volume: np.ndarray) -> np.ndarray:
    """Fewest agents above the offered load of each row (0 where customers abandon)."""
    h = skill.handle_time_s[rows]
    h_last = h[:, -1] / h.shape[1] if h.ndim == 2 else h
    if skill.patience_s is not None:
        return np.zeros(rows.size)
    return np.floor(volume * h_last / skill.interval_s * (1 + 1e-12)) + 1.0


def _restaff(
    skill: SkillInput, counts: np.ndarray, confidence: float | None, log_m: np.ndarray
) -> tuple[np.ndarray, int]:
    """The next agents of a compact skill from its per-replication period counts, and how
    many of its periods failed."""
    stats, ok = _statistics(counts, skill, confidence, log_m)
    agents = skill.agents.astype(float)
    rows = np.flatnonzero((agents > 0) & (skill.volume > 0) & ~ok[skill.week])
    if not rows.size:
        return agents, 0
    volume = skill.volume[rows] * _load_multiplier(skill, rows, confidence)
    group = np.unique(skill.week[rows], return_inverse=True)[1].astype(np.int64)
    common: dict[str, Any] = {
        "volume": volume,
        "handle_time_s": skill.handle_time_s[rows],
        "interval_s": skill.interval_s,
        "answer_within_s": np.full(rows.size, skill.answer_within_s),
        "patience_s": np.full(rows.size, np.inf if skill.patience_s is None else skill.patience_s),
        "group": group,
    }
    floor = np.maximum(agents[rows], _stable(skill, rows, volume))
    analytic = daily.group_metrics(skill.method, floor, n_groups=int(group.max()) + 1, **common)
    failing = np.unique(skill.week[rows])
    raised = _raised_targets(skill, analytic, {k: v[failing] for k, v in stats.items()})
    per_row = {k: None if v is None else v[group] for k, v in raised.items()}
    new = daily.fewest_hours(
        skill.method,
        floor,
        cost=np.full(rows.size, skill.interval_s / 3600.0),
        service_level=per_row["service_level"],
        max_abandon=per_row["max_abandon"],
        asa_s=per_row["asa_s"],
        **common,
    )
    out = agents.copy()
    out[rows] = np.maximum(new, agents[rows])
    return out, int(failing.size)


def day_scope_skills(
    skills: Sequence[SkillInput],
    *,
    confidence: Mapping[int, float] | None = None,
    correlation: float = 0.0,
    replications: int = 80,
    seed: int = 0,
    max_iterations: int = 8,
    max_contacts: float = 5e6,
    **options: Any,
) -> tuple[list[np.ndarray], dict[str, Any]]:
    """Agents per interval of day- and week-scope skills, corrected by simulation.

    Parameters
    ----------
    skills : sequence of SkillInput
        Queueing skills of scope day or week; their ``agents`` are the starting staffing
        (the analytic day or week staffing). A skill's ``daily_cv`` is drawn only when it
        has a confidence.
    confidence : mapping, optional
        Skill id to the confidence [-]: the share of the period's simulations, with the
        forecast error, that must meet every target. A skill without one must meet its
        targets on the mean of its simulations, with the volume known.
    correlation : float, default 0.0
        Correlation of the skills' day multipliers [-].
    replications : int, default 80
        Replications of each simulation [-]. The correction stops on the first simulation
        that meets the criterion, so its own sample is slightly optimistic; 80 keeps that
        bias small (on the peaks test config a fresh seed sees P(day meets) 0.92-0.94 for
        a confidence of 0.9, against 0.88-0.92 with 40).
    seed : int, default 0
        Seed of every iteration's simulation (common random numbers).
    max_iterations : int, default 8
        Most simulations [-].
    max_contacts : float, default 5e6
        Budget of expected contacts of one simulation [-] (the cost: about 2-3 s each on
        one core with numba). Over it, the replications drop (to 20 at least), then skills
        beyond the budget are not corrected and are listed in ``report["skipped"]``.
    **options
        Further keyword arguments of :func:`staffing.simulation.engine.run` (``ramp``,
        ``routing``, ``workers``, ``client``, ...).

    Returns
    -------
    agents : list of numpy.ndarray
        The corrected agents per interval of each skill [-] (never fewer than given; a
        skipped skill's as given).
    report : dict
        ``iterations`` [-]; ``converged`` (bool: the last simulation found no distinct
        period failing); ``failing`` (distinct periods failing in each simulation);
        ``periods`` and ``distinct_periods`` [-]; ``contacts`` simulated and ``seconds``
        of wall time (the correction's cost); ``replications`` (as run); ``seed``;
        ``skipped`` (skill id to why it was not corrected).
    """
    wanted = dict(confidence or {})
    started = time.perf_counter()
    layouts = [distinct_periods(s) for s in skills]
    compact = []
    for skill, (_, rows, rep) in zip(skills, layouts, strict=True):
        cv = skill.daily_cv if skill.skill_id in wanted else 0.0
        part, source = _compact(
            replace(skill, daily_cv=cv), [rows[p] for p in np.unique(rep[rep >= 0])]
        )
        compact.append((part, source))
    reps, keep = _budget([part for part, _ in compact], replications, max_contacts)
    report: dict[str, Any] = {
        "iterations": 0,
        "converged": not any(keep),
        "failing": [],
        "periods": int(sum(len(rows) for _, rows, _ in layouts)),
        "distinct_periods": int(sum(np.unique(rep[rep >= 0]).size for _, _, rep in layouts)),
        "contacts": 0,
        "replications": reps,
        "seed": int(seed),
        "skipped": {
            s.skill_id: f"not corrected by simulation: over max_contacts={max_contacts:,.0f}"
            for s, k in zip(skills, keep, strict=True)
            if not k
        },
    }
    current = [part for (part, _), k in zip(compact, keep, strict=True) if k]
    for iteration in range(1, max_iterations + 1 if current else 1):
        done = engine.run(
            current,
            replications=reps,
            seed=seed,
            correlation=correlation,
            known_volume=False,
            **options,
        )
        report["iterations"], report["contacts"] = iteration, report["contacts"] + done.contacts
        log_m = _period_log_multipliers(current, seed, correlation, reps)
        steps = [
            _restaff(s, done.counts[s.skill_id][1], wanted.get(s.skill_id), x)
            for s, x in zip(current, log_m, strict=True)
        ]
        report["failing"].append(int(sum(n for _, n in steps)))
        if report["failing"][-1] == 0:
            report["converged"] = True
            break
        if iteration < max_iterations:
            current = [
                replace(s, agents=a.astype(np.int64))
                for s, (a, _) in zip(current, steps, strict=True)
            ]
    report["seconds"] = time.perf_counter() - started
    corrected = iter(current)
    return [
        _expand(skill, layout, next(corrected), source) if k else skill.agents.astype(float)
        for skill, layout, (_, source), k in zip(skills, layouts, compact, keep, strict=True)
    ], report


def _budget(
    parts: list[SkillInput], replications: int, max_contacts: float
) -> tuple[int, list[bool]]:
    """Replications of each simulation and the skills corrected, within ``max_contacts``.

    The replications drop from ``replications`` towards :data:`_MIN_REPLICATIONS` to keep
    one simulation's expected contacts within the budget; when even that is over, skills
    are taken in order while they fit, and the rest are left uncorrected.
    """
    per_rep = [float(part.volume.sum()) for part in parts]
    total = sum(per_rep)
    if total * replications <= max_contacts:
        return int(replications), [True] * len(parts)
    reps = int(min(replications, max(_MIN_REPLICATIONS, max_contacts // max(total, 1.0))))
    keep, used = [], 0.0
    for contacts in per_rep:
        keep.append(used + contacts * reps <= max_contacts)
        used += contacts * reps if keep[-1] else 0.0
    return reps, keep


def _expand(
    skill: SkillInput,
    layout: tuple[np.ndarray, list[np.ndarray], np.ndarray],
    part: SkillInput,
    source: np.ndarray,
) -> np.ndarray:
    """The compact skill's agents put back on every period of the skill."""
    _, rows, representative = layout
    agents = skill.agents.astype(float)
    by_row = np.full(skill.volume.size, np.nan)
    real = source >= 0
    by_row[source[real]] = part.agents[real]
    for period, first in enumerate(representative):
        if first >= 0:
            agents[rows[period]] = by_row[rows[first]]
    return agents


def day_scope_agents(
    plan: PlanLike,
    skill_ids: list[int],
    *,
    confidence: Mapping[int, float] | None = None,
    replications: int = 80,
    seed: int = 0,
    max_iterations: int = 8,
    max_contacts: float = 5e6,
    **options: Any,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Agents per interval of a plan's day- and week-scope skills, corrected by simulation.

    A thin adapter: the plan's skills as :class:`~staffing.simulation.inputs.SkillInput`
    (with each skill's ``daily_cv`` from ``plan.uncertainty``) through
    :func:`day_scope_skills`.

    Parameters
    ----------
    plan : PlanLike
        A plan staffed for the day or week (its agents are the starting staffing).
    skill_ids : list of int
        The queueing skills of scope day or week to correct (others keep their agents).
    confidence : mapping, optional
        Skill id to its ``service_level.confidence`` [-].
    replications, seed, max_iterations, max_contacts, **options
        As for :func:`day_scope_skills`.

    Returns
    -------
    agents : numpy.ndarray
        Per row of ``plan.intervals``: the corrected agents of the given skills, NaN
        elsewhere.
    report : dict
        As for :func:`day_scope_skills`.

    Raises
    ------
    ValueError
        A given skill is not a queueing skill of scope day or week.
    """
    wanted = set(skill_ids)
    chosen = [s for s in skill_inputs(plan, forecast_error=True) if s.skill_id in wanted]
    bad = wanted - {s.skill_id for s in chosen if s.scope != "interval"}
    if bad:
        raise ValueError(
            f"skills {sorted(bad)}: the correction by simulation needs queueing skills of "
            "service_level.scope day or week"
        )
    agents, report = day_scope_skills(
        chosen,
        confidence=confidence,
        correlation=plan_uncertainty(plan)[1],
        replications=replications,
        seed=seed,
        max_iterations=max_iterations,
        max_contacts=max_contacts,
        **options,
    )
    skills = plan.config.resolved_skills
    n_t = len(plan.intervals) // len(skills)
    result = np.full(len(plan.intervals), np.nan)
    position = {s.skill_id: i for i, s in enumerate(skills)}
    for skill, new in zip(chosen, agents, strict=True):
        i = position[skill.skill_id]
        result[i * n_t : (i + 1) * n_t] = new
    return result, report

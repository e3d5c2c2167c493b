"""A skill group's shift templates turned into patterns, solved, and listed as shifts.

Each template's starts are local wall-clock times on the local dates of the horizon (a
start in the spring-forward gap does not exist, an ambiguous one is its first occurrence),
each with every break offset its break window allows; the solver
(:func:`staffing.shifts.solver.solve_coverage`) chooses whole heads per pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from staffing.config import ShiftTemplate
from staffing.shifts.solver import CoverageSolution, pattern_coverage, solve_coverage
from staffing.vocabulary import WEEKDAYS

__all__ = ["Horizon", "Patterns", "optimise_group", "template_patterns"]


@dataclass(frozen=True)
class Horizon:
    """Where shifts may be placed: the plan's dates and interval grid."""

    dates: pd.DatetimeIndex  # local dates of the horizon
    tz: str  # the plan's time zone
    origin: pd.Timestamp  # start of the first interval (tz-aware)
    interval_minutes: int  # interval length [min]
    n_intervals: int  # intervals in the horizon
    wrap: bool  # a shift past the end continues at the start


@dataclass
class Patterns:
    """Every (template, start, break offset) of a group's templates."""

    template: np.ndarray  # index into the group's templates
    start: pd.DatetimeIndex  # tz-aware local start instants
    start_min: np.ndarray  # elapsed minutes after the horizon start
    break_min: np.ndarray  # break offset after the start [min], -1 without a break
    group: np.ndarray  # start index (template, date, start time)
    paid: np.ndarray  # paid hours of one head [h]
    min_heads: np.ndarray  # per start
    max_heads: np.ndarray  # per start (inf: no limit)


def template_patterns(templates: list[ShiftTemplate], horizon: Horizon) -> Patterns:
    """The patterns of a group's templates on the horizon's dates.

    Parameters
    ----------
    templates : list of ShiftTemplate
        The group's templates.
    horizon : Horizon
        The plan's dates and grid.

    Returns
    -------
    Patterns
    """
    tz = horizon.tz
    parts: dict[str, list[Any]] = {k: [] for k in ("template", "start", "break", "group", "paid")}
    g_min: list[np.ndarray] = []
    g_max: list[np.ndarray] = []
    n_groups = 0
    for t_index, template in enumerate(templates):
        local = _local_starts(template, horizon.dates, tz)
        starts = local.size
        brk = template.break_
        offsets = (
            np.array(brk.offsets_minutes(horizon.interval_minutes), dtype=float)
            if brk is not None
            else np.array([-1.0])
        )
        parts["template"].append(np.full(starts * offsets.size, t_index))
        parts["start"].append(np.repeat(local.as_unit("ns").asi8, offsets.size))
        parts["break"].append(np.tile(offsets, starts))
        parts["group"].append(n_groups + np.repeat(np.arange(starts), offsets.size))
        parts["paid"].append(np.full(starts * offsets.size, template.paid_hours))
        g_min.append(np.full(starts, float(template.min_heads)))
        g_max.append(
            np.full(starts, np.inf if template.max_heads is None else float(template.max_heads))
        )
        n_groups += starts
    start_ns = np.concatenate(parts["start"]).astype(np.int64)
    start = pd.DatetimeIndex(start_ns.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(tz)
    return Patterns(
        template=np.concatenate(parts["template"]).astype(np.int64),
        start=start,
        start_min=(start_ns - horizon.origin.as_unit("ns").value) / 60e9,
        break_min=np.concatenate(parts["break"]),
        group=np.concatenate(parts["group"]).astype(np.int64),
        paid=np.concatenate(parts["paid"]),
        min_heads=np.concatenate(g_min),
        max_heads=np.concatenate(g_max),
    )


def _local_starts(template: ShiftTemplate, dates: pd.DatetimeIndex, tz: str) -> pd.DatetimeIndex:
    """A template's start instants on its days (tz-aware local; nonexistent ones left out)."""
    days = dates[np.isin(np.asarray(dates.day_of_week), [WEEKDAYS.index(d) for d in template.days])]
    minutes = np.array(template.start.minutes(), dtype=np.int64)
    naive = np.repeat(days.as_unit("ns").asi8, minutes.size) + np.tile(
        minutes * 60_000_000_000, days.size
    )
    local = pd.DatetimeIndex(naive.astype("datetime64[ns]")).tz_localize(
        tz, ambiguous=np.ones(naive.size, dtype=bool), nonexistent="NaT"
    )
    return local[~local.isna()]  # a start in the spring-forward gap does not exist


def optimise_group(
    templates: list[ShiftTemplate],
    required_heads: np.ndarray,
    horizon: Horizon,
    label: str,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
) -> tuple[CoverageSolution, list[dict[str, Any]]]:
    """The fewest paid hours of a group's templates covering its heads, and its shifts.

    Parameters
    ----------
    templates : list of ShiftTemplate
        The group's templates.
    required_heads : numpy.ndarray
        Heads at work and not on break needed per interval [-].
    horizon : Horizon
        The plan's dates and grid.
    label : str
        The group's name in the shift rows.
    time_limit_s : float
        HiGHS time budget [s].
    mip_rel_gap : float
        Relative optimality gap [-].

    Returns
    -------
    (CoverageSolution, list of dict)
        The solver's answer and one row per chosen pattern (``SHIFT_COLUMNS``).
    """
    pats = template_patterns(templates, horizon)
    has_break = pats.break_min >= 0
    length = np.array([templates[i].length_minutes for i in pats.template], dtype=float)
    brk_len = np.array(
        [0 if (brk := templates[i].break_) is None else brk.length_minutes for i in pats.template],
        dtype=float,
    )
    cover = pattern_coverage(
        pats.start_min,
        length,
        np.where(has_break, pats.break_min, 0.0),
        brk_len,
        interval_minutes=horizon.interval_minutes,
        n_intervals=horizon.n_intervals,
        wrap=horizon.wrap,
    )
    solution = solve_coverage(
        required_heads,
        cover,
        pats.paid,
        start_group=pats.group,
        min_heads=pats.min_heads,
        max_heads=pats.max_heads,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
    )
    rows = [
        _shift_row(templates[pats.template[p]], pats, int(p), solution, label)
        for p in np.flatnonzero(solution.heads)
    ]
    return solution, rows


def _shift_row(
    template: ShiftTemplate, pats: Patterns, p: int, solution: CoverageSolution, label: str
) -> dict[str, Any]:
    """One chosen pattern as a row of ``Schedule.shifts``."""
    start = pats.start[p]
    brk = template.break_
    has_break = bool(pats.break_min[p] >= 0) and brk is not None
    brk_start = start + pd.Timedelta(minutes=float(pats.break_min[p])) if has_break else pd.NaT
    return {
        "skill_group": label,
        "shift": template.name,
        "date": start.date(),
        "day": WEEKDAYS[start.day_of_week],
        "start": start,
        "end": start + pd.Timedelta(minutes=template.length_minutes),
        "break_start": brk_start,
        "break_end": (
            brk_start + pd.Timedelta(minutes=brk.length_minutes)
            if has_break and brk is not None
            else pd.NaT
        ),
        "heads": int(solution.heads[p]),
        "paid_hours": float(solution.heads[p] * pats.paid[p]),
    }

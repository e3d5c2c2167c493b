"""What the planner should double-check in a run (:attr:`staffing.plan.Plan.warnings`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from staffing.config import ResolvedSkill
from staffing.vocabulary import WORKLOAD

__all__ = ["HISTORY_GAP_WEEKS", "SHRINKAGE_WARN", "run_notes"]

#: A plan starting more than this many weeks after the history's end is warned about.
HISTORY_GAP_WEEKS = 8
#: Shrinkage above this share (in any hour of the week) is warned about.
SHRINKAGE_WARN = 0.6


def run_notes(
    skills: list[ResolvedSkill],
    grid: pd.DatetimeIndex,
    window: tuple[pd.Timestamp, pd.Timestamp] | None,
    vol: np.ndarray,
    is_open: np.ndarray,
    arrays: dict[str, np.ndarray],
    shrink_table: np.ndarray,
) -> list[str]:
    """What the planner should double-check in this run, one short text each.

    Parameters
    ----------
    skills : list of ResolvedSkill
        The planned skills.
    grid : DatetimeIndex
        The plan's interval starts, local (its zone is the plan's).
    window : tuple of Timestamp, optional
        The history window ``[start, end)``; None without history.
    vol : ndarray
        Volume per skill and interval, flat and skill-major [-].
    is_open : ndarray of bool
        Open hours, flat and skill-major.
    arrays : dict of str to ndarray
        The staffing stage's result (``agents``, ``service_level``).
    shrink_table : ndarray
        Shrinkage per skill and hour of the week [-].

    Returns
    -------
    list of str
        History window against the plan dates, zero volume, volume in closed hours,
        shrinkage above :data:`SHRINKAGE_WARN`, missed interval targets.
    """
    return [
        *_history_notes(grid, window),
        *_volume_notes(skills, len(grid), vol),
        *_closed_notes(skills, len(grid), vol, is_open),
        *(
            f"skill {skill.skill_name!r} ({skill.skill_id}): shrinkage up to "
            f"{row.max():.0%}, above {SHRINKAGE_WARN:.0%} (a share: 0.3 is 30 %)"
            for skill, row in zip(skills, shrink_table, strict=True)
            if row.max() > SHRINKAGE_WARN
        ),
        *_missed_targets(skills, len(grid), arrays),
    ]


def _history_notes(
    grid: pd.DatetimeIndex, window: tuple[pd.Timestamp, pd.Timestamp] | None
) -> list[str]:
    """The plan's first day against the history window it is forecast from."""
    if window is None or not len(grid):
        return []
    first, (hist_start, hist_end) = grid[0], window
    tz = grid.tz
    span = (
        f"{hist_start.tz_convert(tz):%Y-%m-%d} to "
        f"{(hist_end - pd.Timedelta(seconds=1)).tz_convert(tz):%Y-%m-%d}"
    )
    if first < hist_start:
        return [
            f"the plan starts on {first:%Y-%m-%d}, before the history it is forecast from ({span})"
        ]
    if first < hist_end:
        return [
            f"the plan starts on {first:%Y-%m-%d}, inside the history it is "
            f"forecast from ({span}): it plans weeks that already happened"
        ]
    if first >= hist_end + pd.Timedelta(weeks=HISTORY_GAP_WEEKS):
        gap = (first - hist_end) / pd.Timedelta(weeks=1)
        return [
            f"the plan starts {gap:,.0f} weeks after the history ends ({span}); "
            f"more than {HISTORY_GAP_WEEKS} weeks: the forecast may be out of date"
        ]
    return []


def _volume_notes(skills: list[ResolvedSkill], n_t: int, vol: np.ndarray) -> list[str]:
    """A forecast of zero volume everywhere, or for some skills."""
    per_skill = vol.reshape(len(skills), n_t)
    if n_t and not (per_skill > 0).any():
        return [
            "the volume forecast is 0 in every interval of every skill: nothing is "
            "staffed and there is no peak"
        ]
    empty = [s for s, row in zip(skills, per_skill, strict=True) if not (row > 0).any()]
    if not empty:
        return []
    listed = ", ".join(f"{s.skill_name!r} ({s.skill_id})" for s in empty)
    return [f"no volume forecast in the horizon for {listed}: no agents planned"]


def _closed_notes(
    skills: list[ResolvedSkill], n_t: int, vol: np.ndarray, is_open: np.ndarray
) -> list[str]:
    """Volume forecast in closed hours (counted, not staffed)."""
    closed = ~is_open & (vol > 0)
    if not closed.any():
        return []
    by_skill = np.bincount(
        np.repeat(np.arange(len(skills)), n_t)[closed], weights=vol[closed], minlength=len(skills)
    )
    listed = ", ".join(
        f"{s.skill_name!r} {v:,.0f}" for s, v in zip(skills, by_skill, strict=True) if v > 0
    )
    return [
        f"{vol[closed].sum():,.0f} contacts forecast in closed hours are not staffed ({listed})"
    ]


def _missed_targets(
    skills: list[ResolvedSkill], n_t: int, arrays: dict[str, np.ndarray]
) -> list[str]:
    """Stationary interval targets are met by construction; say so if one is not."""
    out = []
    sl = arrays["service_level"]
    for index, skill in enumerate(skills):
        target = skill.service_level_target
        if skill.method == WORKLOAD or target is None or skill.scope != "interval":
            continue
        part = slice(index * n_t, (index + 1) * n_t)
        missed = (sl[part] < target - 1e-6) & (arrays["agents"][part] > 0)
        if missed.any():
            out.append(
                f"skill {skill.skill_name!r} ({skill.skill_id}): {int(missed.sum()):,} "
                f"interval(s) below the {target:.0%} service-level target"
            )
    return out

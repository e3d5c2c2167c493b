"""One group's part of a schedule: :class:`GroupPart` and its row of ``Schedule.groups``.

A skill group (:mod:`staffing.shifts.schedule`) and a team's group
(:mod:`staffing.shifts.team_shifts`) each give one part; the schedule puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from staffing.config import ShiftTemplate
from staffing.shifts.solver import CoverageSolution

__all__ = ["GroupPart", "group_row"]


@dataclass(frozen=True)
class GroupPart:
    """One group's part of the schedule (a skill group or a team)."""

    label: str
    solution: CoverageSolution | None  # None: nothing optimised
    shift_rows: list[dict[str, Any]]
    coverage: pd.DataFrame  # COVERAGE_COLUMNS (+ optimised) + reason
    skill_coverage: list[pd.DataFrame]
    row: dict[str, Any]  # its row of Schedule.groups


def group_row(
    members: list[int],
    label: str,
    source: str,
    templates: list[ShiftTemplate],
    solution: CoverageSolution | None,
    cov: pd.DataFrame,
    hours: float,
) -> dict[str, Any]:
    """The group's row of ``Schedule.groups``.

    Parameters
    ----------
    members : list of int
        The group's skill ids.
    label : str
        The group's name.
    source : str
        Where the compared schedule comes from.
    templates : list of ShiftTemplate
        The group's templates.
    solution : CoverageSolution or None
        The optimised shifts (None: nothing optimised).
    cov : DataFrame
        The group's coverage rows.
    hours : float
        Interval length [h].

    Returns
    -------
    dict
        The row: hours [h], efficiency [-], counts.
    """
    gap = cov["gap"].to_numpy()
    req_h = float(cov["required"].to_numpy().sum() * hours)
    sch_h = float(cov["scheduled"].to_numpy().sum() * hours)
    return {
        "skill_group": label,
        "skill_ids": ", ".join(str(i) for i in members),
        "source": source,
        "templates": ", ".join(t.name for t in templates),
        "paid_hours": solution.paid_hours if solution is not None else np.nan,
        "shifts": int(solution.heads.sum()) if solution is not None else 0,
        "required_hours": req_h,
        "scheduled_hours": sch_h,
        "efficiency": req_h / sch_h if sch_h > 0 else np.nan,
        "over_hours": float(np.maximum(gap, 0).sum() * hours),
        "under_hours": float(np.maximum(-gap, 0).sum() * hours),
        "uncovered_intervals": int(cov["understaffed"].to_numpy().sum()),
        "mip_gap": solution.mip_gap if solution is not None else np.nan,
        "solver_status": solution.status if solution is not None else "",
        "solve_s": solution.solve_s if solution is not None else np.nan,
        "blocks": solution.blocks if solution is not None else 0,
        "reused_blocks": solution.reused_blocks if solution is not None else 0,
    }

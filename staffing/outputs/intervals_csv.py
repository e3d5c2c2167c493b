"""The intervals CSV: ``Plan.intervals`` as a flat file for pipelines.

Columns are :data:`staffing.vocabulary.INTERVAL_COLUMNS` by name (then any extra columns
of the plan), not the planner-facing labels of the workbook.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from staffing.outputs.safety import atomic_replace, check_target, is_staffing_csv
from staffing.outputs.view import PlanView

if TYPE_CHECKING:  # pragma: no cover
    from staffing.plan import Plan

__all__ = ["write_intervals_csv"]

_CHUNK_ROWS = 20_000


def write_intervals_csv(plan: Plan, path: str | os.PathLike, *, force: bool = False) -> Path:
    """Write ``plan.intervals`` as CSV, atomically, for pipelines.

    Column names are the DataFrame's (``skill_id, skill_name, interval_start, volume, nht_s,
    ...``); ``interval_start`` is local time with its UTC offset (``2026-03-29 03:00:00+02:00``)
    so it stays unambiguous across DST; numbers keep full precision; an unstable cell's
    ``asa_s`` is ``inf``.

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    path : path
        Target CSV file; missing parent folders are created.
    force : bool
        Overwrite an existing file whose header is not this program's.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        The target is a directory, open or locked in another program, not an intervals CSV
        written by staffing (without ``force``), or the write failed; the previous file is
        then left as it was.
    DataError
        ``plan.intervals`` lacks a required column.
    """
    path = Path(path)
    check_target(path, force=force, ours=is_staffing_csv,
                 what="an intervals CSV written by staffing")
    view = PlanView.from_plan(plan)
    with atomic_replace(path) as tmp:
        view.intervals.to_csv(tmp, index=False, chunksize=_CHUNK_ROWS)
    return path

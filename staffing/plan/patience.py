"""Patience from data: ``patience_seconds: auto`` estimated from the history.

With exponential patience of mean θ, every contact's time in queue is its patience
censored by its answer: it waits min(patience, wait for an agent). The maximum-likelihood
estimate of the abandonment rate γ = 1/θ is then the number of contacts that abandoned
over the total time all contacts waited, served or not (Brown et al. 2005, "Statistical
analysis of a telephone call center: a queueing-science perspective", JASA 100(469),
doi:10.1198/016214504000001808; docs/models.md, "Patience from data"). So per skill, over
the history window the NHT uses (special days left out):

    patience_s = Σ total_wait_s / Σ abandoned

from the history's ``abandoned`` and ``total_wait_s`` columns (:data:`PATIENCE_COLUMNS`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from staffing.config import ResolvedSkill
from staffing.errors import DataError
from staffing.vocabulary import PATIENCE_COLUMNS

__all__ = ["PATIENCE_TABLE_COLUMNS", "estimate_patience", "waiting_totals"]

#: Columns of the estimate table :func:`estimate_patience` returns.
PATIENCE_TABLE_COLUMNS = ["skill_id", "patience_abandoned", "patience_wait_s"]


def waiting_totals(
    raw: pd.DataFrame,
    ids: np.ndarray,
    window: tuple[pd.Timestamp, pd.Timestamp] | None,
    special: pd.DataFrame,
    timezone: str,
) -> pd.DataFrame | None:
    """Abandoned contacts and time waited per skill over the history window.

    Parameters
    ----------
    raw : DataFrame
        The history as read (``skill_id``, tz-aware ``interval_start``, and the optional
        ``abandoned`` [-] and ``total_wait_s`` [s]; negative or empty is "no data").
    ids : ndarray
        The plan's skill ids.
    window : tuple of Timestamp, optional
        ``[start, end)`` in UTC (:class:`staffing.plan.history.HourlyHistory`); None: no
        history.
    special : DataFrame
        :func:`staffing.special_days.special_day_table` of the config: these local dates
        of a skill are left out.
    timezone : str
        The plan's IANA zone (a special day is a local date).

    Returns
    -------
    DataFrame or None
        ``skill_id, patience_abandoned, patience_wait_s``, one row per skill of ``ids``
        (0 where nothing is known); only rows with both values count. None when the
        history lacks either column.
    """
    if any(column not in raw.columns for column in PATIENCE_COLUMNS):
        return None
    frame = raw[raw["skill_id"].isin(ids)]
    starts = pd.DatetimeIndex(frame["interval_start"]).tz_convert("UTC")
    keep = np.zeros(len(frame), dtype=bool)
    if window is not None:
        keep = np.asarray((starts >= window[0]) & (starts < window[1]))
    if len(special) and len(frame):
        days = starts.tz_convert(timezone).tz_localize(None).normalize()
        hit = pd.MultiIndex.from_arrays([frame["skill_id"].to_numpy(dtype=np.int64), days]).isin(
            pd.MultiIndex.from_arrays(
                [special["skill_id"].to_numpy(dtype=np.int64), pd.to_datetime(special["date"])]
            )
        )
        keep &= ~hit
    abandoned = pd.to_numeric(frame["abandoned"], errors="coerce").astype(float)
    waited = pd.to_numeric(frame["total_wait_s"], errors="coerce").astype(float)
    keep &= np.asarray((abandoned >= 0) & (waited >= 0))
    sums = (
        pd.DataFrame(
            {
                "skill_id": frame["skill_id"].to_numpy(dtype=np.int64)[keep],
                "patience_abandoned": abandoned.to_numpy()[keep],
                "patience_wait_s": waited.to_numpy()[keep],
            }
        )
        .groupby("skill_id")[["patience_abandoned", "patience_wait_s"]]
        .sum()
        .reindex(ids, fill_value=0.0)
    )
    return sums.rename_axis("skill_id").reset_index()[PATIENCE_TABLE_COLUMNS]


def estimate_patience(
    skills: list[ResolvedSkill], totals: pd.DataFrame | None, source: str
) -> tuple[list[ResolvedSkill], pd.DataFrame | None]:
    """The skills with ``patience_seconds: auto`` given their estimated mean patience.

    Parameters
    ----------
    skills : list of ResolvedSkill
        The planned skills.
    totals : DataFrame, optional
        :func:`waiting_totals` (None: the history lacks the columns).
    source : str
        Where the history came from, for the messages.

    Returns
    -------
    skills : list of ResolvedSkill
        The same skills, ``patience_s`` [s] set where ``patience_auto``.
    table : DataFrame or None
        ``skill_id, patience_abandoned, patience_wait_s`` of the estimated skills (None
        when no skill asks for ``auto``).

    Raises
    ------
    DataError
        A skill asks for ``auto`` and the history has no ``abandoned`` or
        ``total_wait_s`` column, or no abandoned contact or no waiting time in the window,
        naming the skills and the source.
    """
    auto = [s for s in skills if s.patience_auto]
    if not auto:
        return skills, None
    names = ", ".join(f"{s.skill_name!r} (id {s.skill_id})" for s in auto)
    if totals is None:
        raise DataError(
            f"{source}: patience_seconds: auto for skill(s) {names} needs the history "
            f"columns {' and '.join(PATIENCE_COLUMNS)} (contacts that left while waiting, "
            "and the seconds all contacts waited, served or not), and the history does not "
            "have both: add them, or give patience_seconds in seconds"
        )
    by_id = totals.set_index("skill_id")
    empty = [
        s
        for s in auto
        if not (
            by_id.loc[s.skill_id, "patience_abandoned"] > 0
            and by_id.loc[s.skill_id, "patience_wait_s"] > 0
        )
    ]
    if empty:
        listed = "; ".join(
            f"{s.skill_name!r} (id {s.skill_id}): "
            f"{by_id.loc[s.skill_id, 'patience_abandoned']:g} abandoned, "
            f"{by_id.loc[s.skill_id, 'patience_wait_s']:g} s waited"
            for s in empty
        )
        raise DataError(
            f"{source}: patience_seconds: auto needs abandoned contacts and time waited in "
            f"the history window, and there are none for {listed}: give patience_seconds "
            "in seconds for these skills"
        )
    estimated = {
        s.skill_id: float(
            by_id.loc[s.skill_id, "patience_wait_s"] / by_id.loc[s.skill_id, "patience_abandoned"]
        )
        for s in auto
    }
    out = [
        replace(s, patience_s=estimated[s.skill_id]) if s.skill_id in estimated else s
        for s in skills
    ]
    table = totals[totals["skill_id"].isin(list(estimated))].reset_index(drop=True)
    return out, table

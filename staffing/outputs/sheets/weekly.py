"""The Weekly sheet: per plan week, all skills and then each skill, in one filtered table.

Volume, agent-hours, FTE-hours, FTE headcount, NHT, service level, abandonment and peak
agents per week (``Plan.weekly_total`` in bold, then ``Plan.weekly``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from staffing.outputs.cells import Formats, Widths, write_frame
from staffing.outputs.layout import landscape
from staffing.outputs.view import PlanView
from staffing.vocabulary import WORKLOAD

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter.worksheet import Worksheet

__all__ = ["write_weekly"]


def write_weekly(ws: Worksheet, view: PlanView, formats: Formats) -> None:
    """Per-week roll-ups in one filterable table: all skills first, then every skill.

    Parameters
    ----------
    ws : Worksheet
        The Weekly sheet.
    view : PlanView
        The plan.
    formats : Formats
        The workbook's formats.
    """
    widths = Widths()
    landscape(ws)
    ws.write_string(0, 0, f"Weekly requirements of plan {view.name}", formats.title)
    ws.write_string(
        1,
        0,
        f"Weeks start on the plan's first day ({view.timezone}). FTE headcount = FTE-hours / "
        "contracted hours per FTE per week; NHT, service level and abandonment are "
        "volume-weighted.",
        formats.note,
    )
    frame, n_total = _weekly_table(view)
    header = 3
    end = write_frame(
        ws, frame, header, formats, widths, view.timezone, bold_rows=set(range(n_total))
    )
    if len(frame):
        ws.autofilter(header, 0, end - 1, len(frame.columns) - 1)
        widths.see(0, 12)  # room for the filter button
    ws.freeze_panes(header + 1, 0)
    ws.repeat_rows(header)
    widths.apply(ws)


def _weekly_table(view: PlanView) -> tuple[pd.DataFrame, int]:
    """The all-skills rows and then each skill's, in one table; and how many are all-skills.

    The two share columns and filters: the all-skills rows get an empty skill id and the
    name ``All skills``; the columns are those of ``Plan.weekly`` first.
    """
    parts = []
    n_total = 0
    if view.weekly_total is not None:
        total = view.weekly_total.copy()
        n_total = len(total)
        if view.weekly is not None and "skill_id" in view.weekly.columns:
            total.insert(0, "skill_id", pd.array([pd.NA] * len(total), dtype="Int64"))
            total.insert(1, "skill_name", "All skills")
        parts.append(total)
    if view.weekly is not None:
        parts.append(view.weekly)
    frame = pd.concat(parts, ignore_index=True)
    frame = _weekly_service_level(frame, view, n_total=n_total)
    columns = list(view.weekly.columns) if view.weekly is not None else list(frame.columns)
    return frame[columns + [c for c in frame.columns if c not in columns]], n_total


def _weekly_service_level(frame: pd.DataFrame, view: PlanView, n_total: int) -> pd.DataFrame:
    """The Weekly table with no service level for workload skills (they have no target).

    Their rows' service level is blank and the all-skills rows' (the first ``n_total``) is
    volume-weighted over the skills with a target, as on the Summary. (The plan will give a
    workload skill a NaN service level itself; this blanking goes then.)
    """
    iv = view.intervals
    workload = iv["method"].astype(str) == WORKLOAD
    if "service_level" not in frame.columns or not workload.any():
        return frame
    out = frame.copy()
    ids = set(iv.loc[workload, "skill_id"].unique())
    if "skill_id" in out.columns:
        out.loc[out["skill_id"].isin(ids).fillna(False).to_numpy(bool), "service_level"] = np.nan
    if n_total and "week_start" in out.columns:
        local = iv["interval_start"].dt.tz_localize(None).dt.normalize()
        start = pd.Timestamp(view.meta.get("start") or local.min())
        week = _plan_week_codes(local, start).to_numpy()
        sl, vol = iv["service_level"].to_numpy(float), iv["volume"].to_numpy(float)
        ok = ~workload.to_numpy() & np.isfinite(sl) & (vol > 0)
        num = pd.Series(np.where(ok, sl * vol, 0.0)).groupby(week).sum()
        den = pd.Series(np.where(ok, vol, 0.0)).groupby(week).sum()
        by_week = (num / den.where(den > 0)).to_dict()
        starts = pd.to_datetime(out["week_start"].iloc[:n_total])
        codes = _plan_week_codes(starts, start).tolist()
        out.loc[out.index[:n_total], "service_level"] = [by_week.get(c, np.nan) for c in codes]
    return out


def _plan_week_codes(days: pd.Series, start: pd.Timestamp) -> pd.Series:
    """The plan week of each naive local day or time: 0 for the 7 days from ``start``, ...

    (The plan calendar's week code; it moves to :mod:`staffing.calendar`.)
    """
    return (days - start) // pd.Timedelta(days=7)

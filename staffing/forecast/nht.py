"""Expected NHT per skill and local hour of the week, with the rule (``nht_basis``) used."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from staffing.errors import DataError
from staffing.forecast.history import history_window, hour_band, hour_of_week
from staffing.vocabulary import (
    BASIS_BAND,
    BASIS_FALLBACK,
    BASIS_FILE,
    BASIS_HOUR,
    BASIS_OVERRIDE,
    BASIS_SKILL,
)

#: Robust bound for NHT outliers: median +- this many scaled MADs (per skill).
OUTLIER_MADS = 5.0
_MAD_TO_SIGMA = 1.4826


def nht_profile(
    history: pd.DataFrame,
    skills: Iterable,
    *,
    timezone: str,
    history_weeks: int,
    min_segments: float = 20,
    covered: Iterable[int] = (),
) -> pd.DataFrame:
    """Expected NHT per skill and local hour of the week, with the rule that produced it.

    Parameters
    ----------
    history : DataFrame
        Hourly history (:func:`hourly_history`), UTC.
    skills : iterable of ResolvedSkill
        Uses ``skill_id``, ``skill_name``, ``nht_seconds`` (override) and ``nht_fallback_s``.
    timezone : str
        IANA zone whose wall clock defines the hour of the week.
    history_weeks : int
        Only the last ``history_weeks`` weeks (before the newest hour in ``history``) count
        [weeks].
    min_segments : float
        Handled segments [-] a cell needs for its own weighted mean to be used.
    covered : iterable of int
        Skills whose every planned interval has the planner's own handle time (the volume
        forecast's ``handle_time_s``): an hour no rule gives an NHT is NaN with basis
        ``forecast_file`` instead of an error.

    Returns
    -------
    DataFrame
        ``skill_id, hour_of_week, nht_s, nht_basis``: 168 rows per skill.

    Raises
    ------
    DataError
        For a skill with no usable NHT at all (and not ``covered``), naming the skill.

    Notes
    -----
    Per skill, hours with both an NHT and handled segments > 0 are usable. Outliers are
    winsorised: each hour's NHT is clipped to median ± 5 × 1.4826 × MAD of that skill's
    usable hourly NHTs in the window (no clipping when the MAD is 0). A cell's NHT is
    Σ(NHT × segments) / Σ segments. Rules, in order (recorded in ``nht_basis``):

    1. ``override``: the skill's own ``nht_seconds`` (history not used);
    2. ``hour_of_week``: the cell has at least ``min_segments`` segments;
    3. ``hour_band``: the skill's weighted mean over the cell's band (weekday or weekend
       × 00-06, 06-12, 12-18, 18-24 local) if that has ``min_segments``;
    4. ``skill_mean``: the skill's overall weighted mean if it has ``min_segments``;
    5. ``configured``: ``defaults.nht_seconds``.
    """
    skills = list(skills)
    ids = np.array([s.skill_id for s in skills], dtype=np.int64)
    usable = _winsorised_hours(history, ids, timezone=timezone, history_weeks=history_weeks)
    cell = usable.groupby(["skill_id", "how"])[["weighted", "handled_segments"]].sum()
    band = usable.groupby(["skill_id", "band"])[["weighted", "handled_segments"]].sum()
    whole = usable.groupby("skill_id")[["weighted", "handled_segments"]].sum()

    grid = pd.DataFrame(
        {
            "skill_id": np.repeat(ids, 168),
            "hour_of_week": np.tile(np.arange(168, dtype=np.int64), len(ids)),
        }
    )
    grid["band"] = hour_band(grid["hour_of_week"].to_numpy())
    cell_nht, cell_ok = _weighted_lookup(
        cell, [grid["skill_id"], grid["hour_of_week"]], min_segments
    )
    band_nht, band_ok = _weighted_lookup(band, [grid["skill_id"], grid["band"]], min_segments)
    skill_nht, skill_ok = _weighted_lookup(whole, [grid["skill_id"]], min_segments)

    override = np.repeat([np.nan if s.nht_seconds is None else s.nht_seconds for s in skills], 168)
    fallback = np.repeat(
        [np.nan if s.nht_fallback_s is None else s.nht_fallback_s for s in skills], 168
    )
    has_override = ~np.isnan(override)
    has_fallback = ~np.isnan(fallback)
    conditions = [has_override, cell_ok, band_ok, skill_ok, has_fallback]
    grid["nht_s"] = np.select(
        conditions, [override, cell_nht, band_nht, skill_nht, fallback], default=np.nan
    )
    grid["nht_basis"] = np.select(
        conditions,
        [BASIS_OVERRIDE, BASIS_HOUR, BASIS_BAND, BASIS_SKILL, BASIS_FALLBACK],
        default="",
    )
    from_file = grid["nht_s"].isna() & grid["skill_id"].isin(list(covered))
    grid.loc[from_file, "nht_basis"] = BASIS_FILE
    missing = grid.loc[grid["nht_s"].isna() & ~from_file, "skill_id"].unique()
    if len(missing):
        raise _no_usable_nht(skills, missing, whole, history_weeks, min_segments)
    return grid[["skill_id", "hour_of_week", "nht_s", "nht_basis"]]


def _winsorised_hours(
    history: pd.DataFrame, ids: np.ndarray, *, timezone: str, history_weeks: int
) -> pd.DataFrame:
    """The usable hours of the skills in the window, NHT winsorised, weighted by segments.

    Parameters
    ----------
    history : DataFrame
        Hourly history (:func:`~staffing.forecast.history.hourly_history`), UTC.
    ids : numpy.ndarray
        Skill ids whose hours count.
    timezone : str
        IANA zone whose wall clock defines the hour of the week.
    history_weeks : int
        Only the last ``history_weeks`` weeks count [weeks].

    Returns
    -------
    DataFrame
        The hours with NHT and handled segments > 0: ``skill_id``, ``interval_start``,
        ``handled_segments``, ``net_handle_time_s`` [s], ``weighted`` (clipped NHT ×
        segments [s]), ``how`` (local hour of the week) and ``band`` (:func:`hour_band`).
    """
    hourly = history[history["skill_id"].isin(ids)] if len(history) else history
    if len(hourly):
        start, end = history_window(hourly, history_weeks)
        hourly = hourly[(hourly["interval_start"] >= start) & (hourly["interval_start"] < end)]
    usable = hourly[(hourly["handled_segments"] > 0) & hourly["net_handle_time_s"].notna()]
    usable = usable[["skill_id", "interval_start", "handled_segments", "net_handle_time_s"]].copy()
    nht = usable["net_handle_time_s"]
    by_skill = usable.groupby("skill_id")["net_handle_time_s"]
    median = by_skill.transform("median")
    mad = (nht - median).abs().groupby(usable["skill_id"]).transform("median")
    spread = (OUTLIER_MADS * _MAD_TO_SIGMA * mad).where(mad > 0, np.inf)  # MAD 0: no clip
    clipped = nht.clip(lower=(median - spread).clip(lower=0), upper=median + spread)
    usable["weighted"] = clipped * usable["handled_segments"]
    usable["how"] = hour_of_week(usable["interval_start"].dt.tz_convert(timezone))
    usable["band"] = hour_band(usable["how"].to_numpy())
    return usable


def _weighted_lookup(
    table: pd.DataFrame, keys: list[pd.Series], min_segments: float
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean NHT of ``table``'s rows at ``keys``, where they have enough segments.

    Parameters
    ----------
    table : DataFrame
        Sums of ``weighted`` [s] and ``handled_segments`` [-], indexed by the keys.
    keys : list of pandas.Series
        One series per index level: the rows to look up.
    min_segments : float
        Handled segments [-] a row needs for its mean to count.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The mean NHT [s] (NaN where too few segments) and the mask of rows with enough.
    """
    index = pd.MultiIndex.from_arrays(keys) if len(keys) > 1 else pd.Index(keys[0])
    found = table.reindex(index)
    segments = found["handled_segments"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = found["weighted"].to_numpy(dtype=float) / segments
    ok = np.nan_to_num(segments) >= min_segments
    return np.where(ok, mean, np.nan), ok


def _no_usable_nht(
    skills: list,
    missing: np.ndarray,
    whole: pd.DataFrame,
    history_weeks: int,
    min_segments: float,
) -> DataError:
    """The error naming the skills left without an NHT, with their handled segments.

    Parameters
    ----------
    skills : list of ResolvedSkill
        The planned skills (for their names).
    missing : numpy.ndarray
        Ids of the skills with no NHT by any rule.
    whole : DataFrame
        Per skill id, the sum of ``handled_segments`` [-] in the window.
    history_weeks : int
        Length of the window [weeks], for the message.
    min_segments : float
        Handled segments [-] a mean needs, for the message.

    Returns
    -------
    DataError
        To raise.
    """
    names = {s.skill_id: s.skill_name for s in skills}
    segs = whole["handled_segments"].reindex(missing).fillna(0)
    listed = ", ".join(
        f"{names[sid]!r} (id {sid}, {segs[sid]:g} handled segments)" for sid in missing
    )
    return DataError(
        f"no usable NHT for skill(s) {listed} in the last {history_weeks} weeks of history "
        f"(need at least {min_segments:g} handled segments): set nht_seconds for the skill "
        "or defaults.nht_seconds as a fallback"
    )

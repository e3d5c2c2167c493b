"""Forecasts for the planning run: expected NHT and volume per skill and hour of the week.

Hour of the week is always taken from **local wall time** in the plan's time zone
(``hour_of_week = weekday * 24 + hour``, Monday 00:00 = 0, so 0..167). A DST week
has 167 or 169 hourly intervals; the repeated autumn hour maps to the same hour of
the week twice and the skipped spring hour is simply absent.

History frames have the columns of the history store
(:meth:`staffing.store.HistoryStore.read`): ``skill_id``, ``interval_start``
(tz-aware UTC), ``interval_minutes``, ``arrivals``, ``handled_segments``,
``net_handle_time_s`` and optional others, NaN meaning "no data".
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from staffing.errors import DataError
from staffing.vocabulary import (
    BASIS_BAND,
    BASIS_FALLBACK,
    BASIS_HOUR,
    BASIS_OVERRIDE,
    BASIS_SKILL,
    HISTORY_COLUMNS,
)

__all__ = [
    "BASIS_BAND",
    "BASIS_FALLBACK",
    "BASIS_HOUR",
    "BASIS_OVERRIDE",
    "BASIS_SKILL",
    "HISTORY_COLUMNS",
    "backtest",
    "hour_of_week",
    "hourly_history",
    "interval_history",
    "nht_profile",
    "require_columns",
    "slot_of_week",
    "trend_factor",
    "volume_profile",
    "weekly_trend",
    "weighted_mean",
]


#: Robust bound for NHT outliers: median +- this many scaled MADs (per skill).
OUTLIER_MADS = 5.0
_MAD_TO_SIGMA = 1.4826
_WEEK = pd.Timedelta(days=7)


def hour_of_week(local_times: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Hour of the week of local timestamps, Monday 00:00 = 0 [-].

    Parameters
    ----------
    local_times : pandas.Series or pandas.DatetimeIndex
        Timestamps in the plan's zone (tz-aware); their wall clock is used as it is.

    Returns
    -------
    numpy.ndarray of int64
        ``weekday * 24 + hour``, 0..167 [-].
    """
    times = pd.DatetimeIndex(local_times)
    return (times.day_of_week * 24 + times.hour).to_numpy(dtype=np.int64)


def slot_of_week(local_times: pd.Series | pd.DatetimeIndex, minutes: int = 60) -> np.ndarray:
    """Interval of the week of local timestamps, Monday 00:00 = 0 [-].

    Parameters
    ----------
    local_times : pandas.Series or pandas.DatetimeIndex
        Timestamps in the plan's zone (tz-aware); their wall clock is used as it is.
    minutes : int
        Interval length [min] (15, 30 or 60): 60 gives :func:`hour_of_week`.

    Returns
    -------
    numpy.ndarray of int64
        ``(weekday * 1440 + hour * 60 + minute) // minutes``, 0 .. 7·1440/minutes − 1 [-].
    """
    times = pd.DatetimeIndex(local_times)
    minute_of_week = times.day_of_week * 1440 + times.hour * 60 + times.minute
    return (minute_of_week // minutes).to_numpy(dtype=np.int64)


def hour_band(how: np.ndarray) -> np.ndarray:
    """Band of an hour of the week: (weekend, six-hour block of the day) -> 0..7.

    Bands are 00-06, 06-12, 12-18, 18-24 on weekdays (0-3) and on Saturday/Sunday (4-7).

    Parameters
    ----------
    how : numpy.ndarray
        Hours of the week, 0..167 (as :func:`hour_of_week` gives them) [-].

    Returns
    -------
    numpy.ndarray
        The band of each hour, 0..7 [-].
    """
    how = np.asarray(how)
    return (how // 24 >= 5) * 4 + (how % 24) // 6


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


def weighted_mean(values: ArrayLike, weights: ArrayLike) -> float:
    """Weighted mean over the rows whose value is finite and whose weight is positive.

    The one rule for every mean NHT the project shows: NHT weighted by handled segments
    (``docs/models.md``), volume-weighted service levels and abandonment.

    Parameters
    ----------
    values : array_like
        Values, e.g. NHT [s]; NaN and infinite values are left out.
    weights : array_like
        Weights of the same length, e.g. handled segments [-]; rows with a weight that is
        not positive (or NaN) are left out.

    Returns
    -------
    float
        The weighted mean; NaN when no row is left.
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & (w > 0)
    if not ok.any():
        return float("nan")
    return float(np.sum(v[ok] * w[ok]) / np.sum(w[ok]))


def require_columns(frame: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise unless ``frame`` has every one of ``columns``.

    Parameters
    ----------
    frame : DataFrame
        The frame to check.
    columns : iterable of str
        Column names it must have.
    where : str
        What the frame is (a file name), for the error message.

    Raises
    ------
    DataError
        Naming ``where``, the missing columns and the columns the frame has.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{where}: missing column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, frame.columns))})"
        )


# ---------------------------------------------------------------------------
# History preparation
# ---------------------------------------------------------------------------


def hourly_history(history: pd.DataFrame, *, where: str = "NHT history") -> pd.DataFrame:
    """Bring history to one row per skill and UTC hour; -1 and negatives become NaN.

    At 15/30-minute intervals LivePerson copies the hourly-only metrics (NHT,
    handled segments) into every sub-bucket, so those are taken once per hour
    (first non-missing value) while arrivals are summed. An NHT of 0 is also "no data".
    At 60 minutes a repeated (skill, hour) keeps its last row.

    Parameters
    ----------
    history : DataFrame
        History in the store's shape: ``skill_id``, tz-aware ``interval_start``,
        ``net_handle_time_s`` [s], ``arrivals``, ``handled_segments`` and optionally
        ``interval_minutes`` [min] (60 when absent).
    where : str
        What the history is, for the error messages.

    Returns
    -------
    DataFrame
        Columns :data:`HISTORY_COLUMNS`, UTC hours, ``interval_minutes`` 60, sorted by
        skill and time; NaN for "no data".

    Raises
    ------
    DataError
        A required column is missing or ``interval_start`` is not timezone-aware.
    """
    require_columns(
        history,
        ["skill_id", "interval_start", "net_handle_time_s", "arrivals", "handled_segments"],
        where,
    )
    frame = history.copy()
    frame["skill_id"] = frame["skill_id"].astype("int64")
    starts = pd.DatetimeIndex(frame["interval_start"])
    if starts.tz is None:
        raise DataError(f"{where}: interval_start must be timezone-aware (UTC)")
    frame["interval_start"] = starts.tz_convert("UTC")
    for column in ("net_handle_time_s", "arrivals", "handled_segments"):
        values = frame[column].astype(float)
        frame[column] = values.where(values >= 0)
    frame.loc[frame["net_handle_time_s"] <= 0, "net_handle_time_s"] = np.nan
    minutes = frame["interval_minutes"] if "interval_minutes" in frame.columns else 60
    if np.any(np.asarray(minutes) < 60):
        frame["interval_start"] = frame["interval_start"].dt.floor("h")
        grouped = frame.groupby(["skill_id", "interval_start"], sort=True)
        frame = pd.DataFrame(
            {
                "arrivals": grouped["arrivals"].sum(min_count=1),
                "handled_segments": grouped["handled_segments"].first(),
                "net_handle_time_s": grouped["net_handle_time_s"].first(),
            }
        ).reset_index()
    else:
        frame = frame.drop_duplicates(["skill_id", "interval_start"], keep="last")
        frame = frame.sort_values(["skill_id", "interval_start"], ignore_index=True)
    frame["interval_minutes"] = 60
    return frame[list(HISTORY_COLUMNS)].reset_index(drop=True)


def interval_history(
    history: pd.DataFrame, minutes: int, *, where: str = "NHT history"
) -> tuple[pd.DataFrame, int]:
    """Arrivals per skill and interval of ``minutes`` when the history is that fine, else hourly.

    Parameters
    ----------
    history : DataFrame
        History in the store's shape (as :func:`hourly_history` takes it).
    minutes : int
        The plan's interval length [min].
    where : str
        What the history is, for the error messages.

    Returns
    -------
    frame : DataFrame
        ``skill_id, interval_start`` (UTC), ``interval_minutes``, ``arrivals`` (summed;
        NaN = no data), sorted by skill and time.
    grain : int
        The frame's interval length [min]: ``minutes`` when every row's length divides it,
        else 60 (:func:`hourly_history`'s arrivals, which a sub-hour plan splits evenly).
    """
    hourly = hourly_history(history, where=where)
    lengths = (
        history["interval_minutes"].to_numpy(dtype=float)
        if "interval_minutes" in history.columns
        else np.array([60.0])
    )
    fine = len(history) > 0 and bool(np.all(np.isfinite(lengths) & (minutes % lengths == 0)))
    if minutes >= 60 or not fine:
        return hourly[["skill_id", "interval_start", "interval_minutes", "arrivals"]], 60
    frame = pd.DataFrame(
        {
            "skill_id": history["skill_id"].astype("int64").to_numpy(),
            "interval_start": pd.DatetimeIndex(history["interval_start"])
            .tz_convert("UTC")
            .floor(f"{minutes}min"),
            "arrivals": history["arrivals"].astype(float).to_numpy(),
        }
    )
    frame["arrivals"] = frame["arrivals"].where(frame["arrivals"] >= 0)
    grouped = frame.groupby(["skill_id", "interval_start"], sort=True)["arrivals"]
    frame = grouped.sum(min_count=1).reset_index()
    frame.insert(2, "interval_minutes", minutes)
    return frame, minutes


def history_window(hourly: pd.DataFrame, weeks: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(start, end) in UTC of the last ``weeks`` weeks of the history; end is exclusive.

    Parameters
    ----------
    hourly : DataFrame
        Hourly history (:func:`hourly_history`), UTC.
    weeks : int
        Length of the window [weeks].

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)
        ``end`` is the end of the hour of the newest ``interval_start``; ``start`` is
        ``weeks`` weeks earlier.

    Raises
    ------
    DataError
        ``hourly`` is empty.
    """
    if hourly.empty:
        raise DataError("NHT history is empty: nothing to forecast from")
    end = hourly["interval_start"].max().floor("h") + pd.Timedelta(hours=1)
    return end - weeks * _WEEK, end


# ---------------------------------------------------------------------------
# NHT
# ---------------------------------------------------------------------------


def nht_profile(
    history: pd.DataFrame,
    skills: Iterable,
    *,
    timezone: str,
    history_weeks: int,
    min_segments: float = 20,
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

    Returns
    -------
    DataFrame
        ``skill_id, hour_of_week, nht_s, nht_basis``: 168 rows per skill.

    Raises
    ------
    DataError
        For a skill with no usable NHT at all, naming the skill.

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

    def lookup(table: pd.DataFrame, keys: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
        index = pd.MultiIndex.from_arrays(keys) if len(keys) > 1 else pd.Index(keys[0])
        found = table.reindex(index)
        segments = found["handled_segments"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = found["weighted"].to_numpy(dtype=float) / segments
        ok = np.nan_to_num(segments) >= min_segments
        return np.where(ok, mean, np.nan), ok

    cell_nht, cell_ok = lookup(cell, [grid["skill_id"], grid["hour_of_week"]])
    band_nht, band_ok = lookup(band, [grid["skill_id"], grid["band"]])
    skill_nht, skill_ok = lookup(whole, [grid["skill_id"]])

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
    missing = grid.loc[grid["nht_s"].isna(), "skill_id"].unique()
    if len(missing):
        names = {s.skill_id: s.skill_name for s in skills}
        segs = whole["handled_segments"].reindex(missing).fillna(0)
        listed = ", ".join(
            f"{names[sid]!r} (id {sid}, {segs[sid]:g} handled segments)" for sid in missing
        )
        raise DataError(
            f"no usable NHT for skill(s) {listed} in the last {history_weeks} weeks of history "
            f"(need at least {min_segments:g} handled segments): set nht_seconds for the skill "
            "or defaults.nht_seconds as a fallback"
        )
    return grid[["skill_id", "hour_of_week", "nht_s", "nht_basis"]]


# ---------------------------------------------------------------------------
# Volume
# ---------------------------------------------------------------------------


def weekly_trend(
    history: pd.DataFrame, skill_ids: Iterable[int], *, weeks: int, end: pd.Timestamp
) -> pd.Series:
    """Per skill, the multiplicative weekly trend of arrivals over the weeks before ``end``.

    Parameters
    ----------
    history : DataFrame
        Hourly history (:func:`hourly_history`), UTC; ``arrivals`` NaN = no data.
    skill_ids : iterable of int
        Skills to fit.
    weeks : int
        Whole weeks before ``end`` that count [weeks].
    end : Timestamp
        Exclusive end of the window (UTC).

    Returns
    -------
    pandas.Series
        Indexed by skill id: the slope b of the least-squares line ln Lₖ = a + b·k through
        the skill's weeks k (oldest first) [1/week], where Lₖ is the week's mean arrivals
        per hour with data (so a missing hour does not read as a fall). ``exp(b) − 1`` is
        the growth per week. NaN for a skill with fewer than 3 weeks of positive Lₖ.
    """
    ids = np.fromiter(skill_ids, dtype=np.int64)
    frame = history[history["skill_id"].isin(ids) & history["arrivals"].notna()]
    starts = frame["interval_start"]
    frame = frame[(starts < end) & (starts >= end - weeks * _WEEK)]
    week = ((frame["interval_start"] - (end - weeks * _WEEK)) // _WEEK).to_numpy(dtype=np.int64)
    level = pd.DataFrame(
        {
            "skill_id": frame["skill_id"].to_numpy(),
            "k": week,
            "a": frame["arrivals"].to_numpy(dtype=float),
        }
    )
    level = level.groupby(["skill_id", "k"], as_index=False)["a"].mean()
    level = level[level["a"] > 0]
    level["y"] = np.log(level["a"])
    by = level.groupby("skill_id")
    dk = level["k"] - by["k"].transform("mean")
    dy = level["y"] - by["y"].transform("mean")
    sums = (
        pd.DataFrame({"skill_id": level["skill_id"], "kk": dk * dk, "ky": dk * dy, "n": 1})
        .groupby("skill_id")
        .sum()
    )
    slope = (sums["ky"] / sums["kk"]).where(sums["n"] >= 3)
    return slope.reindex(ids).astype(float)


def trend_factor(
    slope: ArrayLike, times: pd.Series | pd.DatetimeIndex, end: pd.Timestamp
) -> np.ndarray:
    """The trend's factor at ``times`` relative to ``end``: ``exp(b · (t − end) / 1 week)``.

    Parameters
    ----------
    slope : array_like
        b per row [1/week] (:func:`weekly_trend`); NaN is no trend (factor 1).
    times : pandas.Series or pandas.DatetimeIndex
        tz-aware instants, one per row (or broadcast against ``slope``).
    end : Timestamp
        The instant where the factor is 1 (the end of the history window).

    Returns
    -------
    numpy.ndarray
        The factor [-] per row.
    """
    weeks = (pd.DatetimeIndex(times) - end) / _WEEK
    b = np.nan_to_num(np.asarray(slope, dtype=float))
    return np.exp(b * np.asarray(weeks, dtype=float))


def volume_profile(
    history: pd.DataFrame,
    skill_ids: Iterable[int],
    *,
    timezone: str,
    weeks: int,
    decay: float = 0.75,
    end: pd.Timestamp | None = None,
    trend: pd.Series | None = None,
    minutes: int = 60,
) -> pd.DataFrame:
    """Seasonal profile of arrivals per interval of the week, recent weeks weighted more.

    Parameters
    ----------
    history : DataFrame
        History of ``minutes`` intervals (:func:`hourly_history` or
        :func:`interval_history`), UTC; ``arrivals`` NaN = no data.
    skill_ids : iterable of int
        Skills to forecast; a skill without arrivals in the window gets 0.
    timezone : str
        Zone whose wall clock defines the hour of the week.
    weeks : int
        Number of whole weeks before ``end`` that count [weeks].
    decay : float
        Weight of a week relative to the next more recent one [-]: the week ending at
        ``end`` weighs 1, the one before ``decay``, then ``decay**2``, ...
    end : Timestamp, optional
        Exclusive end of the window (default: one hour after the newest history row).
    trend : pandas.Series, optional
        Slope b per skill id (:func:`weekly_trend`) [1/week]: each hour's arrivals are first
        divided by :func:`trend_factor` at its start, so the profile is the level at ``end``
        (multiply a forecast by :func:`trend_factor` at its own times). Default no trend.
    minutes : int
        The history's interval length [min]: the profile's cells are the intervals of the
        week (:func:`slot_of_week`); 60 gives hours of the week.

    Returns
    -------
    DataFrame
        ``skill_id, hour_of_week, volume`` (arrivals per interval of ``minutes`` [-]),
        7·1440/``minutes`` rows per skill; ``hour_of_week`` holds the interval of the week
        (the hour of the week at 60 minutes).

    Notes
    -----
    Each cell is Σ wₖ·aₖ / Σ wₖ over the weeks k with data for that interval (missing
    intervals are left out, not counted as zero: closed hours count as zero only where the
    history has zero rows for them, :func:`staffing.special_days.fill_closed`). A cell with
    no data in any week takes the skill's weighted mean for the same local time of day;
    failing that, 0.
    """
    ids = np.fromiter(skill_ids, dtype=np.int64)
    if end is None:
        _, end = history_window(history, weeks)
    frame = history[history["skill_id"].isin(ids) & history["arrivals"].notna()]
    starts = frame["interval_start"]
    frame = frame[(starts < end) & (starts >= end - weeks * _WEEK)]
    age = ((end - frame["interval_start"]) // _WEEK).to_numpy(dtype=np.int64)
    weight = decay ** age.astype(float)
    arrivals = frame["arrivals"].to_numpy(dtype=float)
    if trend is not None:
        slope = trend.reindex(frame["skill_id"].to_numpy()).to_numpy(dtype=float)
        arrivals = arrivals / trend_factor(slope, frame["interval_start"], end)
    work = pd.DataFrame(
        {
            "skill_id": frame["skill_id"].to_numpy(),
            "how": slot_of_week(frame["interval_start"].dt.tz_convert(timezone), minutes),
            "w": weight,
            "wa": weight * arrivals,
        }
    )
    per_day = 1440 // minutes
    work["hod"] = work["how"] % per_day
    cell = work.groupby(["skill_id", "how"])[["w", "wa"]].sum()
    hod = work.groupby(["skill_id", "hod"])[["w", "wa"]].sum()
    grid = pd.DataFrame(
        {
            "skill_id": np.repeat(ids, 7 * per_day),
            "hour_of_week": np.tile(np.arange(7 * per_day, dtype=np.int64), len(ids)),
        }
    )
    c = cell.reindex(pd.MultiIndex.from_arrays([grid["skill_id"], grid["hour_of_week"]]))
    h = hod.reindex(pd.MultiIndex.from_arrays([grid["skill_id"], grid["hour_of_week"] % per_day]))
    with np.errstate(invalid="ignore", divide="ignore"):
        own = c["wa"].to_numpy() / c["w"].to_numpy()
        same_hour = h["wa"].to_numpy() / h["w"].to_numpy()
    grid["volume"] = np.where(
        np.isfinite(own), own, np.where(np.isfinite(same_hour), same_hour, 0.0)
    )
    return grid


def backtest(
    history: pd.DataFrame,
    skills: Iterable,
    *,
    timezone: str,
    weeks: int,
    decay: float = 0.75,
    trend: bool = False,
    minutes: int = 60,
) -> pd.DataFrame:
    """Hold out the last week of history, forecast it from the weeks before, report WAPE.

    Parameters
    ----------
    history : DataFrame
        Hourly history (:func:`hourly_history`), UTC; ``arrivals`` NaN = no data.
    skills : iterable of ResolvedSkill
        Uses ``skill_id`` and ``skill_name``.
    timezone : str
        IANA zone whose wall clock defines the hour of the week.
    weeks : int
        Weeks before the held-out week that the forecast uses [weeks] (as
        :func:`volume_profile`).
    decay : float
        Weight of each older week relative to the next newer one [-].
    trend : bool
        Also forecast the held-out week with a weekly trend (:func:`weekly_trend` fitted on
        the same weeks before it) and keep it per skill only where its WAPE is lower.
    minutes : int
        The history's interval length [min] (:func:`interval_history`): the WAPE is that of
        the forecast per interval of ``minutes``.

    Returns
    -------
    DataFrame
        ``skill_id, skill_name, wape, actual_volume, hours``, one row per skill (with
        ``trend``, also ``wape_no_trend``, ``wape_trend`` (NaN when no trend could be fitted)
        and ``trend_used``, True where ``wape_trend < wape_no_trend``; ``wape`` is then the
        chosen forecast's): WAPE =
        Σ|actual − forecast| / Σ actual over the held-out hours that have data [-] (NaN
        when Σ actual = 0 or the skill has no held-out data); ``actual_volume`` [-]
        and ``hours`` [h] count those intervals (their number × ``minutes`` / 60). No rows
        when the history is empty, or has no week before the held-out one, or no held-out
        arrivals. Growth factors are not
        applied: they describe the future, not the held-out week.
    """
    skills = list(skills)
    ids = [s.skill_id for s in skills]
    columns = ["skill_id", "skill_name", "wape", "actual_volume", "hours"]
    if trend:
        columns += ["wape_no_trend", "wape_trend", "trend_used"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    _, end = history_window(history, weeks)
    cut = end - _WEEK
    train = history[history["interval_start"] < cut]
    held = history[
        (history["interval_start"] >= cut)
        & history["skill_id"].isin(ids)
        & history["arrivals"].notna()
    ]
    if train.empty or held.empty:
        return pd.DataFrame(columns=columns)
    how = slot_of_week(held["interval_start"].dt.tz_convert(timezone), minutes)
    cells = pd.MultiIndex.from_arrays([held["skill_id"], how])

    def wape_of(slope: pd.Series | None) -> tuple[pd.DataFrame, pd.Series]:
        profile = volume_profile(
            train,
            ids,
            timezone=timezone,
            weeks=weeks,
            decay=decay,
            end=cut,
            trend=slope,
            minutes=minutes,
        )
        predicted = (
            profile.set_index(["skill_id", "hour_of_week"])["volume"].reindex(cells).to_numpy()
        )
        if slope is not None:
            predicted = predicted * trend_factor(
                slope.reindex(held["skill_id"].to_numpy()).to_numpy(), held["interval_start"], cut
            )
        err = pd.DataFrame(
            {
                "skill_id": held["skill_id"].to_numpy(),
                "abs_err": np.abs(held["arrivals"].to_numpy() - predicted),
                "actual": held["arrivals"].to_numpy(),
            }
        )
        sums = (
            err.groupby("skill_id")
            .agg(
                abs_err=("abs_err", "sum"),
                actual_volume=("actual", "sum"),
                hours=("actual", "size"),
            )
            .reindex(ids)
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            wape = sums["abs_err"] / sums["actual_volume"].where(sums["actual_volume"] > 0)
        return sums, wape

    out, wape = wape_of(None)
    held_hours = out["hours"].fillna(0).to_numpy(dtype=np.int64)  # intervals, then hours
    names = pd.Series({s.skill_id: s.skill_name for s in skills})
    table = pd.DataFrame(
        {
            "skill_id": np.asarray(ids, dtype=np.int64),
            "skill_name": names.reindex(ids).to_numpy(),
            "wape": wape.to_numpy(dtype=float),
            "actual_volume": out["actual_volume"].fillna(0).to_numpy(dtype=float),
            "hours": held_hours if minutes == 60 else held_hours * (minutes / 60),
        }
    )
    if trend:
        slope = weekly_trend(train, ids, weeks=weeks, end=cut)
        with_trend = wape_of(slope)[1].to_numpy(dtype=float, copy=True)
        with_trend[np.isnan(slope.to_numpy())] = np.nan
        used = with_trend < table["wape"].to_numpy()  # NaN compares False: no trend
        table["wape_no_trend"] = table["wape"]
        table["wape_trend"] = with_trend
        table["trend_used"] = used
        table["wape"] = np.where(used, with_trend, table["wape_no_trend"])
    return table

"""The planning run's volume stage: the forecast per skill and interval, special days applied.

The volume comes from a planner's forecast (a file or DataFrame) or from the history
(hour-of-week profile, recency decay, growth, optional weekly trend, backtest). Special
days then copy a reference day's volume (``like``), scale it, or close the day.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffing import forecast
from staffing import special_days as specials
from staffing.config import PlanConfig, ResolvedSkill
from staffing.errors import DataError, DataWarning
from staffing.plan.history import HourlyHistory
from staffing.plan.progress import Progress, tell
from staffing.sources import files
from staffing.sources.file_intervals import sum_volume_rows
from staffing.sources.handle_times import handle_times_on_grid

__all__ = [
    "VolumeForecast",
    "apply_special_days",
    "covered_skills",
    "read_volume_source",
    "volume_forecast",
]

#: Columns of the backtest table when the volume does not come from history.
BACKTEST_COLUMNS = ["skill_id", "skill_name", "wape", "actual_volume", "hours"]


@dataclass
class VolumeForecast:
    """The volume forecast on the plan's grid.

    Attributes
    ----------
    values : ndarray
        Volume per skill and interval, flat and skill-major [-].
    reference : DataFrame
        ``skill_id, interval_start, volume`` a special day's ``like`` copies from.
    source : str
        Where the volume came from (``meta["volume_source"]``).
    backtest : DataFrame
        :attr:`staffing.plan.Plan.backtest`.
    notes : list of str
        What the planner should double-check about the forecast.
    handle_time : ndarray, optional
        The planner's own handle time per skill and interval [s], flat and skill-major,
        NaN where the forecast gives none; None when it has no handle-time column.
    """

    values: np.ndarray
    reference: pd.DataFrame
    source: str
    backtest: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    handle_time: np.ndarray | None = None


def volume_forecast(
    config: PlanConfig,
    volume: pd.DataFrame | None,
    history: HourlyHistory,
    grid: pd.DatetimeIndex,
    effects: dict[str, np.ndarray],
    progress: Progress,
) -> VolumeForecast:
    """The volume of every skill and interval: the planner's forecast, or from history.

    Parameters
    ----------
    config : PlanConfig
        The validated config (``volume`` section).
    volume : DataFrame, optional
        A forecast given to :func:`staffing.plan.plan`.
    history : HourlyHistory
        The history (its ``volume`` at the plan's interval where it has it; special days
        and holidays left out).
    grid : DatetimeIndex
        The plan's interval starts.
    effects : dict of str to ndarray
        :func:`staffing.special_days.day_effects` on the grid (its ``like`` days and
        closures).
    progress : callable, optional
        The run's progress callback.

    Returns
    -------
    VolumeForecast
        Special days not yet applied (:func:`apply_special_days`).
    """
    if volume is not None or config.volume.source == "file":
        return _planner_forecast(config, volume, grid, effects["closed"])
    return _history_forecast(config, history, grid, effects, progress)


def _planner_forecast(
    config: PlanConfig, volume: pd.DataFrame | None, grid: pd.DatetimeIndex, closed: np.ndarray
) -> VolumeForecast:
    """A planner's forecast (a DataFrame, else the config's file) on the plan grid."""
    tz = config.plan.timezone
    where = "volume DataFrame" if volume is not None else str(config.volume.path)
    if volume is None:
        volume = read_volume_source(config)
    checked = files.check_volume_frame(volume, timezone=tz, where=where)
    checked = sum_volume_rows(checked, config.plan.interval_minutes, zone=tz, where=where)
    ids = [s.skill_id for s in config.resolved_skills]
    checked = _absent_as_zero(config, checked, grid, closed, where)
    values, note = files.volume_on_grid(checked, grid, ids, where=where)
    return VolumeForecast(
        values=values,
        reference=checked,
        source="DataFrame" if where == "volume DataFrame" else f"file {where}",
        backtest=pd.DataFrame(columns=BACKTEST_COLUMNS),
        notes=[note] if note else [],
        handle_time=handle_times_on_grid(checked, grid, ids),
    )


def read_volume_source(config: PlanConfig) -> pd.DataFrame:
    """The config's volume file, read with its layout keys and summed to the plan's interval.

    Parameters
    ----------
    config : PlanConfig
        A validated config with ``volume.source: file``.

    Returns
    -------
    DataFrame
        As :func:`staffing.sources.files.read_volume_file` returns it.

    Raises
    ------
    DataError
        The file cannot be read or has problems (all listed).
    """
    path = config.volume.path
    assert path is not None  # the config checks this
    return files.read_volume_file(
        path,
        timezone=config.plan.timezone,
        sheet=config.volume.sheet,
        interval_minutes=config.plan.interval_minutes,
        file_timezone=config.volume.timezone,
        **config.volume.reader_kwargs(),
    )


def covered_skills(
    config: PlanConfig, handle_time: np.ndarray | None, grid: pd.DatetimeIndex
) -> list[int]:
    """The skills whose every interval has the planner's own handle time; without history,
    every other skill needs ``nht_seconds``.

    Parameters
    ----------
    config : PlanConfig
        The validated config (no ``nht`` section: no history).
    handle_time : ndarray, optional
        :attr:`VolumeForecast.handle_time`.
    grid : DatetimeIndex
        The plan's interval starts.

    Returns
    -------
    list of int
        Ids of the skills the volume forecast gives a handle time for in every interval.

    Raises
    ------
    DataError
        The config has no history (``nht.source: none``) and a skill has neither an
        ``nht_seconds`` (its own or in ``defaults``) nor a handle time in every interval,
        naming the skills and how many intervals lack one.
    """
    skills = config.resolved_skills
    n_t = len(grid)
    given = (
        np.zeros((len(skills), n_t), dtype=bool)
        if handle_time is None
        else ~np.isnan(handle_time.reshape(len(skills), n_t))
    )
    covered = [s.skill_id for s, row in zip(skills, given, strict=True) if row.all()]
    if config.nht.source != "none":
        return covered
    lacking = [
        (s, int((~row).sum()))
        for s, row in zip(skills, given, strict=True)
        if not row.all() and s.nht_seconds is None and s.nht_fallback_s is None
    ]
    if lacking:
        listed = "; ".join(
            f"{s.skill_name!r} (id {s.skill_id}) has neither "
            f"(no handle_time_s in {gaps} of its {n_t} intervals)"
            for s, gaps in lacking
        )
        raise DataError(
            "the config has no nht section, so there is no NHT history: every skill needs "
            "nht_seconds (on the skill or in defaults) or a handle_time_s in the volume file "
            f"for every interval of the horizon; {listed}"
        )
    return covered


def _absent_as_zero(
    config: PlanConfig,
    volume: pd.DataFrame,
    grid: pd.DatetimeIndex,
    closed: np.ndarray,
    where: str,
) -> pd.DataFrame:
    """A forecast with a zero row for each planned skill and interval it leaves out.

    Absent intervals in a skill's closed hours (``open_hours`` or a closed special day) are
    zero, as in ``scheduled:`` files; absent open intervals are zero too, warned once with
    their count and local dates. A skill without any row in the horizon is left as it is
    (:func:`staffing.sources.files.volume_on_grid` refuses it).
    """
    skills = config.resolved_skills
    minutes = config.plan.interval_minutes
    own = pd.MultiIndex.from_arrays(
        [volume["skill_id"].to_numpy(dtype=np.int64), pd.DatetimeIndex(volume["interval_start"])]
    )
    weekday, minute = np.asarray(grid.day_of_week), np.asarray(grid.hour * 60 + grid.minute)
    rows, open_gaps = [volume], []
    for index, skill in enumerate(skills):
        wanted = pd.MultiIndex.from_arrays([np.full(len(grid), skill.skill_id), grid])
        absent = ~wanted.isin(own)
        if not absent.any() or absent.all():  # a skill without any row: not forecast, an error
            continue
        hours = skill.open_hours
        is_open = (
            np.ones(len(grid), dtype=bool)
            if hours is None
            else hours.is_open(weekday, minute, minutes)
        )
        is_open &= ~closed[index * len(grid) : (index + 1) * len(grid)]
        open_gaps.append(grid[absent & is_open])
        rows.append(pd.DataFrame({"skill_id": skill.skill_id, "interval_start": grid[absent]}))
    if len(rows) == 1:
        return volume
    gaps = open_gaps[0].append(open_gaps[1:]) if open_gaps else pd.DatetimeIndex([])
    if len(gaps):
        dates = sorted(set(gaps.strftime("%Y-%m-%d")))
        listed = ", ".join(dates[:10]) + (f" and {len(dates) - 10} more" if len(dates) > 10 else "")
        warnings.warn(
            f"{where}: {len(gaps)} skill-interval(s) in open hours have no row, on "
            f"{len(dates)} day(s) ({listed}); they are taken as zero volume",
            DataWarning,
            stacklevel=2,
        )
    added = pd.concat(rows[1:], ignore_index=True).assign(volume=0.0)
    return pd.concat([volume, added[volume.columns.intersection(added.columns)]], ignore_index=True)


def _check_recent_arrivals(
    hourly: pd.DataFrame, skills: list[ResolvedSkill], weeks: int, nht_source: str
) -> pd.Timestamp:
    """The history's end; a skill without arrivals in its last ``weeks`` weeks is an error."""
    _, hist_end = forecast.history_window(hourly, weeks)  # DataError when empty
    recent = hourly[
        (hourly["interval_start"] >= hist_end - pd.Timedelta(weeks=weeks))
        & hourly["arrivals"].notna()
    ]
    silent = [s for s in skills if s.skill_id not in set(recent["skill_id"].unique())]
    if silent:
        listed = ", ".join(f"{s.skill_name!r} (id {s.skill_id})" for s in silent)
        raise DataError(
            f"{nht_source}: no arrivals at all for skill(s) {listed} in the last {weeks} "
            "weeks of history, so volume.source 'history' cannot forecast them: check the "
            "skill id, or give a volume file"
        )
    return hist_end


def _history_forecast(
    config: PlanConfig,
    history: HourlyHistory,
    grid: pd.DatetimeIndex,
    effects: dict[str, np.ndarray],
    progress: Progress,
) -> VolumeForecast:
    """The volume forecast from history: profile × growth × trend, and its backtest.

    The profile has the history's grain (the plan's interval when the history has it, else
    hours, split evenly over the plan's intervals).
    """
    tz, minutes = config.plan.timezone, config.plan.interval_minutes
    hourly, grain, nht_source = history.volume, history.volume_minutes, history.source
    if hourly.empty:
        hourly = history.hourly
    skills = config.resolved_skills
    ids = np.array([s.skill_id for s in skills], dtype=np.int64)
    weeks = config.volume.history_weeks or config.nht.history_weeks
    decay = config.volume.recency_decay
    hist_end = _check_recent_arrivals(hourly, skills, weeks, nht_source)
    tell(progress, "backtesting the volume forecast on the last week")
    auto = config.volume.trend == "auto"
    bt = forecast.backtest(
        hourly, skills, timezone=tz, weeks=weeks, decay=decay, trend=auto, minutes=grain
    )
    slope = pd.Series(0.0, index=ids)
    if auto:  # the trend of the whole window, for the skills whose backtest it improves
        used = bt.set_index("skill_id")["trend_used"].reindex(ids).fillna(False)
        fitted = forecast.weekly_trend(hourly, ids, weeks=weeks, end=hist_end).fillna(0.0)
        slope = fitted.where(used.to_numpy(dtype=bool), 0.0)
        bt["trend_per_week"] = np.expm1(slope.reindex(bt["skill_id"]).to_numpy())
    profile = forecast.volume_profile(
        hourly,
        ids,
        timezone=tz,
        weeks=weeks,
        decay=decay,
        trend=slope if auto else None,
        minutes=grain,
    )
    growth = np.array([config.volume.growth.factor(s.skill_id) for s in skills])
    per_slot = profile["volume"].to_numpy().reshape(len(skills), -1) * growth[:, None]

    def base_volume(times: pd.DatetimeIndex) -> np.ndarray:
        trend = forecast.trend_factor(slope.to_numpy()[:, None], times, hist_end)
        slots = forecast.slot_of_week(times, grain)
        return (per_slot[:, slots] * trend).ravel() * (minutes / grain)

    days = specials.local_days(effects["like"], tz, minutes)
    n_sk = len(skills)
    reference = pd.DataFrame(
        {
            "skill_id": np.repeat(ids, len(days)),
            "interval_start": days.append([days] * (n_sk - 1)) if n_sk > 1 else days,
            "volume": base_volume(days),
        }
    )
    source = f"history ({weeks} weeks, recency decay {decay:g}, growth applied" + (
        ", weekly trend where it improves the backtest)" if auto else ")"
    )
    return VolumeForecast(base_volume(grid), reference, source, bt)


def apply_special_days(
    vol: np.ndarray,
    nht: np.ndarray,
    effects: dict[str, np.ndarray],
    reference: pd.DataFrame,
    ids: np.ndarray,
    grid: pd.DatetimeIndex,
) -> tuple[np.ndarray, np.ndarray]:
    """Volume and NHT with the special days applied: like, then factors; closed is 0.

    Parameters
    ----------
    vol, nht : ndarray
        Volume [-] and NHT [s] per skill and interval, flat and skill-major.
    effects : dict of str to ndarray
        :func:`staffing.special_days.day_effects` on the grid.
    reference : DataFrame
        The volume a ``like`` copies (:attr:`VolumeForecast.reference`).
    ids : ndarray
        Skill ids in plan order.
    grid : DatetimeIndex
        The plan's interval starts.

    Returns
    -------
    vol, nht : ndarray

    Raises
    ------
    DataError
        A ``like`` date with no forecast volume.
    """
    like = effects["like"]
    if not np.isnat(like).all():
        copied = specials.like_volume(reference, ids, grid, like)
        lacking = ~np.isnat(like) & np.isnan(copied)
        if lacking.any():
            row = int(np.flatnonzero(lacking)[0])
            raise DataError(
                f"special_days: like {like[row]} has no forecast volume for skill "
                f"{ids[row // len(grid)]} (the reference date must be in the "
                "volume file)"
            )
        vol = np.where(np.isnat(like), vol, copied)
    vol = np.where(effects["closed"], 0.0, vol * effects["volume_factor"])
    return vol, nht * effects["nht_factor"]

"""The planning run's history stage: the horizon, the NHT history and its hourly window."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffing import forecast
from staffing import special_days as specials
from staffing.config import PlanConfig, ResolvedSkill
from staffing.errors import DataError, DataWarning
from staffing.plan.patience import waiting_totals
from staffing.plan.progress import Progress, tell
from staffing.sources import files
from staffing.vocabulary import HISTORY_COLUMNS

__all__ = [
    "CLOSED_SHARE_WARN",
    "HourlyHistory",
    "horizon",
    "hourly_history",
    "load_history",
    "warn_shifted_history",
]

#: Above this share of the history's arrivals in closed hours, a shift of the times is sought
#: (bank_calls.csv read as UTC puts 31 % there: its mornings land before opening).
CLOSED_SHARE_WARN = 0.2

#: What the NHT source is called when every skill has an ``nht_seconds`` override.
OVERRIDES_ONLY = "overrides only"
#: ... when the config has no ``nht`` section (no history at all).
NO_HISTORY = "no history (nht_seconds and the volume file's handle times)"


def horizon(config: PlanConfig) -> pd.DatetimeIndex:
    """The plan's interval starts, local (``plan.start`` to ``plan.end`` inclusive).

    Parameters
    ----------
    config : PlanConfig
        A validated config.

    Returns
    -------
    pandas.DatetimeIndex
        tz-aware in ``plan.timezone``, one per interval, with its ``freq``.
    """
    tz = config.plan.timezone
    start = pd.Timestamp(config.plan.start).tz_localize(tz, nonexistent="shift_forward")
    end = pd.Timestamp(config.plan.end_exclusive).tz_localize(tz, nonexistent="shift_forward")
    grid = pd.date_range(start, end, freq=f"{config.plan.interval_minutes}min", inclusive="left")
    return grid.as_unit("ns")


def load_history(
    config: PlanConfig, nht_history: pd.DataFrame | None, progress: Progress
) -> tuple[pd.DataFrame, str]:
    """The raw NHT history and where it came from (a DataFrame, the file or the store).

    Parameters
    ----------
    config : PlanConfig
        The validated config (``nht`` source, store, LivePerson fetch).
    nht_history : DataFrame, optional
        History in the store's shape, used instead of the config's source.
    progress : callable, optional
        The run's progress callback.

    Returns
    -------
    frame : DataFrame
        The history in the store's shape (UTC ``interval_start``).
    label : str
        Its source, as the plan's ``meta["nht_source"]`` says it.

    Raises
    ------
    DataError
        The store holds several accounts and the config names none.
    """
    if nht_history is not None:
        return nht_history, "DataFrame"
    if config.nht.source == "file":
        path = config.nht.path
        assert path is not None  # the config checks this
        tell(progress, f"reading NHT history from {path}")
        frame = files.read_history_file(
            path,
            interval_minutes=config.plan.interval_minutes,
            timezone=config.nht.timezone,
            **config.nht.reader_kwargs(),
        )
        return frame, f"file {path}"
    return _read_store(config, progress)


def _read_store(config: PlanConfig, progress: Progress) -> tuple[pd.DataFrame, str]:
    """The history from the store, fetched from LivePerson first when ``nht.fetch``."""
    from staffing.sources.store import DEFAULT_STORE_PATH, HistoryStore

    ids = [s.skill_id for s in config.resolved_skills]
    path = config.nht.store or Path(DEFAULT_STORE_PATH)
    lp = config.nht.liveperson
    account = lp.account if lp is not None else None
    store = HistoryStore(path)
    if config.nht.fetch:
        from staffing.sources.liveperson.sync import RETENTION_WEEKS, fetch_history

        assert lp is not None  # the config checks this
        tell(progress, f"fetching NHT history for account {account} into {path}")
        kwargs: dict[str, Any] = {"source": lp.source}
        if lp.domain_api:
            kwargs["domain_api"] = lp.domain_api
        # LivePerson keeps 9 weeks; older weeks of history_weeks come from the store alone.
        fetch_history(
            store,
            lp.account,
            skill_ids=ids,
            weeks=min(config.nht.history_weeks, RETENTION_WEEKS),
            interval_minutes=60,
            progress=progress is not None,
            **kwargs,
        )
    tell(progress, f"reading NHT history from the store {path}")
    frame = store.read(account, skill_ids=ids, interval_minutes=60)
    if account is None and "account" in frame.columns and frame["account"].nunique() > 1:
        accounts = ", ".join(sorted(map(str, frame["account"].unique())))
        raise DataError(
            f"the store {path} holds history of several accounts ({accounts}): "
            "set nht.liveperson.account to choose one"
        )
    label = f"store {path}" + (f" (account {account})" if account else "")
    return frame, label


@dataclass
class HourlyHistory:
    """The hourly history the forecasts start from.

    Attributes
    ----------
    hourly : DataFrame
        :func:`staffing.forecast.hourly_history` of the plan's skills, special days left out.
    source : str
        Where the NHT came from (``meta["nht_source"]``).
    special_days : list of str
        ISO dates of the special days left out of the history.
    window : tuple of Timestamp, optional
        The history window ``[start, end)`` in UTC; None without history.
    waiting : DataFrame, optional
        Abandoned contacts and time waited per skill over the window
        (:func:`staffing.plan.patience.waiting_totals`); None when the history was not
        read or lacks the columns.
    waiting_source : str
        Where the history was read from (for the messages about ``waiting``).
    volume : DataFrame
        The arrivals the volume forecast learns from (:func:`volume_history`): at
        ``volume_minutes``, closed hours' absent intervals zero, special days and holidays
        left out; empty when the volume does not come from history.
    volume_minutes : int
        The interval length of ``volume`` [min]: the plan's when the history has it, else 60.
    holidays : list of str
        ISO dates found to be holidays in the history (:func:`volume_history`).
    notes : list of str
        What the planner should know about the history (holidays left out).
    """

    hourly: pd.DataFrame
    source: str
    special_days: list[str]
    window: tuple[pd.Timestamp, pd.Timestamp] | None
    waiting: pd.DataFrame | None = None
    waiting_source: str = ""
    volume: pd.DataFrame = field(default_factory=pd.DataFrame)
    volume_minutes: int = 60
    holidays: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def hourly_history(
    config: PlanConfig,
    nht_history: pd.DataFrame | None,
    volume: pd.DataFrame | None,
    progress: Progress,
) -> HourlyHistory:
    """Read the history when a forecast needs it, and leave its special days out.

    Parameters
    ----------
    config : PlanConfig
        The validated config.
    nht_history, volume : DataFrame, optional
        :func:`staffing.plan.plan`'s arguments of the same names.
    progress : callable, optional
        The run's progress callback.

    Returns
    -------
    HourlyHistory
    """
    skills = config.resolved_skills
    ids = np.array([s.skill_id for s in skills], dtype=np.int64)
    has_history = nht_history is not None or config.nht.source != "none"
    needs_history = has_history and (
        (volume is None and config.volume.source == "history")
        or any(s.nht_seconds is None or s.patience_auto for s in skills)
    )
    raw = None
    if needs_history:
        raw, source = load_history(config, nht_history, progress)
        warn_shifted_history(raw, skills, config.plan.timezone, source)
        hourly = forecast.hourly_history(raw, where=source)
        hourly = hourly[hourly["skill_id"].isin(ids)].reset_index(drop=True)
    else:
        hourly = forecast.hourly_history(
            pd.DataFrame(columns=list(HISTORY_COLUMNS)).astype(
                {"skill_id": "int64", "interval_start": "datetime64[ns, UTC]"}
            )
        )
        source = OVERRIDES_ONLY if has_history else NO_HISTORY
    special = specials.special_day_table(config.special_days, ids)
    tz = config.plan.timezone
    hourly, left_out = specials.leave_out_special_days(hourly, special, timezone=tz)
    window = forecast.history_window(hourly, config.nht.history_weeks) if len(hourly) else None
    waiting = None if raw is None else waiting_totals(raw, ids, window, special, tz)
    read_from = source
    if has_history and all(s.nht_seconds is not None for s in skills):
        source = OVERRIDES_ONLY
    made = HourlyHistory(hourly, source, left_out, window, waiting, read_from)
    if raw is not None and len(hourly) and volume is None and config.volume.source == "history":
        volume_history(config, raw, special, made)
    return made


def _closed_arrivals(
    arrivals: np.ndarray,
    local: pd.Series,
    skills: dict[int, ResolvedSkill],
    ids: np.ndarray,
) -> float:
    """Arrivals whose interval (at these local wall-clock starts) is closed for its skill."""
    closed = 0.0
    minute = (local.dt.hour * 60 + local.dt.minute).to_numpy()
    weekday = local.dt.day_of_week.to_numpy()
    for sid, skill in skills.items():
        assert skill.open_hours is not None
        mine = ids == sid
        is_open = skill.open_hours.is_open(weekday[mine], minute[mine], 1)
        closed += float(arrivals[mine][~is_open].sum())
    return closed


def warn_shifted_history(
    raw: pd.DataFrame, skills: list[ResolvedSkill], timezone: str, source: str
) -> float | None:
    """Warn when many arrivals fall in closed hours and a whole-hour shift would fix it.

    Times written as UTC (a ``Z``) that are really local wall-clock times put a day's
    arrivals hours away from the open hours. The shift (-14 h to +14 h) that leaves the
    fewest arrivals in closed hours is named, with the ``nht.timezone`` key that fixes it,
    when over :data:`CLOSED_SHARE_WARN` of the arrivals are in closed hours and the shift
    leaves less than a third of them there.

    Parameters
    ----------
    raw : DataFrame
        The history as read (``skill_id``, tz-aware ``interval_start``, ``arrivals``).
    skills : list of ResolvedSkill
        The planned skills; those without ``open_hours`` are not looked at.
    timezone : str
        The plan's IANA zone.
    source : str
        Where the history came from, for the message.

    Returns
    -------
    float or None
        The shift [h] named in the :class:`~staffing.errors.DataWarning`, or None.
    """
    with_hours = {s.skill_id: s for s in skills if s.open_hours is not None}
    frame = raw[raw["skill_id"].isin(list(with_hours))]
    arrivals = pd.to_numeric(frame["arrivals"], errors="coerce").to_numpy(dtype=float)
    arrivals = np.where(arrivals > 0, arrivals, 0.0)
    total = arrivals.sum()
    if not with_hours or total <= 0:
        return None
    ids = frame["skill_id"].to_numpy()
    wall = pd.Series(
        pd.DatetimeIndex(frame["interval_start"]).tz_convert(timezone).tz_localize(None)
    )
    shares = {
        hours: _closed_arrivals(arrivals, wall + pd.Timedelta(hours=hours), with_hours, ids) / total
        for hours in range(-14, 15)
    }
    best = min(shares, key=lambda h: (shares[h], abs(h)))
    if shares[0] <= CLOSED_SHARE_WARN or best == 0 or shares[best] >= shares[0] / 3:
        return None
    warnings.warn(
        f"{source}: {shares[0]:.0%} of the history's arrivals fall in closed hours, "
        f"{shares[best]:.0%} would with every time {abs(best)} h "
        f"{'later' if best > 0 else 'earlier'} ({best:+d} h). Are the times local "
        f"wall-clock times written as UTC (a 'Z' or no offset)? Then set "
        f"nht.timezone: {timezone} (the zone the file's clocks show)",
        DataWarning,
        stacklevel=2,
    )
    return float(best)


def volume_history(
    config: PlanConfig, raw: pd.DataFrame, table: pd.DataFrame, history: HourlyHistory
) -> None:
    """Set ``history.volume``: the arrivals at the plan's interval, closed hours and holidays.

    The arrivals are kept at the plan's interval when every history row's length divides it
    (:func:`staffing.forecast.interval_history`), else hourly. In the weeks the volume
    forecast and its backtest use, an absent interval in a skill's closed hours is zero
    (:func:`staffing.special_days.fill_closed`); an open weekday without arrivals between
    open days with arrivals is a holiday (:func:`staffing.special_days.find_holidays`),
    left out like a special day and named in ``history.notes``; the absent intervals left
    in open hours stay "no data" and are warned once, with their count and dates.

    Parameters
    ----------
    config : PlanConfig
        The validated config (skills' ``open_hours``, ``volume.history_weeks``).
    raw : DataFrame
        The history as read (:func:`load_history`).
    table : DataFrame
        The ``special_days`` entries (:func:`staffing.special_days.special_day_table`).
    history : HourlyHistory
        The hourly history; its ``volume``, ``volume_minutes``, ``holidays`` and ``notes``
        are set, and its holidays are left out of ``hourly`` too.
    """
    tz = config.plan.timezone
    skills = config.resolved_skills
    ids = [s.skill_id for s in skills]
    frame, minutes = forecast.interval_history(
        raw, config.plan.interval_minutes, where=history.source
    )
    frame = frame[frame["skill_id"].isin(ids)].reset_index(drop=True)
    frame, _ = specials.leave_out_special_days(frame, table, timezone=tz)
    weeks = config.volume.history_weeks or config.nht.history_weeks
    _, end = forecast.history_window(history.hourly, weeks)
    start = end - (weeks + 1) * pd.Timedelta(weeks=1)  # the backtest's week before
    frame = frame[frame["interval_start"] < end]
    hours = {s.skill_id: s.open_hours for s in skills}
    frame, absent = specials.fill_closed(
        frame, hours, timezone=tz, minutes=minutes, start=start, end=end
    )
    recent = frame[frame["interval_start"] >= start]
    declared = zip(table["skill_id"], table["date"], strict=True)
    found = specials.find_holidays(recent, hours, timezone=tz, declared=declared)
    if len(found):
        history.holidays = sorted({d.isoformat() for d in found["date"]})
        history.notes.append(
            "holidays found in the history (open days without volume between open days "
            f"with volume) left out of the profiles: {', '.join(history.holidays)}; "
            "a special_days entry for a date decides instead"
        )
        frame, _ = specials.leave_out_special_days(frame, found, timezone=tz)
        history.hourly, _ = specials.leave_out_special_days(history.hourly, found, timezone=tz)
    absent = absent[~absent["date"].isin(history.holidays)]
    if len(absent):
        dates = sorted(set(absent["date"]))
        listed = ", ".join(dates[:10]) + (f" and {len(dates) - 10} more" if len(dates) > 10 else "")
        warnings.warn(
            f"{history.source}: {len(absent)} interval(s) in open hours have no row, on "
            f"{len(dates)} day(s) ({listed}); they are left out of the volume profile, "
            "not counted as zero",
            DataWarning,
            stacklevel=2,
        )
    history.volume, history.volume_minutes = frame, minutes

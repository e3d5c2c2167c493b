"""Window planning and the fetch-to-store sync: the only module that knows both ends.

:func:`fetch_history` splits the requested range into week windows, skips what the
store already holds (plus a day of late data), fetches each window with
:class:`~staffing.sources.liveperson.client.NHTClient` and saves it in the
:class:`~staffing.sources.store.HistoryStore` in one transaction, so a failure keeps
every window already stored. See ``docs/liveperson-nht-api.md``.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from staffing.errors import ConfigError
from staffing.sources.liveperson.client import (
    DEFAULT_DEADLINE_S,
    MAX_WINDOW,
    PAGE_LIMIT,
    NHTClient,
)
from staffing.sources.liveperson.credentials import (
    DEFAULT_DOMAIN_API,
    Credentials,
    check_account,
    check_interval,
    check_skill_ids,
)
from staffing.sources.liveperson.retry import RetryPolicy
from staffing.sources.store import HistoryStore
from staffing.sources.timestamps import as_utc

__all__ = [
    "LATE_DATA",
    "RETENTION_WEEKS",
    "FetchSummary",
    "fetch_history",
    "plan_windows",
    "week_windows",
]

log = logging.getLogger("staffing.sources.liveperson")

#: How far back LivePerson keeps NHT data [weeks].
RETENTION_WEEKS = 9
#: Slack at the retention edge for the server's clock.
RETENTION_MARGIN = timedelta(minutes=15)
#: Fetched again before the end of the stored history: LivePerson adds data up to 8 h late.
LATE_DATA = timedelta(days=1)


class _PagesBar:
    """A tqdm bar over pages on stderr, fed ``(pages_done, pages_expected)``."""

    def __init__(self) -> None:
        from tqdm import tqdm

        # Redrawn at every page (mininterval 0): a page is an HTTP request, far slower than
        # a redraw, and the planner sees each one counted.
        self._bar = tqdm(
            total=0, unit="page", desc="NHT", file=sys.stderr, leave=False, mininterval=0
        )

    def __call__(self, done: int, expected: int) -> None:
        if expected != self._bar.total:
            self._bar.total = expected
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        self._bar.close()


def week_windows(start: datetime, end: datetime) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Split [start, end) into consecutive windows of at most one week, oldest first.

    Parameters
    ----------
    start, end : datetime
        The range; tz-aware, or naive meaning UTC.

    Returns
    -------
    list of (pandas.Timestamp, pandas.Timestamp)
        UTC windows [start, end) of 7 days, the last one possibly shorter; empty when
        ``start >= end``.

    Raises
    ------
    ConfigError
        A bound is not a time.
    """
    start_ts, end_ts = as_utc(start, "start"), as_utc(end, "end")
    out = []
    while start_ts < end_ts:
        stop = min(start_ts + MAX_WINDOW, end_ts)
        out.append((start_ts, stop))
        start_ts = stop
    return out


def plan_windows(
    start: datetime,
    end: datetime,
    done: Iterable[tuple[datetime, datetime]] = (),
    *,
    incremental: bool = True,
    late: timedelta = LATE_DATA,
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Windows still to fetch in [start, end), each at most one week, oldest first.

    Without ``incremental`` the whole range is fetched. With it, only the parts of the
    range not covered by ``done`` are, plus the ``late`` period (a day) before the end of
    what was covered, because LivePerson may add data up to 8 hours late. Adjacent parts
    are merged, then split into week windows.

    Parameters
    ----------
    start, end : datetime
        The range wanted; tz-aware, or naive meaning UTC.
    done : iterable of (datetime, datetime)
        Windows [start, end) already fetched (as :meth:`HistoryStore.fetched_windows`
        returns them); parts outside [start, end) are ignored.
    incremental : bool
        Skip what ``done`` covers; False fetches the whole range again.
    late : datetime.timedelta
        How much before the latest covered end is fetched again (:data:`LATE_DATA`,
        one day, by default).

    Returns
    -------
    list of (pandas.Timestamp, pandas.Timestamp)
        UTC windows [start, end) as :func:`week_windows` makes them.

    Raises
    ------
    ConfigError
        A bound is not a time.
    """
    start_ts, end_ts = as_utc(start, "start"), as_utc(end, "end")
    if not incremental:
        return week_windows(start_ts, end_ts)
    spans = sorted(
        (max(as_utc(s, "window"), start_ts), min(as_utc(e, "window"), end_ts)) for s, e in done
    )
    spans = [(s, e) for s, e in spans if s < e]
    wanted: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    point = start_ts
    for s, e in spans:
        if s > point:
            wanted.append((point, s))
        point = max(point, e)
    if point < end_ts:
        wanted.append((point, end_ts))
    if spans:
        covered_end = max(e for _, e in spans)
        wanted.append((max(start_ts, covered_end - late), covered_end))
    merged: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for s, e in sorted(wanted):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return [w for s, e in merged for w in week_windows(s, e)]


@dataclass
class FetchSummary:
    """What one :func:`fetch_history` run did."""

    skills: int = 0
    intervals: int = 0
    rows_new: int = 0
    rows_updated: int = 0
    requests: int = 0
    retries: int = 0
    windows: int = 0
    _skill_ids: set = field(default_factory=set, init=False, repr=False, compare=False)
    _starts: set = field(default_factory=set, init=False, repr=False, compare=False)

    def __str__(self) -> str:
        return (
            f"{self.skills} skills, {self.intervals} intervals in {self.windows} windows: "
            f"{self.rows_new} rows new, {self.rows_updated} updated "
            f"({self.requests} requests, {self.retries} retries)"
        )


def fetch_history(
    store: HistoryStore | str | os.PathLike,
    account: str,
    *,
    skill_ids: Iterable[int] | None = None,
    weeks: int = 8,
    interval_minutes: int = 60,
    domain_api: str = DEFAULT_DOMAIN_API,
    source: str = "staffing",
    credentials: Credentials | Mapping[str, str] | None = None,
    now: datetime | None = None,
    incremental: bool = True,
    progress: bool | Callable[[int, int], object] | None = None,
    sleep: Callable[[float], object] = time.sleep,
    deadline_s: float = DEFAULT_DEADLINE_S,
    retry_budget_s: float = RetryPolicy.budget_s,
) -> FetchSummary:
    """Fetch NHT history into the store, window by window.

    Parameters
    ----------
    store : HistoryStore or path
        Where the history goes.
    account : str
        LivePerson account id.
    skill_ids : iterable of int, optional
        Skills to fetch; all skills when None.
    weeks : int
        How far back from ``now`` [weeks], 1 to 9 (LivePerson keeps 9).
    interval_minutes : int
        15, 30 or 60 [min].
    domain_api : str
        Domain API base URL.
    source : str
        Caller id (at most 20 characters).
    credentials : Credentials or mapping, optional
        From the ``LP_*`` environment variables when None.
    now : datetime, optional
        End of the range (floored to the interval); the current time when None.
    incremental : bool
        Fetch only what is not stored yet, plus the last day before the end of what is
        stored (late data).
    progress : callable or bool, optional
        Called after each page with ``(pages_done, pages_expected)``; the expected count
        grows when the first page of a window announces more skills than asked for.
        ``True`` shows a progress bar over pages on stderr; None or False, nothing.
    sleep : callable
        Pause between retries [s].
    deadline_s : float
        Longest time one request may take in all, body included [s]; a slower answer is
        cut and retried like a dropped connection.
    retry_budget_s : float
        Most pause time between retries over the whole fetch [s]; when it is used up the
        fetch fails, keeping the windows already stored.

    Returns
    -------
    FetchSummary

    Raises
    ------
    ConfigError
        A bad argument (before any request), including ``weeks`` beyond the retention.
    AuthenticationError, APIError, DataError
        From the API; windows stored before the failure stay stored.
    """
    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= RETENTION_WEEKS:
        raise ConfigError(
            [
                f"weeks {weeks!r}: must be a whole number from 1 to {RETENTION_WEEKS} "
                f"(LivePerson keeps only {RETENTION_WEEKS} weeks of NHT history)"
            ]
        )
    interval_minutes = check_interval(interval_minutes)
    ids = check_skill_ids(skill_ids)
    if not isinstance(store, HistoryStore):
        store = HistoryStore(store)
    now_ts = as_utc(pd.Timestamp.now(tz="UTC") if now is None else now, "now")
    end = now_ts.floor(f"{interval_minutes}min")
    start = end - pd.Timedelta(weeks=weeks)
    # The oldest retained bucket moves with the server's clock: keep a quarter-hour
    # margin so a 9-week fetch is not refused for a few minutes of clock skew.
    oldest = (now_ts - pd.Timedelta(weeks=RETENTION_WEEKS) + RETENTION_MARGIN).ceil(
        f"{interval_minutes}min"
    )
    start = max(start, oldest)
    done = store.fetched_windows(
        check_account(account), interval_minutes=interval_minutes, skill_ids=ids
    )
    windows = plan_windows(start, end, done, incremental=incremental)
    summary = FetchSummary(windows=len(windows))
    client = NHTClient(
        account,
        credentials,
        domain_api=domain_api,
        source=source,
        deadline_s=deadline_s,
        retry=RetryPolicy(pause=sleep, budget_s=retry_budget_s),
    )
    # Pages per window: known up front for a skill list, else from the first page's count.
    per_window = [1 if ids is None else math.ceil(len(ids) / PAGE_LIMIT)]
    report = _PagesBar() if progress is True else (progress or None)
    pages = {"done": 0, "expected": len(windows) * per_window[0]}
    try:
        for index, (w_start, w_end) in enumerate(windows):

            def on_page(page: int, expected: int, _left: int = len(windows) - index) -> None:
                if page == 1 and expected != per_window[0]:
                    per_window[0] = expected
                    pages["expected"] = pages["done"] + expected * _left
                pages["done"] += 1
                if report is not None:
                    report(pages["done"], pages["expected"])

            frame = client.get_nht(
                w_start,
                w_end,
                skill_ids=ids,
                interval_minutes=interval_minutes,
                on_page=on_page,
            )
            new, updated = store.save_window(
                client.account,
                frame,
                window=(w_start, w_end),
                interval_minutes=interval_minutes,
                skill_ids=ids,
            )
            summary.rows_new += new
            summary.rows_updated += updated
            summary._skill_ids.update(frame["skill_id"].unique().tolist())
            summary._starts.update(frame["interval_start"].unique().tolist())
            log.info("NHT %s to %s: %d rows new, %d updated", w_start, w_end, new, updated)
    finally:
        close = getattr(report, "close", None)  # the bar, or a caller's callable with close()
        if close is not None:
            close()
        summary.requests = client.requests
        summary.retries = client.retries
        summary.skills = len(summary._skill_ids)
        summary.intervals = len(summary._starts)
        client.close()
    return summary

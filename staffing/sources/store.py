"""Local history store: LivePerson NHT intervals in an embedded SQLite file.

One row per (account, skill, interval length, interval start), times in UTC.
Writing is an upsert inside one transaction, so a re-fetch of the same data
changes nothing and a failure leaves what was saved before untouched. A small
second table records which time windows were fetched, so an incremental fetch
knows what is already done.

The file holds history only: no credential is ever written to it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from staffing.errors import DataError
from staffing.sources.timestamps import as_utc
from staffing.vocabulary import INTERVAL_MINUTES, METRIC_COLUMNS, STORE_COLUMNS

__all__ = [
    "COLUMNS",
    "DEFAULT_STORE_PATH",
    "SCHEMA_VERSION",
    "HistoryStore",
    "covered",
    "empty_history",
    "skills_key",
]

#: Default location of the store, relative to the working directory.
DEFAULT_STORE_PATH = ".staffing/history.sqlite"

#: Columns of :meth:`HistoryStore.read`, in order (the vocabulary's store columns).
COLUMNS = STORE_COLUMNS
SCHEMA_VERSION = "1"
#: How long a write waits for another process's write to the same store [s].
BUSY_TIMEOUT_S = 60.0

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nht_interval (
    account TEXT NOT NULL,
    skill_id INTEGER NOT NULL,
    interval_minutes INTEGER NOT NULL,
    interval_start_utc TEXT NOT NULL,
    {", ".join(f"{c} REAL" for c in METRIC_COLUMNS)},
    PRIMARY KEY (account, skill_id, interval_minutes, interval_start_utc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fetched_window (
    account TEXT NOT NULL,
    interval_minutes INTEGER NOT NULL,
    skills TEXT NOT NULL,
    window_start_utc TEXT NOT NULL,
    window_end_utc TEXT NOT NULL,
    fetched_at_utc TEXT NOT NULL,
    PRIMARY KEY (account, interval_minutes, skills, window_start_utc, window_end_utc)
);
"""

_KEY = ("account", "skill_id", "interval_minutes", "interval_start_utc")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _store_error(path: Path, exc: sqlite3.OperationalError) -> DataError:
    """A clear error for a store that is locked too long, or a full or read-only disk."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return DataError(
            f"{path}: another process kept the history store locked for more "
            f"than {BUSY_TIMEOUT_S:.0f} s (a long fetch?); nothing was written, "
            "what was stored before is kept: try again when it has finished"
        )
    if "full" in text or "disk I/O" in text or "readonly" in text or "read-only" in text:
        return DataError(
            f"{path}: cannot write the history store ({text}: is the disk full "
            "or read-only?); what was stored before is kept"
        )
    return DataError(f"{path}: history store error: {text}")


def _text(ts: pd.Timestamp) -> str:
    return ts.strftime(_TIME_FORMAT)


def skills_key(skill_ids: Iterable[int] | None) -> str:
    """Canonical text for a skill selection: ``"*"`` for all skills, else the sorted ids.

    Parameters
    ----------
    skill_ids : iterable of int or None
        The selection; None means all skills. Duplicates are dropped.

    Returns
    -------
    str
        ``"*"``, or the sorted unique ids joined by commas (``"1001,1002"``).
    """
    if skill_ids is None:
        return "*"
    return ",".join(str(s) for s in sorted({int(s) for s in skill_ids}))


def empty_history() -> pd.DataFrame:
    """An empty frame with the columns and dtypes of :meth:`HistoryStore.read`.

    Returns
    -------
    pandas.DataFrame
        No rows; columns :data:`COLUMNS`.
    """
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in COLUMNS})
    frame["account"] = frame["account"].astype(object)
    frame["skill_id"] = frame["skill_id"].astype("int64")
    frame["interval_minutes"] = frame["interval_minutes"].astype("int64")
    frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True).astype(
        "datetime64[ns, UTC]"
    )
    return frame


class HistoryStore:
    """NHT history in a SQLite file.

    Parameters
    ----------
    path : str or os.PathLike
        The SQLite file. Created, with its folder, on the first write; reading a
        store that does not exist raises :class:`~staffing.errors.DataError`.
    """

    def __init__(self, path: str | os.PathLike = DEFAULT_STORE_PATH):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"HistoryStore({str(self.path)!r})"

    # -- connections -------------------------------------------------------------------
    def _connect(self, *, create: bool) -> sqlite3.Connection:
        if not create and not self.path.exists():
            raise DataError(
                f"no history store at {self.path}: run `staffing fetch` first "
                "(or pass the right --store path)"
            )
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
            if create:
                # WAL: readers (a plan, `staffing history`) never wait for a fetch's write.
                conn.execute("PRAGMA journal_mode=WAL")
                with conn:
                    conn.executescript(_SCHEMA)
                    conn.execute(
                        "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                        (SCHEMA_VERSION,),
                    )
            version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError as exc:
            raise _store_error(self.path, exc) from None
        except sqlite3.DatabaseError as exc:
            raise DataError(f"{self.path} is not a staffing history store: {exc}") from exc
        if version is None or version[0] != SCHEMA_VERSION:
            conn.close()
            raise DataError(
                f"{self.path}: history store schema version {version and version[0]!r} "
                f"is not the supported version {SCHEMA_VERSION}"
            )
        return conn

    # -- writing -------------------------------------------------------------------------
    def upsert(self, account: str, frame: pd.DataFrame) -> tuple[int, int]:
        """Insert or update intervals of one account in one transaction.

        Parameters
        ----------
        account : str
            LivePerson account id.
        frame : pandas.DataFrame
            Columns ``skill_id``, ``interval_start`` (tz-aware), ``interval_minutes`` and
            the metric columns (missing metric columns are taken as NaN, i.e. no data).

        Returns
        -------
        (new, updated) : tuple of int
            Rows inserted, and existing rows whose values changed. Writing the same
            data again returns ``(0, 0)`` and changes nothing.

        Raises
        ------
        DataError
            A missing key column, a naive or unparsable timestamp, an interval length
            other than 15/30/60, a duplicated key or a non-numeric metric. Nothing is
            written then.
        """
        return self.save_window(account, frame)

    def save_window(
        self,
        account: str,
        frame: pd.DataFrame,
        *,
        window: tuple[object, object] | None = None,
        interval_minutes: int | None = None,
        skill_ids: Iterable[int] | None = None,
    ) -> tuple[int, int]:
        """Upsert ``frame`` and, in the same transaction, record a fetched window.

        Parameters
        ----------
        account : str
            LivePerson account id.
        frame : pandas.DataFrame
            The intervals, as for :meth:`upsert`.
        window : (start, end), optional
            Bounds [start, end) of the fetched time window to record; tz-aware, or naive
            meaning UTC. None records no window.
        interval_minutes : int, optional
            Interval length of the window [min]: 15, 30 or 60; required with ``window``.
        skill_ids : iterable of int, optional
            Skills the window was fetched for; None means all skills.

        Returns
        -------
        (new, updated) : tuple of int
            As for :meth:`upsert`.

        Raises
        ------
        DataError
            As for :meth:`upsert`; also an ``interval_minutes`` other than 15/30/60 or an
            unparsable window bound when ``window`` is given. Nothing is written then.
        """
        account = str(account)
        rows = _rows_for_sql(account, frame)
        record: tuple | None = None
        if window is not None:
            if interval_minutes not in INTERVAL_MINUTES:
                raise DataError(f"interval_minutes={interval_minutes!r}: must be 15, 30 or 60")
            start, end = (as_utc(t, "window") for t in window)
            record = (
                account,
                int(interval_minutes),
                skills_key(skill_ids),
                _text(start),
                _text(end),
                _text(pd.Timestamp.now(tz="UTC")),
            )
        cols = [*_KEY, *METRIC_COLUMNS]
        with closing(self._connect(create=True)) as conn:
            try:
                return self._write(conn, cols, rows, record)
            except sqlite3.OperationalError as exc:
                raise _store_error(self.path, exc) from None

    @staticmethod
    def _write(
        conn: sqlite3.Connection, cols: list[str], rows: list[tuple], record: tuple | None
    ) -> tuple[int, int]:
        placeholders = ", ".join("?" * len(cols))
        differs = " OR ".join(f"n.{c} IS NOT o.{c}" for c in METRIC_COLUMNS)
        on_key = " AND ".join(f"n.{c} = o.{c}" for c in _KEY)
        updates = ", ".join(f"{c} = excluded.{c}" for c in METRIC_COLUMNS)
        changed = " OR ".join(f"nht_interval.{c} IS NOT excluded.{c}" for c in METRIC_COLUMNS)
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS incoming AS SELECT * FROM nht_interval WHERE 0"
        )
        # Take the write lock first: a deferred transaction that reads and then writes
        # cannot wait for another writer (SQLite refuses the upgrade at once, "database is
        # locked"), while BEGIN IMMEDIATE waits up to the busy timeout for its turn.
        conn.execute("BEGIN IMMEDIATE")
        with conn:
            conn.execute("DELETE FROM temp.incoming")
            conn.executemany(
                f"INSERT INTO temp.incoming ({', '.join(cols)}) VALUES ({placeholders})", rows
            )
            new = conn.execute(
                f"SELECT count(*) FROM temp.incoming n LEFT JOIN nht_interval o ON {on_key} "
                "WHERE o.account IS NULL"
            ).fetchone()[0]
            updated = conn.execute(
                f"SELECT count(*) FROM temp.incoming n JOIN nht_interval o ON {on_key} "
                f"WHERE {differs}"
            ).fetchone()[0]
            conn.execute(
                f"INSERT INTO nht_interval ({', '.join(cols)}) "
                f"SELECT {', '.join(cols)} FROM temp.incoming WHERE true "
                f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {updates} WHERE {changed}"
            )
            conn.execute("DELETE FROM temp.incoming")
            if record is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO fetched_window VALUES (?, ?, ?, ?, ?, ?)", record
                )
        return int(new), int(updated)

    # -- reading -------------------------------------------------------------------------
    def read(
        self,
        account: str | None = None,
        *,
        skill_ids: Iterable[int] | None = None,
        interval_minutes: int = 60,
        start: object = None,
        end: object = None,
    ) -> pd.DataFrame:
        """Read stored intervals.

        Parameters
        ----------
        account : str, optional
            Only this account; all accounts when None.
        skill_ids : iterable of int, optional
            Only these skills; all when None.
        interval_minutes : int
            Interval length [min]: 15, 30 or 60.
        start, end : timestamp, optional
            Keep intervals starting in [start, end). Tz-aware, or naive meaning UTC.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`COLUMNS`: ``skill_id`` int64, ``interval_start`` tz-aware UTC,
            ``interval_minutes`` int64, metrics float64 with NaN for "no data"; sorted by
            account, skill_id, interval_start. At 15 and 30 minutes the hourly-only
            metrics (``handled_segments``, ``net_handle_time_s``,
            ``avg_segment_work_time_s``, ``avg_available_load``, ``messages_sent``) hold the
            whole hour's value in every sub-interval: never sum them.

        Raises
        ------
        DataError
            The store does not exist or is not a staffing history store, or
            ``interval_minutes`` is not 15, 30 or 60, or ``start``/``end`` is not a time.
        """
        if interval_minutes not in INTERVAL_MINUTES:
            raise DataError(f"interval_minutes={interval_minutes!r}: must be 15, 30 or 60")
        where = ["interval_minutes = ?"]
        params: list[object] = [int(interval_minutes)]
        if account is not None:
            where.append("account = ?")
            params.append(str(account))
        if skill_ids is not None:
            ids = sorted({int(s) for s in skill_ids})
            where.append(f"skill_id IN ({', '.join('?' * len(ids))})" if ids else "0")
            params.extend(ids)
        if start is not None:
            where.append("interval_start_utc >= ?")
            params.append(_text(as_utc(start, "start")))
        if end is not None:
            where.append("interval_start_utc < ?")
            params.append(_text(as_utc(end, "end")))
        query = (
            f"SELECT account, skill_id, interval_start_utc, interval_minutes, "
            f"{', '.join(METRIC_COLUMNS)} FROM nht_interval WHERE {' AND '.join(where)} "
            "ORDER BY account, skill_id, interval_start_utc"
        )
        with closing(self._connect(create=False)) as conn:
            records = conn.execute(query, params).fetchall()
        if not records:
            return empty_history()
        frame = pd.DataFrame.from_records(
            records,
            columns=["account", "skill_id", "interval_start", "interval_minutes", *METRIC_COLUMNS],
        )
        frame["account"] = frame["account"].astype(object)
        frame["skill_id"] = frame["skill_id"].astype("int64")
        frame["interval_minutes"] = frame["interval_minutes"].astype("int64")
        frame["interval_start"] = pd.to_datetime(
            frame["interval_start"], format=_TIME_FORMAT, utc=True
        ).astype("datetime64[ns, UTC]")
        for col in METRIC_COLUMNS:
            frame[col] = pd.to_numeric(frame[col]).astype("float64")
        return frame.reset_index(drop=True)

    def fetched_windows(
        self, account: str, *, interval_minutes: int = 60, skill_ids: Iterable[int] | None = None
    ) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """UTC windows [start, end) already fetched that cover ``skill_ids``.

        A window fetched for all skills covers any selection; a window fetched for a
        list of skills covers a selection that is a subset of it.

        Parameters
        ----------
        account : str
            LivePerson account id.
        interval_minutes : int
            Interval length [min]: 15, 30 or 60.
        skill_ids : iterable of int, optional
            The selection to cover; None means all skills (then only windows fetched for all
            skills count).

        Returns
        -------
        list of (pandas.Timestamp, pandas.Timestamp)
            Tz-aware UTC bounds, ordered by start; empty when the store does not exist yet
            (it is not created).

        Raises
        ------
        DataError
            The file exists but is not a staffing history store.
        """
        if not self.path.exists():
            return []
        wanted = None if skill_ids is None else {int(s) for s in skill_ids}
        with closing(self._connect(create=False)) as conn:
            rows = conn.execute(
                "SELECT skills, window_start_utc, window_end_utc FROM fetched_window "
                "WHERE account = ? AND interval_minutes = ? ORDER BY window_start_utc",
                (str(account), int(interval_minutes)),
            ).fetchall()
        out = []
        for skills, start, end in rows:
            if skills != "*":
                have = {int(s) for s in skills.split(",")}
                if wanted is None or not wanted <= have:
                    continue
            out.append((as_utc(start, "window"), as_utc(end, "window")))
        return out


def _rows_for_sql(account: str, frame: pd.DataFrame) -> list[tuple]:
    """Validate ``frame`` and turn it into SQL parameter tuples (NaN -> NULL)."""
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"history to store must be a DataFrame, not {type(frame).__name__}")
    missing = [c for c in ("skill_id", "interval_start", "interval_minutes") if c not in frame]
    if missing:
        raise DataError(f"history to store lacks column(s) {', '.join(missing)}")
    if "account" in frame and len(frame) and (frame["account"].astype(str) != account).any():
        raise DataError(f"history to store mixes accounts: expected only account {account}")
    if frame.empty:
        return []
    starts = frame["interval_start"]
    if not isinstance(starts.dtype, pd.DatetimeTZDtype):
        raise DataError(
            "history to store: interval_start must be tz-aware timestamps "
            f"(got dtype {starts.dtype})"
        )
    if starts.isna().any():
        raise DataError(f"history to store: interval_start missing in row {starts.isna().argmax()}")
    starts = starts.dt.tz_convert("UTC")
    try:
        skill = pd.to_numeric(frame["skill_id"], errors="raise")
        minutes = pd.to_numeric(frame["interval_minutes"], errors="raise")
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"history to store: skill_id and interval_minutes must be integers ({exc})"
        ) from exc
    if skill.isna().any() or (skill != np.round(skill)).any() or (skill < 0).any():
        raise DataError("history to store: skill_id must be non-negative integers")
    bad = ~minutes.isin(INTERVAL_MINUTES)
    if bad.any():
        raise DataError(
            f"history to store: interval_minutes {minutes[bad].iloc[0]} is not 15, 30 or 60"
        )
    metrics = {}
    for col in METRIC_COLUMNS:
        if col in frame:
            try:
                values = pd.to_numeric(frame[col], errors="raise").astype("float64")
            except (TypeError, ValueError) as exc:
                raise DataError(f"history to store: column {col} is not numeric ({exc})") from exc
        else:
            values = pd.Series(np.nan, index=frame.index)
        metrics[col] = values.to_numpy()
    start_text = starts.dt.strftime(_TIME_FORMAT).to_numpy()
    skill_arr = skill.astype("int64").to_numpy()
    minutes_arr = minutes.astype("int64").to_numpy()
    keys = pd.DataFrame({"s": skill_arr, "m": minutes_arr, "t": start_text})
    dup = keys.duplicated()
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise DataError(
            f"history to store: skill {skill_arr[i]} interval {start_text[i]} "
            f"({minutes_arr[i]} min) appears more than once"
        )
    metric_matrix = np.column_stack([metrics[c] for c in METRIC_COLUMNS]).astype(object)
    metric_matrix[pd.isna(metric_matrix)] = None
    return [
        (account, int(s), int(m), t, *row)
        for s, m, t, row in zip(
            skill_arr, minutes_arr, start_text, metric_matrix.tolist(), strict=True
        )
    ]


def covered(windows: Sequence[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    """Whether the union of ``windows`` covers [start, end) entirely.

    Parameters
    ----------
    windows : sequence of (datetime, datetime)
        Windows [start, end), in any order; comparable with ``start`` and ``end``
        (all tz-aware, as :meth:`HistoryStore.fetched_windows` returns them).
    start, end : datetime
        The range to cover.

    Returns
    -------
    bool
        True when every instant of [start, end) lies in some window (always True when
        ``start >= end``).
    """
    point = start
    for w_start, w_end in sorted(windows):
        if w_start > point:
            break
        point = max(point, w_end)
        if point >= end:
            return True
    return point >= end

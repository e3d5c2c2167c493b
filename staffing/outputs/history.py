"""The history export: stored NHT history shown to a planner, in local time.

``staffing history`` prints :func:`summarise` and writes :func:`write_csv`; the store
itself keeps UTC (``docs/liveperson-nht-api.md``).
"""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from staffing.errors import ConfigError
from staffing.forecast import weighted_mean
from staffing.outputs.safety import atomic_replace, check_target, starts_with
from staffing.vocabulary import STORE_COLUMNS

__all__ = [
    "HISTORY_CSV_HEADER",
    "is_history_csv",
    "local_zone",
    "summarise",
    "to_local",
    "write_csv",
]


def local_zone(name: str | None = None) -> ZoneInfo:
    """The time zone ``name`` (IANA), or this computer's local zone when None.

    The local zone comes from ``TZ``, else ``/etc/localtime``; UTC when neither names one.

    Parameters
    ----------
    name : str, optional
        IANA zone name such as ``Europe/Berlin``; None for the local zone.

    Returns
    -------
    zoneinfo.ZoneInfo

    Raises
    ------
    ConfigError
        ``name`` is not a known IANA time zone.
    """
    if name is None:
        name = os.environ.get("TZ", "").lstrip(":") or None
        if name is None:
            target = os.path.realpath("/etc/localtime")
            name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            [f"time zone {name!r}: not an IANA time zone such as Europe/Berlin"]
        ) from None


def to_local(frame: pd.DataFrame, tz: ZoneInfo | str) -> pd.DataFrame:
    """A copy of ``frame`` with ``interval_start`` converted to the zone ``tz``.

    Parameters
    ----------
    frame : pandas.DataFrame
        History as :meth:`HistoryStore.read` returns it (tz-aware ``interval_start``).
    tz : zoneinfo.ZoneInfo or str
        Target zone (a ZoneInfo or an IANA name).

    Returns
    -------
    pandas.DataFrame
        The copy; ``frame`` is not changed.
    """
    out = frame.copy()
    out["interval_start"] = out["interval_start"].dt.tz_convert(
        tz if isinstance(tz, str) else tz.key
    )
    return out


def _count(value: float) -> float | int:
    """A count as a whole number when it is one (2423, not 2423.0)."""
    return int(value) if float(value).is_integer() else float(value)


def summarise(frame: pd.DataFrame, tz: ZoneInfo | str) -> pd.DataFrame:
    """One line per (account, skill, interval length) of stored history.

    Parameters
    ----------
    frame : pandas.DataFrame
        History as :meth:`HistoryStore.read` returns it.
    tz : zoneinfo.ZoneInfo or str
        Zone of the ``first`` and ``last`` times shown.

    Returns
    -------
    pandas.DataFrame
        Columns ``account``, ``skill_id``, ``interval_minutes`` [min], ``first`` and
        ``last`` (interval starts as local text with their UTC offset), ``intervals``
        (rows stored), ``with_nht`` (rows with an NHT and handled segments > 0),
        ``arrivals`` [conversations] and ``mean_nht_s`` [s] (mean NHT weighted by handled
        segments over the rows with NHT, NaN when none). No rows (and no columns) when
        ``frame`` is empty.
    """
    local = to_local(frame, tz)
    rows = []
    for (account, skill, minutes), g in local.groupby(
        ["account", "skill_id", "interval_minutes"], sort=True
    ):
        has = g["net_handle_time_s"].notna() & (g["handled_segments"] > 0)
        mean_nht = weighted_mean(g["net_handle_time_s"], g["handled_segments"])
        rows.append(
            {
                "account": account,
                "skill_id": int(skill),
                "interval_minutes": int(minutes),
                "first": g["interval_start"].min().strftime("%Y-%m-%d %H:%M %z"),
                "last": g["interval_start"].max().strftime("%Y-%m-%d %H:%M %z"),
                "intervals": len(g),
                "with_nht": int(has.sum()),
                "arrivals": _count(g["arrivals"].sum()),
                "mean_nht_s": round(mean_nht, 1),
            }
        )
    return pd.DataFrame(rows)


def is_history_csv(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a history CSV this program wrote (it starts with our header).

    Parameters
    ----------
    path : path
        An existing file.

    Returns
    -------
    bool
        True when it begins with :data:`HISTORY_CSV_HEADER`.
    """
    return starts_with(path, HISTORY_CSV_HEADER)


#: How a history CSV written by this program begins.
HISTORY_CSV_HEADER = ",".join(STORE_COLUMNS[:4])


def write_csv(
    frame: pd.DataFrame, path: str | os.PathLike, tz: ZoneInfo | str, *, force: bool = False
) -> Path:
    """Write ``frame`` as CSV with local ISO times (with their UTC offset), atomically.

    Parameters
    ----------
    frame : pandas.DataFrame
        History as :meth:`~staffing.sources.store.HistoryStore.read` returns it; written
        with its columns as they are.
    path : str or os.PathLike
        The CSV file; missing folders are created.
    tz : zoneinfo.ZoneInfo or str
        Zone of the ``interval_start`` times written.
    force : bool
        Replace an existing file that is not a history CSV written by this program.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    OutputError
        The target is refused (a folder, open elsewhere, read-only, or another program's
        file without ``force``) or cannot be written; an existing file is then left as it
        was.
    """
    target = Path(path)
    check_target(target, force=force, ours=is_history_csv, what="a history CSV written by staffing")
    local = to_local(frame, tz)
    local["interval_start"] = local["interval_start"].map(lambda t: t.isoformat())
    with atomic_replace(target) as tmp:
        local.to_csv(tmp, index=False)
    return target

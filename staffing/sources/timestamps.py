"""Timestamps at the edge of the sources: every instant a source takes becomes tz-aware UTC.

The history store and the LivePerson API work in UTC (``docs/liveperson-nht-api.md``);
a planner's local times are converted by the pipeline and the outputs.
"""

from __future__ import annotations

import pandas as pd

from staffing.errors import ConfigError

__all__ = ["as_utc"]


def as_utc(value: object, what: str) -> pd.Timestamp:
    """``value`` as a tz-aware UTC Timestamp; a naive value is taken as UTC.

    Parameters
    ----------
    value : object
        A datetime, Timestamp, ISO text or anything :class:`pandas.Timestamp` accepts.
    what : str
        What the value is (an argument name such as ``"start"``), for the error message.

    Returns
    -------
    pandas.Timestamp
        The same instant in UTC.

    Raises
    ------
    ConfigError
        ``value`` is not a timestamp, or is missing (None, NaT), naming ``what``.
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ConfigError([f"{what} {value!r}: not a timestamp"]) from None
    if ts is pd.NaT:
        raise ConfigError([f"{what}: missing timestamp"])
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")

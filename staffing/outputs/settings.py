"""The plan's settings as flat ``key = value`` pairs for people, every secret redacted.

The Assumptions sheet (:mod:`staffing.outputs.sheets.assumptions`) lists the run's facts
(``Plan.meta``) and the configuration as it was applied. This module flattens them: a
config (pydantic model or mapping) into ``key.path = value`` pairs (:func:`config_items`),
each value into something printable (:func:`plain`), ISO times into local times
(:func:`local_meta`), open hours into clock ranges. A key that looks like a credential
(LivePerson's OAuth1 key, secret, token and token secret, passwords, ...) never has its
value written anywhere (:func:`is_secret`, :func:`redact_frame`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pydantic import SecretBytes, SecretStr

from staffing.config import format_clock

if TYPE_CHECKING:  # pragma: no cover
    from staffing.config import PlanConfig

__all__ = [
    "REDACTED",
    "config_items",
    "is_secret",
    "local_meta",
    "plain",
    "redact_frame",
]

#: What a redacted value is written as.
REDACTED = "[redacted]"
# Keys whose values are never written anywhere: LivePerson's OAuth1 key, secret, token and
# token secret, and anything else that looks like a credential.
_SECRET_KEY = re.compile(
    r"secret|token|passw|credential|auth|(?:^|_)key$|^key_|consumer", re.IGNORECASE
)
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_secret(key: str) -> bool:
    """Whether a key names a credential (its value is then never written).

    Parameters
    ----------
    key : str
        A column name, or the last part of a setting ``a.b.c``.

    Returns
    -------
    bool
    """
    return _SECRET_KEY.search(key) is not None


def redact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without its credential-like columns (:func:`is_secret`).

    Parameters
    ----------
    frame : DataFrame
        A table of settings (one row per skill).

    Returns
    -------
    DataFrame
        ``frame`` itself when no column is credential-like.
    """
    secret = [c for c in frame.columns if is_secret(str(c))]
    return frame.drop(columns=secret) if secret else frame


def plain(value: object) -> object:
    """Unwrap numpy scalars, pydantic secrets, paths and containers into printable values.

    Parameters
    ----------
    value : object
        A setting's value.

    Returns
    -------
    object
        A Python scalar, :data:`REDACTED` for a pydantic secret, text for a path, a
        timedelta or a container (``a, b``; ``k=v; ...``), else ``value``.
    """
    if isinstance(value, (SecretStr, SecretBytes)):
        return REDACTED
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(plain(v)) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={plain(v)}" for k, v in value.items())
    if isinstance(value, (pd.Timedelta,)):
        return str(value)
    return value


def local_meta(key: str, value: object, timezone: str) -> tuple[str, object]:
    """ISO date and time strings as dates and local datetimes (a ``_utc`` key loses it).

    Parameters
    ----------
    key : str
        The setting's key.
    value : object
        Its value; other values are returned as they are.
    timezone : str
        IANA zone of the local times.

    Returns
    -------
    tuple
        ``(key, value)``.
    """
    if isinstance(value, str) and _ISO_DATE.match(value):
        return key, date.fromisoformat(value)
    if isinstance(value, str) and _ISO_TIME.match(value):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(timezone)
            if key.lower().endswith("_utc"):
                key = key[:-4]
        return key, stamp
    return key, value


def config_items(config: PlanConfig | Mapping[str, object] | None) -> list[tuple[str, object]]:
    """Flatten a config (pydantic model or mapping) into ``key.path = value`` pairs.

    A credential-like key's value is :data:`REDACTED` (left out when empty); open hours in
    minutes are written as clock ranges (``07:00-23:00``); lists of mappings or lists are
    numbered (``skills[0].name``).

    Parameters
    ----------
    config : PlanConfig or mapping, optional
        The config the plan ran with.

    Returns
    -------
    list of (str, object)
        The pairs, in the config's order.
    """
    if config is None:
        return []
    data = dict(config) if isinstance(config, Mapping) else config.model_dump(mode="json")
    items: list[tuple[str, object]] = []

    def walk(prefix: str, value: object) -> None:
        leaf = prefix.rsplit(".", 1)[-1].split("[", 1)[0]
        if prefix and is_secret(leaf):
            if value not in (None, "", [], {}):
                items.append((prefix, REDACTED))
            return
        if ".open_hours." in f".{prefix}" and isinstance(value, list):
            items.append((prefix, _clock_ranges(value)))  # minutes -> 07:00-23:00
            return
        if isinstance(value, Mapping):
            if not value:
                items.append((prefix, ""))
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and any(isinstance(v, (Mapping, list)) for v in value):
            for i, sub in enumerate(value):
                walk(f"{prefix}[{i}]", sub)
        else:
            items.append((prefix, value))

    walk("", data)
    return items


def _clock_ranges(ranges: Sequence[Sequence[int]]) -> str:
    """Open-hours ranges in minutes (``[[420, 1380]]``) as ``07:00-23:00``; ``closed``."""
    if not ranges:
        return "closed"
    try:
        return ", ".join(f"{format_clock(int(a))}-{format_clock(int(b))}" for a, b in ranges)
    except (TypeError, ValueError):
        return ", ".join(map(str, ranges))

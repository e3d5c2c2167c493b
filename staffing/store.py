"""Deprecated: moved to :mod:`staffing.sources.store` (removed in 0.3).

The history export (``local_zone``, ``to_local``, ``summarise``, ``write_csv``) moved to
:mod:`staffing.outputs.history`. Both are re-exported here for one release.
"""

from __future__ import annotations

import warnings

from staffing.outputs.history import local_zone, summarise, to_local, write_csv
from staffing.sources.store import (
    COLUMNS,
    DEFAULT_STORE_PATH,
    SCHEMA_VERSION,
    HistoryStore,
    covered,
    empty_history,
    skills_key,
)
from staffing.vocabulary import INTERVAL_MINUTES as VALID_INTERVALS
from staffing.vocabulary import METRIC_COLUMNS

warnings.warn(
    "staffing.store is deprecated and will be removed in 0.3: "
    "import from staffing.sources.store (its history export: staffing.outputs.history) "
    "instead",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_STORE_PATH",
    "METRIC_COLUMNS",
    "SCHEMA_VERSION",
    "VALID_INTERVALS",
    "HistoryStore",
    "covered",
    "empty_history",
    "local_zone",
    "skills_key",
    "summarise",
    "to_local",
    "write_csv",
]

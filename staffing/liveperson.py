"""Deprecated: moved to :mod:`staffing.sources.liveperson` (removed in 0.3).

This module re-exports the public names of the LivePerson NHT fetcher for one release,
so code written against 0.1 keeps working. Import from ``staffing.sources.liveperson``.
"""

from __future__ import annotations

import warnings

from staffing.sources.liveperson import *  # noqa: F403
from staffing.sources.liveperson import __all__  # noqa: F401

warnings.warn(
    "staffing.liveperson is deprecated and will be removed in 0.3: "
    "import from staffing.sources.liveperson instead",
    DeprecationWarning,
    stacklevel=2,
)

"""Deprecated: moved to :mod:`staffing.sources.liveperson` (removed in 0.3).

This module re-exports the public names of the LivePerson NHT fetcher for one release,
so code written against 0.1 keeps working. Import from ``staffing.sources.liveperson``.
"""

from staffing.sources.liveperson import *  # noqa: F403
from staffing.sources.liveperson import __all__  # noqa: F401

"""staffing: workforce-management staffing for LivePerson messaging and chat.

Public API
----------
- :mod:`staffing.queueing`: vectorised Erlang B/C, Erlang A and chat-concurrency models.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from staffing import queueing
from staffing.errors import (
    APIError,
    AuthenticationError,
    ConfigError,
    DataError,
    OutputError,
    StaffingError,
)

try:
    __version__ = version("staffing")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConfigError",
    "DataError",
    "OutputError",
    "StaffingError",
    "__version__",
    "queueing",
]

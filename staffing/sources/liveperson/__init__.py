"""LivePerson's Net Handle Time (NHT) API: credentials, client, parser and history sync.

- :mod:`~staffing.sources.liveperson.credentials`: the four OAuth 1.0 values (from
  arguments or ``LP_*`` environment variables, never shown) and the argument rules.
- :mod:`~staffing.sources.liveperson.retry`: LivePerson's retry policy.
- :mod:`~staffing.sources.liveperson.parse`: the pure parser of one answer, and the API
  field map.
- :mod:`~staffing.sources.liveperson.client`: the HTTP client (domain discovery, OAuth
  1.0 signing, pagination).
- :mod:`~staffing.sources.liveperson.sync`: week windows and the fetch into the history
  store.

The fake LivePerson server the tests use is :mod:`staffing.testing`
(``python -m staffing.testing``).

See ``docs/liveperson-nht-api.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

# Name -> submodule. Loaded on first use, so importing the light ``credentials`` rules
# (as the planning config does) does not import requests, tenacity and pandas.
_HOMES = {
    "DEFAULT_TIMEOUT_S": "client",
    "MAX_WINDOW": "client",
    "NHT_PATH": "client",
    "PAGE_LIMIT": "client",
    "SERVICE": "client",
    "USER_AGENT": "client",
    "NHTClient": "client",
    "DEFAULT_DOMAIN_API": "credentials",
    "ENV_VARS": "credentials",
    "MAX_SOURCE_LENGTH": "credentials",
    "Credentials": "credentials",
    "check_account": "credentials",
    "check_domain_api": "credentials",
    "check_interval": "credentials",
    "check_skill_ids": "credentials",
    "check_source": "credentials",
    "quiet_oauth_loggers": "credentials",
    "source_problem": "credentials",
    "FIELDS": "parse",
    "NHT_COLUMNS": "parse",
    "read_nht": "parse",
    "RetryPolicy": "retry",
    "LATE_DATA": "sync",
    "RETENTION_WEEKS": "sync",
    "FetchSummary": "sync",
    "fetch_history": "sync",
    "plan_windows": "sync",
    "week_windows": "sync",
}

__all__ = [
    "DEFAULT_DOMAIN_API",
    "DEFAULT_TIMEOUT_S",
    "ENV_VARS",
    "FIELDS",
    "LATE_DATA",
    "MAX_SOURCE_LENGTH",
    "MAX_WINDOW",
    "NHT_COLUMNS",
    "NHT_PATH",
    "PAGE_LIMIT",
    "RETENTION_WEEKS",
    "SERVICE",
    "USER_AGENT",
    "Credentials",
    "FetchSummary",
    "NHTClient",
    "RetryPolicy",
    "check_account",
    "check_domain_api",
    "check_interval",
    "check_skill_ids",
    "check_source",
    "fetch_history",
    "plan_windows",
    "quiet_oauth_loggers",
    "read_nht",
    "source_problem",
    "week_windows",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])

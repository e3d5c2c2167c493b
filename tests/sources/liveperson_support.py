"""Helpers of the NHT fetcher tests: the fake server's clock, the secrets, fetch arguments.

The fixtures built on them (``lp``, ``lp_env``, ``pauses``) are in tests/conftest.py.
"""

from __future__ import annotations

import pandas as pd

from staffing.testing import TEST_CREDENTIALS, FakeLivePerson

#: The fake server's clock in most tests: a Thursday, half past nine UTC.
NOW = pd.Timestamp("2026-11-26T09:30:00Z")

#: The four secret strings that must never show up anywhere.
SECRETS = (
    TEST_CREDENTIALS.app_key,
    TEST_CREDENTIALS.app_secret,
    TEST_CREDENTIALS.access_token,
    TEST_CREDENTIALS.access_token_secret,
)


class Pauses(list):
    """Records the pauses the retry policy asks for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(float(seconds))


def fetch_kwargs(server: FakeLivePerson, pauses: Pauses, **extra) -> dict:
    """Keyword arguments of fetch_history pointing at ``server``."""
    kwargs = {
        "domain_api": server.domain_api,
        "credentials": server.credentials,
        "now": server.now,
        "sleep": pauses,
    }
    kwargs.update(extra)
    return kwargs


def window_of(request) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(from, to) of a recorded NHT request, as UTC timestamps."""
    return (
        pd.Timestamp(int(request.params["fromMillis"]), unit="ms", tz="UTC"),
        pd.Timestamp(int(request.params["toMillis"]), unit="ms", tz="UTC"),
    )

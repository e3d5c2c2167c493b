"""Shared fixtures of the NHT fetcher tests: a fake LivePerson server and helpers.

Imported by tests/test_liveperson.py, tests/test_store.py and tests/test_fetch_cli.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from staffing.sources.liveperson.fake import TEST_CREDENTIALS, FakeLivePerson

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


@pytest.fixture
def lp():
    """A started fake with 3 skills (one page per window), stopped after the test."""
    with FakeLivePerson(skill_ids=(11, 12, 15), now=NOW) as server:
        yield server


@pytest.fixture
def lp_env(monkeypatch):
    """The fake's credentials in the LP_* environment variables."""
    from staffing.sources.liveperson.credentials import ENV_VARS

    for name, value in zip(ENV_VARS, SECRETS, strict=True):
        monkeypatch.setenv(name, value)


@pytest.fixture
def pauses() -> Pauses:
    return Pauses()


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

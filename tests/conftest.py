"""Fixtures shared across the test folders (which mirror the package: sources/, outputs/,
commands/, simulation/, shifts/).

No test writes into the repository: outputs go to pytest's ``tmp_path``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from tqdm import tqdm

from staffing.testing import FakeLivePerson
from tests.sources.liveperson_support import NOW, SECRETS, Pauses

#: The project's root folder (read-only for tests).
ROOT = Path(__file__).resolve().parents[1]

# tqdm's default lock holds a multiprocessing semaphore, shared by every process forked after
# the first bar. The mutation job forks a process per mutant and stops those that run too
# long: one stopped while drawing a bar left the semaphore taken, and every later mutant
# drawing one hung until its time limit and was counted as a timeout (detected) whatever its
# tests said. A lock of this process only, as the tests never draw from several processes.
tqdm.set_lock(threading.RLock())


def _shared(scope: str) -> str:
    """``scope``, or ``"function"`` while mutmut records which tests reach what.

    mutmut runs the tests once (``MUTANT_UNDER_TEST`` set to ``"stats"``) to record which
    functions each test reaches, and credits what a module- or session-scoped fixture calls
    to the first test using it only: the file's other tests would never run against those
    mutants. Per test there, every test is credited with what its fixtures reach; with each
    mutant (a process of its own) the fixture is shared again, built with the mutant active.
    """
    return "function" if os.environ.get("MUTANT_UNDER_TEST") == "stats" else scope


def per_module(fixture_name: str, config: pytest.Config) -> str:
    """Fixture scope: one value for a test file's tests; one per test while mutmut records."""
    return _shared("module")


def per_session(fixture_name: str, config: pytest.Config) -> str:
    """Fixture scope: one value for the whole run; one per test while mutmut records."""
    return _shared("session")


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

"""Fixtures shared across the test folders (which mirror the package: sources/, outputs/,
commands/, simulation/, shifts/).

No test writes into the repository: outputs go to pytest's ``tmp_path``.
"""

from __future__ import annotations

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

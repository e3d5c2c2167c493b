"""Fixtures shared across the test folders (which mirror the package: sources/, outputs/,
commands/, simulation/, shifts/).

No test writes into the repository: outputs go to pytest's ``tmp_path``.
"""

from __future__ import annotations

import gc
import json
import os
import threading
from collections import Counter, defaultdict
from functools import cache
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


#: ``MUTANT_UNDER_TEST`` values of mutmut's own runs (no mutant active).
_NOT_A_MUTANT = frozenset({"", "stats", "fail", "list_all_tests", "mutant_generation"})

#: In a mutation job's folder: one line per mutant killed, its function and the failing test.
_KILLERS = Path("mutmut-killers.tsv")


def _active_mutant() -> str:
    """The mutant mutmut runs the tests against, or ``""`` outside a mutant's run."""
    name = os.environ.get("MUTANT_UNDER_TEST", "")
    return "" if name in _NOT_A_MUTANT else name


def _function_of(mutant: str) -> str:
    """The mutated function's name: the mutant's name without its ``__mutmut_N`` number."""
    return mutant.rsplit("__mutmut_", 1)[0]


@cache
def _recorded_seconds() -> dict[str, float]:
    """Each test's duration in seconds as mutmut recorded it (its job's ``mutmut-stats.json``)."""
    path = Path("mutmut-stats.json")
    if not path.is_file():
        return {}
    return {str(k): float(v) for k, v in json.loads(path.read_text())["duration_by_test"].items()}


def _kills_per_test(function: str) -> Counter[str]:
    """How many mutants of ``function`` each test has killed so far in this job."""
    if not _KILLERS.is_file():
        return Counter()
    pairs = (line.split("\t") for line in _KILLERS.read_text().splitlines())
    return Counter(pair[1] for pair in pairs if len(pair) == 2 and pair[0] == function)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With a mutant active: the tests that killed its function's other mutants first, then the
    quickest test files first, each file's tests together.

    mutmut hands pytest the tests reaching the mutant and stops at the first failure (``-x``),
    fastest test first. A file's tests then interleave with other files', so its module-scoped
    fixtures are built again at each return, and a mutant a slow file's test kills first waits
    for every quicker one. A function's mutants run one after another, and mostly fall to the
    same test. Outside mutation runs the order is pytest's.
    """
    mutant = _active_mutant()
    if not mutant:
        return
    seconds = _recorded_seconds()
    kills = _kills_per_test(_function_of(mutant))
    per_file: dict[str, float] = defaultdict(float)
    for item in items:
        per_file[item.nodeid.split("::")[0]] += seconds.get(item.nodeid, 0.0)

    def order(item: pytest.Item) -> tuple[int, float, str, float]:
        file = item.nodeid.split("::")[0]
        return -kills[item.nodeid], per_file[file], file, seconds.get(item.nodeid, 0.0)

    items.sort(key=order)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Under mutmut: move what is loaded so far out of the garbage collector's reach.

    mutmut's fork server imports the tests, then forks a process per mutant, in which pytest
    ends with two full collections (``gc_collect_harder``). Each walked the whole inherited
    heap (about 0.27 s for 200,000 objects on a quiet core) and copied its pages into the
    process: more than many mutants' tests take. Frozen objects are never collected; those the
    tests create still are.
    """
    if "MUTANT_UNDER_TEST" in os.environ:
        gc.freeze()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """With a mutant active: record the test that failed (killed it) in the job's folder."""
    mutant = _active_mutant()
    if mutant and report.failed:
        with _KILLERS.open("a") as killers:
            killers.write(f"{_function_of(mutant)}\t{report.nodeid}\n")


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

"""Test helpers for code that uses staffing: a faithful fake LivePerson server.

Like ``pandas.testing``, this package serves tests and demos, never the planning itself:
nothing else in ``staffing`` imports it.

- :mod:`~staffing.testing.server`: :class:`FakeLivePerson`, a real HTTP server on
  127.0.0.1 (random port, in a thread) with LivePerson's Domain API and NHT API v1/v2,
  checking the OAuth 1.0 signature of every request (a nonce is accepted once);
- :mod:`~staffing.testing.nht`: the NHT API's rules (parameters with ``causes``, one week
  per query, nine weeks of retention, pages of 10 skills with absolute links);
- :mod:`~staffing.testing.data`: deterministic synthetic history with daily and weekly
  seasonality and hours with no data, encoded the way LivePerson does (-1, or the
  post-2020 zeros); :meth:`FakeLivePerson.ground_truth` gives what a correct client stores;
- :mod:`~staffing.testing.faults`: :class:`Fault`, injected by NHT request number
  (:meth:`FakeLivePerson.inject`): 429 with ``Retry-After``, 500/503, malformed, cut or
  slow bodies, dropped connections, tampered answers; before or after the OAuth check;
- ``python -m staffing.testing [--skills N] [--print-env]`` runs the fake until Ctrl-C.

See ``docs/liveperson-nht-api.md``.

Example
-------
>>> with FakeLivePerson(skill_ids=range(1, 4)) as lp:          # doctest: +SKIP
...     fetch_history(path, lp.account, domain_api=lp.domain_api,
...                   credentials=lp.credentials, now=lp.now)
"""

from __future__ import annotations

from collections.abc import Callable

from staffing.testing.faults import Fault
from staffing.testing.nht import MAX_LIMIT, MAX_RANGE, RETENTION
from staffing.testing.server import TEST_CREDENTIALS, FakeLivePerson, RecordedRequest

__all__ = [
    "MAX_LIMIT",
    "MAX_RANGE",
    "RETENTION",
    "TEST_CREDENTIALS",
    "FakeLivePerson",
    "Fault",
    "RecordedRequest",
    "main",
]


def __getattr__(name: str) -> Callable[[list[str] | None], int]:
    # The command line is loaded on use: `python -m staffing.testing` runs __main__ itself,
    # and must not find it imported already.
    if name == "main":
        from staffing.testing.__main__ import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

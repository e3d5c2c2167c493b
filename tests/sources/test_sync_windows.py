"""The fetch sync's bookkeeping: the pages it reports, the windows it marks fetched.

Rules protected (``fetch_history``'s docstring and docs/liveperson-nht-api.md): progress is
called after each page with (pages done, pages expected), the expected count known up front
for a skill list (ceil(skills / 10) pages a window) and grown when the first page of a window
announces more skills than one page holds; a caller's progress object is closed, whatever
happens; every window fetched is marked fetched in the store, exactly, and nothing else.
Expected counts are worked out here from the fake server's skills and the window rule.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from staffing.errors import APIError
from staffing.sources.liveperson import fetch_history
from staffing.sources.store import HistoryStore
from staffing.testing import FakeLivePerson, Fault
from tests.sources.liveperson_support import NOW, fetch_kwargs, window_of

PAGE = 10  # skills per page (the API's limit)


class Progress:
    """Records progress calls; counts its closing."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []
        self.closed = 0

    def __call__(self, done: int, expected: int) -> None:
        self.calls.append((done, expected))

    def close(self) -> None:
        self.closed += 1


def test_pages_expected_grow_when_the_first_page_announces_more_skills(tmp_path, pauses):
    progress = Progress()
    with FakeLivePerson(skill_ids=range(3001, 3026), now=NOW) as server:
        summary = fetch_history(
            tmp_path / "h.sqlite",
            server.account,
            weeks=2,
            progress=progress,
            **fetch_kwargs(server, pauses),
        )
        pages = len(server.nht_requests())
    per_window = math.ceil(25 / PAGE)  # 3 pages of at most 10 skills
    assert summary.windows == 2 and pages == 2 * per_window
    # the first page says 3 pages a window: the total is 6 from then on
    assert progress.calls == [(k, 2 * per_window) for k in range(1, pages + 1)]
    assert progress.closed == 1


def test_pages_expected_are_known_up_front_for_a_skill_list(tmp_path, pauses):
    progress = Progress()
    skills = list(range(3001, 3013))  # 12 skills: 2 pages a window
    with FakeLivePerson(skill_ids=range(3001, 3026), now=NOW) as server:
        fetch_history(
            tmp_path / "h.sqlite",
            server.account,
            skill_ids=skills,
            weeks=3,
            progress=progress,
            **fetch_kwargs(server, pauses),
        )
        pages = len(server.nht_requests())
    assert pages == 3 * 2
    assert progress.calls == [(k, 6) for k in range(1, 7)]


def test_the_windows_fetched_are_marked_exactly(tmp_path, lp, pauses):
    path = tmp_path / "h.sqlite"
    summary = fetch_history(path, lp.account, weeks=3, **fetch_kwargs(lp, pauses))
    sent = [window_of(r) for r in lp.nht_requests()]
    end = NOW.floor("60min")
    assert sent == [
        (end - pd.Timedelta(weeks=3 - w), end - pd.Timedelta(weeks=2 - w)) for w in range(3)
    ]
    assert HistoryStore(path).fetched_windows(lp.account, interval_minutes=60) == sent
    assert summary.windows == 3
    assert str(summary) == (
        f"3 skills, {3 * 7 * 24} intervals in 3 windows: {3 * 3 * 7 * 24} rows new, 0 updated "
        "(4 requests, 0 retries)"
    )
    # another interval length is another history: nothing marked for quarter hours
    assert HistoryStore(path).fetched_windows(lp.account, interval_minutes=15) == []


def test_a_failed_window_is_not_marked_and_progress_is_closed(tmp_path, pauses):
    progress = Progress()
    path = tmp_path / "h.sqlite"
    with FakeLivePerson(skill_ids=(11, 12), now=NOW) as server:
        # window 1 (request 1) succeeds; window 2 fails past the three retries
        server.inject(2, *[Fault.server_error(500)] * 4)
        with pytest.raises(APIError):
            fetch_history(
                path, server.account, weeks=2, progress=progress, **fetch_kwargs(server, pauses)
            )
        first = window_of(server.nht_requests()[0])
    marked = HistoryStore(path).fetched_windows(server.account, interval_minutes=60)
    assert marked == [first]
    assert progress.closed == 1
    assert progress.calls == [(1, 2)]


def test_progress_true_shows_a_page_bar_on_stderr_and_clears_it(tmp_path, lp, pauses, capsys):
    fetch_history(
        tmp_path / "h.sqlite", lp.account, weeks=2, progress=True, **fetch_kwargs(lp, pauses)
    )
    err = capsys.readouterr().err
    frames = [f for f in err.split("\r") if f]
    # one frame a page, counted in pages out of the expected 2 (one page a window)
    # tqdm writes the rate as page/s, or as s/page when a page takes over a second (a loaded
    # machine)
    rate = ("page/s", "s/page")
    # before the first page the bar claims no total (not 0/1: the count comes with page 1)
    assert frames[0].startswith("NHT: 0page [")
    assert any(f.startswith("NHT:") and "1/2" in f and any(r in f for r in rate) for f in frames)
    assert any(f.startswith("NHT: 100%") and "2/2" in f for f in frames)
    assert frames[-1].strip() == ""  # the bar is cleared when the fetch ends

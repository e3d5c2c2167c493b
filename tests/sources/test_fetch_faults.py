"""Faults injected into a fetch: nothing is lost silently (issue "Nothing lost silently").

Each test injects one fault through the fake LivePerson server (a real HTTP server on
127.0.0.1 that checks OAuth signatures) and compares what the store holds with the
fake's ground truth, row for row: a fault is healed (refetched or retried), or the fetch
fails naming the window, keeps every window stored before it, and leaves the broken window
"to fetch" so that the next run heals it.
"""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from staffing.errors import APIError, ConfigError, DataError
from staffing.sources.liveperson import fetch_history
from staffing.sources.liveperson.client import NHTClient
from staffing.sources.store import HistoryStore, covered
from staffing.testing import FakeLivePerson, Fault
from tests.sources.liveperson_support import NOW, SECRETS, fetch_kwargs

HOUR = pd.Timedelta(hours=1)
END = NOW.floor("60min")


def _truth(server: FakeLivePerson, weeks: int) -> pd.DataFrame:
    return server.ground_truth(END - pd.Timedelta(weeks=weeks), END)


def _stored(path) -> pd.DataFrame:
    return HistoryStore(path).read()


# ----------------------------------------------------------------------------------------
# 1. Incomplete windows: a page without skills, a next link that skips a page
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("edit", ["no_skill_info", "null_skill_info"])
def test_a_page_without_skills_once_is_fetched_again_and_nothing_is_lost(
    tmp_path, lp, pauses, edit
):
    lp.inject(1, Fault.tamper(edit))
    path = tmp_path / "h.sqlite"
    fetch_history(path, lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    pd.testing.assert_frame_equal(_stored(path), _truth(lp, 1))
    assert len(lp.nht_requests()) == 2  # the broken window, then its refetch


def test_a_window_that_stays_incomplete_fails_keeps_the_rest_and_heals_on_the_next_run(
    tmp_path, lp, pauses
):
    path = tmp_path / "h.sqlite"
    # Two windows (oldest first); the second answers without skills, also when refetched.
    lp.inject(2, Fault.tamper("no_skill_info"), Fault.tamper("no_skill_info"))
    with pytest.raises(DataError) as info:
        fetch_history(path, lp.account, weeks=2, **fetch_kwargs(lp, pauses))
    message = str(info.value)
    assert (
        "NHT window" in message
        and "0 skill(s) came back where _metadata.count announced 3" in message
    )
    assert "also when fetched again" in message and "nothing of this window" in message
    # The first window is stored in full; the second is not recorded as fetched.
    first_end = END - pd.Timedelta(weeks=1)
    truth = _truth(lp, 2)
    pd.testing.assert_frame_equal(
        _stored(path), truth[truth["interval_start"] < first_end].reset_index(drop=True)
    )
    done = HistoryStore(path).fetched_windows(lp.account, interval_minutes=60)
    assert not covered(done, first_end, END)
    # The next (incremental) run heals it: the store equals the ground truth.
    fetch_history(path, lp.account, weeks=2, **fetch_kwargs(lp, pauses))
    pd.testing.assert_frame_equal(_stored(path), truth)


def test_all_pages_without_skills_store_nothing_and_fail(tmp_path, lp, pauses):
    path = tmp_path / "h.sqlite"
    lp.inject(1, *[Fault.tamper("null_skill_info")] * 2)
    with pytest.raises(DataError, match="skill\\(s\\) 11, 12, 15 asked for did not come back"):
        fetch_history(path, lp.account, weeks=1, skill_ids=[11, 12, 15], **fetch_kwargs(lp, pauses))
    assert not path.exists() or len(_stored(path)) == 0


def test_a_next_link_that_skips_a_page_is_caught_by_the_announced_count(tmp_path, pauses):
    # 25 skills: pages of 10, 10 and 5; the first page's next link skips the second page.
    with FakeLivePerson(skill_ids=range(2001, 2026), now=NOW) as server:
        path = tmp_path / "h.sqlite"
        server.inject(1, Fault.tamper("skip_next"))
        fetch_history(path, server.account, weeks=1, **fetch_kwargs(server, pauses))
        pd.testing.assert_frame_equal(_stored(path), _truth(server, 1))
        # 2 pages of the broken attempt (the skipped one never asked), then 3 pages.
        assert len(server.nht_requests()) == 5

        server.inject(6, Fault.tamper("skip_next"), None, Fault.tamper("skip_next"))
        with pytest.raises(DataError, match=r"_metadata\.count announced 25"):
            fetch_history(
                path, server.account, weeks=1, incremental=False, **fetch_kwargs(server, pauses)
            )


# ----------------------------------------------------------------------------------------
# 2. Conflicting rows
# ----------------------------------------------------------------------------------------
def test_a_skill_hour_repeated_with_other_values_is_refetched_then_refused(tmp_path, lp, pauses):
    path = tmp_path / "h.sqlite"
    lp.inject(1, Fault.tamper("conflict"))
    fetch_history(path, lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    pd.testing.assert_frame_equal(_stored(path), _truth(lp, 1))  # healed by the refetch

    path2 = tmp_path / "h2.sqlite"
    lp.inject(3, Fault.tamper("conflict"), Fault.tamper("conflict"))
    with pytest.raises(DataError) as info:
        fetch_history(path2, lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    # The skill and the hour are named; no value was picked.
    assert "skill 11 at" in str(info.value) and "different values (arrivals)" in str(info.value)
    assert not path2.exists() or len(_stored(path2)) == 0


# ----------------------------------------------------------------------------------------
# 3. Non-finite and negative values from the API
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("1e999", "not a finite number"),  # parses as inf in Python's json
        ("NaN", "not valid JSON"),  # not JSON (RFC 8259 section 6)
        ("Infinity", "not valid JSON"),
        ("-5", "is negative"),  # -1 is the documented no-data value; -5 is not
    ],
)
def test_a_non_finite_or_negative_value_fails_the_window(tmp_path, lp, pauses, token, words):
    path = tmp_path / "h.sqlite"
    lp.inject(1, *[Fault.tamper("value", token)] * 2)
    with pytest.raises(DataError, match=words):
        fetch_history(path, lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    assert not path.exists() or len(_stored(path)) == 0


# ----------------------------------------------------------------------------------------
# 5, 6. Cut bodies, trickling bodies, retry budget
# ----------------------------------------------------------------------------------------
def test_a_body_cut_mid_way_is_retried_like_a_dropped_connection(tmp_path, lp, pauses):
    path = tmp_path / "h.sqlite"
    lp.inject(1, Fault.cut())
    fetch_history(path, lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    pd.testing.assert_frame_equal(_stored(path), _truth(lp, 1))
    assert pauses == [5.0]  # the first server-error pause of the policy


def test_a_trickling_body_is_cut_at_the_deadline_and_retried(tmp_path, lp, pauses):
    # The body takes 4 s in all; the deadline is 1 s, so the answer is cut and retried.
    path = tmp_path / "h.sqlite"
    lp.inject(1, Fault.trickle(4.0, chunks=8))
    fetch_history(path, lp.account, weeks=1, deadline_s=1.0, **fetch_kwargs(lp, pauses))
    pd.testing.assert_frame_equal(_stored(path), _truth(lp, 1))
    assert pauses == [5.0]


def test_the_deadline_error_names_it(lp, pauses):
    client = NHTClient(
        lp.account, lp.credentials, domain_api=lp.domain_api, deadline_s=0.5, sleep=pauses
    )
    lp.inject(1, *[Fault.trickle(3.0, chunks=6)] * 4)
    with pytest.raises(APIError, match=r"longer than the deadline of 0\.5 s, after 4 attempts"):
        client.get_nht(END - pd.Timedelta(days=1), END)


def test_the_retry_budget_ends_a_fetch_that_would_wait_for_hours(tmp_path, lp, pauses):
    # Retry-After 100000 s is cut to 600 s per pause; the default budget of 900 s of pauses
    # per fetch allows one such pause, not the eight the 429 limit would.
    path = tmp_path / "h.sqlite"
    lp.inject(2, *[Fault.throttle(100000)] * 9)
    with pytest.raises(APIError) as info:
        fetch_history(path, lp.account, weeks=2, **fetch_kwargs(lp, pauses))
    assert "retry budget of 900 s" in str(info.value)
    assert pauses == [600.0]
    truth = _truth(lp, 2)
    first_end = END - pd.Timedelta(weeks=1)
    pd.testing.assert_frame_equal(  # the window stored before the storm is kept
        _stored(path), truth[truth["interval_start"] < first_end].reset_index(drop=True)
    )


# ----------------------------------------------------------------------------------------
# 7. Concurrent fetches into one store
# ----------------------------------------------------------------------------------------
def test_six_fetches_into_one_store_at_once_all_finish_with_the_store_complete(tmp_path, pauses):
    path = tmp_path / "h.sqlite"
    with FakeLivePerson(skill_ids=range(3001, 3013), now=NOW) as server:
        errors: list[BaseException] = []

        def fetch() -> None:
            try:
                fetch_history(
                    path, server.account, weeks=2, incremental=False, **fetch_kwargs(server, pauses)
                )
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=fetch) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
        pd.testing.assert_frame_equal(_stored(path), _truth(server, 2))


# ----------------------------------------------------------------------------------------
# 12. Secrets in a URL
# ----------------------------------------------------------------------------------------
def test_a_user_and_password_in_the_domain_api_url_are_refused_and_never_echoed(
    tmp_path, lp, pauses
):
    url = lp.domain_api.replace("http://", f"http://user:{SECRETS[1]}@")
    kwargs = fetch_kwargs(lp, pauses)
    kwargs["domain_api"] = url
    with pytest.raises(ConfigError) as info:
        fetch_history(tmp_path / "h.sqlite", lp.account, weeks=1, **kwargs)
    assert SECRETS[1] not in str(info.value) and "user" not in str(info.value).split("'")[1]
    assert "must not hold a user name or password" in str(info.value)


def test_a_host_name_that_does_not_resolve_is_not_retried(tmp_path, lp, pauses, monkeypatch):
    # The lookup is made to fail here (no DNS query leaves the machine): a name that does
    # not resolve is final, so no 5-10-15 s pauses (issue "What a planner trips over", 11).
    import socket

    real = socket.getaddrinfo

    def no_such_host(host, *args, **kwargs):
        if host == "api.nowhere.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    kwargs = fetch_kwargs(lp, pauses)
    kwargs["domain_api"] = "http://api.nowhere.invalid"
    with pytest.raises(APIError) as info:
        fetch_history(tmp_path / "h.sqlite", lp.account, weeks=1, **kwargs)
    assert "api.nowhere.invalid does not resolve" in str(info.value)
    assert "after 1 attempt" in str(info.value)
    assert pauses == []

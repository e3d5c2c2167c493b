"""Every retry promise of the README ("Connecting a LivePerson account", How fetching behaves)
and of ``RetryPolicy``'s docstring, one named test each, on the policy alone.

README: "429 is retried after at least 1 s (or the server's Retry-After, at most 600 s);
500, 502, 503, 504, dropped connections, answers cut off mid-body and timeouts three times
after 5, 10 and 15 s; other errors (400, 401, 403, 404) are not retried and name the cause.
All pauses of one fetch add up to at most 900 s (the retry budget)". And: "Every request has
a timeout of 10 s to connect and 60 s between reads, and a deadline of 120 s".

No clock is read: the policy's ``pause`` is a recorder, answers are built in memory, and the
one Retry-After date is decades away from any clock the test could meet.
"""

from __future__ import annotations

import socket

import pytest
import requests
import urllib3

from staffing.sources.liveperson.client import (
    DEFAULT_DEADLINE_S,
    DEFAULT_TIMEOUT_S,
    NHTClient,
)
from staffing.sources.liveperson.retry import RetryPolicy, cannot_resolve
from staffing.testing import TEST_CREDENTIALS
from tests.sources.liveperson_support import Pauses


def _answer(status: int, retry_after: str | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    return response


class Server:
    """Answers ``send`` from a script of statuses / exceptions, then 200 for ever."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = 0

    def __call__(self) -> requests.Response:
        self.calls += 1
        item = self.script.pop(0) if self.script else 200
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, requests.Response):
            return item
        return _answer(item)


def _policy(**kwargs) -> tuple[RetryPolicy, Pauses]:
    pauses = Pauses()
    return RetryPolicy(pause=pauses, **kwargs), pauses


# --- each retried status ---------------------------------------------------------------


def test_429_is_retried_after_at_least_one_second():
    policy, pauses = _policy()
    server = Server(429)
    assert policy.call(server).status_code == 200
    assert server.calls == 2 and pauses == [1.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_each_server_error_status_is_retried_after_5_seconds(status):
    policy, pauses = _policy()
    server = Server(status)
    assert policy.call(server).status_code == 200
    assert server.calls == 2 and pauses == [5.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_each_server_error_status_is_retried_three_times_after_5_10_15_seconds(status):
    policy, pauses = _policy()
    server = Server(status, status, status, status)
    answer = policy.call(server)
    # three retries, then the fourth failing answer is final and handed back
    assert answer.status_code == status and server.calls == 4
    assert pauses == [5.0, 10.0, 15.0]


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ConnectionError("dropped"),
        requests.exceptions.ChunkedEncodingError("cut off mid-body"),
        requests.exceptions.ReadTimeout("timed out"),
        requests.exceptions.ConnectTimeout("timed out"),
    ],
    ids=["dropped connection", "cut off mid-body", "read timeout", "connect timeout"],
)
def test_each_failure_without_an_answer_is_retried_like_a_server_error(failure):
    policy, pauses = _policy()
    server = Server(failure, failure, failure)
    assert policy.call(server).status_code == 200
    assert server.calls == 4 and pauses == [5.0, 10.0, 15.0]
    policy, pauses = _policy()
    with pytest.raises(type(failure)):
        policy.call(Server(failure, failure, failure, failure))
    assert pauses == [5.0, 10.0, 15.0]


def test_server_errors_and_failures_share_the_three_retries():
    policy, pauses = _policy()
    server = Server(503, requests.exceptions.ConnectionError("x"), 502, 500)
    assert policy.call(server).status_code == 500 and server.calls == 4
    assert pauses == [5.0, 10.0, 15.0]


# --- each status that is not retried ---------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_each_client_error_status_is_not_retried(status):
    policy, pauses = _policy()
    server = Server(status)
    assert policy.call(server).status_code == status
    assert server.calls == 1 and pauses == []


def test_a_tls_failure_is_not_retried():
    policy, pauses = _policy()
    server = Server(requests.exceptions.SSLError("bad certificate"))
    with pytest.raises(requests.exceptions.SSLError):
        policy.call(server)
    assert server.calls == 1 and pauses == []


# --- each bound ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "pause"),
    [
        ("3", 3.0),  # the server's Retry-After wins over 1 s
        ("0", 1.0),  # but never less than 1 s
        ("600", 600.0),  # at most 600 s ...
        ("601", 600.0),  # ... a longer one is cut to 600 s
        ("Sat, 01 Jan 2000 00:00:00 GMT", 1.0),  # a date in the past: at least 1 s
        ("Fri, 01 Jan 2100 00:00:00 GMT", 600.0),  # a date far ahead: cut to 600 s
        ("Fri, 01 Jan 2100 00:00:00 -0000", 600.0),  # a date without a zone is UTC
        ("soon", 1.0),  # neither seconds nor a date: ignored
    ],
)
def test_retry_after_on_429_is_honoured_between_1_and_600_seconds(header, pause):
    policy, pauses = _policy()
    assert policy.call(Server(_answer(429, header))).status_code == 200
    assert pauses == [pause]


@pytest.mark.parametrize(("header", "pause"), [("30", 30.0), ("2", 5.0), ("900", 600.0)])
def test_retry_after_on_a_server_error_lengthens_but_never_shortens_the_pause(header, pause):
    policy, pauses = _policy()
    assert policy.call(Server(_answer(503, header))).status_code == 200
    assert pauses == [pause]


def test_429_is_retried_at_most_8_times():
    policy, pauses = _policy()
    server = Server(*[429] * 9)
    assert policy.call(server).status_code == 429
    assert server.calls == 9 and pauses == [1.0] * 8
    policy, pauses = _policy()
    assert policy.call(Server(*[429] * 8)).status_code == 200 and pauses == [1.0] * 8


def test_429_retries_do_not_use_up_the_server_error_retries():
    policy, pauses = _policy()
    server = Server(429, 503, 429, 503, 429, 503)
    assert policy.call(server).status_code == 200 and server.calls == 7
    assert pauses == [1.0, 5.0, 1.0, 10.0, 1.0, 15.0]


def test_all_pauses_of_one_fetch_add_up_to_at_most_900_seconds():
    # Three pauses of 300 s fill the budget exactly (900 is allowed); the fourth is not made.
    policy, pauses = _policy()
    server = Server(*[_answer(429, "300")] * 4)
    answer = policy.call(server)
    assert answer.status_code == 429 and server.calls == 4
    assert pauses == [300.0, 300.0, 300.0]
    assert "retry budget of 900 s" in policy.why_stopped()
    assert "900 s paused" in policy.why_stopped()


def test_the_budget_spans_every_request_of_the_policy():
    # One policy = one fetch: 600 s paused on a first request leaves 300 s for the next, so a
    # second Retry-After of 600 s is not waited for.
    policy, pauses = _policy()
    assert policy.call(Server(_answer(503, "600"))).status_code == 200
    assert policy.why_stopped() == ""
    server = Server(_answer(503, "600"))
    assert policy.call(server).status_code == 503 and server.calls == 1
    assert pauses == [600.0]
    assert "retry budget of 900 s" in policy.why_stopped()


def test_the_documented_defaults():
    policy = RetryPolicy()
    assert policy.server_error_pauses_s == (5.0, 10.0, 15.0)
    assert policy.throttle_pause_s == 1.0
    assert policy.max_retry_after_s == 600.0
    assert policy.budget_s == 900.0
    assert policy.max_throttled == 8
    assert policy.SERVER_ERRORS == {500, 502, 503, 504}


def test_every_request_has_a_10_s_connect_60_s_read_timeout_and_a_120_s_deadline():
    assert DEFAULT_TIMEOUT_S == (10.0, 60.0)
    assert DEFAULT_DEADLINE_S == 120.0
    client = NHTClient("12345678", TEST_CREDENTIALS, domain_api="http://127.0.0.1:9")
    try:
        assert client.timeout_s == (10.0, 60.0) and client.deadline_s == 120.0
    finally:
        client.close()


def test_each_retry_is_logged_with_its_cause_and_pause(caplog):
    policy, _pauses = _policy()
    server = Server(429, 503, requests.exceptions.ConnectionError("x"))
    with caplog.at_level("WARNING", logger="staffing.sources.liveperson"):
        assert policy.call(server, what="NHT window 3").status_code == 200
    assert [r.getMessage() for r in caplog.records] == [
        "LivePerson NHT window 3: HTTP 429 (too many requests); retrying in 1 s",
        "LivePerson NHT window 3: HTTP 503; retrying in 5 s",
        "LivePerson NHT window 3: no answer (ConnectionError); retrying in 10 s",
    ]


def test_a_shorter_configured_throttle_pause_is_used_as_given():
    # Without Retry-After the pause is the policy's own (here 0.25 s), not a 1 s floor.
    policy, pauses = _policy(throttle_pause_s=0.25, server_error_pauses_s=(0.5,))
    assert policy.call(Server(429, 503)).status_code == 200
    assert pauses == [0.25, 0.5]


def _wrapped_dns_failure() -> requests.exceptions.ConnectionError:
    # As requests raises it: ConnectionError(MaxRetryError(reason=NameResolutionError(...,
    # gaierror)))
    gai = socket.gaierror(-2, "Name or service not known")
    resolution = urllib3.exceptions.NameResolutionError("lp.invalid", None, gai)
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, "https://lp.invalid/", reason=resolution)
    )


def test_a_host_name_that_does_not_resolve_is_not_retried():
    # RetryPolicy / cannot_resolve: a name that does not resolve will not resolve in 5 s
    # either, so the failure is final at once.
    policy, pauses = _policy()
    server = Server(_wrapped_dns_failure())
    with pytest.raises(requests.exceptions.ConnectionError):
        policy.call(server)
    assert server.calls == 1 and pauses == []
    assert cannot_resolve(_wrapped_dns_failure())


def test_a_dns_failure_found_through_the_exception_context_is_final_too():
    error = requests.exceptions.ConnectionError("connect failed")
    error.__context__ = socket.gaierror(-3, "Temporary failure in name resolution")
    assert cannot_resolve(error)
    assert not cannot_resolve(requests.exceptions.ConnectionError("connection refused"))
    assert not cannot_resolve(
        requests.exceptions.ConnectionError(
            urllib3.exceptions.MaxRetryError(None, "https://x/", reason=ConnectionRefusedError())
        )
    )

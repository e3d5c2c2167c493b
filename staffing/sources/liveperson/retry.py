"""LivePerson's retry policy, declared once and run by tenacity around each request.

See ``docs/liveperson-nht-api.md`` (retries) for the statuses retried and the pauses.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import ClassVar

import requests
import urllib3
from tenacity import Future, RetryCallState, Retrying

__all__ = ["RetryPolicy", "cannot_resolve"]

log = logging.getLogger("staffing.sources.liveperson")


def cannot_resolve(error: BaseException | None) -> bool:
    """Whether ``error`` is, at its root, a host name that does not resolve (DNS).

    A name that does not resolve will not resolve in 5 s either: retrying only delays the
    message that the Domain API URL (or the network's DNS) is wrong.

    Parameters
    ----------
    error : BaseException or None
        A failure of a request (requests wraps urllib3's error, which wraps the socket's);
        None is no failure.

    Returns
    -------
    bool
    """
    seen = 0
    while error is not None and seen < 6:
        if isinstance(error, urllib3.exceptions.NameResolutionError | socket.gaierror):
            return True
        inner = getattr(error, "reason", None)
        if not isinstance(inner, BaseException):
            inner = (
                error.args[0]
                if error.args and isinstance(error.args[0], BaseException)
                else error.__context__
            )
        error, seen = inner, seen + 1
    return False


def _outcome(state: RetryCallState) -> Future:
    """The attempt's outcome: tenacity sets it before it calls retry, stop, wait or warn."""
    if state.outcome is None:
        raise RuntimeError("tenacity asked about an attempt that has no outcome yet")
    return state.outcome


@dataclass(frozen=True)
class RetryPolicy:
    """LivePerson's documented retry policy, run by tenacity around each request.

    Every attempt is a new ``session.get``, so OAuth 1.0 signs it again with a fresh
    nonce and timestamp: an edge that checks the signature before it answers 429 or 503
    never sees a replayed nonce.

    - 429: retried up to ``max_throttled`` times, pausing ``max(1 s, Retry-After)``.
    - 500, 502, 503, 504, a refused or dropped connection, an answer cut off mid-body, a
      timeout: retried 3 times with pauses of 5, 10 and 15 s (longer if the server's
      ``Retry-After`` says so).
    - Anything else (400, 401, 403, 404, a TLS failure, a host name that does not resolve,
      ...): not retried.
    - All pauses of one policy (one fetch) add up to at most ``budget_s``: a retry whose
      pause would exceed what is left is not made, and the request fails at once.

    Parameters
    ----------
    pause : callable
        Called with the pause [s] before each retry; ``time.sleep`` by default, a
        recorder in tests.
    server_error_pauses_s : sequence of float
        Pause before each retry of a server error [s]; its length is the retry count.
    throttle_pause_s : float
        Least pause after a 429 [s].
    max_throttled : int
        Most retries of 429 answers for one request.
    max_retry_after_s : float
        Longest ``Retry-After`` honoured [s]; a longer one is cut to this.
    budget_s : float
        Most pause time in all, over every request made under this policy [s].
    """

    pause: Callable[[float], object] = time.sleep
    server_error_pauses_s: tuple[float, ...] = (5.0, 10.0, 15.0)
    throttle_pause_s: float = 1.0
    max_throttled: int = 8
    max_retry_after_s: float = 600.0
    budget_s: float = 900.0
    #: Pause time spent so far and whether the budget stopped a retry (mutable state).
    _spent: dict = field(
        default_factory=lambda: {"s": 0.0, "stopped": False}, init=False, repr=False, compare=False
    )

    THROTTLED: ClassVar[int] = 429
    SERVER_ERRORS: ClassVar[frozenset[int]] = frozenset({500, 502, 503, 504})
    #: Failures without an answer that another attempt may cure.
    TRANSIENT_ERRORS: ClassVar[tuple[type[Exception], ...]] = (
        requests.exceptions.ConnectionError,
        requests.exceptions.ChunkedEncodingError,  # the connection dropped mid-body
        requests.exceptions.Timeout,
    )
    #: ... except a TLS failure (an SSLError is a ConnectionError), which will not cure.
    FINAL_ERRORS: ClassVar[tuple[type[Exception], ...]] = (requests.exceptions.SSLError,)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "server_error_pauses_s", tuple(float(p) for p in self.server_error_pauses_s)
        )

    def _kind(self, outcome: Future) -> str | None:
        """``"throttled"`` (429), ``"failed"`` (server error, no answer) or None (final)."""
        if outcome.failed:
            error = outcome.exception()
            transient = isinstance(error, self.TRANSIENT_ERRORS)
            final = isinstance(error, self.FINAL_ERRORS) or cannot_resolve(error)
            return "failed" if transient and not final else None
        status = outcome.result().status_code
        if status == self.THROTTLED:
            return "throttled"
        return "failed" if status in self.SERVER_ERRORS else None

    def call(
        self, send: Callable[[], requests.Response], *, what: str = "request"
    ) -> requests.Response:
        """Call ``send`` until it gets a final answer or the policy gives up.

        Parameters
        ----------
        send : callable
            Sends the request once (a new, newly signed request each call).
        what : str
            What is requested, for the warning logged before each pause.

        Returns
        -------
        requests.Response
            The final answer; a 429 or 5xx one when the retries ran out.

        Raises
        ------
        requests.exceptions.RequestException
            The last failure without an answer, when not retried or the retries ran out.
        """
        # tenacity keeps only the last outcome, and the two limits are per kind: count the
        # kinds here, where tenacity asks exactly once per attempt whether to retry.
        counts = {"throttled": 0, "failed": 0}

        def retry(state: RetryCallState) -> bool:
            kind = self._kind(_outcome(state))
            if kind is not None:
                counts[kind] += 1
            return kind is not None

        def stop(state: RetryCallState) -> bool:
            if counts["throttled"] > self.max_throttled or counts["failed"] > len(
                self.server_error_pauses_s
            ):
                return True
            if self._spent["s"] + pause_for(state) > self.budget_s:
                self._spent["stopped"] = True
                return True
            return False

        def wait(state: RetryCallState) -> float:
            return pause_for(state)

        def pause_for(state: RetryCallState) -> float:
            outcome = _outcome(state)
            answer = None if outcome.failed else outcome.result()
            retry_after = self.retry_after_s(answer) or 0.0
            if answer is not None and answer.status_code == self.THROTTLED:
                return max(self.throttle_pause_s, retry_after)
            step = min(counts["failed"], len(self.server_error_pauses_s)) - 1
            return max(self.server_error_pauses_s[max(step, 0)], retry_after)

        def sleep(seconds: float) -> None:
            self.pause(seconds)

        def warn(state: RetryCallState) -> None:
            outcome = _outcome(state)
            if outcome.failed:
                why = f"no answer ({type(outcome.exception()).__name__})"
            elif outcome.result().status_code == self.THROTTLED:
                why = "HTTP 429 (too many requests)"
            else:
                why = f"HTTP {outcome.result().status_code}"
            # Counted here, where the pause is certain (tenacity may ask wait and stop in
            # either order).
            self._spent["s"] += state.upcoming_sleep
            log.warning("LivePerson %s: %s; retrying in %.0f s", what, why, state.upcoming_sleep)

        retrying = Retrying(
            retry=retry,
            stop=stop,
            wait=wait,
            sleep=sleep,
            before_sleep=warn,
            # Out of retries: hand back the last answer (or raise the last failure).
            retry_error_callback=lambda state: _outcome(state).result(),
        )
        return retrying(send)

    def why_stopped(self) -> str:
        """Why retrying stopped early, as text to append to an error; empty if it did not.

        Returns
        -------
        str
            ``"; the retry budget of N s ... is used up"`` once the budget stopped a retry.
        """
        if not self._spent["stopped"]:
            return ""
        return (
            f"; the retry budget of {self.budget_s:g} s of pauses for this fetch is used "
            f"up ({self._spent['s']:g} s paused)"
        )

    def retry_after_s(self, response: requests.Response | None) -> float | None:
        """The answer's ``Retry-After`` [s] (seconds or an HTTP date).

        Parameters
        ----------
        response : requests.Response or None
            The answer; None when the request got no answer.

        Returns
        -------
        float or None
            The pause the server asks for [s], clipped to [0, ``max_retry_after_s``]; None
            when there is no answer, no header, or a header that is neither whole seconds nor
            an HTTP date.
        """
        if response is None:  # a Response is falsy for 4xx/5xx: compare with None
            return None
        value = (response.headers.get("Retry-After") or "").strip()
        if not value:
            return None
        if value.isdigit():
            seconds = float(value)
        else:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
        return min(max(seconds, 0.0), self.max_retry_after_s)

"""HTTP client of LivePerson's NHT API v2: domain discovery, OAuth 1.0 signing, pages.

:class:`NHTClient` owns one ``requests.Session`` signed with OAuth 1.0 (HMAC-SHA1, in the
header), finds the account's ``leDataReporting`` host through the Domain API, follows v2
pages to the end, runs every request under :class:`~staffing.sources.liveperson.retry.RetryPolicy`
and hands each page to the pure parser :func:`~staffing.sources.liveperson.parse.read_nht`.
It knows nothing of the history store. See ``docs/liveperson-nht-api.md``.

Decisions where LivePerson's documentation is silent:

- ``toMillis`` may be inclusive on the server; every window is fetched as
  [from, to) and buckets starting at or after ``to`` are dropped, then rows are
  de-duplicated on (skill, bucket start), the later answer winning.
- A dropped connection or read timeout is retried like a 503 (pauses 5, 10, 15 s).
  A 200 answer whose body is not the documented JSON is not retried: it raises
  :class:`~staffing.errors.DataError` naming the window and page.
- Retries happen at the requests level, not in urllib3: each attempt is a new
  ``session.get`` that OAuth 1.0 signs with a fresh nonce and timestamp, so an edge
  that checks (and remembers) the nonce before answering 429 or 503 accepts the retry.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import timedelta
from typing import NoReturn
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import requests
import urllib3
from requests_oauthlib import OAuth1

from staffing.errors import APIError, AuthenticationError, ConfigError, DataError
from staffing.sources.liveperson.credentials import (
    DEFAULT_DOMAIN_API,
    Credentials,
    check_account,
    check_domain_api,
    check_interval,
    check_skill_ids,
    check_source,
    host_of,
    quiet_oauth_loggers,
)
from staffing.sources.liveperson.parse import drop_identical_duplicates, empty_nht, read_nht
from staffing.sources.liveperson.retry import RetryPolicy, cannot_resolve
from staffing.sources.timestamps import as_utc
from staffing.vocabulary import VERSION

__all__ = [
    "DEFAULT_DEADLINE_S",
    "DEFAULT_TIMEOUT_S",
    "MAX_WINDOW",
    "NHT_PATH",
    "PAGE_LIMIT",
    "SERVICE",
    "USER_AGENT",
    "WINDOW_REFETCHES",
    "DeadlineExceeded",
    "NHTClient",
]

#: Domain API service name of the NHT API (case-sensitive).
SERVICE = "leDataReporting"
#: Path of the NHT API v2 on the service's host.
NHT_PATH = "/operations/api/account/{account}/nht"
#: Skills per page: the API's maximum.
PAGE_LIMIT = 10
#: Longest time frame of one query.
MAX_WINDOW = timedelta(days=7)
#: (connect, read) timeout of every request [s]: to connect, and between two reads.
DEFAULT_TIMEOUT_S = (10.0, 60.0)
#: Longest time one request may take in all, connecting and reading the whole body [s]; a
#: body that trickles in slower is cut and retried like a dropped connection.
DEFAULT_DEADLINE_S = 120.0
#: How often a window whose pages disagree or miss skills is fetched again before failing.
WINDOW_REFETCHES = 1


class DeadlineExceeded(requests.exceptions.Timeout):
    """A request took longer than its total deadline (connect plus the whole body)."""


def _refuse_constant(token: str) -> float:
    raise ValueError(f"{token} is not a JSON number")


#: Sent with every request, so LivePerson can tell who calls.
USER_AGENT = f"staffing/{VERSION} (LivePerson NHT fetcher; python-requests/{requests.__version__})"

log = logging.getLogger("staffing.sources.liveperson")

_HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")


def _millis(ts: pd.Timestamp) -> int:
    return int(ts.value // 1_000_000)


class NHTClient:
    """HTTP client of LivePerson's NHT API v2 for one account.

    Parameters
    ----------
    account : str
        LivePerson account id.
    credentials : Credentials, optional
        The API key; from the ``LP_*`` environment variables when None.
    domain_api : str
        Base URL of the Domain API; ``http://127.0.0.1:PORT`` for a local fake, which
        also makes the NHT requests go over http.
    source : str
        Caller id sent as ``source`` (at most 20 characters).
    timeout_s : (float, float)
        (connect, read) timeout of every request [s].
    sleep : callable
        Pause function used between retries [s]; tests pass a recorder.
    retry : RetryPolicy, optional
        Replaces the default policy (whose ``pause`` is ``sleep``).

    Attributes
    ----------
    requests : int
        Requests asked for, each counted once however often it was retried.
    retries : int
        Attempts beyond the first of each request.
    announced : int or None
        The skill count ``_metadata.count`` announced for the window being read.
    """

    def __init__(
        self,
        account: str,
        credentials: Credentials | Mapping[str, str] | None = None,
        *,
        domain_api: str = DEFAULT_DOMAIN_API,
        source: str = "staffing",
        timeout_s: tuple[float, float] = DEFAULT_TIMEOUT_S,
        deadline_s: float = DEFAULT_DEADLINE_S,
        sleep: Callable[[float], object] = time.sleep,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.account = check_account(account)
        self.source = check_source(source)
        self.domain_api = check_domain_api(domain_api)
        self._credentials = Credentials.coerce(credentials)
        self.timeout_s = timeout_s
        if not (isinstance(deadline_s, int | float) and 0 < deadline_s < math.inf):
            raise ConfigError([f"deadline_s {deadline_s!r}: must be a number of seconds > 0"])
        self.deadline_s = float(deadline_s)
        self.retry = retry or RetryPolicy(pause=sleep)
        self.retries = 0
        self.requests = 0
        self.announced: int | None = None
        self._base_url: str | None = None
        quiet_oauth_loggers()
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        # Proxy settings from the environment apply, except to a loopback fake.
        self.session.trust_env = urlsplit(self.domain_api).hostname not in (
            "127.0.0.1",
            "localhost",
            "::1",
        )
        c = self._credentials
        self._auth = OAuth1(
            c.app_key,
            client_secret=c.app_secret,
            resource_owner_key=c.access_token,
            resource_owner_secret=c.access_token_secret,
            signature_method="HMAC-SHA1",
            signature_type="AUTH_HEADER",
        )

    def __repr__(self) -> str:
        return f"NHTClient(account={self.account!r}, domain_api={self.domain_api!r})"

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    def __enter__(self) -> NHTClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP --------------------------------------------------------------------------
    def _get(
        self, url: str, *, params: Mapping | None, auth: OAuth1 | None, what: str
    ) -> tuple[requests.Response, bytes]:
        """GET under the retry policy; every attempt is signed anew by ``auth``.

        Returns the final 200 answer and its whole body, read within the deadline.
        """
        self.requests += 1
        attempts = 0
        body = b""

        def send() -> requests.Response:
            nonlocal attempts, body
            attempts += 1
            deadline = time.monotonic() + self.deadline_s
            response = self.session.get(
                url, params=params, auth=auth, timeout=self.timeout_s, stream=True
            )
            chunks = []
            try:
                # read1 returns what has arrived (waiting at most the read timeout), so a
                # body that trickles in is cut at the deadline instead of holding the fetch.
                while chunk := response.raw.read1(65536, decode_content=True):
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise DeadlineExceeded(f"longer than {self.deadline_s:g} s")
            except urllib3.exceptions.ProtocolError as exc:  # the body was cut off
                raise requests.exceptions.ChunkedEncodingError(exc) from None
            except urllib3.exceptions.ReadTimeoutError as exc:
                raise requests.exceptions.ReadTimeout(exc) from None
            finally:
                response.close()
            body = b"".join(chunks)
            return response

        try:
            response = self.retry.call(send, what=what)
        except requests.exceptions.RequestException as exc:
            reason = _describe(exc, url, self.timeout_s, self.deadline_s)
            tries = f"{attempts} attempt" + ("s" if attempts > 1 else "")
            raise APIError(
                None, f"{what}: {reason}, after {tries}{self.retry.why_stopped()}"
            ) from None
        finally:
            self.retries += attempts - 1
        if response.status_code == 200:
            return response, body
        self._raise_for(response, body, what, attempts)

    def _raise_for(
        self, response: requests.Response, raw: bytes, what: str, attempts: int
    ) -> NoReturn:
        status = response.status_code
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        if not isinstance(body, Mapping):
            body = {}
        causes = body.get("causes")
        causes = [str(c) for c in causes] if isinstance(causes, list) else []
        if body.get("reason"):
            causes.append(str(body["reason"]))
        message = str(body.get("message") or response.reason or "error")
        causes = [self._credentials.redact(c) for c in causes]
        message = self._credentials.redact(message)
        if status in (401, 403):
            raise AuthenticationError(
                status,
                f"{what}: LivePerson rejected the API key for account {self.account} "
                f"({message}); check the four LP_* values and that the key may read NHT data",
                causes,
            )
        if status == 404:
            message += (
                f"; is the NHT API enabled for account {self.account}? It is a beta that "
                "LivePerson turns on per account"
            )
        if status == RetryPolicy.THROTTLED or status in RetryPolicy.SERVER_ERRORS:
            message = (
                f"{message}; still failing after {attempts} attempts "
                f"(the retry policy){self.retry.why_stopped()}"
            )
        raise APIError(status, f"{what}: {message}", causes)

    def base_url(self) -> str:
        """The NHT API base URL, found once through the Domain API and cached.

        Returns
        -------
        str
            ``scheme://host`` of the account's ``leDataReporting`` service; http when
            ``domain_api`` is http (a local fake), else https.

        Raises
        ------
        APIError, AuthenticationError
            The Domain API refused or kept failing.
        DataError
            The answer has no ``baseURI`` or it is not a host name.
        """
        if self._base_url is None:
            url = f"{self.domain_api}/api/account/{self.account}/service/{SERVICE}/baseURI.json"
            what = f"domain discovery of {SERVICE} for account {self.account}"
            _, body = self._get(url, params={"version": "1.0"}, auth=None, what=what)
            try:
                answer = _decode(body)
            except ValueError:
                answer = None
            if not isinstance(answer, Mapping) or "baseURI" not in answer:
                raise DataError(f"{what}: the answer has no baseURI")
            host = answer["baseURI"]
            if not isinstance(host, str) or not _HOST_RE.match(host):
                raise DataError(f"{what}: baseURI {host!r} is not a host name")
            scheme = "http" if self.domain_api.startswith("http://") else "https"
            self._base_url = f"{scheme}://{host}"
        return self._base_url

    def iter_pages(
        self,
        start: object,
        end: object,
        *,
        skill_ids: Iterable[int] | None = None,
        interval_minutes: int = 60,
    ) -> Iterator[tuple[int, int, dict]]:
        """Yield ``(page_number, pages_expected, payload)`` of one window [start, end).

        Follows the ``next`` link of ``_metadata.references`` (or, without one, the
        offset from ``_metadata.count``) until the last page.

        Parameters
        ----------
        start, end : timestamp
            Window bounds, at most one week apart; tz-aware, or naive meaning UTC.
        skill_ids : iterable of int, optional
            Skills to fetch (10 per page); all skills of the account when None.
        interval_minutes : int
            Bucket length [min]: 15, 30 or 60.

        Yields
        ------
        page_number : int
            1 for the first page.
        pages_expected : int
            Pages expected in all, from ``_metadata.count`` once a page has told it.
        payload : dict
            The page's JSON as sent, for :func:`read_nht`.

        Raises
        ------
        ConfigError
            The window is longer than one week, empty or has a bound that is not a time, or
            ``interval_minutes`` or ``skill_ids`` is invalid (before any request).
        APIError, AuthenticationError
            The server refused (400 with its causes, 401) or kept failing.
        DataError
            A page is not JSON or not the documented shape, a ``next`` link points to another
            host, or there are more pages than announced (names window and page).
        """
        start_ts, end_ts = as_utc(start, "start"), as_utc(end, "end")
        if not start_ts < end_ts or end_ts - start_ts > MAX_WINDOW:
            raise ConfigError(
                [f"window {start_ts} to {end_ts}: must be non-empty and at most one week"]
            )
        interval_minutes = check_interval(interval_minutes)
        ids = check_skill_ids(skill_ids)
        base = self.base_url()
        url = base + NHT_PATH.format(account=self.account)
        first: dict[str, object] = {
            "v": 2,
            "source": self.source,
            "fromMillis": _millis(start_ts),
            "toMillis": _millis(end_ts),
            "interval": interval_minutes,
            "limit": PAGE_LIMIT,
            "offset": 0,
        }
        if ids is not None:
            first["skillIds"] = ",".join(str(s) for s in ids)
        params: dict[str, object] | None = first  # None once the next link holds the query
        window = f"{start_ts:%Y-%m-%d %H:%M} to {end_ts:%Y-%m-%d %H:%M} UTC"
        page = 1
        offset = 0
        expected = 1 if ids is None else math.ceil(len(ids) / PAGE_LIMIT)
        while True:
            what = f"NHT window {window}, page {page}"
            _, body = self._get(url, params=params, auth=self._auth, what=what)
            try:
                payload = _decode(body)
            except ValueError as exc:
                raise DataError(f"{what}: the answer is not valid JSON ({exc})") from None
            if not isinstance(payload, dict):
                raise DataError(f"{what}: the answer is not a JSON object")
            meta = payload.get("_metadata") or {}
            count = meta.get("count") if isinstance(meta, Mapping) else None
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
                expected = max(1, math.ceil(count / PAGE_LIMIT))
            else:
                count = None
            self.announced = count
            yield page, expected, payload
            skills_here = payload.get("skillInfo") or []
            next_url = _link(meta, "next")
            if next_url is not None:
                if host_of(next_url) != host_of(base):
                    raise DataError(f"{what}: next link points to another host")
                url, params = next_url, None
            elif isinstance(count, int) and offset + len(skills_here) < count and skills_here:
                offset += len(skills_here)
                params = {**(params or _params_of(url)), "offset": offset}
                url = url.split("?", 1)[0]
            else:
                return
            offset = _offset_of(url, params, offset)
            page += 1
            if page > expected + 1 or page > 10_000:
                raise DataError(f"{what}: more pages than _metadata.count announces")

    def get_nht(
        self,
        start: object,
        end: object,
        *,
        skill_ids: Iterable[int] | None = None,
        interval_minutes: int = 60,
        on_page: Callable[[int, int], object] | None = None,
    ) -> pd.DataFrame:
        """Fetch one window [start, end) of at most a week, every page, as one DataFrame.

        Parameters
        ----------
        start, end : timestamp
            Window bounds; tz-aware or naive UTC.
        skill_ids : iterable of int, optional
            Skills to fetch; all when None.
        interval_minutes : int
            15, 30 or 60 [min].
        on_page : callable, optional
            Called with (page_number, pages_expected) after each page.

        Returns
        -------
        pandas.DataFrame
            As :func:`read_nht`, only buckets starting in [start, end), de-duplicated.

        Raises
        ------
        ConfigError, APIError, AuthenticationError, DataError
            As :meth:`iter_pages`; a page :func:`read_nht` rejects gives a DataError naming
            the window and page.
        """
        start_ts, end_ts = as_utc(start, "start"), as_utc(end, "end")
        window = f"NHT window {start_ts:%Y-%m-%d %H:%M} to {end_ts:%Y-%m-%d %H:%M} UTC"
        asked = check_skill_ids(skill_ids)
        for attempt in range(WINDOW_REFETCHES + 1):
            frame, problem = self._window(
                start_ts, end_ts, asked, interval_minutes, on_page, window
            )
            if problem is None:
                return frame
            log.warning(
                "%s: %s; %s",
                window,
                problem,
                "fetching it again" if attempt < WINDOW_REFETCHES else "giving up",
            )
        raise DataError(
            f"{window}: {problem}, also when fetched again; nothing of this window "
            "was stored (a later fetch tries it again)"
        )

    def _window(
        self,
        start_ts: pd.Timestamp,
        end_ts: pd.Timestamp,
        asked: list[int] | None,
        interval_minutes: int,
        on_page: Callable[[int, int], object] | None,
        window: str,
    ) -> tuple[pd.DataFrame, str | None]:
        """One fetch of a window: its rows, and what makes it incomplete (None if nothing)."""
        frames = []
        pages_of: dict[int, list[int]] = {}
        self.announced = None
        for page, expected, payload in self.iter_pages(
            start_ts, end_ts, skill_ids=asked, interval_minutes=interval_minutes
        ):
            try:
                part = read_nht(payload, interval_minutes=interval_minutes)
            except DataError as exc:  # a broken page: the window is fetched again
                return empty_nht(), f"page {page}: {exc}"
            for skill_id in _skill_ids_of(payload):
                pages_of.setdefault(skill_id, []).append(page)
            frames.append(part)
            if on_page is not None:
                on_page(page, expected)
        frame = pd.concat(frames, ignore_index=True) if frames else empty_nht()
        inside = (frame["interval_start"] >= start_ts) & (frame["interval_start"] < end_ts)
        frame = frame[inside]
        problems = []
        twice = sorted(s for s, pages in pages_of.items() if len(pages) > 1)
        if twice:
            problems.append(f"skill(s) {_ids(twice)} came back on more than one page")
        missing = sorted(set(asked or ()) - set(pages_of))
        if missing:
            problems.append(f"skill(s) {_ids(missing)} asked for did not come back")
        if self.announced is not None and len(pages_of) != self.announced:
            problems.append(
                f"{len(pages_of)} skill(s) came back where _metadata.count "
                f"announced {self.announced}"
            )
        try:
            frame = drop_identical_duplicates(frame, where=window)
        except DataError as exc:
            problems.append(str(exc).removeprefix(f"{window}: "))
        if problems:
            return frame, "; ".join(problems)
        return frame.sort_values(["skill_id", "interval_start"]).reset_index(drop=True), None


def _skill_ids_of(payload: Mapping) -> list[int]:
    """The skill ids of one page, as sent (read_nht has checked they are numbers)."""
    return [int(skill["skillId"]) for skill in payload.get("skillInfo") or []]


def _ids(ids: list[int], most: int = 10) -> str:
    shown = ", ".join(map(str, ids[:most]))
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")


def _decode(body: bytes) -> object:
    """Strict JSON: NaN and Infinity tokens are refused (1e999 becomes inf, refused later)."""
    return json.loads(body, parse_constant=_refuse_constant)


def _describe(
    exc: requests.exceptions.RequestException,
    url: str,
    timeout_s: tuple[float, float],
    deadline_s: float,
) -> str:
    """What went wrong with a request that got no answer, without any header value."""
    host = host_of(url)
    if isinstance(exc, DeadlineExceeded):
        return f"the answer from {host} took longer than the deadline of {deadline_s:g} s"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"the connection to {host} was cut in the middle of the answer"
    if isinstance(exc, requests.exceptions.Timeout):
        return f"no answer from {host} within the timeout of {timeout_s} s"
    if cannot_resolve(exc):
        return f"the host name {host} does not resolve (check the Domain API URL and DNS)"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS handshake with {host} failed (an https server with a valid certificate?)"
    if isinstance(exc, requests.exceptions.ConnectionError):
        # requests wraps urllib3's error, which may wrap the socket's: name the innermost.
        reason: Exception = exc
        for _ in range(4):
            inner = getattr(reason, "reason", None) or (reason.args[-1] if reason.args else None)
            if not isinstance(inner, Exception):
                break
            reason = inner
        return f"connection to {host} failed ({type(reason).__name__})"
    return f"request to {host} failed ({type(exc).__name__})"


def _link(meta: object, rel: str) -> str | None:
    if not isinstance(meta, Mapping):
        return None
    for ref in meta.get("references") or []:
        if isinstance(ref, Mapping) and ref.get("rel") == rel and isinstance(ref.get("href"), str):
            return ref["href"]
    return None


def _params_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def _offset_of(url: str, params: Mapping | None, default: int) -> int:
    source = params if params is not None else _params_of(url)
    try:
        return int(source.get("offset", default))
    except (TypeError, ValueError):
        return default

"""LivePerson Net Handle Time (NHT) API v2 client and parser.

Layers, from the wire up:

- :class:`Credentials`: the four OAuth 1.0 values, from arguments or ``LP_*``
  environment variables; their ``repr``/``str`` never show a value.
- :class:`RetryPolicy`: LivePerson's documented retry policy, run by tenacity around
  each request (every attempt signed anew), with an injectable pause.
- :class:`NHTClient`: one ``requests.Session`` signed with OAuth 1.0 (HMAC-SHA1,
  header), domain discovery for ``leDataReporting``, v2 pages followed to the end.
- :func:`read_nht`: pure parser of one v2 payload into a tidy DataFrame.
- :func:`fetch_history`: week windows, incremental planning and the SQLite store.

Decisions where LivePerson's documentation is silent (see
``docs/liveperson-nht-api.md`` in the shared docs):

- ``toMillis`` may be inclusive on the server; every window is fetched as
  [from, to) and buckets starting at or after ``to`` are dropped, then rows are
  de-duplicated on (skill, bucket start), the later answer winning.
- A dropped connection or read timeout is retried like a 503 (pauses 5, 10, 15 s).
  A 200 answer whose body is not the documented JSON is not retried: it raises
  :class:`~staffing.errors.DataError` naming the window and page, and the windows
  already stored are kept.
- Retries happen at the requests level, not in urllib3: each attempt is a new
  ``session.get`` that OAuth 1.0 signs with a fresh nonce and timestamp, so an edge
  that checks (and remembers) the nonce before answering 429 or 503 accepts the retry.
  A retry inside urllib3 would re-send the same signed bytes and get 401 for the
  replayed nonce.
"""

from __future__ import annotations

import logging
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import ClassVar
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import requests
from requests_oauthlib import OAuth1
from tenacity import Future, RetryCallState, Retrying

from staffing.errors import APIError, AuthenticationError, ConfigError, DataError
from staffing.store import METRIC_COLUMNS, HistoryStore

log = logging.getLogger(__name__)

#: Public Domain API (CSDS) that tells which host serves an account's NHT API.
DEFAULT_DOMAIN_API = "https://api.liveperson.net"
#: Environment variables holding app key, app secret, access token, access token secret.
ENV_VARS = ("LP_APP_KEY", "LP_APP_SECRET", "LP_ACCESS_TOKEN", "LP_ACCESS_TOKEN_SECRET")
#: Domain API service name of the NHT API (case-sensitive).
SERVICE = "leDataReporting"
NHT_PATH = "/operations/api/account/{account}/nht"
VALID_INTERVALS = (15, 30, 60)
#: Skills per page: the API's maximum.
PAGE_LIMIT = 10
#: Longest time frame of one query.
MAX_WINDOW = timedelta(days=7)
#: How far back LivePerson keeps NHT data [weeks].
RETENTION_WEEKS = 9
RETENTION_MARGIN = timedelta(minutes=15)
#: Fetched again before the end of the stored history: LivePerson adds data up to 8 h late.
LATE_DATA = timedelta(days=1)
#: (connect, read) timeout of every request [s].
DEFAULT_TIMEOUT_S = (10.0, 60.0)
MAX_SOURCE_LENGTH = 20

try:
    _VERSION = version("staffing")
except PackageNotFoundError:  # source tree not installed
    _VERSION = "0+unknown"
USER_AGENT = f"staffing/{_VERSION} (LivePerson NHT fetcher; python-requests/{requests.__version__})"

#: API field -> (column, 60-minute-only). Units: seconds for times, a fraction for load.
FIELDS: dict[str, tuple[str, bool]] = {
    "arrivals": ("arrivals", False),
    "handledSegments": ("handled_segments", True),
    "netHandleTime": ("net_handle_time_s", True),
    "avgSegmentWorkTime": ("avg_segment_work_time_s", True),
    "avgAgentSegmentDuration": ("avg_agent_segment_duration_s", False),
    "totalAgentSegmentDuration": ("total_agent_segment_duration_s", False),
    "avgTimeInQueue": ("avg_time_in_queue_s", False),
    "avgAvailableLoad": ("avg_available_load", True),
    "messagesSent": ("messages_sent", True),
}
#: Columns of :func:`read_nht`.
NHT_COLUMNS = ("skill_id", "interval_start", "interval_minutes", *METRIC_COLUMNS)

_ACCOUNT_RE = re.compile(r"^[A-Za-z0-9]{1,40}$")
_HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")


# ----------------------------------------------------------------------------------------
# Secrets: credentials and the loggers that would print them
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False, eq=False)
class Credentials:
    """The four OAuth 1.0 values of a LivePerson API key.

    ``repr`` and ``str`` never show a value, so a credentials object can be
    printed, logged or put in an exception safely.
    """

    app_key: str
    app_secret: str
    access_token: str
    access_token_secret: str

    def __post_init__(self) -> None:
        empty = [
            name
            for name, value in zip(ENV_VARS, self._values(), strict=True)
            if not isinstance(value, str) or not value.strip()
        ]
        if empty:
            raise ConfigError(
                [f"LivePerson credential {name} is empty or not text" for name in empty]
            )
        for name in ("app_key", "app_secret", "access_token", "access_token_secret"):
            object.__setattr__(self, name, getattr(self, name).strip())

    def _values(self) -> tuple[str, str, str, str]:
        return (self.app_key, self.app_secret, self.access_token, self.access_token_secret)

    def __repr__(self) -> str:
        return "Credentials(app_key=***, app_secret=***, access_token=***, access_token_secret=***)"

    __str__ = __repr__

    def __reduce__(self):  # never pickle (cache) secrets
        raise TypeError("Credentials cannot be pickled")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """Read the credentials from ``LP_APP_KEY``, ``LP_APP_SECRET``, ``LP_ACCESS_TOKEN``
        and ``LP_ACCESS_TOKEN_SECRET``.

        Parameters
        ----------
        environ : mapping of str to str, optional
            Where to look the variables up; ``os.environ`` when None.

        Returns
        -------
        Credentials
            The four values, stripped of surrounding spaces.

        Raises
        ------
        ConfigError
            Naming every missing or empty variable (never a value).
        """
        env = os.environ if environ is None else environ
        missing = [name for name in ENV_VARS if not str(env.get(name, "") or "").strip()]
        if missing:
            raise ConfigError(
                [
                    "LivePerson credentials missing: set the environment variable(s) "
                    + ", ".join(missing)
                    + " (from the API key in Campaign Builder > Data Sources > API)"
                ]
            )
        return cls(*(str(env[name]) for name in ENV_VARS))

    @classmethod
    def coerce(cls, value: object) -> Credentials:
        """Accept Credentials, a mapping with the field names or ``LP_*`` names, or None (env).

        Parameters
        ----------
        value : Credentials, mapping or None
            Credentials are returned as they are; a mapping holding all four ``LP_*`` names
            is read like the environment, else it must hold the four field names
            (``app_key``, ``app_secret``, ``access_token``, ``access_token_secret``); None
            reads the ``LP_*`` environment variables.

        Returns
        -------
        Credentials

        Raises
        ------
        ConfigError
            A value is missing or empty, or ``value`` is of another type (the message never
            shows a value).
        """
        if value is None:
            return cls.from_env()
        if isinstance(value, Credentials):
            return value
        if isinstance(value, Mapping):
            if all(name in value for name in ENV_VARS):
                return cls.from_env(value)
            try:
                return cls(**{k: value[k] for k in cls.__dataclass_fields__})
            except KeyError as exc:
                raise ConfigError([f"LivePerson credentials lack {exc.args[0]}"]) from None
        raise ConfigError(
            [f"credentials must be Credentials or a mapping, not {type(value).__name__}"]
        )

    def redact(self, text: str) -> str:
        """``text`` with every credential value replaced by ``***``.

        Parameters
        ----------
        text : str
            Any text, e.g. an error message from the server.

        Returns
        -------
        str
            The text without any of the four values.
        """
        for value in self._values():
            text = text.replace(value, "***")
        return text


class _DropOAuthDebug(logging.Filter):
    """Drop oauthlib / requests-oauthlib records below WARNING.

    At DEBUG those libraries log signature base strings (with the app key and the
    access token), signatures and request headers. A filter on each of their loggers
    keeps them out even when someone sets those loggers to DEBUG.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


_OAUTH_FILTER = _DropOAuthDebug()


def quiet_oauth_loggers() -> None:
    """Attach the secret-keeping filter to every oauthlib and requests-oauthlib logger."""
    import oauthlib.oauth1  # noqa: F401  (creates the endpoint and signature loggers)

    names = [
        name
        for name in list(logging.Logger.manager.loggerDict)
        if name.split(".")[0] in ("oauthlib", "requests_oauthlib")
    ]
    for name in {*names, "oauthlib", "requests_oauthlib"}:
        logger = logging.getLogger(name)
        if _OAUTH_FILTER not in logger.filters:
            logger.addFilter(_OAUTH_FILTER)


# ----------------------------------------------------------------------------------------
# Retry policy
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RetryPolicy:
    """LivePerson's documented retry policy, run by tenacity around each request.

    Every attempt is a new ``session.get``, so OAuth 1.0 signs it again with a fresh
    nonce and timestamp: an edge that checks the signature before it answers 429 or 503
    never sees a replayed nonce.

    - 429: retried up to ``max_throttled`` times, pausing ``max(1 s, Retry-After)``.
    - 500, 502, 503, 504, a refused or dropped connection, a timeout: retried 3 times
      with pauses of 5, 10 and 15 s (longer if the server's ``Retry-After`` says so).
    - Anything else (400, 401, 403, 404, a TLS failure, ...): not retried.

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
    """

    pause: Callable[[float], object] = time.sleep
    server_error_pauses_s: tuple[float, ...] = (5.0, 10.0, 15.0)
    throttle_pause_s: float = 1.0
    max_throttled: int = 8
    max_retry_after_s: float = 600.0

    THROTTLED: ClassVar[int] = 429
    SERVER_ERRORS: ClassVar[frozenset[int]] = frozenset({500, 502, 503, 504})
    #: Failures without an answer that another attempt may cure.
    TRANSIENT_ERRORS: ClassVar[tuple[type[Exception], ...]] = (
        requests.exceptions.ConnectionError,
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
            return "failed" if transient and not isinstance(error, self.FINAL_ERRORS) else None
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
            kind = self._kind(state.outcome)
            if kind is not None:
                counts[kind] += 1
            return kind is not None

        def stop(state: RetryCallState) -> bool:
            return (
                counts["throttled"] > self.max_throttled
                or counts["failed"] > len(self.server_error_pauses_s)
            )

        def wait(state: RetryCallState) -> float:
            outcome = state.outcome
            answer = None if outcome.failed else outcome.result()
            retry_after = self.retry_after_s(answer) or 0.0
            if answer is not None and answer.status_code == self.THROTTLED:
                return max(self.throttle_pause_s, retry_after)
            step = min(counts["failed"], len(self.server_error_pauses_s)) - 1
            return max(self.server_error_pauses_s[max(step, 0)], retry_after)

        def warn(state: RetryCallState) -> None:
            outcome = state.outcome
            if outcome.failed:
                why = f"no answer ({type(outcome.exception()).__name__})"
            elif outcome.result().status_code == self.THROTTLED:
                why = "HTTP 429 (too many requests)"
            else:
                why = f"HTTP {outcome.result().status_code}"
            log.warning("LivePerson %s: %s; retrying in %.0f s", what, why, state.upcoming_sleep)

        retrying = Retrying(
            retry=retry,
            stop=stop,
            wait=wait,
            sleep=self.pause,
            before_sleep=warn,
            # Out of retries: hand back the last answer (or raise the last failure).
            retry_error_callback=lambda state: state.outcome.result(),
        )
        return retrying(send)

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


# ----------------------------------------------------------------------------------------
# Parser
# ----------------------------------------------------------------------------------------
def read_nht(payload: object, *, interval_minutes: int | None = None) -> pd.DataFrame:
    """Turn one NHT API answer (v1 or one v2 page) into a tidy DataFrame.

    Parameters
    ----------
    payload : dict
        The decoded JSON body.
    interval_minutes : int, optional
        The interval requested [min]; checked against the payload's ``interval``.

    Returns
    -------
    pandas.DataFrame
        One row per (skill_id, interval_start), columns :data:`NHT_COLUMNS`:
        ``skill_id`` int64, ``interval_start`` tz-aware UTC bucket start,
        ``interval_minutes`` int64, and float metrics with NaN for "no data":
        ``arrivals`` [conversations], ``handled_segments`` [-], ``net_handle_time_s`` [s],
        ``avg_segment_work_time_s`` [s], ``avg_agent_segment_duration_s`` [s],
        ``total_agent_segment_duration_s`` [s], ``avg_time_in_queue_s`` [s],
        ``avg_available_load`` [-] and ``messages_sent`` [-]. Sorted by skill and time.

    Raises
    ------
    DataError
        The payload does not have the documented shape, or holds a negative value
        other than -1, or a bucket not on the interval grid.

    Notes
    -----
    "No data" becomes NaN, never a zero that would drag an average down:

    - -1 in any field (LivePerson's documented no-data value);
    - 0 in ``netHandleTime``, ``avgSegmentWorkTime`` or ``avgAvailableLoad`` when
      ``handledSegments`` is 0 or missing (the post-2020 default of 0);
    - 0 in ``avgTimeInQueue`` when ``arrivals`` is 0 or missing, and 0 in
      ``avgAgentSegmentDuration`` when ``totalAgentSegmentDuration`` is 0 or missing
      (an average over nothing).

    A 0 ``arrivals`` count is a real zero. At 15 and 30 minutes the 60-minute-only
    metrics (``handled_segments``, ``net_handle_time_s``, ``avg_segment_work_time_s``,
    ``avg_available_load``, ``messages_sent``) hold the whole hour's value, copied into
    each sub-bucket: never sum them over sub-buckets. Rows repeated in the payload are
    de-duplicated on (skill, bucket start), the last one winning.
    """
    if not isinstance(payload, Mapping):
        raise DataError(f"NHT answer is not a JSON object but {type(payload).__name__}")
    interval = payload.get("interval", interval_minutes or 60)
    try:
        interval = int(interval)
    except (TypeError, ValueError):
        raise DataError(f"NHT answer: interval {interval!r} is not a number") from None
    if interval not in VALID_INTERVALS:
        raise DataError(f"NHT answer: interval {interval} is not 15, 30 or 60")
    if interval_minutes is not None and interval != interval_minutes:
        raise DataError(
            f"NHT answer: interval {interval} differs from the {interval_minutes} requested"
        )
    skills = payload.get("skillInfo")
    if skills is None:
        skills = []
    if not isinstance(skills, list):
        raise DataError("NHT answer: skillInfo is not a list")
    records: list[Mapping] = []
    skill_of: list[int] = []
    for i, skill in enumerate(skills):
        if not isinstance(skill, Mapping) or "skillId" not in skill:
            raise DataError(f"NHT answer: skillInfo[{i}] has no skillId")
        try:
            skill_id = int(skill["skillId"])
        except (TypeError, ValueError):
            raise DataError(f"NHT answer: skillInfo[{i}].skillId {skill['skillId']!r}") from None
        buckets = skill.get("metricsByIntervals") or []
        if not isinstance(buckets, list) or not all(isinstance(b, Mapping) for b in buckets):
            raise DataError(f"NHT answer: skill {skill_id} metricsByIntervals is not a list")
        records.extend(buckets)
        skill_of.extend([skill_id] * len(buckets))
    if not records:
        return _empty_nht()
    raw = pd.DataFrame.from_records(records)
    frame = pd.DataFrame({"skill_id": np.asarray(skill_of, dtype="int64")})
    frame["interval_start"] = _bucket_starts(raw, skill_of)
    minutes = frame["interval_start"].dt.hour * 60 + frame["interval_start"].dt.minute
    off_grid = ((minutes % interval) != 0) | (frame["interval_start"].dt.second != 0)
    if off_grid.any():
        i = int(np.argmax(off_grid.to_numpy()))
        raise DataError(
            f"NHT answer: skill {skill_of[i]} bucket {frame['interval_start'].iloc[i]} "
            f"is not on the {interval}-minute grid"
        )
    frame["interval_minutes"] = np.int64(interval)
    for api_name, (column, _) in FIELDS.items():
        if api_name in raw:
            values = pd.to_numeric(raw[api_name], errors="coerce").astype("float64")
            not_number = values.isna() & raw[api_name].notna()
            if not_number.any():
                i = int(np.argmax(not_number.to_numpy()))
                raise DataError(
                    f"NHT answer: skill {skill_of[i]} {api_name} "
                    f"{raw[api_name].iloc[i]!r} is not a number"
                )
        else:
            values = pd.Series(np.nan, index=raw.index)
        bad = (values < 0) & (values != -1)
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise DataError(
                f"NHT answer: skill {skill_of[i]} at {frame['interval_start'].iloc[i]}: "
                f"{api_name} = {values.iloc[i]} is negative"
            )
        frame[column] = values.mask(values == -1).to_numpy()
    no_handled = ~(frame["handled_segments"] > 0)
    for column in ("net_handle_time_s", "avg_segment_work_time_s", "avg_available_load"):
        frame[column] = frame[column].mask(no_handled & (frame[column] == 0))
    frame["avg_time_in_queue_s"] = frame["avg_time_in_queue_s"].mask(
        ~(frame["arrivals"] > 0) & (frame["avg_time_in_queue_s"] == 0)
    )
    frame["avg_agent_segment_duration_s"] = frame["avg_agent_segment_duration_s"].mask(
        ~(frame["total_agent_segment_duration_s"] > 0)
        & (frame["avg_agent_segment_duration_s"] == 0)
    )
    frame = frame.drop_duplicates(["skill_id", "interval_start"], keep="last")
    return frame.sort_values(["skill_id", "interval_start"]).reset_index(drop=True)


def _bucket_starts(raw: pd.DataFrame, skill_of: list[int]) -> pd.Series:
    """Bucket starts as UTC timestamps, from epochTimestamp, else from ``timestamp``."""
    if "epochTimestamp" in raw:
        millis = pd.to_numeric(raw["epochTimestamp"], errors="coerce")
    else:
        millis = pd.Series(np.nan, index=raw.index)
    starts = pd.to_datetime(millis, unit="ms", utc=True)
    if starts.isna().any() and "timestamp" in raw:
        text = pd.to_datetime(raw["timestamp"], format="%Y-%m-%dT%H:%M", errors="coerce")
        starts = starts.fillna(text.dt.tz_localize("UTC"))
    if starts.isna().any():
        i = int(np.argmax(starts.isna().to_numpy()))
        raise DataError(
            f"NHT answer: skill {skill_of[i]} has a bucket without a valid "
            "epochTimestamp or timestamp"
        )
    return starts.astype("datetime64[ns, UTC]")


def _empty_nht() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in NHT_COLUMNS})
    frame["skill_id"] = frame["skill_id"].astype("int64")
    frame["interval_minutes"] = frame["interval_minutes"].astype("int64")
    frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True)
    return frame


# ----------------------------------------------------------------------------------------
# Validation helpers
# ----------------------------------------------------------------------------------------
def check_account(account: object) -> str:
    """The account id as text; ConfigError unless it is 1-40 letters or digits.

    Parameters
    ----------
    account : object
        The account (site) id, e.g. ``"12345678"`` or ``12345678``.

    Returns
    -------
    str
        The id as text, stripped of surrounding spaces.

    Raises
    ------
    ConfigError
        Not 1 to 40 letters or digits (or None).
    """
    text = str(account).strip() if account is not None else ""
    if not _ACCOUNT_RE.match(text):
        raise ConfigError([f"account {account!r}: must be the LivePerson account id (digits)"])
    return text


def source_problem(source: object) -> str | None:
    """What is wrong with a ``source`` caller id, None if nothing.

    The one rule for the client and the planning config: 1 to 20 printable characters
    without leading or trailing spaces.

    Parameters
    ----------
    source : object
        The caller id to check.

    Returns
    -------
    str or None
        The rule it breaks, as text to put after its name; None when it is valid.
    """
    if (
        not isinstance(source, str)
        or not 1 <= len(source) <= MAX_SOURCE_LENGTH
        or not source.isprintable()
        or source != source.strip()
    ):
        return (
            f"must be 1 to {MAX_SOURCE_LENGTH} printable characters without leading or "
            "trailing spaces (LivePerson's caller id, e.g. LP_AgentUI)"
        )
    return None


def check_source(source: object) -> str:
    """The ``source`` caller id; ConfigError naming :func:`source_problem` otherwise.

    Parameters
    ----------
    source : object
        The caller id to check.

    Returns
    -------
    str
        ``source`` unchanged.

    Raises
    ------
    ConfigError
        ``source`` is not 1 to 20 printable characters without surrounding spaces.
    """
    problem = source_problem(source)
    if problem is not None:
        raise ConfigError([f"source {source!r}: {problem}"])
    return source


def check_interval(interval_minutes: object) -> int:
    """The interval length [min]; ConfigError unless 15, 30 or 60.

    Parameters
    ----------
    interval_minutes : object
        The interval length to check [min].

    Returns
    -------
    int
        15, 30 or 60 [min].

    Raises
    ------
    ConfigError
        Any other value, including ``True``.
    """
    if isinstance(interval_minutes, bool) or interval_minutes not in VALID_INTERVALS:
        raise ConfigError([f"interval_minutes {interval_minutes!r}: must be 15, 30 or 60"])
    return int(interval_minutes)


def check_skill_ids(skill_ids: Iterable[object] | None) -> list[int] | None:
    """Sorted unique skill ids, or None for all skills; ConfigError on a bad id.

    Parameters
    ----------
    skill_ids : iterable, str, int or None
        Skill ids (whole numbers or their text), a comma-separated string such as
        ``"1,2,3"``, one id, or None for all skills.

    Returns
    -------
    list of int or None
        The ids sorted without duplicates; None when ``skill_ids`` is None.

    Raises
    ------
    ConfigError
        An id that is not a whole number (negative numbers and booleans included), or an
        empty selection.
    """
    if skill_ids is None:
        return None
    if isinstance(skill_ids, str | int):
        skill_ids = [s for s in str(skill_ids).split(",") if s.strip()]
    out = set()
    for s in skill_ids:
        text = str(s).strip()
        if isinstance(s, bool) or not text.isdigit():
            raise ConfigError([f"skill id {s!r}: must be a whole number"])
        out.add(int(text))
    if not out:
        raise ConfigError(["skill ids: the list is empty (leave it out to fetch all skills)"])
    return sorted(out)


def check_domain_api(url: object) -> str:
    """The Domain API base URL without trailing slash; ConfigError unless http(s).

    Parameters
    ----------
    url : object
        The base URL, e.g. ``https://api.liveperson.net``.

    Returns
    -------
    str
        ``url`` without trailing slashes.

    Raises
    ------
    ConfigError
        The URL is not ``http://`` or ``https://`` with a host.
    """
    parts = urlsplit(str(url or ""))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError([f"domain_api {url!r}: must be an http:// or https:// URL"])
    return str(url).rstrip("/")


def _utc(value: object, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ConfigError([f"{what} {value!r}: not a timestamp"]) from None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _millis(ts: pd.Timestamp) -> int:
    return int(ts.value // 1_000_000)


# ----------------------------------------------------------------------------------------
# Client
# ----------------------------------------------------------------------------------------
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
    """

    def __init__(
        self,
        account: str,
        credentials: Credentials | Mapping[str, str] | None = None,
        *,
        domain_api: str = DEFAULT_DOMAIN_API,
        source: str = "staffing",
        timeout_s: tuple[float, float] = DEFAULT_TIMEOUT_S,
        sleep: Callable[[float], object] = time.sleep,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.account = check_account(account)
        self.source = check_source(source)
        self.domain_api = check_domain_api(domain_api)
        self._credentials = Credentials.coerce(credentials)
        self.timeout_s = timeout_s
        self.retry = retry or RetryPolicy(pause=sleep)
        self.retries = 0
        self.requests = 0
        self._base_url: str | None = None
        quiet_oauth_loggers()
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        # Proxy settings from the environment apply, except to a loopback fake.
        self.session.trust_env = urlsplit(self.domain_api).hostname not in (
            "127.0.0.1", "localhost", "::1"
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
    def _get(self, url: str, *, params: Mapping | None, auth: OAuth1 | None, what: str):
        """GET under the retry policy; every attempt is signed anew by ``auth``."""
        self.requests += 1
        attempts = 0

        def send() -> requests.Response:
            nonlocal attempts
            attempts += 1
            return self.session.get(url, params=params, auth=auth, timeout=self.timeout_s)

        try:
            response = self.retry.call(send, what=what)
        except requests.exceptions.RequestException as exc:
            reason = _describe(exc, url, self.timeout_s)
            tries = f"{attempts} attempt" + ("s" if attempts > 1 else "")
            raise APIError(None, f"{what}: {reason}, after {tries}") from None
        finally:
            self.retries += attempts - 1
        if response.status_code == 200:
            return response
        self._raise_for(response, what, attempts)

    def _raise_for(self, response: requests.Response, what: str, attempts: int) -> None:
        status = response.status_code
        try:
            body = response.json()
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
            message = f"{message}; still failing after {attempts} attempts (the retry policy)"
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
            url = (
                f"{self.domain_api}/api/account/{self.account}/service/{SERVICE}/baseURI.json"
            )
            what = f"domain discovery of {SERVICE} for account {self.account}"
            response = self._get(url, params={"version": "1.0"}, auth=None, what=what)
            try:
                host = response.json()["baseURI"]
            except (ValueError, KeyError, TypeError):
                raise DataError(f"{what}: the answer has no baseURI") from None
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
        start_ts, end_ts = _utc(start, "start"), _utc(end, "end")
        if not start_ts < end_ts or end_ts - start_ts > MAX_WINDOW:
            raise ConfigError(
                [f"window {start_ts} to {end_ts}: must be non-empty and at most one week"]
            )
        interval_minutes = check_interval(interval_minutes)
        ids = check_skill_ids(skill_ids)
        base = self.base_url()
        url = base + NHT_PATH.format(account=self.account)
        params: dict[str, object] | None = {
            "v": 2,
            "source": self.source,
            "fromMillis": _millis(start_ts),
            "toMillis": _millis(end_ts),
            "interval": interval_minutes,
            "limit": PAGE_LIMIT,
            "offset": 0,
        }
        if ids is not None:
            params["skillIds"] = ",".join(str(s) for s in ids)
        window = f"{start_ts:%Y-%m-%d %H:%M} to {end_ts:%Y-%m-%d %H:%M} UTC"
        page = 1
        offset = 0
        expected = 1 if ids is None else math.ceil(len(ids) / PAGE_LIMIT)
        while True:
            what = f"NHT window {window}, page {page}"
            response = self._get(url, params=params, auth=self._auth, what=what)
            try:
                payload = response.json()
            except ValueError:
                raise DataError(f"{what}: the answer is not valid JSON") from None
            if not isinstance(payload, dict):
                raise DataError(f"{what}: the answer is not a JSON object")
            meta = payload.get("_metadata") or {}
            count = meta.get("count") if isinstance(meta, Mapping) else None
            if isinstance(count, int) and count >= 0:
                expected = max(1, math.ceil(count / PAGE_LIMIT))
            yield page, expected, payload
            skills_here = payload.get("skillInfo") or []
            next_url = _link(meta, "next")
            if next_url is not None:
                if urlsplit(next_url).netloc != urlsplit(base).netloc:
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
        start_ts, end_ts = _utc(start, "start"), _utc(end, "end")
        frames = []
        for page, expected, payload in self.iter_pages(
            start_ts, end_ts, skill_ids=skill_ids, interval_minutes=interval_minutes
        ):
            try:
                frames.append(read_nht(payload, interval_minutes=interval_minutes))
            except DataError as exc:
                raise DataError(
                    f"NHT window {start_ts:%Y-%m-%d %H:%M} to {end_ts:%Y-%m-%d %H:%M} UTC, "
                    f"page {page}: {exc}"
                ) from None
            if on_page is not None:
                on_page(page, expected)
        frame = pd.concat(frames, ignore_index=True) if frames else _empty_nht()
        inside = (frame["interval_start"] >= start_ts) & (frame["interval_start"] < end_ts)
        frame = frame[inside].drop_duplicates(["skill_id", "interval_start"], keep="last")
        return frame.sort_values(["skill_id", "interval_start"]).reset_index(drop=True)


def _describe(exc: requests.exceptions.RequestException, url: str, timeout_s) -> str:
    """What went wrong with a request that got no answer, without any header value."""
    host = urlsplit(url).netloc
    if isinstance(exc, requests.exceptions.Timeout):
        return f"no answer from {host} within the timeout of {timeout_s} s"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS handshake with {host} failed (an https server with a valid certificate?)"
    if isinstance(exc, requests.exceptions.ConnectionError):
        # requests wraps urllib3's error, which may wrap the socket's: name the innermost.
        reason = exc
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
    from urllib.parse import parse_qsl

    return dict(parse_qsl(urlsplit(url).query))


def _offset_of(url: str, params: Mapping | None, default: int) -> int:
    source = params if params is not None else _params_of(url)
    try:
        return int(source.get("offset", default))
    except (TypeError, ValueError):
        return default


# ----------------------------------------------------------------------------------------
# Windows and the history fetch
# ----------------------------------------------------------------------------------------
def week_windows(start: datetime, end: datetime) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Split [start, end) into consecutive windows of at most one week, oldest first.

    Parameters
    ----------
    start, end : datetime
        The range; tz-aware, or naive meaning UTC.

    Returns
    -------
    list of (pandas.Timestamp, pandas.Timestamp)
        UTC windows [start, end) of 7 days, the last one possibly shorter; empty when
        ``start >= end``.

    Raises
    ------
    ConfigError
        A bound is not a time.
    """
    start_ts, end_ts = _utc(start, "start"), _utc(end, "end")
    out = []
    while start_ts < end_ts:
        stop = min(start_ts + MAX_WINDOW, end_ts)
        out.append((start_ts, stop))
        start_ts = stop
    return out


def plan_windows(
    start: datetime,
    end: datetime,
    done: Iterable[tuple[datetime, datetime]] = (),
    *,
    incremental: bool = True,
    late: timedelta = LATE_DATA,
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Windows still to fetch in [start, end), each at most one week, oldest first.

    Without ``incremental`` the whole range is fetched. With it, only the parts of the
    range not covered by ``done`` are, plus the ``late`` period (a day) before the end of
    what was covered, because LivePerson may add data up to 8 hours late. Adjacent parts
    are merged, then split into week windows.

    Parameters
    ----------
    start, end : datetime
        The range wanted; tz-aware, or naive meaning UTC.
    done : iterable of (datetime, datetime)
        Windows [start, end) already fetched (as :meth:`HistoryStore.fetched_windows`
        returns them); parts outside [start, end) are ignored.
    incremental : bool
        Skip what ``done`` covers; False fetches the whole range again.
    late : datetime.timedelta
        How much before the latest covered end is fetched again (:data:`LATE_DATA`,
        one day, by default).

    Returns
    -------
    list of (pandas.Timestamp, pandas.Timestamp)
        UTC windows [start, end) as :func:`week_windows` makes them.

    Raises
    ------
    ConfigError
        A bound is not a time.
    """
    start_ts, end_ts = _utc(start, "start"), _utc(end, "end")
    if not incremental:
        return week_windows(start_ts, end_ts)
    spans = sorted(
        (max(_utc(s, "window"), start_ts), min(_utc(e, "window"), end_ts)) for s, e in done
    )
    spans = [(s, e) for s, e in spans if s < e]
    wanted: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    point = start_ts
    for s, e in spans:
        if s > point:
            wanted.append((point, s))
        point = max(point, e)
    if point < end_ts:
        wanted.append((point, end_ts))
    if spans:
        covered_end = max(e for _, e in spans)
        wanted.append((max(start_ts, covered_end - late), covered_end))
    merged: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for s, e in sorted(wanted):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return [w for s, e in merged for w in week_windows(s, e)]


@dataclass
class FetchSummary:
    """What one :func:`fetch_history` run did."""

    skills: int = 0
    intervals: int = 0
    rows_new: int = 0
    rows_updated: int = 0
    requests: int = 0
    retries: int = 0
    windows: int = 0
    _skill_ids: set = field(default_factory=set, init=False, repr=False, compare=False)
    _starts: set = field(default_factory=set, init=False, repr=False, compare=False)

    def __str__(self) -> str:
        return (
            f"{self.skills} skills, {self.intervals} intervals in {self.windows} windows: "
            f"{self.rows_new} rows new, {self.rows_updated} updated "
            f"({self.requests} requests, {self.retries} retries)"
        )


def fetch_history(
    store: HistoryStore | str | os.PathLike,
    account: str,
    *,
    skill_ids: Iterable[int] | None = None,
    weeks: int = 8,
    interval_minutes: int = 60,
    domain_api: str = DEFAULT_DOMAIN_API,
    source: str = "staffing",
    credentials: Credentials | Mapping[str, str] | None = None,
    now: datetime | None = None,
    incremental: bool = True,
    progress: bool = False,
    sleep: Callable[[float], object] = time.sleep,
) -> FetchSummary:
    """Fetch NHT history into the store, window by window.

    Parameters
    ----------
    store : HistoryStore or path
        Where the history goes.
    account : str
        LivePerson account id.
    skill_ids : iterable of int, optional
        Skills to fetch; all skills when None.
    weeks : int
        How far back from ``now`` [weeks], 1 to 9 (LivePerson keeps 9).
    interval_minutes : int
        15, 30 or 60 [min].
    domain_api : str
        Domain API base URL.
    source : str
        Caller id (at most 20 characters).
    credentials : Credentials or mapping, optional
        From the ``LP_*`` environment variables when None.
    now : datetime, optional
        End of the range (floored to the interval); the current time when None.
    incremental : bool
        Fetch only what is not stored yet, plus the last day before the end of what is
        stored (late data).
    progress : bool
        Show a progress bar over pages on stderr.
    sleep : callable
        Pause between retries [s].

    Returns
    -------
    FetchSummary

    Raises
    ------
    ConfigError
        A bad argument (before any request), including ``weeks`` beyond the retention.
    AuthenticationError, APIError, DataError
        From the API; windows stored before the failure stay stored.
    """
    from tqdm import tqdm

    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= RETENTION_WEEKS:
        raise ConfigError(
            [
                f"weeks {weeks!r}: must be a whole number from 1 to {RETENTION_WEEKS} "
                f"(LivePerson keeps only {RETENTION_WEEKS} weeks of NHT history)"
            ]
        )
    interval_minutes = check_interval(interval_minutes)
    ids = check_skill_ids(skill_ids)
    if not isinstance(store, HistoryStore):
        store = HistoryStore(store)
    now_ts = _utc(pd.Timestamp.now(tz="UTC") if now is None else now, "now")
    end = now_ts.floor(f"{interval_minutes}min")
    start = end - pd.Timedelta(weeks=weeks)
    # The oldest retained bucket moves with the server's clock: keep a quarter-hour
    # margin so a 9-week fetch is not refused for a few minutes of clock skew.
    oldest = (now_ts - pd.Timedelta(weeks=RETENTION_WEEKS) + RETENTION_MARGIN).ceil(
        f"{interval_minutes}min"
    )
    start = max(start, oldest)
    done = store.fetched_windows(
        check_account(account), interval_minutes=interval_minutes, skill_ids=ids
    )
    windows = plan_windows(start, end, done, incremental=incremental)
    summary = FetchSummary(windows=len(windows))
    client = NHTClient(
        account, credentials, domain_api=domain_api, source=source, sleep=sleep
    )
    # Pages per window: known up front for a skill list, else from the first page's count.
    per_window = [1 if ids is None else math.ceil(len(ids) / PAGE_LIMIT)]
    bar = tqdm(
        total=len(windows) * per_window[0],
        unit="page",
        desc="NHT",
        file=sys.stderr,
        disable=not progress,
        leave=False,
    )
    try:
        for index, (w_start, w_end) in enumerate(windows):

            def on_page(page: int, expected: int, _left: int = len(windows) - index) -> None:
                if page == 1 and expected != per_window[0]:
                    per_window[0] = expected
                    bar.total = bar.n + expected * _left
                    bar.refresh()
                bar.update(1)

            bar.set_postfix_str(f"{w_start:%Y-%m-%d}", refresh=False)
            frame = client.get_nht(
                w_start, w_end, skill_ids=ids, interval_minutes=interval_minutes,
                on_page=on_page,
            )
            new, updated = store.save_window(
                client.account,
                frame,
                window=(w_start, w_end),
                interval_minutes=interval_minutes,
                skill_ids=ids,
            )
            summary.rows_new += new
            summary.rows_updated += updated
            summary._skill_ids.update(frame["skill_id"].unique().tolist())
            summary._starts.update(frame["interval_start"].unique().tolist())
            log.info(
                "NHT %s to %s: %d rows new, %d updated", w_start, w_end, new, updated
            )
    finally:
        bar.close()
        summary.requests = client.requests
        summary.retries = client.retries
        summary.skills = len(summary._skill_ids)
        summary.intervals = len(summary._starts)
        client.close()
    return summary

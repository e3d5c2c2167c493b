"""A faithful fake LivePerson server for tests, notebooks and outside checks.

One job: imitate LivePerson's Domain and NHT APIs (OAuth checks, paging, retention,
faults); it is long because it implements the server side of everything the client does.

:class:`FakeLivePerson` runs a real HTTP server on 127.0.0.1 (random port, in a
thread) that implements, as documented by LivePerson:

- the Domain API (CSDS): ``/api/account/{a}/service/{service}/baseURI.json`` and
  ``/api/account/{a}/service/baseURI.json``;
- the NHT API v2 (and v1 without pagination):
  ``/operations/api/account/{a}/nht``, verifying the OAuth 1.0 signature of every
  request with oauthlib's ``SignatureOnlyEndpoint`` (401 when wrong), validating
  parameters (400 with ``causes``), at most one week per query, 9 weeks retention,
  pages of at most 10 skills with ``_metadata.count`` and absolute
  ``_metadata.references`` links, ``toMillis`` inclusive (as in LivePerson's example);
- deterministic synthetic history with daily and weekly seasonality and hours with no
  data, encoded the way LivePerson does (-1, or the post-2020 zeros);
- faults injected by NHT request number (:meth:`FakeLivePerson.inject`): 429 bursts with
  ``Retry-After``, 500/503, a malformed body, a dropped connection. A fault acts "at the
  gateway", before the OAuth check, like a load balancer would; with ``after_auth=True``
  it acts after the signature is verified and its nonce recorded, like an edge that
  authenticates first. Replay protection is always on: a nonce is accepted once, so a
  client that re-sends the same signed request after such a fault gets 401.

:meth:`FakeLivePerson.ground_truth` gives the DataFrame a correct client ends up with.

Example
-------
>>> with FakeLivePerson(skill_ids=range(1, 4)) as lp:          # doctest: +SKIP
...     fetch_history(path, lp.account, domain_api=lp.domain_api,
...                   credentials=lp.credentials, now=lp.now)
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import pandas as pd
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

from staffing.sources.liveperson.client import SERVICE
from staffing.sources.liveperson.credentials import Credentials, quiet_oauth_loggers
from staffing.sources.liveperson.parse import FIELDS
from staffing.sources.timestamps import as_utc
from staffing.vocabulary import STORE_COLUMNS as COLUMNS

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

#: Credentials the fake accepts by default (32 hex characters like real LP keys).
TEST_CREDENTIALS = Credentials(
    app_key="0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    app_secret="f0e1d2c3b4a5968778695a4b3c2d1e0f",
    access_token="aa11bb22cc33dd44ee55ff6600778899",
    access_token_secret="99887766ff55ee44dd33cc22bb11aa00",
)
RETENTION = pd.Timedelta(weeks=9)
MAX_RANGE = pd.Timedelta(days=7)
MAX_LIMIT = 10
_MS = 1_000_000  # ns per ms


@dataclass(frozen=True)
class Fault:
    """A fault the fake answers with instead of the real answer.

    kind : "status" (an HTTP error), "malformed" (200 with a broken JSON body),
    "drop" (the connection is closed without an answer), "stall" (held, then dropped),
    "tamper" (the real answer, changed: see :meth:`tamper`), "cut" (the real answer cut off
    mid-body) or "trickle" (the real answer sent slowly).
    after_auth : answer the fault only after the OAuth signature is verified and its nonce
    recorded (a request that fails the check gets 401 instead); by default the fault
    comes before the check.
    """

    kind: str
    status: int = 0
    retry_after: int | str | None = None  # seconds or an HTTP date
    body: dict | None = None
    seconds: float = 0.0
    after_auth: bool = False

    @classmethod
    def throttle(cls, retry_after: int | str | None = 1, *, after_auth: bool = False) -> Fault:
        """HTTP 429 with a JSON message, and ``Retry-After`` unless None.

        Parameters
        ----------
        retry_after : int, str or None
            The ``Retry-After`` header: whole seconds [s] or an HTTP date (sent as given);
            None sends no header.
        after_auth : bool
            Answer only after the OAuth check (see :class:`Fault`).

        Returns
        -------
        Fault
        """
        return cls(
            "status", 429, retry_after, {"message": "Too many requests"}, after_auth=after_auth
        )

    @classmethod
    def server_error(
        cls, status: int = 500, retry_after: int | str | None = None, *, after_auth: bool = False
    ) -> Fault:
        """An HTTP server error with LivePerson's 500 body (and ``Retry-After`` unless None).

        Parameters
        ----------
        status : int
            The HTTP status sent, e.g. 500 or 503.
        retry_after : int, str or None
            The ``Retry-After`` header: whole seconds [s] or an HTTP date (sent as given);
            None sends no header.
        after_auth : bool
            Answer only after the OAuth check (see :class:`Fault`).

        Returns
        -------
        Fault
        """
        return cls(
            "status",
            status,
            retry_after,
            {
                "internalCode": "00000000-0000-4000-8000-000000000000",
                "message": "Internal server error",
            },
            after_auth=after_auth,
        )

    @classmethod
    def malformed(cls, *, after_auth: bool = False) -> Fault:
        """HTTP 200 whose body is truncated JSON.

        Parameters
        ----------
        after_auth : bool
            Answer only after the OAuth check (see :class:`Fault`).

        Returns
        -------
        Fault
        """
        return cls("malformed", after_auth=after_auth)

    @classmethod
    def stall(cls, seconds: float, *, after_auth: bool = False) -> Fault:
        """Hold the request ``seconds`` [s], then close without answering (a read timeout).

        Parameters
        ----------
        seconds : float
            How long the server holds the request before closing the connection [s].
        after_auth : bool
            Answer only after the OAuth check (see :class:`Fault`).

        Returns
        -------
        Fault
        """
        return cls("stall", seconds=float(seconds), after_auth=after_auth)

    @classmethod
    def tamper(cls, edit: str, value: str | None = None) -> Fault:
        """The real answer with one thing wrong in it (after the OAuth check).

        Parameters
        ----------
        edit : str
            ``"no_skill_info"`` (the key left out), ``"null_skill_info"`` (``null``),
            ``"skip_next"`` (the ``next`` link skips a page), ``"conflict"`` (the first skill
            comes again with other arrivals in one bucket) or ``"value"`` (the first
            ``arrivals`` number replaced by the raw JSON text ``value``, e.g. ``1e999`` or
            ``NaN``).
        value : str, optional
            The raw text for ``edit="value"``.

        Returns
        -------
        Fault
        """
        edits = ("no_skill_info", "null_skill_info", "skip_next", "conflict", "value")
        if edit not in edits:
            raise ValueError(f"edit {edit!r}: one of {', '.join(edits)}")
        return cls("tamper", body={"edit": edit, "value": value}, after_auth=True)

    @classmethod
    def cut(cls) -> Fault:
        """The real answer's headers and half its body, then the connection is closed.

        Returns
        -------
        Fault
        """
        return cls("cut", after_auth=True)

    @classmethod
    def trickle(cls, seconds: float, chunks: int = 10) -> Fault:
        """The real answer sent in ``chunks`` pieces over ``seconds`` [s] in all.

        Parameters
        ----------
        seconds : float
            How long sending the whole body takes [s].
        chunks : int
            Pieces the body is sent in.

        Returns
        -------
        Fault
        """
        return cls("trickle", seconds=float(seconds), body={"chunks": int(chunks)}, after_auth=True)

    @classmethod
    def drop(cls, *, after_auth: bool = False) -> Fault:
        """Close the connection without answering.

        Parameters
        ----------
        after_auth : bool
            Answer only after the OAuth check (see :class:`Fault`).

        Returns
        -------
        Fault
        """
        return cls("drop", after_auth=after_auth)


@dataclass
class RecordedRequest:
    """One request the fake received (never its Authorization header).

    ``nonce`` is the request's ``oauth_nonce`` (public, not a secret), so tests can see
    that each retry was signed anew.
    """

    number: int
    kind: str  # "domain" or "nht"
    path: str
    params: dict[str, str]
    status: int | None = None
    fault: str | None = None
    user_agent: str = ""
    nonce: str | None = None


class _Validator(RequestValidator):
    """oauthlib validator holding the one key the fake accepts."""

    def __init__(self, credentials: Credentials):
        super().__init__()
        self._c = credentials
        self._nonces: set[tuple[str, str, str, str]] = set()
        self._lock = threading.Lock()

    enforce_ssl = False
    client_key_length = (8, 64)
    access_token_length = (8, 64)
    nonce_length = (8, 64)
    dummy_client = "dummyclientkey000000000000000000"
    dummy_access_token = "dummyaccesstoken0000000000000000"

    @property
    def safe_characters(self) -> set[str]:
        return set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    def validate_client_key(self, client_key, request) -> bool:
        return client_key == self._c.app_key

    def get_client_secret(self, client_key, request) -> str:
        return self._c.app_secret if client_key == self._c.app_key else "dummy-secret"

    def validate_access_token(self, client_key, token, request) -> bool:
        return token == self._c.access_token

    def get_access_token_secret(self, client_key, token, request) -> str:
        if client_key == self._c.app_key and token == self._c.access_token:
            return self._c.access_token_secret
        return "dummy-token-secret"

    def validate_timestamp_and_nonce(
        self, client_key, timestamp, nonce, request, request_token=None, access_token=None
    ) -> bool:
        key = (client_key, timestamp, nonce, access_token or request.resource_owner_key or "")
        with self._lock:
            if key in self._nonces:
                return False
            self._nonces.add(key)
        return True


@dataclass
class FakeLivePerson:
    """Fake LivePerson Domain API + NHT API v2 on 127.0.0.1.

    Parameters
    ----------
    account : str
        The one account the fake serves.
    skill_ids : iterable of int
        Skills of the account.
    now : datetime
        The server's clock (UTC); only buckets ending by then have data.
    credentials : Credentials
        The API key it accepts.
    seed : int
        Seed of the synthetic history.
    lag_hours : float
        Buckets starting less than this before ``now`` are served as "no data" yet
        (LivePerson's late data) [h].
    next_links : bool
        Send ``next``/``previous`` references; False leaves only self, first and last,
        so a client must page by ``_metadata.count``.
    """

    account: str = "12345678"
    skill_ids: Iterable[int] = tuple(range(1001, 1011))
    now: datetime = field(default_factory=lambda: pd.Timestamp("2026-11-26T09:30:00Z"))
    credentials: Credentials = TEST_CREDENTIALS
    seed: int = 7
    lag_hours: float = 0.0
    next_links: bool = True
    requests: list[RecordedRequest] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.skill_ids = sorted({int(s) for s in self.skill_ids})
        self.now = as_utc(self.now, "now")
        self._faults: dict[int, Fault] = {}
        self._lock = threading.Lock()
        self._nht_count = 0
        self._server: ThreadingHTTPServer | None = None
        self._host: str | None = None
        self._thread: threading.Thread | None = None
        self._endpoint = SignatureOnlyEndpoint(_Validator(self.credentials))

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> FakeLivePerson:
        """Start serving on 127.0.0.1 at a free port.

        Returns
        -------
        FakeLivePerson
            ``self``, serving in a daemon thread.
        """
        quiet_oauth_loggers()
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._host = f"127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-liveperson",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> FakeLivePerson:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT`` (the Domain API's baseURI for the NHT service).

        Raises
        ------
        RuntimeError
            The fake was never started.
        """
        if self._host is None:
            raise RuntimeError("FakeLivePerson is not started")
        return self._host

    @property
    def domain_api(self) -> str:
        """Base URL to configure as the client's Domain API."""
        return f"http://{self.host}"

    # -- faults and records ----------------------------------------------------------------
    def inject(self, at: int, *faults: Fault) -> None:
        """Answer NHT requests number ``at``, ``at+1``, ... (from 1) with ``faults``.

        Parameters
        ----------
        at : int
            Number of the first NHT request to fault, counting every NHT request the fake
            receives (retries included) from 1; Domain API requests are not counted.
        *faults : Fault
            One fault per consecutive request; each is used once.
        """
        with self._lock:
            for i, fault in enumerate(faults):
                self._faults[at + i] = fault

    def nht_requests(self) -> list[RecordedRequest]:
        """The NHT requests received so far, in order.

        Returns
        -------
        list of RecordedRequest
            A copy; Domain API requests are left out.
        """
        with self._lock:
            return [r for r in self.requests if r.kind == "nht"]

    def _record(
        self, kind: str, path: str, params: dict, user_agent: str = ""
    ) -> tuple[RecordedRequest, Fault | None]:
        with self._lock:
            fault = None
            if kind == "nht":
                self._nht_count += 1
                fault = self._faults.pop(self._nht_count, None)
            rec = RecordedRequest(
                len(self.requests) + 1,
                kind,
                path,
                params,
                fault=fault and fault.kind,
                user_agent=user_agent,
            )
            self.requests.append(rec)
            return rec, fault

    # -- data ------------------------------------------------------------------------------
    def wire_metrics(
        self, skill_ids: Iterable[int], start: object, stop: object, interval_minutes: int = 60
    ) -> dict[int, list[dict]]:
        """Metric objects per skill, as the API sends them, for buckets in [start, stop].

        Buckets are snapped down to the interval; only buckets that ended by the fake's
        ``now`` are included. "No data" is encoded as -1 (or 0 in the post-2020 style).

        Parameters
        ----------
        skill_ids : iterable of int
            Skills to generate (not limited to the fake's own ``skill_ids``).
        start, stop : timestamp
            First and last bucket start, both inclusive; tz-aware, or naive meaning UTC.
        interval_minutes : int
            Bucket length [min]: 15, 30 or 60.

        Returns
        -------
        dict of int to list of dict
            Per skill id, the ``metricsByIntervals`` objects (``timestamp``,
            ``epochTimestamp`` [ms] and the metric fields); empty when there is no bucket.
        """
        sem, closed, zeroed = self._semantic(skill_ids, start, stop, interval_minutes)
        out: dict[int, list[dict]] = {}
        if sem.empty:
            return out
        wire = _encode(sem, closed, zeroed)
        for skill, group in wire.groupby("skillId", sort=False):
            out[int(skill)] = group.drop(columns="skillId").to_dict("records")
        return out

    def ground_truth(
        self,
        start: object,
        end: object,
        *,
        skill_ids: Iterable[int] | None = None,
        interval_minutes: int = 60,
    ) -> pd.DataFrame:
        """What a correct client stores for buckets starting in [start, end).

        Columns and dtypes as :meth:`staffing.store.HistoryStore.read`. Built from the
        generator's own values, not by parsing what the server sends.

        Parameters
        ----------
        start, end : timestamp
            The range; tz-aware, or naive meaning UTC. ``start`` is snapped down to the
            interval.
        skill_ids : iterable of int, optional
            Only these of the fake's skills; all of them when None.
        interval_minutes : int
            Bucket length [min]: 15, 30 or 60.

        Returns
        -------
        pandas.DataFrame
            One row per skill and bucket that ended by the fake's ``now``, sorted by skill and
            time; NaN where the server sends "no data".
        """
        ids = (
            self.skill_ids
            if skill_ids is None
            else [s for s in self.skill_ids if s in {int(x) for x in skill_ids}]
        )
        end_ts = as_utc(end, "end")
        sem, _, _ = self._semantic(
            ids, start, end_ts - pd.Timedelta(minutes=interval_minutes), interval_minutes
        )
        sem = sem[sem["interval_start"] < end_ts]
        sem.insert(0, "account", self.account)
        sem["account"] = sem["account"].astype(object)
        return sem[list(COLUMNS)].sort_values(["skill_id", "interval_start"]).reset_index(drop=True)

    def _semantic(
        self, skill_ids: Iterable[int], start: object, stop: object, interval_minutes: int
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Semantic values (NaN = no data) for buckets b with start <= b <= stop.

        Also returns which rows are "closed" (sent as -1 everywhere) and "zeroed"
        (sent with the post-2020 zeros).
        """
        step = pd.Timedelta(minutes=interval_minutes)
        first = as_utc(start, "start").floor(step)
        last = min(as_utc(stop, "stop").floor(step), self.now.floor(step) - step)
        skills = np.asarray(sorted(int(s) for s in skill_ids), dtype=np.int64)
        if last < first or skills.size == 0:
            empty = pd.DataFrame(columns=list(COLUMNS)[1:])
            return empty, np.zeros(0, bool), np.zeros(0, bool)
        starts = pd.date_range(first, last, freq=step).as_unit("ns")
        n_t, n_s = len(starts), len(skills)
        skill = np.repeat(skills, n_t)
        t_ns = np.tile(starts.asi8, n_s)
        hour_ns = t_ns - t_ns % (3600 * 10**9)
        hour_idx = (hour_ns // (3600 * 10**9)).astype(np.int64)
        hour_of_day = (hour_idx % 24).astype(float)
        dow = ((hour_idx // 24 + 3) % 7).astype(float)  # 1970-01-01 was a Thursday (3)

        def u(tag: int, per_bucket: bool = False) -> np.ndarray:
            key = t_ns // (60 * 10**9) if per_bucket else hour_idx
            return _uniform(self.seed, tag, skill, key)

        daily = 0.15 + np.exp(-((hour_of_day - 14.0) ** 2) / 18.0)
        weekly = np.where(dow >= 5, 0.45, 1.0 + 0.08 * (4 - dow) / 4)
        base = 20.0 + (skill % 7) * 6.0
        share = interval_minutes / 60
        arrivals = np.floor(base * daily * weekly * share * (0.7 + 0.6 * u(1, True)))
        # Hours: the 60-only metrics are for the whole hour, copied into sub-buckets.
        hour_arrivals = np.floor(base * daily * weekly * (0.7 + 0.6 * u(2)))
        handled = np.floor(hour_arrivals * (0.85 + 0.25 * u(3)))
        messages = handled * np.floor(3 + 6 * u(4))
        swt = np.round(60 + 150 * u(5), 2)
        nht = np.round(swt * messages / np.maximum(handled, 1), 2)
        load = np.round(0.2 + 0.7 * u(6), 2)
        closed_n = np.floor(arrivals * (0.8 + 0.3 * u(7, True)))
        avg_dur = np.round(nht * (2 + 3 * u(8)), 2)
        total_dur = np.floor(avg_dur * closed_n)
        tiq = np.round(120 * u(9, True) ** 2, 2)
        # No-data hours: skills divisible by 3 are closed 01:00-04:59 UTC; 1 % random outages.
        closed = ((skill % 3 == 0) & (hour_of_day >= 1) & (hour_of_day < 5)) | (u(10) < 0.01)
        # Some quiet hours come with the post-2020 zeros instead of -1.
        zeroed = ~closed & (u(11) < 0.03)
        lagging = t_ns >= (self.now - pd.Timedelta(hours=self.lag_hours)).value
        closed = closed | lagging
        arrivals_missing = ~closed & ~zeroed & (u(12, True) < 0.02)

        frame = pd.DataFrame(
            {
                "skill_id": skill,
                "interval_start": pd.to_datetime(t_ns, unit="ns", utc=True).as_unit("ns"),
                "interval_minutes": np.int64(interval_minutes),
                "arrivals": np.where(arrivals_missing, np.nan, arrivals),
                "handled_segments": handled,
                "net_handle_time_s": nht,
                "avg_segment_work_time_s": swt,
                "avg_agent_segment_duration_s": avg_dur,
                "total_agent_segment_duration_s": total_dur,
                "avg_time_in_queue_s": tiq,
                "avg_available_load": load,
                "messages_sent": messages,
            }
        )
        # An hour with nothing handled has no effort, a bucket with no closed segment no
        # segment duration, a bucket without arrivals no queue time.
        no_handled = handled == 0
        for col in ("net_handle_time_s", "avg_segment_work_time_s", "avg_available_load"):
            frame.loc[no_handled, col] = np.nan
        frame.loc[total_dur == 0, "avg_agent_segment_duration_s"] = np.nan
        frame.loc[~(arrivals > 0) | arrivals_missing, "avg_time_in_queue_s"] = np.nan
        metric_cols = list(COLUMNS)[4:]
        frame.loc[closed, metric_cols] = np.nan
        zero_cols = [
            "arrivals",
            "handled_segments",
            "total_agent_segment_duration_s",
            "messages_sent",
        ]
        frame.loc[zeroed, zero_cols] = 0.0
        frame.loc[zeroed, [c for c in metric_cols if c not in zero_cols]] = np.nan
        for col in metric_cols:
            frame[col] = frame[col].astype("float64")
        return frame, closed, zeroed

    # -- request handling ------------------------------------------------------------------
    def _authenticate(self, handler: _Handler, account: str) -> tuple[int, dict] | None:
        """None when the OAuth signature verifies (its nonce is then used up), else 401."""
        header = handler.headers.get("Authorization")
        try:
            ok, _ = self._endpoint.validate_request(
                f"http://{handler.headers.get('Host', self.host)}{handler.path}",
                http_method="GET",
                headers={"Authorization": header} if header else {},
            )
        except ValueError:  # a malformed Authorization header
            ok = False
        if not ok:
            return 401, {
                "reason": "oauth_problem=signature_invalid",
                "message": "Unauthorized: the OAuth signature is invalid",
            }
        if account != self.account:
            return 401, {
                "reason": "oauth_problem=token_rejected",
                "message": f"Unauthorized for account {account}",
            }
        return None

    def _nht(self, handler: _Handler, params: dict[str, str]) -> tuple[int, dict]:
        """The answer to an authenticated NHT request."""
        causes, query = _validate(params, self.now)
        if causes:
            return 400, {"causes": causes, "message": "Bad request"}
        frm, to, interval = query["from"], query["to"], query["interval"]
        wanted = query["skills"]
        skills = [s for s in self.skill_ids if wanted is None or s in wanted]
        metrics = self.wire_metrics(skills, frm, to, interval)
        version = params.get("v", "1")
        step = pd.Timedelta(minutes=interval)
        body: dict = {}
        if version == "2":
            offset, limit = query["offset"], query["limit"]
            page = skills[offset : offset + limit]
            body["_metadata"] = {
                "count": len(skills),
                "references": _references(
                    f"http://{self.host}{handler.path.split('?')[0]}",
                    params,
                    offset,
                    limit,
                    len(skills),
                ),
            }
            if not self.next_links:
                body["_metadata"]["references"] = [
                    r
                    for r in body["_metadata"]["references"]
                    if r["rel"] in ("self", "first", "last")
                ]
        else:
            page = skills
        body["timeframe"] = {
            "fromDate": frm.floor(step).strftime("%Y-%m-%dT%H:%M:%S"),
            "toDate": to.floor(step).strftime("%Y-%m-%dT%H:%M:%S"),
            "fromMillis": frm.floor(step).value // _MS,
            "toMillis": to.floor(step).value // _MS,
        }
        body["interval"] = interval
        body["skillInfo"] = [{"skillId": s, "metricsByIntervals": metrics.get(s, [])} for s in page]
        return 200, body


def _uniform(seed: int, tag: int, skill: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Deterministic uniforms in [0, 1) from (seed, tag, skill, key): splitmix64 mixing."""
    with np.errstate(over="ignore"):
        x = (
            np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
            + np.uint64(tag) * np.uint64(0xD1B54A32D192ED03)
            + skill.astype(np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
            + key.astype(np.uint64) * np.uint64(0x94D049BB133111EB)
        )
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


# Our column -> the API field that carries it: the parser's map, read backwards.
_WIRE = {column: field for field, (column, _) in FIELDS.items()}
_INTEGER_FIELDS = {"arrivals", "handledSegments", "totalAgentSegmentDuration", "messagesSent"}


def _encode(sem: pd.DataFrame, closed: np.ndarray, zeroed: np.ndarray) -> pd.DataFrame:
    """Semantic values -> the API's JSON fields: NaN is -1, or 0 in "zeroed" rows."""
    wire = pd.DataFrame(
        {
            "skillId": sem["skill_id"].to_numpy(),
            "timestamp": sem["interval_start"].dt.strftime("%Y-%m-%dT%H:%M").to_numpy(),
            "epochTimestamp": (
                sem["interval_start"].dt.as_unit("ns").astype("int64") // _MS
            ).to_numpy(),
        }
    )
    for col, name in _WIRE.items():
        values = sem[col].to_numpy(dtype=float).copy()
        values[np.isnan(values) & zeroed] = 0.0
        values[np.isnan(values)] = -1.0
        wire[name] = values.astype(np.int64) if name in _INTEGER_FIELDS else values
    return wire


def _validate(params: dict[str, str], now: pd.Timestamp) -> tuple[list[str], dict]:
    """Check NHT query parameters; return (causes, parsed)."""
    causes: list[str] = []
    out: dict = {"skills": None}
    source = params.get("source")
    if not source:
        causes.append("source: must not be empty")
    elif len(source) > 20:
        causes.append("source: size must be between 1 and 20")
    millis = "fromMillis" in params or "toMillis" in params
    dates = "fromDate" in params or "toDate" in params
    if millis and dates:
        causes.append("fromDate/toDate and fromMillis/toMillis: use one style, not both")
    elif not millis and not dates:
        causes.append("fromMillis/toMillis or fromDate/toDate: required")
    else:
        try:
            if millis:
                out["from"] = pd.Timestamp(int(params["fromMillis"]) * _MS, tz="UTC")
                out["to"] = pd.Timestamp(int(params["toMillis"]) * _MS, tz="UTC")
            else:
                for key, name in (("from", "fromDate"), ("to", "toDate")):
                    out[key] = pd.Timestamp(
                        datetime.strptime(params[name], "%Y-%m-%dT%H:%M:%S"), tz="UTC"
                    )
        except (KeyError, ValueError, OverflowError):
            causes.append("time frame: both ends required, as epoch ms or yyyy-MM-ddTHH:mm:ss")
        else:
            if out["to"] <= out["from"]:
                causes.append("time frame: to must be after from")
            elif out["to"] - out["from"] > MAX_RANGE:
                causes.append("time frame: must not exceed one week")
            if out["from"] < now - RETENTION:
                causes.append("time frame: from must be within the last 9 weeks")
    try:
        out["interval"] = int(params.get("interval", "60"))
        if out["interval"] not in (15, 30, 60):
            raise ValueError
    except ValueError:
        causes.append("interval: must be 15, 30 or 60")
    for key, default, low, high in (("limit", "10", 1, MAX_LIMIT), ("offset", "0", 0, None)):
        try:
            out[key] = int(params.get(key, default))
        except ValueError:
            causes.append(f"{key}: must be a number")
            continue
        if out[key] < low:
            causes.append(f"{key}: must be greater than or equal to {low}")
        if high is not None and out[key] > high:
            causes.append(f"{key}: must be less than or equal to {high}")
    if params.get("skillIds"):
        try:
            out["skills"] = {int(s) for s in params["skillIds"].split(",")}
        except ValueError:
            causes.append("skillIds: must be comma-separated numbers")
    if params.get("v", "1") not in ("1", "2"):
        causes.append("v: must be 1 or 2")
    return causes, out


def _references(
    base: str, params: dict[str, str], offset: int, limit: int, count: int
) -> list[dict]:
    def href(off: int, lim: int) -> str:
        return f"{base}?{urlencode({**params, 'offset': off, 'limit': lim})}"

    last_offset = max(0, (count - 1) // limit * limit) if count else 0
    refs = [
        {"rel": "self", "href": href(offset, limit)},
        {"rel": "first", "href": href(0, limit)},
        {"rel": "last", "href": href(last_offset, max(count - last_offset, 1))},
    ]
    if count > limit:
        if offset + limit < count:
            refs.insert(1, {"rel": "next", "href": href(offset + limit, limit)})
        if offset > 0:
            refs.insert(1, {"rel": "previous", "href": href(max(0, offset - limit), limit)})
    return refs


class _Handler(BaseHTTPRequestHandler):
    fake: FakeLivePerson
    server_version = "FakeLivePerson/1.0"

    def log_message(self, format: str, *args: object) -> None:  # quiet; never log headers
        pass

    def _send(
        self,
        status: int,
        body: object,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> None:
        data = raw if raw is not None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        try:
            self._get()
        except OSError:  # the client went away (e.g. after its read timeout)
            self.close_connection = True
        except Exception as exc:  # a bug in the fake: answer like LivePerson's 500
            self._send(500, {"internalCode": "fake", "message": type(exc).__name__})

    def _get(self) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        segments = [s for s in parts.path.split("/") if s]
        ua = self.headers.get("User-Agent", "")
        # Domain API
        if (
            segments[:2] == ["api", "account"]
            and len(segments) in (5, 6)
            and segments[-1] == "baseURI.json"
            and segments[3] == "service"
        ):
            rec, _ = fake._record("domain", parts.path, params, ua)
            account = segments[2]
            if account != fake.account:
                rec.status = 400
                return self._send(400, {"message": f"account {account} not found"})
            if len(segments) == 6:
                if segments[4] != SERVICE:
                    rec.status = 400
                    return self._send(400, {"message": f"service {segments[4]} not found"})
                rec.status = 200
                return self._send(
                    200, {"service": SERVICE, "account": account, "baseURI": fake.host}
                )
            rec.status = 200
            return self._send(
                200, {"baseURIs": [{"service": SERVICE, "account": account, "baseURI": fake.host}]}
            )
        # NHT API
        if (
            len(segments) == 5
            and segments[:3] == ["operations", "api", "account"]
            and segments[4] == "nht"
        ):
            rec, fault = fake._record("nht", parts.path, params, ua)
            rec.nonce = _nonce(self.headers.get("Authorization"))
            if fault is not None and not fault.after_auth:
                return self._fault(rec, fault)
            denied = fake._authenticate(self, segments[3])
            if denied is None and fault is not None and fault.kind in _ANSWER_FAULTS:
                status, body = fake._nht(self, params)
                return self._changed(rec, fault, status, body)
            if denied is None and fault is not None:
                return self._fault(rec, fault)
            status, body = denied or fake._nht(self, params)
            rec.status = status
            return self._send(status, body)
        return self._send(404, {"message": f"no such resource {parts.path}"})

    def _fault(self, rec: RecordedRequest, fault: Fault) -> None:
        """Answer with ``fault`` instead of the real answer."""
        if fault.kind == "stall":
            time.sleep(fault.seconds)
        if fault.kind in ("drop", "stall"):
            self.close_connection = True
            return None
        if fault.kind == "malformed":
            rec.status = 200
            return self._send(200, None, raw=b'{"_metadata": {"count": 3, "refer')
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        rec.status = fault.status
        return self._send(fault.status, fault.body or {}, headers)

    def _changed(self, rec: RecordedRequest, fault: Fault, status: int, body: dict) -> None:
        """Answer with the real answer changed by ``fault`` (tamper, cut, trickle)."""
        rec.status = status
        if fault.kind == "tamper" and status == 200:
            edit = fault.body["edit"]
            if edit == "no_skill_info":
                body.pop("skillInfo", None)
            elif edit == "null_skill_info":
                body["skillInfo"] = None
            elif edit == "skip_next":
                for ref in body.get("_metadata", {}).get("references", []):
                    if ref["rel"] == "next":
                        parts = urlsplit(ref["href"])
                        query = dict(parse_qsl(parts.query))
                        query["offset"] = str(int(query["offset"]) + int(query["limit"]))
                        ref["href"] = urlunsplit(
                            (
                                parts.scheme,
                                parts.netloc,
                                parts.path,
                                urlencode(query),
                                parts.fragment,
                            )
                        )
            elif edit == "conflict" and body.get("skillInfo"):
                first = body["skillInfo"][0]
                bucket = dict(first["metricsByIntervals"][0])
                bucket["arrivals"] = max(int(bucket["arrivals"]), 0) + 7
                body["skillInfo"].append(
                    {"skillId": first["skillId"], "metricsByIntervals": [bucket]}
                )
            text = json.dumps(body)
            if edit == "value":
                text = re.sub(
                    r'("arrivals": )(-?[0-9.]+)',
                    lambda m: m.group(1) + fault.body["value"],
                    text,
                    count=1,
                )
            return self._send(status, None, raw=text.encode())
        data = json.dumps(body).encode()
        if fault.kind == "cut":
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        # trickle: the whole body, slowly
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        pieces = max(1, fault.body["chunks"])
        size = -(-len(data) // pieces)
        for i in range(0, len(data), size):
            self.wfile.write(data[i : i + size])
            self.wfile.flush()
            time.sleep(fault.seconds / pieces)
        return None


#: Faults that change the real answer, so they need it computed first.
_ANSWER_FAULTS = ("tamper", "cut", "trickle")


def _nonce(header: str | None) -> str | None:
    """The ``oauth_nonce`` of an ``Authorization: OAuth ...`` header, None if absent."""
    if not header or not header.startswith("OAuth "):
        return None
    try:
        return dict(parse_authorization_header(header)).get("oauth_nonce")
    except ValueError:
        return None


def main(argv: list[str] | None = None) -> int:
    """Run the fake until interrupted: ``python -m staffing.sources.liveperson.fake [--skills N]``.

    Prints the Domain API URL and account to use with ``staffing fetch``; with
    ``--print-env`` also the ``export LP_...`` lines of the fake's own test key (never a
    real LivePerson key).

    Parameters
    ----------
    argv : list of str, optional
        The command-line arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit status, 0 after Ctrl-C.
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m staffing.sources.liveperson.fake",
        description="Run a fake LivePerson NHT API on 127.0.0.1.",
    )
    parser.add_argument(
        "--skills", type=int, default=10, help="number of skills (ids 1001 onwards; default 10)"
    )
    parser.add_argument(
        "--print-env",
        action="store_true",
        help="print export lines for the fake's test credentials",
    )
    args = parser.parse_args(argv)
    fake = FakeLivePerson(
        skill_ids=range(1001, 1001 + args.skills), now=pd.Timestamp.now(tz="UTC")
    ).start()
    print(f"fake LivePerson at {fake.domain_api}, account {fake.account}", flush=True)
    print(f"  staffing fetch --account {fake.account} --domain-api {fake.domain_api}", flush=True)
    if args.print_env:
        from staffing.sources.liveperson.credentials import ENV_VARS

        values = (
            TEST_CREDENTIALS.app_key,
            TEST_CREDENTIALS.app_secret,
            TEST_CREDENTIALS.access_token,
            TEST_CREDENTIALS.access_token_secret,
        )
        for name, value in zip(ENV_VARS, values, strict=True):
            print(f"export {name}={value}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A faithful fake LivePerson server on 127.0.0.1: the HTTP side and its records.

:class:`FakeLivePerson` runs a real HTTP server on 127.0.0.1 (random port, in a thread)
that implements, as documented by LivePerson:

- the Domain API (CSDS): ``/api/account/{a}/service/{service}/baseURI.json`` and
  ``/api/account/{a}/service/baseURI.json``;
- the NHT API v2 (and v1 without pagination): ``/operations/api/account/{a}/nht``,
  verifying the OAuth 1.0 signature of every request with oauthlib's
  ``SignatureOnlyEndpoint`` (401 when wrong), under the rules of
  :mod:`staffing.testing.nht`, with the history of :mod:`staffing.testing.data`;
- faults injected by NHT request number (:meth:`FakeLivePerson.inject`, see
  :mod:`staffing.testing.faults`). Replay protection is always on: a nonce is accepted
  once, so a client that re-sends the same signed request after a fault gets 401.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
from oauthlib.common import Request
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

from staffing.sources.liveperson.client import SERVICE
from staffing.sources.liveperson.credentials import Credentials, quiet_oauth_loggers
from staffing.sources.timestamps import as_utc
from staffing.testing.data import SyntheticHistory
from staffing.testing.faults import ANSWER_FAULTS, Fault, tampered
from staffing.testing.nht import DEFAULT_INTERVAL, nht_answer

__all__ = ["TEST_CREDENTIALS", "FakeLivePerson", "RecordedRequest"]

#: Credentials the fake accepts by default (32 hex characters like real LP keys).
TEST_CREDENTIALS = Credentials(
    app_key="0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    app_secret="f0e1d2c3b4a5968778695a4b3c2d1e0f",
    access_token="aa11bb22cc33dd44ee55ff6600778899",
    access_token_secret="99887766ff55ee44dd33cc22bb11aa00",
)


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

    def __init__(self, credentials: Credentials) -> None:
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

    def validate_client_key(self, client_key: str, request: Request) -> bool:
        return client_key == self._c.app_key

    def get_client_secret(self, client_key: str, request: Request) -> str:
        return self._c.app_secret if client_key == self._c.app_key else "dummy-secret"

    def validate_access_token(self, client_key: str, token: str, request: Request) -> bool:
        return token == self._c.access_token

    def get_access_token_secret(self, client_key: str, token: str, request: Request) -> str:
        if client_key == self._c.app_key and token == self._c.access_token:
            return self._c.access_token_secret
        return "dummy-token-secret"

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: Request,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        """Accept each (key, timestamp, nonce, token) once: a replay gets 401."""
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
            if self._thread is not None:
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
        """Record a request; for an NHT request, also take the fault injected for its number."""
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
                fault=fault.kind if fault is not None else None,
                user_agent=user_agent,
            )
            self.requests.append(rec)
            return rec, fault

    # -- data ------------------------------------------------------------------------------
    def _history(self) -> SyntheticHistory:
        """The history the fake serves, at its current clock, seed and lag.

        Returns
        -------
        SyntheticHistory
        """
        return SyntheticHistory(self.seed, pd.Timestamp(self.now), self.lag_hours)

    def wire_metrics(
        self,
        skill_ids: Iterable[int],
        start: object,
        stop: object,
        interval_minutes: int = DEFAULT_INTERVAL,
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
            Bucket length [min]: one of :data:`staffing.vocabulary.INTERVAL_MINUTES`.

        Returns
        -------
        dict of int to list of dict
            Per skill id, the ``metricsByIntervals`` objects (``timestamp``,
            ``epochTimestamp`` [ms] and the metric fields); empty when there is no bucket.
        """
        return self._history().wire_metrics(skill_ids, start, stop, interval_minutes)

    def ground_truth(
        self,
        start: object,
        end: object,
        *,
        skill_ids: Iterable[int] | None = None,
        interval_minutes: int = DEFAULT_INTERVAL,
    ) -> pd.DataFrame:
        """What a correct client stores for buckets starting in [start, end).

        Columns and dtypes as :meth:`staffing.sources.store.HistoryStore.read`. Built from
        the generator's own values, not by parsing what the server sends.

        Parameters
        ----------
        start, end : timestamp
            The range; tz-aware, or naive meaning UTC. ``start`` is snapped down to the
            interval.
        skill_ids : iterable of int, optional
            Only these of the fake's skills; all of them when None.
        interval_minutes : int
            Bucket length [min]: one of :data:`staffing.vocabulary.INTERVAL_MINUTES`.

        Returns
        -------
        pandas.DataFrame
            One row per skill and bucket that ended by the fake's ``now``, sorted by skill and
            time; NaN where the server sends "no data".
        """
        ids = (
            list(self.skill_ids)
            if skill_ids is None
            else [s for s in self.skill_ids if s in {int(x) for x in skill_ids}]
        )
        return self._history().ground_truth(self.account, ids, start, end, interval_minutes)

    # -- request handling ------------------------------------------------------------------
    def _authenticate(
        self, handler: BaseHTTPRequestHandler, account: str
    ) -> tuple[int, dict] | None:
        """Check a request's OAuth signature (its nonce is then used up) and account.

        Parameters
        ----------
        handler : http.server.BaseHTTPRequestHandler
            The request (its headers and path).
        account : str
            The account in the request's path.

        Returns
        -------
        tuple of (int, dict) or None
            None when both are right, else 401 and LivePerson's body.
        """
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

    def _nht(self, path: str, params: dict[str, str]) -> tuple[int, dict]:
        """The answer to an authenticated NHT request (see :func:`.nht.nht_answer`).

        Parameters
        ----------
        path : str
            The request's path (for the page links).
        params : dict of str to str
            Its query.

        Returns
        -------
        tuple of (int, dict)
            The HTTP status and the JSON body.
        """
        return nht_answer(
            params,
            skill_ids=list(self.skill_ids),
            history=self._history(),
            url=f"http://{self.host}{path.split('?')[0]}",
            next_links=self.next_links,
        )


class _Handler(BaseHTTPRequestHandler):
    """One request to the fake: the Domain API, the NHT API, or 404."""

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
        """Send a JSON answer (``raw`` bytes instead of ``body`` when given)."""
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
        """Route the request by its path."""
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        segments = [s for s in parts.path.split("/") if s]
        if (
            segments[:2] == ["api", "account"]
            and len(segments) in (5, 6)
            and segments[-1] == "baseURI.json"
            and segments[3] == "service"
        ):
            return self._domain_request(parts.path, segments, params)
        if (
            len(segments) == 5
            and segments[:3] == ["operations", "api", "account"]
            and segments[4] == "nht"
        ):
            return self._nht_request(parts.path, segments[3], params)
        return self._send(404, {"message": f"no such resource {parts.path}"})

    def _domain_request(self, path: str, segments: list[str], params: dict[str, str]) -> None:
        """Answer a Domain API (CSDS) request: the NHT service's host is the fake's."""
        fake = self.fake
        rec, _ = fake._record("domain", path, params, self.headers.get("User-Agent", ""))
        account = segments[2]
        if account != fake.account:
            rec.status = 400
            return self._send(400, {"message": f"account {account} not found"})
        if len(segments) == 6:
            if segments[4] != SERVICE:
                rec.status = 400
                return self._send(400, {"message": f"service {segments[4]} not found"})
            rec.status = 200
            return self._send(200, {"service": SERVICE, "account": account, "baseURI": fake.host})
        rec.status = 200
        return self._send(
            200, {"baseURIs": [{"service": SERVICE, "account": account, "baseURI": fake.host}]}
        )

    def _nht_request(self, path: str, account: str, params: dict[str, str]) -> None:
        """Answer an NHT request: a gateway fault, 401, a fault after the check, or data."""
        fake = self.fake
        rec, fault = fake._record("nht", path, params, self.headers.get("User-Agent", ""))
        rec.nonce = _nonce(self.headers.get("Authorization"))
        if fault is not None and not fault.after_auth:
            return self._fault(rec, fault)
        denied = fake._authenticate(self, account)
        if denied is None and fault is not None and fault.kind in ANSWER_FAULTS:
            status, body = fake._nht(self.path, params)
            return self._changed(rec, fault, status, body)
        if denied is None and fault is not None:
            return self._fault(rec, fault)
        status, body = denied or fake._nht(self.path, params)
        rec.status = status
        return self._send(status, body)

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
            return self._send(status, None, raw=tampered(body, fault))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if fault.kind == "cut":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        # trickle: the whole body, slowly
        pieces = max(1, (fault.body or {})["chunks"])
        size = -(-len(data) // pieces)
        for i in range(0, len(data), size):
            self.wfile.write(data[i : i + size])
            self.wfile.flush()
            time.sleep(fault.seconds / pieces)
        return None


def _nonce(header: str | None) -> str | None:
    """The ``oauth_nonce`` of an ``Authorization: OAuth ...`` header, None if absent."""
    if not header or not header.startswith("OAuth "):
        return None
    try:
        return dict(parse_authorization_header(header)).get("oauth_nonce")
    except ValueError:
        return None

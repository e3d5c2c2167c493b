"""Faults the fake LivePerson server can answer with, and the edits of a tampered answer.

A :class:`Fault` is injected by NHT request number (:meth:`FakeLivePerson.inject
<staffing.testing.server.FakeLivePerson.inject>`): 429 bursts with ``Retry-After``,
500/503, a malformed body, a dropped or stalled connection, an answer cut off or sent
slowly, or the real answer with one thing wrong in it (:func:`tampered`). A fault acts "at
the gateway", before the OAuth check, like a load balancer would; with ``after_auth=True``
it acts after the signature is verified and its nonce recorded, like an edge that
authenticates first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["ANSWER_FAULTS", "Fault", "tampered"]

#: Faults that change the real answer, so they need it computed first.
ANSWER_FAULTS = ("tamper", "cut", "trickle")


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


def tampered(body: dict, fault: Fault) -> bytes:
    """The JSON text of the real answer ``body`` with the edit of a ``tamper`` fault.

    Parameters
    ----------
    body : dict
        The real answer (a 200 NHT body); changed in place.
    fault : Fault
        A fault made by :meth:`Fault.tamper`.

    Returns
    -------
    bytes
        The body to send.
    """
    edit = fault.body["edit"] if fault.body else None
    if edit == "no_skill_info":
        body.pop("skillInfo", None)
    elif edit == "null_skill_info":
        body["skillInfo"] = None
    elif edit == "skip_next":
        _skip_a_page(body)
    elif edit == "conflict" and body.get("skillInfo"):
        _repeat_first_skill(body)
    text = json.dumps(body)
    if edit == "value" and fault.body:
        value = fault.body["value"]
        text = re.sub(r'("arrivals": )(-?[0-9.]+)', lambda m: m.group(1) + value, text, count=1)
    return text.encode()


def _skip_a_page(body: dict) -> None:
    """Point the ``next`` link one page further than it should."""
    for ref in body.get("_metadata", {}).get("references", []):
        if ref["rel"] == "next":
            parts = urlsplit(ref["href"])
            query = dict(parse_qsl(parts.query))
            query["offset"] = str(int(query["offset"]) + int(query["limit"]))
            ref["href"] = urlunsplit(
                (parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment)
            )


def _repeat_first_skill(body: dict) -> None:
    """Send the first skill again, with 7 more arrivals in its first bucket."""
    first = body["skillInfo"][0]
    bucket = dict(first["metricsByIntervals"][0])
    bucket["arrivals"] = max(int(bucket["arrivals"]), 0) + 7
    body["skillInfo"].append({"skillId": first["skillId"], "metricsByIntervals": [bucket]})

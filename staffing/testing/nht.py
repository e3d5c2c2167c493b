"""The NHT API's rules as the fake serves them: parameters, limits, pages and the body.

Parameters are checked as LivePerson does (400 with one ``causes`` entry per broken rule):
at most one week per query, nine weeks of retention, pages of at most 10 skills with
``_metadata.count`` and absolute ``_metadata.references`` links (v2; v1 answers in one
piece), ``toMillis`` inclusive (as in LivePerson's example).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlencode

import pandas as pd

from staffing.testing.data import MS, SyntheticHistory
from staffing.vocabulary import INTERVAL_MINUTES

__all__ = ["DEFAULT_INTERVAL", "MAX_LIMIT", "MAX_RANGE", "RETENTION", "nht_answer", "validate"]

#: How far back the API serves data.
RETENTION = pd.Timedelta(weeks=9)
#: The longest time frame of one query.
MAX_RANGE = pd.Timedelta(days=7)
#: The most skills on one v2 page.
MAX_LIMIT = 10
#: The bucket length the API uses when a query names none [min].
DEFAULT_INTERVAL = 60

_INTERVAL_RULE = (
    "interval: must be "
    + ", ".join(str(m) for m in INTERVAL_MINUTES[:-1])
    + f" or {INTERVAL_MINUTES[-1]}"
)


def validate(params: dict[str, str], now: pd.Timestamp) -> tuple[list[str], dict]:
    """Check NHT query parameters.

    Parameters
    ----------
    params : dict of str to str
        The query string.
    now : pandas.Timestamp
        The server's clock (UTC), for the retention rule.

    Returns
    -------
    tuple of (list of str, dict)
        The causes (empty when the query is valid) and the parsed values: ``from``,
        ``to`` (UTC), ``interval`` [min], ``limit``, ``offset`` and ``skills`` (a set of
        ids, or None for all).
    """
    causes: list[str] = []
    out: dict = {"skills": None}
    source = params.get("source")
    if not source:
        causes.append("source: must not be empty")
    elif len(source) > 20:
        causes.append("source: size must be between 1 and 20")
    _check_time_frame(params, now, causes, out)
    try:
        out["interval"] = int(params.get("interval", str(DEFAULT_INTERVAL)))
        if out["interval"] not in INTERVAL_MINUTES:
            raise ValueError
    except ValueError:
        causes.append(_INTERVAL_RULE)
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


def _check_time_frame(
    params: dict[str, str], now: pd.Timestamp, causes: list[str], out: dict
) -> None:
    """Parse the time frame into ``out`` (``from``, ``to``); broken rules go to ``causes``."""
    millis = "fromMillis" in params or "toMillis" in params
    dates = "fromDate" in params or "toDate" in params
    if millis and dates:
        causes.append("fromDate/toDate and fromMillis/toMillis: use one style, not both")
        return
    if not millis and not dates:
        causes.append("fromMillis/toMillis or fromDate/toDate: required")
        return
    try:
        if millis:
            out["from"] = pd.Timestamp(int(params["fromMillis"]) * MS, tz="UTC")
            out["to"] = pd.Timestamp(int(params["toMillis"]) * MS, tz="UTC")
        else:
            for key, name in (("from", "fromDate"), ("to", "toDate")):
                out[key] = pd.Timestamp(
                    datetime.strptime(params[name], "%Y-%m-%dT%H:%M:%S"), tz="UTC"
                )
    except (KeyError, ValueError, OverflowError):
        causes.append("time frame: both ends required, as epoch ms or yyyy-MM-ddTHH:mm:ss")
        return
    if out["to"] <= out["from"]:
        causes.append("time frame: to must be after from")
    elif out["to"] - out["from"] > MAX_RANGE:
        causes.append("time frame: must not exceed one week")
    if out["from"] < now - RETENTION:
        causes.append("time frame: from must be within the last 9 weeks")


def references(
    base: str, params: dict[str, str], offset: int, limit: int, count: int
) -> list[dict]:
    """The ``_metadata.references`` of a v2 page: self, first, last, next and previous.

    Parameters
    ----------
    base : str
        The absolute URL of the resource, without its query.
    params : dict of str to str
        The query, repeated in every link with its own ``offset`` and ``limit``.
    offset, limit : int
        The page.
    count : int
        How many skills the answer has in all.

    Returns
    -------
    list of dict
        ``{"rel": ..., "href": ...}`` objects.
    """

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


def nht_answer(
    params: dict[str, str],
    *,
    skill_ids: Sequence[int],
    history: SyntheticHistory,
    url: str,
    next_links: bool = True,
) -> tuple[int, dict]:
    """The answer to an authenticated NHT request: 400 with causes, or 200 with the data.

    Parameters
    ----------
    params : dict of str to str
        The query string.
    skill_ids : sequence of int
        The account's skills, sorted.
    history : SyntheticHistory
        The data served (its ``now`` is the server's clock).
    url : str
        The absolute URL of the request, without its query (for the page links).
    next_links : bool
        Send ``next``/``previous`` links; False leaves only self, first and last.

    Returns
    -------
    tuple of (int, dict)
        The HTTP status and the JSON body.
    """
    causes, query = validate(params, history.now)
    if causes:
        return 400, {"causes": causes, "message": "Bad request"}
    frm, to, interval = query["from"], query["to"], query["interval"]
    wanted = query["skills"]
    skills = [s for s in skill_ids if wanted is None or s in wanted]
    metrics = history.wire_metrics(skills, frm, to, interval)
    step = pd.Timedelta(minutes=interval)
    body: dict = {}
    if params.get("v", "1") == "2":
        offset, limit = query["offset"], query["limit"]
        page = skills[offset : offset + limit]
        refs = references(url, params, offset, limit, len(skills))
        if not next_links:
            refs = [r for r in refs if r["rel"] in ("self", "first", "last")]
        body["_metadata"] = {"count": len(skills), "references": refs}
    else:
        page = skills
    body["timeframe"] = {
        "fromDate": frm.floor(step).strftime("%Y-%m-%dT%H:%M:%S"),
        "toDate": to.floor(step).strftime("%Y-%m-%dT%H:%M:%S"),
        "fromMillis": frm.floor(step).value // MS,
        "toMillis": to.floor(step).value // MS,
    }
    body["interval"] = interval
    body["skillInfo"] = [{"skillId": s, "metricsByIntervals": metrics.get(s, [])} for s in page]
    return 200, body

"""Tests of the fake LivePerson server itself: what tests and outside checks rely on.

An outside client (requests-oauthlib, not our NHTClient) signs the requests, so these
tests check the server's own rules: parameter causes, OAuth signatures and replays,
pages, and the synthetic history.
"""

from __future__ import annotations

import pandas as pd
import requests
import yaml

from staffing.sources.liveperson import Credentials
from staffing.testing import FakeLivePerson, Fault
from tests.conftest import ROOT
from tests.sources.liveperson_support import NOW


def _oauth(c: Credentials):
    """requests-oauthlib's OAuth1 for ``c``, as an outside client would sign with it."""
    from requests_oauthlib import OAuth1

    return OAuth1(c.app_key, c.app_secret, c.access_token, c.access_token_secret)


def _signed(server, creds=None, **params):
    query = {"v": "2", "source": "check", "interval": "60"}
    query.update(params)
    return requests.get(
        f"{server.domain_api}/operations/api/account/{server.account}/nht",
        params=query,
        auth=_oauth(creds or server.credentials),
        timeout=10,
    )


def test_fake_validates_parameters_with_causes(lp):
    end = NOW.floor("60min")
    ms = int(end.value // 1_000_000)
    answer = _signed(
        lp,
        fromMillis=ms - 8 * 86_400_000,
        toMillis=ms,
        limit=11,
        offset=-1,
        interval=20,
        source="x" * 21,
    )
    assert answer.status_code == 400
    causes = answer.json()["causes"]
    # One cause per broken rule: source, range, interval, limit, offset.
    assert causes == [
        "source: size must be between 1 and 20",
        "time frame: must not exceed one week",
        "interval: must be 15, 30 or 60",
        "limit: must be less than or equal to 10",
        "offset: must be greater than or equal to 0",
    ]
    both = _signed(
        lp,
        fromMillis=ms - 3_600_000,
        toMillis=ms,
        fromDate="2026-11-26T08:00:00",
        toDate="2026-11-26T09:00:00",
    )
    assert both.status_code == 400 and "not both" in both.json()["causes"][0]


def test_fake_checks_the_oauth_signature_not_just_the_header(lp):
    end = NOW.floor("60min")
    ms = int(end.value // 1_000_000)
    good = _signed(lp, fromMillis=ms - 3_600_000, toMillis=ms)
    assert good.status_code == 200
    # The same signed header on a different query (offset changed) does not verify.
    forged = requests.get(
        good.url.replace("offset", "x-offset"),
        headers={"Authorization": good.request.headers["Authorization"]},
        timeout=10,
    )
    assert forged.status_code == 401
    # Replaying the exact signed request (same nonce) is refused too.
    replay = requests.get(
        good.url, headers={"Authorization": good.request.headers["Authorization"]}, timeout=10
    )
    assert replay.status_code == 401
    unsigned = requests.get(good.url, timeout=10)
    assert unsigned.status_code == 401 and "oauth_problem" in unsigned.json()["reason"]


def test_fake_v2_pages_and_v1_single_answer(lp):
    end = NOW.floor("60min")
    ms = int(end.value // 1_000_000)
    with FakeLivePerson(skill_ids=range(1, 24), now=NOW) as server:
        page = _signed(server, fromMillis=ms - 7_200_000, toMillis=ms, offset=10, limit=10)
        body = page.json()
        v1 = _signed(server, v="1", fromMillis=ms - 7_200_000, toMillis=ms).json()
    refs = {r["rel"]: r["href"] for r in body["_metadata"]["references"]}
    assert body["_metadata"]["count"] == 23
    assert set(refs) == {"self", "first", "last", "next", "previous"}
    # The last page of 23 skills starts at 20 and holds the remaining 3 (as in LP's example).
    assert "offset=20" in refs["last"] and "limit=3" in refs["last"]
    assert [s["skillId"] for s in body["skillInfo"]] == list(range(11, 21))
    # toMillis is inclusive, like LivePerson's example: 07:00, 08:00 and 09:00 buckets,
    # of which 09:00 is still in progress at 09:30 and therefore not served.
    assert [b["timestamp"] for b in body["skillInfo"][0]["metricsByIntervals"]] == [
        "2026-11-26T07:00",
        "2026-11-26T08:00",
    ]
    assert "_metadata" not in v1 and len(v1["skillInfo"]) == 23


def test_fake_history_is_deterministic_and_seasonal():
    start, end = NOW.floor("D") - pd.Timedelta(weeks=4), NOW.floor("D")
    a = FakeLivePerson(skill_ids=(1, 2, 4), now=NOW).ground_truth(start, end)
    b = FakeLivePerson(skill_ids=(1, 2, 4), now=NOW).ground_truth(start, end)
    pd.testing.assert_frame_equal(a, b)
    hour = a["interval_start"].dt.hour
    weekday = a["interval_start"].dt.day_of_week
    # Daily peak at 14:00 UTC by construction, trough at night; weekends at 45 %.
    assert a.loc[hour == 14, "arrivals"].mean() > 3 * a.loc[hour == 3, "arrivals"].mean()
    assert a.loc[weekday < 5, "arrivals"].mean() > 1.5 * a.loc[weekday >= 5, "arrivals"].mean()
    # Hours with no data exist, and hours with a real zero count too.
    assert a["arrivals"].isna().any() and (a["arrivals"] == 0).any()
    other = FakeLivePerson(skill_ids=(1, 2, 4), now=NOW, seed=8).ground_truth(start, end)
    assert not other["arrivals"].equals(a["arrivals"])


def test_the_same_signed_request_sent_twice_is_refused_after_an_authenticated_fault(lp):
    """What a retry inside urllib3 did: re-send the very same signed bytes."""
    c = lp.credentials
    end = NOW.floor("60min")
    ms = int(end.value // 1_000_000)
    query = {"v": "2", "source": "check", "fromMillis": ms - 3_600_000, "toMillis": ms}
    url = f"{lp.domain_api}/operations/api/account/{lp.account}/nht"

    def signed(creds=c) -> requests.PreparedRequest:
        return requests.Request("GET", url, params=query, auth=_oauth(creds)).prepare()

    lp.inject(1, Fault.server_error(503))
    lp.inject(3, Fault.server_error(503, after_auth=True))
    lp.inject(5, Fault.server_error(503, after_auth=True))
    with requests.Session() as session:
        gateway = signed()
        # A gateway fault comes before the OAuth check: the nonce is not used, so the
        # same bytes sent again pass (why the old urllib3 retry passed the old tests).
        assert session.send(gateway, timeout=10).status_code == 503
        assert session.send(gateway, timeout=10).status_code == 200
        edge = signed()
        # After the OAuth check the nonce is used up: the identical retry is a replay.
        assert session.send(edge, timeout=10).status_code == 503
        replay = session.send(edge, timeout=10)
        assert replay.status_code == 401
        assert replay.json()["reason"] == "oauth_problem=signature_invalid"
        # A bad signature meets the check before an after-auth fault: 401, not 503.
        bad = Credentials(
            c.app_key, "wrong-app-secret-0000000000000000", c.access_token, c.access_token_secret
        )
        assert session.send(signed(bad), timeout=10).status_code == 401
    assert [r.status for r in lp.nht_requests()] == [503, 200, 503, 401, 401]


def test_the_liveperson_example_asks_for_skills_the_fake_serves():
    # `python -m staffing.testing` serves skills 1001..1010 by default
    # (--skills 10); the README walks through config/example-liveperson.yaml against it.
    config = yaml.safe_load((ROOT / "config" / "example-liveperson.yaml").read_text())
    assert {s["id"] for s in config["skills"]} <= set(range(1001, 1011))

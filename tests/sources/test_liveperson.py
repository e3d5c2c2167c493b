"""Tests of the LivePerson NHT client, parser and fetch, over real HTTP on 127.0.0.1.

The fake server (staffing.testing.FakeLivePerson) verifies OAuth 1.0 signatures with
oauthlib's server endpoint, validates parameters and paginates like the v2 API; its
ground truth is built from the generator's own values, not by parsing what it sends.
"""

from __future__ import annotations

import functools
import logging
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing.errors import APIError, AuthenticationError, ConfigError, DataError
from staffing.sources.liveperson import (
    ENV_VARS,
    Credentials,
    NHTClient,
    fetch_history,
    plan_windows,
    read_nht,
    week_windows,
)
from staffing.sources.store import HistoryStore
from staffing.testing import TEST_CREDENTIALS, FakeLivePerson, Fault
from tests.sources.liveperson_support import NOW, SECRETS, fetch_kwargs, window_of

DAY = pd.Timedelta(days=1)
HOUR = pd.Timedelta(hours=1)


# ----------------------------------------------------------------------------------------
# Parser (pure, on fixtures)
# ----------------------------------------------------------------------------------------
def _doc_example() -> dict:
    """The v2 example of LivePerson's NHT method page (values as summarised in
    docs/liveperson-nht-api.md, the request)."""
    return {
        "_metadata": {"count": 1, "references": []},
        "timeframe": {"fromMillis": 1652950800000, "toMillis": 1652954400000},
        "interval": 60,
        "skillInfo": [
            {
                "skillId": 773431,
                "metricsByIntervals": [
                    {
                        "timestamp": "2022-05-19T09:00",
                        "epochTimestamp": 1652950800000,
                        "arrivals": -1,
                        "avgAgentSegmentDuration": 3127.00,
                        "totalAgentSegmentDuration": 3127,
                        "avgTimeInQueue": 3.00,
                        "netHandleTime": 699.72,
                        "handledSegments": 1,
                        "avgAvailableLoad": 0.70,
                        "avgSegmentWorkTime": 99.96,
                        "messagesSent": 7,
                    },
                    {
                        "timestamp": "2022-05-19T10:00",
                        "epochTimestamp": 1652954400000,
                        "arrivals": -1,
                        "avgAgentSegmentDuration": 31.15,
                        "totalAgentSegmentDuration": -1,
                        "avgTimeInQueue": 31.15,
                        "netHandleTime": 1421.36,
                        "handledSegments": 1,
                        "avgAvailableLoad": 0.71,
                        "avgSegmentWorkTime": 236.89,
                        "messagesSent": 6,
                    },
                ],
            }
        ],
    }


def test_read_nht_maps_the_documented_example():
    frame = read_nht(_doc_example())
    assert len(frame) == 2
    row = frame.iloc[0]
    # 1652950800000 ms = 2022-05-19T09:00:00Z (the example's own "timestamp").
    assert row["interval_start"] == pd.Timestamp("2022-05-19T09:00Z")
    assert str(frame["interval_start"].dtype) == "datetime64[ns, UTC]"
    assert row["skill_id"] == 773431
    assert np.isnan(row["arrivals"])  # -1 is "no data"
    assert row["net_handle_time_s"] == 699.72
    assert row["avg_segment_work_time_s"] == 99.96
    assert row["handled_segments"] == 1
    assert row["messages_sent"] == 7
    assert row["avg_available_load"] == 0.70
    assert row["avg_agent_segment_duration_s"] == 3127.0
    assert row["total_agent_segment_duration_s"] == 3127
    assert row["avg_time_in_queue_s"] == 3.0
    assert row["interval_minutes"] == 60
    # Second bucket: 1652954400000 ms = 10:00Z; total duration -1 is no data while the
    # average (31.15) is kept, as the example sends it.
    second = frame.iloc[1]
    assert second["interval_start"] == pd.Timestamp("2022-05-19T10:00Z")
    assert np.isnan(second["total_agent_segment_duration_s"])
    assert second["avg_agent_segment_duration_s"] == 31.15
    assert second["net_handle_time_s"] == 1421.36


def _bucket(ms: int, **fields) -> dict:
    base = {
        "epochTimestamp": ms,
        "arrivals": 4,
        "handledSegments": 3,
        "netHandleTime": 300.0,
        "avgSegmentWorkTime": 100.0,
        "avgAvailableLoad": 0.5,
        "messagesSent": 9,
        "avgAgentSegmentDuration": 900.0,
        "totalAgentSegmentDuration": 2700,
        "avgTimeInQueue": 12.0,
    }
    base.update(fields)
    return base


T0 = 1790236800000  # 2026-09-24T08:00:00Z in ms (1790236800 s / 3600 = 497288 whole hours)


def test_read_nht_no_data_rules():
    payload = {
        "interval": 60,
        "skillInfo": [
            {
                "skillId": 5,
                "metricsByIntervals": [
                    # Post-2020 zeros: nothing handled, so zero effort means "no data".
                    _bucket(
                        T0,
                        arrivals=0,
                        handledSegments=0,
                        netHandleTime=0,
                        avgSegmentWorkTime=0,
                        avgAvailableLoad=0,
                        messagesSent=0,
                        avgTimeInQueue=0,
                        avgAgentSegmentDuration=0,
                        totalAgentSegmentDuration=0,
                    ),
                    # -1 anywhere is "no data"; other fields stay.
                    _bucket(T0 + 3_600_000, arrivals=-1, avgTimeInQueue=-1),
                    # Handled segments > 0: a zero effort field would be real and stays.
                    _bucket(T0 + 7_200_000, avgAvailableLoad=0),
                ],
            }
        ],
    }
    frame = read_nht(payload, interval_minutes=60)
    zero, minus, real = frame.to_dict("records")
    assert zero["arrivals"] == 0.0  # a real zero count
    assert zero["handled_segments"] == 0.0
    assert zero["messages_sent"] == 0.0
    for col in (
        "net_handle_time_s",
        "avg_segment_work_time_s",
        "avg_available_load",
        "avg_time_in_queue_s",
        "avg_agent_segment_duration_s",
    ):
        assert np.isnan(zero[col]), col
    assert np.isnan(minus["arrivals"]) and np.isnan(minus["avg_time_in_queue_s"])
    assert minus["net_handle_time_s"] == 300.0
    assert real["avg_available_load"] == 0.0


def test_read_nht_keeps_60_only_metrics_per_sub_bucket_and_dedupes():
    hour = [_bucket(T0 + k * 900_000, arrivals=k + 1) for k in range(4)]
    payload = {
        "interval": 15,
        "skillInfo": [
            {"skillId": 9, "metricsByIntervals": hour},
            # The same skill and bucket again with the same values (a window edge): dropped.
            {"skillId": 9, "metricsByIntervals": [_bucket(T0, arrivals=1)]},
        ],
    }
    frame = read_nht(payload, interval_minutes=15)
    assert len(frame) == 4
    # handledSegments 3 is the hour's value copied into each quarter: kept as 3, not 3/4
    # and never summed to 12.
    assert frame["handled_segments"].tolist() == [3, 3, 3, 3]
    assert frame["arrivals"].tolist() == [1, 2, 3, 4]
    assert frame["interval_minutes"].unique().tolist() == [15]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "not a JSON object"),
        ({"interval": 20, "skillInfo": []}, "interval 20"),
        ({"interval": 30, "skillInfo": []}, "differs from the 60 requested"),
        ({"interval": 60, "skillInfo": [{"metricsByIntervals": []}]}, r"skillInfo\[0\]"),
        (
            {
                "interval": 60,
                "skillInfo": [{"skillId": 3, "metricsByIntervals": [_bucket(T0 + 60_000)]}],
            },
            "not on the 60-minute grid",
        ),
        (
            {
                "interval": 60,
                "skillInfo": [
                    {"skillId": 3, "metricsByIntervals": [_bucket(T0, netHandleTime=-5)]}
                ],
            },
            "netHandleTime = -5.0 is negative",
        ),
        (
            {
                "interval": 60,
                "skillInfo": [{"skillId": 3, "metricsByIntervals": [_bucket(T0, arrivals="x")]}],
            },
            "arrivals 'x' is not a number",
        ),
        (
            {
                "interval": 60,
                "skillInfo": [{"skillId": 3, "metricsByIntervals": [{"arrivals": 1}]}],
            },
            "without a valid epochTimestamp",
        ),
    ],
)
def test_read_nht_rejects_malformed_payloads(payload, message):
    with pytest.raises(DataError, match=message):
        read_nht(payload, interval_minutes=60)


def test_read_nht_falls_back_to_the_minutes_timestamp():
    bucket = _bucket(None, timestamp="2026-09-24T08:00")
    del bucket["epochTimestamp"]
    frame = read_nht(
        {"interval": 60, "skillInfo": [{"skillId": 1, "metricsByIntervals": [bucket]}]}
    )
    assert frame["interval_start"].tolist() == [pd.Timestamp(T0, unit="ms", tz="UTC")]


# ----------------------------------------------------------------------------------------
# Credentials
# ----------------------------------------------------------------------------------------
def test_credentials_never_show_their_values():
    creds = TEST_CREDENTIALS
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert not any(s in text for s in SECRETS)
    with pytest.raises(TypeError):
        pickle.dumps(creds)


def test_credentials_from_env_name_only_the_missing_variables():
    env = {"LP_APP_KEY": "k" * 32, "LP_ACCESS_TOKEN": "t" * 32, "LP_APP_SECRET": "  "}
    with pytest.raises(ConfigError) as info:
        Credentials.from_env(env)
    text = str(info.value)
    assert "LP_APP_SECRET" in text and "LP_ACCESS_TOKEN_SECRET" in text
    assert "LP_APP_KEY" not in text and "k" * 32 not in text
    full = dict(zip(ENV_VARS, SECRETS, strict=True))
    assert Credentials.from_env(full).app_secret == TEST_CREDENTIALS.app_secret


# ----------------------------------------------------------------------------------------
# Windows
# ----------------------------------------------------------------------------------------
def test_week_windows_split_at_seven_days():
    start = pd.Timestamp("2026-10-01T09:00Z")
    windows = week_windows(start, start + pd.Timedelta(days=15))
    # 15 days = 7 + 7 + 1.
    assert [(e - s) / DAY for s, e in windows] == [7, 7, 1]
    assert windows[0][0] == start and windows[-1][1] == start + pd.Timedelta(days=15)


def test_plan_windows_incremental_fetches_gaps_and_the_latest_day_again():
    start = pd.Timestamp("2026-11-01T09:00Z")
    end = pd.Timestamp("2026-11-10T09:00Z")
    assert plan_windows(start, end, incremental=False) == [
        (start, start + 7 * DAY),
        (start + 7 * DAY, end),
    ]
    # Nothing stored yet: the whole range.
    assert plan_windows(start, end, []) == plan_windows(start, end, incremental=False)
    # Stored up to the previous run's end (Nov 9, 15:00): the day before it again
    # (late data), then what is new, in one window.
    done = [(start, pd.Timestamp("2026-11-09T15:00Z"))]
    assert plan_windows(start, end, done) == [(pd.Timestamp("2026-11-08T15:00Z"), end)]
    # A hole on Nov 4 is fetched too, and the last day before the end again.
    done = [(start, pd.Timestamp("2026-11-04T00:00Z")), (pd.Timestamp("2026-11-05T00:00Z"), end)]
    assert plan_windows(start, end, done) == [
        (pd.Timestamp("2026-11-04T00:00Z"), pd.Timestamp("2026-11-05T00:00Z")),
        (end - DAY, end),
    ]


# ----------------------------------------------------------------------------------------
# Fetch over real HTTP
# ----------------------------------------------------------------------------------------
def test_nine_weeks_25_skills_equal_the_ground_truth_row_for_row(tmp_path, pauses):
    with FakeLivePerson(skill_ids=range(2001, 2026), now=NOW) as server:
        summary = fetch_history(
            tmp_path / "h.sqlite", server.account, weeks=9, **fetch_kwargs(server, pauses)
        )
        got = HistoryStore(tmp_path / "h.sqlite").read(server.account)
        end = NOW.floor("60min")
        # The first retained hour: NOW - 9 weeks + 15 min margin, rounded up to the hour.
        start = end - pd.Timedelta(weeks=9) + HOUR
        truth = server.ground_truth(start, end)
        nht = server.nht_requests()
    pd.testing.assert_frame_equal(got, truth)
    # 25 skills x (63 days x 24 h - 1) hours.
    assert len(got) == 25 * (63 * 24 - 1)
    assert summary.rows_new == len(got) and summary.rows_updated == 0
    assert summary.skills == 25 and summary.intervals == 63 * 24 - 1
    # 9 week windows x 3 pages of at most 10 skills, plus one domain discovery.
    assert summary.windows == 9 and len(nht) == 27 and summary.requests == 28
    assert [r.params["offset"] for r in nht[:3]] == ["0", "10", "20"]
    assert {r.params["limit"] for r in nht} == {"10"}
    assert {r.params["v"] for r in nht} == {"2"}
    assert {r.user_agent.split("/")[0] for r in server.requests} == {"staffing"}
    assert max(e - s for s, e in map(window_of, nht)) <= pd.Timedelta(days=7)
    # The history has gaps and real zeros: the check above compares them too.
    assert got["net_handle_time_s"].isna().any() and (got["arrivals"] == 0).any()
    assert pauses == []


def test_quarter_hours_equal_the_ground_truth(tmp_path, lp, pauses):
    fetch_history(
        tmp_path / "h.sqlite", lp.account, weeks=1, interval_minutes=15, **fetch_kwargs(lp, pauses)
    )
    got = HistoryStore(tmp_path / "h.sqlite").read(lp.account, interval_minutes=15)
    end = NOW.floor("15min")
    truth = lp.ground_truth(end - pd.Timedelta(weeks=1), end, interval_minutes=15)
    pd.testing.assert_frame_equal(got, truth)
    # 3 skills x 7 days x 96 quarter hours.
    assert len(got) == 3 * 7 * 96


def test_a_refetch_changes_nothing(tmp_path, lp, pauses):
    path = tmp_path / "h.sqlite"
    fetch_history(path, lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    before = HistoryStore(path).read()
    again = fetch_history(path, lp.account, weeks=1, incremental=False, **fetch_kwargs(lp, pauses))
    assert again.rows_new == 0 and again.rows_updated == 0
    # 3 skills x 7 days x 24 hours fetched again, identical.
    assert again.skills == 3 and again.intervals == 7 * 24
    pd.testing.assert_frame_equal(HistoryStore(path).read(), before)


def test_wrong_secret_is_an_authentication_error_and_stores_nothing(tmp_path, lp, pauses):
    bad = Credentials(
        TEST_CREDENTIALS.app_key,
        "wrong-app-secret-0000000000000000",
        TEST_CREDENTIALS.access_token,
        TEST_CREDENTIALS.access_token_secret,
    )
    path = tmp_path / "h.sqlite"
    with pytest.raises(AuthenticationError) as info:
        fetch_history(path, lp.account, weeks=2, **fetch_kwargs(lp, pauses, credentials=bad))
    assert info.value.status == 401
    assert "oauth_problem=signature_invalid" in info.value.causes
    assert "LP_" in str(info.value)
    assert not path.exists()
    # 401 is not retried: one NHT request, no pause.
    assert len(lp.nht_requests()) == 1 and pauses == []


def test_wrong_token_secret_is_rejected_too(tmp_path, lp, pauses):
    bad = Credentials(*SECRETS[:3], "0" * 32)
    with pytest.raises(AuthenticationError):
        fetch_history(
            tmp_path / "h.sqlite", lp.account, weeks=1, **fetch_kwargs(lp, pauses, credentials=bad)
        )


def test_bad_request_carries_the_server_causes_and_is_not_retried(lp, pauses):
    client = NHTClient(lp.account, lp.credentials, domain_api=lp.domain_api, sleep=pauses)
    # Ten weeks back is beyond the fake's 9-week retention: HTTP 400 with causes.
    start = NOW - pd.Timedelta(weeks=10)
    with pytest.raises(APIError) as info:
        client.get_nht(start, start + DAY)
    assert info.value.status == 400
    assert info.value.causes == ["time frame: from must be within the last 9 weeks"]
    assert pauses == [] and len(lp.nht_requests()) == 1


def test_arguments_are_checked_before_any_request(tmp_path, lp, pauses):
    cases = [
        ({"weeks": 10}, "LivePerson keeps only 9 weeks"),
        ({"weeks": 0}, "weeks 0"),
        ({"interval_minutes": 20}, "interval_minutes 20"),
        ({"source": "x" * 21}, "at most|1 to 20"),
        ({"skill_ids": ["12", "a"]}, "skill id 'a'"),
        ({"domain_api": "ftp://example"}, "http:// or https://"),
    ]
    for extra, message in cases:
        with pytest.raises(ConfigError, match=message):
            fetch_history(tmp_path / "h.sqlite", lp.account, **fetch_kwargs(lp, pauses, **extra))
    with pytest.raises(ConfigError, match="account"):
        fetch_history(tmp_path / "h.sqlite", "12/../34", **fetch_kwargs(lp, pauses))
    assert lp.requests == []
    assert not (tmp_path / "h.sqlite").exists()


def test_domain_is_discovered_once_per_client_over_the_configured_scheme(lp, pauses):
    client = NHTClient(lp.account, lp.credentials, domain_api=lp.domain_api + "/", sleep=pauses)
    assert client.base_url() == f"http://{lp.host}"
    end = NOW.floor("60min")
    client.get_nht(end - 2 * HOUR, end)
    client.get_nht(end - 4 * HOUR, end - 2 * HOUR)
    kinds = [r.kind for r in lp.requests]
    assert kinds == ["domain", "nht", "nht"]
    assert lp.requests[0].path == f"/api/account/{lp.account}/service/leDataReporting/baseURI.json"
    with pytest.raises(ConfigError, match="at most one week"):
        client.get_nht(end - 8 * DAY, end)


def test_domain_discovery_and_404_errors_say_what_failed(lp, pauses):
    client = NHTClient("99999999", lp.credentials, domain_api=lp.domain_api, sleep=pauses)
    with pytest.raises(
        APIError, match="domain discovery of leDataReporting for account 99999999"
    ) as info:
        client.base_url()
    assert info.value.status == 400
    lp.inject(1, Fault("status", 404, None, {"message": "Not Found"}))
    client = NHTClient(lp.account, lp.credentials, domain_api=lp.domain_api, sleep=pauses)
    end = NOW.floor("60min")
    with pytest.raises(APIError, match="NHT API enabled for account 12345678") as info:
        client.get_nht(end - HOUR, end)
    # 400 and 404 are not retried.
    assert info.value.status == 404 and pauses == []


def test_skills_are_paginated_by_following_next_links(pauses):
    with FakeLivePerson(skill_ids=range(1, 24), now=NOW) as server:
        client = NHTClient(
            server.account, server.credentials, domain_api=server.domain_api, sleep=pauses
        )
        end = NOW.floor("60min")
        frame = client.get_nht(end - 3 * HOUR, end, skill_ids=None)
        nht = server.nht_requests()
    # 23 skills, pages of 10: offsets 0, 10, 20; skillIds absent means all skills.
    assert [r.params["offset"] for r in nht] == ["0", "10", "20"]
    assert all("skillIds" not in r.params for r in nht)
    assert sorted(frame["skill_id"].unique()) == list(range(1, 24))
    assert len(frame) == 23 * 3


def test_without_next_links_pages_follow_metadata_count(pauses):
    with FakeLivePerson(skill_ids=range(1, 24), now=NOW, next_links=False) as server:
        client = NHTClient(
            server.account, server.credentials, domain_api=server.domain_api, sleep=pauses
        )
        end = NOW.floor("60min")
        frame = client.get_nht(end - 2 * HOUR, end)
        nht = server.nht_requests()
        truth = server.ground_truth(end - 2 * HOUR, end).drop(columns="account")
    # count 23 -> offsets 0, 10, 20 computed by the client.
    assert [r.params["offset"] for r in nht] == ["0", "10", "20"]
    pd.testing.assert_frame_equal(frame, truth)


# ----------------------------------------------------------------------------------------
# Faults and the retry policy
# ----------------------------------------------------------------------------------------
def _truth_equal(path, server, weeks):
    end = NOW.floor("60min")
    got = HistoryStore(path).read(server.account)
    pd.testing.assert_frame_equal(got, server.ground_truth(end - pd.Timedelta(weeks=weeks), end))


def test_throttling_honours_retry_after_and_at_least_one_second(tmp_path, lp, pauses):
    lp.inject(
        2,
        Fault.throttle(retry_after=3),
        Fault.throttle(retry_after=None),
        Fault.throttle(retry_after=0),
    )
    summary = fetch_history(tmp_path / "h.sqlite", lp.account, weeks=2, **fetch_kwargs(lp, pauses))
    # Retry-After 3 -> 3 s; none -> the 1 s floor; 0 -> still 1 s (doc: wait >= 1 s).
    assert pauses == [3.0, 1.0, 1.0]
    assert summary.retries == 3
    assert [r.status for r in lp.nht_requests()] == [200, 429, 429, 429, 200]
    _truth_equal(tmp_path / "h.sqlite", lp, 2)


def test_server_errors_are_retried_three_times_at_5_10_15_seconds(tmp_path, lp, pauses):
    lp.inject(1, Fault.server_error(503), Fault.server_error(500), Fault.drop())
    summary = fetch_history(tmp_path / "h.sqlite", lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    # Documented policy: 500/503 retried 3 times with pauses of 5, 10, 15 s; a dropped
    # connection counts like a 503.
    assert pauses == [5.0, 10.0, 15.0]
    assert summary.retries == 3
    assert [r.fault for r in lp.nht_requests()] == ["status", "status", "drop", None]
    _truth_equal(tmp_path / "h.sqlite", lp, 1)


def test_a_longer_retry_after_on_503_is_honoured(tmp_path, lp, pauses):
    lp.inject(1, Fault.server_error(503, retry_after=20), Fault.server_error(503, retry_after=2))
    fetch_history(tmp_path / "h.sqlite", lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    # max(policy pause, Retry-After): max(5, 20) = 20, then max(10, 2) = 10.
    assert pauses == [20.0, 10.0]


def test_a_fourth_server_error_fails_and_keeps_earlier_windows(tmp_path, lp, pauses):
    path = tmp_path / "h.sqlite"
    # Window 1 (request 1) succeeds; window 2 fails four times.
    lp.inject(2, *[Fault.server_error(500)] * 4)
    with pytest.raises(APIError) as info:
        fetch_history(path, lp.account, weeks=3, **fetch_kwargs(lp, pauses))
    assert info.value.status == 500
    assert "page 1" in str(info.value) and "retr" in str(info.value)
    assert pauses == [5.0, 10.0, 15.0]
    end = NOW.floor("60min")
    first = (end - pd.Timedelta(weeks=3), end - pd.Timedelta(weeks=2))
    kept = HistoryStore(path).read(lp.account)
    pd.testing.assert_frame_equal(kept, lp.ground_truth(*first))
    # The next run resumes: windows 2 and 3, plus the last day of window 1 (late data).
    before = len(lp.nht_requests())
    summary = fetch_history(path, lp.account, weeks=3, **fetch_kwargs(lp, pauses))
    sent = [window_of(r) for r in lp.nht_requests()[before:]]
    # The stored window's last day, then the two missing weeks: 15 days in week windows.
    resume = first[1] - DAY
    assert sent == [
        (resume, resume + 7 * DAY),
        (resume + 7 * DAY, resume + 14 * DAY),
        (resume + 14 * DAY, end),
    ]
    assert summary.rows_updated == 0
    _truth_equal(path, lp, 3)


def test_connection_keeps_dropping_gives_a_clear_error(tmp_path, lp, pauses):
    lp.inject(1, *[Fault.drop()] * 4)
    with pytest.raises(APIError, match=r"connection to 127\.0\.0\.1:\d+ failed") as info:
        fetch_history(tmp_path / "h.sqlite", lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    assert info.value.status is None
    assert pauses == [5.0, 10.0, 15.0]
    assert not (tmp_path / "h.sqlite").exists()


def test_a_tls_failure_is_not_retried(lp, pauses):
    # https to the fake's plain-http port: the TLS handshake fails (an SSLError, which
    # requests makes a ConnectionError too); waiting 30 s would not cure it.
    client = NHTClient(lp.account, lp.credentials, domain_api=f"https://{lp.host}", sleep=pauses)
    with pytest.raises(
        APIError,
        match=r"TLS handshake with 127\.0\.0\.1:\d+ failed.*"
        r"after 1 attempt$",
    ):
        client.base_url()
    assert pauses == [] and client.retries == 0


def test_a_malformed_body_names_window_and_page_and_keeps_earlier_windows(tmp_path, lp, pauses):
    path = tmp_path / "h.sqlite"
    lp.inject(2, Fault.malformed())
    with pytest.raises(
        DataError,
        match=r"NHT window 2026-11-19 09:00 to 2026-11-26 09:00 UTC, "
        r"page 1: the answer is not valid JSON",
    ):
        fetch_history(path, lp.account, weeks=2, **fetch_kwargs(lp, pauses))
    end = NOW.floor("60min")
    pd.testing.assert_frame_equal(
        HistoryStore(path).read(lp.account),
        lp.ground_truth(end - pd.Timedelta(weeks=2), end - pd.Timedelta(weeks=1)),
    )
    assert pauses == []  # a malformed body is not retried


def test_a_429_storm_ends_in_a_clear_error(tmp_path, lp, pauses):
    lp.inject(1, *[Fault.throttle(retry_after=1)] * 9)
    with pytest.raises(APIError, match="429") as info:
        fetch_history(tmp_path / "h.sqlite", lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    assert info.value.status == 429
    # 8 retries of 429 at Retry-After 1 s, then the 9th answer is final.
    assert pauses == [1.0] * 8


def test_a_retry_after_date_is_honoured_and_capped(tmp_path, lp, pauses):
    # Retry-After may be an HTTP date (RFC 9110 section 10.2.3). One in the past means
    # "now", so the 1 s floor applies; one in 2099 is cut to the 600 s cap.
    lp.inject(
        1,
        Fault.throttle("Wed, 21 Oct 2015 07:28:00 GMT"),
        Fault.throttle("Thu, 01 Jan 2099 00:00:00 GMT"),
    )
    fetch_history(tmp_path / "h.sqlite", lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    assert pauses == [1.0, 600.0]


# ----------------------------------------------------------------------------------------
# Retries under replay protection: faults answered after the OAuth check
# ----------------------------------------------------------------------------------------
def test_retries_after_an_authenticated_429_and_503_are_signed_anew(tmp_path, lp, pauses):
    # The edge verifies the signature and uses up the nonce, then answers 429 or 503.
    lp.inject(
        2,
        Fault.throttle(2, after_auth=True),
        Fault.server_error(503, after_auth=True),
        Fault.server_error(500, after_auth=True),
    )
    summary = fetch_history(tmp_path / "h.sqlite", lp.account, weeks=2, **fetch_kwargs(lp, pauses))
    nht = lp.nht_requests()
    # Window 2 is answered 429, 503, 500, then 200: each retry carried a new nonce, so the
    # fake's replay check let it through (a re-sent nonce would have got 401).
    assert [r.status for r in nht] == [200, 429, 503, 500, 200]
    assert all(r.nonce for r in nht) and len({r.nonce for r in nht}) == len(nht)
    # Pauses: Retry-After 2 s for the 429, then the server-error steps 5 and 10 s.
    assert pauses == [2.0, 5.0, 10.0]
    assert summary.retries == 3 and summary.requests == 3
    _truth_equal(tmp_path / "h.sqlite", lp, 2)


def test_a_429_storm_after_the_oauth_check_still_ends_in_a_clear_error(tmp_path, lp, pauses):
    lp.inject(1, *[Fault.throttle(1, after_auth=True)] * 9)
    with pytest.raises(APIError, match="still failing after 9 attempts") as info:
        fetch_history(tmp_path / "h.sqlite", lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    # Not a 401: every one of the 9 attempts was signed with its own nonce.
    assert info.value.status == 429
    assert len({r.nonce for r in lp.nht_requests()}) == 9
    assert pauses == [1.0] * 8


# ----------------------------------------------------------------------------------------
# Incremental
# ----------------------------------------------------------------------------------------
def test_incremental_rerun_sends_only_the_expected_requests(tmp_path, lp, pauses):
    path = tmp_path / "h.sqlite"
    fetch_history(path, lp.account, weeks=3, **fetch_kwargs(lp, pauses))
    assert len(lp.nht_requests()) == 3
    end = NOW.floor("60min")
    # Same clock: only the last day again (late data).
    n = len(lp.nht_requests())
    again = fetch_history(path, lp.account, weeks=3, **fetch_kwargs(lp, pauses))
    assert [window_of(r) for r in lp.nht_requests()[n:]] == [(end - DAY, end)]
    assert (again.rows_new, again.rows_updated) == (0, 0)
    # A day and 5 hours later: yesterday again (late data) up to the new end.
    later = NOW + pd.Timedelta(hours=29)
    with FakeLivePerson(skill_ids=lp.skill_ids, now=later) as server:
        summary = fetch_history(
            path, server.account, weeks=3, **fetch_kwargs(server, pauses, now=later)
        )
        sent = [window_of(r) for r in server.nht_requests()]
        new_end = later.floor("60min")
        assert sent == [(end - DAY, new_end)]
        # New hours: 09:00 today to 14:00 tomorrow = 29 hours x 3 skills.
        assert summary.rows_new == 29 * 3 and summary.rows_updated == 0
        pd.testing.assert_frame_equal(
            HistoryStore(path).read(server.account),
            server.ground_truth(end - pd.Timedelta(weeks=3), new_end),
        )


def test_late_data_is_picked_up_by_the_next_run(tmp_path, pauses):
    path = tmp_path / "h.sqlite"
    with FakeLivePerson(skill_ids=(1, 2), now=NOW, lag_hours=8) as server:
        fetch_history(path, server.account, weeks=1, **fetch_kwargs(server, pauses))
    end = NOW.floor("60min")
    # Buckets starting within 8 h of 09:30 (02:00 to 08:00: 7 hours x 2 skills) had no
    # data yet, so they are stored as NaN.
    late = HistoryStore(path).read(start=end - 7 * HOUR)
    assert len(late) == 14 and late["arrivals"].isna().all()
    later = NOW + pd.Timedelta(hours=12)
    with FakeLivePerson(skill_ids=(1, 2), now=later, lag_hours=8) as server:
        summary = fetch_history(
            path, server.account, weeks=1, **fetch_kwargs(server, pauses, now=later)
        )
        new_end = later.floor("60min")
        pd.testing.assert_frame_equal(
            HistoryStore(path).read(start=new_end - pd.Timedelta(weeks=1)),
            server.ground_truth(new_end - pd.Timedelta(weeks=1), new_end),
        )
        filled = server.ground_truth(end - 7 * HOUR, end)
    # The late hours that have data now are updated (per the server's own truth: all but
    # random outages); the 12 hours from 09:00 to 21:00 x 2 skills are new.
    expected_updates = int(filled[["arrivals", "net_handle_time_s"]].notna().any(axis=1).sum())
    assert expected_updates >= 12
    assert summary.rows_updated == expected_updates and summary.rows_new == 24


# ----------------------------------------------------------------------------------------
# Callers: the planning pipeline
# ----------------------------------------------------------------------------------------
def _example_config() -> dict:
    """The shipped example config that fetches from LivePerson, as a dict."""
    root = Path(__file__).resolve().parents[2]
    return yaml.safe_load((root / "config" / "example-liveperson.yaml").read_text())


def test_plan_fetches_at_most_9_weeks_and_reads_12_from_the_store(tmp_path, lp_env, monkeypatch):
    from staffing.plan import plan
    from staffing.sources.liveperson import sync

    # The fetch's clock is injected (the fake's), so no hour can turn between the two.
    now = NOW.floor("h")
    monkeypatch.setattr(sync, "fetch_history", functools.partial(sync.fetch_history, now=now))
    path = tmp_path / "h.sqlite"
    config = _example_config()
    skills = [s["id"] for s in config["skills"]]
    with FakeLivePerson(skill_ids=skills, now=now) as server:
        # Weeks 12 to 10 back, older than LivePerson keeps, are in the store already.
        old = server.ground_truth(now - pd.Timedelta(weeks=12), now - pd.Timedelta(weeks=9))
        HistoryStore(path).upsert(server.account, old.drop(columns="account"))
        config["plan"].update(start=(now + 7 * DAY).date(), weeks=1)
        config["nht"].update(store=str(path), history_weeks=12)
        config["nht"]["liveperson"].update(account=server.account, domain_api=server.domain_api)
        result = plan(config)
        sent = [window_of(r) for r in server.nht_requests()]
    # Fetched: 9 week windows, none older than the 9 weeks LivePerson keeps (asking for
    # 12 would have been refused before any request).
    assert len(sent) == 9
    assert min(s for s, _ in sent) >= now - pd.Timedelta(weeks=9)
    assert max(e for _, e in sent) >= now
    # Read: the whole 12 weeks, the first 3 of them only from the store.
    assert result.meta["history_weeks"] == 12
    oldest = result.history["interval_start"].min()
    assert now - pd.Timedelta(weeks=12) <= oldest < now - pd.Timedelta(weeks=11)


@pytest.mark.parametrize("source", [" staffing", "staffing ", "x" * 21, "", "a\tb"])
def test_the_planning_config_refuses_a_source_the_client_would_refuse(source):
    from staffing.config import load_config
    from staffing.sources.liveperson.credentials import check_source

    data = _example_config()
    data["nht"]["liveperson"]["source"] = source
    with pytest.raises(ConfigError) as in_config:
        load_config(data)
    with pytest.raises(ConfigError) as in_client:
        check_source(source)
    # One rule, one wording: the config's problem carries the client's text.
    rule = in_client.value.problems[0].split(": ", 1)[1]
    assert "leading or trailing spaces" in rule
    assert in_config.value.problems == [f"<dict>: nht.liveperson.source: {rule} (got {source!r})"]
    data["nht"]["liveperson"]["source"] = "WFM planner 1"
    assert load_config(data).nht.liveperson.source == check_source("WFM planner 1")


# ----------------------------------------------------------------------------------------
# Secrets
# ----------------------------------------------------------------------------------------
def test_no_credential_in_logs_output_errors_or_the_sqlite_file(
    tmp_path, lp, pauses, caplog, capsys
):
    for name in (
        "",
        "urllib3",
        "requests_oauthlib",
        "oauthlib",
        "staffing",
        "oauthlib.oauth1.rfc5849",
        "oauthlib.oauth1.rfc5849.signature",
        "requests_oauthlib.oauth1_auth",
    ):
        caplog.set_level(logging.DEBUG, logger=name)
    path = tmp_path / "h.sqlite"
    texts = []
    lp.inject(2, Fault.throttle(1), Fault.server_error(503))
    summary = fetch_history(path, lp.account, weeks=2, progress=True, **fetch_kwargs(lp, pauses))
    texts.append(str(summary))
    bad = Credentials(*SECRETS[:3], "wrong-token-secret-0000000000000")
    for creds in (bad, Credentials(SECRETS[0] + "x", *SECRETS[1:])):
        with pytest.raises(AuthenticationError) as info:
            fetch_history(path, lp.account, weeks=2, **fetch_kwargs(lp, pauses, credentials=creds))
        texts += [str(info.value), repr(info.value), repr(creds)]
    client = NHTClient(lp.account, lp.credentials, domain_api=lp.domain_api)
    texts += [repr(client), repr(client.session.auth), str(vars(client))]
    out, err = capsys.readouterr()
    texts += [out, err, caplog.text]
    texts += [r.getMessage() for r in caplog.records]
    raw = path.read_bytes()
    assert len(caplog.records) > 5  # urllib3 and the retry policy did log at DEBUG/WARNING
    assert "retrying in" in caplog.text
    for secret in SECRETS:
        for text in texts:
            assert secret not in text
        assert secret.encode() not in raw


def test_a_stalled_answer_times_out_and_is_retried_like_a_503(lp, pauses, monkeypatch):
    # The timeout is injected, not raced: the session raises requests' ReadTimeout for the
    # NHT requests marked to stall, as it does once a stalled server passes the read timeout.
    client = NHTClient(lp.account, lp.credentials, domain_api=lp.domain_api, sleep=pauses)
    stalls: list[bool] = []  # one entry per coming NHT request: True = it stalls
    timeouts = []
    real_get = client.session.get

    def get(url, **kwargs):
        if url.endswith("/nht"):
            timeouts.append(kwargs["timeout"])
            if stalls and stalls.pop(0):
                raise requests.exceptions.ReadTimeout("Read timed out.")
        return real_get(url, **kwargs)

    monkeypatch.setattr(client.session, "get", get)
    end = NOW.floor("60min")
    stalls[:] = [True]
    frame = client.get_nht(end - 2 * HOUR, end)
    assert pauses == [5.0] and len(timeouts) == 2
    assert set(timeouts) == {(10.0, 60.0)}  # README: 10 s to connect, 60 s between reads
    pd.testing.assert_frame_equal(
        frame, lp.ground_truth(end - 2 * HOUR, end).drop(columns="account")
    )
    stalls[:] = [True] * 4
    with pytest.raises(APIError, match=r"no answer from 127\.0\.0\.1:\d+ within the timeout"):
        client.get_nht(end - 2 * HOUR, end)
    assert pauses == [5.0, 5.0, 10.0, 15.0]


def test_source_is_sent_as_given(tmp_path, lp, pauses):
    fetch_history(
        tmp_path / "h.sqlite",
        lp.account,
        weeks=1,
        source="WFM planner 1",
        **fetch_kwargs(lp, pauses),
    )
    assert {r.params["source"] for r in lp.nht_requests()} == {"WFM planner 1"}


# ----------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------
_value = st.one_of(st.just(-1), st.just(0), st.integers(1, 500))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 3), st.integers(0, 5), _value, _value, _value, _value),
        min_size=1,
        max_size=25,
        unique_by=lambda row: row[:2],
    )
)
def test_read_nht_never_reports_no_data_as_zero_or_negative(rows):
    skills: dict[int, list[dict]] = {}
    for skill, hour, arrivals, handled, nht, load in rows:
        skills.setdefault(skill, []).append(
            _bucket(
                T0 + hour * 3_600_000,
                arrivals=arrivals,
                handledSegments=handled,
                netHandleTime=nht,
                avgSegmentWorkTime=nht,
                avgAvailableLoad=-1 if load == -1 else load / 500,
            )
        )
    payload = {
        "interval": 60,
        "skillInfo": [{"skillId": s, "metricsByIntervals": b} for s, b in skills.items()],
    }
    frame = read_nht(payload, interval_minutes=60)
    # One row per (skill, hour) (a conflicting repeat is refused: see the test below).
    last = {(s, h): (a, hs, n, ld) for s, h, a, hs, n, ld in rows}
    assert len(frame) == len(last)
    metrics = frame.drop(columns=["skill_id", "interval_start", "interval_minutes"])
    assert not (metrics < 0).any().any()
    no_handled = ~(frame["handled_segments"] > 0)
    for col in ("net_handle_time_s", "avg_segment_work_time_s", "avg_available_load"):
        assert not (frame.loc[no_handled, col] == 0).any()
    for row in frame.itertuples():
        a, hs, n, _ = last[
            (row.skill_id, int((row.interval_start.value // 10**6 - T0) // 3_600_000))
        ]
        # Counts pass through unchanged, -1 becomes NaN; a 0 count stays a real 0.
        assert np.isnan(row.arrivals) if a == -1 else row.arrivals == a
        assert np.isnan(row.handled_segments) if hs == -1 else row.handled_segments == hs
        if n > 0:
            assert row.net_handle_time_s == n


_hours = st.integers(0, 24 * 40)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(_hours, st.integers(1, 24 * 10)), max_size=6), st.booleans())
def test_plan_windows_cover_every_gap_in_week_windows(done_hours, incremental):
    start = pd.Timestamp("2026-09-01T05:00Z")
    end = start + pd.Timedelta(hours=24 * 40)
    done = [(start + s * HOUR, start + (s + n) * HOUR) for s, n in done_hours]
    windows = plan_windows(start, end, done, incremental=incremental)
    for (s, e), nxt in zip(windows, [*windows[1:], None], strict=True):
        assert start <= s < e <= end and e - s <= 7 * DAY
        if nxt is not None:
            assert e <= nxt[0]
    # Every hour not covered by `done` is fetched.
    for h in range(24 * 40):
        t = start + h * HOUR
        if not any(s <= t < e for s, e in done) or not incremental:
            assert any(s <= t < e for s, e in windows), t

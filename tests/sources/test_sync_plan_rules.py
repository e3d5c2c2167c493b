"""The fetch sync's window rules with every window worked out by hand, and its edges.

Rules protected (``plan_windows``/``fetch_history`` docstrings, docs/liveperson-nht-api.md):
windows are at most a week, oldest first; an incremental run fetches what is not stored plus
the day (``LATE_DATA``) before the end of what is stored, adjacent and overlapping parts
merged before the week split; only the requested range is fetched; ``weeks`` runs from 1 to
9; the oldest hour asked for is 9 weeks back plus a quarter-hour margin, rounded up to the
interval; each stored window is logged with its row counts (issue 23: mutants of
:mod:`staffing.sources.liveperson.sync`).
"""

from __future__ import annotations

import logging
import time

import pandas as pd
import pytest

from staffing.errors import APIError, ConfigError
from staffing.sources.liveperson import fetch_history
from staffing.sources.liveperson.sync import plan_windows, week_windows
from staffing.sources.store import HistoryStore
from staffing.testing import FakeLivePerson, Fault
from staffing.vocabulary import METRIC_COLUMNS
from tests.sources.liveperson_support import NOW, fetch_kwargs, window_of

D0 = pd.Timestamp("2026-10-05T00:00Z")
DAY, HOUR = pd.Timedelta(days=1), pd.Timedelta(hours=1)


def d(days: float) -> pd.Timestamp:
    """D0 plus ``days`` days."""
    return D0 + days * DAY


def test_week_windows_of_naive_bounds_are_utc_and_an_empty_range_has_none():
    """Rule: naive bounds mean UTC; [start, end) is cut every 7 days; start >= end gives
    no window (not an endless loop or an empty window)."""
    naive = D0.tz_localize(None).to_pydatetime()
    assert week_windows(naive, naive + 15 * DAY) == [(d(0), d(7)), (d(7), d(14)), (d(14), d(15))]
    assert week_windows(d(3), d(3)) == []
    assert week_windows(d(4), d(3)) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: week_windows("soon", d(1)), "start 'soon': not a timestamp"),
        (lambda: week_windows(d(0), "later"), "end 'later': not a timestamp"),
        (lambda: plan_windows("soon", d(1)), "start 'soon': not a timestamp"),
        (lambda: plan_windows(d(0), "later"), "end 'later': not a timestamp"),
        (lambda: plan_windows(d(0), d(1), [("x", d(1))]), "window 'x': not a timestamp"),
        (lambda: plan_windows(d(0), d(1), [(d(0), "y")]), "window 'y': not a timestamp"),
    ],
)
def test_a_bound_that_is_not_a_time_is_named(call, message):
    """Rule: a bad bound is a ConfigError naming which bound (start, end, a stored window)."""
    with pytest.raises(ConfigError, match=message):
        call()


def test_incremental_is_the_default_and_the_late_day_joins_the_new_part():
    """Rule: without ``incremental=`` only what is not stored is fetched, plus the day
    before the stored end; that day and the new part touch, so they make one span cut in
    weeks from its start (d6 to d13, d13 to d14), not two."""
    done = [(d(0), d(7))]
    assert plan_windows(d(0), d(14), done) == [(d(6), d(13)), (d(13), d(14))]
    assert plan_windows(d(0), d(14), done, incremental=False) == [(d(0), d(7)), (d(7), d(14))]


def test_all_stored_fetches_only_the_late_day_and_never_outside_the_range():
    """Rule: with everything stored only the last day is fetched again; a stored window
    beyond the range does not move that day out of the range; a short stored part at the
    start fetches the late period from the range's start, not before it."""
    assert plan_windows(d(0), d(7), [(d(0), d(7))]) == [(d(6), d(7))]
    assert plan_windows(d(0), d(14), [(d(5), d(30))]) == [(d(0), d(5)), (d(13), d(14))]
    assert plan_windows(d(0), d(7), [(d(0), d(0.5))]) == [(d(0), d(7))]


def test_gaps_and_the_late_day_are_merged_when_they_overlap():
    """Rule: stored parts leave gaps that are fetched; the late day overlapping gaps near the
    stored end is merged with them and with the new part into one span (d5 to d7)."""
    done = [(d(1), d(2)), (d(3), d(5)), (d(5.25), d(5.5)), (d(5.75), d(6))]
    # gaps d0-d1, d2-d3, d5-d5.25, d5.5-d5.75, new part d6-d7; late day d5-d6
    assert plan_windows(d(0), d(7), done) == [(d(0), d(1)), (d(2), d(3)), (d(5), d(7))]


def test_several_gaps_keep_their_order_and_the_new_part_merges_with_the_late_day():
    """Rule: gaps are fetched oldest first; the late day before the stored end (d11 to
    d12) and the new part from d12 merge into one span cut in weeks from d11."""
    done = [(d(2), d(4)), (d(10), d(12))]
    assert plan_windows(d(0), d(28), done) == [
        (d(0), d(2)),
        (d(4), d(10)),
        (d(11), d(18)),
        (d(18), d(25)),
        (d(25), d(28)),
    ]


def test_an_empty_stored_window_does_not_move_the_late_day():
    """Rule: a stored window of no length holds nothing: the late day is the one before the
    end of what is really stored (d13 to d14), not before the empty window (d14 + 6 h)."""
    done = [(d(0), d(14)), (d(14.25), d(14.25))]
    assert plan_windows(d(0), d(21), done) == [(d(13), d(20)), (d(20), d(21))]


def _refused(tmp_path, **extra) -> str:
    with pytest.raises(ConfigError) as info:
        fetch_history(tmp_path / "h.sqlite", "12345678", **extra)
    return str(info.value)


@pytest.mark.parametrize("weeks", [0, 10, True, 1.5, "8"])
def test_weeks_outside_one_to_nine_are_refused_with_the_reason(tmp_path, weeks):
    """Rule: ``weeks`` is a whole number from 1 to 9 (LivePerson keeps 9), refused before any
    request or file."""
    assert _refused(tmp_path, weeks=weeks) == (
        f"weeks {weeks!r}: must be a whole number from 1 to 9 (LivePerson keeps only 9 "
        "weeks of NHT history)"
    )
    assert not (tmp_path / "h.sqlite").exists()


@pytest.mark.parametrize("weeks", [1, 9])
def test_one_and_nine_weeks_are_accepted(tmp_path, weeks):
    """Rule: the bounds 1 and 9 are allowed: the run goes on to the next check (here the
    interval, deliberately wrong, so no request is made)."""
    assert "weeks" not in _refused(tmp_path, weeks=weeks, interval_minutes=20)


def test_nine_weeks_start_a_quarter_hour_after_the_retention_edge_rounded_up(tmp_path, pauses):
    """Rule: the oldest hour asked for is now - 9 weeks + 15 minutes rounded up to the
    interval: at 09:50 that is 10:05, so the first window starts at 11:00 nine weeks ago
    (without the margin it would be 10:00, an hour the server may already have dropped)."""
    now = pd.Timestamp("2026-11-26T09:50:00Z")
    with FakeLivePerson(skill_ids=(11,), now=now) as server:
        summary = fetch_history(
            tmp_path / "h.sqlite", server.account, weeks=9, **fetch_kwargs(server, pauses)
        )
        sent = [window_of(r) for r in server.nht_requests()]
    edge = pd.Timestamp("2026-11-26T11:00:00Z") - pd.Timedelta(weeks=9)
    assert sent[0][0] == edge and sent[-1][1] == pd.Timestamp("2026-11-26T09:00:00Z")
    assert summary.windows == len(sent) == 9


def test_each_stored_window_is_logged_with_its_row_counts(tmp_path, lp, pauses, caplog):
    """Rule: each window stored is logged at INFO with its bounds and rows new and updated
    (a week of 3 skills: 504 rows new; then only the late day again: 0 new, 0 updated)."""
    caplog.set_level(logging.INFO, logger="staffing.sources.liveperson")
    path = tmp_path / "h.sqlite"
    end = lp.now.floor("60min")
    fetch_history(path, lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    first = [r.getMessage() for r in caplog.records if r.getMessage().startswith("NHT ")]
    assert first == [
        f"NHT {end - pd.Timedelta(weeks=1)} to {end}: {3 * 7 * 24} rows new, 0 updated"
    ]
    caplog.clear()
    fetch_history(path, lp.account, weeks=1, **fetch_kwargs(lp, pauses))
    again = [r.getMessage() for r in caplog.records if r.getMessage().startswith("NHT ")]
    assert again == [f"NHT {end - DAY} to {end}: 0 rows new, 0 updated"]


def test_a_rerun_for_a_skill_list_at_quarter_hours_fetches_only_the_late_day(tmp_path, pauses):
    """Rule: what is stored is looked up for the run's own interval length and skill list:
    a second incremental quarter-hour run for skills 11 and 12 sends one request, for the
    late day (not the whole week again); ``incremental=False`` fetches the whole week; a
    run for every skill fetches the whole week too (skill 15 was never fetched)."""
    path = tmp_path / "h.sqlite"
    with FakeLivePerson(skill_ids=(11, 12, 15), now=pd.Timestamp("2026-11-26T09:30Z")) as lp:
        kwargs = fetch_kwargs(lp, pauses, skill_ids=[11, 12], interval_minutes=15, weeks=1)
        fetch_history(path, lp.account, **kwargs)
        first = len(lp.nht_requests())
        fetch_history(path, lp.account, **kwargs)
        sent = [window_of(r) for r in lp.nht_requests()[first:]]
        fetch_history(path, lp.account, incremental=False, **kwargs)
        whole = [window_of(r) for r in lp.nht_requests()[first + 1 :]]
        stored = HistoryStore(path).read(lp.account, interval_minutes=15)
        every = {**kwargs, "skill_ids": None}
        fetch_history(path, lp.account, **every)
        all_skills = [window_of(r) for r in lp.nht_requests()[first + 2 :]]
    end = pd.Timestamp("2026-11-26T09:30Z")
    assert first == 1 and sent == [(end - DAY, end)]
    assert sorted(stored["skill_id"].unique().tolist()) == [11, 12]  # not skill 15
    assert whole == [(end - 7 * DAY, end)]  # incremental=False: the whole week again
    # what was fetched for skills 11 and 12 does not count as fetched for every skill
    assert all_skills == [(end - 7 * DAY, end)]


def test_by_default_eight_weeks_are_fetched_as_source_staffing(tmp_path, pauses):
    """Rule: ``weeks`` defaults to 8 and ``source`` to ``staffing`` (the documented
    defaults): eight week windows ending at the last whole hour, each sent as 'staffing'."""
    with FakeLivePerson(skill_ids=(11,), now=pd.Timestamp("2026-11-26T09:30Z")) as lp:
        fetch_history(tmp_path / "h.sqlite", lp.account, **fetch_kwargs(lp, pauses))
        sent = [window_of(r) for r in lp.nht_requests()]
        sources = {r.params["source"] for r in lp.nht_requests()}
    end = pd.Timestamp("2026-11-26T09:00Z")
    assert sent == [
        (end - pd.Timedelta(weeks=8 - w), end - pd.Timedelta(weeks=7 - w)) for w in range(8)
    ]
    assert sources == {"staffing"}


def test_a_now_that_is_not_a_time_is_named(tmp_path):
    """Rule: a bad ``now`` is a ConfigError naming it, before any request."""
    assert _refused(tmp_path, now="tomorrow") == "now 'tomorrow': not a timestamp"


def test_the_retry_budget_given_is_the_one_used(tmp_path, lp, pauses):
    """Rule: ``retry_budget_s`` bounds the pauses of the fetch: with 4 s, the first server
    error's 5 s pause is not made and the fetch fails saying so."""
    lp.inject(1, Fault.server_error(503))
    with pytest.raises(APIError, match="retry budget of 4 s"):
        fetch_history(
            tmp_path / "h.sqlite",
            lp.account,
            weeks=1,
            retry_budget_s=4.0,
            **fetch_kwargs(lp, pauses),
        )
    assert pauses == []


def test_the_deadline_given_cuts_a_slow_answer(tmp_path, lp, pauses):
    """Rule: ``deadline_s`` bounds one request, body included: a body trickling for 4 s
    under a 2 s deadline is cut and retried after the 5 s server-error pause (with the
    default 120 s deadline it would be waited for, and no pause made)."""
    lp.inject(1, Fault.trickle(4.0, chunks=8))
    try:
        fetch_history(
            tmp_path / "h.sqlite", lp.account, weeks=1, deadline_s=2.0, **fetch_kwargs(lp, pauses)
        )
    except APIError as error:  # a machine so loaded that even the retries take over 2 s
        assert "longer than the deadline of 2 s" in str(error)
    assert pauses[:1] == [5.0]


@pytest.fixture
def kolkata_clock(monkeypatch):
    """The machine's local zone set to Asia/Kolkata (UTC+05:30) for the test, then reset."""
    tzset = getattr(time, "tzset", None)
    if tzset is None:
        pytest.skip("time.tzset is not available on this platform")
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    tzset()
    yield
    monkeypatch.undo()
    tzset()


def test_without_now_the_range_ends_at_the_current_utc_hour(tmp_path, pauses, kolkata_clock):
    """Rule: ``now`` defaults to the current time in UTC, whatever the machine's zone: on a
    machine set to Kolkata the one-week range still ends at the last whole UTC hour."""
    before = pd.Timestamp.now(tz="UTC").floor("60min")
    with FakeLivePerson(skill_ids=(11,), now=pd.Timestamp.now(tz="UTC")) as lp:
        kwargs = fetch_kwargs(lp, pauses, weeks=1)
        del kwargs["now"]
        fetch_history(tmp_path / "h.sqlite", lp.account, **kwargs)
        sent = [window_of(r) for r in lp.nht_requests()]
    after = pd.Timestamp.now(tz="UTC").floor("60min")
    assert len(sent) == 1 and sent[0][1] in (before, after)
    assert sent[0][1] - sent[0][0] == 7 * DAY


def test_rows_updated_adds_up_over_every_window(tmp_path, pauses):
    """Rule: the summary's ``rows_updated`` counts the changed rows of every window of the
    fetch, not only of the last one. Two weeks (two windows) fetched from a server, then
    again from one whose history differs (another seed): the count is worked out here from
    the two servers' own values, a row counting when any metric differs (missing equal to
    missing, as the store compares)."""
    path = tmp_path / "h.sqlite"
    truths = []
    for seed in (7, 8):
        with FakeLivePerson(skill_ids=(11, 12), now=NOW, seed=seed) as server:
            summary = fetch_history(
                path, server.account, weeks=2, incremental=False, **fetch_kwargs(server, pauses)
            )
            end = NOW.floor("60min")
            truths.append(server.ground_truth(end - 2 * 7 * DAY, end))
            assert len(server.nht_requests()) == 2  # one request a window
    old, new = (t.set_index(["skill_id", "interval_start"])[list(METRIC_COLUMNS)] for t in truths)
    differs = ((old != new) & ~(old.isna() & new.isna())).any(axis=1)
    weeks = differs.index.get_level_values("interval_start") < end - 7 * DAY
    assert differs[weeks].sum() > 0 and differs[~weeks].sum() > 0  # changes in both windows
    assert summary.rows_new == 0
    assert summary.rows_updated == int(differs.sum())

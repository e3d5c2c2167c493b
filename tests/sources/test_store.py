"""Tests of the SQLite history store (real SQLite files under tmp_path)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from staffing.errors import DataError
from staffing.sources.store import COLUMNS, HistoryStore, covered, skills_key
from staffing.vocabulary import METRIC_COLUMNS


def _frame(skills=(1, 2), hours=3, start="2026-11-02T00:00Z", value=10.0) -> pd.DataFrame:
    starts = pd.date_range(start, periods=hours, freq="60min")
    rows = []
    for s in skills:
        for i, t in enumerate(starts):
            row = {"skill_id": s, "interval_start": t, "interval_minutes": 60}
            row.update({c: value + i for c in METRIC_COLUMNS})
            rows.append(row)
    return pd.DataFrame(rows)


def test_upsert_counts_new_then_nothing_then_one_update(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    frame = _frame()
    # 2 skills x 3 hours = 6 rows, none stored before.
    assert store.upsert("42", frame) == (6, 0)
    # The same data again changes nothing.
    assert store.upsert("42", frame) == (0, 0)
    changed = frame.copy()
    changed.loc[4, "net_handle_time_s"] = 999.5
    # One row differs in one column: 0 new, 1 updated.
    assert store.upsert("42", changed) == (0, 1)
    got = store.read("42")
    assert got.loc[4, "net_handle_time_s"] == 999.5
    assert len(got) == 6


def test_read_round_trips_values_dtypes_and_nan(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    frame = _frame(skills=(7,), hours=2)
    frame.loc[1, "arrivals"] = np.nan
    frame.loc[0, "arrivals"] = 0.0  # a real zero stays zero
    frame.loc[0, "avg_available_load"] = 0.123456789012345
    store.upsert("42", frame)
    got = store.read("42")
    assert list(got.columns) == list(COLUMNS)
    assert str(got["skill_id"].dtype) == "int64"
    assert str(got["interval_minutes"].dtype) == "int64"
    assert str(got["interval_start"].dtype) == "datetime64[ns, UTC]"
    assert got["arrivals"].tolist()[0] == 0.0
    assert np.isnan(got["arrivals"].tolist()[1])
    # SQLite REAL is an IEEE double: the value comes back bit for bit.
    assert got.loc[0, "avg_available_load"] == 0.123456789012345
    assert got["interval_start"].tolist() == list(frame["interval_start"])
    assert (got["account"] == "42").all()


def test_read_filters_account_skills_interval_and_half_open_range(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    store.upsert("42", _frame(skills=(1, 2, 3), hours=5))
    store.upsert("43", _frame(skills=(1,), hours=5))
    # 3 skills x 5 hours for account 42, 1 x 5 for 43.
    assert len(store.read()) == 20
    assert len(store.read("42")) == 15
    got = store.read("42", skill_ids=[3, 1], start="2026-11-02T01:00", end="2026-11-02T03:00Z")
    # Naive start is UTC; [01:00, 03:00) keeps 01:00 and 02:00 for skills 1 and 3.
    assert got["skill_id"].tolist() == [1, 1, 3, 3]
    assert [t.hour for t in got["interval_start"]] == [1, 2, 1, 2]
    # A tz-aware bound in another zone means the same instant: 03:00+01:00 is 02:00 UTC.
    got = store.read("42", skill_ids=[1], end=pd.Timestamp("2026-11-02T03:00+01:00"))
    assert [t.hour for t in got["interval_start"]] == [0, 1]
    assert store.read("42", interval_minutes=15).empty


def test_bad_frames_raise_and_keep_what_was_saved(tmp_path):
    path = tmp_path / "h.sqlite"
    store = HistoryStore(path)
    store.upsert("42", _frame())
    before = store.read("42")
    naive = _frame()
    naive["interval_start"] = naive["interval_start"].dt.tz_localize(None)
    with pytest.raises(DataError, match="tz-aware"):
        store.upsert("42", naive)
    dup = pd.concat([_frame(value=1.0), _frame(skills=(1,), hours=1, value=2.0)])
    with pytest.raises(DataError, match=r"skill 1 interval 2026-11-02T00:00:00Z .* more than once"):
        store.upsert("42", dup)
    bad_interval = _frame()
    bad_interval["interval_minutes"] = 20
    with pytest.raises(DataError, match="interval_minutes 20"):
        store.upsert("42", bad_interval)
    text_metric = _frame(value=99.0)
    text_metric["arrivals"] = "many"
    with pytest.raises(DataError, match="arrivals"):
        store.upsert("42", text_metric)
    with pytest.raises(DataError, match="interval_start"):
        store.upsert("42", _frame().drop(columns="interval_start"))
    pd.testing.assert_frame_equal(store.read("42"), before)


def test_missing_store_and_foreign_file_give_clear_errors(tmp_path):
    missing = HistoryStore(tmp_path / "nope" / "h.sqlite")
    with pytest.raises(DataError, match=r"no history store at .*nope.*staffing fetch"):
        missing.read()
    # fetched_windows must not create the file (a fetch that fails first stores nothing).
    assert missing.fetched_windows("42") == []
    assert not (tmp_path / "nope").exists()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DataError, match=r"junk\.sqlite is not a staffing history store"):
        HistoryStore(junk).read()
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO meta VALUES ('schema_version', '99')")
    with pytest.raises(DataError, match="schema version '99'"):
        HistoryStore(other).read()


def test_windows_are_recorded_with_their_skill_selection(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    t0 = pd.Timestamp("2026-11-02T00:00Z")
    t1 = t0 + pd.Timedelta(days=1)
    t2 = t1 + pd.Timedelta(days=1)
    store.save_window("42", _frame(), window=(t0, t1), interval_minutes=60, skill_ids=[1, 2])
    store.save_window("42", _frame().iloc[:0], window=(t1, t2), interval_minutes=60, skill_ids=None)
    # Skills {1} is a subset of {1, 2}: both windows cover it.
    assert store.fetched_windows("42", skill_ids=[1]) == [(t0, t1), (t1, t2)]
    # Skill 3 was only fetched as part of "all skills".
    assert store.fetched_windows("42", skill_ids=[3]) == [(t1, t2)]
    assert store.fetched_windows("42", skill_ids=None) == [(t1, t2)]
    assert store.fetched_windows("42", interval_minutes=15) == []
    assert store.fetched_windows("43") == []
    assert skills_key([3, 1, 3]) == "1,3"


def test_covered_union_of_windows():
    t = [pd.Timestamp("2026-11-02T00:00Z") + pd.Timedelta(hours=h) for h in range(6)]
    # [0,2) and [2,4) together cover [1,4) but not [1,5); [0,1)+[3,4) leave [1,3) open.
    assert covered([(t[0], t[2]), (t[2], t[4])], t[1], t[4])
    assert not covered([(t[0], t[2]), (t[2], t[4])], t[1], t[5])
    assert not covered([(t[0], t[1]), (t[3], t[4])], t[0], t[4])
    assert not covered([], t[0], t[1])


def test_a_full_store_disk_is_a_clear_error_and_keeps_what_was_stored(tmp_path, monkeypatch):
    # SQLITE_FULL ("database or disk is full") made real with PRAGMA max_page_count, the
    # way a full disk reaches SQLite: the transaction rolls back, earlier rows stay.
    import staffing.sources.store as store_module

    path = tmp_path / "h.sqlite"
    store = HistoryStore(path)
    start = pd.Timestamp("2026-01-05T00:00Z")
    first = pd.DataFrame(
        {"skill_id": 1, "interval_start": [start], "interval_minutes": 60, "arrivals": [3.0]}
    )
    store.upsert("1", first)
    real_connect = sqlite3.connect

    def cramped(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(store_module.sqlite3, "connect", cramped)
    many = pd.DataFrame(
        {
            "skill_id": np.repeat(np.arange(2, 202), 24),
            "interval_start": np.tile(pd.date_range(start, periods=24, freq="h"), 200),
            "interval_minutes": 60,
            "arrivals": 1.0,
        }
    )
    with pytest.raises(DataError, match="is the disk full") as info:
        store.upsert("1", many)
    assert "\n" not in str(info.value)
    monkeypatch.setattr(store_module.sqlite3, "connect", real_connect)
    kept = store.read("1")
    assert len(kept) == 1 and kept["arrivals"].tolist() == [3.0]

"""The history store's promises (README "How fetching behaves", ``HistoryStore``'s
docstrings), each with an injected fault instead of a real lock or a real full disk: each
window waits up to 60 s for the store, a locked or full store is a clear error, and nothing
is stored that does not add up."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from staffing.errors import DataError
from staffing.sources.store import BUSY_TIMEOUT_S, HistoryStore


def _rows(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "skill_id": [1, 2],
            "interval_start": pd.date_range("2026-02-02", periods=2, freq="h", tz="UTC"),
            "interval_minutes": 60,
            "arrivals": [3.0, 4.0],
            "handled_segments": 2.0,
            "net_handle_time_s": 300.0,
        }
    )
    for column, values in overrides.items():
        frame[column] = values
    return frame


def test_every_connection_waits_up_to_60_seconds_for_the_store(tmp_path, monkeypatch):
    # README: "each window waits its turn for the store (up to 60 s) instead of failing".
    assert BUSY_TIMEOUT_S == 60.0
    timeouts = []
    real = sqlite3.connect

    def connect(*args, **kwargs):
        timeouts.append(kwargs.get("timeout"))
        return real(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    store = HistoryStore(tmp_path / "deep" / "er" / "h.sqlite")  # missing folders are made
    store.upsert("111", _rows())
    assert len(store.read("111")) == 2
    assert timeouts and set(timeouts) == {60.0}


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        ("database is locked", "another process kept the history store locked for more than 60 s"),
        (
            "database or disk is full",
            "cannot write the history store (database or disk is full: "
            "is the disk full or read-only?)",
        ),
        ("database table is busy", "locked for more than 60 s"),
        ("attempt to write a readonly database", "is the disk full or read-only?"),
        ("read-only file system", "is the disk full or read-only?"),
        ("disk I/O error", "is the disk full or read-only?"),
        ("something else", "history store error: something else"),
    ],
)
def test_a_locked_or_full_store_is_a_clear_error(tmp_path, monkeypatch, failure, words):
    path = tmp_path / "h.sqlite"

    def connect(*args, **kwargs):
        raise sqlite3.OperationalError(failure)

    monkeypatch.setattr(sqlite3, "connect", connect)
    with pytest.raises(DataError) as info:
        HistoryStore(path).upsert("111", _rows())
    assert str(info.value).startswith(f"{path}: ") and words in str(info.value)


def test_rows_of_another_account_are_refused(tmp_path):
    with pytest.raises(DataError, match="mixes accounts: expected only account 111"):
        HistoryStore(tmp_path / "h.sqlite").upsert("111", _rows(account=["111", "222"]))


@pytest.mark.parametrize(
    "skill_ids", [[1.5, 2.0], [np.nan, 2.0], [-1, 2]], ids=["fraction", "missing", "negative"]
)
def test_skill_ids_must_be_whole_non_negative_numbers(tmp_path, skill_ids):
    with pytest.raises(DataError, match="skill_id must be non-negative integers"):
        HistoryStore(tmp_path / "h.sqlite").upsert("111", _rows(skill_id=skill_ids))


def test_a_missing_metric_column_is_stored_as_missing(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    store.upsert("111", _rows().drop(columns=["handled_segments"]))
    back = store.read("111")
    assert back["handled_segments"].isna().all() and back["arrivals"].tolist() == [3.0, 4.0]

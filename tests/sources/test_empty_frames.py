"""An answer or a store without rows gives a frame with the same columns and dtypes as one
with rows (the docstrings of ``read_nht`` and ``HistoryStore.read``), so code after it never
meets a missing column or an object-typed time."""

from __future__ import annotations

import pandas as pd

from staffing.sources.liveperson.parse import NHT_COLUMNS, read_nht
from staffing.sources.store import HistoryStore


def _dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {c: str(t) for c, t in frame.dtypes.items()}


def test_an_answer_without_buckets_has_the_columns_and_dtypes_of_one_with_buckets():
    empty = read_nht({"skillInfo": [{"skillId": 7, "metricsByIntervals": []}]})
    assert empty.empty and list(empty.columns) == list(NHT_COLUMNS)
    assert empty["skill_id"].dtype == "int64" and empty["interval_minutes"].dtype == "int64"
    assert (
        str(empty["interval_start"].dtype).startswith("datetime64")
        and str(empty["interval_start"].dt.tz) == "UTC"
    )
    metrics = [
        c for c in NHT_COLUMNS if c not in ("skill_id", "interval_start", "interval_minutes")
    ]
    assert all(empty[c].dtype == "float64" for c in metrics)


def test_a_store_read_without_rows_has_the_columns_and_dtypes_of_one_with_rows(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    times = pd.date_range("2026-02-02", periods=2, freq="h", tz="UTC")
    store.upsert(
        "111",
        pd.DataFrame(
            {
                "skill_id": 1,
                "interval_start": times,
                "interval_minutes": 60,
                "arrivals": 1.0,
                "handled_segments": 1.0,
                "net_handle_time_s": 9.0,
            }
        ),
    )
    full = store.read("111")
    empty = store.read("111", skill_ids=[99])
    assert empty.empty and list(empty.columns) == list(full.columns)
    assert _dtypes(empty) == _dtypes(full)

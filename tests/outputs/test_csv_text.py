"""The fast CSV writer: the bytes of ``DataFrame.to_csv`` (issue 22, a year in half a minute).

The reference for every case is pandas' own writer, ``frame.to_csv(path, index=False)``,
on the same frame: the files must be identical bytes, whichever way ``write_csv`` takes
(pyarrow, pandas on the formatted texts, or pandas itself).
"""

from __future__ import annotations

import sys
import threading

import numpy as np
import pandas as pd
import pytest

from staffing import load_config, plan
from staffing.outputs import write_outputs
from staffing.outputs.csv_text import CsvCancelled, write_csv
from staffing.outputs.intervals_csv import local_times
from staffing.outputs.view import PlanView
from tests.conftest import ROOT


def mixed_frame(n: int = 5_000) -> pd.DataFrame:
    """Every column type of a plan's intervals and the floats that print oddly."""
    rng = np.random.default_rng(7)
    odd = [0.0, -0.0, np.inf, -np.inf, 1e-5, 1e16, 0.1 + 0.2, 3.0, 123456789.123, np.nan]
    frame = pd.DataFrame(
        {
            "skill_id": rng.integers(-3, 300, n),
            "skill_name": pd.Categorical(rng.choice(["Sales", "Voice EN", "x"], n)),
            "interval_start": pd.array(
                rng.choice(["2026-03-29 03:00:00", "", None], n), dtype="str"
            ),
            "volume": rng.choice(odd, n),
            "nht_s": rng.normal(size=n) * 10.0 ** rng.integers(-20, 20, n),
            "open": rng.random(n) < 0.5,
            "method": np.array(rng.choice(["erlang_c", "chat"], n), dtype=object),
            "group": pd.Categorical(rng.choice([1, 2, 5], n)),
        }
    )
    frame.loc[0, "volume"], frame.loc[1, "volume"] = -0.0, 0.0  # -0.0 seen first, then 0.0
    return frame


def same_bytes(frame: pd.DataFrame, tmp_path) -> bool:
    frame.to_csv(tmp_path / "pandas.csv", index=False)
    write_csv(frame, tmp_path / "fast.csv")
    return (tmp_path / "pandas.csv").read_bytes() == (tmp_path / "fast.csv").read_bytes()


def test_every_column_type_and_odd_float_gives_the_bytes_of_to_csv(tmp_path):
    frame = mixed_frame()
    assert same_bytes(frame, tmp_path)
    # -0.0 keeps its sign although the hash takes it for 0.0
    lines = (tmp_path / "fast.csv").read_text().splitlines()
    assert lines[1].split(",")[3] == "-0.0" and lines[2].split(",")[3] == "0.0"


def test_a_text_that_needs_quotes_is_quoted_as_pandas_does(tmp_path):
    frame = mixed_frame()
    frame["skill_name"] = frame["skill_name"].cat.rename_categories({"x": 'Sales, "VIP"\nEU'})
    assert same_bytes(frame, tmp_path)
    assert '"Sales, ""VIP""' in (tmp_path / "fast.csv").read_text()


def test_a_column_of_another_type_and_an_empty_table(tmp_path):
    frame = mixed_frame().assign(at=pd.Timestamp("2026-03-02 08:00", tz="Europe/Berlin"))
    assert same_bytes(frame, tmp_path)
    assert same_bytes(mixed_frame().iloc[:0], tmp_path)
    assert same_bytes(pd.DataFrame({"only": ["", "a"]}), tmp_path)  # "" alone is quoted


def test_without_pyarrow_the_same_bytes(tmp_path, monkeypatch):
    frame = mixed_frame()
    frame["interval_start"] = frame["interval_start"].astype(object)  # str needs pyarrow
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    assert same_bytes(frame, tmp_path)


def test_a_cancelled_write_stops(tmp_path):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CsvCancelled):
        write_csv(mixed_frame(), tmp_path / "x.csv", cancel=cancel)


def test_the_intervals_csv_beside_the_workbook_is_the_frame_as_pandas_writes_it(tmp_path):
    one_week = plan(load_config(ROOT / "config" / "example.yaml", overrides={"plan": {"weeks": 1}}))
    csv = tmp_path / "plan-intervals.csv"
    written = write_outputs(one_week, tmp_path / "plan.xlsx", csv_path=csv)
    assert written == [tmp_path / "plan.xlsx", csv]
    local_times(PlanView.from_plan(one_week).intervals).to_csv(tmp_path / "ref.csv", index=False)
    assert csv.read_bytes() == (tmp_path / "ref.csv").read_bytes()
    assert not list(tmp_path.glob(".*partial"))

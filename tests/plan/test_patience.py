"""Patience from data (issue 21, point 8): ``patience_seconds: auto`` estimates each skill's
mean patience from the history's ``abandoned`` and ``total_wait_s`` (Brown et al. 2005)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from staffing import queueing
from staffing.errors import DataError
from staffing.outputs.workbook import write_workbook
from staffing.plan import plan
from staffing.vocabulary import COLUMN_META, ERLANG_A, PATIENCE_BASIS_CONFIGURED

TRUE_PATIENCE_S = 180.0  # the mean of the simulated exponential patience


def _history(tmp_path: Path, *, weeks=2, seed=7, columns=True, abandon=True) -> Path:
    """Hourly history of skill 1 (two weeks before the plan) as a CSV, with waits simulated.

    Every hour 40 contacts arrive; each would wait an exponential time of mean 60 s for an
    agent, and leaves first if its exponential patience (mean 180 s) runs out. It waits
    min(patience, wait): ``total_wait_s`` sums that over all 40, ``abandoned`` counts those
    whose patience ran out. A week before the window (history_weeks 2) has wild numbers the
    estimate must not see.
    """
    rng = np.random.default_rng(seed)
    starts = pd.date_range("2026-02-09", periods=(weeks + 1) * 168, freq="h", tz="UTC")
    patience = rng.exponential(TRUE_PATIENCE_S, size=(len(starts), 40))
    wait = rng.exponential(60.0, size=(len(starts), 40))
    frame = pd.DataFrame(
        {
            "skill_id": 1,
            "interval_start": starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "net_handle_time_s": 300.0,
            "arrivals": 40,
            "handled_segments": 40,
            "abandoned": (patience < wait).sum(axis=1) * (1 if abandon else 0),
            "total_wait_s": np.minimum(patience, wait).sum(axis=1).round(1),
        }
    )
    frame.loc[:167, ["abandoned", "total_wait_s"]] = [1000, 1.0]  # outside the window
    if not columns:
        frame = frame.drop(columns=["abandoned", "total_wait_s"])
    path = tmp_path / "history.csv"
    frame.to_csv(path, index=False)
    return path


def _config(history: Path, patience: object = "auto") -> dict:
    return {
        "plan": {"name": "p", "start": "2026-03-02", "weeks": 1, "timezone": "UTC"},
        "nht": {"source": "file", "path": str(history), "history_weeks": 2},
        "volume": {"source": "history"},
        "defaults": {"shrinkage": 0.3, "fte_hours_per_week": 40},
        "skills": [
            {
                "id": 1,
                "name": "Voice",
                "method": ERLANG_A,
                "service_level": {"target": 0.8, "answer_within_seconds": 20},
                "patience_seconds": patience,
            }
        ],
    }


def test_patience_auto_estimates_the_simulated_patience(tmp_path):
    path = _history(tmp_path)
    result = plan(_config(path))
    row = result.skills.iloc[0]
    # the estimator by hand: the window is the last two weeks (rows 168 on), all waits
    # over all abandonments
    data = pd.read_csv(path).iloc[168:]
    by_hand = data["total_wait_s"].sum() / data["abandoned"].sum()
    assert row["patience_s"] == pytest.approx(by_hand, rel=1e-12)
    assert row["patience_basis"] == "history"
    assert row["patience_abandoned"] == data["abandoned"].sum()
    assert row["patience_wait_s"] == pytest.approx(data["total_wait_s"].sum())
    # and it finds the true mean: the MLE's relative standard error is 1/sqrt(abandoned)
    # (0.25 of 13,440 contacts abandon in expectation, as patience rate 1/180 over 1/180 + 1/60:
    # 1/sqrt(3,360) = 1.7 %), so 4 standard errors is a safe bound
    abandoned = data["abandoned"].sum()
    assert abs(row["patience_s"] / TRUE_PATIENCE_S - 1) < 4 / np.sqrt(abandoned)
    # the staffing uses it: Erlang A with the estimated patience, by the engine directly
    iv = result.intervals.iloc[30]
    direct = queueing.required_agents(
        ERLANG_A,
        volume=iv["volume"],
        handle_time_s=iv["nht_s"],
        interval_s=3600,
        service_level=0.8,
        answer_within_s=20,
        patience_s=by_hand,
    )
    assert iv["agents"] == direct
    assert result.config.resolved_skills[0].patience_s == pytest.approx(by_hand)


def test_the_estimate_is_on_the_assumptions_sheet(tmp_path):
    result = plan(_config(_history(tmp_path)))
    book = openpyxl.load_workbook(write_workbook(result, tmp_path / "p.xlsx"))
    rows = [r for r in book["Assumptions"].iter_rows(values_only=True) if r and r[0]]
    header = next(r for r in rows if COLUMN_META["patience_basis"].label in r)
    values = dict(zip(header, rows[rows.index(header) + 1], strict=False))
    assert values["Patience from"] == "history"
    assert values[COLUMN_META["patience_s"].label] == pytest.approx(
        result.skills.loc[0, "patience_s"]
    )
    assert (
        values[COLUMN_META["patience_abandoned"].label]
        == result.skills.loc[0, "patience_abandoned"]
    )


def test_a_configured_patience_says_so(tmp_path):
    row = plan(_config(_history(tmp_path), 240)).skills.iloc[0]
    assert row["patience_s"] == 240 and row["patience_basis"] == PATIENCE_BASIS_CONFIGURED
    assert np.isnan(row["patience_abandoned"]) and np.isnan(row["patience_wait_s"])


def test_patience_auto_without_the_columns_is_an_error(tmp_path):
    path = _history(tmp_path, columns=False)
    with pytest.raises(DataError) as info:
        plan(_config(path))
    text = str(info.value)
    assert str(path) in text and "'Voice' (id 1)" in text
    assert "abandoned and total_wait_s" in text and "patience_seconds" in text


def test_patience_auto_without_abandonment_is_an_error(tmp_path):
    with pytest.raises(DataError) as info:
        plan(_config(_history(tmp_path, abandon=False)))
    text = str(info.value)
    assert "needs abandoned contacts" in text and "'Voice' (id 1): 0 abandoned" in text


def test_a_negative_abandoned_count_names_the_row(tmp_path):
    path = _history(tmp_path)
    frame = pd.read_csv(path)
    frame.loc[200, "abandoned"] = -3
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"abandoned is negative in row 202"):
        plan(_config(path))


def test_special_days_are_left_out_of_the_estimate(tmp_path):
    path = _history(tmp_path)
    cfg = _config(path)
    cfg["special_days"] = [{"date": "2026-02-24", "closed": True}]
    row = plan(cfg).skills.iloc[0]
    data = pd.read_csv(path).iloc[168:]  # the window, as above
    kept = data[~data["interval_start"].str.startswith("2026-02-24")]  # UTC plan: local = UTC
    assert row["patience_abandoned"] == kept["abandoned"].sum() < data["abandoned"].sum()
    assert row["patience_s"] == pytest.approx(kept["total_wait_s"].sum() / kept["abandoned"].sum())

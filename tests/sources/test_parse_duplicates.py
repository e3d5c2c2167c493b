"""README: "no skill-hour given twice with different values" is stored; identical repeats are
dropped. ``drop_identical_duplicates`` refuses a clash naming the skill, the hour and the
values that differ."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffing.errors import DataError
from staffing.sources.liveperson.parse import drop_identical_duplicates, read_nht


def _frame(arrivals, nht):
    t = pd.Timestamp("2026-02-02 09:00", tz="UTC")
    return pd.DataFrame(
        {
            "skill_id": [7, 7, 8],
            "interval_start": [t, t, t],
            "arrivals": arrivals,
            "net_handle_time_s": nht,
        }
    )


def test_identical_repeats_are_dropped():
    out = drop_identical_duplicates(_frame([3.0, 3.0, 1.0], [300.0, 300.0, 5.0]), where="page 1")
    assert out["skill_id"].tolist() == [7, 8]


def test_a_skill_hour_with_two_values_is_refused_naming_what_differs():
    with pytest.raises(DataError) as info:
        drop_identical_duplicates(_frame([3.0, 4.0, 1.0], [300.0, 300.0, 5.0]), where="page 2")
    assert str(info.value) == (
        "page 2: skill 7 at 2026-02-02 09:00:00+00:00 comes twice with "
        "different values (arrivals); refusing to pick one"
    )


def _answer(*buckets):
    return {"skillInfo": [{"skillId": 7, "metricsByIntervals": list(buckets)}]}


def _bucket(ms, **fields):
    base = {
        "epochTimestamp": ms,
        "arrivals": 4,
        "handledSegments": 1,
        "netHandleTime": 300.0,
        "avgSegmentWorkTime": 100.0,
        "avgAvailableLoad": 0.0,
        "messagesSent": 9,
        "avgAgentSegmentDuration": 900.0,
        "totalAgentSegmentDuration": 900,
        "avgTimeInQueue": 0.0,
    }
    base.update(fields)
    return base


def test_zeros_are_values_once_something_was_handled():
    # README: zeros where nothing was handled are "no data"; with one handled segment and one
    # arrival a load of 0 and a queue time of 0 are real values.
    frame = read_nht(_answer(_bucket(1652950800000)))
    assert frame.loc[0, "avg_available_load"] == 0.0
    assert frame.loc[0, "avg_time_in_queue_s"] == 0.0
    empty = read_nht(
        _answer(_bucket(1652950800000, handledSegments=0, arrivals=0, netHandleTime=0.0))
    )
    for column in ("avg_available_load", "avg_time_in_queue_s", "net_handle_time_s"):
        assert np.isnan(empty.loc[0, column]), column


def test_a_negative_value_names_its_own_bucket():
    # 1652954400000 ms = 2022-05-19T10:00Z, the second bucket
    payload = _answer(_bucket(1652950800000), _bucket(1652954400000, arrivals=-5))
    with pytest.raises(DataError) as info:
        read_nht(payload)
    assert str(info.value) == (
        "NHT answer: skill 7 at 2022-05-19 10:00:00+00:00: arrivals = -5.0 is negative"
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "NHT answer is not a JSON object but list"),
        ({"skillInfo": 5}, "NHT answer: skillInfo is not a list"),
        (
            {"skillInfo": [{"skillId": 7, "metricsByIntervals": 5}]},
            "NHT answer: skill 7 metricsByIntervals is not a list",
        ),
    ],
)
def test_a_malformed_answer_says_what_is_wrong(payload, message):
    with pytest.raises(DataError) as info:
        read_nht(payload)
    assert str(info.value) == message


def test_an_answer_giving_one_hour_two_values_is_refused():
    payload = _answer(_bucket(1652950800000), _bucket(1652950800000, arrivals=9))
    with pytest.raises(DataError) as info:
        read_nht(payload)
    assert str(info.value).startswith(
        "NHT answer: skill 7 at 2022-05-19 09:00:00+00:00 comes twice with different values "
        "(arrivals"
    )

"""Pure parser of LivePerson NHT API answers: JSON in, a tidy DataFrame out.

:data:`FIELDS` is the one map from API field names to our column names and units; the
fake server derives its wire format from it. See ``docs/liveperson-nht-api.md``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from staffing.errors import DataError
from staffing.sources.files import warn_implausible
from staffing.vocabulary import INTERVAL_MINUTES, METRIC_COLUMNS

__all__ = ["FIELDS", "NHT_COLUMNS", "drop_identical_duplicates", "empty_nht", "read_nht"]

#: API field -> (column, 60-minute-only). Units: seconds for times, a fraction for load.
FIELDS: dict[str, tuple[str, bool]] = {
    "arrivals": ("arrivals", False),
    "handledSegments": ("handled_segments", True),
    "netHandleTime": ("net_handle_time_s", True),
    "avgSegmentWorkTime": ("avg_segment_work_time_s", True),
    "avgAgentSegmentDuration": ("avg_agent_segment_duration_s", False),
    "totalAgentSegmentDuration": ("total_agent_segment_duration_s", False),
    "avgTimeInQueue": ("avg_time_in_queue_s", False),
    "avgAvailableLoad": ("avg_available_load", True),
    "messagesSent": ("messages_sent", True),
}
#: Columns of :func:`read_nht`.
NHT_COLUMNS = ("skill_id", "interval_start", "interval_minutes", *METRIC_COLUMNS)


def read_nht(payload: object, *, interval_minutes: int | None = None) -> pd.DataFrame:
    """Turn one NHT API answer (v1 or one v2 page) into a tidy DataFrame.

    Parameters
    ----------
    payload : dict
        The decoded JSON body.
    interval_minutes : int, optional
        The interval requested [min]; checked against the payload's ``interval``.

    Returns
    -------
    pandas.DataFrame
        One row per (skill_id, interval_start), columns :data:`NHT_COLUMNS`:
        ``skill_id`` int64, ``interval_start`` tz-aware UTC bucket start,
        ``interval_minutes`` int64, and float metrics with NaN for "no data":
        ``arrivals`` [conversations], ``handled_segments`` [-], ``net_handle_time_s`` [s],
        ``avg_segment_work_time_s`` [s], ``avg_agent_segment_duration_s`` [s],
        ``total_agent_segment_duration_s`` [s], ``avg_time_in_queue_s`` [s],
        ``avg_available_load`` [-] and ``messages_sent`` [-]. Sorted by skill and time.

    Raises
    ------
    DataError
        The payload does not have the documented shape, or holds a negative value
        other than -1, or a bucket not on the interval grid.

    Notes
    -----
    "No data" becomes NaN, never a zero that would drag an average down:

    - -1 in any field (LivePerson's documented no-data value);
    - 0 in ``netHandleTime``, ``avgSegmentWorkTime`` or ``avgAvailableLoad`` when
      ``handledSegments`` is 0 or missing (the post-2020 default of 0);
    - 0 in ``avgTimeInQueue`` when ``arrivals`` is 0 or missing, and 0 in
      ``avgAgentSegmentDuration`` when ``totalAgentSegmentDuration`` is 0 or missing
      (an average over nothing).

    A 0 ``arrivals`` count is a real zero. At 15 and 30 minutes the 60-minute-only
    metrics (``handled_segments``, ``net_handle_time_s``, ``avg_segment_work_time_s``,
    ``avg_available_load``, ``messages_sent``) hold the whole hour's value, copied into
    each sub-bucket: never sum them over sub-buckets. Rows repeated in the payload are
    dropped when identical; a skill and bucket given twice with different values is
    refused.
    """
    if not isinstance(payload, Mapping):
        raise DataError(f"NHT answer is not a JSON object but {type(payload).__name__}")
    interval = _interval_of(payload, interval_minutes)
    records, skill_of = _buckets(payload)
    if not records:
        return empty_nht()
    raw = pd.DataFrame.from_records(records)
    frame = pd.DataFrame({"skill_id": np.asarray(skill_of, dtype="int64")})
    frame["interval_start"] = _bucket_starts(raw, skill_of)
    minutes = frame["interval_start"].dt.hour * 60 + frame["interval_start"].dt.minute
    off_grid = ((minutes % interval) != 0) | (frame["interval_start"].dt.second != 0)
    if off_grid.any():
        i = int(np.argmax(off_grid.to_numpy()))
        raise DataError(
            f"NHT answer: skill {skill_of[i]} bucket {frame['interval_start'].iloc[i]} "
            f"is not on the {interval}-minute grid"
        )
    frame["interval_minutes"] = np.int64(interval)
    for api_name, (column, _) in FIELDS.items():
        values = _field_values(raw, api_name, skill_of, frame["interval_start"])
        frame[column] = values.mask(values == -1).to_numpy()
    _blank_averages_over_nothing(frame)
    frame = drop_identical_duplicates(frame, where="NHT answer")
    warn_implausible(frame, "NHT answer")
    return frame.sort_values(["skill_id", "interval_start"]).reset_index(drop=True)


def _interval_of(payload: Mapping, interval_minutes: int | None) -> int:
    """The answer's bucket length [min], checked against the one requested."""
    interval = payload.get("interval", interval_minutes or 60)
    try:
        interval = int(interval)
    except (TypeError, ValueError):
        raise DataError(f"NHT answer: interval {interval!r} is not a number") from None
    if interval not in INTERVAL_MINUTES:
        raise DataError(f"NHT answer: interval {interval} is not 15, 30 or 60")
    if interval_minutes is not None and interval != interval_minutes:
        raise DataError(
            f"NHT answer: interval {interval} differs from the {interval_minutes} requested"
        )
    return interval


def _buckets(payload: Mapping) -> tuple[list[Mapping], list[int]]:
    """Every bucket object of the answer, and the skill id of each, in order."""
    skills = payload.get("skillInfo")
    if skills is None:
        skills = []
    if not isinstance(skills, list):
        raise DataError("NHT answer: skillInfo is not a list")
    records: list[Mapping] = []
    skill_of: list[int] = []
    for i, skill in enumerate(skills):
        if not isinstance(skill, Mapping) or "skillId" not in skill:
            raise DataError(f"NHT answer: skillInfo[{i}] has no skillId")
        try:
            skill_id = int(skill["skillId"])
        except (TypeError, ValueError):
            raise DataError(f"NHT answer: skillInfo[{i}].skillId {skill['skillId']!r}") from None
        buckets = skill.get("metricsByIntervals") or []
        if not isinstance(buckets, list) or not all(isinstance(b, Mapping) for b in buckets):
            raise DataError(f"NHT answer: skill {skill_id} metricsByIntervals is not a list")
        records.extend(buckets)
        skill_of.extend([skill_id] * len(buckets))
    return records, skill_of


def _field_values(
    raw: pd.DataFrame, api_name: str, skill_of: list[int], starts: pd.Series
) -> pd.Series:
    """One API field as floats (NaN when absent; -1 kept), refusing text, inf and negatives."""
    if api_name in raw:
        values = pd.to_numeric(raw[api_name], errors="coerce").astype("float64")
        not_number = values.isna() & raw[api_name].notna()
        if not_number.any():
            i = int(np.argmax(not_number.to_numpy()))
            raise DataError(
                f"NHT answer: skill {skill_of[i]} {api_name} "
                f"{raw[api_name].iloc[i]!r} is not a number"
            )
    else:
        values = pd.Series(np.nan, index=raw.index)
    infinite = np.isinf(values)
    if infinite.any():
        i = int(np.argmax(infinite.to_numpy()))
        raise DataError(
            f"NHT answer: skill {skill_of[i]} at {starts.iloc[i]}: "
            f"{api_name} = {values.iloc[i]} is not a finite number"
        )
    bad = (values < 0) & (values != -1)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataError(
            f"NHT answer: skill {skill_of[i]} at {starts.iloc[i]}: "
            f"{api_name} = {values.iloc[i]} is negative"
        )
    return values


def _blank_averages_over_nothing(frame: pd.DataFrame) -> None:
    """Make the post-2020 zeros of averages over nothing NaN, in place (see read_nht)."""
    no_handled = ~(frame["handled_segments"] > 0)
    for column in ("net_handle_time_s", "avg_segment_work_time_s", "avg_available_load"):
        frame[column] = frame[column].mask(no_handled & (frame[column] == 0))
    frame["avg_time_in_queue_s"] = frame["avg_time_in_queue_s"].mask(
        ~(frame["arrivals"] > 0) & (frame["avg_time_in_queue_s"] == 0)
    )
    frame["avg_agent_segment_duration_s"] = frame["avg_agent_segment_duration_s"].mask(
        ~(frame["total_agent_segment_duration_s"] > 0)
        & (frame["avg_agent_segment_duration_s"] == 0)
    )


def drop_identical_duplicates(frame: pd.DataFrame, *, where: str) -> pd.DataFrame:
    """Drop rows repeated with the same values; refuse a skill-interval given two values.

    Parameters
    ----------
    frame : DataFrame
        NHT rows with ``skill_id``, ``interval_start`` and metric columns.
    where : str
        What the rows are (an answer, a window, a file), for the error message.

    Returns
    -------
    DataFrame
        ``frame`` without the identical repeats, in its order.

    Raises
    ------
    DataError
        A (skill, interval start) appears twice with different values, naming both.
    """
    key = ["skill_id", "interval_start"]
    frame = frame.drop_duplicates()
    clash = frame.duplicated(key, keep=False)
    if clash.any():
        rows = frame[clash].sort_values(key)
        first = rows.iloc[0]
        differ = [
            c for c in rows.columns if c not in key and rows[c].iloc[:2].nunique(dropna=False) > 1
        ]
        raise DataError(
            f"{where}: skill {first['skill_id']} at {first['interval_start']} comes twice "
            f"with different values ({', '.join(differ)}); refusing to pick one"
        )
    return frame


def _bucket_starts(raw: pd.DataFrame, skill_of: list[int]) -> pd.Series:
    """Bucket starts as UTC timestamps, from epochTimestamp, else from ``timestamp``."""
    if "epochTimestamp" in raw:
        millis = pd.to_numeric(raw["epochTimestamp"], errors="coerce")
    else:
        millis = pd.Series(np.nan, index=raw.index)
    starts = pd.to_datetime(millis, unit="ms", utc=True)
    if starts.isna().any() and "timestamp" in raw:
        text = pd.to_datetime(raw["timestamp"], format="%Y-%m-%dT%H:%M", errors="coerce")
        starts = starts.fillna(text.dt.tz_localize("UTC"))
    if starts.isna().any():
        i = int(np.argmax(starts.isna().to_numpy()))
        raise DataError(
            f"NHT answer: skill {skill_of[i]} has a bucket without a valid "
            "epochTimestamp or timestamp"
        )
    return starts.astype("datetime64[ns, UTC]")


def empty_nht() -> pd.DataFrame:
    """An empty frame with the columns and dtypes of :func:`read_nht`.

    Returns
    -------
    DataFrame
        No rows; columns :data:`NHT_COLUMNS`.
    """
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in NHT_COLUMNS})
    frame["skill_id"] = frame["skill_id"].astype("int64")
    frame["interval_minutes"] = frame["interval_minutes"].astype("int64")
    frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True)
    return frame

"""The fake server's synthetic NHT history, and its encoding on the wire.

Deterministic values with daily and weekly seasonality, hours with no data (closed hours,
random outages, late data) and quiet hours sent with LivePerson's post-2020 zeros. The
wire names come from the parser's field map (:data:`staffing.sources.liveperson.parse.FIELDS`)
read backwards, so the fake and the parser cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from staffing.sources.liveperson.parse import FIELDS
from staffing.sources.timestamps import as_utc
from staffing.vocabulary import METRIC_COLUMNS, STORE_COLUMNS

__all__ = ["MS", "SyntheticHistory", "encode", "uniform"]

#: Nanoseconds per millisecond (epoch times on the wire are in ms).
MS = 1_000_000
_NS_PER_MINUTE = 60 * 10**9
_NS_PER_HOUR = 3600 * 10**9

#: Our column -> the API field that carries it: the parser's map, read backwards.
_WIRE = {column: field for field, (column, _) in FIELDS.items()}
#: API fields sent as whole numbers.
_INTEGER_FIELDS = {"arrivals", "handledSegments", "totalAgentSegmentDuration", "messagesSent"}
#: Columns a quiet "zeroed" bucket sends as 0 (the others as no data).
_ZERO_COLUMNS = ["arrivals", "handled_segments", "total_agent_segment_duration_s", "messages_sent"]


def uniform(seed: int, tag: int, skill: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Deterministic uniforms in [0, 1) from (seed, tag, skill, key): splitmix64 mixing.

    Parameters
    ----------
    seed : int
        Seed of the history.
    tag : int
        Which quantity is drawn (one tag per metric or mask).
    skill, key : numpy.ndarray of int
        Skill id and bucket key (minute or hour index) per row.

    Returns
    -------
    numpy.ndarray of float
        One uniform [-] per row.
    """
    with np.errstate(over="ignore"):
        x = (
            np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
            + np.uint64(tag) * np.uint64(0xD1B54A32D192ED03)
            + skill.astype(np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
            + key.astype(np.uint64) * np.uint64(0x94D049BB133111EB)
        )
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def encode(sem: pd.DataFrame, zeroed: np.ndarray) -> pd.DataFrame:
    """Semantic values -> the API's JSON fields: NaN is -1, or 0 in "zeroed" rows.

    Parameters
    ----------
    sem : pandas.DataFrame
        Rows of :meth:`SyntheticHistory.values` (``skill_id``, ``interval_start`` and the
        metric columns).
    zeroed : numpy.ndarray of bool
        Rows sent in the post-2020 style (0 instead of -1).

    Returns
    -------
    pandas.DataFrame
        ``skillId``, ``timestamp`` (minutes, UTC), ``epochTimestamp`` [ms] and one column
        per API metric field.
    """
    wire = pd.DataFrame(
        {
            "skillId": sem["skill_id"].to_numpy(),
            "timestamp": sem["interval_start"].dt.strftime("%Y-%m-%dT%H:%M").to_numpy(),
            "epochTimestamp": (
                sem["interval_start"].dt.as_unit("ns").astype("int64") // MS
            ).to_numpy(),
        }
    )
    for col, name in _WIRE.items():
        values = sem[col].to_numpy(dtype=float).copy()
        values[np.isnan(values) & zeroed] = 0.0
        values[np.isnan(values)] = -1.0
        wire[name] = values.astype(np.int64) if name in _INTEGER_FIELDS else values
    return wire


@dataclass(frozen=True)
class SyntheticHistory:
    """The history the fake serves: a pure function of the seed, the clock and the lag.

    Parameters
    ----------
    seed : int
        Seed of the synthetic values.
    now : pandas.Timestamp
        The server's clock (UTC); only buckets ending by then have data.
    lag_hours : float
        Buckets starting less than this before ``now`` are "no data" yet [h].
    """

    seed: int
    now: pd.Timestamp
    lag_hours: float = 0.0

    def values(
        self, skill_ids: Iterable[int], start: object, stop: object, interval_minutes: int
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Semantic values (NaN = no data) for buckets b with start <= b <= stop.

        Parameters
        ----------
        skill_ids : iterable of int
            Skills to generate.
        start, stop : timestamp
            First and last bucket start, both inclusive (tz-aware, or naive meaning UTC);
            snapped down to the interval, and cut at the last bucket that ended by ``now``.
        interval_minutes : int
            Bucket length [min].

        Returns
        -------
        tuple of (pandas.DataFrame, numpy.ndarray, numpy.ndarray)
            The rows (store columns but ``account``), which rows are "closed" (sent as -1
            everywhere) and which are "zeroed" (sent with the post-2020 zeros).
        """
        step = pd.Timedelta(minutes=interval_minutes)
        first = as_utc(start, "start").floor(step)
        last = min(as_utc(stop, "stop").floor(step), self.now.floor(step) - step)
        skills = np.asarray(sorted(int(s) for s in skill_ids), dtype=np.int64)
        if last < first or skills.size == 0:
            empty = pd.DataFrame(columns=list(STORE_COLUMNS)[1:])
            return empty, np.zeros(0, bool), np.zeros(0, bool)
        starts = pd.date_range(first, last, freq=step).as_unit("ns")
        skill = np.repeat(skills, len(starts))
        t_ns = np.tile(starts.asi8, len(skills))
        frame, arrivals, handled, total_dur = self._draw(skill, t_ns, interval_minutes)
        closed, zeroed, arrivals_missing = self._gaps(skill, t_ns)
        frame["arrivals"] = np.where(arrivals_missing, np.nan, arrivals)
        _apply_no_data(frame, handled, total_dur, arrivals, arrivals_missing, closed, zeroed)
        return frame, closed, zeroed

    def _uniforms(
        self, tag: int, skill: np.ndarray, t_ns: np.ndarray, per_bucket: bool
    ) -> np.ndarray:
        """Uniforms per row, drawn per bucket (minute key) or per whole hour."""
        key = t_ns // _NS_PER_MINUTE if per_bucket else _hour_index(t_ns)
        return uniform(self.seed, tag, skill, key)

    def _draw(
        self, skill: np.ndarray, t_ns: np.ndarray, interval_minutes: int
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
        """The metrics with seasonality, before any bucket is made "no data".

        Returns the frame (without ``arrivals``), and the arrivals, handled segments and
        total segment durations the no-data rules read.
        """

        def u(tag: int, per_bucket: bool = False) -> np.ndarray:
            return self._uniforms(tag, skill, t_ns, per_bucket)

        hour_idx = _hour_index(t_ns)
        hour_of_day = (hour_idx % 24).astype(float)
        dow = ((hour_idx // 24 + 3) % 7).astype(float)  # 1970-01-01 was a Thursday (3)
        daily = 0.15 + np.exp(-((hour_of_day - 14.0) ** 2) / 18.0)
        weekly = np.where(dow >= 5, 0.45, 1.0 + 0.08 * (4 - dow) / 4)
        base = 20.0 + (skill % 7) * 6.0
        share = interval_minutes / 60  # the bucket's share of an hour
        arrivals = np.floor(base * daily * weekly * share * (0.7 + 0.6 * u(1, True)))
        # Hours: the 60-only metrics are for the whole hour, copied into sub-buckets.
        hour_arrivals = np.floor(base * daily * weekly * (0.7 + 0.6 * u(2)))
        handled = np.floor(hour_arrivals * (0.85 + 0.25 * u(3)))
        messages = handled * np.floor(3 + 6 * u(4))
        swt = np.round(60 + 150 * u(5), 2)
        nht = np.round(swt * messages / np.maximum(handled, 1), 2)
        load = np.round(0.2 + 0.7 * u(6), 2)
        closed_n = np.floor(arrivals * (0.8 + 0.3 * u(7, True)))
        avg_dur = np.round(nht * (2 + 3 * u(8)), 2)
        total_dur = np.floor(avg_dur * closed_n)
        tiq = np.round(120 * u(9, True) ** 2, 2)
        frame = pd.DataFrame(
            {
                "skill_id": skill,
                "interval_start": pd.to_datetime(t_ns, unit="ns", utc=True).as_unit("ns"),
                "interval_minutes": np.int64(interval_minutes),
                "arrivals": np.nan,
                "handled_segments": handled,
                "net_handle_time_s": nht,
                "avg_segment_work_time_s": swt,
                "avg_agent_segment_duration_s": avg_dur,
                "total_agent_segment_duration_s": total_dur,
                "avg_time_in_queue_s": tiq,
                "avg_available_load": load,
                "messages_sent": messages,
            }
        )
        return frame, arrivals, handled, total_dur

    def _gaps(
        self, skill: np.ndarray, t_ns: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Which rows are closed, zeroed, or have only their arrivals missing."""
        hour_of_day = _hour_index(t_ns) % 24
        # No-data hours: skills divisible by 3 are closed 01:00-04:59 UTC; 1 % random outages.
        closed = ((skill % 3 == 0) & (hour_of_day >= 1) & (hour_of_day < 5)) | (
            self._uniforms(10, skill, t_ns, False) < 0.01
        )
        # Some quiet hours come with the post-2020 zeros instead of -1.
        zeroed = ~closed & (self._uniforms(11, skill, t_ns, False) < 0.03)
        lagging = t_ns >= (self.now - pd.Timedelta(hours=self.lag_hours)).value
        closed = closed | lagging
        arrivals_missing = ~closed & ~zeroed & (self._uniforms(12, skill, t_ns, True) < 0.02)
        return closed, zeroed, arrivals_missing

    def wire_metrics(
        self, skill_ids: Iterable[int], start: object, stop: object, interval_minutes: int
    ) -> dict[int, list[dict]]:
        """Metric objects per skill, as the API sends them, for buckets in [start, stop].

        Parameters
        ----------
        skill_ids : iterable of int
            Skills to generate.
        start, stop : timestamp
            First and last bucket start, both inclusive (see :meth:`values`).
        interval_minutes : int
            Bucket length [min].

        Returns
        -------
        dict of int to list of dict
            Per skill id, the ``metricsByIntervals`` objects; empty when there is no bucket.
        """
        sem, _, zeroed = self.values(skill_ids, start, stop, interval_minutes)
        out: dict[int, list[dict]] = {}
        if sem.empty:
            return out
        wire = encode(sem, zeroed)
        for skill, group in wire.groupby("skillId", sort=False):
            out[int(skill)] = group.drop(columns="skillId").to_dict("records")
        return out

    def ground_truth(
        self,
        account: str,
        skill_ids: Iterable[int],
        start: object,
        end: object,
        interval_minutes: int,
    ) -> pd.DataFrame:
        """What a correct client stores for buckets starting in [start, end).

        Parameters
        ----------
        account : str
            The account column's value.
        skill_ids : iterable of int
            The skills.
        start, end : timestamp
            The range; tz-aware, or naive meaning UTC. ``start`` is snapped down.
        interval_minutes : int
            Bucket length [min].

        Returns
        -------
        pandas.DataFrame
            Columns :data:`staffing.vocabulary.STORE_COLUMNS`, sorted by skill and time.
        """
        end_ts = as_utc(end, "end")
        sem, _, _ = self.values(
            skill_ids, start, end_ts - pd.Timedelta(minutes=interval_minutes), interval_minutes
        )
        sem = sem[sem["interval_start"] < end_ts]
        sem.insert(0, "account", account)
        sem["account"] = sem["account"].astype(object)
        return (
            sem[list(STORE_COLUMNS)]
            .sort_values(["skill_id", "interval_start"])
            .reset_index(drop=True)
        )


def _hour_index(t_ns: np.ndarray) -> np.ndarray:
    """Hours since the epoch of each bucket start (the hour it falls in)."""
    return ((t_ns - t_ns % _NS_PER_HOUR) // _NS_PER_HOUR).astype(np.int64)


def _apply_no_data(
    frame: pd.DataFrame,
    handled: np.ndarray,
    total_dur: np.ndarray,
    arrivals: np.ndarray,
    arrivals_missing: np.ndarray,
    closed: np.ndarray,
    zeroed: np.ndarray,
) -> None:
    """Blank, in place, what a bucket cannot have, then the closed and zeroed rows."""
    # An hour with nothing handled has no effort, a bucket with no closed segment no
    # segment duration, a bucket without arrivals no queue time.
    no_handled = handled == 0
    for col in ("net_handle_time_s", "avg_segment_work_time_s", "avg_available_load"):
        frame.loc[no_handled, col] = np.nan
    frame.loc[total_dur == 0, "avg_agent_segment_duration_s"] = np.nan
    frame.loc[~(arrivals > 0) | arrivals_missing, "avg_time_in_queue_s"] = np.nan
    metric_cols = list(METRIC_COLUMNS)
    frame.loc[closed, metric_cols] = np.nan
    frame.loc[zeroed, _ZERO_COLUMNS] = 0.0
    frame.loc[zeroed, [c for c in metric_cols if c not in _ZERO_COLUMNS]] = np.nan
    for col in metric_cols:
        frame[col] = frame[col].astype("float64")

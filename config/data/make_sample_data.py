"""Generate the bundled sample NHT history ``nht_history.csv`` (deterministic, seeded).

Run ``python config/data/make_sample_data.py`` to regenerate it. The file has the
columns of the history store (``staffing.sources.store.HistoryStore.read``): 9 weeks of
hourly intervals for 6 skills of a fictitious account, times in UTC, empty cells
where LivePerson had no data. Patterns are set in the contact centre's local time
(America/New_York): a daily curve, a weekly curve, a slow upward trend, Poisson
arrivals, noisy NHT with a few outliers, random missing hours and one outage.

The metrics are kept consistent with each other the way LivePerson's own example is:
net_handle_time ≈ avg_segment_work_time × messages_sent / handled_segments.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20260302
ACCOUNT = "12345678"
TIMEZONE = "America/New_York"
#: History ends where the example plan starts (Monday 2 March 2026, local midnight).
END_LOCAL = pd.Timestamp("2026-03-02 00:00", tz=TIMEZONE)
WEEKS = 9
OUT = Path(__file__).with_name("nht_history.csv")

# skill id, name, arrivals per hour at the daily peak, NHT [s], open (weekday, weekend)
# as (from hour, to hour) or None, conversations per agent (for segment duration)
SKILLS = [
    (1001, "Sales Messaging", 120.0, 420.0, ((0, 24), (0, 24)), 3.0),
    (1002, "Support Messaging", 180.0, 610.0, ((7, 23), (8, 22)), 3.0),
    (2001, "Live Chat Sales", 45.0, 300.0, ((8, 22), (9, 18)), 2.5),
    (2002, "Live Chat Support", 60.0, 420.0, ((8, 20), (9, 17)), 2.0),
    (3001, "Voice Callback", 35.0, 360.0, ((8, 18), None), 1.0),
    (3002, "Voice Escalations", 6.0, 720.0, ((9, 17), None), 1.0),
]


def _daily_curve(hour: np.ndarray, async_messaging: bool) -> np.ndarray:
    """Relative arrivals by local hour: a late-morning and an afternoon peak."""
    curve = np.exp(-0.5 * ((hour - 11) / 2.2) ** 2) + 0.85 * np.exp(-0.5 * ((hour - 15) / 2.5) ** 2)
    if async_messaging:  # messaging keeps arriving in the evening and at night
        curve = curve + 0.35 * np.exp(-0.5 * ((hour - 20) / 2.0) ** 2) + 0.06
    return curve / curve.max()


WEEKDAY_FACTOR = np.array([1.12, 1.05, 1.0, 0.98, 0.92, 0.55, 0.45])


def make(rng: np.random.Generator) -> pd.DataFrame:
    """Build the sample history frame."""
    local = pd.date_range(
        END_LOCAL - pd.Timedelta(weeks=WEEKS), END_LOCAL, freq="h", inclusive="left"
    )
    hour = np.asarray(local.hour, dtype=float)
    weekday = np.asarray(local.day_of_week)
    weeks_ago = np.asarray((END_LOCAL - local) / pd.Timedelta(weeks=1))
    trend = 1.0 - 0.01 * weeks_ago  # about 1 % more contacts each week
    outage = (local >= pd.Timestamp("2026-01-27 13:00", tz=TIMEZONE)) & (
        local < pd.Timestamp("2026-01-27 19:00", tz=TIMEZONE)
    )
    frames = []
    for skill_id, _name, peak, nht_base, hours, per_agent in SKILLS:
        asynchronous = skill_id < 2000
        weekend = weekday >= 5
        open_now = np.zeros(len(local), dtype=bool)
        for is_weekend, span in ((False, hours[0]), (True, hours[1])):
            if span is not None:
                open_now |= (weekend == is_weekend) & (hour >= span[0]) & (hour < span[1])
        rate = peak * _daily_curve(hour, asynchronous) * WEEKDAY_FACTOR[weekday] * trend
        # messaging arrives around the clock; chat and voice only while open
        rate = np.where(open_now | asynchronous, rate, 0.0)
        if asynchronous:
            rate = np.where(open_now, rate, rate * 0.4)
        arrivals = rng.poisson(rate).astype(float)
        handled = np.where(open_now, rng.binomial(arrivals.astype(int), 0.96), 0).astype(float)
        # slower at night and early morning, noisy, with rare outliers (stuck conversations)
        nht = nht_base * (1 + 0.12 * (hour < 8)) * rng.lognormal(0, 0.12, len(local))
        outlier = rng.random(len(local)) < 0.004
        nht = np.where(outlier, nht * rng.uniform(5, 10, len(local)), nht)
        messages = np.maximum(1, np.round(handled * rng.uniform(5, 8, len(local))))
        work = nht * handled / messages
        seg_duration = nht * per_agent * rng.uniform(0.9, 1.1, len(local))
        frame = pd.DataFrame(
            {
                "account": ACCOUNT,
                "skill_id": skill_id,
                "interval_start": local.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
                "interval_minutes": 60,
                "arrivals": arrivals,
                "handled_segments": handled,
                "net_handle_time_s": np.round(nht, 2),
                "avg_segment_work_time_s": np.round(work, 2),
                "avg_agent_segment_duration_s": np.round(seg_duration, 2),
                "total_agent_segment_duration_s": np.round(seg_duration * handled),
                "avg_time_in_queue_s": np.round(
                    rng.exponential(25 if asynchronous else 12, len(local)), 2
                ),
                "avg_available_load": np.round(rng.uniform(0.3, 0.8, len(local)), 2),
                "messages_sent": messages,
            }
        )
        # no segment handled -> LivePerson reports no data for the per-segment metrics
        none = handled == 0
        frame.loc[
            none,
            [
                "net_handle_time_s",
                "avg_segment_work_time_s",
                "avg_agent_segment_duration_s",
                "total_agent_segment_duration_s",
                "avg_available_load",
                "messages_sent",
            ],
        ] = np.nan
        # gaps: about 2 % of hours missing entirely, plus a six-hour outage for everyone
        gap = (rng.random(len(local)) < 0.02) | outage
        frame.loc[gap, frame.columns[4:]] = np.nan
        for column in (
            "arrivals",
            "handled_segments",
            "messages_sent",
            "total_agent_segment_duration_s",
        ):
            frame[column] = frame[column].round().astype("Int64")  # counts print as counts
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    """Write ``nht_history.csv`` beside this script."""
    frame = make(np.random.default_rng(SEED))
    frame.to_csv(OUT, index=False, float_format="%.2f", lineterminator="\n")
    print(f"wrote {len(frame)} rows to {OUT}")


if __name__ == "__main__":
    main()

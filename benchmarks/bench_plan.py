"""Benchmark the planning run end to end: config -> forecasts -> staffing -> intervals table.

Default case (issue 4): 200 skills x 52 weeks of hourly intervals = 1.75 million
skill-intervals; half the skills erlang_a, a quarter chat (k = 2 and 3), an eighth each
erlang_c and workload; 9 weeks of synthetic hourly NHT history per skill. Two runs:

1. ``distinct``: a volume forecast DataFrame whose every skill-interval differs (what a
   planner's file looks like), so the engine really solves 1.75 M cases;
2. ``history``: the volume forecast from the history's hour-of-week profile, which
   repeats every week, so the plan solves each distinct case once (about 1/52 of them).

Reports wall time and peak memory (max RSS of the process so far) per run, then a ratio
against a peer in the same process: the same staffing done the naive way, one
``queueing.required_agents`` + ``queueing.evaluate`` call per interval, timed on a sample
of intervals per method and extrapolated to the full plan.

Usage::

    python benchmarks/bench_plan.py [--skills 200] [--weeks 52] [--sample 300]

Targets: under 60 s and under 4 GiB on 2 cores.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import pandas as pd

from staffing import queueing
from staffing.plan import plan

TIMEZONE = "Europe/Berlin"
START = "2026-01-05"


def make_config(n_skills: int, weeks: int) -> dict:
    """A config with the method mix of the issue."""
    skills = []
    for i in range(n_skills):
        share = i / n_skills
        skill: dict = {"id": 10_000 + i, "name": f"Skill {i:03d}"}
        if share < 0.5:
            skill.update(
                method="erlang_a", patience_seconds=float(120 + (i % 7) * 30), max_abandon=0.05
            )
        elif share < 0.75:
            skill.update(
                method="chat", max_concurrency=2 + i % 2, patience_seconds=float(180 + (i % 5) * 30)
            )
        elif share < 0.875:
            skill.update(method="erlang_c", asa_seconds=30.0)
        else:
            skill.update(method="workload", min_agents=1)
        if i % 4 == 0:
            skill["open_hours"] = {d: "07:00-22:00" for d in ("mon", "tue", "wed", "thu", "fri")}
            skill["open_hours"]["sat"] = "09:00-17:00"
        skills.append(skill)
    return {
        "plan": {
            "name": "bench",
            "start": START,
            "weeks": weeks,
            "timezone": TIMEZONE,
            "interval_minutes": 60,
        },
        "nht": {"source": "store", "history_weeks": 8},
        "volume": {"source": "history", "growth": 1.03},
        "defaults": {
            "service_level": {"target": 0.8, "answer_within_seconds": 30},
            "max_occupancy": 0.9,
            "shrinkage": {"default": 0.32, "by_hour": {12: 0.4}},
            "fte_hours_per_week": 38.0,
            "nht_seconds": 400,
        },
        "skills": skills,
    }


def make_history(n_skills: int, seed: int = 7) -> pd.DataFrame:
    """9 weeks of hourly history per skill with daily/weekly shape, noise and gaps."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp(START).tz_localize(TIMEZONE)
    local = pd.date_range(end - pd.Timedelta(weeks=9), end, freq="h", inclusive="left")
    hour = np.asarray(local.hour, dtype=float)
    weekday = np.asarray(local.day_of_week)
    shape = (0.08 + np.exp(-0.5 * ((hour - 13) / 3.5) ** 2)) * np.where(weekday >= 5, 0.6, 1.0)
    peak = rng.uniform(5, 400, n_skills)
    nht = rng.uniform(200, 900, n_skills)
    arrivals = rng.poisson(peak[:, None] * shape[None, :]).astype(float)
    gaps = rng.random(arrivals.shape) < 0.02
    arrivals[gaps] = np.nan
    handled = np.floor(np.nan_to_num(arrivals) * 0.95)
    net = nht[:, None] * rng.lognormal(0, 0.15, arrivals.shape)
    net[handled == 0] = np.nan
    return pd.DataFrame(
        {
            "skill_id": np.repeat(10_000 + np.arange(n_skills), len(local)).astype(np.int64),
            "interval_start": np.tile(local.tz_convert("UTC"), n_skills),
            "interval_minutes": 60,
            "arrivals": arrivals.ravel(),
            "handled_segments": handled.ravel(),
            "net_handle_time_s": net.ravel(),
        }
    )


def naive_seconds_per_interval(intervals: pd.DataFrame, config: dict, sample: int) -> float:
    """Peer: one engine call per interval (a Python loop), mean seconds per interval."""
    skills = {s["id"]: s for s in config["skills"]}
    defaults = config["defaults"]
    served = intervals[intervals["agents"] > 0]
    counts = served["method"].value_counts()
    total_time, total_rows = 0.0, 0
    for method, count in counts.items():
        rows = served[served["method"] == method].sample(min(sample, count), random_state=1)
        start = time.perf_counter()
        for row in rows.itertuples(index=False):
            s = skills[row.skill_id]
            h: float | list[float] = row.nht_s
            if method == "chat":
                h = [row.nht_s * j for j in range(1, s["max_concurrency"] + 1)]
            if method == "workload":
                n = np.ceil(row.volume * row.nht_s / 3600 / defaults["max_occupancy"] - 1e-9)
                queueing.evaluate(
                    "erlang_c", n, volume=row.volume, handle_time_s=h, answer_within_s=30
                )
                continue
            kw = {"patience_s": s.get("patience_seconds")} if method != "erlang_c" else {}
            n = queueing.required_agents(
                method,
                volume=row.volume,
                handle_time_s=h,
                service_level=0.8,
                answer_within_s=30,
                asa_s=s.get("asa_seconds"),
                max_occupancy=0.9,
                max_abandon=s.get("max_abandon") if method != "erlang_c" else None,
                **kw,
            )
            queueing.evaluate(
                method, n, volume=row.volume, handle_time_s=h, answer_within_s=30, **kw
            )
        elapsed = time.perf_counter() - start
        # weight each method's per-interval cost by its share of the served intervals
        total_time += elapsed / len(rows) * count
        total_rows += count
    return total_time / len(intervals)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skills", type=int, default=200, help="number of skills")
    parser.add_argument("--weeks", type=int, default=52, help="plan length in weeks")
    parser.add_argument(
        "--sample",
        type=int,
        default=300,
        help="intervals per method timed for the naive per-interval peer",
    )
    args = parser.parse_args()

    config = make_config(args.skills, args.weeks)
    history = make_history(args.skills)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    print(
        f"bench_plan: {args.skills} skills x {args.weeks} weeks hourly "
        f"(max RSS before: {rss_before:,.0f} MiB)"
    )

    # the history-based plan, then its volume with independent noise on every interval
    start = time.perf_counter()
    repeated = plan(config, nht_history=history)
    wall_repeated = time.perf_counter() - start
    rss_repeated = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    iv = repeated.intervals
    noisy = iv[["skill_id", "interval_start", "volume"]].copy()
    noisy["volume"] *= np.random.default_rng(3).uniform(0.9, 1.1, len(noisy))
    del repeated, iv
    start = time.perf_counter()
    distinct = plan(config, nht_history=history, volume=noisy)
    wall = time.perf_counter() - start
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(distinct.intervals)
    mix = distinct.intervals["method"].value_counts().to_dict()
    print(f"  {n:,} skill-intervals ({mix})")
    print(
        f"  distinct: every interval's volume differs: {wall:.1f} s wall "
        f"({n / wall:,.0f} skill-intervals/s), max RSS so far {rss_peak:,.0f} MiB"
    )
    print(
        f"  history:  weekly-repeating profile forecast: {wall_repeated:.1f} s wall, "
        f"max RSS so far {rss_repeated:,.0f} MiB"
    )
    per = naive_seconds_per_interval(distinct.intervals, config, args.sample)
    naive = per * n
    print(
        f"  peer, naive per-interval engine calls (sample of {args.sample} per method, "
        f"extrapolated to {n:,} intervals): {naive:,.0f} s"
    )
    print(f"  ratio naive / vectorised (distinct run): {naive / wall:,.1f}x")
    ok = max(wall, wall_repeated) < 60 and rss_peak < 4096
    print(f"  target < 60 s and < 4096 MiB: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

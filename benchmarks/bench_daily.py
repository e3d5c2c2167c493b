"""Benchmark staffing for the day: day scope against interval scope, and time-stable staffing.

1. The 200-skill, 52-week hourly plan of ``bench_plan.py`` (same config and history) with
   ``service_level.scope: interval`` (today's staffing) and with ``scope: day`` (the day's
   targets at the fewest FTE-hours, analytic only), for the weekly-repeating history
   forecast and for a forecast whose every interval differs. Each run is a fresh process,
   so its peak memory (max RSS) is its own; its wall and CPU time are printed (on a loaded
   machine the CPU time is the fairer ratio). Target: day scope under 2x the interval
   plan's wall time. How cost grows: the distinct forecast at 1/16, 1/4 and all the skills,
   with the fitted exponent of each scope (``growth.py``); ``--no-growth`` skips them.
2. A 4-week, 6-skill plan with ``staffing: time_stable`` at 30 replications per
   simulation, in-process and on 1 and 2 Dask workers.

Usage::

    python benchmarks/bench_daily.py [--skills 200] [--weeks 52] [--skip-time-stable]
        [--no-growth]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_plan import make_config, make_history
from growth import load_average, print_growth

from staffing.plan import plan


def with_scope(config: dict, scope: str) -> dict:
    config["defaults"]["service_level"] = {**config["defaults"]["service_level"], "scope": scope}
    return config


def child(skills: int, weeks: int, scope: str, volume: str) -> dict:
    """One plan in this process: wall time, peak memory, FTE-hours."""
    config = with_scope(make_config(skills, weeks), scope)
    history = make_history(skills)
    frame = None
    if volume == "distinct":
        base = plan(with_scope(make_config(skills, weeks), "interval"), nht_history=history)
        frame = base.intervals[["skill_id", "interval_start", "volume"]].copy()
        frame["volume"] *= np.random.default_rng(3).uniform(0.9, 1.1, len(frame))
        del base
    start, cpu = time.perf_counter(), time.process_time()
    result = plan(config, nht_history=history, volume=frame)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "fte_hours": float(result.intervals["fte"].sum()),
        "rows": len(result.intervals),
    }


def time_stable(workers: int | None, replications: int) -> dict:
    config = make_config(6, 4)
    for skill in config["skills"]:
        if skill["method"] != "workload":
            skill["staffing"] = "time_stable"
    history = make_history(6)
    options = {"replications": replications, "seed": 0, "max_iterations": 8}
    if workers:
        options["workers"] = workers
    start = time.perf_counter()
    result = plan(config, nht_history=history, time_stable=options)
    return {
        "wall_s": time.perf_counter() - start,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **{
            k: result.meta["time_stable"][k]
            for k in ("iterations", "converged", "changed", "intervals_missed")
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skills", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--skip-time-stable", action="store_true")
    parser.add_argument("--no-growth", action="store_true", help="only the full size")
    parser.add_argument("--child", nargs=2, metavar=("SCOPE", "VOLUME"), help=argparse.SUPPRESS)
    parser.add_argument("--time-stable-workers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.skills, args.weeks, *args.child)))
        return 0
    if args.time_stable_workers is not None:
        print(
            json.dumps(
                time_stable(args.time_stable_workers or None, args.replications), default=str
            )
        )
        return 0

    def run(*extra: str, skills: int = args.skills) -> dict:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--skills",
                str(skills),
                "--weeks",
                str(args.weeks),
                "--replications",
                str(args.replications),
                *extra,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    print(f"bench_daily: {args.skills} skills x {args.weeks} weeks hourly; {load_average()}")
    ok = True
    for volume in ("repeated", "distinct"):
        found = {scope: run("--child", scope, volume) for scope in ("interval", "day")}
        ratio = found["day"]["wall_s"] / found["interval"]["wall_s"]
        cpu_ratio = found["day"]["cpu_s"] / found["interval"]["cpu_s"]
        for scope, r in found.items():
            print(
                f"  {volume:8s} {scope:8s}: {r['wall_s']:6.1f} s (CPU {r['cpu_s']:6.1f} s), "
                f"max RSS {r['max_rss_mib']:,.0f} MiB, {r['fte_hours']:,.0f} FTE-hours"
            )
        saved = 1 - found["day"]["fte_hours"] / found["interval"]["fte_hours"]
        print(
            f"  {volume:8s} day / interval wall time {ratio:.2f}x, CPU time {cpu_ratio:.2f}x "
            f"(target < 2x: {'met' if ratio < 2 else 'NOT met'}); FTE-hours saved {saved:.1%}"
        )
        ok &= ratio < 2
    if not args.no_growth and args.skills >= 16:
        sizes = [args.skills // 16, args.skills // 4]
        grown = {
            scope: [run("--child", scope, "distinct", skills=n) for n in sizes] + [found[scope]]
            for scope in ("interval", "day")
        }
        rows = [n * args.weeks * 168 for n in [*sizes, args.skills]]
        for scope, results in grown.items():
            for clock in ("wall_s", "cpu_s"):
                times = [r[clock] for r in results]
                print_growth(f"distinct {scope} {clock[:-2]}", rows, times, unit="intervals")
    if not args.skip_time_stable:
        for workers in (0, 1, 2):
            r = run("--time-stable-workers", str(workers))
            label = "in-process" if not workers else f"{workers} Dask worker(s)"
            print(
                f"  time_stable 6 skills x 4 weeks, {args.replications} reps, {label}: "
                f"{r['wall_s']:.1f} s, max RSS {r['max_rss_mib']:,.0f} MiB, "
                f"{r['iterations']} iterations, converged {r['converged']}, changed "
                f"{r['changed']}, intervals missed {r['intervals_missed']:.1%}"
            )
    print(load_average())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

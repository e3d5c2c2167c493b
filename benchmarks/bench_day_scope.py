"""Benchmark the correction of day-scope staffing by simulation (staffing.simulation.day_scope).

A plan of N voice skills (Erlang C and Erlang A in turn) over W weeks of half hours, open
08:00-20:00 every day, two sharp peaks a day, each day's volume scaled by its own factor so
that every day is distinct (the worst case for the correction, which simulates each
distinct day once). The plan is staffed with ``scope: day`` (analytic); then the
correction runs without a confidence, within the default budget of expected contacts per
simulation and without a budget. Printed: the plan's wall time, the correction's
simulations, replications, contacts and wall time, the skills left uncorrected, and the
agent-hours added.

Usage::

    python benchmarks/bench_day_scope.py [--skills 20] [--weeks 4]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from staffing.plan import plan
from staffing.simulation.day_scope import day_scope_skills
from staffing.simulation.run import skill_inputs

START = "2026-03-02"
TIMEZONE = "Europe/Berlin"


def make_config(skills: int, weeks: int, unused: str) -> dict:
    hours = {d: "08:00-20:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    level = {"target": 0.8, "answer_within_seconds": 20, "scope": "day"}
    entries = []
    for i in range(skills):
        entry = {"id": 100 + i, "name": f"Voice {i}", "nht_seconds": 240 + 10 * (i % 7)}
        if i % 2:
            entry.update({"method": "erlang_a", "patience_seconds": 180})
        else:
            entry["method"] = "erlang_c"
        entries.append(entry)
    return {
        "plan": {
            "name": "bench-day-scope",
            "start": START,
            "weeks": weeks,
            "timezone": TIMEZONE,
            "interval_minutes": 30,
        },
        "nht": {"source": "store"},
        "volume": {"source": "file", "path": unused},
        "defaults": {"shrinkage": 0.3, "fte_hours_per_week": 40, "service_level": level},
        "skills": [{**e, "open_hours": hours} for e in entries],
    }


def make_volume(skills: int, weeks: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    local = pd.Timestamp(START).tz_localize(TIMEZONE)
    grid = pd.date_range(local, local + pd.Timedelta(weeks=weeks), freq="30min", inclusive="left")
    hour = np.asarray(grid.hour + grid.minute / 60.0)
    day = np.asarray((grid.normalize() - grid[0].normalize()).days)
    peaks = np.exp(-0.5 * ((hour - 10.25) / 0.6) ** 2) + np.exp(-0.5 * ((hour - 15.25) / 0.6) ** 2)
    open_ = (hour >= 8) & (hour < 20)
    frames = []
    for i in range(skills):
        factor = rng.uniform(0.8, 1.2, size=day.max() + 1)[day]
        base, top = 10.0 + 2 * (i % 5), 60.0 + 10 * (i % 5)
        volume = np.where(open_, factor * (base + (top - base) * peaks), 0.0)
        frames.append(pd.DataFrame({"skill_id": 100 + i, "interval_start": grid, "volume": volume}))
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skills", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        unused = Path(folder) / "unused.csv"
        unused.write_text("skill_id,interval_start,volume\n")
        config = make_config(args.skills, args.weeks, str(unused))
        started = time.perf_counter()
        planned = plan(config, volume=make_volume(args.skills, args.weeks))
        plan_s = time.perf_counter() - started
    skills = skill_inputs(planned)
    hours = sum(s.agents.sum() for s in skills) / 2
    print(
        f"{args.skills} skills x {args.weeks} weeks of half hours, every day distinct: "
        f"analytic day-scope plan {plan_s:.1f} s, {hours:,.0f} agent-hours"
    )
    for label, budget in (("default budget", 5e6), ("no budget", float("inf"))):
        started = time.perf_counter()
        agents, report = day_scope_skills(skills, max_contacts=budget)
        wall = time.perf_counter() - started
        added = sum(a.sum() for a in agents) / 2 - hours
        print(
            f"{label:>15}: {report['iterations']} simulations x {report['replications']} "
            f"replications of {report['distinct_periods']} distinct days, "
            f"{report['contacts']:,} contacts, {wall:.1f} s ({wall / plan_s:.1f}x the plan); "
            f"{len(report['skipped'])} skill(s) not corrected; +{added:,.1f} agent-hours "
            f"({added / hours:.1%}); failing per simulation {report['failing']}"
        )


if __name__ == "__main__":
    main()

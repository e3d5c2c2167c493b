"""Staffing to a confidence level against a flat volume buffer, judged by one simulation.

The sharp-ramp plan of the tests (``tests/simulation/peaks.py``: two voice skills, a
morning and an afternoon peak, 30-minute intervals, open 08:00-20:00 on weekdays,
``scope: day``) with ``daily_cv: 0.1`` and ``confidence: 0.9`` is planned as the plan does it
(analytic confidence staffing, then the correction by simulation). Against it: the flat
buffer a planner would use, each interval staffed for its own targets at
forecast × (1 + b) for b from 10 % to 22 %. Every staffing is judged by the same simulation
(forecast error drawn, same seed and replications): the probability that a day meets its
targets, averaged over the week's days and its worst day. Printed: agent-hours and the
probabilities, and for each skill the least buffer that reaches the confidence plan's
probability and its agent-hours.

Usage::

    python benchmarks/bench_confidence.py [--replications 200] [--seed 777]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd

import staffing

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "simulation"))
from peaks import peaks_config, peaks_volume

BUFFERS = (0.10, 0.13, 0.16, 0.19, 0.22)


def _judged(plan: staffing.Plan, replications: int, seed: int) -> pd.DataFrame:
    daily = staffing.simulate(plan, replications=replications, seed=seed).daily
    table = daily.groupby("skill_id")["p_meets_target"].agg(["mean", "min"])
    hours = plan.intervals.groupby("skill_id")["agents"].sum() * plan.interval_minutes / 60
    return table.assign(agent_hours=hours)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--seed", type=int, default=777)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    path = folder / "peaks.csv"
    peaks_volume().to_csv(path, index=False)
    raw = peaks_config(str(path), confidence=0.9)
    raw["volume"]["uncertainty"] = {"daily_cv": 0.1}
    confident = staffing.plan(raw)
    reference = _judged(confident, args.replications, args.seed)
    print("confidence 0.9 (analytic + correction by simulation):")
    print(reference.round(3).to_string())
    rows = []
    for buffer in BUFFERS:
        volume = peaks_volume()
        volume["volume"] *= 1 + buffer
        buffered_path = folder / f"peaks_{buffer}.csv"
        volume.to_csv(buffered_path, index=False)
        flat = peaks_config(str(buffered_path), scope="interval")
        flat["volume"]["uncertainty"] = "none"
        agents = staffing.plan(flat).intervals["agents"].to_numpy()
        probe = replace(confident, intervals=confident.intervals.assign(agents=agents))
        rows.append(_judged(probe, args.replications, args.seed).assign(buffer=buffer))
    buffers = pd.concat(rows).reset_index()
    print("\nflat buffer, each interval staffed at forecast x (1 + buffer):")
    print(buffers.round(3).to_string(index=False))
    print("\nleast buffer reaching the confidence plan's mean P(day meets target):")
    for skill_id, row in reference.iterrows():
        enough = buffers[(buffers["skill_id"] == skill_id) & (buffers["mean"] >= row["mean"])]
        if enough.empty:
            print(
                f"  skill {skill_id}: no buffer up to {BUFFERS[-1]:.0%} reaches {row['mean']:.3f}"
            )
            continue
        best = enough.iloc[0]
        print(
            f"  skill {skill_id}: buffer {best['buffer']:.0%}, {best['agent_hours']:,.1f} "
            f"agent-hours against {row['agent_hours']:,.1f} at confidence 0.9 "
            f"({row['agent_hours'] / best['agent_hours'] - 1:+.1%})"
        )


if __name__ == "__main__":
    main()

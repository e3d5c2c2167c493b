"""Benchmark the teams staffing search (issue 20): 20 skills, 6 teams, one week at 30 min.

The instance: 12 voice skills (Erlang A, patience 180 s, handle 240-420 s) and 8 chat
skills (3 slots, handle 400-520 s at one conversation and 15 % slower per extra one),
all open 08:00-20:00 every day with a morning and an afternoon peak. Six teams in three
components: voice teams 1 and 2 share skills 3 and 4 (skills 1-6), teams 3 and 4 share
skill 9 (skills 7-12), the two messaging teams share chats 4 and 5 (skills 13-20).
Targets: 80 % in 20 s (voice) or 60 s (chat), at most 5 % abandoning.

Bounds, as the plan computes them: ``upper`` each skill staffed alone by
``staffing.queueing.required_agents`` and split evenly over its teams; ``pooled_total``
each component's skills as one queue (summed volume, volume-weighted handle time).

Printed: the headline (20 skills, 7 days, 20 replications, on a 2-worker LocalCluster on
127.0.0.1, cluster start included; target < 60 s), agent-hours against the separate and
pooled bounds, and the search time at 2, 4 and 7 days with the fitted exponent of time
against the horizon. In the same process, the single-skill engine (``engine.run``) on the
same skills staffed alone, as a peer for the contacts simulated per second.

Usage::

    python benchmarks/bench_teams.py [--reps 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
import time

import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

from staffing import queueing
from staffing.simulation.engine import run
from staffing.simulation.inputs import SkillInput
from staffing.simulation.teams import run_teams
from staffing.simulation.teams_inputs import TeamsInput
from staffing.teams_search import staff_teams
from staffing.vocabulary import CHAT, ERLANG_A

INTERVAL_S = 1800.0
K = 3
VOICE, CHATS = 12, 8
TEAMS = ("voice 1", "voice 2", "voice 3", "voice 4", "messaging 1", "messaging 2")
MEMBERS = [range(0, 4), range(2, 6), range(6, 9), range(8, 12), range(12, 17), range(15, 20)]


def calendar(n_t: int) -> dict:
    """Interval starts, day and week codes of ``n_t`` half hours from a Monday."""
    monday = dt.date(2026, 3, 2)
    start = pd.date_range(pd.Timestamp(monday, tz="Europe/Berlin"), periods=n_t, freq="30min")
    day = np.arange(n_t, dtype=np.int64) // 48
    return {
        "interval_start": start,
        "day": day,
        "dates": np.array([monday + dt.timedelta(days=int(d)) for d in range(day[-1] + 1)]),
        "week": day // 7,
        "week_start": tuple(
            monday + dt.timedelta(days=7 * int(w)) for w in range(day[-1] // 7 + 1)
        ),
    }


def make_inputs(days: int) -> TeamsInput:
    """The benchmark's skills and teams over ``days`` days of half hours."""
    n_t = 48 * days
    hour = (np.arange(n_t) % 48) / 2
    is_open = (hour >= 8) & (hour < 20)
    shape = np.exp(-((hour - 10.5) ** 2) / 4) + 0.8 * np.exp(-((hour - 15) ** 2) / 5) + 0.2
    rng = np.random.default_rng(20)
    n_s = VOICE + CHATS
    scale = rng.uniform(8, 45, n_s)
    volume = np.where(is_open, np.round(scale[:, None] * shape[None, :]), 0.0)
    base = np.r_[rng.uniform(240, 420, VOICE), rng.uniform(400, 520, CHATS)]
    by_load = 1 + 0.15 * np.arange(K)
    handle = np.repeat(base[:, None, None] * by_load[None, None, :], n_t, axis=1)
    handle[:VOICE] = base[:VOICE, None, None]
    membership = np.zeros((n_s, len(TEAMS)), bool)
    for r, skills in enumerate(MEMBERS):
        membership[list(skills), r] = True
    return TeamsInput(
        skill_ids=tuple(range(1, n_s + 1)),
        skill_names=tuple(f"skill {s + 1}" for s in range(n_s)),
        methods=(ERLANG_A,) * VOICE + (CHAT,) * CHATS,
        volume=volume,
        handle_s=handle,
        is_open=np.broadcast_to(is_open, (n_s, n_t)),
        interval_s=INTERVAL_S,
        answer_within_s=np.r_[np.full(VOICE, 20.0), np.full(CHATS, 60.0)],
        patience_s=(180.0,) * VOICE + (300.0,) * CHATS,
        service_level_target=(0.8,) * n_s,
        asa_s=(None,) * n_s,
        max_abandon=(0.05,) * n_s,
        team_names=TEAMS,
        membership=membership,
        max_concurrency=np.array([1, 1, 1, 1, K, K]),
        agents=None,
        **calendar(n_t),
    )


def _required(inputs: TeamsInput, s: int, volume: np.ndarray, handle: np.ndarray) -> np.ndarray:
    chat = inputs.methods[s] == CHAT
    return queueing.required_agents(
        inputs.methods[s],
        volume=volume,
        handle_time_s=handle if chat else handle[..., 0],
        interval_s=INTERVAL_S,
        service_level=0.8,
        answer_within_s=float(inputs.answer_within_s[s]),
        max_abandon=0.05,
        patience_s=inputs.patience_s[s],
    ).astype(np.int64)


def bounds(inputs: TeamsInput) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower, upper, pooled_total), each (R, T), as described in the module docstring."""
    n_r, n_t = inputs.n_teams, inputs.n_intervals
    alone = np.array(
        [_required(inputs, s, inputs.volume[s], inputs.handle_s[s]) for s in range(inputs.n_skills)]
    )
    upper = np.zeros((n_r, n_t), np.int64)
    pooled = np.zeros((n_r, n_t), np.int64)
    for s in range(inputs.n_skills):
        teams = np.flatnonzero(inputs.membership[s])
        upper[teams] += -(-alone[s] // teams.size)
    for skills, teams in inputs.components():
        volume = inputs.volume[skills].sum(axis=0)
        with np.errstate(invalid="ignore"):
            handle = (inputs.volume[skills, :, None] * inputs.handle_s[skills]).sum(axis=0)
            handle = np.where(volume[:, None] > 0, handle / volume[:, None], 1.0)
        pooled[teams] = _required(inputs, int(skills[0]), volume, handle)
    return np.zeros((n_r, n_t), np.int64), upper, pooled


def cpu_seconds(client: Client) -> float:
    """CPU time of this process and of every worker process so far [s]."""
    workers = client.run(time.process_time)
    return time.process_time() + sum(workers.values())


def solve(days: int, reps: int, client: Client) -> tuple[float, float, object, np.ndarray]:
    """Wall and CPU seconds of the search for ``days`` days, its answer, the pooled bound."""
    inputs = make_inputs(days)
    lower, upper, pooled = bounds(inputs)
    start, cpu = time.perf_counter(), cpu_seconds(client)
    result = staff_teams(
        inputs, lower, upper, pooled_total=pooled, replications=reps, seed=1, client=client
    )
    return time.perf_counter() - start, cpu_seconds(client) - cpu, result, pooled


def peer(inputs: TeamsInput, agents: np.ndarray, reps: int) -> float:
    """Contacts per second of the single-skill engine on the same skills, in process."""
    skills = []
    for s in range(inputs.n_skills):
        chat = inputs.methods[s] == CHAT
        skills.append(
            SkillInput(
                skill_id=s + 1,
                skill_name=inputs.skill_names[s],
                method=inputs.methods[s],
                interval_start=inputs.interval_start,
                volume=inputs.volume[s],
                agents=agents[s],
                handle_time_s=inputs.handle_s[s] if chat else inputs.handle_s[s, :, 0],
                is_open=inputs.is_open[s],
                interval_s=INTERVAL_S,
                answer_within_s=float(inputs.answer_within_s[s]),
                patience_s=inputs.patience_s[s],
                service_level_target=0.8,
                asa_s=None,
                max_abandon=0.05,
                day=inputs.day,
                dates=inputs.dates,
                week=inputs.week,
                week_start=inputs.week_start,
            )
        )
    start = time.perf_counter()
    result = run(skills, replications=reps, seed=1)
    return result.contacts / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print("compiling the event loop (numba cache) ...")
    make_small = make_inputs(1)
    staff_teams(make_small, *bounds(make_small)[:2], replications=2, max_iterations=1)
    print(f"teams staffing search, 20 skills, 6 teams, 30-min intervals, {args.reps} reps")
    start = time.perf_counter()
    times: dict[int, float] = {}
    cpus: dict[int, float] = {}
    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            host="127.0.0.1",
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        started = time.perf_counter() - start
        for days in (2, 4, 7):
            wall, cpu, result, pooled = solve(days, args.reps, client)
            times[days] = wall
            cpus[days] = cpu
            inputs = make_inputs(days)
            upper = bounds(inputs)[1]
            hours = INTERVAL_S / 3600
            print(
                f"  {days} day(s): {wall:6.1f} s wall, {cpu:6.1f} s CPU, "
                f"{result.iterations} rounds, "
                f"{result.simulations} staffings simulated, met {result.met}, "
                f"proven {result.proven}; agent-hours {result.agents.sum() * hours:,.0f} "
                f"(separate {upper.sum() * hours:,.0f}, pooled bound "
                f"{sum(pooled[t[0]].sum() for _, t in inputs.components()) * hours:,.0f})"
            )
    headline = times[7] + started
    load = os.getloadavg()[0]
    print(
        f"headline: one week on {args.workers} workers, {headline:.1f} s including "
        f"{started:.1f} s cluster start (target < 60 s); the search used {cpus[7]:.1f} CPU "
        f"seconds, {cpus[7] / args.workers + started:.1f} s on {args.workers} idle cores "
        f"(load average now {load:.1f} on {os.cpu_count()} cores)"
    )
    exponent = np.polyfit(np.log(list(times)), np.log(list(times.values())), 1)[0]
    print(f"fitted exponent of time against days: {exponent:.2f}")
    inputs = make_inputs(7)
    alone = np.array(
        [_required(inputs, s, inputs.volume[s], inputs.handle_s[s]) for s in range(inputs.n_skills)]
    )
    per_second = peer(inputs, alone, 4)
    start = time.perf_counter()
    teams_run = run_teams(inputs.with_agents(result.agents), replications=4, seed=1)
    teams_rate = teams_run.contacts / (time.perf_counter() - start)
    print(
        f"in process: teams engine {teams_rate:,.0f} contacts/s; peer single-skill engine "
        f"(the skills staffed alone) {per_second:,.0f} contacts/s; ratio "
        f"{teams_rate / per_second:.2f}"
    )
    return 0 if math.isfinite(headline) else 1


if __name__ == "__main__":
    sys.exit(main())

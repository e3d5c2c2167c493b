"""Benchmark the plan simulation (issue 12): kernel speed against ciw, the example, scaling.

Three parts, each printed with its figures:

1. ``kernel``: simulated contacts per second on one core, against the pure-Python
   simulator ciw on the same Erlang A model (11 agents, 360 contacts/h, h = 100 s,
   exponential patience 200 s, SL at 20 s) in the same run, with both simulators'
   service level and abandonment and their 95 % confidence intervals (they must agree)
   beside the Erlang A formula. Speeds in wall time and in CPU time of this process
   (per core: on a shared machine the wall time counts other jobs' turns too). Target:
   at least 300x ciw per core (issue 22). Then the time of one replication at 1x, 4x and
   16x the hours, with the fitted exponent (``benchmarks/growth.py``), and the first call
   in a fresh process against a warm one: with numba's on-disk cache as this run left it,
   and (for the record) with an empty cache, which compiles. Target: at most 1 s more.
2. ``example``: ``config/example.yaml`` (4 weeks, 6 skills of which 4 queue; the two
   workload skills are not simulated) at 30 replications, in-process and on a local
   2-worker Dask cluster (cluster start included). Target: under 10 s on 2 cores.
3. ``scaling``: the year-long 200-skill plan of ``bench_plan.py`` at 30 replications on
   1 and 2 Dask workers: wall time, speed-up, peak memory (max RSS) per worker, and a
   paper estimate for 32 workers. Its size is set by ``--scale-skills``,
   ``--scale-weeks`` and ``--scale-reps`` (the full size takes about half an hour here).

Usage::

    python benchmarks/bench_simulate.py [--parts kernel,example,scaling]
        [--scale-skills 200] [--scale-weeks 52] [--scale-reps 30]

The numba kernel is compiled (or loaded from its cache) before anything is timed.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import special

from staffing import queueing
from staffing.plan import plan
from staffing.simulation import simulate
from staffing.simulation.kernel import HAVE_NUMBA, simulate_replication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from growth import load_average, measure_growth, print_growth  # noqa: E402

# the Erlang A model of part 1
AGENTS, RATE, HANDLE, PATIENCE, WITHIN = 11, 0.1, 100.0, 200.0, 20.0


def _ci(values: np.ndarray) -> tuple[float, float]:
    n = len(values)
    return float(values.mean()), float(
        special.stdtrit(n - 1, 0.975) * values.std(ddof=1) / math.sqrt(n)
    )


def part_kernel(
    ciw_hours: float = 4.0, ciw_reps: int = 20, our_hours: int = 2000, our_reps: int = 10
) -> None:
    import ciw

    print("1. kernel: Erlang A (n = 11, 360/h, h = 100 s, patience 200 s, SL at 20 s)")
    warm = 3600.0
    ciw_sl, ciw_ab, ciw_n, ciw_t, ciw_cpu = [], [], 0, 0.0, 0.0
    for seed in range(ciw_reps):
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(RATE)],
            service_distributions=[ciw.dists.Exponential(1 / HANDLE)],
            number_of_servers=[AGENTS],
            reneging_time_distributions=[ciw.dists.Exponential(1 / PATIENCE)],
        )
        ciw.seed(seed)
        sim = ciw.Simulation(network)
        start, start_cpu = time.perf_counter(), time.process_time()
        sim.simulate_until_max_time(warm + ciw_hours * 3600 + 2000)
        ciw_t += time.perf_counter() - start
        ciw_cpu += time.process_time() - start_cpu
        records = sim.get_all_records()
        ciw_n += len(records)
        kept = [r for r in records if warm <= r.arrival_date < warm + ciw_hours * 3600]
        served = np.array([r.record_type == "service" for r in kept])
        wait = np.array([r.waiting_time for r in kept])
        ciw_sl.append(np.mean(served & (wait <= WITHIN)))
        ciw_ab.append(np.mean(~served))
    # ours: warm the kernel, then time replications of the same stationary queue
    simulate_replication(
        np.full(2, 360.0),
        np.full(2, AGENTS),
        np.full(2, HANDLE),
        np.random.default_rng(0),
        answer_within_s=WITHIN,
        patience_s=PATIENCE,
    )
    our_sl, our_ab, our_n, our_t, our_cpu = [], [], 0, 0.0, 0.0
    for rep in range(our_reps):
        rng = np.random.default_rng(np.random.SeedSequence(1, spawn_key=(rep,)))
        start, start_cpu = time.perf_counter(), time.process_time()
        stats = _replication(our_hours, rng)
        our_t += time.perf_counter() - start
        our_cpu += time.process_time() - start_cpu
        total = stats[1:].sum(axis=0)
        our_n += int(stats[:, 0].sum())
        our_sl.append(total[2] / total[0])
        our_ab.append(total[3] / total[0])
    exact = queueing.evaluate(
        "erlang_a",
        AGENTS,
        volume=RATE * 3600,
        handle_time_s=HANDLE,
        answer_within_s=WITHIN,
        patience_s=PATIENCE,
    )
    ours_speed, ciw_speed = our_n / our_t, ciw_n / ciw_t
    ours_cpu, ciw_cpu_speed = our_n / our_cpu, ciw_n / ciw_cpu
    print(
        f"   ciw {ciw.__version__}: {ciw_n:,} contacts in {ciw_t:.2f} s = "
        f"{ciw_speed:,.0f} contacts/s ({ciw_cpu_speed:,.0f}/s of CPU)"
    )
    print(
        f"   staffing ({'numba' if HAVE_NUMBA else 'pure Python'}): {our_n:,} contacts in "
        f"{our_t:.2f} s = {ours_speed:,.0f} contacts/s ({ours_cpu:,.0f}/s of CPU; arrival "
        "drawing included)"
    )
    ratio = ours_cpu / ciw_cpu_speed
    print(
        f"   ratio: {ratio:,.0f}x ciw per core (CPU time; target >= 300x: "
        f"{'met' if ratio >= 300 else 'NOT met'}), {ours_speed / ciw_speed:,.0f}x in wall time"
    )
    for name, a, b, want in (
        ("service level", our_sl, ciw_sl, exact.service_level),
        ("abandonment", our_ab, ciw_ab, exact.p_abandon),
    ):
        (ma, ha), (mb, hb) = _ci(np.array(a)), _ci(np.array(b))
        agree = abs(ma - mb) <= math.hypot(ha, hb)
        print(
            f"   {name}: staffing {ma:.4f} ± {ha:.4f}, ciw {mb:.4f} ± {hb:.4f} "
            f"({'agree' if agree else 'DIFFER'} within the combined 95 % CI), "
            f"Erlang A formula {float(want):.4f}"
        )


def _replication(hours: int, rng: np.random.Generator) -> np.ndarray:
    return simulate_replication(
        np.full(hours, RATE * 3600),
        np.full(hours, AGENTS),
        np.full(hours, HANDLE),
        rng,
        answer_within_s=WITHIN,
        patience_s=PATIENCE,
    )


def part_growth(base_hours: int = 250) -> None:
    """CPU time of one replication at 1x, 4x and 16x the hours."""
    sizes = [base_hours, 4 * base_hours, 16 * base_hours]
    done, times = measure_growth(
        lambda hours: _replication(hours, np.random.default_rng(hours)),
        sizes,
        clock=time.process_time,
    )
    print_growth("   kernel CPU", done, times, unit="hours")


_FIRST_CALL = """
import time
import numpy as np
from staffing.simulation.kernel import simulate_replication

def call(seed, k):
    h = np.full((24, k), 100.0) * np.arange(1, k + 1)
    start = time.perf_counter()
    simulate_replication(np.full(24, 360.0), np.full(24, 11), h, np.random.default_rng(seed),
                         answer_within_s=20.0, patience_s=200.0)
    return time.perf_counter() - start

for k in (1, 3):
    first = call(0, k)
    warm = min(call(seed, k) for seed in range(1, 6))
    print(f"{k} {first} {warm}")
"""


def part_first_call() -> None:
    """First call of each event loop in a fresh process against a warm call."""
    print("   first call in a fresh process (Erlang A loop, then the chat loop):")
    with tempfile.TemporaryDirectory() as empty:
        for label, env in (
            ("on-disk cache", {}),
            ("empty cache (compiles)", {"NUMBA_CACHE_DIR": empty}),
        ):
            out = subprocess.run(
                [sys.executable, "-c", _FIRST_CALL],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            for k, first, warm in zip(out[::3], out[1::3], out[2::3], strict=True):
                extra = float(first) - float(warm)
                verdict = ("met" if extra <= 1.0 else "NOT met") if not env else "for the record"
                print(
                    f"   {label:<22} k = {k}: first {float(first):6.3f} s, warm "
                    f"{float(warm) * 1e3:6.2f} ms: {extra:6.3f} s more (target <= 1 s: {verdict})"
                )


def _peak_rss_mib(client) -> dict[str, float]:
    def rss() -> float:
        import resource as res

        return res.getrusage(res.RUSAGE_SELF).ru_maxrss / 1024

    return client.run(rss)


def part_example(reps: int = 30) -> None:
    from distributed import Client, LocalCluster

    print(f"2. example: config/example.yaml, {reps} replications")
    start = time.perf_counter()
    planned = plan(ROOT / "config" / "example.yaml")
    plan_s = time.perf_counter() - start
    simulate(planned, replications=2)  # compile or load the kernels
    start = time.perf_counter()
    result = simulate(planned, replications=reps)
    local_s = time.perf_counter() - start
    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        up = time.perf_counter() - start
        again = simulate(planned, replications=reps, client=client)
    dask_s = time.perf_counter() - start
    same = again.intervals.equals(result.intervals)
    print(
        f"   plan {plan_s:.1f} s; {result.meta['contacts']:,} contacts "
        f"({len(result.meta['skipped'])} workload skills not simulated)"
    )
    print(
        f"   in-process: {local_s:.2f} s; 2 Dask workers: {dask_s:.2f} s including "
        f"{up:.1f} s cluster start; identical tables: {same}"
    )
    print(f"   target < 10 s on 2 cores: {'met' if max(local_s, dask_s) < 10 else 'NOT met'}")
    summary = result.summary()
    print(
        summary[
            [
                "skill_name",
                "daily_service_level",
                "daily_service_level_sim",
                "worst_day_sl_sim",
                "p_day_meets_target",
                "intervals_missed",
            ]
        ].to_string(index=False, float_format="%.3f")
    )


def part_scaling(skills: int, weeks: int, reps: int) -> None:
    from bench_plan import make_config, make_history
    from distributed import Client, LocalCluster

    print(f"3. scaling: {skills} skills x {weeks} weeks hourly, {reps} replications")
    config = make_config(skills, weeks)
    start = time.perf_counter()
    planned = plan(config, nht_history=make_history(skills))
    print(
        f"   plan: {time.perf_counter() - start:.1f} s, "
        f"{len(planned.intervals):,} skill-intervals; driver max RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )
    walls = {}
    for n_workers in (1, 2):
        with (
            LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                host="127.0.0.1",
                processes=True,
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            start = time.perf_counter()
            result = simulate(planned, replications=reps, client=client)
            wall = time.perf_counter() - start
            rss = _peak_rss_mib(client)
        walls[n_workers] = wall
        meta = result.meta
        print(
            f"   {n_workers} worker(s): {wall:,.1f} s wall, {meta['tasks']} tasks, "
            f"{meta['contacts']:,} contacts ({meta['contacts'] / wall:,.0f}/s), task time "
            f"{meta['task_seconds']:,.1f} s; peak RSS per worker "
            + ", ".join(f"{v:,.0f} MiB" for v in rss.values())
        )
        if n_workers == 1:
            per_task = meta["task_seconds"] / meta["tasks"]
            total_task = meta["task_seconds"]
    speed_up = walls[1] / walls[2]
    overhead = max(walls[1] - total_task, 0.0)
    estimate = total_task / 32 + per_task + overhead
    print(f"   speed-up 1 -> 2 workers: {speed_up:.2f}x")
    print(
        f"   paper estimate, 32 workers: task time {total_task:,.0f} s / 32 + one task "
        f"({per_task:.1f} s) + driver overhead ({overhead:.1f} s) = {estimate:,.0f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parts",
        default="kernel,example,scaling",
        help="comma-separated parts to run (kernel, example, scaling)",
    )
    parser.add_argument("--scale-skills", type=int, default=200)
    parser.add_argument("--scale-weeks", type=int, default=52)
    parser.add_argument("--scale-reps", type=int, default=30)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print(f"start: {load_average()}")
    if "kernel" in parts:
        part_kernel()
        part_growth()
        part_first_call()
    if "example" in parts:
        part_example()
    if "scaling" in parts:
        part_scaling(args.scale_skills, args.scale_weeks, args.scale_reps)
    print(f"end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Speed of required-agents solving: staffing.queueing against pyworkforce.

Run: ``python3 tasks.py bench`` or ``.venv/bin/python benchmarks/bench_queueing.py [N]``.

Draws N (default 20,000) random skill-intervals (volume 1 to 2,000 per hour, handle time
60 to 1,200 s, target 80% answered within 20 s), solves them with this engine and with the
peer library pyworkforce (``ErlangC.required_positions``, one Python object per interval),
checks that both give the same agents, and prints times and ratios. erlang_a (patience
180 s) and chat (k = 3, handle times NHT x j, patience 180 s) are timed too, with the
service-level target alone and with an ASA target of 30 s added (the ASA needs one more
series per cell). ``--against FILE`` also times those rows with another copy of the
engine, e.g. an earlier ``staffing/queueing.py`` saved to a file, in the same process.

Every figure is given in wall time and in CPU time of this process (``time.process_time``,
best of three): on a machine shared with other jobs the wall time counts their turns too,
the CPU time does not, and the ratio against the peer is given for both. Then each model
is timed at 1x, 4x and 16x a quarter of N intervals, with the fitted exponent of the
growth (``benchmarks/growth.py``), and the machine's load average is printed at the start
and the end. No assertion on time: the figures are for the reader.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

from staffing import queueing

sys.path.insert(0, str(Path(__file__).resolve().parent))
from growth import load_average, measure_growth, print_growth


def _best_of(fn, repeat=3):
    """(best wall time [s], best CPU time [s], the result) of ``repeat`` runs."""
    best = cpu = np.inf
    result = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return best, cpu, result


def _line(label: str, wall: float, cpu: float, n: int) -> str:
    return (
        f"{label} : {wall:8.3f} s for {n} intervals = {wall / n * 1e6:7.2f} us/interval "
        f"(CPU {cpu / n * 1e6:7.2f} us/interval)"
    )


def main(n: int = 20_000, against: Path | None = None) -> int:
    print(f"start: {load_average()}")
    rng = np.random.default_rng(20261126)
    volume = rng.uniform(1, 2000, n)
    handle = rng.uniform(60, 1200, n)
    targets = dict(interval_s=3600, service_level=0.8, answer_within_s=20)

    t_c, cpu_c, ours = _best_of(
        lambda: queueing.required_agents("erlang_c", volume=volume, handle_time_s=handle, **targets)
    )
    print(_line("erlang_c  staffing", t_c, cpu_c, n))

    try:
        from pyworkforce.queuing import ErlangC
    except ImportError:
        print("pyworkforce not installed (pip install '.[bench]'): peer comparison skipped")
        peer = None
    else:
        # pyworkforce works in minutes; one object and one Python search per interval.
        def run_peer():
            out = np.empty(n)
            for i in range(n):
                e = ErlangC(transactions=volume[i], aht=handle[i] / 60, asa=20 / 60, interval=60)
                out[i] = e.required_positions(service_level=0.8)["raw_positions"]
            return out

        t_p, cpu_p, peer = _best_of(run_peer, repeat=1)
        agree = np.mean(peer == ours)
        print(_line("erlang_c  peer    ", t_p, cpu_p, n))
        print(
            f"erlang_c  ratio    : staffing is {t_p / t_c:,.0f}x faster in wall time, "
            f"{cpu_p / cpu_c:,.0f}x in CPU time; agents agree on {agree:.2%} of intervals"
        )
        if agree < 1:
            diff = np.flatnonzero(peer != ours)[:5]
            print("  first disagreements (volume, handle, staffing, pyworkforce):")
            for i in diff:
                print(f"  {volume[i]:.3f} {handle[i]:.3f} {ours[i]:.0f} {peer[i]:.0f}")

    other = _load_engine(against) if against is not None else None
    chat_h = handle[:, None] * np.arange(1, 4)
    rows = [
        ("erlang_a ", "erlang_a", handle, {}),
        ("erl_a+ASA", "erlang_a", handle, {"asa_s": 30}),
        ("chat k=3 ", "chat", chat_h, {}),
        ("chat+ASA ", "chat", chat_h, {"asa_s": 30}),
    ]
    for label, model, h, extra in rows:

        def run(engine, model=model, h=h, extra=extra):
            return engine.required_agents(
                model, volume=volume, handle_time_s=h, patience_s=180, **targets, **extra
            )

        t_r, cpu_r, mine = _best_of(lambda: run(queueing))
        print(_line(f"{label} staffing", t_r, cpu_r, n))
        if other is not None:
            t_o, _, theirs = _best_of(lambda: run(other))
            print(
                f"{label} against  : {t_o:8.3f} s ({against.name}); this engine takes "
                f"{t_r / t_o:.2f}x its time; agents agree on {np.mean(mine == theirs):.2%}"
            )
    _worst_cases()
    _growth(volume, handle, targets, max(n // 4, 16))
    print(f"end: {load_average()}")
    return 0 if peer is None or np.all(peer == ours) else 1


def _growth(volume, handle, targets, base):
    """CPU time of each model at 1x, 4x and 16x ``base`` intervals (tiled draws)."""
    sizes = [base, 4 * base, 16 * base]
    for label, model, k in (
        ("erlang_c", "erlang_c", 1),
        ("erlang_a", "erlang_a", 1),
        ("chat k=3", "chat", 3),
    ):

        def run(size, model=model, k=k):
            vol = np.resize(volume, size)
            h = np.resize(handle, size)
            h = h[:, None] * np.arange(1, k + 1) if model == "chat" else h
            extra = {} if model == "erlang_c" else {"patience_s": 180}
            return queueing.required_agents(model, volume=vol, handle_time_s=h, **targets, **extra)

        sizes_done, times = measure_growth(run, sizes, repeat=2, clock=time.process_time)
        print_growth(f"{label} CPU", sizes_done, times, unit="intervals")


def _worst_cases() -> None:
    """One interval each at the edges of the accepted domain (docs/models.md, Numerical
    limits): these took 18 s to forever before the engine bounded its sums."""
    cases = [
        (
            "erlang_a 1e7/h, SL + ASA",
            lambda: queueing.required_agents(
                "erlang_a",
                volume=1e7,
                handle_time_s=300,
                patience_s=180,
                service_level=0.8,
                answer_within_s=20,
                asa_s=30,
            ),
        ),
        (
            "erlang_a max load 1e7 Erl",
            lambda: queueing.required_agents(
                "erlang_a",
                volume=1.2e8,
                handle_time_s=300,
                patience_s=60,
                service_level=0.8,
                answer_within_s=20,
                asa_s=30,
            ),
        ),
        (
            "erlang_a patience at switch",
            lambda: queueing.required_agents(
                "erlang_a",
                volume=1e4,
                handle_time_s=300,
                patience_s=queueing.PATIENCE_LIMIT / (1e4 / 3600) / 1.001,
                service_level=0.8,
                answer_within_s=20,
                asa_s=30,
            ),
        ),
        (
            "erlang_a overloaded evaluate",
            lambda: queueing.evaluate(
                "erlang_a", 10, volume=1e4, handle_time_s=300, patience_s=3.5e9, answer_within_s=20
            ),
        ),
        (
            "chat falling rate 1e5 agents",
            lambda: queueing.required_agents(
                "chat",
                volume=1.2e6,
                handle_time_s=[300, 700],
                patience_s=180,
                service_level=0.8,
                answer_within_s=20,
                asa_s=30,
            ),
        ),
    ]
    for name, fn in cases:
        t, _, _ = _best_of(fn, repeat=1)
        print(f"worst case: {name:<30}: {t:8.3f} s for 1 interval")


def _load_engine(path: Path):
    """Another copy of the engine, imported from a file under its own name."""
    spec = importlib.util.spec_from_file_location("_queueing_against", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"--against: cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=20_000, help="intervals to draw")
    parser.add_argument("--against", type=Path, help="another queueing.py to time as well")
    args = parser.parse_args()
    sys.exit(main(args.n, args.against))

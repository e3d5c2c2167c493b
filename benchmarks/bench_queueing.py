"""Speed of required-agents solving: staffing.queueing against pyworkforce.

Run: ``python3 tasks.py bench`` or ``.venv/bin/python benchmarks/bench_queueing.py [N]``.

Draws N (default 20,000) random skill-intervals (volume 1 to 2,000 per hour, handle time
60 to 1,200 s, target 80% answered within 20 s), solves them with this engine and with the
peer library pyworkforce (``ErlangC.required_positions``, one Python object per interval),
checks that both give the same agents, and prints times and ratios. erlang_a (patience
180 s) and chat (k = 3, handle times NHT x j, patience 180 s) are timed too.
No assertion on time: the figures are for the reader.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from staffing import queueing


def _best_of(fn, repeat=3):
    best = np.inf
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(n: int = 20_000) -> int:
    rng = np.random.default_rng(20261126)
    volume = rng.uniform(1, 2000, n)
    handle = rng.uniform(60, 1200, n)
    targets = dict(interval_s=3600, service_level=0.8, answer_within_s=20)

    t_c, ours = _best_of(
        lambda: queueing.required_agents("erlang_c", volume=volume, handle_time_s=handle, **targets)
    )
    print(f"erlang_c  staffing : {t_c:8.3f} s for {n} intervals = {t_c / n * 1e6:7.2f} us/interval")

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

        t_p, peer = _best_of(run_peer, repeat=1)
        agree = np.mean(peer == ours)
        print(f"erlang_c  peer     : {t_p:8.3f} s for {n} intervals = "
              f"{t_p / n * 1e6:7.2f} us/interval")
        print(f"erlang_c  ratio    : staffing is {t_p / t_c:,.0f}x faster; agents agree on "
              f"{agree:.2%} of intervals")
        if agree < 1:
            diff = np.flatnonzero(peer != ours)[:5]
            print("  first disagreements (volume, handle, staffing, pyworkforce):")
            for i in diff:
                print(f"  {volume[i]:.3f} {handle[i]:.3f} {ours[i]:.0f} {peer[i]:.0f}")

    t_a, _ = _best_of(
        lambda: queueing.required_agents(
            "erlang_a", volume=volume, handle_time_s=handle, patience_s=180, **targets
        )
    )
    print(f"erlang_a  staffing : {t_a:8.3f} s for {n} intervals = {t_a / n * 1e6:7.2f} us/interval")
    chat_h = handle[:, None] * np.arange(1, 4)
    t_h, _ = _best_of(
        lambda: queueing.required_agents(
            "chat", volume=volume, handle_time_s=chat_h, patience_s=180, **targets
        )
    )
    print(f"chat k=3  staffing : {t_h:8.3f} s for {n} intervals = {t_h / n * 1e6:7.2f} us/interval")
    _worst_cases()
    return 0 if peer is None or np.all(peer == ours) else 1


def _worst_cases() -> None:
    """One interval each at the edges of the accepted domain (docs/models.md, Numerical
    limits): these took 18 s to forever before the engine bounded its sums."""
    cases = [
        ("erlang_a 1e7/h, SL + ASA", lambda: queueing.required_agents(
            "erlang_a", volume=1e7, handle_time_s=300, patience_s=180, service_level=0.8,
            answer_within_s=20, asa_s=30)),
        ("erlang_a max load 1e7 Erl", lambda: queueing.required_agents(
            "erlang_a", volume=1.2e8, handle_time_s=300, patience_s=60, service_level=0.8,
            answer_within_s=20, asa_s=30)),
        ("erlang_a patience at switch", lambda: queueing.required_agents(
            "erlang_a", volume=1e4, handle_time_s=300, patience_s=queueing.PATIENCE_LIMIT
            / (1e4 / 3600) / 1.001, service_level=0.8, answer_within_s=20, asa_s=30)),
        ("erlang_a overloaded evaluate", lambda: queueing.evaluate(
            "erlang_a", 10, volume=1e4, handle_time_s=300, patience_s=3.5e9,
            answer_within_s=20)),
        ("chat falling rate 1e5 agents", lambda: queueing.required_agents(
            "chat", volume=1.2e6, handle_time_s=[300, 700], patience_s=180,
            service_level=0.8, answer_within_s=20, asa_s=30)),
    ]
    for name, fn in cases:
        t, _ = _best_of(fn, repeat=1)
        print(f"worst case: {name:<30}: {t:8.3f} s for 1 interval")


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))

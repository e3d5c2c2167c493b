"""How a benchmark's cost grows with its size: times at a few sizes and the fitted exponent.

Shared by the benchmarks (issue 22). A benchmark times its workload at, say, 1x, 4x and
16x the intervals or skills, and prints the times with the exponent ``b`` of the
least-squares fit ``time = a * size**b`` in log-log space: ``b`` near 1 is linear, near 0
means a fixed cost dominates, above 1 grows faster than the size.

Usage::

    from growth import measure_growth, print_growth

    sizes, times = measure_growth(lambda n: solve(n), [1_000, 4_000, 16_000])
    print_growth("erlang_c", sizes, times, unit="intervals")

No assertion on time: the figures are for the reader.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence

import numpy as np


def fit_exponent(sizes: Sequence[float], times_s: Sequence[float]) -> float:
    """The exponent ``b`` of ``time = a * size**b``, least squares on the logarithms.

    Parameters
    ----------
    sizes : sequence of float
        The workload sizes [any unit, > 0], at least two distinct values.
    times_s : sequence of float
        The time measured at each size [s], > 0.

    Returns
    -------
    float
        The log-log slope [-]: 1 for linear growth, 2 for quadratic.
    """
    x = np.log(np.asarray(sizes, dtype=float))
    y = np.log(np.asarray(times_s, dtype=float))
    if x.size < 2 or x.size != y.size or np.ptp(x) == 0:
        raise ValueError("fit_exponent needs at least two distinct sizes, one time each")
    return float(np.polyfit(x, y, 1)[0])


def measure_growth(
    run: Callable[[int], object],
    sizes: Sequence[int],
    repeat: int = 3,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[list[int], list[float]]:
    """Time ``run(size)`` at each size, best of ``repeat`` runs.

    Parameters
    ----------
    run : callable
        Does the work for one size (e.g. the number of intervals or skills).
    sizes : sequence of int
        The sizes to time, e.g. ``[n, 4 * n, 16 * n]``.
    repeat : int
        Runs per size; the fastest counts [-].
    clock : callable, default time.perf_counter
        The clock [s]: wall time, or ``time.process_time`` for the CPU time of this
        process (steadier on a loaded machine).

    Returns
    -------
    sizes, times_s : list of int, list of float
        The sizes and their best times [s].
    """
    times_s = []
    for size in sizes:
        best = float("inf")
        for _ in range(repeat):
            start = clock()
            run(size)
            best = min(best, clock() - start)
        times_s.append(best)
    return list(sizes), times_s


def print_growth(label: str, sizes: Sequence[float], times_s: Sequence[float], unit: str) -> float:
    """Print the time at each size and the fitted exponent; return the exponent.

    Parameters
    ----------
    label : str
        What was timed, printed at the start of each line.
    sizes : sequence of float
        The sizes [``unit``].
    times_s : sequence of float
        The time at each size [s].
    unit : str
        The unit of the sizes, e.g. ``"intervals"``.

    Returns
    -------
    float
        The fitted exponent [-] (see :func:`fit_exponent`).
    """
    base = sizes[0]
    for size, t in zip(sizes, times_s, strict=True):
        print(
            f"{label} growth  : {size / base:4.0f}x = {size:>10,.0f} {unit}: {t:9.4f} s "
            f"({t / size * 1e6:8.3f} us per {unit.rstrip('s')})"
        )
    b = fit_exponent(sizes, times_s)
    kind = "linear" if 0.85 <= b <= 1.15 else ("sublinear" if b < 0.85 else "superlinear")
    print(f"{label} growth  : fitted exponent {b:.2f} (log-log slope; 1 = linear): {kind}")
    return b


def load_average() -> str:
    """The machine's 1-, 5- and 15-minute load averages and its cores, as one line."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average: unavailable"
    return f"load average: {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"

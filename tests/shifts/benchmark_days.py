"""Days of the shifts benchmark's kind, built once for the tests that solve them.

30-minute intervals over one day (48), 30-minute start steps; each family of patterns is
``(first start, last start, length, with a break)`` in minutes from midnight, a break being
30 unpaid minutes starting 3 to 5 hours into the shift (every 30 minutes). The default
families are the benchmark's (``benchmarks/bench_shifts.py``): 8.5-hour shifts from
06:00-10:00 and 12:00-15:00 with a break, 4-hour part-timers from 08:00-19:30 (104
patterns).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from staffing.shifts.patterns import pattern_coverage

#: The benchmark's pattern families: (first start, last start, length, break) [min].
FAMILIES = ((360, 600, 510, True), (720, 900, 510, True), (480, 1170, 240, False))

#: Hours of the day at each 30-minute interval's start [h].
HOUR = np.arange(48) / 2


def day_patterns(
    families: tuple[tuple[int, int, int, bool], ...] = FAMILIES,
) -> tuple[sparse.csc_array, np.ndarray, np.ndarray, np.ndarray]:
    """Coverage (intervals x patterns), paid hours [h], start [min] and length [min]."""
    rows = []
    for first, last, length, breaks in families:
        for s in range(first, last + 1, 30):
            for b in range(180, 301, 30) if breaks else [0]:
                rows.append((s, length, b, 30 if breaks else 0))
    start, length, brk, brk_len = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    a = pattern_coverage(
        start, length, brk, brk_len, interval_minutes=30, n_intervals=48, wrap=False
    )
    return a, (length - brk_len) / 60.0, start, length


def benchmark_day(seed: int) -> tuple[sparse.csc_array, np.ndarray, np.ndarray, np.ndarray]:
    """One day: coverage, paid hours [h], each pattern's start group (start and length)
    and a noisy requirement shaped like a day, open 06:30-23:30, of up to 60 heads [-]."""
    rng = np.random.default_rng(seed)
    a, cost, start, length = day_patterns()
    shape = 0.15 + np.exp(-0.5 * ((HOUR - 13) / 3.5) ** 2)
    open_ = (HOUR >= 6.5) & (HOUR < 23.5)
    required = np.where(open_, rng.uniform(5, 60) * shape * rng.uniform(0.85, 1.15, 48), 0)
    group = np.unique(np.stack([start, length]), axis=1, return_inverse=True)[1].ravel()
    return a, cost, group, required

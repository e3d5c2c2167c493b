"""Benchmark: write the workbook (and CSV) of a 200-skill, 4-week hourly plan.

Usage::

    .venv/bin/python benchmarks/bench_report.py [--skills 200] [--weeks 4] [--no-peer]

The plan is a real :class:`staffing.plan.Plan` from :func:`staffing.plan` (half the skills
``workload``, half ``erlang_c``, NHT overrides and a synthetic volume forecast, so no history
is needed). Measured, one after the other in this process:

- ``staffing.outputs.write_workbook``: every sheet (Summary and chart, one grid sheet per
  skill, the Intervals table, Assumptions);
- ``staffing.outputs.write_intervals_csv``;
- the peer: ``pandas.DataFrame.to_excel(engine="openpyxl")`` writing only the intervals
  table, unformatted, the common way to get a DataFrame into Excel.

Each line gives the wall time [s] and the peak resident memory during the step above the
resident memory when it started [MiB], sampled every 5 ms by a thread reading
``/proc/self/statm`` (Linux; elsewhere the process-wide ``ru_maxrss`` peak is shown); the
workbook line also gives the most file descriptors open at once (``/proc/self/fd``): in
xlsxwriter's ``constant_memory`` mode one temporary file per sheet stays open until the end.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from staffing.outputs import write_intervals_csv, write_workbook
from staffing.plan import plan as run_plan


class PeakRSS:
    """Context manager sampling this process's resident memory and open file descriptors.

    ``.peak_mib`` is the peak resident memory above the start [MiB]; ``.peak_fds`` the most
    file descriptors open at once (``/proc/self/fd``, Linux; -1 elsewhere).
    """

    def __init__(self, every_s: float = 0.005):
        self.every_s = every_s
        self.peak_mib = float("nan")
        self.start_mib = float("nan")
        self.peak_fds = -1
        self.start_fds = -1

    @staticmethod
    def _fds() -> int:
        try:
            return len(os.listdir("/proc/self/fd"))
        except OSError:
            return -1

    @staticmethod
    def _rss_mib() -> float:
        try:
            with open("/proc/self/statm") as fh:
                pages = int(fh.read().split()[1])
            return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, ValueError):
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._max = max(self._max, self._rss_mib())
            self.peak_fds = max(self.peak_fds, self._fds())
            self._stop.wait(self.every_s)

    def __enter__(self) -> PeakRSS:
        gc.collect()
        self.start_mib = self._max = self._rss_mib()
        self.start_fds = self.peak_fds = self._fds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._max = max(self._max, self._rss_mib())
        self.peak_mib = self._max - self.start_mib


def build_plan(n_skills: int, weeks: int, folder: Path):
    """A real Plan: n_skills skills over ``weeks`` weeks of hourly intervals in Berlin."""
    nht_file = folder / "nht.csv"
    nht_file.write_text("skill_id,interval_start,net_handle_time_s,arrivals,handled_segments\n")
    skills = []
    for i in range(n_skills):
        skill = {"id": 1000 + i, "name": f"Skill {i:03d} {'Chat' if i % 2 else 'Messaging'}"}
        skill["method"] = "erlang_c" if i % 2 else "workload"
        skill["nht_seconds"] = 300 + 5 * (i % 40)
        skills.append(skill)
    config = {
        "plan": {
            "name": "bench",
            "start": "2026-03-02",
            "weeks": weeks,
            "timezone": "Europe/Berlin",
            "interval_minutes": 60,
        },
        "nht": {"source": "file", "path": str(nht_file)},
        "volume": {"source": "file", "path": str(nht_file)},
        "defaults": {
            "service_level": {"target": 0.8, "answer_within_seconds": 60},
            "max_occupancy": 0.85,
            "shrinkage": 0.3,
            "fte_hours_per_week": 37.5,
        },
        "skills": skills,
    }
    starts = pd.date_range(
        pd.Timestamp("2026-03-02", tz="Europe/Berlin"),
        pd.Timestamp("2026-03-02", tz="Europe/Berlin") + pd.DateOffset(weeks=weeks),
        freq="h",
        inclusive="left",
    )
    hour = starts.hour.to_numpy()
    shape = np.clip(np.sin((hour - 6) / 16 * np.pi), 0, None)
    rows = []
    for i, skill in enumerate(skills):
        rows.append(
            pd.DataFrame(
                {
                    "skill_id": skill["id"],
                    "interval_start": starts.tz_localize(None),
                    "volume": np.round((20 + 3 * (i % 25)) * shape, 1),
                }
            )
        )
    volume = pd.concat(rows, ignore_index=True)
    # Naive local times are ambiguous in the autumn; this horizon has only the spring change.
    return run_plan(config, volume=volume)


def count_sheets(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(n.startswith("xl/worksheets/sheet") for n in archive.namelist())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skills", type=int, default=200, help="number of skills (200)")
    parser.add_argument("--weeks", type=int, default=4, help="weeks of hourly intervals (4)")
    parser.add_argument("--no-peer", action="store_true", help="skip the pandas/openpyxl peer")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench_report_") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        plan = build_plan(args.skills, args.weeks, folder)
        n = len(plan.intervals)
        print(
            f"plan: {args.skills} skills x {args.weeks} weeks hourly = {n:,} skill-intervals "
            f"(built in {time.perf_counter() - t0:.1f} s, not counted below)"
        )

        with PeakRSS() as mem:
            t0 = time.perf_counter()
            path = write_workbook(plan, folder / "plan.xlsx")
            ours_s = time.perf_counter() - t0
        ours_mib = mem.peak_mib
        print(
            f"staffing.outputs.write_workbook  : {ours_s:7.2f} s  peak +{ours_mib:6.1f} MiB "
            f"(RSS {mem.start_mib + ours_mib:,.0f} MiB)  "
            f"file {path.stat().st_size / 2**20:5.1f} MiB  ({count_sheets(path)} sheets)  "
            f"open files {mem.start_fds} -> peak {mem.peak_fds}"
        )

        with PeakRSS() as mem:
            t0 = time.perf_counter()
            csv = write_intervals_csv(plan, folder / "plan.csv")
            csv_s = time.perf_counter() - t0
        print(
            f"staffing.outputs.write_intervals_csv: {csv_s:5.2f} s  peak +{mem.peak_mib:6.1f} MiB "
            f"(RSS {mem.start_mib + mem.peak_mib:,.0f} MiB)"
            f"  file {csv.stat().st_size / 2**20:5.1f} MiB"
        )

        if not args.no_peer:
            table = plan.intervals.copy()
            table["interval_start"] = table["interval_start"].dt.tz_localize(None)
            with PeakRSS() as mem:
                t0 = time.perf_counter()
                table.to_excel(folder / "peer.xlsx", index=False, engine="openpyxl")
                peer_s = time.perf_counter() - t0
            peer_mib = mem.peak_mib
            print(
                f"peer DataFrame.to_excel(openpyxl): {peer_s:6.2f} s  peak +{peer_mib:6.1f} MiB "
                f"(RSS {mem.start_mib + peer_mib:,.0f} MiB)"
                f"  file {(folder / 'peer.xlsx').stat().st_size / 2**20:5.1f} MiB"
                "  (intervals table only, unformatted)"
            )
            print(
                f"ratio peer / ours: time {peer_s / ours_s:.2f}x, "
                f"peak memory {peer_mib / max(ours_mib, 1e-9):.2f}x"
            )
        print(f"python {sys.version.split()[0]}, pandas {pd.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

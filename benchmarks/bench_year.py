"""Benchmark ``staffing plan`` end to end on a year: config file to written files.

The year-long case of issue 14: 200 skills x 52 weeks of hourly intervals = 1.75 million
interval rows (the plan of ``bench_plan.py``: the same method mix and synthetic history),
from a YAML config and a history CSV on disk through the command line, with the default
output choice: above ``INTERVALS_SHEET_MAX_ROWS`` (200,000) interval rows the workbook has
no Intervals sheet, above ``SKILL_SHEETS_MAX_ROWS`` (500,000) no sheet per skill either
(``output.skill_sheets: auto``; ``--skill-sheets always`` here sets ``always`` to time the
sheets), and the intervals CSV beside it holds the rows. Reports the wall time of
each stage (from the command's progress messages), the total, the CPU time of the process
(all its threads), the files' sizes and the peak memory (max RSS of the process).

The intervals CSV is written in a thread beside the workbook (its rows by pyarrow, outside
Python's lock), so on two cores the stage "writing the intervals CSV ... beside the
workbook" runs under the skill sheets'.

How cost grows: before the year, the same run at 1/16 and 1/4 of the skills, with the
fitted exponent of time against interval rows (``growth.py``), each size writing what the
year writes by default (no Intervals sheet, no skill sheets), after one untimed run of
the smallest size over 4 weeks (the one-time costs of a fresh process would otherwise
land on the first size only); ``--no-growth`` skips them and times the year in a fresh
process, as a planner's run is.

Usage::

    python benchmarks/bench_year.py [--skills 200] [--weeks 52] [--intervals auto]
        [--skill-sheets auto] [--no-growth]

Target (issue 22): under 30 s and under 1.5 GiB on 2 cores.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_plan import make_config, make_history
from growth import load_average, print_growth

from staffing.cli import main
from staffing.outputs.workbook import INTERVALS_SHEET_MAX_ROWS, SKILL_SHEETS_MAX_ROWS


def peak_rss_mib() -> float:
    """Max resident set size of this process so far [MiB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(skills: int, weeks: int, intervals: str, skill_sheets: str = "auto") -> dict:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = make_config(skills, weeks)
        config["nht"] = {"source": "file", "path": "history.csv", "history_weeks": 8}
        config["output"] = {**config.get("output", {}), "skill_sheets": skill_sheets}
        make_history(skills).to_csv(root / "history.csv", index=False)
        (root / "year.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        out = root / "out" / "year.xlsx"
        stages: list[tuple[float, str]] = []
        start, cpu = time.perf_counter(), time.process_time()

        class Clock(io.StringIO):
            def write(self, text: str) -> int:
                for line in text.splitlines():
                    if line.startswith("staffing plan: "):
                        stages.append((time.perf_counter() - start, line[15:]))
                return len(text)

        summary = io.StringIO()
        with contextlib.redirect_stderr(Clock()), contextlib.redirect_stdout(summary):
            status = main(
                ["plan", str(root / "year.yaml"), "--out", str(out), "--intervals", intervals]
            )
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
        if status != 0:
            raise SystemExit(f"staffing plan failed with status {status}")
        files = {p.name: p.stat().st_size / 2**20 for p in sorted(out.parent.iterdir())}
    return {
        "total_s": total,
        "cpu_s": cpu,
        "stages": stages,
        "files": files,
        "peak_mib": peak_rss_mib(),
        "warnings": [
            line
            for line in summary.getvalue().splitlines()
            if line.startswith(("warning: the workbook", "note: the workbook"))
        ],
    }


TARGET_S, TARGET_MIB = 30, 1536


def main_cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skills", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument(
        "--intervals", default="auto", choices=["auto", "workbook", "csv", "parquet", "none"]
    )
    parser.add_argument("--skill-sheets", default="auto", choices=["auto", "always", "never"])
    parser.add_argument("--no-growth", action="store_true", help="only the full size")
    args = parser.parse_args()
    print(load_average())
    sizes = [args.skills] if args.no_growth else [max(1, args.skills // 16), args.skills // 4]
    sizes = sorted({*sizes, args.skills})
    times, cpus = [], []
    # The smaller sizes write what the year writes (below the limits they would add the
    # Intervals sheet or the skill sheets by default: another workload).
    rows = args.skills * args.weeks * 7 * 24
    intervals, sheets = args.intervals, args.skill_sheets
    if intervals == "auto" and rows > INTERVALS_SHEET_MAX_ROWS:
        intervals = "csv"
    if sheets == "auto":
        sheets = "always" if rows <= SKILL_SHEETS_MAX_ROWS else "never"
    if len(sizes) > 1:  # the one-time costs (imports, compiled kernels) not in the first size
        run(sizes[0], min(args.weeks, 4), intervals, sheets)
    for skills in sizes:  # the full size last (its peak memory is then its own), as asked
        full = skills == args.skills
        result = run(
            skills,
            args.weeks,
            args.intervals if full else intervals,
            args.skill_sheets if full else sheets,
        )
        times.append(result["total_s"])
        cpus.append(result["cpu_s"])
    print(
        f"staffing plan, {args.skills} skills x {args.weeks} weeks hourly (~{rows:,} "
        f"interval rows), --intervals {args.intervals}, skill sheets {args.skill_sheets}"
    )
    previous = 0.0
    for at, stage in result["stages"]:
        print(f"  {at:7.1f} s  (+{at - previous:5.1f})  {stage}")
        previous = at
    for name, size in result["files"].items():
        print(f"  file {name}: {size:,.1f} MiB")
    for line in result["warnings"]:
        print(f"  {line}")
    met = result["total_s"] < TARGET_S and result["peak_mib"] < TARGET_MIB
    print(
        f"total {result['total_s']:.1f} s (CPU {result['cpu_s']:.1f} s, all threads), peak "
        f"memory {result['peak_mib']:,.0f} MiB (target: < {TARGET_S} s, < {TARGET_MIB} MiB: "
        f"{'met' if met else 'NOT met'})"
    )
    if len(sizes) > 1:
        rows_at = [s * args.weeks * 168 for s in sizes]
        print_growth("year wall", rows_at, times, unit="intervals")
        # CPU time (all threads) is the fairer curve on a loaded machine
        print_growth("year CPU", rows_at, cpus, unit="intervals")
    print(load_average())
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main_cli())

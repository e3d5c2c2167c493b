"""The CSV outputs: ``Plan.intervals`` as a flat file for pipelines, and a schedule's tables.

Columns are :data:`staffing.vocabulary.INTERVAL_COLUMNS` by name (then any extra columns
of the plan), not the planner-facing labels of the workbook. A
:class:`~staffing.shifts.schedule.Schedule` adds two files beside the intervals CSV
(:func:`schedule_csv_paths`): its ``shifts`` and its ``coverage`` table, columns by name.

Each ``write_*`` function checks its target and then writes; its ``save_*`` twin only writes,
for :func:`staffing.outputs.workbook.write_outputs`, which checks every target once first.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from staffing.errors import OutputError
from staffing.outputs.csv_text import write_csv
from staffing.outputs.output_set import OutputSet, staged_write
from staffing.outputs.safety import check_target, is_staffing_csv, starts_with
from staffing.outputs.view import PlanView
from staffing.shifts.schedule import COVERAGE_COLUMNS, SHIFT_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    from staffing.plan import Plan
    from staffing.shifts.schedule import Schedule

__all__ = [
    "COVERAGE_CSV_HEADER",
    "SHIFTS_CSV_HEADER",
    "check_parquet_target",
    "check_schedule_csvs",
    "is_staffing_parquet",
    "local_times",
    "save_intervals_csv",
    "save_intervals_csv_beside",
    "save_intervals_parquet",
    "save_schedule_csvs",
    "schedule_csv_paths",
    "write_intervals_csv",
    "write_intervals_parquet",
    "write_schedule_csvs",
]

#: How a shifts CSV written by this program begins.
SHIFTS_CSV_HEADER = ",".join(SHIFT_COLUMNS)
#: How a coverage CSV written by this program begins (``optimised`` may follow).
COVERAGE_CSV_HEADER = ",".join(COVERAGE_COLUMNS)
_SCHEDULE_HEADERS = {"shifts": SHIFTS_CSV_HEADER, "coverage": COVERAGE_CSV_HEADER}

_CHUNK_ROWS = 20_000
#: Key of the Parquet schema metadata that marks a file this program wrote.
PARQUET_GENERATOR_KEY = b"staffing.generator"


def write_intervals_csv(plan: Plan, path: str | os.PathLike, *, force: bool = False) -> Path:
    """Write ``plan.intervals`` as CSV, atomically, for pipelines.

    Column names are the DataFrame's (``skill_id, skill_name, interval_start, utc_offset,
    volume, nht_s, ...``); ``interval_start`` is local wall-clock time that Excel reads as a
    date (``2026-03-29 03:00:00``) and ``utc_offset`` beside it its offset from UTC
    (``+02:00``), so the file stays unambiguous across DST (:func:`local_times`); numbers
    keep full precision; an unstable cell's ``asa_s`` is ``inf``.

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    path : path
        Target CSV file; missing parent folders are created.
    force : bool
        Overwrite an existing file whose header is not this program's.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        The target is a directory, open or locked in another program, not an intervals CSV
        written by staffing (without ``force``), or the write failed; the previous file is
        then left as it was.
    DataError
        ``plan.intervals`` lacks a required column.
    """
    path = Path(path)
    check_target(
        path, force=force, ours=is_staffing_csv, what="an intervals CSV written by staffing"
    )
    return save_intervals_csv(PlanView.from_plan(plan), path)


def save_intervals_csv(
    view: PlanView, path: str | os.PathLike, *, files: OutputSet | None = None
) -> Path:
    """Write the intervals of a plan view as CSV, atomically, without checking the target.

    :func:`write_intervals_csv` on a view already built, for a caller that checked ``path``
    itself (:func:`staffing.outputs.workbook.write_outputs` checks every target first).

    Parameters
    ----------
    view : PlanView
        The plan.
    path : path
        Target CSV file; missing parent folders are created.
    files : OutputSet, optional
        The run's set of files: the CSV is renamed into place with the others
        (:func:`staffing.outputs.output_set.replace_together`); None: at once.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        The write failed; the previous file is then left as it was.
    """
    path = Path(path)
    frame = local_times(view.intervals)
    with staged_write(files, path) as tmp:
        write_csv(frame, tmp)
    return path


@contextlib.contextmanager
def save_intervals_csv_beside(
    view: PlanView, path: str | os.PathLike, files: OutputSet
) -> Iterator[Future[None]]:
    """Write the intervals CSV in a thread while the caller writes another file.

    :func:`save_intervals_csv` beside the workbook: the CSV's rows are written by pyarrow
    (when present) outside Python's lock (:func:`staffing.outputs.csv_text.write_csv`), so
    on two cores the CSV costs next to nothing of the run's wall time. The file is the same.

    Parameters
    ----------
    view : PlanView
        The plan.
    path : path
        Target CSV file (checked by the caller).
    files : OutputSet
        The run's set of files: the CSV is renamed into place with the others.

    Yields
    ------
    concurrent.futures.Future
        The write; the block ends by waiting for it. If the block raises, the write is
        stopped at its next chunk and its temporary file removed with the set's.

    Raises
    ------
    OutputError
        The write failed; the previous file is then left as it was.
    """
    cancel = threading.Event()

    def write(tmp: Path) -> None:
        write_csv(local_times(view.intervals), tmp, cancel=cancel)
        with open(tmp, "rb+") as fh:  # flushed here, not after the workbook
            os.fsync(fh.fileno())

    with (
        files.stage(path) as tmp,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="staffing-csv") as writer,
    ):
        job = writer.submit(write, tmp)
        try:
            yield job
        except BaseException:
            cancel.set()
            raise
        files.current = Path(path)  # what an error from now on was writing
        job.result()


def local_times(frame: pd.DataFrame, column: str = "interval_start") -> pd.DataFrame:
    """``frame`` with its tz-aware ``column`` as local wall-clock text Excel reads as a date,
    and the UTC offset of each time in a ``utc_offset`` column right after it.

    ``2026-03-02 00:00:00-05:00`` becomes ``2026-03-02 00:00:00`` and ``-05:00``: Excel
    opens the first as a date and time (a time with an offset it keeps as text), and the
    offset tells the two 01:00 rows of the day clocks go back apart. The instant is
    ``pd.to_datetime(frame[column] + frame["utc_offset"], utc=True)``.

    Parameters
    ----------
    frame : DataFrame
        A table with a tz-aware local ``column``.
    column : str
        The column of times.

    Returns
    -------
    DataFrame
        A new frame (the input is not changed); missing times are empty text.
    """
    # Each interval start repeats once per skill: format the distinct ones once (formatting
    # tz-aware times is most of a plain to_csv's time).
    codes, uniques = pd.factorize(frame[column])
    times = pd.DatetimeIndex(uniques)
    text = np.append(np.asarray(times.strftime("%Y-%m-%d %H:%M:%S"), dtype=object), "")
    raw = np.asarray(times.strftime("%z"), dtype=object)  # -0500
    offsets = np.append(np.array([f"{z[:3]}:{z[3:]}" if z else "" for z in raw], object), "")
    out = frame.assign(**{column: text[codes]})  # code -1 (NaT) takes the last: empty
    out.insert(list(out.columns).index(column) + 1, "utc_offset", offsets[codes])
    return out


def schedule_csv_paths(intervals_csv: str | os.PathLike) -> dict[str, Path]:
    """Where a schedule's CSVs go beside the intervals CSV ``intervals_csv``.

    ``<stem>-shifts.csv`` and ``<stem>-coverage.csv`` in the same folder, where ``<stem>``
    is the intervals CSV's name without its suffix and without a trailing ``-intervals``:
    ``out/example-intervals.csv`` gives ``out/example-shifts.csv`` and
    ``out/example-coverage.csv``; ``out/two-weeks.csv`` gives ``out/two-weeks-shifts.csv``.

    Parameters
    ----------
    intervals_csv : path
        The intervals CSV.

    Returns
    -------
    dict of str to Path
        ``{"shifts": ..., "coverage": ...}``.
    """
    path = Path(intervals_csv)
    stem = path.stem.removesuffix("-intervals") or path.stem
    return {name: path.with_name(f"{stem}-{name}.csv") for name in _SCHEDULE_HEADERS}


def check_schedule_csvs(intervals_csv: str | os.PathLike, *, force: bool = False) -> None:
    """Check, without writing, that a schedule's CSVs may be written beside ``intervals_csv``.

    Parameters
    ----------
    intervals_csv : path
        The intervals CSV they go beside (:func:`schedule_csv_paths`).
    force : bool
        Allow replacing existing files this program did not write.

    Raises
    ------
    OutputError
        A target is a directory, open or locked in another program, read-only, or (without
        ``force``) not a shifts or coverage CSV written by staffing.
    """
    for name, path in schedule_csv_paths(intervals_csv).items():
        header = _SCHEDULE_HEADERS[name]
        check_target(
            path,
            force=force,
            ours=functools.partial(starts_with, header=header),
            what=f"a {name} CSV written by staffing",
        )


def write_schedule_csvs(
    schedule: Schedule, intervals_csv: str | os.PathLike, *, force: bool = False
) -> list[Path]:
    """Write a schedule's shifts and coverage tables as CSVs beside ``intervals_csv``.

    Both targets are checked before either is written, and each is replaced atomically.
    Times are local with their UTC offset in one text (``2026-03-02 06:00:00-05:00``; the
    intervals CSV splits them in two columns, :func:`local_times`); ``date`` is the local
    date of the shift's start; numbers keep full precision. The shifts CSV has
    :data:`staffing.shifts.schedule.SHIFT_COLUMNS`, the
    coverage CSV :data:`staffing.shifts.schedule.COVERAGE_COLUMNS` (then ``optimised``
    when a given schedule was compared with optimised shifts).

    Parameters
    ----------
    schedule : staffing.shifts.schedule.Schedule
        The result of :func:`staffing.schedule`.
    intervals_csv : path
        The intervals CSV the files go beside (:func:`schedule_csv_paths`).
    force : bool
        Replace existing files this program did not write.

    Returns
    -------
    list of Path
        The shifts CSV, then the coverage CSV.

    Raises
    ------
    OutputError
        A target is refused (:func:`check_schedule_csvs`) or a write failed; the previous
        file is then left as it was.
    """
    check_schedule_csvs(intervals_csv, force=force)
    return save_schedule_csvs(schedule, intervals_csv)


def save_schedule_csvs(
    schedule: Schedule, intervals_csv: str | os.PathLike, *, files: OutputSet | None = None
) -> list[Path]:
    """:func:`write_schedule_csvs` without checking the targets (the caller checked them).

    Parameters
    ----------
    schedule : staffing.shifts.schedule.Schedule
        The result of :func:`staffing.schedule`.
    intervals_csv : path
        The intervals CSV the files go beside (:func:`schedule_csv_paths`).
    files : OutputSet, optional
        The run's set of files (renamed into place together); None: each at once.

    Returns
    -------
    list of Path
        The shifts CSV, then the coverage CSV.
    """
    paths = schedule_csv_paths(intervals_csv)
    frames = {"shifts": schedule.shifts, "coverage": schedule.coverage}
    for name, path in paths.items():
        with staged_write(files, path) as tmp:
            frames[name].to_csv(tmp, index=False, chunksize=_CHUNK_ROWS)
    return list(paths.values())


def write_intervals_parquet(plan: Plan, path: str | os.PathLike, *, force: bool = False) -> Path:
    """Write ``plan.intervals`` as Parquet, atomically (needs pyarrow: the ``parquet`` extra).

    The columns and types are those of the DataFrame (``interval_start`` tz-aware local,
    ``skill_name``, ``nht_basis`` and ``method`` categorical); a year of 15-minute intervals
    for 200 skills is about a tenth of its CSV and is read back in a second.

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    path : path
        Target ``.parquet`` file; missing parent folders are created.
    force : bool
        Overwrite an existing file this program did not write.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        pyarrow is not installed, or the target is refused or the write failed.
    """
    _pyarrow()
    path = Path(path)
    check_parquet_target(path, force=force)
    return save_intervals_parquet(PlanView.from_plan(plan), path)


def check_parquet_target(path: str | os.PathLike, *, force: bool = False) -> None:
    """Check, without writing, that the intervals Parquet file may be written to ``path``.

    Parameters
    ----------
    path : path
        The Parquet file.
    force : bool
        Allow replacing an existing file this program did not write.

    Raises
    ------
    OutputError
        The target is a directory, open or locked in another program, read-only, or
        (without ``force``) not a Parquet file written by staffing.
    """
    check_target(
        path, force=force, ours=is_staffing_parquet, what="a Parquet file written by staffing"
    )


def save_intervals_parquet(
    view: PlanView, path: str | os.PathLike, *, files: OutputSet | None = None
) -> Path:
    """:func:`write_intervals_parquet` of a plan view, without checking the target.

    Parameters
    ----------
    view : PlanView
        The plan.
    path : path
        Target ``.parquet`` file (checked by the caller: :func:`check_parquet_target`).
    files : OutputSet, optional
        The run's set of files (renamed into place together); None: at once.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        pyarrow is not installed, or the write failed.
    """
    pa, pq = _pyarrow()
    path = Path(path)
    table = pa.Table.from_pandas(view.intervals, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), PARQUET_GENERATOR_KEY: b"staffing"}
    )
    with staged_write(files, path) as tmp:
        pq.write_table(table, tmp)
    return path


def _pyarrow() -> tuple[ModuleType, ModuleType]:
    """pyarrow and pyarrow.parquet, or an OutputError naming the extra."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise OutputError(
            "Parquet output needs pyarrow, an optional extra: pip install 'staffing[parquet]'"
        ) from exc
    return pa, pq


def is_staffing_parquet(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a Parquet file this program wrote (its schema metadata says so).

    Parameters
    ----------
    path : path
        An existing file.

    Returns
    -------
    bool
        False also when pyarrow is missing or the file cannot be read.
    """
    try:
        import pyarrow.parquet as pq

        metadata = pq.read_schema(path).metadata or {}
    except Exception:  # not Parquet, unreadable, or no pyarrow
        return False
    return metadata.get(PARQUET_GENERATOR_KEY) == b"staffing"

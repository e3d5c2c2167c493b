"""Planner-facing outputs of a plan: the staffing workbook and the intervals CSV.

The workbook (xlsxwriter, read by Excel and LibreOffice) has these sheets:

``Summary``
    One row per skill plus a total (``Plan.summary()``), and a native line chart of the
    required FTE per interval in the first week (one series per skill, or the skills with the
    most FTE-hours when there are more than :data:`CHART_MAX_SERIES`), drawn from a block of
    chart data written below the table.
``Weekly`` (when the plan has weekly roll-ups)
    Per plan week, all skills and then each skill: volume, agent-hours, FTE-hours, FTE
    headcount, NHT, service level, abandonment and peak agents, with filters.
one sheet per skill
    A grid of local days (rows) by interval of the day (columns) of required FTE with a
    colour-scale heat map, and beside it the same grid of on-queue agents; totals per day and
    per interval of the day in FTE-hours and agent-hours.
``Intervals`` (``Intervals 2``, ...)
    The long table of ``Plan.intervals`` as an Excel table with filters, split across sheets
    before Excel's row limit (:data:`EXCEL_MAX_ROWS`).
``Assumptions``
    The plan's metadata (history window, sources, version, run time), the configuration as it
    was applied with every credential-like key redacted, the resolved settings per skill and
    the forecast backtest.

Times are the plan's local wall-clock times, written as real Excel datetimes (Excel has no
time zones, so the zone is named in the headers).

Every file is written to a temporary file beside the target and then renamed over it, so a
failure mid-write leaves the previous file untouched. An existing target that this program
did not write (recognised by the custom document property :data:`GENERATOR_PROPERTY`, or by
the CSV header) is only overwritten with ``force=True``.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import secrets
import stat
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_range

from staffing.errors import DataError, OutputError

#: Rows in one Excel worksheet. Tests lower it with monkeypatch to exercise the split cheaply.
EXCEL_MAX_ROWS = 1_048_576
#: Longest worksheet name Excel accepts, in UTF-16 code units.
SHEET_NAME_MAX = 31
#: Custom document property that marks a workbook as written by this program.
GENERATOR_PROPERTY = "staffing_generator"
#: Most series in the Summary chart; beyond this the skills with the most FTE-hours are drawn.
CHART_MAX_SERIES = 10
#: Rows (of 20 px) the Summary chart covers above the summary table.
SUMMARY_CHART_ROWS = 20

#: Columns of ``Plan.intervals``, in order (the CSV keeps these names for pipelines).
INTERVAL_COLUMNS = [
    "skill_id",
    "skill_name",
    "interval_start",
    "volume",
    "nht_s",
    "nht_basis",
    "workload_erlangs",
    "agents",
    "fte",
    "shrinkage",
    "service_level",
    "asa_s",
    "p_abandon",
    "occupancy",
    "method",
]

_CHUNK_ROWS = 50_000
_SETTING_WIDTH = 40  # characters of the Assumptions value column before text wraps
_CSV_HEADER_PREFIX = "skill_id,skill_name,interval_start"
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEET_NAMES = {"summary", "assumptions", "history"}
# Keys whose values are never written anywhere: LivePerson's OAuth1 key, secret, token and
# token secret, and anything else that looks like a credential.
_SECRET_KEY = re.compile(
    r"secret|token|passw|credential|auth|(?:^|_)key$|^key_|consumer", re.IGNORECASE
)
_REDACTED = "[redacted]"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

# Words that keep their capitals in column labels.
_LABEL_WORDS = {
    "id": "ID",
    "nht": "NHT",
    "asa": "ASA",
    "fte": "FTE",
    "sl": "SL",
    "wape": "WAPE",
    "kpi": "KPI",
}
_LABELS = {
    "skill_id": "Skill ID",
    "skill_name": "Skill",
    "volume": "Volume",
    "nht_s": "NHT [s]",
    "nht_basis": "NHT basis",
    "workload_erlangs": "Workload [Erlang]",
    "agents": "Agents",
    "fte": "FTE",
    "shrinkage": "Shrinkage",
    "service_level": "Service level",
    "asa_s": "ASA [s]",
    "p_abandon": "Abandonment",
    "occupancy": "Occupancy",
    "method": "Method",
}

# Number formats by kind.
_NUM_FORMATS = {
    "datetime": "ddd yyyy-mm-dd hh:mm",
    "date": "ddd yyyy-mm-dd",
    "time": "hh:mm",
    "percent": "0.0%",
    "seconds": '#,##0.0" s"',
    "fte": "#,##0.0",
    "erlang": "#,##0.00",
    "volume": "#,##0.0",
    "int": "#,##0",
    "id": "0",
    "float": "#,##0.00",
    "text": "@",
}
# Width in characters of a value shown with each date/time format.
_DATE_WIDTHS = {"datetime": 20, "date": 14, "time": 5}


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def write_outputs(
    plan: Any,
    out_path: str | os.PathLike,
    *,
    fmt: str = "xlsx",
    force: bool = False,
    csv_path: str | os.PathLike | None = None,
) -> list[Path]:
    """Write the outputs of a plan: the workbook (and optionally the CSV), or only the CSV.

    Every target is checked before anything is written, so a refusal writes nothing.

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    out_path : path
        The workbook (``fmt="xlsx"``, must end in ``.xlsx``) or the intervals CSV
        (``fmt="csv"``).
    fmt : {"xlsx", "csv"}
        Output format of ``out_path``.
    force : bool
        Overwrite existing files even when this program did not write them.
    csv_path : path, optional
        With ``fmt="xlsx"``: also write the intervals CSV here.

    Returns
    -------
    list of Path
        The files written, workbook first.

    Raises
    ------
    OutputError
        Unknown format, a target that is a directory, open in another program, not ours to
        overwrite, or a write that failed (the previous file is then left as it was).
    """
    kind = check_outputs(out_path, fmt=fmt, force=force, csv_path=csv_path)
    out_path = Path(out_path)
    if kind == "csv":
        return [write_intervals_csv(plan, out_path, force=force)]
    written = [write_workbook(plan, out_path, force=force)]
    if csv_path is not None:
        written.append(write_intervals_csv(plan, csv_path, force=force))
    return written


def check_outputs(
    out_path: str | os.PathLike,
    *,
    fmt: str = "xlsx",
    force: bool = False,
    csv_path: str | os.PathLike | None = None,
) -> str:
    """Check, without writing, that :func:`write_outputs` may write these targets.

    A command can call this before a long planning run so that a refused target fails in
    a second, not after the run.

    Parameters
    ----------
    out_path : path
        The workbook (``fmt="xlsx"``, must end in ``.xlsx``) or the intervals CSV
        (``fmt="csv"``, must not end like a spreadsheet).
    fmt : {"xlsx", "csv"}
        Output format of ``out_path``; case and a leading dot are ignored.
    force : bool
        Allow overwriting existing files this program did not write.
    csv_path : path, optional
        With ``fmt="xlsx"``: the intervals CSV also to be written (ignored with ``"csv"``).

    Returns
    -------
    str
        The normalised format, ``"xlsx"`` or ``"csv"``.

    Raises
    ------
    OutputError
        As :func:`write_outputs`: an unknown format, a wrong suffix, a target that is a
        directory, open or locked in another program, read-only or not ours to overwrite,
        or a CSV path equal to the workbook path.
    """
    kind = str(fmt).lower().lstrip(".")
    if kind not in ("xlsx", "csv"):
        raise OutputError(f"unknown output format {fmt!r}: use 'xlsx' or 'csv'")
    out_path = Path(out_path)
    if kind == "csv":
        if out_path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
            raise OutputError(f"CSV output to {out_path} would look like a spreadsheet; use .csv")
        _preflight(out_path, "csv", force)
        return kind
    _check_workbook_suffix(out_path)
    _preflight(out_path, "xlsx", force)
    if csv_path is not None:
        csv_path = Path(csv_path)
        if csv_path.resolve() == out_path.resolve():
            raise OutputError(f"the CSV path and the workbook path are the same file: {out_path}")
        _preflight(csv_path, "csv", force)
    return kind


def write_workbook(plan: Any, path: str | os.PathLike, *, force: bool = False) -> Path:
    """Write the staffing workbook of a plan, atomically.

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    path : path
        Target ``.xlsx`` file; missing parent folders are created.
    force : bool
        Overwrite an existing file even when it is not a workbook written by this program.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        The target is a directory, open in a spreadsheet program (lock file or file lock),
        not a staffing workbook (without ``force``), or the write failed; in every case the
        previous file is left byte-identical.
    DataError
        ``plan.intervals`` lacks a required column.

    Notes
    -----
    The workbook is written in xlsxwriter's ``constant_memory`` mode (one row in memory per
    sheet), so a year of hourly intervals for hundreds of skills fits in modest memory.
    """
    path = Path(path)
    _check_workbook_suffix(path)
    _preflight(path, "xlsx", force)
    view = _PlanView.from_plan(plan, with_summary=True)
    with _atomic_replace(path) as tmp:
        _build_workbook(view, tmp)
    return path


def write_intervals_csv(plan: Any, path: str | os.PathLike, *, force: bool = False) -> Path:
    """Write ``plan.intervals`` as CSV, atomically, for pipelines.

    Column names are the DataFrame's (``skill_id, skill_name, interval_start, volume, nht_s,
    ...``); ``interval_start`` is local time with its UTC offset (``2026-03-29 03:00:00+02:00``)
    so it stays unambiguous across DST; numbers keep full precision; an unstable cell's
    ``asa_s`` is ``inf``.

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
        As :func:`write_workbook`.
    """
    path = Path(path)
    _preflight(path, "csv", force)
    view = _PlanView.from_plan(plan)
    with _atomic_replace(path) as tmp:
        view.intervals.to_csv(tmp, index=False, chunksize=20_000)
    return path


def interval_grid(plan: Any, skill: Any, column: str = "fte") -> pd.DataFrame:
    """A day x interval-of-day grid of one skill's column, in local time.

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    skill : int or str
        Skill id or skill name.
    column : str
        Column of ``plan.intervals`` to lay out (``fte`` [FTE], ``agents``, ``volume``, ...).

    Returns
    -------
    DataFrame
        Index: local dates (``datetime.date``); columns: the start of each interval of the day
        (``datetime.time``, every slot of the day even if unplanned). Missing intervals are NaN.
        On the day clocks go back, the repeated clock time holds the larger of its two
        intervals; on the day they go forward, the skipped time is NaN.

    Raises
    ------
    DataError
        Unknown skill or column.
    """
    view = _PlanView.from_plan(plan)
    rows = view.skill_rows(skill)
    if column not in rows.columns:
        raise DataError(f"plan.intervals has no column {column!r}")
    return _grid(rows, column, view.interval_minutes)[0]


def sheet_names(names: Sequence[str], reserved: Sequence[str] = ()) -> list[str]:
    """Excel-safe, unique worksheet names for ``names``, in the same order.

    Characters Excel forbids (``[ ] : * ? / \\``) become ``_``; leading and trailing
    apostrophes and spaces are dropped; names are cut to 31 UTF-16 code units; a name equal
    (case-insensitively, as Excel compares) to an earlier one, to ``reserved``, to
    ``Summary`` or ``Assumptions`` (sheets of every workbook) or to ``History`` (reserved
    by Excel) gets a
    `` (2)``, `` (3)``, ... suffix within the limit; an empty name becomes ``Sheet``.

    Parameters
    ----------
    names : sequence of str
        The wanted names (e.g. skill names); other values are turned into text.
    reserved : sequence of str
        Names already taken in the workbook.

    Returns
    -------
    list of str
        One name per entry of ``names``.
    """
    taken = {r.casefold() for r in reserved} | _RESERVED_SHEET_NAMES
    out = []
    for raw in names:
        base = _INVALID_SHEET_CHARS.sub("_", str(raw)).strip().strip("'").strip() or "Sheet"
        name = _cut_utf16(base, SHEET_NAME_MAX)
        number = 1
        while name.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            name = _cut_utf16(base, SHEET_NAME_MAX - len(suffix)).rstrip().rstrip("'") + suffix
        taken.add(name.casefold())
        out.append(name)
    return out


# --------------------------------------------------------------------------------------------
# Safety: checks before writing, atomic replace
# --------------------------------------------------------------------------------------------


def _check_workbook_suffix(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise OutputError(
            f"workbook path {path} must end in .xlsx (spreadsheet programs decide the format by it)"
        )


def _lock_files(path: Path) -> list[Path]:
    """Lock files that LibreOffice and Excel create beside a document they have open."""
    names = [f".~lock.{path.name}#", f"~${path.name}", f"~${path.name[2:]}"]
    return [path.with_name(n) for n in dict.fromkeys(names)]


def _preflight(path: Path, kind: str, force: bool) -> None:
    """Refuse, before writing anything, a target that must not be replaced."""
    if path.is_dir():
        raise OutputError(f"{path} is a directory; give a file name")
    for lock in _lock_files(path):
        if lock.exists():
            raise OutputError(
                f"{path} is open in a spreadsheet program (lock file {lock.name}); "
                "close it and run again"
            )
    if not path.exists():
        return
    if not os.access(path, os.W_OK):
        raise OutputError(f"{path} is read-only; make it writable or choose another path")
    _check_not_locked(path)
    if force:
        return
    if kind == "xlsx" and not _is_staffing_workbook(path):
        raise OutputError(
            f"refusing to overwrite {path}: it is not a workbook written by staffing "
            "(use --force, or force=True, to overwrite it)"
        )
    if kind == "csv" and not _is_staffing_csv(path):
        raise OutputError(
            f"refusing to overwrite {path}: it is not an intervals CSV written by staffing "
            "(use --force, or force=True, to overwrite it)"
        )


def _check_not_locked(path: Path) -> None:
    """Raise OutputError when another process holds an exclusive lock on ``path`` (POSIX)."""
    try:
        import fcntl
    except ImportError:  # Windows: an open file makes os.replace fail, handled there
        return
    try:
        with open(path, "rb") as fh:
            try:
                fcntl.lockf(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError as exc:
                raise OutputError(
                    f"{path} is locked by another program; close it and run again"
                ) from exc
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _is_staffing_workbook(path: Path) -> bool:
    """True when ``path`` is an xlsx file carrying our custom document property."""
    try:
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("docProps/custom.xml")
        root = ElementTree.fromstring(xml)
    except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError):
        return False
    return any(prop.get("name") == GENERATOR_PROPERTY for prop in root)


def _is_staffing_csv(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_CSV_HEADER_PREFIX) + 3)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf").startswith(_CSV_HEADER_PREFIX.encode())


@contextlib.contextmanager
def _atomic_replace(path: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``path``; rename it over ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left as it was. OS errors
    (disk full, permissions) become :class:`OutputError` naming the target.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder of {path}: {exc.strerror or exc}") from exc
    tmp = _create_temp_beside(path)
    try:
        try:
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            if path.exists():
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
            try:
                os.replace(tmp, path)
            except PermissionError as exc:
                raise OutputError(
                    f"cannot replace {path}: {exc.strerror or exc} (is it open in another program?)"
                ) from exc
        except XlsxWriterException as exc:
            raise OutputError(f"cannot write {path}: {exc}") from exc
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def _create_temp_beside(path: Path) -> Path:
    """Create an empty, uniquely named file beside ``path`` with the default permissions."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"cannot write beside {path}: {exc.strerror or exc}") from exc
        os.close(fd)
        return tmp
    raise OutputError(f"cannot create a temporary file beside {path}")


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable where the platform allows opening a directory."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------------------------------
# The plan, normalised
# --------------------------------------------------------------------------------------------


@dataclass
class _PlanView:
    """What the writers need from a Plan, checked and converted once."""

    name: str
    timezone: str
    interval_minutes: int
    intervals: pd.DataFrame
    summary: pd.DataFrame | None = None
    skills: pd.DataFrame | None = None
    backtest: pd.DataFrame | None = None
    weekly: pd.DataFrame | None = None
    weekly_total: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)
    config: Any = None

    @classmethod
    def from_plan(cls, plan: Any, with_summary: bool = False) -> _PlanView:
        intervals = getattr(plan, "intervals", None)
        if not isinstance(intervals, pd.DataFrame):
            raise DataError("the plan has no intervals table (plan.intervals)")
        missing = [c for c in INTERVAL_COLUMNS if c not in intervals.columns]
        if missing:
            raise DataError("plan.intervals lacks the columns " + ", ".join(missing))
        meta = dict(getattr(plan, "meta", None) or {})
        config = getattr(plan, "config", None)
        plan_section = getattr(config, "plan", None)

        starts = intervals["interval_start"]
        if not isinstance(starts.dtype, pd.DatetimeTZDtype):
            try:
                starts = pd.to_datetime(starts)
            except (TypeError, ValueError) as exc:
                raise DataError(f"plan.intervals.interval_start is not a time: {exc}") from exc
        timezone = (
            meta.get("timezone")
            or getattr(plan_section, "timezone", None)
            or (str(starts.dt.tz) if starts.dt.tz is not None else "UTC")
        )
        try:
            if starts.dt.tz is None:  # naive: already local wall-clock time
                starts = starts.dt.tz_localize(
                    str(timezone), ambiguous="infer", nonexistent="raise"
                )
            else:
                starts = starts.dt.tz_convert(str(timezone))
        except (ValueError, TypeError, KeyError) as exc:  # pytz/zoneinfo errors are ValueErrors
            raise DataError(
                f"plan.intervals.interval_start cannot be read as {timezone} local time: {exc}"
            ) from exc
        intervals = intervals.assign(interval_start=starts)  # copy-on-write: no data copied

        minutes = meta.get("interval_minutes") or getattr(plan_section, "interval_minutes", None)
        if not minutes:
            diffs = intervals.groupby("skill_id", sort=False)["interval_start"].diff().dropna()
            minutes = int(diffs.min() / pd.Timedelta(minutes=1)) if len(diffs) else 60
        name = meta.get("name") or meta.get("plan_name") or getattr(plan_section, "name", None)

        summary = getattr(plan, "summary", None) if with_summary else None
        if callable(summary):
            summary = summary()
        return cls(
            name=str(name or "plan"),
            timezone=str(timezone),
            interval_minutes=int(minutes),
            intervals=intervals,
            summary=summary if isinstance(summary, pd.DataFrame) else None,
            skills=_frame_or_none(getattr(plan, "skills", None)),
            backtest=_frame_or_none(getattr(plan, "backtest", None)),
            weekly=_frame_or_none(getattr(plan, "weekly", None)),
            weekly_total=_frame_or_none(getattr(plan, "weekly_total", None)),
            meta=meta,
            config=config,
        )

    def skill_order(self) -> pd.DataFrame:
        """Skills in their order of first appearance: columns skill_id, skill_name."""
        return self.intervals[["skill_id", "skill_name"]].drop_duplicates("skill_id")

    def skill_rows(self, skill: Any) -> pd.DataFrame:
        """The intervals of one skill, given its id or its name."""
        ids = self.intervals["skill_id"]
        mask = ids == skill
        if not mask.any():
            mask = ids.astype(str) == str(skill)
        if not mask.any():
            mask = self.intervals["skill_name"].astype(str) == str(skill)
        if not mask.any():
            known = self.skill_order()
            listed = ", ".join(f"{i} ({n})" for i, n in known.head(12).itertuples(index=False))
            more = " ..." if len(known) > 12 else ""
            raise DataError(f"no skill {skill!r} in the plan; skills: {listed}{more}")
        return self.intervals.loc[mask]


def _frame_or_none(value: Any) -> pd.DataFrame | None:
    return value if isinstance(value, pd.DataFrame) and len(value.columns) else None


def _grid(rows: pd.DataFrame, column: str, interval_minutes: int) -> tuple[pd.DataFrame, dict]:
    """Lay out one skill's column as local days x intervals of the day.

    Returns the grid (clock-time cells, the larger of a repeated clock time) and exact totals
    per day, per slot and overall of ``column x interval hours``, counting every interval.
    """
    local = rows["interval_start"].dt.tz_localize(None)
    values = pd.to_numeric(rows[column], errors="coerce").to_numpy(float, na_value=np.nan)
    slots = list(range(0, 24 * 60, interval_minutes))
    if len(local):
        midnight = local.dt.normalize()
        first = midnight.min()
        day_pos = ((midnight - first) // pd.Timedelta(days=1)).to_numpy(np.int64)
        dates = pd.date_range(first, periods=int(day_pos.max()) + 1, freq="D").date
    else:
        day_pos, dates = np.zeros(0, np.int64), []
    slot_pos = ((local.dt.hour * 60 + local.dt.minute) // interval_minutes).to_numpy(np.int64)
    cells = np.full((len(dates), len(slots)), -np.inf)
    np.fmax.at(cells, (day_pos, slot_pos), values)  # fmax skips NaN
    cells[np.isneginf(cells)] = np.nan
    grid = pd.DataFrame(
        cells,
        index=pd.Index(dates, name="date"),
        columns=[time(m // 60, m % 60) for m in slots],
    )
    hours = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0) * (interval_minutes / 60)
    totals = {
        "day": np.bincount(day_pos, weights=hours, minlength=len(dates)),
        "slot": np.bincount(slot_pos, weights=hours, minlength=len(slots)),
        "all": float(hours.sum()),
    }
    return grid, totals


# --------------------------------------------------------------------------------------------
# Workbook
# --------------------------------------------------------------------------------------------


class _Formats:
    """Cached xlsxwriter formats by (number format kind, bold)."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self._wb = workbook
        self._cache: dict[tuple, Any] = {}
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.note = workbook.add_format({"italic": True, "font_color": "#555555"})
        self.section = workbook.add_format({"bold": True, "font_size": 12})
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    def get(
        self, kind: str | None, bold: bool = False, header: bool = False, left: bool = False
    ) -> Any:
        key = (kind, bold, header, left)
        if key not in self._cache:
            props: dict[str, Any] = {}
            if kind and kind != "text":
                props["num_format"] = _NUM_FORMATS[kind]
            if bold:
                props["bold"] = True
            if left:
                props["align"] = "left"
            if header:
                props.update({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
            self._cache[key] = self._wb.add_format(props) if props else None
        return self._cache[key]


class _Widths:
    """Widest content seen per column of one sheet, applied at the end."""

    def __init__(self) -> None:
        self.chars: dict[int, float] = {}

    def see(self, col: int, chars: float) -> None:
        if chars > self.chars.get(col, 0):
            self.chars[col] = chars

    def apply(self, ws: Any, minimum: float = 4, maximum: float = 60) -> None:
        for col, chars in self.chars.items():
            ws.set_column(col, col, min(max(chars + 2, minimum), maximum))


@dataclass
class _Column:
    """One column prepared for fast row-wise writing."""

    label: str
    kind: str | None  # key of _NUM_FORMATS, or None for text
    values: list
    writer: str  # "number" or "string" when every value is one (or None), else "any"
    width: float


def _kind_of(name: str, series: pd.Series) -> str | None:
    """The number format kind of a column, from its dtype and the units in its name."""
    lname = str(name).lower()
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(
        series.dtype
    ):
        return "datetime"
    if pd.api.types.is_bool_dtype(series.dtype):
        return None
    if not pd.api.types.is_numeric_dtype(series.dtype):
        sample = series.dropna()
        if len(sample) and isinstance(sample.iloc[0], (datetime, pd.Timestamp)):
            return "datetime"
        if len(sample) and isinstance(sample.iloc[0], date):
            return "date"
        return None
    if lname == "id" or lname.endswith("_id"):
        return "id"
    if lname.endswith("_s") or lname.endswith("_seconds"):
        return "seconds"
    if re.search(r"service_level|abandon|occupancy|shrinkage|wape|percent|share|target", lname):
        return "percent"
    if re.search(r"erlang", lname):
        return "erlang"
    if re.search(r"fte|headcount|hours", lname):
        return "fte"
    if re.search(r"volume|arrivals|segments", lname):
        return "volume"
    if pd.api.types.is_integer_dtype(series.dtype):
        return "int"
    if re.search(r"agents|concurrency|minutes|weeks", lname):
        return "int"
    return "float"


def _label(name: str, timezone: str | None = None) -> str:
    """A planner-facing column label with its unit."""
    text = str(name)
    if text in _LABELS:
        label = _LABELS[text]
    else:
        words = text.split("_")
        unit = ""
        if len(words) > 1 and words[-1] in ("s", "seconds"):
            words, unit = words[:-1], " [s]"
        label = " ".join(_LABEL_WORDS.get(w.lower(), w) for w in words if w) + unit
        label = label[:1].upper() + label[1:]
    if timezone:
        label += f" ({timezone})"
    return label


def _excel_serial(series: pd.Series, timezone: str) -> np.ndarray:
    """Excel serial day numbers of local wall-clock times (NaN where missing)."""
    values = series
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = pd.to_datetime(values, utc=None)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert(timezone).dt.tz_localize(None)
    return ((values - _EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(float)


def _scalar_serial(value: Any, timezone: str) -> float | None:
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(timezone).tz_localize(None)
    return (stamp - _EXCEL_EPOCH) / pd.Timedelta(days=1)


def _number_width(values: np.ndarray, kind: str | None) -> float:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 4
    biggest = float(np.max(np.abs(finite)))
    decimals = {"percent": 1, "seconds": 1, "fte": 1, "volume": 1, "erlang": 2, "float": 2}
    text = f"{biggest * (100 if kind == 'percent' else 1):,.{decimals.get(kind or '', 0)}f}"
    extra = {"percent": 1, "seconds": 2}.get(kind or "", 0)
    return len(text) + extra + (1 if np.min(finite) < 0 else 0)


def _prepare(frame: pd.DataFrame, timezone: str, label_tz: bool = True) -> list[_Column]:
    """Convert each column once into Python values ready for xlsxwriter."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        kind = _kind_of(name, series)
        label = _label(name, timezone if (label_tz and kind in ("datetime", "date")) else None)
        if kind in ("datetime", "date"):
            if kind == "date":
                series = pd.to_datetime(series)
            serial = _excel_serial(series, timezone)
            values = [None if math.isnan(v) else v for v in serial.tolist()]
            columns.append(_Column(label, kind, values, "number", _DATE_WIDTHS[kind]))
        elif kind is not None:
            array = pd.to_numeric(series, errors="coerce").to_numpy(float, na_value=np.nan)
            finite = np.isfinite(array)
            if finite.all():
                values, writer = array.tolist(), "number"
            else:
                # NaN -> blank cell; +-inf (an unstable queue's ASA) -> the text "inf".
                values = [
                    v if f else (None if math.isnan(v) else ("inf" if v > 0 else "-inf"))
                    for v, f in zip(array.tolist(), finite.tolist(), strict=True)
                ]
                writer = "any"
            columns.append(_Column(label, kind, values, writer, _number_width(array, kind)))
        else:
            values = [None if _is_missing(v) else v for v in series.tolist()]
            uniques = {str(v) for v in values if v is not None}
            width = max((len(u) for u in uniques), default=0)
            writer = "string" if all(isinstance(v, str) for v in values) else "any"
            columns.append(_Column(label, None, values, writer, width))
    return columns


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _write_cell(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    """Write one value of any type (None writes nothing)."""
    if value is None:
        return
    if isinstance(value, (bool, np.bool_)):
        ws.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if math.isfinite(number):
            ws.write_number(row, col, number, fmt)
        elif not math.isnan(number):
            ws.write_string(row, col, "inf" if number > 0 else "-inf", fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _write_rows(
    ws: Any,
    columns: list[_Column],
    first_row: int,
    start: int,
    stop: int,
    formats: _Formats,
    first_col: int = 0,
    bold_rows: set[int] | None = None,
) -> None:
    """Write records ``start:stop`` of ``columns`` from ``first_row`` down, row by row."""
    plain = [formats.get(c.kind) for c in columns]
    bold = [formats.get(c.kind, bold=True) for c in columns]
    writers = [c.writer for c in columns]
    lists = [c.values for c in columns]
    write_number, write_string = ws.write_number, ws.write_string
    cols = list(range(first_col, first_col + len(columns)))
    for offset, i in enumerate(range(start, stop)):
        row = first_row + offset
        fmts = bold if bold_rows and i in bold_rows else plain
        for j, col in enumerate(cols):
            value = lists[j][i]
            if value is None:
                continue
            if writers[j] == "number":
                write_number(row, col, value, fmts[j])
            elif writers[j] == "string":
                write_string(row, col, value, fmts[j])
            else:
                _write_cell(ws, row, col, value, fmts[j])


def _write_frame(
    ws: Any,
    frame: pd.DataFrame,
    row: int,
    formats: _Formats,
    widths: _Widths,
    timezone: str,
    bold_rows: set[int] | None = None,
) -> int:
    """Write a header and the rows of ``frame`` starting at ``row``; return the next free row."""
    columns = _prepare(frame, timezone)
    for col, column in enumerate(columns):
        ws.write_string(row, col, column.label, formats.header)
        widths.see(col, max(column.width, min(len(column.label), 40)))
    _write_rows(ws, columns, row + 1, 0, len(frame), formats, bold_rows=bold_rows)
    return row + 1 + len(frame)


def _program_version() -> str:
    import staffing

    return str(getattr(staffing, "__version__", "0+unknown"))


def _build_workbook(view: _PlanView, filename: Path) -> None:
    workbook = xlsxwriter.Workbook(
        str(filename), {"constant_memory": True, "strings_to_numbers": False}
    )
    try:
        formats = _Formats(workbook)
        version = str(view.meta.get("version") or _program_version())
        workbook.set_properties(
            {
                "title": f"Staffing plan: {view.name}",
                "subject": "Required on-queue agents and FTE per skill and interval",
                "comments": f"Times are local to {view.timezone}.",
            }
        )
        workbook.set_custom_property(GENERATOR_PROPERTY, f"staffing {version}")

        skills = view.skill_order()
        interval_sheets = max(1, math.ceil(len(view.intervals) / _rows_per_interval_sheet()))
        reserved = ["Summary", "Weekly", "Assumptions"] + [
            "Intervals" if i == 0 else f"Intervals {i + 1}" for i in range(interval_sheets)
        ]
        names = sheet_names(
            [n if str(n) else str(i) for i, n in skills.itertuples(index=False)], reserved=reserved
        )

        summary_ws = workbook.add_worksheet("Summary")
        _write_summary(workbook, summary_ws, view, formats, version)
        _release(summary_ws)
        if view.weekly is not None or view.weekly_total is not None:
            weekly_ws = workbook.add_worksheet("Weekly")
            _write_weekly(weekly_ws, view, formats)
            _release(weekly_ws)
        grouped = view.intervals.groupby("skill_id", sort=False)  # one skill copied at a time
        for (skill_id, skill_name), sheet in zip(
            skills.itertuples(index=False), names, strict=True
        ):
            ws = workbook.add_worksheet(sheet)
            rows = grouped.get_group(skill_id)
            _write_skill_sheet(ws, rows, skill_id, skill_name, view, formats)
            _release(ws)
        _write_intervals(workbook, view, formats)
        _write_assumptions(workbook.add_worksheet("Assumptions"), view, formats, version)
        workbook.close()
    except BaseException:
        _discard(workbook)
        raise


def _release(ws: Any) -> None:
    """Close a finished sheet's row file; xlsxwriter reopens it when it assembles the file.

    In constant_memory mode every sheet keeps a temporary file open until the workbook is
    closed: 200 skills would hold 200 descriptors, beyond macOS's default limit of 256 once
    a few hundred skills are planned. Only call this once nothing more is written to ``ws``.
    """
    close = getattr(ws, "_opt_close", None)
    if getattr(ws, "constant_memory", False) and callable(close):
        close()


def _discard(workbook: xlsxwriter.Workbook) -> None:
    """Remove the row files constant_memory mode keeps for a workbook that is not closed."""
    for ws in workbook.worksheets():
        handle = getattr(ws, "row_data_fh", None)
        name = getattr(ws, "row_data_filename", None)
        with contextlib.suppress(OSError, AttributeError, ValueError):
            if handle is not None:
                handle.close()
            if name:
                os.unlink(name)


def _rows_per_interval_sheet() -> int:
    return EXCEL_MAX_ROWS - 1  # one header row


def _write_summary(
    workbook: Any, ws: Any, view: _PlanView, formats: _Formats, version: str
) -> None:
    widths = _Widths()
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, f"Staffing plan: {view.name}", formats.title)
    starts = view.intervals["interval_start"]
    if len(starts):
        first, last = starts.min(), starts.max()
        span = f"{first:%a %Y-%m-%d} to {last:%a %Y-%m-%d}"
    else:
        span = "no intervals"
    ws.write_string(
        1,
        0,
        f"{span}; {view.interval_minutes}-minute intervals; times are local to {view.timezone}; "
        f"staffing {version}",
        formats.note,
    )
    # Pictures before tables: the chart sits on top, the summary below it, the chart's data
    # at the bottom.
    intervals = view.intervals
    row = 3 + (SUMMARY_CHART_ROWS + 1 if len(intervals) else 0)
    if view.summary is not None:
        summary = _with_agent_hours(view.summary.reset_index(drop=True), view)
        bold = _total_rows(summary)
        ws.repeat_rows(row)
        row = _write_frame(ws, summary, row, formats, widths, view.timezone, bold_rows=bold)
    row += 1

    # Chart data: required FTE per interval over the first local week, for the chart skills.
    if len(intervals):
        t0 = intervals["interval_start"].min()
        week = intervals[intervals["interval_start"] < t0 + pd.DateOffset(days=7)]
        wide = week.pivot_table(
            index="interval_start", columns="skill_id", values="fte", aggfunc="sum", sort=False
        )
        load = wide.sum().sort_values(ascending=False, kind="stable")
        chosen = list(load.index[:CHART_MAX_SERIES])
        order = [s for s in view.skill_order()["skill_id"] if s in chosen]
        wide = wide[order].sort_index()
        skill_names = dict(view.skill_order().itertuples(index=False))
        n_all = intervals["skill_id"].nunique()
        title = "Required FTE per interval, first week"
        if n_all > len(order):
            title += f" ({len(order)} of {n_all} skills with the most FTE-hours)"
        ws.write_string(row, 0, title + " (chart data)", formats.section)
        row += 1
        header_row = row
        ws.write_string(header_row, 0, f"Interval start ({view.timezone})", formats.header)
        for j, skill in enumerate(order, start=1):
            ws.write_string(header_row, j, str(skill_names[skill]), formats.header)
            widths.see(j, min(len(str(skill_names[skill])), 16))
        frame = wide.reset_index()
        frame.columns = ["interval_start", *[f"fte_{j}" for j in range(len(order))]]
        columns = _prepare(frame, view.timezone)
        _write_rows(ws, columns, header_row + 1, 0, len(frame), formats)
        widths.see(0, max(_DATE_WIDTHS["datetime"], len(f"Interval start ({view.timezone})")))
        first_data, last_data = header_row + 1, header_row + len(frame)

        chart = workbook.add_chart({"type": "line"})
        for j in range(1, len(order) + 1):
            chart.add_series(
                {
                    "name": ["Summary", header_row, j],
                    "categories": ["Summary", first_data, 0, last_data, 0],
                    "values": ["Summary", first_data, j, last_data, j],
                    "line": {"width": 1.25},
                }
            )
        chart.set_title({"name": title, "name_font": {"size": 11}})
        # A category axis: a date axis would bin the hourly points into whole days.
        per_day = max(1, round(1440 / view.interval_minutes))
        chart.set_x_axis(
            {
                "text_axis": True,
                "num_format": "ddd dd hh:mm",
                "num_font": {"rotation": -45, "size": 8},
                "interval_unit": max(1, per_day // 2),
                "interval_tick": max(1, per_day // 2),
                "name": f"Local time ({view.timezone})",
            }
        )
        chart.set_y_axis({"name": "Required FTE", "min": 0, "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 960, "height": SUMMARY_CHART_ROWS * 20})
        ws.insert_chart(3, 0, chart, {"object_position": 3})
    widths.apply(ws)


def _write_weekly(ws: Any, view: _PlanView, formats: _Formats) -> None:
    """Per-week roll-ups in one filterable table: all skills first, then every skill."""
    widths = _Widths()
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, f"Weekly requirements of plan {view.name}", formats.title)
    ws.write_string(
        1,
        0,
        f"Weeks start on the plan's first day ({view.timezone}). FTE headcount = FTE-hours / "
        "contracted hours per FTE per week; NHT, service level and abandonment are "
        "volume-weighted.",
        formats.note,
    )
    # One table, so both share columns and filters: all skills first (bold), then each skill.
    parts = []
    if view.weekly_total is not None:
        total = view.weekly_total.copy()
        if view.weekly is not None and "skill_id" in view.weekly.columns:
            total.insert(0, "skill_id", pd.array([pd.NA] * len(total), dtype="Int64"))
            total.insert(1, "skill_name", "All skills")
        parts.append(total)
    if view.weekly is not None:
        parts.append(view.weekly)
    frame = pd.concat(parts, ignore_index=True)
    columns = list(view.weekly.columns) if view.weekly is not None else list(frame.columns)
    frame = frame[columns + [c for c in frame.columns if c not in columns]]
    header = 3
    n_total = len(view.weekly_total) if view.weekly_total is not None else 0
    end = _write_frame(
        ws, frame, header, formats, widths, view.timezone, bold_rows=set(range(n_total))
    )
    if len(frame):
        ws.autofilter(header, 0, end - 1, len(frame.columns) - 1)
        widths.see(0, 12)  # room for the filter button
    ws.freeze_panes(header + 1, 0)
    ws.repeat_rows(header)
    widths.apply(ws)


def _with_agent_hours(summary: pd.DataFrame, view: _PlanView) -> pd.DataFrame:
    """Add weekly on-queue agent-hours per skill (and their sum on total rows) when missing."""
    if "skill_id" not in summary.columns or any("agent_hours" in str(c) for c in summary.columns):
        return summary
    iv = view.intervals
    days = view.meta.get("days") or iv["interval_start"].dt.normalize().nunique()
    weeks = max(float(days), 1.0) / 7.0
    hours = iv["agents"].astype(float) * view.interval_minutes / 60.0
    per_skill = hours.groupby(iv["skill_id"].to_numpy(), sort=False).sum() / weeks
    values = summary["skill_id"].map(per_skill).astype(float)
    values[sorted(_total_rows(summary))] = float(per_skill.sum())
    after = "peak_at" if "peak_at" in summary.columns else summary.columns[-1]
    out = summary.copy()
    out.insert(list(out.columns).index(after) + 1, "weekly_agent_hours", values.to_numpy())
    return out


def _total_rows(summary: pd.DataFrame) -> set[int]:
    """Rows of a summary that are totals (bold): a skill id or name saying total or all."""
    rows = set()
    for col in ("skill_id", "skill_name", "skill"):
        if col in summary.columns:
            text = summary[col].astype(str).str.strip().str.lower()
            rows |= set(np.flatnonzero(text.str.match(r"^(total|all( skills)?)$").to_numpy()))
    if "skill_id" in summary.columns and "skill_name" in summary.columns:
        rows |= set(np.flatnonzero(summary["skill_id"].isna().to_numpy()))
    return rows


def _write_skill_sheet(
    ws: Any,
    rows: pd.DataFrame,
    skill_id: Any,
    skill_name: Any,
    view: _PlanView,
    formats: _Formats,
) -> None:
    widths = _Widths()
    fte, fte_totals = _grid(rows, "fte", view.interval_minutes)
    agents, agent_totals = _grid(rows, "agents", view.interval_minutes)
    n_slots = len(fte.columns)
    fte_col0 = 1
    fte_total_col = fte_col0 + n_slots
    agent_col0 = fte_total_col + 2
    agent_total_col = agent_col0 + n_slots

    ws.write_string(
        0, 0, f"{skill_name} (skill {skill_id}): required FTE and on-queue agents", formats.title
    )
    ws.write_string(
        1,
        0,
        f"Times are local to {view.timezone}. FTE = on-queue agents / (1 - shrinkage). "
        "Totals are FTE-hours and agent-hours and count every interval; on the day clocks go "
        "back the repeated hour shows the larger of its two intervals.",
        formats.note,
    )
    ws.write_string(2, fte_col0, "Required FTE (scheduled staff)", formats.section)
    ws.write_string(2, agent_col0, "On-queue agents", formats.section)
    header = 3
    time_fmt = formats.get("time", header=True)
    ws.write_string(header, 0, f"Date ({view.timezone})", formats.header)
    slot_serials = [(t.hour * 60 + t.minute) / 1440 for t in fte.columns]
    for k, serial in enumerate(slot_serials):
        ws.write_number(header, fte_col0 + k, serial, time_fmt)
    ws.write_string(header, fte_total_col, "Total [FTE-h]", formats.header)
    for k, serial in enumerate(slot_serials):
        ws.write_number(header, agent_col0 + k, serial, time_fmt)
    ws.write_string(header, agent_total_col, "Total [agent-h]", formats.header)

    date_fmt = formats.get("date")
    fte_fmt, agent_fmt = formats.get("fte"), formats.get("int")
    total_fmt = formats.get("fte", bold=True)
    fte_values = fte.to_numpy(float)
    agent_values = agents.to_numpy(float)
    first = header + 1
    for i, day in enumerate(fte.index):
        row = first + i
        ws.write_number(row, 0, _scalar_serial(day, view.timezone), date_fmt)
        for k in range(n_slots):
            value = fte_values[i, k]
            if math.isfinite(value):
                ws.write_number(row, fte_col0 + k, value, fte_fmt)
        ws.write_number(row, fte_total_col, float(fte_totals["day"][i]), total_fmt)
        for k in range(n_slots):
            value = agent_values[i, k]
            if math.isfinite(value):
                ws.write_number(row, agent_col0 + k, value, agent_fmt)
        ws.write_number(row, agent_total_col, float(agent_totals["day"][i]), total_fmt)
    last = first + len(fte.index) - 1
    total_row = last + 1
    ws.write_string(total_row, 0, "Total", formats.get(None, bold=True))
    for k in range(n_slots):
        ws.write_number(total_row, fte_col0 + k, float(fte_totals["slot"][k]), total_fmt)
        ws.write_number(total_row, agent_col0 + k, float(agent_totals["slot"][k]), total_fmt)
    ws.write_number(total_row, fte_total_col, fte_totals["all"], total_fmt)
    ws.write_number(total_row, agent_total_col, agent_totals["all"], total_fmt)

    if len(fte.index):
        scale = {
            "type": "3_color_scale",
            "min_color": "#FFFFFF",
            "mid_color": "#FFD966",
            "max_color": "#E06666",
        }
        ws.conditional_format(first, fte_col0, last, fte_col0 + n_slots - 1, scale)
        ws.conditional_format(first, agent_col0, last, agent_col0 + n_slots - 1, scale)
    ws.freeze_panes(header + 1, 1)
    ws.set_landscape()
    ws.repeat_rows(header)
    ws.repeat_columns(0)

    widths.see(0, max(_DATE_WIDTHS["date"], 5 + len(view.timezone)))
    slot_width = max(5.0, _number_width(np.append(fte_values.ravel(), fte_totals["slot"]), "fte"))
    for k in range(n_slots):
        widths.see(fte_col0 + k, slot_width)
        widths.see(agent_col0 + k, slot_width)
    widths.see(fte_total_col, 13)
    widths.see(agent_total_col, 15)
    widths.see(fte_total_col + 1, 1)
    widths.apply(ws, minimum=3)


def _write_intervals(workbook: Any, view: _PlanView, formats: _Formats) -> None:
    extra = [c for c in view.intervals.columns if c not in INTERVAL_COLUMNS]
    frame = view.intervals[INTERVAL_COLUMNS + extra]
    labels = [c.label for c in _prepare(frame.iloc[:1], view.timezone)]
    per_sheet = _rows_per_interval_sheet()
    total = len(frame)
    n_sheets = max(1, math.ceil(total / per_sheet))
    for number in range(n_sheets):
        name = "Intervals" if number == 0 else f"Intervals {number + 1}"
        ws = workbook.add_worksheet(name)
        widths = _Widths()
        start, stop = number * per_sheet, min(total, (number + 1) * per_sheet)
        if stop > start:
            _add_streamed_table(
                ws, last_row=stop - start, labels=labels, name=name.replace(" ", "_")
            )
        for col, label in enumerate(labels):
            ws.write_string(0, col, label, formats.header)
            widths.see(col, len(label) + 2)  # + the filter button
        # Python values for a chunk of rows at a time: a year of hourly intervals for 200
        # skills as Python floats all at once would take about 1 GB.
        for chunk in range(start, stop, _CHUNK_ROWS):
            end = min(stop, chunk + _CHUNK_ROWS)
            columns = _prepare(frame.iloc[chunk:end], view.timezone)
            _write_rows(ws, columns, 1 + chunk - start, 0, end - chunk, formats)
            for col, column in enumerate(columns):
                widths.see(col, column.width)
        ws.freeze_panes(1, 0)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        widths.apply(ws)
        _release(ws)


def _add_streamed_table(ws: Any, last_row: int, labels: list[str], name: str) -> None:
    """Declare an Excel table over rows 0..last_row of a constant_memory worksheet.

    xlsxwriter refuses ``add_table`` in constant_memory mode because it writes the header
    cells itself (possibly out of row order) and records every cell of the range to detect
    overlaps (one dict entry per cell: 15 million for a full sheet). A table in the file is
    only its range, column names and style, so we declare it on the header and first data row,
    then widen its ranges; the caller writes the header cells (same names) and the rows in
    order afterwards, which overwrites the header cells add_table stored.
    """
    tables = getattr(ws, "tables", None)
    saved = getattr(ws, "constant_memory", None)
    if not isinstance(tables, list) or saved is None:  # xlsxwriter internals changed
        ws.autofilter(0, 0, last_row, len(labels) - 1)
        return
    ws.constant_memory = False
    try:
        status = ws.add_table(
            0,
            0,
            1,
            len(labels) - 1,
            {
                "name": name,
                "style": "Table Style Light 9",
                "columns": [{"header": label} for label in labels],
            },
        )
    finally:
        ws.constant_memory = saved
    if status != 0 or not tables or not isinstance(tables[-1], dict):
        ws.autofilter(0, 0, last_row, len(labels) - 1)  # at least the filters
        return
    table = tables[-1]
    full = xl_range(0, 0, last_row, len(labels) - 1)
    table["range"] = full
    table["a_range"] = full
    table["autofilter"] = full


def _write_assumptions(ws: Any, view: _PlanView, formats: _Formats, version: str) -> None:
    widths = _Widths()
    ws.set_landscape()
    ws.write_string(0, 0, f"Assumptions of plan {view.name}", formats.title)
    ws.write_string(
        1, 0, f"Times are local to {view.timezone}. Credentials are never written.", formats.note
    )
    row = 3
    ws.write_string(row, 0, "Run", formats.section)
    row += 1
    meta = dict(view.meta)
    if not any("version" in str(k) for k in meta):
        meta["version"] = version
    meta.setdefault("timezone", view.timezone)
    meta.setdefault("interval_minutes", view.interval_minutes)
    for key, value in meta.items():
        key, value = _local_meta(str(key), value, view.timezone)
        row = _write_setting(ws, row, key, value, view.timezone, formats, widths)
    row += 1

    config = _config_items(view.config)
    if config:
        ws.write_string(row, 0, "Configuration as applied", formats.section)
        row += 1
        for key, value in config:
            key, value = _local_meta(key, value, view.timezone)
            row = _write_setting(ws, row, key, value, view.timezone, formats, widths)
        row += 1
    if view.skills is not None:
        ws.write_string(row, 0, "Settings per skill (defaults resolved)", formats.section)
        row = _write_frame(ws, _redact_frame(view.skills), row + 1, formats, widths, view.timezone)
        row += 1
    if view.backtest is not None:
        ws.write_string(
            row, 0, "Volume forecast backtest (last history week held out)", formats.section
        )
        if len(view.backtest):
            row = _write_frame(ws, view.backtest, row + 1, formats, widths, view.timezone)
        else:
            ws.write_string(row + 1, 0, "none: the volume forecast did not come from history")
    widths.see(0, 18)
    widths.apply(ws)


_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _local_meta(key: str, value: Any, timezone: str) -> tuple[str, Any]:
    """ISO date and time strings as dates and local datetimes (a ``_utc`` key loses it)."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return key, date.fromisoformat(value)
    if isinstance(value, str) and _ISO_TIME.match(value):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(timezone)
            if key.lower().endswith("_utc"):
                key = key[:-4]
        return key, stamp
    return key, value


def _write_setting(
    ws: Any,
    row: int,
    key: str,
    value: Any,
    timezone: str,
    formats: _Formats,
    widths: _Widths,
) -> int:
    """Write one ``key | value`` row of the Assumptions sheet; return the next row."""
    if _SECRET_KEY.search(key.rsplit(".", 1)[-1]):
        value = _REDACTED
    value = _plain(value)
    if isinstance(value, str) and len(value) > _SETTING_WIDTH + 2:
        # Wrapped text needs its height set before the row is streamed out (constant_memory
        # rows are final once written, and neither Excel nor LibreOffice refits them).
        lines = math.ceil(len(value) / (_SETTING_WIDTH + 2))
        ws.set_row(row, 15 * lines, formats.wrap)
    ws.write_string(row, 0, key, formats.wrap)
    widths.see(0, len(key))
    if isinstance(value, (datetime, pd.Timestamp)):
        serial = _scalar_serial(value, timezone)
        if serial is not None:
            ws.write_number(row, 1, serial, formats.get("datetime", left=True))
        widths.see(1, _DATE_WIDTHS["datetime"])
    elif isinstance(value, date):
        ws.write_number(row, 1, _scalar_serial(value, timezone), formats.get("date", left=True))
        widths.see(1, _DATE_WIDTHS["date"])
    elif isinstance(value, bool):
        ws.write_boolean(row, 1, value, formats.get(None, left=True))
    elif isinstance(value, (int, float)):
        # The unit in the key picks the format: 0.8 for a target shows as 80.0 %.
        kind = _kind_of(key.rsplit(".", 1)[-1], pd.Series([value]))
        _write_cell(ws, row, 1, value, formats.get(kind, left=True))
        widths.see(1, len(str(value)) + 2)
    else:
        text = "" if value is None else str(value)
        if text:
            # Long values (paths, source descriptions) wrap, so key and value print together.
            ws.write_string(row, 1, text, formats.wrap)
        widths.see(1, min(len(text), _SETTING_WIDTH))
    return row + 1


def _plain(value: Any) -> Any:
    """Unwrap numpy scalars, pydantic secrets, paths and containers into printable values."""
    if type(value).__name__ in ("SecretStr", "SecretBytes"):
        return _REDACTED
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(_plain(v)) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={_plain(v)}" for k, v in value.items())
    if isinstance(value, (pd.Timedelta,)):
        return str(value)
    return value


def _config_items(config: Any) -> list[tuple[str, Any]]:
    """Flatten a config (pydantic model or mapping) into ``key.path = value`` pairs."""
    if config is None:
        return []
    if hasattr(config, "model_dump"):
        data = config.model_dump(mode="json")
    elif isinstance(config, Mapping):
        data = dict(config)
    else:
        return []
    items: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        leaf = prefix.rsplit(".", 1)[-1].split("[", 1)[0]
        if prefix and _SECRET_KEY.search(leaf):
            if value not in (None, "", [], {}):
                items.append((prefix, _REDACTED))
            return
        if isinstance(value, Mapping):
            if not value:
                items.append((prefix, ""))
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and any(isinstance(v, (Mapping, list)) for v in value):
            for i, sub in enumerate(value):
                walk(f"{prefix}[{i}]", sub)
        else:
            items.append((prefix, value))

    walk("", data)
    return items


def _redact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    secret = [c for c in frame.columns if _SECRET_KEY.search(str(c))]
    return frame.drop(columns=secret) if secret else frame


def _cut_utf16(text: str, limit: int) -> str:
    """The longest prefix of ``text`` at most ``limit`` UTF-16 code units long."""
    out, used = [], 0
    for char in text:
        units = 2 if ord(char) > 0xFFFF else 1
        if used + units > limit:
            break
        out.append(char)
        used += units
    return "".join(out)


__all__ = [
    "CHART_MAX_SERIES",
    "EXCEL_MAX_ROWS",
    "GENERATOR_PROPERTY",
    "INTERVAL_COLUMNS",
    "SUMMARY_CHART_ROWS",
    "check_outputs",
    "interval_grid",
    "sheet_names",
    "write_intervals_csv",
    "write_outputs",
    "write_workbook",
]

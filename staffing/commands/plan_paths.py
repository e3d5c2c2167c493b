"""Where a ``staffing plan`` run writes: the workbook, the intervals CSV or Parquet file."""

from __future__ import annotations

import argparse
from pathlib import Path

from staffing.config import PlanConfig
from staffing.errors import OutputError
from staffing.outputs.workbook import INTERVALS_SHEET_MAX_ROWS
from staffing.plan import horizon

#: Choices of ``--intervals``: where the long table of intervals goes.
INTERVALS_CHOICES = ("auto", "workbook", "csv", "parquet", "none")
#: ``output.skill_sheets`` as the ``skill_sheets`` of :func:`staffing.outputs.write_outputs`.
SKILL_SHEETS: dict[str, bool | None] = {"auto": None, "always": True, "never": False}


def output_paths(args: argparse.Namespace, config: PlanConfig) -> dict:
    """Where a ``staffing plan`` run writes, from its options and the config.

    An intervals CSV is written when the config has ``output.csv``, ``--csv PATH`` is
    given or the workbook leaves its Intervals sheet out (``--intervals csv``, or ``auto``
    above :data:`~staffing.outputs.workbook.INTERVALS_SHEET_MAX_ROWS` rows), and not with
    ``--no-csv``. ``--out`` decides for the whole run: the CSV follows the workbook's name
    (``<stem>-intervals.csv`` beside it, ``.parquet`` with ``--intervals parquet``) unless
    ``--csv PATH``. Without ``--out``, ``output.csv`` of the config, else beside the
    workbook.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``plan`` options (``out``, ``fmt``, ``csv``, ``no_csv``, ``intervals``).
    config : PlanConfig
        The validated config.

    Returns
    -------
    dict
        ``out`` (Path), ``fmt`` (``"xlsx"`` or ``"csv"``), ``csv`` and ``parquet`` (Path or
        None), ``sheet`` (whether the workbook has the Intervals sheet), ``skill_sheets``
        (``output.skill_sheets``: None for ``auto``, True, False), ``rows`` (interval
        rows of the plan) and ``why`` (how the CSV path was chosen, for the messages).

    Raises
    ------
    OutputError
        ``--csv``, ``--no-csv`` or ``--intervals`` with CSV output, or ``--intervals csv``
        with ``--no-csv``.
    """
    out = Path(args.out) if args.out else config.default_output_path()
    fmt = args.fmt or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
    choice = getattr(args, "intervals", "auto") or "auto"
    csv_arg, no_csv = getattr(args, "csv", None), getattr(args, "no_csv", False)
    if fmt == "csv":
        if csv_arg or no_csv or choice != "auto":
            raise OutputError(
                "--csv, --no-csv and --intervals apply to workbook (xlsx) "
                f"output; {out} is the intervals CSV itself"
            )
        return {
            "out": out,
            "fmt": fmt,
            "csv": None,
            "parquet": None,
            "sheet": False,
            "skill_sheets": None,
            "rows": 0,
            "why": "",
        }
    if choice == "csv" and no_csv:
        raise OutputError("--intervals csv writes the intervals CSV; it contradicts --no-csv")
    rows = len(horizon(config)) * len(config.skills)
    sheet = choice == "workbook" or (choice == "auto" and rows <= INTERVALS_SHEET_MAX_ROWS)
    stem = out.with_suffix("")
    beside = out.parent / f"{stem.name}-intervals.csv"
    wanted = config.output.csv is not None or choice == "csv" or (choice == "auto" and not sheet)
    if csv_arg:
        csv, why = Path(csv_arg), "--csv"
    elif no_csv or choice in ("none", "parquet") or not wanted:
        csv, why = None, ""
    elif args.out:
        csv, why = beside, "beside --out"
    elif config.output.csv is not None:
        csv, why = config.output.csv, "output.csv of the config"
    else:
        csv, why = beside, "beside the workbook"
    parquet = out.parent / f"{stem.name}-intervals.parquet" if choice == "parquet" else None
    return {
        "out": out,
        "fmt": fmt,
        "csv": csv,
        "parquet": parquet,
        "sheet": sheet,
        "skill_sheets": SKILL_SHEETS[config.output.skill_sheets],
        "rows": rows,
        "why": why,
    }

"""Deprecated, moved to :mod:`staffing.outputs.workbook` (and its siblings); kept for one release.

The workbook writer is :mod:`staffing.outputs.workbook`, the intervals CSV
:mod:`staffing.outputs.intervals_csv`, the target checks :mod:`staffing.outputs.safety`,
the day grid :mod:`staffing.outputs.view`. Import from :mod:`staffing.outputs` instead.
"""

from __future__ import annotations

import warnings

from staffing.outputs.intervals_csv import write_intervals_csv
from staffing.outputs.safety import GENERATOR_PROPERTY, check_outputs
from staffing.outputs.view import interval_grid
from staffing.outputs.workbook import (
    CHART_MAX_SERIES,
    EXCEL_MAX_ROWS,
    SHEET_NAME_MAX,
    SUMMARY_CHART_ROWS,
    sheet_names,
    write_outputs,
    write_workbook,
)
from staffing.plan import INTERVAL_COLUMNS

warnings.warn(
    "staffing.report is deprecated and will be removed in 0.3: "
    "import from staffing.outputs instead",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "CHART_MAX_SERIES",
    "EXCEL_MAX_ROWS",
    "GENERATOR_PROPERTY",
    "INTERVAL_COLUMNS",
    "SHEET_NAME_MAX",
    "SUMMARY_CHART_ROWS",
    "check_outputs",
    "interval_grid",
    "sheet_names",
    "write_intervals_csv",
    "write_outputs",
    "write_workbook",
]

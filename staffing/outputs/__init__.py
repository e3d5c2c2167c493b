"""Outputs of a plan for planners and pipelines: the workbook, the intervals CSV, the plots.

Modules, each with one job:

- :mod:`staffing.outputs.view`: :class:`PlanView`, the plan as every output reads it, and
  the day-by-time-of-day grid (:func:`day_grid`, :func:`interval_grid`).
- :mod:`staffing.outputs.safety`: checks before writing (:func:`check_outputs`,
  :func:`check_target`, lock files, "is this our file") and :func:`atomic_replace`.
- :mod:`staffing.outputs.workbook`: every output of a plan (:func:`write_outputs`, which
  checks its targets once) and the xlsx workbook (:func:`write_workbook`), the sheets in
  order; the sheets themselves are :mod:`staffing.outputs.sheets` (one module per family),
  written with the cells toolkit :mod:`staffing.outputs.cells` and the sheet layout
  :mod:`staffing.outputs.layout`; :mod:`staffing.outputs.settings` flattens the config for
  the Assumptions sheet, secrets redacted.
- :mod:`staffing.outputs.intervals_csv`: the intervals CSV (:func:`write_intervals_csv`).
- :mod:`staffing.outputs.plots`: matplotlib figures (an optional extra) and
  :func:`save_plots`.
- :mod:`staffing.outputs.history`: the NHT history export of ``staffing history``.

Column labels, units and number formats come from :data:`staffing.vocabulary.COLUMN_META`.
"""

from __future__ import annotations

from staffing.outputs.intervals_csv import write_intervals_csv
from staffing.outputs.plots import (
    PlotsUnavailableError,
    plot_heatmap,
    plot_nht_profile,
    plot_requirements,
    save_plots,
)
from staffing.outputs.safety import (
    GENERATOR_PROPERTY,
    atomic_replace,
    check_outputs,
    check_target,
    is_staffing_csv,
    is_staffing_workbook,
)
from staffing.outputs.view import DayGrid, PlanView, day_grid, interval_grid
from staffing.outputs.workbook import (
    CHART_MAX_SERIES,
    EXCEL_MAX_ROWS,
    SUMMARY_CHART_ROWS,
    sheet_names,
    write_outputs,
    write_workbook,
)

__all__ = [
    "CHART_MAX_SERIES",
    "EXCEL_MAX_ROWS",
    "GENERATOR_PROPERTY",
    "SUMMARY_CHART_ROWS",
    "DayGrid",
    "PlanView",
    "PlotsUnavailableError",
    "atomic_replace",
    "check_outputs",
    "check_target",
    "day_grid",
    "interval_grid",
    "is_staffing_csv",
    "is_staffing_workbook",
    "plot_heatmap",
    "plot_nht_profile",
    "plot_requirements",
    "save_plots",
    "sheet_names",
    "write_intervals_csv",
    "write_outputs",
    "write_workbook",
]

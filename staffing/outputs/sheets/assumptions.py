"""The Assumptions sheet: the run, the schedule's rules, the config, per-skill settings, backtest,
and the forecast uncertainty.

The plan's metadata (history window, sources, version, run time), how shrinkage and
scheduled breaks combine when a schedule is written, the configuration as it was applied
with every credential-like key redacted (flattened by :mod:`staffing.outputs.settings`),
the resolved settings per skill, the forecast backtest and the forecast uncertainty the plan
assumes (each skill's day-level CV and where it came from). Each setting is a ``key | value``
row; its number format comes from :data:`staffing.vocabulary.COLUMN_META`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd

from staffing.outputs.cells import (
    DATE_WIDTHS,
    Formats,
    Widths,
    scalar_serial,
    write_cell,
    write_frame,
)
from staffing.outputs.settings import (
    REDACTED,
    config_items,
    is_secret,
    local_meta,
    plain,
    redact_frame,
)
from staffing.outputs.view import PlanView
from staffing.vocabulary import COLUMN_META

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter.worksheet import Worksheet

    from staffing.shifts.schedule import Schedule

__all__ = ["write_assumptions"]

_SETTING_WIDTH = 40  # characters of the Assumptions value column before text wraps
# Schedule.meta keys the Assumptions sheet lists first: how shrinkage and breaks combine.
_SCHEDULE_RULES = (
    "shrinkage_rule",
    "group_rule",
    "source",
    "wrap",
    "solver",
    "time_limit_s",
    "mip_rel_gap",
)
_BREAKS_IN_SHRINKAGE = (
    "if the configured shrinkage s already includes the unpaid break scheduled here (a share "
    "b of the shift's span), use s' = (s - b) / (1 - b) instead; paid short breaks, "
    "meetings, training and absence stay in s"
)


def write_assumptions(
    ws: Worksheet, view: PlanView, formats: Formats, schedule: Schedule | None = None
) -> None:
    """The Assumptions sheet of a plan (and of its schedule).

    Parameters
    ----------
    ws : Worksheet
        The Assumptions sheet.
    view : PlanView
        The plan.
    formats : Formats
        The workbook's formats.
    schedule : staffing.shifts.schedule.Schedule, optional
        A schedule of the plan: its rules and solver settings are listed too.
    """
    widths = Widths()
    ws.set_landscape()
    ws.write_string(0, 0, f"Assumptions of plan {view.name}", formats.title)
    ws.write_string(
        1, 0, f"Times are local to {view.timezone}. Credentials are never written.", formats.note
    )
    row = 3
    ws.write_string(row, 0, "Run", formats.section)
    row = _write_settings(ws, row + 1, view.meta.items(), view.timezone, formats, widths) + 1
    if schedule is not None:
        row = _write_schedule_assumptions(ws, row, view, schedule, formats, widths)
    config = config_items(view.config)
    if config:
        ws.write_string(row, 0, "Configuration as applied", formats.section)
        row = _write_settings(ws, row + 1, config, view.timezone, formats, widths) + 1
    if view.skills is not None:
        ws.write_string(row, 0, "Settings per skill (defaults resolved)", formats.section)
        row = write_frame(ws, redact_frame(view.skills), row + 1, formats, widths, view.timezone)
        row += 1
    if view.backtest is not None:
        ws.write_string(
            row, 0, "Volume forecast backtest (last history week held out)", formats.section
        )
        if len(view.backtest):
            row = write_frame(ws, view.backtest, row + 1, formats, widths, view.timezone) + 1
        else:
            ws.write_string(row + 1, 0, "none: the volume forecast did not come from history")
            row += 3
    _write_uncertainty(ws, row, view, formats, widths)
    widths.see(0, 18)
    widths.apply(ws)


def _write_uncertainty(
    ws: Worksheet, row: int, view: PlanView, formats: Formats, widths: Widths
) -> int:
    """The forecast error the plan assumes (``Plan.uncertainty``); the next row."""
    ws.write_string(
        row, 0, "Forecast uncertainty (day-level CV of each skill's volume)", formats.section
    )
    table = view.uncertainty
    if table is None:
        ws.write_string(row + 1, 0, "none: volume.uncertainty is none, the forecast is exact")
        return row + 3
    correlation = float(table.attrs.get("correlation", 0.0))
    row = _write_setting(
        ws, row + 1, "correlation between skills", correlation, view.timezone, formats, widths
    )
    return write_frame(ws, table, row, formats, widths, view.timezone) + 1


def _write_settings(
    ws: Worksheet,
    row: int,
    items: Iterable[tuple[object, object]],
    timezone: str,
    formats: Formats,
    widths: Widths,
) -> int:
    """One ``key | value`` row per item from ``row`` (ISO times as local times); the next row."""
    for key, value in items:
        key, value = local_meta(str(key), value, timezone)
        row = _write_setting(ws, row, key, value, timezone, formats, widths)
    return row


def _write_schedule_assumptions(
    ws: Worksheet,
    row: int,
    view: PlanView,
    schedule: Schedule,
    formats: Formats,
    widths: Widths,
) -> int:
    """The schedule's rules and solver settings on the Assumptions sheet; the next row."""
    ws.write_string(
        row,
        0,
        "Shifts: how shrinkage and scheduled breaks combine, and the solver "
        "(python -m pydoc staffing.shifts.schedule)",
        formats.section,
    )
    row += 1
    meta = dict(schedule.meta)
    items: list[tuple[str, object]] = []
    for key in _SCHEDULE_RULES:
        if key in meta:
            items.append((key, meta.pop(key)))
        if key == "shrinkage_rule":
            items.append(("breaks_in_shrinkage", _BREAKS_IN_SHRINKAGE))
    items += list(meta.items())
    items += [("paid_hours", schedule.paid_hours), ("mip_gap", schedule.mip_gap)]
    for key, value in items:
        row = _write_setting(ws, row, f"schedule.{key}", value, view.timezone, formats, widths)
    return row + 1


def _setting_kind(key: str, value: int | float) -> str:
    """Display kind of a numeric setting ``a.b.c``: COLUMN_META of ``a.b.c``, ``b.c``, ``c``.

    List indices are dropped first (``skills[4].service_level.target`` is looked up as
    ``service_level.target``); an undeclared setting is an ``int`` or a ``float``.
    """
    parts = re.sub(r"\[\d+\]", "", key).split(".")
    for first in range(len(parts)):
        declared = COLUMN_META.get(".".join(parts[first:]))
        if declared is not None:
            return declared.kind
    return "int" if isinstance(value, int) else "float"


def _write_setting(
    ws: Worksheet,
    row: int,
    key: str,
    value: object,
    timezone: str,
    formats: Formats,
    widths: Widths,
) -> int:
    """Write one ``key | value`` row of the Assumptions sheet; return the next row."""
    value = REDACTED if is_secret(key.rsplit(".", 1)[-1]) else plain(value)
    if isinstance(value, str) and len(value) > _SETTING_WIDTH + 2:
        # Wrapped text needs its height set before the row is streamed out (constant_memory
        # rows are final once written, and neither Excel nor LibreOffice refits them).
        lines = math.ceil(len(value) / (_SETTING_WIDTH + 2))
        ws.set_row(row, 15 * lines, formats.wrap)
    ws.write_string(row, 0, key, formats.wrap)
    widths.see(0, len(key))
    _write_setting_value(ws, row, key, value, timezone, formats, widths)
    return row + 1


def _write_setting_value(
    ws: Worksheet,
    row: int,
    key: str,
    value: object,
    timezone: str,
    formats: Formats,
    widths: Widths,
) -> None:
    """The value cell of a setting: a local time, a date, a boolean, a number or text."""
    if isinstance(value, (datetime, pd.Timestamp)):
        serial = scalar_serial(value, timezone)
        if serial is not None:
            ws.write_number(row, 1, serial, formats.get("datetime", left=True))
        widths.see(1, DATE_WIDTHS["datetime"])
    elif isinstance(value, date):
        ws.write_number(row, 1, scalar_serial(value, timezone), formats.get("date", left=True))
        widths.see(1, DATE_WIDTHS["date"])
    elif isinstance(value, bool):
        ws.write_boolean(row, 1, value, formats.get(None, left=True))
    elif isinstance(value, (int, float)):
        # The setting's declared meaning picks the format: 0.8 for a target shows as 80.0 %.
        kind = _setting_kind(key, value)
        if isinstance(value, float) and math.isfinite(value):
            value = float(f"{value:.12g}")  # 0.3500000000000001 -> 0.35
        write_cell(ws, row, 1, value, formats.get(kind, left=True))
        widths.see(1, len(str(value)) + 2)
    else:
        text = "" if value is None else str(value)
        if text:
            # Long values (paths, source descriptions) wrap, so key and value print together.
            ws.write_string(row, 1, text, formats.wrap)
        widths.see(1, min(len(text), _SETTING_WIDTH))

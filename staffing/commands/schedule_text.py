"""The schedule summary of ``staffing plan``: fixed-width text per skill group."""

from __future__ import annotations

import math

import pandas as pd

from staffing.shifts.schedule import Schedule

#: Uncovered intervals the schedule summary names.
UNCOVERED_SHOWN = 5


def format_schedule(result: Schedule) -> str:
    """The schedule summary as fixed-width text for the terminal.

    Parameters
    ----------
    result : staffing.shifts.schedule.Schedule
        A schedule of a plan (:func:`staffing.schedule`); its ``groups``, ``uncovered``,
        ``mip_gap`` and ``meta`` are shown.

    Returns
    -------
    str
        A heading line, a table (one row per skill group and an ``All groups`` row: paid
        hours [h], shifts (heads started), coverage efficiency [%], under- and
        over-staffed on-queue agent-hours [h], uncovered intervals, MILP gap [%]; ``-``
        where a value is missing), a footnote and, when intervals are under-staffed, the
        first :data:`UNCOVERED_SHOWN` of them with their shortfall and reason.
    """
    groups = result.groups
    lines = _table_lines(_group_rows(result))
    meta = result.meta
    source = (
        "optimal shifts (HiGHS MILP)"
        if meta.get("source") == "optimised"
        else f"the schedule from {meta.get('source')}"
    )
    head = (
        f"Schedule: {len(groups)} skill group(s), {source}; "
        f"{meta.get('interval_minutes')}-minute intervals"
    )
    foot = [
        "paid h: paid hours of the shifts (length minus the unpaid break); shifts: heads "
        "started over the horizon; efficiency: required agent-hours / scheduled on-queue "
        "hours;",
        "under h, over h: on-queue agent-hours below and above the requirement; "
        "uncovered: under-staffed intervals",
    ]
    foot += _uncovered_lines(result.uncovered)
    return "\n".join([head, "", *lines, "", *foot])


def _number(value: float, digits: int = 0, pct: bool = False) -> str:
    """A table cell: ``-`` for a missing value, else a percentage or a grouped number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.1%}" if pct else f"{value:,.{digits}f}"


def _group_rows(result: Schedule) -> list[tuple[str, ...]]:
    """The table's heading row, one row per skill group and the ``All groups`` row.

    Parameters
    ----------
    result : staffing.shifts.schedule.Schedule
        The schedule; its ``groups``, ``paid_hours`` [h] and ``mip_gap`` [-] are shown.

    Returns
    -------
    list of tuple of str
        The cells of each row, the skill group first.
    """
    groups = result.groups
    rows: list[tuple[str, ...]] = [
        (
            "skill group",
            "paid h",
            "shifts",
            "efficiency",
            "under h",
            "over h",
            "uncovered",
            "MILP gap",
        )
    ]
    for g in groups.itertuples(index=False):
        optimised = not math.isnan(g.paid_hours)
        rows.append(
            (
                str(g.skill_group),
                _number(g.paid_hours),
                f"{g.shifts:,}" if optimised else "-",
                _number(g.efficiency, pct=True),
                _number(g.under_hours, 1),
                _number(g.over_hours, 1),
                f"{g.uncovered_intervals:,}",
                _number(g.mip_gap, pct=True),
            )
        )
    required, scheduled = groups["required_hours"].sum(), groups["scheduled_hours"].sum()
    rows.append(
        (
            "All groups",
            _number(result.paid_hours),
            f"{int(groups['shifts'].sum()):,}" if not math.isnan(result.paid_hours) else "-",
            _number(required / scheduled if scheduled > 0 else math.nan, pct=True),
            _number(float(groups["under_hours"].sum()), 1),
            _number(float(groups["over_hours"].sum()), 1),
            f"{int(groups['uncovered_intervals'].sum()):,}",
            _number(result.mip_gap if not math.isnan(result.paid_hours) else math.nan, pct=True),
        )
    )
    return rows


def _table_lines(rows: list[tuple[str, ...]]) -> list[str]:
    """Fixed-width lines of the rows: first column left, the others right, rules around.

    Parameters
    ----------
    rows : list of tuple of str
        Heading row, body rows and the total row last.

    Returns
    -------
    list of str
        The lines, with a rule under the heading and above the total.
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if index == 0 or index == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _uncovered_lines(uncovered: pd.DataFrame) -> list[str]:
    """The note on under-staffed intervals: the first :data:`UNCOVERED_SHOWN` of them.

    Parameters
    ----------
    uncovered : DataFrame
        The schedule's ``uncovered`` table (``skill_group``, ``interval_start``,
        ``shortfall`` [agents], ``reason``).

    Returns
    -------
    list of str
        No lines when every interval is covered.
    """
    if not len(uncovered):
        return []
    lines: list[str] = []
    first = uncovered.head(UNCOVERED_SHOWN)
    width = max(len(str(g)) for g in first["skill_group"])
    lines.append(
        f"note: {len(uncovered):,} interval(s) under-staffed (all of them in the "
        f"Coverage sheets); the first {len(first)}:"
    )
    lines += [
        f"  {str(row.skill_group).ljust(width)}  "
        f"{pd.Timestamp(row.interval_start):%a %Y-%m-%d %H:%M}  short "
        f"{row.shortfall:.1f} agents: {row.reason}"
        for row in first.itertuples(index=False)
    ]
    if len(uncovered) > len(first):
        lines.append(f"  and {len(uncovered) - len(first):,} more")
    return lines

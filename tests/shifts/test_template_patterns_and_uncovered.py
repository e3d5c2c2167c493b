"""A group's patterns by hand (starts, break offsets, start numbering), and the uncovered rows.

Rules: ``staffing.shifts.optimise.Patterns`` documents ``break_min`` as the break offset
after the start, -1 without a break, and ``group`` as the start index of (template, date,
start time), the unit the per-start limits (``min_heads``, ``max_heads``) apply to: no two
templates' starts may share one. ``Schedule.uncovered`` (``uncovered_rows``) is the
understaffed rows of the coverage, numbered from 0, with ``shortfall`` = required -
scheduled and a ``reason``, and no other column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import staffing
from staffing.shifts.optimise import Horizon, template_patterns
from staffing.shifts.rollups import uncovered_rows
from tests.shifts.workload_plans import MON, workload_config


def _templates() -> list:
    cfg = workload_config(
        [
            {"name": "a", "length_hours": 1, "start": "08:00", "days": ["mon"], "max_heads": 3},
            {"name": "b", "length_hours": 2, "start": "09:00", "days": ["mon"], "max_heads": 1},
            {"name": "c", "length_hours": 1, "start": "10:00", "days": ["mon", "tue"]},
        ],
        name="pats",
        skills=[{"id": 1, "name": "Sales", "nht_seconds": 360, "shrinkage": 0.0}],
    )
    return list(staffing.load_config(cfg).shifts)


def test_each_template_start_is_its_own_start_and_no_break_is_minus_one():
    """Rule: templates a (Mon 08:00), b (Mon 09:00) and c (Mon and Tue 10:00), none with a
    break, give four patterns, one per start: starts numbered 0, 1, 2, 3 in that order
    (c's two after a's and b's), break offsets -1, paid hours 1, 2, 1, 1, at most 3, 1,
    no limit, no limit heads per start."""
    dates = pd.date_range(MON, periods=7, freq="D")
    origin = pd.Timestamp(f"{MON} 00:00", tz="UTC")
    pats = template_patterns(_templates(), Horizon(dates, "UTC", origin, 60, 168, True))
    assert pats.template.tolist() == [0, 1, 2, 2]
    assert pats.group.tolist() == [0, 1, 2, 3]
    assert pats.break_min.tolist() == [-1.0, -1.0, -1.0, -1.0]
    assert pats.start_min.tolist() == [8 * 60.0, 9 * 60.0, 10 * 60.0, (24 + 10) * 60.0]
    assert pats.paid.tolist() == [1.0, 2.0, 1.0, 1.0]
    assert pats.max_heads.tolist() == [3.0, 1.0, np.inf, np.inf]


def test_uncovered_rows_are_numbered_from_zero_with_the_documented_columns():
    """Rule: rows 1 and 3 of a hand-made coverage are understaffed (required 2 and 3,
    scheduled 1.5 and 1): two rows numbered 0 and 1, shortfalls 0.5 and 2, their reasons,
    and exactly the documented columns."""
    coverage = pd.DataFrame(
        {
            "skill_group": ["G"] * 4,
            "interval_start": pd.date_range(MON, periods=4, freq="h", tz="UTC"),
            "required": [1.0, 2.0, 0.0, 3.0],
            "scheduled": [1.0, 1.5, 0.0, 1.0],
            "required_heads": [1.0, 2.0, 0.0, 3.0],
            "heads": [1.0, 1.5, 0.0, 1.0],
            "understaffed": [False, True, False, True],
        }
    )
    reasons = pd.Series(["", "few starts", "", "max heads"])
    got = uncovered_rows(coverage, reasons)
    assert list(got.columns) == [
        "skill_group",
        "interval_start",
        "required",
        "scheduled",
        "shortfall",
        "required_heads",
        "heads",
        "reason",
    ]
    assert got.index.tolist() == [0, 1]
    assert got["shortfall"].tolist() == [0.5, 2.0]
    assert got["reason"].tolist() == ["few starts", "max heads"]

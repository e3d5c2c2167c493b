"""The plan's skills table: one row per skill with every resolved setting."""

from __future__ import annotations

from typing import Any

import pandas as pd

from staffing import vocabulary
from staffing.config import PlanConfig, ResolvedSkill, format_clock
from staffing.vocabulary import PATIENCE_BASIS_CONFIGURED, PATIENCE_BASIS_HISTORY, WORKLOAD

__all__ = ["skills_table"]

#: Columns of the skills table that hold a number or NaN.
FLOAT_COLUMNS = (
    "service_level_target",
    "answer_within_s",
    "asa_s",
    "max_abandon",
    "max_occupancy",
    "patience_s",
    "patience_abandoned",
    "patience_wait_s",
    "nht_seconds",
    "nht_fallback_s",
    "interval_floor",
)


def _shrinkage_text(spec: Any) -> str:
    """The configured shrinkage profile: ``0.32; sat 0.25, sun 0.25; 12:00 0.45``."""
    parts = [f"{spec.default:g}"]
    if spec.by_weekday:
        parts.append(", ".join(f"{day} {value:g}" for day, value in spec.by_weekday.items()))
    if spec.by_hour:
        parts.append(
            ", ".join(
                f"{format_clock(hour * 60)} {value:g}"
                for hour, value in sorted(spec.by_hour.items())
            )
        )
    return "; ".join(parts)


def _open_hours_text(skill: ResolvedSkill) -> str:
    """The skill's open hours: ``24/7``, or ``mon 08:00-18:00; ...; sun closed``."""
    hours = skill.open_hours
    if hours is None:
        return "24/7"
    return "; ".join(
        f"{day} "
        + (
            ",".join(f"{format_clock(a)}-{format_clock(b)}" for a, b in getattr(hours, day))
            or "closed"
        )
        for day in vocabulary.WEEKDAYS
    )


def _skill_row(config: PlanConfig, s: ResolvedSkill) -> dict[str, Any]:
    """One skill's row of the table."""
    workload = s.method == WORKLOAD
    return {
        "skill_id": s.skill_id,
        "skill_name": s.skill_name,
        "method": s.method,
        # workload has no service-level target: a default's is not listed as applied
        "service_level_target": None if workload else s.service_level_target,
        "answer_within_s": None if workload else s.answer_within_s,
        "asa_s": s.asa_s,
        "max_abandon": s.max_abandon,
        "max_occupancy": s.max_occupancy,
        "patience_s": s.patience_s,
        "patience_basis": (
            PATIENCE_BASIS_HISTORY
            if s.patience_auto
            else None
            if s.patience_s is None
            else PATIENCE_BASIS_CONFIGURED
        ),
        "max_concurrency": s.max_concurrency,
        "handle_time_by_load_s": (
            None
            if s.handle_time_by_load_s is None
            else ", ".join(f"{x:g}" for x in s.handle_time_by_load_s)
        ),
        "shrinkage_mean": round(float(s.shrinkage.hour_of_week().mean()), 6),
        "shrinkage_profile": _shrinkage_text(s.shrinkage),
        "min_agents": s.min_agents,
        "open_hours": _open_hours_text(s),
        "fte_hours_per_week": s.fte_hours_per_week,
        "nht_seconds": s.nht_seconds,
        "nht_fallback_s": s.nht_fallback_s,
        "growth": config.volume.growth.factor(s.skill_id),
        # workload skills have no queue: staffed per interval whatever they say
        "scope": s.scope if not workload else "interval",
        "interval_floor": s.interval_floor,
        "staffing": s.staffing if not workload else "stationary",
    }


def skills_table(config: PlanConfig, patience: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per skill with every resolved setting (:attr:`staffing.plan.Plan.skills`).

    Parameters
    ----------
    config : PlanConfig
        The validated config (``patience_s`` estimated where ``patience_seconds: auto``).
    patience : DataFrame, optional
        ``skill_id, patience_abandoned, patience_wait_s``: the history totals behind each
        estimated patience (:func:`staffing.plan.patience.estimate_patience`).

    Returns
    -------
    DataFrame
        The settings; a ``workload`` skill's ``service_level_target`` and
        ``answer_within_s`` are NaN (not applied). ``patience_basis`` says where
        ``patience_s`` came from (``configured``, ``history``; empty without one) and
        ``patience_abandoned`` [-] and ``patience_wait_s`` [s] are the history's totals
        behind an estimate (NaN for a configured patience).
    """
    frame = pd.DataFrame([_skill_row(config, s) for s in config.resolved_skills])
    totals = (
        patience.set_index("skill_id")
        if patience is not None
        else pd.DataFrame(columns=["patience_abandoned", "patience_wait_s"])
    )
    position = frame.columns.get_loc("patience_basis") + 1
    for offset, column in enumerate(("patience_abandoned", "patience_wait_s")):
        frame.insert(position + offset, column, frame["skill_id"].map(totals[column]))
    for column in FLOAT_COLUMNS:
        frame[column] = frame[column].astype(float)
    frame["max_concurrency"] = frame["max_concurrency"].astype("Int64")
    return frame

"""The project's shared vocabulary: every name more than one module relies on, defined once.

Column names, interval lengths, weekday keys, staffing method names, NHT basis names,
the column meanings outputs use (unit, Excel format, label), and the installed version.
Nothing here computes: this module imports only the standard library, so every layer
(maths, sources, pipeline, outputs, commands) may import it. See ``docs/architecture.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

__all__ = [
    "BASIS_BAND",
    "BASIS_FALLBACK",
    "BASIS_FILE",
    "BASIS_HOUR",
    "BASIS_NAMES",
    "BASIS_OVERRIDE",
    "BASIS_SKILL",
    "BINDINGS",
    "BINDING_ABANDON",
    "BINDING_ASA",
    "BINDING_CLOSED",
    "BINDING_CONFIDENCE",
    "BINDING_COUNT_COLUMNS",
    "BINDING_DAY",
    "BINDING_INTERVAL_FLOOR",
    "BINDING_LOAD",
    "BINDING_MIN_AGENTS",
    "BINDING_NO_VOLUME",
    "BINDING_OCCUPANCY",
    "BINDING_SERVICE_LEVEL",
    "BINDING_SHIFTS",
    "BINDING_TIME_STABLE",
    "BINDING_WEEK",
    "COLUMN_META",
    "HISTORY_COLUMNS",
    "HISTORY_FILE_COLUMNS",
    "INTERVAL_COLUMNS",
    "INTERVAL_MINUTES",
    "METHODS",
    "METRIC_COLUMNS",
    "PATIENCE_BASIS_CONFIGURED",
    "PATIENCE_BASIS_HISTORY",
    "PATIENCE_COLUMNS",
    "STORE_COLUMNS",
    "VERSION",
    "VOLUME_FILE_COLUMNS",
    "WEEKDAYS",
    "ColumnMeta",
]

try:
    #: Installed version of the package ("0+unknown" in a source tree that is not installed).
    VERSION: str = version("staffing")
except PackageNotFoundError:  # running from a source tree that is not installed
    VERSION = "0+unknown"

#: Interval lengths the project plans and stores, in minutes (LivePerson's NHT buckets).
INTERVAL_MINUTES: tuple[int, ...] = (15, 30, 60)

#: Weekday keys used by ``open_hours``, ``shrinkage.by_weekday`` and ``shifts`` (Monday first).
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Staffing methods a skill can use, one name each (docs/models.md).
WORKLOAD = "workload"
ERLANG_C = "erlang_c"
ERLANG_A = "erlang_a"
CHAT = "chat"
METHODS: tuple[str, ...] = (WORKLOAD, ERLANG_C, ERLANG_A, CHAT)

#: ``nht_basis`` values, from the most to the least specific rule (``forecast_file``: the
#: handle time the planner's volume forecast gives for the interval, before every other).
BASIS_FILE = "forecast_file"
BASIS_OVERRIDE = "override"
BASIS_HOUR = "hour_of_week"
BASIS_BAND = "hour_band"
BASIS_SKILL = "skill_mean"
BASIS_FALLBACK = "configured"
BASIS_NAMES: tuple[str, ...] = (
    BASIS_FILE,
    BASIS_OVERRIDE,
    BASIS_HOUR,
    BASIS_BAND,
    BASIS_SKILL,
    BASIS_FALLBACK,
)

#: ``binding`` values: what set an interval's agents (``Plan.intervals["binding"]``).
#: An interval's agents are the largest of what each rule requires; ``binding`` names the
#: rule whose requirement equals them. Where several do (a tie), the first in
#: :data:`BINDINGS` is named: the planner's targets (service level, ASA, abandonment) before
#: the guard rails (occupancy cap, interval floor, minimum agents).
BINDING_SERVICE_LEVEL = "service level"
BINDING_ASA = "ASA"
BINDING_ABANDON = "abandonment"
BINDING_OCCUPANCY = "occupancy cap"
BINDING_INTERVAL_FLOOR = "interval floor"
BINDING_MIN_AGENTS = "minimum agents"
#: A ``workload`` skill without an occupancy cap: the offered load, rounded up.
BINDING_LOAD = "offered load"
#: Day- and week-scope skills above their floors: the period's targets at the fewest hours.
BINDING_DAY = "day scope"
BINDING_WEEK = "week scope"
#: Agents corrected by simulation (``staffing: time_stable``).
BINDING_TIME_STABLE = "time-stable simulation"
#: Day- and week-scope skills with ``service_level.confidence`` above their floors: the
#: period's targets at the volume the confidence asks for, at the fewest hours.
BINDING_CONFIDENCE = "confidence"
#: Reserved: agents set by the shifts' coverage (not computed in the plan's intervals).
BINDING_SHIFTS = "shifts"
#: Open with no contact forecast: 0 agents.
BINDING_NO_VOLUME = "no volume"
#: Closed: 0 agents.
BINDING_CLOSED = "closed"
#: Every ``binding`` value, ties resolved to the first: targets, guard rails, the rest.
BINDINGS: tuple[str, ...] = (
    BINDING_SERVICE_LEVEL,
    BINDING_ASA,
    BINDING_ABANDON,
    BINDING_OCCUPANCY,
    BINDING_INTERVAL_FLOOR,
    BINDING_MIN_AGENTS,
    BINDING_LOAD,
    BINDING_DAY,
    BINDING_WEEK,
    BINDING_TIME_STABLE,
    BINDING_CONFIDENCE,
    BINDING_SHIFTS,
    BINDING_NO_VOLUME,
    BINDING_CLOSED,
)

#: ``Plan.summary()`` column of each ``binding`` value a staffed interval can have: the
#: number of the skill's staffed intervals (open, with volume) it set [-].
BINDING_COUNT_COLUMNS: dict[str, str] = {
    name: "set_by_" + name.lower().replace(" ", "_").replace("-", "_")
    for name in BINDINGS
    if name not in (BINDING_NO_VOLUME, BINDING_CLOSED)
}

#: NHT history metrics, float [s], [-] or counts, NaN where LivePerson had no data.
METRIC_COLUMNS: tuple[str, ...] = (
    "arrivals",
    "handled_segments",
    "net_handle_time_s",
    "avg_segment_work_time_s",
    "avg_agent_segment_duration_s",
    "total_agent_segment_duration_s",
    "avg_time_in_queue_s",
    "avg_available_load",
    "messages_sent",
)

#: Optional history columns ``patience_seconds: auto`` estimates the mean patience from:
#: contacts that left while waiting [-], and the seconds waited by all the interval's
#: contacts, served or not [s].
PATIENCE_COLUMNS: tuple[str, ...] = ("abandoned", "total_wait_s")

#: ``Plan.skills['patience_basis']``: the patience typed in the config, or estimated from
#: the history's ``abandoned`` and ``total_wait_s`` (``patience_seconds: auto``).
PATIENCE_BASIS_CONFIGURED = "configured"
PATIENCE_BASIS_HISTORY = "history"

#: Columns of the history store's frames, in order.
STORE_COLUMNS: tuple[str, ...] = (
    "account",
    "skill_id",
    "interval_start",
    "interval_minutes",
    *METRIC_COLUMNS,
)

#: Columns every hourly history frame has (the forecast's input).
HISTORY_COLUMNS: tuple[str, ...] = (
    "skill_id",
    "interval_start",
    "interval_minutes",
    "arrivals",
    "handled_segments",
    "net_handle_time_s",
)

#: Columns a history file (``nht.source: file``) gives; ``nht.columns`` maps them to its own
#: headers. ``interval_minutes``, ``net_handle_time_s`` and ``handled_segments`` may be absent,
#: and the patience columns (:data:`PATIENCE_COLUMNS`) are optional.
HISTORY_FILE_COLUMNS: tuple[str, ...] = (
    "skill_id",
    "interval_start",
    "interval_minutes",
    "net_handle_time_s",
    "arrivals",
    "handled_segments",
    *PATIENCE_COLUMNS,
)

#: Columns of a planner's volume forecast file; ``volume.columns`` maps them to its headers.
#: ``handle_time_s`` (the planner's own handle time [s]) is optional.
VOLUME_FILE_COLUMNS: tuple[str, ...] = ("skill_id", "interval_start", "volume", "handle_time_s")

#: Columns of ``Plan.intervals``, in order (the CSV keeps these names for pipelines).
#: ``fte`` is the FTE needed *during* its interval (a rate, not a sum: summing 30-minute
#: rows counts each hour twice); ``fte_hours`` = fte × interval hours is the one to sum.
#: ``binding`` names what set the agents (:data:`BINDINGS`).
INTERVAL_COLUMNS: tuple[str, ...] = (
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
    "fte_hours",
    "binding",
)


@dataclass(frozen=True)
class ColumnMeta:
    """What a column means to a reader: its label, unit and how a spreadsheet shows it.

    Attributes
    ----------
    label : str
        Header shown to a planner (unit in brackets where it has one).
    kind : str
        Display kind, one of ``datetime, date, time, percent, seconds, fte, hours, erlang,
        volume, int, id, float, text``; the workbook maps each kind to one Excel format
        (``staffing.outputs.workbook.NUMBER_FORMATS``). The kind says how a *number* is
        shown: a column whose values are text is written as text whatever its kind.
    """

    label: str
    kind: str


#: Column name -> meaning, for every column an output writes (plan intervals, summary,
#: daily and weekly roll-ups, resolved skills, backtest, NHT history and profile, history
#: summary) and for the numeric settings and run metadata the workbook lists (looked up by
#: their dotted config key, most specific first: ``service_level.target`` before
#: ``target``). An output looks a name up here; a name missing from this table is shown as
#: a plain number (``int`` or ``float`` by its type), a date or text, labelled by its name.
COLUMN_META: dict[str, ColumnMeta] = {
    # plan intervals
    "skill_id": ColumnMeta("Skill ID", "id"),
    "skill_name": ColumnMeta("Skill", "text"),
    "interval_start": ColumnMeta("Interval start", "datetime"),
    "volume": ColumnMeta("Volume", "volume"),
    "nht_s": ColumnMeta("NHT [s]", "seconds"),
    "nht_basis": ColumnMeta("NHT basis", "text"),
    "workload_erlangs": ColumnMeta("Workload [Erlang]", "erlang"),
    "agents": ColumnMeta("Agents", "int"),
    "fte": ColumnMeta("FTE in the interval", "fte"),
    "shrinkage": ColumnMeta("Shrinkage", "percent"),
    "service_level": ColumnMeta("Service level", "percent"),
    "asa_s": ColumnMeta("ASA [s]", "seconds"),
    "p_abandon": ColumnMeta("Abandonment", "percent"),
    "occupancy": ColumnMeta("Occupancy", "percent"),
    "method": ColumnMeta("Method", "text"),
    "binding": ColumnMeta("Set by", "text"),
    # the intervals CSV: local interval_start without offset, the offset beside it
    "utc_offset": ColumnMeta("UTC offset", "text"),
    # Plan.summary() (the workbook adds weekly_agent_hours)
    "weekly_volume": ColumnMeta("Weekly volume", "volume"),
    "mean_nht_s": ColumnMeta("Mean NHT [s]", "seconds"),
    "peak_agents": ColumnMeta("Peak agents", "int"),
    "peak_at": ColumnMeta("Peak at", "datetime"),
    "weekly_agent_hours": ColumnMeta("Weekly agent hours", "hours"),
    "weekly_fte": ColumnMeta("Weekly FTE", "fte"),
    "wape": ColumnMeta("WAPE", "percent"),
    **{
        column: ColumnMeta(f"Intervals set by {name}", "int")
        for name, column in BINDING_COUNT_COLUMNS.items()
    },
    # Plan.daily / Plan.weekly and their totals
    "date": ColumnMeta("Date", "date"),
    "week_start": ColumnMeta("Week start", "date"),
    "days": ColumnMeta("Days", "int"),
    "agent_hours": ColumnMeta("Agent hours", "hours"),
    "fte_hours": ColumnMeta("FTE hours", "hours"),
    "fte_headcount": ColumnMeta("FTE headcount", "fte"),
    # Plan.skills (resolved settings per skill)
    "service_level_target": ColumnMeta("Service level target", "percent"),
    "answer_within_s": ColumnMeta("Answer within [s]", "seconds"),
    "max_abandon": ColumnMeta("Max abandon", "percent"),
    "max_occupancy": ColumnMeta("Max occupancy", "percent"),
    "patience_s": ColumnMeta("Patience [s]", "seconds"),
    "patience_basis": ColumnMeta("Patience from", "text"),
    "patience_abandoned": ColumnMeta("Abandoned (patience estimate)", "volume"),
    "patience_wait_s": ColumnMeta("Time waited (patience estimate) [s]", "seconds"),
    "max_concurrency": ColumnMeta("Max concurrency", "int"),
    "handle_time_by_load_s": ColumnMeta("Handle time by load [s]", "seconds"),
    "shrinkage_mean": ColumnMeta("Shrinkage (weekly mean)", "percent"),
    "shrinkage_profile": ColumnMeta("Shrinkage as configured", "text"),
    "min_agents": ColumnMeta("Min agents", "int"),
    "open_hours": ColumnMeta("Open hours", "text"),
    "fte_hours_per_week": ColumnMeta("FTE hours per week", "hours"),
    "nht_seconds": ColumnMeta("NHT [s]", "seconds"),
    "nht_fallback_s": ColumnMeta("NHT fallback [s]", "seconds"),
    "growth": ColumnMeta("Growth", "float"),
    # Plan.backtest
    "actual_volume": ColumnMeta("Actual volume", "volume"),
    "hours": ColumnMeta("Hours", "hours"),
    # Plan.uncertainty
    "daily_cv": ColumnMeta("Day-level CV of the volume", "percent"),
    "origins": ColumnMeta("Backtest origins (weeks)", "int"),
    # NHT history (Plan.history, the store) and Plan.nht_profile
    "account": ColumnMeta("Account", "text"),
    "interval_minutes": ColumnMeta("Interval minutes", "int"),
    "arrivals": ColumnMeta("Arrivals", "volume"),
    "handled_segments": ColumnMeta("Handled segments", "volume"),
    "net_handle_time_s": ColumnMeta("Net handle time [s]", "seconds"),
    "avg_segment_work_time_s": ColumnMeta("Avg segment work time [s]", "seconds"),
    "avg_agent_segment_duration_s": ColumnMeta("Avg agent segment duration [s]", "seconds"),
    "total_agent_segment_duration_s": ColumnMeta("Total agent segment duration [s]", "seconds"),
    "avg_time_in_queue_s": ColumnMeta("Avg time in queue [s]", "seconds"),
    "avg_available_load": ColumnMeta("Avg available load", "float"),
    "messages_sent": ColumnMeta("Messages sent", "volume"),
    "abandoned": ColumnMeta("Abandoned", "volume"),
    "total_wait_s": ColumnMeta("Total time waited [s]", "seconds"),
    # a planner's volume forecast
    "handle_time_s": ColumnMeta("Handle time [s]", "seconds"),
    "hour_of_week": ColumnMeta("Hour of week", "int"),
    # history summary (``staffing history``)
    "first": ColumnMeta("First", "text"),
    "last": ColumnMeta("Last", "text"),
    "intervals": ColumnMeta("Intervals", "int"),
    "with_nht": ColumnMeta("With NHT", "int"),
    # SimulationResult tables (the workbook's Simulation sheet and the Summary's simulated
    # columns): the plan's analytic figure (*_plan), the simulated mean (*_sim) and its
    # 95 % confidence half-width (*_ci)
    "arrivals_sim": ColumnMeta("Simulated arrivals", "volume"),
    "service_level_plan": ColumnMeta("Planned service level", "percent"),
    "service_level_sim": ColumnMeta("Simulated service level", "percent"),
    "service_level_ci": ColumnMeta("Service level ± (95 %)", "percent"),
    "service_level_p10": ColumnMeta("Simulated service level, 10th percentile", "percent"),
    "asa_s_plan": ColumnMeta("Planned ASA [s]", "seconds"),
    "asa_s_sim": ColumnMeta("Simulated ASA [s]", "seconds"),
    "asa_s_ci": ColumnMeta("ASA ± (95 %) [s]", "seconds"),
    "p_abandon_plan": ColumnMeta("Planned abandonment", "percent"),
    "p_abandon_sim": ColumnMeta("Simulated abandonment", "percent"),
    "p_abandon_ci": ColumnMeta("Abandonment ± (95 %)", "percent"),
    "occupancy_plan": ColumnMeta("Planned occupancy", "percent"),
    "occupancy_sim": ColumnMeta("Simulated occupancy", "percent"),
    "occupancy_ci": ColumnMeta("Occupancy ± (95 %)", "percent"),
    "target_missed": ColumnMeta("Target missed (95 %)", "text"),
    "missed_targets": ColumnMeta("Missed targets", "text"),
    "p_meets_target": ColumnMeta("P(meets every target)", "percent"),
    "p_meets_target_known_volume": ColumnMeta("P(meets every target), volume known", "percent"),
    "below_interval_target": ColumnMeta("Below an interval target (information)", "text"),
    "worst_day_sl_sim": ColumnMeta("Simulated service level, worst day of the week", "percent"),
    "p_day_meets_target": ColumnMeta("P(day meets target)", "percent"),
    "intervals_below_interval_target": ColumnMeta(
        "Intervals below an interval target (information)", "percent"
    ),
    "p_day_meets_target_known_volume": ColumnMeta("P(day meets target), volume known", "percent"),
    # Schedule tables (the workbook's Shifts and Coverage sheets, the shifts and coverage
    # CSVs): on-queue agents (required, scheduled, gap), heads at work (required_heads,
    # heads), agent-hours and paid hours per skill group
    "skill_group": ColumnMeta("Skill group", "text"),
    "skill_ids": ColumnMeta("Skill IDs", "text"),
    "source": ColumnMeta("Source", "text"),
    "shift": ColumnMeta("Shift", "text"),
    "day": ColumnMeta("Day", "text"),
    "start": ColumnMeta("Start", "datetime"),
    "end": ColumnMeta("End", "datetime"),
    "break_start": ColumnMeta("Break start", "datetime"),
    "break_end": ColumnMeta("Break end", "datetime"),
    "heads": ColumnMeta("Heads at work", "fte"),
    "paid_hours": ColumnMeta("Paid hours", "hours"),
    "required": ColumnMeta("Required on-queue agents", "fte"),
    "scheduled": ColumnMeta("Scheduled on-queue agents", "fte"),
    "optimised": ColumnMeta("Optimised on-queue agents", "fte"),
    "gap": ColumnMeta("Gap (scheduled - required)", "fte"),
    "required_heads": ColumnMeta("Required heads at work", "fte"),
    "understaffed": ColumnMeta("Under-staffed", "text"),
    "shortfall": ColumnMeta("Shortfall [agents]", "fte"),
    "reason": ColumnMeta("Reason", "text"),
    "templates": ColumnMeta("Shift templates", "text"),
    "shifts": ColumnMeta("Shifts (heads started)", "int"),
    "required_hours": ColumnMeta("Required agent-hours", "hours"),
    "scheduled_hours": ColumnMeta("Scheduled on-queue hours", "hours"),
    "over_hours": ColumnMeta("Over-staffed hours", "hours"),
    "under_hours": ColumnMeta("Under-staffed hours", "hours"),
    "efficiency": ColumnMeta("Coverage efficiency", "percent"),
    "uncovered_intervals": ColumnMeta("Under-staffed intervals", "int"),
    "mip_gap": ColumnMeta("MILP gap", "percent"),
    "solver_status": ColumnMeta("Solver status", "text"),
    "solve_s": ColumnMeta("Solve time [s]", "seconds"),
    "blocks": ColumnMeta("Blocks solved", "int"),
    "reused_blocks": ColumnMeta("Blocks reused", "int"),
    "time_limit_s": ColumnMeta("Time limit per group [s]", "seconds"),
    "mip_rel_gap": ColumnMeta("Relative MILP gap allowed", "percent"),
    # Plan.risk: the cost of confidence (the Risk sheet)
    "scope": ColumnMeta("Scope", "text"),
    "confidence": ColumnMeta("Confidence", "percent"),
    "multiplier": ColumnMeta("Volume multiplier staffed for", "float"),
    "fte_per_week": ColumnMeta("FTE per week", "fte"),
    "probability": ColumnMeta("P(day meets its targets), lowest day", "percent"),
    "buffer_uplift": ColumnMeta("Flat buffer: volume x", "float"),
    "buffer_agent_hours": ColumnMeta("Flat buffer: agent hours", "hours"),
    "buffer_fte_per_week": ColumnMeta("Flat buffer: FTE per week", "fte"),
    # numeric config settings and run metadata (the Assumptions sheet, by dotted key)
    "id": ColumnMeta("ID", "id"),
    "weeks": ColumnMeta("Weeks", "int"),
    "history_weeks": ColumnMeta("History weeks", "int"),
    "min_segments": ColumnMeta("Min segments", "volume"),
    "recency_decay": ColumnMeta("Recency decay", "float"),
    "service_level.target": ColumnMeta("Service level target", "percent"),
    "answer_within_seconds": ColumnMeta("Answer within [s]", "seconds"),
    "asa_seconds": ColumnMeta("ASA [s]", "seconds"),
    "patience_seconds": ColumnMeta("Patience [s]", "seconds"),
    "closed_volume": ColumnMeta("Closed volume", "volume"),
}

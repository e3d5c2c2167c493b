"""Plots of a plan: heat maps, requirements over time and NHT profiles.

matplotlib is an optional extra (``pip install 'staffing[plots]'``), imported only when a
plot is drawn. The functions build :class:`matplotlib.figure.Figure` objects directly,
without pyplot's global state: they never open a window, render with Agg when saved (so they
work on a server with no display), and are freed like any object when no longer used, which
matters when :func:`save_plots` draws hundreds of skills. In a Jupyter notebook the returned
Figure displays inline.

Times are the plan's local wall-clock times.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from staffing.errors import DataError, OutputError
from staffing.forecast import weighted_mean
from staffing.outputs.output_set import OutputSet, staged_write
from staffing.outputs.view import PlanView, day_grid
from staffing.vocabulary import WEEKDAYS, WORKLOAD

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from staffing.plan import Plan

__all__ = [
    "PlotsUnavailableError",
    "plot_heatmap",
    "plot_nht_profile",
    "plot_requirements",
    "save_plots",
]

#: Above this many skills, ``plot_requirements(plan)`` draws the total of all skills (else
#: one panel per skill).
MAX_LINES = 8
_WEEKDAYS = [day.title() for day in WEEKDAYS]
_DPI = 100


class PlotsUnavailableError(OutputError, ImportError):
    """matplotlib, needed for plots, is not installed."""


_figure_classes: dict[type, type] = {}


def _figure_class() -> type:
    """Import matplotlib lazily; raise a clear error naming the extra when it is missing.

    Returns a Figure subclass with ``_repr_png_``, so a notebook shows it inline without
    pyplot (whose inline formatter is only registered once pyplot picks a backend).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise PlotsUnavailableError(
            "plots need matplotlib, an optional extra: pip install 'staffing[plots]'"
        ) from exc
    if Figure not in _figure_classes:

        class PlanFigure(Figure):
            """A matplotlib Figure that renders itself as PNG in Jupyter."""

            def _repr_png_(self) -> bytes:
                buffer = io.BytesIO()
                self.savefig(buffer, format="png", bbox_inches="tight")
                return buffer.getvalue()

        _figure_classes[Figure] = PlanFigure
    return _figure_classes[Figure]


# --------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------


def plot_heatmap(plan: Plan, skill: int | str) -> Figure:
    """Heat map of one skill's required FTE by local day (rows) and time of day (columns).

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    skill : int or str
        Skill id or skill name.

    Returns
    -------
    matplotlib.figure.Figure
        One image axis (cell values [FTE], NaN where no interval exists, such as the hour
        skipped when clocks go forward) and a colour bar.

    Raises
    ------
    DataError
        Unknown skill.
    PlotsUnavailableError
        matplotlib is not installed.
    """
    return _heatmap(PlanView.from_plan(plan), skill)


def _heatmap(view: PlanView, skill: int | str) -> Figure:
    """:func:`plot_heatmap` on a prepared plan view (save_plots reuses one for every skill)."""
    figure_class = _figure_class()
    rows = view.skill_rows(skill)
    skill_id, skill_name = rows["skill_id"].iloc[0], rows["skill_name"].iloc[0]
    grid = day_grid(rows, "fte", view.interval_minutes).cells
    values = np.ma.masked_invalid(grid.to_numpy(float))

    n_days = len(grid.index)
    fig = figure_class(figsize=(12, max(3.0, 1.5 + 0.22 * min(n_days, 60))), dpi=_DPI)
    ax = fig.add_subplot()
    image = ax.imshow(values, aspect="auto", cmap="YlOrRd", interpolation="nearest")
    per_hour = max(1, 60 // view.interval_minutes)
    ticks = np.arange(0, len(grid.columns), per_hour * (1 if per_hour == 1 else 2))
    ax.set_xticks(ticks, [grid.columns[i].strftime("%H:%M") for i in ticks], rotation=90)
    step = 1 if n_days <= 31 else 7
    rows_at = np.arange(0, n_days, step)
    ax.set_yticks(rows_at, [grid.index[i].strftime("%a %Y-%m-%d") for i in rows_at])
    ax.set_xlabel(f"Time of day ({view.timezone})")
    ax.set_title(f"{skill_name} (skill {skill_id}): required FTE by day and time of day")
    bar = fig.colorbar(image, ax=ax)
    bar.set_label("Required FTE")
    fig.tight_layout()
    return fig


def plot_requirements(
    plan: Plan,
    skills: int | str | list[int | str] | tuple[int | str, ...] | set[int | str] | None = None,
) -> Figure:
    """Required FTE per interval, one panel per skill, with the achieved service level.

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    skills : int, str or list of them, optional
        Skill ids or names, one panel each. By default every skill when there are at most
        :data:`MAX_LINES`, otherwise one panel with the total of all skills.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per skill (or the total), stacked with a shared time axis:
        ``fig.axes[i]`` is panel i's required FTE [FTE] against local time (solid line);
        its achieved service level [-] is on a second axis (dotted, same colour; the
        panels' second axes follow the panels in ``fig.axes``). A ``workload`` skill has
        no service-level target, so its panel draws none; for a total, the service level
        is volume-weighted over the skills with a target.

    Raises
    ------
    DataError
        Unknown skill.
    PlotsUnavailableError
        matplotlib is not installed.
    """
    figure_class = _figure_class()
    from matplotlib.ticker import PercentFormatter

    view = PlanView.from_plan(plan)
    iv = view.intervals
    if skills is None:
        ids = list(view.skill_order()["skill_id"])
        series = _total_series(iv) if len(ids) > MAX_LINES else None
    else:
        wanted = skills if isinstance(skills, (list, tuple, set, pd.Index)) else [skills]
        ids = [view.skill_rows(s)["skill_id"].iloc[0] for s in wanted]
        series = None
    if series is None:
        series = []
        for skill_id in ids:
            rows = iv[iv["skill_id"] == skill_id]
            no_target = str(rows["method"].iloc[0]) == WORKLOAD
            series.append(
                (
                    f"{rows['skill_name'].iloc[0]}",
                    rows["interval_start"].dt.tz_localize(None).to_numpy(),
                    rows["fte"].to_numpy(float),
                    None if no_target else rows["service_level"].to_numpy(float),
                )
            )

    n = len(series)
    fig = figure_class(figsize=(12, 1.2 + 2.3 * n), dpi=_DPI)
    panels = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    for index, (ax, (label, times, fte, sl)) in enumerate(zip(panels, series, strict=True)):
        colour = f"C{index % 10}"
        ax.plot(times, fte, color=colour, linewidth=1.2, label=f"{label}: FTE")
        ax.set_ylabel("FTE")
        ax.set_ylim(bottom=0)
        ax.set_title(
            label + ("" if sl is not None else " (workload: no service-level target)"),
            fontsize="medium",
            loc="left",
        )
        sl_ax = ax.twinx()
        if sl is not None:
            sl_ax.plot(
                times,
                sl,
                color=colour,
                linewidth=0.9,
                linestyle=":",
                label=f"{label}: service level",
            )
        sl_ax.set_ylim(0, 1.05)
        sl_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        sl_ax.set_ylabel("SL" if sl is not None else "")
    panels[-1].set_xlabel(f"Local time ({view.timezone})")
    fig.suptitle(f"Plan {view.name}: required FTE (solid) and achieved service level (dotted)")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def _total_series(iv: pd.DataFrame) -> list[tuple]:
    """One series for all skills: summed FTE and the volume-weighted service level."""
    served = (
        iv["service_level"].notna() & (iv["volume"] > 0) & (iv["method"] != WORKLOAD).to_numpy()
    )
    frame = pd.DataFrame(
        {
            "t": iv["interval_start"].dt.tz_localize(None),
            "fte": iv["fte"].astype(float),
            "sl_volume": np.where(served, iv["service_level"] * iv["volume"], 0.0),
            "volume": np.where(served, iv["volume"], 0.0),
        }
    )
    total = frame.groupby("t", sort=True).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        sl = np.where(total["volume"] > 0, total["sl_volume"] / total["volume"], np.nan)
    return [("All skills", total.index.to_numpy(), total["fte"].to_numpy(), sl)]


def plot_nht_profile(
    history: pd.DataFrame | Plan, skill: int | str, *, timezone: str | None = None
) -> Figure:
    """Net Handle Time by local hour of the week, with its weighted mean.

    Parameters
    ----------
    history : DataFrame or staffing.plan.Plan
        NHT history with ``skill_id, interval_start, net_handle_time_s, handled_segments``
        (a Plan: its ``history``, time zone, and its NHT forecast drawn for comparison).
        Hours with no data (NaN, or NHT or handled segments <= 0) are ignored.
    skill : int or str
        Skill id (or name, when the history or plan has ``skill_name``).
    timezone : str, optional
        IANA zone for the hour of the week; default the zone of ``interval_start``.

    Returns
    -------
    matplotlib.figure.Figure
        Grey dots: each hour's NHT [s]; line: the mean per hour of the week (Monday 00:00 =
        0) weighted by handled segments, sum(NHT x segments) / sum(segments); dashed: the
        overall weighted mean.

    Raises
    ------
    DataError
        The history lacks a column, or has no usable hour for the skill.
    PlotsUnavailableError
        matplotlib is not installed.
    """
    figure_class = _figure_class()
    history, timezone, names, plan_profile = _nht_source(history, timezone)
    skill_id = _history_skill(history, skill, names)
    how, nht, segments, zone = _nht_hours(history, skill_id, timezone)
    weighted = np.bincount(how, nht * segments, minlength=168)
    weights = np.bincount(how, segments, minlength=168)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_by_hour = np.where(weights > 0, weighted / weights, np.nan)
    overall = weighted_mean(nht, segments)

    fig = figure_class(figsize=(12, 4.5), dpi=_DPI)
    ax = fig.add_subplot()
    ax.scatter(how, nht, s=6, color="0.6", alpha=0.5, label="one hour of history")
    ax.plot(
        np.arange(168),
        mean_by_hour,
        color="C0",
        linewidth=1.5,
        label="weighted mean by hour of week",
    )
    ax.axhline(
        overall,
        color="C3",
        linestyle="--",
        linewidth=1.2,
        label=f"overall weighted mean {overall:,.0f} s",
    )
    _draw_plan_nht(ax, plan_profile, skill_id)
    ax.set_xticks(np.arange(0, 168, 24), _WEEKDAYS, ha="left")
    ax.set_xlim(0, 168)
    ax.set_ylim(bottom=0)
    ax.grid(axis="x", color="0.85")
    ax.set_xlabel(f"Hour of the week ({zone})")
    ax.set_ylabel("Net Handle Time [s]")
    label = names.get(skill_id)
    ax.set_title(
        f"{label} (skill {skill_id}): NHT by hour of week"
        if label
        else f"Skill {skill_id}: NHT by hour of week"
    )
    ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    return fig


def _nht_source(
    history: pd.DataFrame | Plan, timezone: str | None
) -> tuple[pd.DataFrame, str | None, dict[object, object], pd.DataFrame | None]:
    """The NHT history to draw, its zone, skill names and the plan's NHT (from a Plan).

    Raises
    ------
    DataError
        The history lacks a column.
    """
    plan_profile = None
    names: dict[object, object] = {}
    if not isinstance(history, pd.DataFrame):  # a Plan
        view = PlanView.from_plan(history)
        timezone = timezone or view.timezone
        names = dict(view.skill_order().itertuples(index=False))
        plan_profile = view.nht_profile
        history = view.history
    need = ["skill_id", "interval_start", "net_handle_time_s", "handled_segments"]
    missing = [c for c in need if c not in history.columns]
    if missing:
        raise DataError("the NHT history lacks the columns " + ", ".join(missing))
    if "skill_name" in history.columns:
        names.update(history[["skill_id", "skill_name"]].drop_duplicates("skill_id").values)
    return history, timezone, names, plan_profile


def _nht_hours(
    history: pd.DataFrame, skill_id: object, timezone: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, object]:
    """One skill's usable hours: hour of the week, NHT [s], handled segments; and the zone.

    Raises
    ------
    DataError
        The skill has no hour with NHT and handled segments above 0.
    """
    part = history[history["skill_id"] == skill_id]
    nht = pd.to_numeric(part["net_handle_time_s"], errors="coerce").to_numpy(float)
    segments = pd.to_numeric(part["handled_segments"], errors="coerce").to_numpy(float)
    ok = np.isfinite(nht) & np.isfinite(segments) & (nht > 0) & (segments > 0)
    if not ok.any():
        raise DataError(f"skill {skill_id} has no hour with NHT data in the history")
    starts = pd.to_datetime(part["interval_start"])
    if timezone is not None:
        starts = (
            starts.dt.tz_convert(timezone)
            if starts.dt.tz is not None
            else starts.dt.tz_localize(timezone)
        )
    how = (starts.dt.day_of_week * 24 + starts.dt.hour).to_numpy()[ok]
    return how, nht[ok], segments[ok], timezone or starts.dt.tz or "local"


def _draw_plan_nht(ax: Axes, plan_profile: pd.DataFrame | None, skill_id: object) -> None:
    """The NHT the plan used per hour of the week, as steps (when the profile has it)."""
    if plan_profile is None or not {"skill_id", "hour_of_week", "nht_s"} <= set(
        plan_profile.columns
    ):
        return
    used = plan_profile[plan_profile["skill_id"] == skill_id].sort_values("hour_of_week")
    if len(used):
        ax.step(
            used["hour_of_week"],
            used["nht_s"],
            where="post",
            color="C2",
            linewidth=1.0,
            label="NHT used by the plan",
        )


def _history_skill(history: pd.DataFrame, skill: int | str, names: dict[object, object]) -> object:
    ids = history["skill_id"]
    if (ids == skill).any():
        return skill
    as_text = ids.astype(str) == str(skill)
    if as_text.any():
        return ids[as_text].iloc[0]
    for skill_id, name in names.items():
        if str(name) == str(skill):
            return skill_id
    raise DataError(f"no skill {skill!r} in the NHT history")


# --------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------


def save_plots(
    plan: Plan, directory: str | os.PathLike, *, files: OutputSet | None = None
) -> list[Path]:
    """Save the plan's plots as PNG files in ``directory`` (created if missing).

    Writes ``requirements.png`` (:func:`plot_requirements` with its default skills), then per
    skill ``heatmap_<id>_<name>.png`` and, when the plan's history has NHT for the skill,
    ``nht_profile_<id>_<name>.png``. Each file is written atomically (temporary file, then
    rename), so an interrupted run never leaves a truncated PNG.

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    directory : str or os.PathLike
        Folder of the PNG files; existing files of the same name are replaced.
    files : OutputSet, optional
        The run's set of files: the PNGs are renamed into place with the workbook and CSVs
        (:func:`staffing.outputs.output_set.replace_together`); None: each at once.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    OutputError
        ``directory`` is a file, or a PNG cannot be written.
    PlotsUnavailableError
        matplotlib is not installed.
    """
    _figure_class()
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"{directory} is a file; --plots needs a folder")
    view = PlanView.from_plan(plan)
    written = [_save(plot_requirements(plan), directory / "requirements.png", files)]
    for skill_id, skill_name in view.skill_order().itertuples(index=False):
        stem = f"{_slug(skill_id)}_{_slug(skill_name)}".rstrip("_")
        written.append(_save(_heatmap(view, skill_id), directory / f"heatmap_{stem}.png", files))
        if len(view.history):
            try:
                figure = plot_nht_profile(plan, skill_id)
            except DataError:  # no NHT history for this skill (e.g. an nht_seconds override)
                continue
            written.append(_save(figure, directory / f"nht_profile_{stem}.png", files))
    return written


def _save(figure: Figure, path: Path, files: OutputSet | None) -> Path:
    with staged_write(files, path) as tmp:
        figure.savefig(tmp, format="png", dpi=_DPI)
    return path


def _slug(value: object) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", str(value)).strip("_")[:40]

"""Tests of staffing.outputs.plots: the figures carry the plan's numbers, PNGs are real images."""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from staffing.errors import DataError, OutputError
from staffing.outputs import interval_grid, plots
from tests.conftest import per_module
from tests.outputs.test_workbook import TZ, make_plan


def make_history(skill_id: int = 101) -> pd.DataFrame:
    """Two weeks of hourly NHT history in UTC with a few hand-checkable hours."""
    starts = pd.date_range("2026-03-02", periods=14 * 24, freq="h", tz="UTC")
    hour = starts.tz_convert(TZ).hour.to_numpy()
    frame = pd.DataFrame(
        {
            "skill_id": skill_id,
            "interval_start": starts,
            "net_handle_time_s": 400.0 + 10 * (hour % 5),
            "handled_segments": 5.0,
            "arrivals": 6.0,
        }
    )
    # Monday 2026-03-02 09:00 Paris (08:00 UTC): 300 s over 1 segment; the next Monday the
    # same hour 600 s over 3 segments -> weighted mean (300*1 + 600*3) / 4 = 525 s.
    first = frame["interval_start"] == pd.Timestamp("2026-03-02 08:00", tz="UTC")
    second = frame["interval_start"] == pd.Timestamp("2026-03-09 08:00", tz="UTC")
    frame.loc[first, ["net_handle_time_s", "handled_segments"]] = [300.0, 1.0]
    frame.loc[second, ["net_handle_time_s", "handled_segments"]] = [600.0, 3.0]
    # An hour with no data, as LivePerson sends it (-1), must be ignored.
    frame.loc[frame.index[5], "net_handle_time_s"] = -1.0
    return frame


@pytest.fixture(scope=per_module)
def plan():
    p = make_plan()
    p.history = make_history()
    return p


def test_heatmap_image_is_the_fte_grid(plan):
    fig = plots.plot_heatmap(plan, "Sales")
    assert isinstance(fig, Figure)
    shown = fig.axes[0].images[0].get_array()
    grid = interval_grid(plan, 101, "fte")
    assert shown.shape == (14, 24)
    np.testing.assert_allclose(shown.filled(np.nan), grid.to_numpy(float), equal_nan=True)
    # 2026-03-23 09:00: 2 agents / (1 - 0.3) = 2.857 FTE (hand computation in test_report).
    assert shown[0, 9] == pytest.approx(2 / 0.7)
    # 2026-03-29 02:00 does not exist in Paris: masked, not zero.
    assert shown.mask[6, 2]
    assert "Sales (skill 101)" in fig.axes[0].get_title()


def test_requirements_draw_one_panel_per_skill_with_its_service_level(plan):
    fig = plots.plot_requirements(plan, skills=[101, "Support chat"])
    # Two panels (FTE), then their two service-level axes: no overlapping lines.
    fte_axes, sl_axes = fig.axes[:2], fig.axes[2:]
    assert len(fig.axes) == 4
    assert [[line.get_label() for line in ax.lines] for ax in fte_axes] == [
        ["Sales: FTE"],
        ["Support chat: FTE"],
    ]
    iv = plan.intervals
    for ax, sid in zip(fte_axes, [101, 303], strict=True):
        np.testing.assert_allclose(ax.lines[0].get_ydata(), iv.loc[iv["skill_id"] == sid, "fte"])
    for ax, sid in zip(sl_axes, [101, 303], strict=True):
        rows = iv[iv["skill_id"] == sid]
        if (rows["method"] == "workload").all():
            assert len(ax.lines) == 0  # no target, no service level drawn
        else:
            np.testing.assert_allclose(
                ax.lines[0].get_ydata(), rows["service_level"], equal_nan=True
            )
        assert ax.get_ylim() == (0, 1.05)
    # x values are local wall-clock times.
    assert pd.Timestamp(fte_axes[0].lines[0].get_xdata()[0]) == pd.Timestamp("2026-03-23 00:00")


def test_requirements_default_draws_the_total_when_skills_are_many(plan, monkeypatch):
    monkeypatch.setattr(plots, "MAX_LINES", 2)
    fig = plots.plot_requirements(plan)
    (line,) = fig.axes[0].lines
    assert line.get_label() == "All skills: FTE"
    total = plan.intervals.groupby("interval_start")["fte"].sum().to_numpy()
    np.testing.assert_allclose(line.get_ydata(), total)


def test_nht_profile_weighted_mean_by_hour_of_week(plan):
    fig = plots.plot_nht_profile(plan.history, 101, timezone=TZ)
    ax = fig.axes[0]
    mean_line = next(x for x in ax.lines if x.get_label() == "weighted mean by hour of week")
    y = mean_line.get_ydata()
    assert len(y) == 168
    # Monday 09:00 local is hour 9 of the week: (300*1 + 600*3) / 4 = 525 s (make_history).
    assert y[9] == pytest.approx(525.0)
    # Tuesday 10:00 (hour 34): every week 400 + 10 * (10 % 5) = 400 s.
    assert y[34] == pytest.approx(400.0)
    history = plan.history
    ok = history["net_handle_time_s"] > 0
    expected = np.average(
        history.loc[ok, "net_handle_time_s"], weights=history.loc[ok, "handled_segments"]
    )
    overall = next(x for x in ax.lines if x.get_label().startswith("overall weighted mean"))
    assert overall.get_ydata()[0] == pytest.approx(expected)
    # The -1 "no data" hour is not drawn: 14 x 24 hours minus one.
    assert len(ax.collections[0].get_offsets()) == 14 * 24 - 1


def test_nht_profile_accepts_the_plan_and_a_skill_name(plan):
    fig = plots.plot_nht_profile(plan, "Sales")
    assert fig.axes[0].get_title().startswith("Sales (skill 101)")
    with pytest.raises(DataError, match="no skill 'Nope'"):
        plots.plot_nht_profile(plan, "Nope")


def test_save_plots_writes_non_empty_pngs(plan, tmp_path):
    written = plots.save_plots(plan, tmp_path / "plots")
    names = sorted(p.name for p in written)
    # requirements + a heat map per skill + an NHT profile for the one skill with history.
    assert names == [
        "heatmap_101_Sales.png",
        "heatmap_202_Billing_Refunds_EU.png",
        "heatmap_303_Support_chat.png",
        "nht_profile_101_Sales.png",
        "requirements.png",
    ]
    for path in written:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        pixels = imread(path)
        assert pixels.shape[0] >= 300 and pixels.shape[1] >= 1000  # 12 in x 100 dpi wide
        assert pixels[..., :3].std() > 0.05  # not a blank canvas
    assert not [p for p in (tmp_path / "plots").iterdir() if p.suffix != ".png"]


def test_save_plots_into_a_file_is_an_output_error(plan, tmp_path):
    target = tmp_path / "plots.png"
    target.write_text("x")
    with pytest.raises(OutputError, match="needs a folder"):
        plots.save_plots(plan, target)


def test_missing_matplotlib_names_the_extra(plan, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(plots.PlotsUnavailableError, match=r"pip install 'staffing\[plots\]'") as e:
        plots.plot_heatmap(plan, 101)
    assert isinstance(e.value, OutputError) and isinstance(e.value, ImportError)


def test_heatmap_of_an_unknown_skill_is_a_data_error(plan):
    with pytest.raises(DataError, match="no skill 999"):
        plots.plot_heatmap(plan, 999)


def test_local_dates_label_the_heatmap_rows(plan):
    fig = plots.plot_heatmap(plan, 202)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == dt.date(2026, 3, 23).strftime("%a %Y-%m-%d")
    assert len(labels) == 14


def test_figures_render_as_png_for_notebooks(plan):
    # Jupyter calls _repr_png_ on the returned object; no pyplot backend is involved.
    fig = plots.plot_requirements(plan, skills=101)
    png = fig._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 10_000

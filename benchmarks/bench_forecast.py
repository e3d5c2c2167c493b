"""Benchmark the volume forecast and its uncertainty on a real bank's calls (issue 19).

``../shared/realdata/bank_calls.csv`` (README there; Weinberg, Brown & Stroud 2007):
five-minute calls of a North American bank, weekdays 07:00-21:05, 3 Mar - 24 Oct 2003, local
wall-clock times written with a ``Z``, six weekday holidays absent.

1. **Accuracy.** A rolling one-week-ahead backtest over the last ``--origins`` (26) weeks:
   each Monday-to-Friday week is forecast from the data before it only, at 30 and at 60
   minutes, by
   the plan's forecast (:func:`staffing.forecast.volume_profile`: the same slot of the last
   8 weeks, recency decay 0.75), seasonal naive (the same slot a week before), the mean of
   the last four weeks by slot, and statsforecast's AutoETS (daily season) and MSTL (daily
   and weekly seasons) on the series of open slots of the 16 weeks before. WAPE
   Σ|actual − forecast| / Σ actual at 30 and 60 minutes, over all weeks, and the best and
   worst single week.
2. **Calibration.** The plan's day-level CV (:mod:`staffing.forecast.uncertainty`, the same
   backtest's daily totals) and the share of held-out days whose actual total falls inside
   the forecast × the 80 % and 95 % intervals of the day multiplier (widened by the
   day's Poisson noise, which the CV is net of): in-sample (the CV of all origins, as a
   plan computes it) and out-of-sample (each week's CV from the older origins only, at least
   :data:`~staffing.forecast.uncertainty.MIN_ORIGINS`), for the estimator the plan uses
   (scale from the mean absolute error) and the root mean square for comparison. Target:
   80 % holds 75-85 % of days, 95 % holds 90-98 %.
3. ``--synthetic N``: the estimator on N synthetic histories with a known day-level CV of
   0.10 (the simulation tests/forecast/test_uncertainty.py cites).

statsforecast is not in the ``bench`` extra: statsforecast 2.1 (and fugue, which it needs)
require pandas < 3, and installing it into the project's environment downgrades pandas 3 to
2.3 (two output tests then fail). Run its part in an environment of its own::

    python3 -m venv /tmp/sf && /tmp/sf/bin/pip install -e . statsforecast
    /tmp/sf/bin/python benchmarks/bench_forecast.py

Without statsforecast the script says so and compares the other forecasts. Its models take
minutes (about 9 on 2 shared cores for 26 origins at both grains); the rest takes seconds.

Usage::

    python benchmarks/bench_forecast.py [--origins 26] [--no-statsforecast] [--synthetic 40]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from staffing.forecast import day_multiplier, slot_of_week, uncertainty, volume_profile

ROOT = Path(__file__).resolve().parents[1]
BANK = next(
    (
        folder / "shared" / "realdata" / "bank_calls.csv"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "realdata" / "bank_calls.csv").is_file()
    ),
    ROOT.parent / "shared" / "realdata" / "bank_calls.csv",
)
TZ = "America/New_York"
#: The grains of the accuracy backtest [min].
GRAINS = (30, 60)
#: Weeks of history statsforecast's models are fitted on at each origin (all of it takes
#: minutes per origin for AutoETS on a shared machine; the plan's forecast reads 8).
SF_WEEKS = 16
#: The plan's forecast settings (the defaults of nht.history_weeks and volume.recency_decay).
WEEKS, DECAY = 8, 0.75


def read_bank(minutes: int) -> pd.DataFrame:
    """bank_calls summed to ``minutes``: ``skill_id`` 1, ``interval_start`` UTC, ``arrivals``."""
    raw = pd.read_csv(BANK)
    local = pd.to_datetime(raw["DateTime"].str.rstrip("Z")).dt.tz_localize(TZ)
    frame = pd.DataFrame(
        {
            "skill_id": 1,
            "interval_start": local.dt.floor(f"{minutes}min").dt.tz_convert("UTC"),
            "arrivals": raw["Calls"].astype(float),
        }
    )
    return frame.groupby(["skill_id", "interval_start"], as_index=False)["arrivals"].sum()


def plan_forecast(
    history: pd.DataFrame, held: pd.DataFrame, cut: pd.Timestamp, minutes: int
) -> np.ndarray:
    """The plan's forecast of the held-out slots (its profile from the weeks before ``cut``)."""
    profile = volume_profile(
        history, [1], timezone=TZ, weeks=WEEKS, decay=DECAY, end=cut, minutes=minutes
    )
    index = slot_of_week(held["interval_start"].dt.tz_convert(TZ), minutes)
    return profile["volume"].to_numpy()[index]


def weeks_back(history: pd.DataFrame, held: pd.DataFrame, lags: int, mean: bool) -> np.ndarray:
    """The same slot 1 to ``lags`` weeks before: their mean, or the newest one with data.

    Seasonal naive is ``lags=4, mean=False``: the week before, or the one before that where a
    holiday left it empty.
    """
    series = history.set_index("interval_start")["arrivals"]
    values = np.vstack(
        [
            series.reindex(held["interval_start"] - pd.Timedelta(weeks=lag)).to_numpy()
            for lag in range(1, lags + 1)
        ]
    )
    if mean:
        return np.nanmean(values, axis=0)
    newest = np.argmax(~np.isnan(values), axis=0)
    return values[newest, np.arange(values.shape[1])]


def statsforecast_models(history: pd.DataFrame, cut: pd.Timestamp, horizon: int) -> dict:
    """AutoETS and MSTL on the open slots of the :data:`SF_WEEKS` weeks before ``cut``.

    The series is the open slots one after the other (weekdays only, holidays absent), so a
    day has ``per_day`` slots and a week five days; ``horizon`` slots ahead.
    """
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS

    per_day = int(history["interval_start"].dt.tz_convert(TZ).dt.date.value_counts().mode()[0])
    starts = history["interval_start"]
    train = history[(starts < cut) & (starts >= cut - pd.Timedelta(weeks=SF_WEEKS))]
    frame = pd.DataFrame(
        {"unique_id": "bank", "ds": np.arange(len(train)), "y": train["arrivals"].to_numpy()}
    )
    models = [AutoETS(season_length=per_day), MSTL(season_length=[per_day, 5 * per_day])]
    answer = StatsForecast(models=models, freq=1).forecast(df=frame, h=horizon)
    return {"AutoETS": answer["AutoETS"].to_numpy(), "MSTL": answer["MSTL"].to_numpy()}


def mondays(history: pd.DataFrame, origins: int) -> list[pd.Timestamp]:
    """The local Mondays (as UTC instants) that start the last ``origins`` weeks, oldest first."""
    last = history["interval_start"].max().tz_convert(TZ).normalize()
    monday = last - pd.Timedelta(days=last.day_of_week)
    return [(monday - pd.Timedelta(weeks=k)).tz_convert("UTC") for k in range(origins - 1, -1, -1)]


def backtest(
    history: pd.DataFrame, minutes: int, origins: int, with_statsforecast: bool
) -> pd.DataFrame:
    """Every method's forecast of every held-out slot: ``origin, interval_start, actual, …``."""
    frames, spent = [], {}
    for cut in mondays(history, origins):
        held = history[
            (history["interval_start"] >= cut)
            & (history["interval_start"] < cut + pd.Timedelta(weeks=1))
        ].copy()
        columns = {
            "plan": lambda held=held, cut=cut: plan_forecast(history, held, cut, minutes),
            "seasonal naive": lambda held=held: weeks_back(history, held, 4, mean=False),
            "mean of 4 weeks": lambda held=held: weeks_back(history, held, 4, mean=True),
        }
        for name, make in columns.items():
            start = time.perf_counter()
            held[name] = make()
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
        if with_statsforecast:
            start = time.perf_counter()
            for name, values in statsforecast_models(history, cut, len(held)).items():
                held[name] = values
            spent["statsforecast"] = spent.get("statsforecast", 0.0) + time.perf_counter() - start
        frames.append(held.assign(origin=cut))
    print(
        f"{minutes} minutes, seconds spent over {origins} origins: "
        + ", ".join(f"{k} {v:.1f}" for k, v in spent.items())
    )
    return pd.concat(frames, ignore_index=True).rename(columns={"arrivals": "actual"})


def wape_table(grains: dict[int, pd.DataFrame], methods: list[str]) -> pd.DataFrame:
    """WAPE per method at each grain, and its best and worst week at the coarsest."""
    rows: dict[str, dict[str, float]] = {name: {} for name in methods}
    for minutes, slots in grains.items():
        for name in methods:
            error = (slots[name] - slots["actual"]).abs()
            rows[name][f"wape_{minutes}min"] = error.sum() / slots["actual"].sum()
            weekly = error.groupby(slots["origin"]).sum() / slots.groupby("origin")["actual"].sum()
            rows[name][f"best_week_{minutes}min"] = weekly.min()
            rows[name][f"worst_week_{minutes}min"] = weekly.max()
    table = pd.DataFrame(rows).T
    coarsest = max(grains)
    keep = [f"wape_{m}min" for m in grains]
    return table[[*keep, f"best_week_{coarsest}min", f"worst_week_{coarsest}min"]]


def coverage(errors: pd.DataFrame, cv: float | np.ndarray) -> dict[str, float]:
    """Share of days whose total lies inside the 80 % and 95 % intervals."""
    total = np.sqrt(np.asarray(cv) ** 2 + 1.0 / errors["forecast"].to_numpy())
    ratio = (errors["actual"] / errors["forecast"]).to_numpy()
    shares = {}
    for level in (0.8, 0.95):
        low, high = day_multiplier.interval(level, total)
        shares[f"inside_{round(level * 100)}"] = float(((ratio >= low) & (ratio <= high)).mean())
    return shares


def rms_cv(errors: pd.DataFrame) -> float:
    """The root-mean-square estimator, for comparison: sqrt(mean (A/F − 1)² − mean 1/F)."""
    ratio = errors["actual"] / errors["forecast"]
    excess = float(((ratio - 1) ** 2).mean() - (1 / errors["forecast"]).mean())
    return max(uncertainty.CV_FLOOR, np.sqrt(max(excess, 0.0)))


def mae_cv(errors: pd.DataFrame) -> float:
    """The plan's estimator (:func:`staffing.forecast.uncertainty.daily_cv`)."""
    return float(uncertainty.daily_cv(errors, [1]).loc[1, "daily_cv"])


def calibration(hourly: pd.DataFrame, origins: int) -> pd.DataFrame:
    """In- and out-of-sample coverage of the day intervals, for both estimators."""
    errors = uncertainty.daily_errors(
        hourly, [1], timezone=TZ, weeks=WEEKS, decay=DECAY, origins=uncertainty.MAX_ORIGINS + 10
    )
    errors = errors[errors["forecast"] > 0]
    cuts = sorted(errors["origin"].unique())
    scored = errors[errors["origin"].isin(cuts[-origins:])]
    rows = {}
    for name, estimate in (("mean absolute error (plan)", mae_cv), ("root mean square", rms_cv)):
        cv = estimate(scored)
        rows[(name, "in-sample")] = {"cv": cv, "days": len(scored), **coverage(scored, cv)}
        parts = []
        for cut in cuts[-origins:]:
            older = errors[errors["origin"] < cut - pd.Timedelta(days=6)]
            if older["origin"].nunique() >= uncertainty.MIN_ORIGINS:
                week = errors[errors["origin"] == cut]
                parts.append(week.assign(cv=estimate(older)))
        rolled = pd.concat(parts)
        rows[(name, "out-of-sample")] = {
            "cv": float(rolled["cv"].mean()),
            "days": len(rolled),
            **coverage(rolled, rolled["cv"].to_numpy()),
        }
    return pd.DataFrame(rows).T


def synthetic(replications: int) -> None:
    """The estimator on histories with a known day-level CV (tests/forecast/test_uncertainty)."""
    sys.path.insert(0, str(ROOT))
    from tests.forecast.test_uncertainty import SKILLS, synthetic_history

    cvs, correlations = [], []
    for seed in range(replications):
        history = synthetic_history(seed, 0.10, 0.5)
        errors = uncertainty.daily_errors(history, SKILLS, timezone="UTC", weeks=WEEKS)
        measured = uncertainty.daily_cv(errors, SKILLS)
        cvs.append(measured["daily_cv"].mean())
        correlations.append(uncertainty.daily_correlation(errors, measured["daily_cv"]))
    cv, rho = np.array(cvs), np.array(correlations)
    half = 1.96 * cv.std(ddof=1) / np.sqrt(replications)
    print(
        f"synthetic, cv 0.10, correlation 0.5, {replications} histories of 34 weeks, 4 skills: "
        f"measured cv mean {cv.mean():.4f} (95 % CI ±{half:.4f}), sd {cv.std(ddof=1):.4f}; "
        f"expected 0.1104 with the profile's own error; correlation mean {rho.mean():.3f}, "
        f"sd {rho.std(ddof=1):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=26)
    parser.add_argument("--no-statsforecast", action="store_true")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if not args.no_statsforecast and importlib.util.find_spec("statsforecast") is None:
        print("statsforecast is not installed: AutoETS and MSTL are left out (see the docstring)")
        args.no_statsforecast = True
    if args.synthetic:
        synthetic(args.synthetic)
    if not BANK.is_file():
        print(f"{BANK} not found: the real-data part is skipped")
        return
    grains = {
        minutes: backtest(read_bank(minutes), minutes, args.origins, not args.no_statsforecast)
        for minutes in GRAINS
    }
    fixed = ("skill_id", "interval_start", "actual", "origin")
    methods = [c for c in grains[GRAINS[0]].columns if c not in fixed]
    pd.set_option("display.width", 120)
    print(f"\nbank_calls: one-week-ahead WAPE over {args.origins} weekly origins")
    print(wape_table(grains, methods).round(4).to_string())
    print("\nday-level uncertainty: share of days inside the intervals (target 75-85 %, 90-98 %)")
    print(calibration(read_bank(60), args.origins).round(4).to_string())


if __name__ == "__main__":
    main()

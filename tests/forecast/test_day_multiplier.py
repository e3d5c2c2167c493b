"""The day multiplier's distribution (staffing.forecast.day_multiplier).

Expected values come from the lognormal's closed-form moments and from
``scipy.stats.lognorm``, an independent implementation of the same law.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from staffing.forecast import day_multiplier


@pytest.mark.parametrize("cv", [0.05, 0.1, 0.3])
def test_quadrature_gives_mean_one_and_the_cv(cv: float) -> None:
    # E[M] = 1 and E[M^2] = 1 + cv^2 for the lognormal of mean 1 and CV cv (closed form).
    m, w = day_multiplier.nodes(cv)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    assert (w * m).sum() == pytest.approx(1.0, rel=1e-12)
    assert (w * m**2).sum() == pytest.approx(1.0 + cv**2, rel=1e-10)


def test_no_uncertainty_is_one_node_at_one() -> None:
    m, w = day_multiplier.nodes(0.0)
    assert m.tolist() == [1.0] and w.tolist() == [1.0]


@pytest.mark.parametrize("p", [0.025, 0.1, 0.5, 0.9, 0.975])
def test_quantile_matches_scipy_lognorm(p: float) -> None:
    cv = 0.12
    s = np.sqrt(np.log1p(cv**2))
    reference = stats.lognorm(s=s, scale=np.exp(-(s**2) / 2)).ppf(p)
    assert float(day_multiplier.quantile(p, cv)) == pytest.approx(reference, rel=1e-12)


def test_interval_holds_its_coverage() -> None:
    low, high = day_multiplier.interval(0.8, 0.1)
    s = np.sqrt(np.log1p(0.01))
    law = stats.lognorm(s=s, scale=np.exp(-(s**2) / 2))
    assert law.cdf(high) - law.cdf(low) == pytest.approx(0.8, abs=1e-12)


def test_draws_have_the_mean_cv_and_correlation() -> None:
    # 200 000 draws: the standard error of the mean is cv/sqrt(n) ~ 3.4e-4 (cv 0.15), so
    # 5 standard errors is 1.7e-3; the sample correlation of the logs has sd ~ 2e-3.
    rng = np.random.default_rng(20261206)
    m = day_multiplier.draw(rng, [0.15, 0.05, 0.0], 0.4, 200_000)
    assert m.shape == (200_000, 3)
    assert abs(m[:, 0].mean() - 1.0) < 5 * 0.15 / np.sqrt(200_000)
    assert m[:, 0].std() / m[:, 0].mean() == pytest.approx(0.15, rel=0.02)
    assert np.all(m[:, 2] == 1.0)
    assert np.corrcoef(np.log(m[:, 0]), np.log(m[:, 1]))[0, 1] == pytest.approx(0.4, abs=0.01)


@pytest.mark.parametrize(
    "call",
    [
        lambda: day_multiplier.sigma(-0.1),
        lambda: day_multiplier.sigma(float("nan")),
        lambda: day_multiplier.quantile(1.0, 0.1),
        lambda: day_multiplier.draw(np.random.default_rng(0), [0.1], 1.5, 3),
    ],
)
def test_bad_arguments_are_refused(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        call()

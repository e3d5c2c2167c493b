"""The day multiplier: forecast error of a day's volume, as one random factor per skill and day.

A forecast of a day's volume is wrong by a factor that the whole day shares (one
"busyness" factor per day, Avramidis, Deslauriers & L'Ecuyer 2004; Whitt 2006): the
actual arrival rate of every interval of day *d* for skill *s* is the forecast rate times
:math:`M_{d,s}`, and arrivals inside the day are Poisson at that rate.

The multiplier is lognormal with mean 1 and coefficient of variation ``cv``:
:math:`M = \\exp(\\sigma Z - \\sigma^2/2)` with :math:`\\sigma^2 = \\ln(1 + cv^2)` and
:math:`Z` standard normal, so :math:`E[M] = 1` and :math:`sd(M) = cv` exactly. Skills'
multipliers of the same day share a Gaussian copula with equal ``correlation``
:math:`\\rho \\in [0, 1]` between every pair of the underlying normals:
:math:`Z_s = \\sqrt{\\rho} C + \\sqrt{1-\\rho} E_s` with :math:`C, E_s` independent standard
normals. Days are independent. See docs/models.md, "Forecast uncertainty".

This is the one home of the distribution: the estimate of the CV, the simulation's draws,
the staffing to a confidence level and the calibration benchmark all call it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = ["draw", "interval", "nodes", "quantile", "sigma"]


def _checked_cv(cv: ArrayLike) -> NDArray[np.float64]:
    values = np.asarray(cv, dtype=float)
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"cv must be finite and at least 0, got {values!r}")
    return values


def sigma(cv: ArrayLike) -> NDArray[np.float64]:
    """The lognormal shape of a multiplier with mean 1 and coefficient of variation ``cv``.

    Parameters
    ----------
    cv : array_like of float
        Coefficient of variation of the day's volume (dimensionless, 0.1 = 10 %).

    Returns
    -------
    ndarray of float
        :math:`\\sigma = \\sqrt{\\ln(1 + cv^2)}`, the standard deviation of :math:`\\ln M`.
    """
    return np.sqrt(np.log1p(_checked_cv(cv) ** 2))


def quantile(p: ArrayLike, cv: ArrayLike) -> NDArray[np.float64]:
    """The ``p`` quantile of the day multiplier (dimensionless).

    Parameters
    ----------
    p : array_like of float
        Probabilities in (0, 1).
    cv : array_like of float
        Coefficient of variation of the day's volume; broadcasts against ``p``.

    Returns
    -------
    ndarray of float
        :math:`\\exp(\\sigma \\Phi^{-1}(p) - \\sigma^2/2)`.
    """
    probability = np.asarray(p, dtype=float)
    if np.any((probability <= 0) | (probability >= 1)):
        raise ValueError(f"p must lie strictly between 0 and 1, got {probability!r}")
    shape = sigma(cv)
    return np.exp(shape * special.ndtri(probability) - shape**2 / 2)


def interval(coverage: float, cv: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The central interval of the multiplier that holds ``coverage`` of days.

    Parameters
    ----------
    coverage : float
        Share of days inside the interval, in (0, 1) (0.8 for an 80 % interval).
    cv : array_like of float
        Coefficient of variation of the day's volume.

    Returns
    -------
    low, high : ndarray of float
        The ``(1 - coverage) / 2`` and ``(1 + coverage) / 2`` quantiles.
    """
    tail = (1 - coverage) / 2
    return quantile(tail, cv), quantile(1 - tail, cv)


def nodes(cv: float, count: int = 24) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Quadrature nodes and weights for expectations over the multiplier.

    :math:`E[f(M)] \\approx \\sum_i w_i f(m_i)` by Gauss-Hermite quadrature
    (probabilists' form) in :math:`Z`; exact for polynomials of degree below
    ``2 * count`` in :math:`Z`.

    Parameters
    ----------
    cv : float
        Coefficient of variation of the day's volume.
    count : int, default 24
        Number of nodes. With ``cv == 0`` a single node ``m = 1`` of weight 1 is returned.

    Returns
    -------
    multipliers, weights : ndarray of float
        The multipliers :math:`m_i` (ascending) and weights :math:`w_i` (summing to 1).
    """
    shape = float(sigma(cv))
    if shape == 0.0:
        return np.ones(1), np.ones(1)
    z, w = special.roots_hermitenorm(count)
    return np.exp(shape * z - shape**2 / 2), w / w.sum()


def draw(
    rng: np.random.Generator, cv: ArrayLike, correlation: float, days: int
) -> NDArray[np.float64]:
    """Draw the multipliers of ``days`` days for every skill at once.

    Parameters
    ----------
    rng : numpy.random.Generator
        The source of randomness (one stream for all skills: the correlation needs it).
    cv : array_like of float, shape (n_skills,)
        Each skill's coefficient of variation of the day's volume.
    correlation : float
        Correlation of the skills' underlying normals, in [0, 1].
    days : int
        Number of days.

    Returns
    -------
    ndarray of float, shape (days, n_skills)
        One multiplier per day and skill; a skill with ``cv == 0`` gets exactly 1.
    """
    if not 0.0 <= correlation <= 1.0:
        raise ValueError(f"correlation must lie in [0, 1], got {correlation!r}")
    shape = np.atleast_1d(sigma(cv))
    common = rng.standard_normal((days, 1))
    own = rng.standard_normal((days, shape.size))
    z = np.sqrt(correlation) * common + np.sqrt(1.0 - correlation) * own
    return np.exp(shape * z - shape**2 / 2)

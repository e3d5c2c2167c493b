"""Deprecated, moved to :mod:`staffing.outputs.plots`; kept for one release.

Import from :mod:`staffing.outputs.plots` (or :mod:`staffing.outputs`) instead.
"""

from __future__ import annotations

import warnings

from staffing.outputs.plots import MAX_LINES as MAX_LINES  # a limit, kept importable
from staffing.outputs.plots import (
    PlotsUnavailableError,
    plot_heatmap,
    plot_nht_profile,
    plot_requirements,
    save_plots,
)

warnings.warn(
    "staffing.plots is deprecated and will be removed in 0.3: "
    "import from staffing.outputs.plots instead",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "PlotsUnavailableError",
    "plot_heatmap",
    "plot_nht_profile",
    "plot_requirements",
    "save_plots",
]

"""The deprecated 0.1 import paths: each warns, naming its new home, and still re-exports.

These are the only tests that import the old paths (tests/test_architecture.py checks that
nothing else in the project does).
"""

from __future__ import annotations

import sys
from types import ModuleType

import pytest


def _import_fresh(name: str, new_home: str) -> ModuleType:
    """Import ``name`` anew (a module warns once, when first imported) expecting the warning."""
    sys.modules.pop(name, None)
    with pytest.warns(DeprecationWarning, match=rf"{name} is deprecated.*{new_home}") as caught:
        __import__(name)  # an import statement's own call, so the warning points here
    # The warning points at the importing line, not at importlib's machinery.
    assert [w.filename for w in caught if w.category is DeprecationWarning] == [__file__]
    return sys.modules[name]


def test_staffing_report_warns_and_re_exports_the_outputs():
    from staffing import outputs
    from staffing.outputs import intervals_csv, safety, view, workbook

    report = _import_fresh("staffing.report", "staffing.outputs")
    assert report.write_outputs is outputs.write_outputs
    assert report.write_workbook is workbook.write_workbook
    assert report.write_intervals_csv is intervals_csv.write_intervals_csv
    assert report.check_outputs is safety.check_outputs
    assert report.interval_grid is view.interval_grid
    assert report.EXCEL_MAX_ROWS == workbook.EXCEL_MAX_ROWS
    assert all(hasattr(report, name) for name in report.__all__)


def test_staffing_plots_warns_and_re_exports_the_plots():
    from staffing.outputs import plots

    old = _import_fresh("staffing.plots", "staffing.outputs.plots")
    for name in old.__all__:
        assert getattr(old, name) is getattr(plots, name)
    assert old.MAX_LINES == plots.MAX_LINES


def test_staffing_liveperson_warns_and_re_exports_the_fetcher():
    from staffing.sources import liveperson

    old = _import_fresh("staffing.liveperson", "staffing.sources.liveperson")
    assert old.__all__ == liveperson.__all__
    for name in old.__all__:
        assert getattr(old, name) is getattr(liveperson, name)


def test_staffing_store_warns_and_re_exports_the_store_and_the_export():
    from staffing.outputs import history
    from staffing.sources import store
    from staffing.vocabulary import INTERVAL_MINUTES

    old = _import_fresh("staffing.store", "staffing.sources.store")
    assert old.HistoryStore is store.HistoryStore
    assert old.covered is store.covered
    assert old.write_csv is history.write_csv
    assert old.to_local is history.to_local
    assert old.VALID_INTERVALS == INTERVAL_MINUTES
    assert all(hasattr(old, name) for name in old.__all__)

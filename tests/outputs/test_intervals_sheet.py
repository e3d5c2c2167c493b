"""The Intervals sheets written alone from a small one-week plan, split by a lowered row
limit, read back.

Rules protected: the interval rows go to ``Intervals``, ``Intervals 2``, ... a sheet's
rows at a time (one sheet even for no rows; a new one exactly past the limit); each sheet
has its header on row 1, frozen, repeated on every printed page, filters over exactly its
rows, landscape one page wide, and every column wide enough for its label and the filter
button; the progress messages count the rows written out of all of them.
"""

from __future__ import annotations

import re

import pytest

import staffing
from staffing.outputs import cells, layout
from staffing.outputs.layout import Progress
from staffing.outputs.sheets.plan import interval_sheet_names, write_intervals
from staffing.outputs.view import PlanView
from tests.conftest import per_module
from tests.outputs import simulation_support as support
from tests.outputs.sheet_reading import cell_rows, column_widths, written_book

TZ = support.TIMEZONE


@pytest.fixture(scope=per_module)
def view(tmp_path_factory):
    planned = staffing.plan(
        staffing.load_config(support.write_config(tmp_path_factory.mktemp("small")))
    )
    return PlanView.from_plan(planned)


def test_sheet_names_split_exactly_past_the_limit(monkeypatch):
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", 11)  # 10 data rows a sheet
    assert interval_sheet_names(0) == ["Intervals"]
    assert interval_sheet_names(10) == ["Intervals"]
    assert interval_sheet_names(11) == ["Intervals", "Intervals 2"]
    assert interval_sheet_names(31) == ["Intervals", "Intervals 2", "Intervals 3", "Intervals 4"]


def test_each_sheet_holds_its_share_of_rows_with_header_filters_and_print(
    tmp_path, view, monkeypatch
):
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", 201)  # 200 data rows a sheet
    monkeypatch.setattr(cells, "CHUNK_ROWS", 70)
    messages: list[str] = []
    n = len(view.intervals)
    assert n == 3 * 7 * 24
    book, _ = written_book(
        tmp_path,
        lambda wb, formats: write_intervals(wb, view, formats, Progress(messages.append)),
        "intervals",
    )
    assert book.sheetnames == ["Intervals", "Intervals 2", "Intervals 3"]
    sizes = [200, 200, n - 400]
    first_ids = []
    for name, size in zip(book.sheetnames, sizes, strict=True):
        ws = book[name]
        rows = cell_rows(ws)
        assert len(rows) == 1 + size
        assert rows[0][:3] == ["Skill ID", "Skill", f"Interval start ({TZ})"]
        assert all(ws.cell(1, c).font.b for c in range(1, 18))  # the header's look
        assert ws.cell(1, 17).fill.fgColor.rgb == "FFDDEBF7"
        assert ws.auto_filter.ref == f"A1:Q{1 + size}"  # 17 columns
        assert ws.freeze_panes == "A2"
        assert ws.print_title_rows == "$1:$1"
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        widths = column_widths(ws)
        # the label + 2 for the filter button + 2 of margin
        assert widths[1] == pytest.approx(len("Skill ID") + 4 + 0.71, abs=0.01)
        label = f"Interval start ({TZ})"
        assert widths[3] == pytest.approx(len(label) + 4 + 0.71, abs=0.01)
        first_ids.append(rows[1][0])
    iv = view.intervals
    assert first_ids == [iv["skill_id"].iloc[k] for k in (0, 200, 400)]
    third = cell_rows(book["Intervals 3"])
    assert third[-1][0] == iv["skill_id"].iloc[-1]
    assert third[-1][third[0].index("Volume")] == pytest.approx(iv["volume"].iloc[-1])
    # progress: the first chunk counted at once, the last row always, in order, of all rows
    counts = [int(m.split(": ")[1].split(" of ")[0].replace(",", "")) for m in messages]
    assert messages[0] == f"Intervals rows: 70 of {n:,}"
    assert messages[-1] == f"Intervals rows: {n:,} of {n:,}"
    assert all(re.fullmatch(r"Intervals rows: [\d,]+ of 504", m) for m in messages)
    assert counts == sorted(counts)


def test_no_rows_still_writes_the_header_without_filters(tmp_path, view):
    empty = PlanView(
        name="empty", timezone=TZ, interval_minutes=60, intervals=view.intervals.iloc[:0]
    )
    book, _ = written_book(
        tmp_path, lambda wb, formats: write_intervals(wb, empty, formats), "empty"
    )
    ws = book["Intervals"]
    rows = cell_rows(ws)
    assert len(rows) == 1 and rows[0][0] == "Skill ID"
    assert ws.auto_filter.ref is None

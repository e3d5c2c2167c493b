"""Compare two staffing workbooks cell for cell, and two intervals CSVs byte for byte.

Usage::

    .venv/bin/python benchmarks/compare_outputs.py BEFORE.xlsx AFTER.xlsx \
        [--csv BEFORE.csv AFTER.csv]

For every sheet (same names, same order) it compares every cell's value and number format,
bold, the used range, column widths, row heights, merged cells, conditional formats, freeze
panes, the autofilter and the Excel tables, and the document properties; the CSVs must be
identical bytes. Run times (``run_at``, ``run_at_utc``) differ from run to run and are
reported, not counted. Prints one line per difference (the first 20 per kind) and exits 1
when anything other than run times differs.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections import defaultdict
from pathlib import Path

import openpyxl

_RUN_TIME_KEYS = {"run_at", "run_at_utc"}


def _tables(ws) -> dict[str, tuple]:
    return {
        name: (
            t.ref,
            t.autoFilter.ref if t.autoFilter else None,
            t.tableStyleInfo.name if t.tableStyleInfo else None,
            tuple(c.name for c in t.tableColumns),
        )
        for name, t in ((t.name, t) for t in ws.tables.values())
    }


def _sheet_facts(ws) -> dict[str, object]:
    return {
        "dimensions": ws.dimensions,
        "freeze_panes": ws.freeze_panes,
        "autofilter": ws.auto_filter.ref,
        "tables": _tables(ws),
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "conditional": sorted(
            (str(r.sqref), tuple(x.type for x in r.rules)) for r in ws.conditional_formatting
        ),
        "widths": {k: round(v.width, 6) for k, v in ws.column_dimensions.items() if v.width},
        "heights": {k: v.height for k, v in ws.row_dimensions.items() if v.height},
        "print_title_rows": ws.print_title_rows,
    }


def _aligned_rows(wa, wb, cols: int, report: list[str]) -> list[tuple[int, int]]:
    """Pairs of matching row numbers; rows only one side has are listed in ``report``.

    Rows are matched by their values (difflib), so a row inserted in one workbook (say, a
    new config key on the Assumptions sheet) is reported once instead of shifting every
    later row into a difference. Run times are left out of the matching.
    """

    def key(ws, r):
        first = ws.cell(r, 1).value
        if first in _RUN_TIME_KEYS:
            return (first,)
        return tuple(ws.cell(r, c).value for c in range(1, cols + 1))

    keys_a = [key(wa, r) for r in range(1, wa.max_row + 1)]
    keys_b = [key(wb, r) for r in range(1, wb.max_row + 1)]
    if len(keys_a) == len(keys_b):
        return [(r, r) for r in range(1, len(keys_a) + 1)]
    pairs = []
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            pairs += [(i + 1, j + 1) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            continue
        for i in range(i1, i2):
            report.append(f"row {i + 1} only before: {[v for v in keys_a[i] if v is not None]}")
        for j in range(j1, j2):
            report.append(f"row {j + 1} only after: {[v for v in keys_b[j] if v is not None]}")
    return pairs


def compare_workbooks(before: Path, after: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Differences by kind, and the run-time cells that differ (expected)."""
    a = openpyxl.load_workbook(before)
    b = openpyxl.load_workbook(after)
    diffs: dict[str, list[str]] = defaultdict(list)
    expected: list[str] = []
    if a.sheetnames != b.sheetnames:
        diffs["sheets"].append(f"{a.sheetnames} != {b.sheetnames}")
    cells = 0
    for name in a.sheetnames:
        if name not in b.sheetnames:
            continue
        wa, wb = a[name], b[name]
        fa, fb = _sheet_facts(wa), _sheet_facts(wb)
        if wa.max_row != wb.max_row:  # rows inserted: reported by row below, not here
            del fa["dimensions"], fb["dimensions"]
        for key in fa:
            if fa[key] != fb[key]:
                diffs[key].append(f"{name}: {fa[key]!r} != {fb[key]!r}")
        cols = max(wa.max_column, wb.max_column)
        for ra, rb in _aligned_rows(wa, wb, cols, diffs[f"rows of {name}"]):
            key_cell = wa.cell(ra, 1).value
            for c in range(1, cols + 1):
                ca, cb = wa.cell(ra, c), wb.cell(rb, c)
                cells += 1
                where = f"{name}!{ca.coordinate}" + (f"/{cb.coordinate}" if ra != rb else "")
                if ca.value != cb.value:
                    if name == "Assumptions" and c == 2 and key_cell in _RUN_TIME_KEYS:
                        expected.append(f"{where} ({key_cell}): {ca.value!r} -> {cb.value!r}")
                    else:
                        diffs["value"].append(f"{where}: {ca.value!r} != {cb.value!r}")
                if ca.number_format != cb.number_format:
                    diffs["number_format"].append(
                        f"{where}: {ca.number_format!r} != {cb.number_format!r}"
                    )
                if bool(ca.font.b) != bool(cb.font.b):
                    diffs["bold"].append(f"{where}: {ca.font.b} != {cb.font.b}")
    pa, pb = a.properties, b.properties
    for key in ("title", "subject", "description"):
        if getattr(pa, key) != getattr(pb, key):
            diffs["properties"].append(f"{key}: {getattr(pa, key)!r} != {getattr(pb, key)!r}")
    custom_a = {p.name: p.value for p in a.custom_doc_props.props}
    custom_b = {p.name: p.value for p in b.custom_doc_props.props}
    if custom_a != custom_b:
        diffs["properties"].append(f"custom: {custom_a} != {custom_b}")
    diffs["_cells"] = [str(cells)]
    return diffs, expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--csv", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)

    diffs, expected = compare_workbooks(args.before, args.after)
    cells = diffs.pop("_cells")[0]
    print(f"workbook: {args.before} vs {args.after}: {cells} cells compared")
    for line in expected:
        print(f"  expected (run time): {line}")
    failed = False
    for kind, lines in diffs.items():
        if not lines:
            continue
        failed = True
        print(f"  DIFFERENT {kind}: {len(lines)}")
        for line in lines[:20]:
            print(f"    {line}")
    if not failed:
        print(
            "  identical: values, number formats, bold, widths, heights, merges, conditional "
            "formats, freeze panes, autofilters, tables, properties"
        )
    if args.csv:
        before, after = (p.read_bytes() for p in args.csv)
        same = before == after
        print(
            f"csv: {args.csv[0]} vs {args.csv[1]}: "
            f"{'identical bytes' if same else 'DIFFERENT'} ({len(before)} / {len(after)} bytes)"
        )
        failed |= not same
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

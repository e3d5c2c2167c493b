"""A table as CSV text, each distinct value formatted once: the bytes of ``DataFrame.to_csv``.

A year of intervals is millions of rows, but a plan's numbers repeat (a forecast by hour of
the week gives every week the same volume, handle time and service level), so
:func:`write_csv` formats each column's distinct values once, as pandas would, and writes
the rows from those texts: with pyarrow (the ``parquet`` extra) in C++, outside Python's
lock, so the CSV can be written while the workbook is; else with pandas on the formatted
texts. The file is byte for byte what ``frame.to_csv(path, index=False)`` writes: floats as
NumPy prints them (``0.1``, ``3.0``, ``inf``, ``-0.0``), integers and text as they are,
missing values empty, the line ending :data:`os.linesep`, a text holding a comma, a quote or
a line break quoted (such a table goes through pandas' own writer). A column of another
type (dates, nullable integers) sends the whole table through ``DataFrame.to_csv``.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["CSV_CHUNK_ROWS", "CsvCancelled", "write_csv"]

#: Rows written at a time (pandas' chunk, pyarrow's batch): bounds the memory of the text.
CSV_CHUNK_ROWS = 65_536
#: What a CSV field may not hold unquoted (Python's csv module, QUOTE_MINIMAL).
_STRUCTURAL = (",", '"', "\r", "\n")


class CsvCancelled(Exception):
    """The write was stopped from another thread (the run failed elsewhere)."""


def write_csv(
    frame: pd.DataFrame, path: str | os.PathLike, *, cancel: threading.Event | None = None
) -> None:
    """Write ``frame`` to ``path`` exactly as ``frame.to_csv(path, index=False)`` does.

    Parameters
    ----------
    frame : DataFrame
        The table; columns of float64, integer, bool, text or categorical (of text or
        integers) take the fast way, any other sends the whole table to pandas.
    path : path
        The file, created or truncated.
    cancel : threading.Event, optional
        Set from another thread to stop the write between chunks.

    Raises
    ------
    CsvCancelled
        ``cancel`` was set; the file is then incomplete.
    OSError
        The file cannot be written.
    """
    columns = [_column_text(frame[name]) for name in frame.columns] if _plain(frame) else None
    if columns is None or any(c is None for c in columns):
        _check(cancel)
        frame.to_csv(path, index=False, chunksize=CSV_CHUNK_ROWS)
        return
    texts = [c for c in columns if c is not None]
    header = _csv_line([str(name) for name in frame.columns])
    if _arrow_safe(frame.columns, texts):
        with open(path, "wb") as fh:
            fh.write(header.encode())
            _write_arrow(fh, [str(n) for n in frame.columns], texts, len(frame), cancel)
        return
    lookups = [_lookup(t) for t in texts]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        for start in range(0, len(frame), CSV_CHUNK_ROWS):
            _check(cancel)
            rows = slice(start, start + CSV_CHUNK_ROWS)
            chunk = {
                str(name): text[rows] if table is None else table[text[0][rows]]
                for name, text, table in zip(frame.columns, texts, lookups, strict=True)
            }
            pd.DataFrame(chunk).to_csv(fh, index=False, header=False)


_Text = tuple[np.ndarray, list[str]] | np.ndarray


def _plain(frame: pd.DataFrame) -> bool:
    """Two columns or more (one empty field alone is quoted), their names unique text."""
    names = frame.columns
    return frame.shape[1] > 1 and names.is_unique and all(isinstance(n, str) for n in names)


def _column_text(series: pd.Series) -> _Text | None:
    """(codes, the distinct values' texts) of a column, its integers as they are, or None
    for a type the fast way does not write as pandas does."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return series.to_numpy()
    if isinstance(dtype, np.dtype) and dtype == np.float64:
        return _float_text(series.to_numpy())
    if isinstance(dtype, pd.CategoricalDtype):
        if dtype.categories.dtype.kind not in "iuOT" and not pd.api.types.is_string_dtype(
            dtype.categories
        ):
            return None
    elif not (
        (isinstance(dtype, np.dtype) and dtype.kind in "bO") or isinstance(dtype, pd.StringDtype)
    ):
        return None
    codes, uniques = pd.factorize(series)
    values = list(np.asarray(uniques, dtype=object))
    if not all(isinstance(v, str | int | bool | np.integer | np.bool_) for v in values):
        return None
    return codes, [str(v) for v in values]


def _float_text(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Codes and texts of float64 values: NumPy's ``astype(str)``, as pandas writes them."""
    codes, uniques = pd.factorize(values)
    uniques = np.where(uniques == 0, 0.0, uniques)  # the hash takes -0.0 and 0.0 as one
    texts = list(uniques.astype(str))
    negative_zero = (values == 0) & np.signbit(values)
    if negative_zero.any():
        codes = np.where(negative_zero, len(texts), codes)
        texts.append(str(np.array([-0.0]).astype(str)[0]))
    return codes, texts


def _arrow_safe(names: pd.Index, texts: Sequence[_Text]) -> bool:
    """pyarrow present, and no name or text that would need quoting."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    words = [str(n) for n in names]
    for text in texts:
        if isinstance(text, tuple):
            words += text[1]
    return not any(mark in word for word in words for mark in _STRUCTURAL)


def _write_arrow(
    fh: io.BufferedWriter,
    names: list[str],
    texts: Sequence[_Text],
    rows: int,
    cancel: threading.Event | None,
) -> None:
    """The rows by pyarrow's CSV writer: dictionary columns of the texts, unquoted."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    arrays = []
    for text in texts:
        if isinstance(text, tuple):
            codes, words = text
            indices = pa.array(codes.astype(np.int32), mask=codes < 0)
            arrays.append(pa.DictionaryArray.from_arrays(indices, pa.array(words, pa.string())))
        else:
            arrays.append(pa.array(text))
    table = pa.table(arrays, names=names)
    options = pa_csv.WriteOptions(
        include_header=False, quoting_style="none", eol=os.linesep, batch_size=8192
    )
    with pa_csv.CSVWriter(fh, table.schema, write_options=options) as writer:
        for start in range(0, rows, CSV_CHUNK_ROWS):
            _check(cancel)
            writer.write_table(table.slice(start, CSV_CHUNK_ROWS))


def _lookup(text: _Text) -> np.ndarray | None:
    """The texts of a coded column as objects, code -1 (missing) taking the last, empty."""
    return np.array([*text[1], ""], dtype=object) if isinstance(text, tuple) else None


def _csv_line(fields: list[str]) -> str:
    """One line as pandas writes it (Python's csv module, minimal quoting)."""
    out = io.StringIO()
    csv.writer(out, lineterminator=os.linesep, quoting=csv.QUOTE_MINIMAL).writerow(fields)
    return out.getvalue()


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise CsvCancelled("the CSV write was stopped")

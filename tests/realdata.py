"""Where the real data lies: ``../shared/realdata`` beside the project (README there).

A git worktree sits one folder deeper, so the folder above is looked at too. Tests that use
the data skip with a reason when it is absent (it is present in CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The shared real-data folder (the first that exists, else the usual place).
REALDATA = next(
    (
        folder / "shared" / "realdata"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "realdata").is_dir()
    ),
    ROOT.parent / "shared" / "realdata",
)
#: Five-minute calls of a North American bank, 2003 (README: times local, written with Z).
BANK = REALDATA / "bank_calls.csv"
#: Mark for tests that read ``BANK``.
needs_bank = pytest.mark.skipif(not BANK.is_file(), reason="../shared/realdata not present")

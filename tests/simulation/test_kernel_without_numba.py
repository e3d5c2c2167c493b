"""Without numba the simulation says so once, at the caller's line, and runs the same loop.

Rule protected (:func:`staffing.simulation.kernel.simulate_replication` and
:func:`staffing.simulation.simulate` docstrings): "Without numba the kernel runs as plain
Python, about 100 times slower, with a warning": one ``RuntimeWarning`` per process whose
text names the extra to install, attributed to a caller's line (not to the kernel's own);
the run's ``meta["engine"]`` says ``python``; the counts are those of the compiled
loop.

The warning is given once per process, so it is looked at in a fresh Python process (the
suite's other tests may already have drawn it); ``kernel.HAVE_NUMBA`` set to False there
stands for an install without numba.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np

from staffing.simulation import kernel, simulate
from tests.conftest import ROOT

MESSAGE = (
    "numba is not installed: the simulation runs as plain Python, about 100 times slower "
    "(pip install staffing[simulate])"
)

CALLER = textwrap.dedent(
    """
    import json, sys, warnings
    import numpy as np
    from staffing.simulation import kernel

    def counts(seed):
        rng = np.random.default_rng(seed)
        return kernel.simulate_replication(
            np.array([30.0, 50.0, 0.0]), np.array([3, 4, 0]), np.full(3, 240.0), rng,
            interval_s=1800.0, answer_within_s=20.0, patience_s=300.0,
        )

    compiled = counts(5)
    kernel.HAVE_NUMBA = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = counts(5)
        again = counts(5)
    print(json.dumps({
        "warnings": [
            [w.category.__name__, str(w.message), w.filename, w.lineno] for w in caught
        ],
        "same": bool((first == compiled).all() and (again == compiled).all()),
    }))
    """
)


def test_without_numba_one_warning_names_the_extra_at_the_callers_line(tmp_path):
    script = tmp_path / "caller.py"
    script.write_text(CALLER)
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    ((category, message, filename, _),) = seen["warnings"]
    assert (category, message) == ("RuntimeWarning", MESSAGE)
    # stacklevel 2: the warning names a caller's line, not the kernel's own
    assert Path(filename).name != Path(kernel.__file__).name
    assert seen["same"]  # the same loop, the same counts


def test_a_run_without_numba_says_python_in_its_meta(monkeypatch, ramps_plan):
    """``meta["engine"]`` is "python" when numba is missing (else "numba")."""
    monkeypatch.setattr(kernel, "HAVE_NUMBA", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = simulate(ramps_plan, replications=2, seed=1, forecast_error=False)
    assert result.meta["engine"] == "python"
    assert np.isfinite(result.intervals["arrivals_sim"]).all()

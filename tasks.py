"""Set up the project's virtual environment and run its jobs; needs only python3.

Usage::

    python3 tasks.py demo    # install (with plots) and run the main job on the bundled example
    python3 tasks.py test    # install test dependencies, run ruff, mypy and the whole test suite
    python3 tasks.py bench   # install benchmark peers and run benchmarks/
    python3 tasks.py mutate  # mutation testing of the core modules (not CI; --sample)
    python3 tasks.py notebook  # install Jupyter, register the kernel, say how to start it

The environment lives in ``.venv`` beside this file and is reinstalled only
when ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _stamp(extras: str) -> tuple[Path, str]:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    return VENV / f".installed-{extras or 'base'}", digest


def _current(extras: str) -> bool:
    stamp, digest = _stamp(extras)
    return stamp.exists() and stamp.read_text() == digest


def _ensure_env(extras: str) -> None:
    """Create ``.venv`` and install the project with ``extras`` unless already current.

    An environment with more extras (dev, bench) already holds the base install, so
    ``demo`` after ``test`` installs nothing (the docs test runs ``demo`` mid-suite).
    """
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = set(filter(None, extras.split(",")))
    for other in ("dev", "dev,bench", "dev,plots,notebook"):
        # dev holds every runtime extra (plots, simulate, distributed, parquet) too
        covers = set(other.split(",")) | (
            {"plots", "simulate", "distributed", "parquet"} if "dev" in other else set()
        )
        if wanted <= covers and _current(other):
            return
    if _current(extras):
        return
    stamp, digest = _stamp(extras)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([*pip, "-e", target], check=True, cwd=ROOT)
    stamp.write_text(digest)


def _run(*args: str) -> int:
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=ROOT).returncode


def demo() -> int:
    # With plots: the demo environment runs every command of the README (--plots too).
    _ensure_env("plots")
    return _run("staffing", "plan", "config/example.yaml", "--out", "out/example.xlsx")


def test() -> int:
    _ensure_env("dev")
    for check in (("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",)):
        rc = _run(*check)
        if rc:
            return rc
    return _run("python", "-m", "pytest", "-n", "2", "-q")


def bench() -> int:
    _ensure_env("dev,bench")
    rc = 0
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        rc |= _run("python", str(script))
    return rc


#: The modules ``mutate`` runs over, one after the other (the engine last: it is slowest),
#: and the sample ``mutate --sample`` takes of each: mutmut numbers the mutants of every
#: function 1, 2, ...; a pattern keeps those whose number ends so (``*7``: one in ten).
MUTATE_MODULES = {
    "staffing.forecast": "*7",
    "staffing.plan": "*[02468]7",
    "staffing.config": "*7",
    "staffing.sources.store": "*7",
    "staffing.sources.liveperson.retry": "*[147]",
    "staffing.sources.liveperson.parse": "*[37]",
    "staffing.queueing": "*[05]7",
}


def mutate(*args: str) -> int:
    """Run mutmut (config in pyproject ``[tool.mutmut]``) module by module, then report.

    ``mutate [--sample] [MODULE ...]``: every mutant of the modules (default: all of
    ``MUTATE_MODULES``; hours), or with ``--sample`` the sample above (about half an hour
    on 2 cores). Each mutant runs only the selected tests that reach the mutated function.
    Results stay in ``mutants/``; delete it to start over. The report counts, per module,
    the mutants killed (a test failed or timed out) and those that survived or reached no
    test; only mutants that were run are counted.
    """
    import json
    from collections import Counter

    sample = "--sample" in args
    modules = [a for a in args if a != "--sample"] or list(MUTATE_MODULES)
    _ensure_env("dev")
    # One mutmut run for all of them: it runs the clean tests once, then the mutants.
    rc = _run(
        "mutmut", "run", *(f"{m}.*__mutmut_{MUTATE_MODULES[m] if sample else '*'}" for m in modules)
    )
    if rc:
        return rc
    print(f"{'module':<36}{'killed':>8}{'survived':>10}{'no tests':>10}{'score':>8}")
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"].values()
        kinds = Counter(
            "killed"
            if c in (1, 3, 24, -24, 36, 152, 255)
            else "survived"
            if c == 0
            else "no tests"
            if c in (5, 33)
            else "other"
            for c in codes
            if c is not None
        )
        name = str(meta.relative_to(ROOT / "mutants"))[: -len(".py.meta")].replace("/", ".")
        tested = kinds["killed"] + kinds["survived"] + kinds["no tests"]
        if tested:
            print(
                f"{name:<36}{kinds['killed']:>8}{kinds['survived']:>10}"
                f"{kinds['no tests']:>10}{kinds['killed'] / tested:>8.1%}"
            )
    print("survivors: .venv/bin/mutmut results; one of them: .venv/bin/mutmut show NAME")
    return 0


#: Name of the Jupyter kernel ``notebook`` registers (the project's name).
KERNEL_NAME = "staffing"


def notebook() -> int:
    """Install the project with dev, plots and Jupyter, and register its kernel.

    The kernel ``staffing`` (shown as "Python (staffing)") runs ``.venv``'s Python, for
    the notebooks in ``notebooks/``. Jupyter is not started: the command to start it is
    printed.
    """
    _ensure_env("dev,plots,notebook")
    rc = _run(
        "python",
        "-m",
        "ipykernel",
        "install",
        "--user",
        "--name",
        KERNEL_NAME,
        "--display-name",
        f"Python ({KERNEL_NAME})",
    )
    if rc:
        return rc
    print(
        f"Kernel {KERNEL_NAME!r} registered. Start Jupyter with:\n"
        f"    {BIN / 'jupyter'} lab notebooks/\n"
        f'and pick the kernel "Python ({KERNEL_NAME})".'
    )
    return 0


JOBS = {"demo": demo, "test": test, "bench": bench, "mutate": mutate, "notebook": notebook}

if __name__ == "__main__":
    if (
        len(sys.argv) < 2
        or sys.argv[1] not in JOBS
        or (len(sys.argv) > 2 and sys.argv[1] != "mutate")
    ):
        print(__doc__)
        sys.exit(2)
    sys.exit(JOBS[sys.argv[1]](*sys.argv[2:]))

"""Set up the project's virtual environment and run its jobs; needs only python3.

Usage::

    python3 tasks.py demo    # install and run the main job on the bundled example
    python3 tasks.py test    # install test dependencies, run ruff and the whole test suite
    python3 tasks.py bench   # install benchmark peers and run benchmarks/

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
    for other in ("dev", "dev,bench"):
        if wanted <= set(other.split(",")) and _current(other):
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
    _ensure_env("")
    return _run("staffing", "plan", "config/example.yaml", "--out", "out/example.xlsx")


def test() -> int:
    _ensure_env("dev")
    rc = _run("ruff", "check", ".")
    if rc:
        return rc
    return _run("python", "-m", "pytest", "-n", "2", "-q")


def bench() -> int:
    _ensure_env("dev,bench")
    rc = 0
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        rc |= _run("python", str(script))
    return rc


JOBS = {"demo": demo, "test": test, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in JOBS:
        print(__doc__)
        sys.exit(2)
    sys.exit(JOBS[sys.argv[1]]())

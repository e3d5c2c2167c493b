"""Set up the project's virtual environment and run its jobs; needs only python3.

Usage::

    python3 tasks.py demo    # install (with plots) and run the main job on the bundled example
    python3 tasks.py test    # install test dependencies, run ruff, mypy and the whole test suite
    python3 tasks.py bench   # install benchmark peers and run benchmarks/
    python3 tasks.py mutate  # mutation testing, one job per module (not CI; --sample)
    python3 tasks.py notebook  # install Jupyter, register the kernel, say how to start it

The environment lives in ``.venv`` beside this file and is reinstalled only
when ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import signal
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


#: The modules ``mutate`` runs over, one job after the other (the engine last: it is
#: slowest), and the sample ``mutate --sample`` takes of each: mutmut numbers the mutants of
#: every function 1, 2, ...; a pattern keeps those whose number ends so (``*7``: one in ten).
#: A package name (``staffing.shifts``) is one job over all its modules.
MUTATE_MODULES = {
    "staffing.forecast": "*7",
    "staffing.plan": "*[02468]7",
    "staffing.config": "*7",
    "staffing.sources.store": "*7",
    "staffing.sources.liveperson.retry": "*[147]",
    "staffing.sources.liveperson.parse": "*[37]",
    "staffing.sources.liveperson.sync": "*7",
    "staffing.sources.files": "*7",
    "staffing.daily": "*7",
    "staffing.special_days": "*7",
    "staffing.outputs.view": "*7",
    "staffing.outputs.sheets": "*7",
    "staffing.shifts": "*7",
    "staffing.simulation": "*7",
    "staffing.queueing": "*[05]7",
}

#: The tests each module's job runs (a mutant then runs only those of them that reach the
#: function it changes); a module not listed runs the whole selection of pyproject's
#: ``[tool.mutmut]``. Leaving the tests that never reach a module out keeps its job short.
MUTATE_TESTS = {
    "staffing.sources.liveperson.sync": [
        "tests/sources/test_liveperson.py",
        "tests/sources/test_sync_windows.py",
        "tests/sources/test_sync_plan_rules.py",
    ],
    "staffing.sources.files": [
        "tests/sources/test_files.py",
        "tests/sources/test_planner_files.py",
        "tests/sources/test_forecast_files.py",
        "tests/sources/test_history_file_rules.py",
        "tests/sources/test_volume_file_rules.py",
    ],
    "staffing.daily": [
        "tests/test_daily.py",
        "tests/test_daily_rules.py",
        "tests/test_daily_boundaries.py",
        "tests/plan/test_binding.py",
    ],
    "staffing.special_days": [
        "tests/test_special_days.py",
        "tests/test_special_days_table.py",
        "tests/test_special_days_history.py",
        "tests/plan/test_real_days.py",
    ],
    "staffing.outputs.view": [
        "tests/outputs/test_day_grid_local_days.py",
        "tests/outputs/test_workbook.py",
        # the view carries a plan's forecast error, risk and teams to their sheets
        "tests/outputs/test_assumptions_uncertainty.py",
        "tests/outputs/test_risk_sheet.py",
        "tests/outputs/test_teams_sheet.py",
    ],
    "staffing.outputs.sheets": [
        "tests/outputs/test_sheet_figures_by_hand.py",
        "tests/outputs/test_workbook.py",
        "tests/outputs/test_workbook_schedule.py",
        "tests/outputs/test_workbook_simulation.py",
        "tests/outputs/test_workbook_print.py",
        "tests/outputs/test_assumptions_uncertainty.py",
        "tests/outputs/test_risk_sheet.py",
        "tests/outputs/test_teams_sheet_cells.py",
        "tests/outputs/test_weekly_sheet.py",
        "tests/outputs/test_schedule_sheets_text.py",
        "tests/outputs/test_simulation_sheet_text.py",
        "tests/outputs/test_assumptions_sheet.py",
        "tests/outputs/test_summary_sheet.py",
        "tests/outputs/test_skill_sheet.py",
        "tests/outputs/test_intervals_sheet.py",
        "tests/outputs/test_schedule_checks_by_hand.py",
        "tests/outputs/test_assumptions_schedule_time.py",
    ],
    "staffing.shifts": [
        "tests/shifts/",
        "tests/outputs/test_sheet_figures_by_hand.py",
    ],
    "staffing.simulation": [
        "tests/simulation/",
        "tests/outputs/test_sheet_figures_by_hand.py",
        # The three tests on a Dask LocalCluster take 10-16 s each and reach nearly every
        # function: every surviving mutant would pay 40 s for them. They check that a
        # cluster gives the figures of a run in process, which the other tests pin down.
        "--deselect",
        "tests/simulation/test_forecast_error.py::"
        "test_forecast_error_draws_reproduce_in_process_and_on_two_dask_workers",
        "--deselect",
        "tests/simulation/test_simulation_run.py::"
        "test_identical_without_dask_and_on_one_or_two_dask_workers",
        "--deselect",
        "tests/simulation/test_teams.py::test_identical_in_process_and_on_two_dask_workers",
    ],
}

#: Mutants run at once: the machine is shared, so two, at the lowest CPU priority.
MUTATE_WORKERS = 2

#: Where each module's job keeps its mutants and results (``mutants/`` is git-ignored).
MUTATE_JOBS = ROOT / "mutants" / "jobs"

#: Surviving mutants judged equivalent (no output can tell them apart): one file per module
#: (``MODULE.txt``), one name a line with the reason after ``#``; the report counts them
#: apart from the survivors.
MUTATE_EQUIVALENT = ROOT / "docs" / "mutation-equivalent"

#: mutmut's exit codes by verdict (mutmut.stats.status_by_exit_code).
_KILLED = (1, 3)
#: A mutant stopped by SIGXCPU: out of wall time ((the tests' recorded seconds +
#: timeout_constant) x timeout_multiplier) or of twice that in CPU time. The tests did not
#: pass, so it counts as killed, but is shown apart.
_TIMEOUT = (24, -24, 36, 152, 255)
_NO_TESTS = (5, 33)
#: A mutant whose test process died of a signal other than SIGXCPU: SIGABRT (-6) or SIGSEGV
#: (-11) from a compiled library (HiGHS, numpy) given what the mutant made of its input.
#: The tests did not pass, so it counts as killed, but is shown apart, as the timeouts.
_CRASHED = (-6, -11, -7, -8, -4)


def _equivalent_mutants() -> set[str]:
    lines = [
        line.split("#")[0].strip()
        for listing in sorted(MUTATE_EQUIVALENT.glob("*.txt"))
        for line in listing.read_text(encoding="utf-8").splitlines()
    ]
    return {line for line in lines if line}


def _lowest_priority() -> None:
    """In the job's process before mutmut starts: its own session at nice 19.

    Where Linux groups processes by session for the scheduler (``sched_autogroup``, on in
    most desktop and cloud kernels), a nice value ranks a process only against its own
    session: every other session still gets an equal share of the cores, so ``nice`` alone
    did not make the job yield to an engineer's tests (on 2 cores it had a third of them
    beside two other sessions, and the whole of them once those sessions' nice was 19). The
    job therefore starts a session of its own and gives that session's group nice 19 too.
    """
    os.setsid()
    os.nice(19)
    try:
        Path("/proc/self/autogroup").write_text("19\n", encoding="ascii")
    except OSError:  # no autogroup (another kernel or system): the nice above is enough
        pass


def _toml_list(values: list[str]) -> str:
    import json

    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _mutation_job(module: str) -> Path:
    """The folder of one module's job: the project linked in, and a pyproject whose
    ``[tool.mutmut]`` mutates that module only and selects its tests (:data:`MUTATE_TESTS`)."""
    import json
    import tomllib

    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    settings = tomllib.loads(text)["tool"]["mutmut"]
    path = ROOT / module.replace(".", "/")
    files = (
        [f"{path.relative_to(ROOT).as_posix()}/*.py"]
        if path.is_dir()
        else [f"{path.relative_to(ROOT).as_posix()}.py"]
    )
    tests = MUTATE_TESTS.get(module, settings["pytest_add_cli_args_test_selection"])
    section = "\n".join(
        [
            "[tool.mutmut]",
            f"source_paths = {_toml_list(settings['source_paths'])}",
            f"also_copy = {_toml_list(settings['also_copy'])}",
            f"only_mutate = {_toml_list(files)}",
            f"pytest_add_cli_args_test_selection = {_toml_list(tests)}",
            f"pytest_add_cli_args = {_toml_list(settings['pytest_add_cli_args'])}",
            f"timeout_multiplier = {settings['timeout_multiplier']}",
            f"timeout_constant = {settings['timeout_constant']}",
            f"process_isolation = {json.dumps(settings['process_isolation'])}",
            "",
        ]
    )
    head, _, rest = text.partition("[tool.mutmut]")
    tail = rest[rest.find("\n[") + 1 :] if "\n[" in rest else ""
    job = MUTATE_JOBS / module
    job.mkdir(parents=True, exist_ok=True)
    for name in ("staffing", "tests", *settings["also_copy"]):
        link = job / name
        if not link.is_symlink():
            link.symlink_to(ROOT / name)
    (job / "pyproject.toml").write_text(head + section + "\n" + tail, encoding="utf-8")
    return job


def _mutation_report(modules: list[str], minutes: dict[str, float]) -> None:
    """Per module: killed, out of time, crashed (a signal killed the tests' process),
    survived, judged equivalent, reached by no test, the score ((killed + timeout +
    crashed) / mutants run and not judged equivalent), the mutants not run yet (a job
    stopped half way: the score is then of a part) and any other exit code (none expected);
    then the mutants listed as equivalent that a test kills (a name gone stale: mutmut
    renumbers a function's mutants when its code changes)."""
    import json
    from collections import Counter

    equivalent = _equivalent_mutants()
    print(
        f"{'module':<36}{'killed':>8}{'timeout':>9}{'crashed':>9}{'survived':>10}{'equiv.':>8}"
        f"{'no tests':>10}{'score':>8}{'not run':>9}{'other':>7}{'minutes':>9}"
    )
    stale = []
    for module in modules:
        k: Counter[str] = Counter()
        for meta in sorted((MUTATE_JOBS / module / "mutants").rglob("*.py.meta")):
            for key, code in json.loads(meta.read_text())["exit_code_by_key"].items():
                if key in equivalent and code is not None and code != 0 and code not in _TIMEOUT:
                    stale.append(key)
                if code is None:
                    k["not run"] += 1
                    continue
                # a mutant judged equivalent that ran out of time (it runs every test that
                # reaches it, on a loaded machine) is equivalent, not detected
                k[
                    "killed"
                    if code in _KILLED
                    else "equivalent"
                    if key in equivalent and (code == 0 or code in _TIMEOUT)
                    else "timeout"
                    if code in _TIMEOUT
                    else "crashed"
                    if code in _CRASHED
                    else "survived"
                    if code == 0
                    else "no tests"
                    if code in _NO_TESTS
                    else "other"
                ] += 1
        detected = k["killed"] + k["timeout"] + k["crashed"]
        counted = detected + k["survived"] + k["no tests"]
        if counted:
            took = f"{minutes[module]:>9.1f}" if module in minutes else f"{'-':>9}"
            print(
                f"{module:<36}{k['killed']:>8}{k['timeout']:>9}{k['crashed']:>9}"
                f"{k['survived']:>10}{k['equivalent']:>8}{k['no tests']:>10}"
                f"{detected / counted:>8.1%}{k['not run']:>9}{k['other']:>7}{took}"
            )
    if stale:  # mutmut renumbers a function's mutants when its code changes
        print(f"listed as equivalent but killed (a stale name? {MUTATE_EQUIVALENT.name}/):")
        print("\n".join(f"  {key}" for key in sorted(stale)))
    print(
        f"survivors: cd {MUTATE_JOBS.relative_to(ROOT)}/MODULE && ../../../.venv/bin/mutmut "
        "results; one of them: ../../../.venv/bin/mutmut show NAME"
    )


def _again(job: Path) -> list[str]:
    """Make a job run its survivors again against the current tests: the tests copied in
    anew, the verdicts of the survivors, of the mutants no test reached and of the timeouts
    (to tell a loop from a machine that was busy) cleared, the record of which tests reach
    what dropped. Survivors judged equivalent keep their verdict: each would run every test
    that reaches it, to survive again. Returns those mutants' names: mutmut reruns every
    mutant named on its command line, so only they are named."""
    import json
    import shutil

    equivalent = _equivalent_mutants()

    copied = job / "mutants" / "tests"
    if copied.exists():
        shutil.rmtree(copied)
        shutil.copytree(ROOT / "tests", copied)
    (job / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    names = []
    for meta in (job / "mutants").rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        codes = data["exit_code_by_key"]
        cleared = [
            k
            for k, c in codes.items()
            if (c == 0 and k not in equivalent) or c in _NO_TESTS or c in _TIMEOUT
        ]
        data["exit_code_by_key"] = {k: None if k in cleared else c for k, c in codes.items()}
        meta.write_text(json.dumps(data))
        names += cleared
    return sorted(names)


def mutate(*args: str) -> int:
    """Run mutmut module by module, one job each, then report.

    ``mutate [--sample] [--again] [--resume] [MODULE ...]``: every mutant of the modules
    (default: all of ``MUTATE_MODULES``), or with ``--sample`` the sample above; ``--again``
    runs the survivors (and timeouts) of an earlier run again, against the tests as they are
    now; ``--resume`` runs only the mutants without a verdict: a run stopped half way goes
    on, and after a code change only the changed functions' mutants run (mutmut clears a
    function's verdicts when its code changes; a change of the time limits clears the
    timeouts). Each module is its
    own job in ``mutants/jobs/MODULE`` (:func:`_mutation_job`): only its files are mutated,
    only its tests (:data:`MUTATE_TESTS`) run once to record which of them reach each
    function, and every mutant then runs only the tests that reach the function it changes,
    on :data:`MUTATE_WORKERS` workers at the lowest CPU priority (``nice 19``). Results stay
    in the job's folder (a second run reuses them; delete it to start over). The report
    counts, per module, the mutants killed (a test failed or timed out), survived, judged
    equivalent (:data:`MUTATE_EQUIVALENT`) and reached by no test, and the minutes each job
    took.
    """
    import time

    sample, again, resume = "--sample" in args, "--again" in args, "--resume" in args
    flags = ("--sample", "--again", "--resume")
    modules = [a for a in args if a not in flags] or list(MUTATE_MODULES)
    unknown = [m for m in modules if m not in MUTATE_MODULES]
    if unknown:
        print(f"not a mutated module: {', '.join(unknown)}; known: {', '.join(MUTATE_MODULES)}")
        return 2
    _ensure_env("dev")
    minutes = {}
    for module in modules:
        pattern = f"{module}.*__mutmut_{MUTATE_MODULES[module] if sample else '*'}"
        began = time.monotonic()
        job = _mutation_job(module)
        # named nothing, mutmut runs only the mutants without a verdict
        names = _again(job) if again else [] if resume else [pattern]
        command = [str(BIN / "mutmut"), "run", "--max-children", str(MUTATE_WORKERS), *names]
        job_run = subprocess.Popen(command, cwd=job, preexec_fn=_lowest_priority)
        try:
            rc = job_run.wait()
        except KeyboardInterrupt:  # its own session: Ctrl-C reaches it only through here
            os.killpg(job_run.pid, signal.SIGINT)
            job_run.wait()
            raise
        minutes[module] = (time.monotonic() - began) / 60
        print(f"{module}: {minutes[module]:.1f} min")
        if rc:
            return rc
    _mutation_report(modules, minutes)
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

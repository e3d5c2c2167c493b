"""What the commands that run a plan share: argument types, engine options, the simulation.

``staffing simulate`` and ``staffing plan --simulate N`` take the same ``--seed``,
``--workers`` and ``--scheduler`` options (:func:`add_engine_options`) and run the
simulation the same way, with a progress bar on stderr (:func:`run_simulation`).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import warnings
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from staffing.config import PlanConfig, load_config
from staffing.errors import OutputError
from staffing.simulation import SimulationResult, simulate

if TYPE_CHECKING:  # pragma: no cover
    from staffing.plan import Plan

__all__ = [
    "add_engine_options",
    "add_horizon_options",
    "check_engine",
    "iso_date",
    "load_with_horizon",
    "run_simulation",
    "whole_number",
]

#: How the simulation's warning (and the commands' note) about a missing numba begins.
NUMBA_MISSING = "numba is not installed"


def iso_date(text: str) -> str:
    """An argparse ``type`` for a date written ``YYYY-MM-DD`` (``--start``).

    Parameters
    ----------
    text : str
        What the user typed.

    Returns
    -------
    str
        The date in ISO form.

    Raises
    ------
    argparse.ArgumentTypeError
        ``text`` is not such a date.
    """
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse ``type`` accepting whole numbers of at least ``minimum``.

    Parameters
    ----------
    minimum : int
        The smallest value accepted.

    Returns
    -------
    callable
        ``parse(text) -> int``, raising ``argparse.ArgumentTypeError`` for anything else.
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"not a whole number >= {minimum}: {text!r}")
        return value

    return parse


def add_horizon_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--start`` and ``--weeks``, the plan's horizon over the config's.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``plan`` or ``simulate`` sub-command's parser.
    """
    parser.add_argument(
        "--start",
        type=iso_date,
        metavar="DATE",
        help="first day of the plan (YYYY-MM-DD), overriding plan.start",
    )
    parser.add_argument(
        "--weeks",
        type=whole_number(1),
        metavar="N",
        help="plan N weeks, overriding plan.weeks / plan.end",
    )


def load_with_horizon(args: argparse.Namespace) -> PlanConfig:
    """The config of ``args.config`` with ``--start`` and ``--weeks`` over its plan.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options with ``config``, ``start`` and ``weeks`` (:func:`add_horizon_options`).

    Returns
    -------
    PlanConfig
        The validated config.
    """
    overrides: dict = {}
    if args.start:
        overrides.setdefault("plan", {})["start"] = args.start
    if args.weeks:
        overrides.setdefault("plan", {})["weeks"] = args.weeks
    return load_config(args.config, overrides=overrides or None)


def add_engine_options(parser: argparse.ArgumentParser, when: str = "") -> None:
    """Add ``--seed S`` and the mutually exclusive ``--workers N`` / ``--scheduler ADDRESS``.

    The parsed values are ``seed`` (None when not given: seed 0), ``workers`` and
    ``scheduler`` (None when not given: in-process), as :func:`run_simulation` takes them.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-command's parser.
    when : str
        Appended to every help text, e.g. ``" (with --simulate)"``.
    """
    parser.add_argument(
        "--seed",
        type=whole_number(0),
        default=None,
        metavar="S",
        help="random seed of the simulation (default 0); the same seed "
        "gives the same numbers" + when,
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=whole_number(1),
        metavar="N",
        help="simulate on a local Dask cluster of N worker processes "
        "(needs staffing[distributed])" + when,
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="simulate on an existing Dask cluster, e.g. tcp://10.0.0.5:8786" + when,
    )


def check_engine(distributed: bool) -> list[str]:
    """Check the simulation's optional packages before any work.

    Parameters
    ----------
    distributed : bool
        The run simulates on Dask (``--workers`` or ``--scheduler``).

    Returns
    -------
    list of str
        A note when numba is missing (the simulation still runs, slower).

    Raises
    ------
    OutputError
        ``distributed`` and dask.distributed is not installed (the ``distributed`` extra).
    """

    def missing(module: str) -> bool:
        return importlib.util.find_spec(module) is None

    if distributed and (missing("dask") or missing("distributed")):
        raise OutputError(
            "--workers and --scheduler need dask.distributed: pip install "
            "'staffing[distributed]' (nothing was run or written)"
        )
    if missing("numba"):
        return [
            f"{NUMBA_MISSING}: the simulation runs as plain Python, much slower "
            "(pip install 'staffing[simulate]')"
        ]
    return []


def run_simulation(
    planned: Plan,
    args: argparse.Namespace,
    replications: int,
    quiet: bool = False,
    **options: Any,
) -> SimulationResult:
    """Simulate ``planned`` with the engine options of ``args``, a progress bar on stderr.

    Parameters
    ----------
    planned : staffing.plan.Plan
        The plan to simulate.
    args : argparse.Namespace
        Parsed options of :func:`add_engine_options`: ``seed``, ``workers``, ``scheduler``.
    replications : int
        Independent replications of the horizon [-], >= 2.
    quiet : bool
        No progress bar.
    **options
        Further keyword arguments of :func:`staffing.simulation.simulate` (``ramp``,
        ``handle_time``, ``routing``, ...).

    Returns
    -------
    SimulationResult
        The simulation of ``planned``.
    """
    bar = None
    if not quiet:
        from tqdm import tqdm

        bar = tqdm(total=0, desc="simulating", unit="task", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)

    try:
        with warnings.catch_warnings():
            # check_engine's note said it before the run: not again, inside the bar.
            warnings.filterwarnings("ignore", NUMBA_MISSING, RuntimeWarning)
            return simulate(
                planned,
                replications=replications,
                seed=args.seed if args.seed is not None else 0,
                workers=args.workers,
                scheduler=args.scheduler,
                progress=progress,
                **options,
            )
    finally:
        if bar is not None:
            bar.close()

"""``staffing init DIR``: write a starter planning config and sample history into DIR."""

from __future__ import annotations

import argparse
from importlib.resources import files
from pathlib import Path

from staffing.errors import OutputError
from staffing.outputs.safety import atomic_replace

#: Files written, relative to DIR, and where each comes from in ``staffing.starter``.
STARTER_FILES = {"plan.yaml": "example.yaml", "data/nht_history.csv": "nht_history.csv"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``init`` sub-command.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The sub-parsers of the ``staffing`` parser; the ``init`` parser is added to it
        with ``func=run``.
    """
    parser = subparsers.add_parser(
        "init",
        help="write a commented starter config and sample history into a folder",
        description=(
            "Write plan.yaml (a commented planning config) and data/nht_history.csv (sample "
            "NHT history) into DIR, so that `staffing plan DIR/plan.yaml` runs at once. "
            "Existing files are never replaced unless --force is given."
        ),
    )
    parser.add_argument("dir", metavar="DIR", help="the folder to write into (created)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace plan.yaml and the sample history if they exist",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Copy the starter config and sample history into ``args.dir``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``init`` options: ``dir`` and ``force``.

    Returns
    -------
    int
        The exit status, 0.

    Raises
    ------
    OutputError
        A file exists and ``--force`` was not given (nothing is written then), or a file
        cannot be written.
    """
    target = Path(args.dir)
    existing = [name for name in STARTER_FILES if (target / name).exists()]
    if existing and not args.force:
        one = len(existing) == 1
        raise OutputError(
            f"{target}: {', '.join(existing)} {'is' if one else 'are'} already there; "
            f"nothing was written (give --force to replace {'it' if one else 'them'})"
        )
    starter = files("staffing.starter")
    for name, source in STARTER_FILES.items():
        with atomic_replace(target / name) as tmp:
            tmp.write_bytes(starter.joinpath(source).read_bytes())
    print(f"wrote {target / 'plan.yaml'} and {target / 'data' / 'nht_history.csv'}")
    print(f"next: staffing plan {target / 'plan.yaml'}")
    return 0

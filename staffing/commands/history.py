"""``staffing history``: show or export the NHT history in the local store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from staffing.commands.fetch import add_store_options, skill_list
from staffing.outputs.history import is_history_csv, local_zone, summarise, write_csv
from staffing.outputs.safety import check_target
from staffing.sources.store import HistoryStore


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``history`` sub-command.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The sub-parsers of the ``staffing`` parser; the ``history`` parser is added to
        it with ``func=run``.
    """
    parser = subparsers.add_parser(
        "history",
        help="show or export the NHT history in the local store",
        description=(
            "Print a per-skill summary of the stored Net Handle Time history (times in the "
            "planner's time zone), or every interval with --all, or export it with --csv."
        ),
    )
    add_store_options(parser)
    parser.add_argument("--account", metavar="ID", help="only this account (default: all)")
    parser.add_argument(
        "--skills",
        type=skill_list,
        metavar="1,2,3",
        help="only these comma-separated skill ids (default: all)",
    )
    parser.add_argument(
        "--tz",
        default=None,
        metavar="ZONE",
        help="IANA time zone for the times shown, e.g. Europe/Berlin "
        "(default: this computer's local time zone)",
    )
    parser.add_argument(
        "--csv", metavar="OUT", help="write every interval to this CSV file instead of printing"
    )
    parser.add_argument(
        "--force", action="store_true", help="with --csv: replace a file this program did not write"
    )
    parser.add_argument(
        "--all", action="store_true", help="print every interval, not the per-skill summary"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the stored history (per-skill summary or every interval) or export it to CSV.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``history`` options: ``store``, ``interval`` [min], ``account``
        (None: all), ``skills`` (None: all), ``tz`` (None: this computer's zone),
        ``csv`` (None: print), ``force`` and ``all``.

    Returns
    -------
    int
        The exit status, 0 (also when the selection is empty).

    Raises
    ------
    DataError
        From `staffing.sources.store.HistoryStore.read` when the store does not exist or is not a
        staffing history store.
    ConfigError
        From `staffing.outputs.history.local_zone` for an unknown time zone.
    OutputError
        The CSV target is refused (another program's file without ``--force``, a
        folder, ...) or cannot be written.
    """
    tz = local_zone(args.tz)
    if args.csv:  # refuse a target before reading anything
        check_target(
            Path(args.csv),
            force=args.force,
            ours=is_history_csv,
            what="a history CSV written by staffing",
        )
    store = HistoryStore(args.store)
    frame = store.read(args.account, skill_ids=args.skills, interval_minutes=args.interval)
    if args.csv:
        write_csv(frame, args.csv, tz, force=args.force)
        print(f"wrote {len(frame)} intervals to {args.csv}")
        return 0
    if frame.empty:
        print(f"no {args.interval}-minute history in {args.store} for this selection")
        return 0
    source = "--tz" if args.tz else "this computer's time zone; --tz ZONE to change"
    print(f"times in {tz.key} ({source})", file=sys.stderr)
    if args.all:
        shown = frame.copy()
        shown["interval_start"] = shown["interval_start"].dt.tz_convert(tz)
        print(shown.to_string(index=False))
    else:
        print(summarise(frame, tz).to_string(index=False))
    return 0

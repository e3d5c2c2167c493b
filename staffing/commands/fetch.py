"""``staffing fetch --account ID``: fetch LivePerson NHT history into the local store."""

from __future__ import annotations

import argparse

import pandas as pd

from staffing.sources.liveperson.credentials import DEFAULT_DOMAIN_API, ENV_VARS, check_skill_ids
from staffing.sources.liveperson.sync import RETENTION_WEEKS, fetch_history
from staffing.sources.store import DEFAULT_STORE_PATH
from staffing.vocabulary import INTERVAL_MINUTES


def skill_list(text: str) -> list[int]:
    """argparse type of ``--skills 1,2,3``: the sorted unique skill ids.

    Parameters
    ----------
    text : str
        Comma-separated skill ids as typed.

    Returns
    -------
    list of int
        The ids, sorted, without duplicates.

    Raises
    ------
    argparse.ArgumentTypeError
        If an id is not a whole number or the list is empty.
    """
    try:
        ids = check_skill_ids(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    assert ids is not None
    return ids


def _weeks(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= RETENTION_WEEKS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: must be a whole number of weeks from 1 to {RETENTION_WEEKS} "
            f"(LivePerson keeps {RETENTION_WEEKS} weeks of NHT history)"
        )
    return value


def _timestamp(text: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(text)
    except (TypeError, ValueError):
        ts = None
    if ts is None or ts is pd.NaT or ts.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r}: not an ISO time with a zone (e.g. 2026-11-26T09:00Z)"
        )
    return ts


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--store PATH`` and ``--interval MIN`` (shared with ``staffing history``).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-command's parser; ``--interval`` [min] takes 15, 30 or 60 (default 60).
    """
    parser.add_argument(
        "--store",
        default=DEFAULT_STORE_PATH,
        metavar="PATH",
        help=f"SQLite history store (default: {DEFAULT_STORE_PATH})",
    )
    parser.add_argument(
        "--interval",
        type=int,
        choices=INTERVAL_MINUTES,
        default=60,
        metavar="MIN",
        help="interval length in minutes: 15, 30 or 60 (default: 60)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``fetch`` sub-command.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The sub-parsers of the ``staffing`` parser; the ``fetch`` parser is added to it
        with ``func=run``.
    """
    parser = subparsers.add_parser(
        "fetch",
        help="fetch Net Handle Time history from LivePerson into the local store",
        description=(
            "Fetch hourly (or 15/30-minute) NHT history of an account's skills from "
            "LivePerson's Net Handle Time API into the local SQLite store. By default only "
            "what is not stored yet is fetched, plus the last stored day again (late data). "
            f"Credentials come from the environment variables {', '.join(ENV_VARS)}."
        ),
    )
    parser.add_argument(
        "--account", required=True, metavar="ID", help="LivePerson account id (site id)"
    )
    parser.add_argument(
        "--skills",
        type=skill_list,
        metavar="1,2,3",
        help="comma-separated skill ids (default: all skills of the account)",
    )
    parser.add_argument(
        "--weeks",
        type=_weeks,
        default=8,
        metavar="N",
        help=f"weeks of history back from now, 1 to {RETENTION_WEEKS} (default: 8)",
    )
    add_store_options(parser)
    parser.add_argument(
        "--domain-api",
        default=DEFAULT_DOMAIN_API,
        metavar="URL",
        help="LivePerson Domain API base URL, e.g. http://127.0.0.1:PORT for a "
        f"local fake (default: {DEFAULT_DOMAIN_API})",
    )
    parser.add_argument(
        "--source",
        default="staffing",
        metavar="NAME",
        help="caller id sent to the API, at most 20 characters (default: staffing)",
    )
    parser.add_argument(
        "--until",
        type=_timestamp,
        metavar="TIME",
        help="end of the fetched range, ISO time with zone, e.g. "
        "2026-11-26T09:00+01:00 (default: now)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="fetch the whole range again instead of only what is missing",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Fetch into the store, then print the one-line summary.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``fetch`` options: ``account``, ``skills`` (None: all skills),
        ``weeks`` [weeks], ``store``, ``interval`` [min], ``domain_api``, ``source``,
        ``until`` (None: now), ``full`` and ``quiet``.

    Returns
    -------
    int
        The exit status, 0.

    Raises
    ------
    ConfigError
        From `staffing.sources.liveperson.fetch_history` on a bad argument or missing
        credentials, before any request.
    APIError, AuthenticationError, DataError
        From the API; windows stored before the failure stay stored.
    """
    summary = fetch_history(
        args.store,
        args.account,
        skill_ids=args.skills,
        weeks=args.weeks,
        interval_minutes=args.interval,
        domain_api=args.domain_api,
        source=args.source,
        incremental=not args.full,
        progress=not args.quiet,
        now=args.until,
    )
    print(f"fetched into {args.store}: {summary}")
    return 0

"""Command-line entry point: ``staffing <command> ...``."""

from __future__ import annotations

import argparse
import sys

from staffing.commands import load_all
from staffing.errors import ConfigError, OutputError, StaffingError
from staffing.vocabulary import VERSION


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with one sub-parser per command.

    Returns
    -------
    argparse.ArgumentParser
        The ``staffing`` parser; each sub-command sets ``func`` on the parsed namespace.
    """
    parser = argparse.ArgumentParser(
        prog="staffing",
        description=(
            "Staffing calculator for LivePerson messaging and chat: fetch Net Handle Time "
            "history, forecast, and compute required agents and FTE per skill and interval."
        ),
    )
    parser.add_argument("--version", action="version", version=f"staffing {VERSION}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in load_all():
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : list of str, optional
        The command-line arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        Exit status: 0 done, 1 failure (a clear message on stderr), 2 invalid
        configuration or usage, 130 interrupted.
    """
    try:
        parser = build_parser()  # imports every sub-command: a Ctrl-C here is clean too
    except KeyboardInterrupt:
        print("staffing: interrupted", file=sys.stderr)
        return 130
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"staffing {args.command}: invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    except (StaffingError, ValueError) as exc:
        # An output error names the command's options (--force), not the keywords.
        text = exc.command_line if isinstance(exc, OutputError) else str(exc)
        print(f"staffing {args.command}: error: {text}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        # The outputs say what an interruption left of the files (staffing.outputs.output_set).
        detail = f": {exc}" if str(exc) else ""
        print(f"staffing {args.command}: interrupted{detail}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

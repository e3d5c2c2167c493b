"""``python -m staffing.testing``: run the fake LivePerson server until interrupted."""

from __future__ import annotations

import argparse
import time

import pandas as pd

from staffing.sources.liveperson.credentials import ENV_VARS
from staffing.testing.server import TEST_CREDENTIALS, FakeLivePerson

__all__ = ["main"]

#: The first skill id the command line serves (then onwards, one per skill).
FIRST_SKILL = 1001


def main(argv: list[str] | None = None) -> int:
    """Run the fake until interrupted: ``python -m staffing.testing [--skills N]``.

    Prints the Domain API URL and account to use with ``staffing fetch``; with
    ``--print-env`` also the ``export LP_...`` lines of the fake's own test key (never a
    real LivePerson key).

    Parameters
    ----------
    argv : list of str, optional
        The command-line arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit status, 0 after Ctrl-C.
    """
    parser = argparse.ArgumentParser(
        prog="python -m staffing.testing",
        description="Run a fake LivePerson NHT API on 127.0.0.1.",
    )
    parser.add_argument(
        "--skills", type=int, default=10, help="number of skills (ids 1001 onwards; default 10)"
    )
    parser.add_argument(
        "--print-env",
        action="store_true",
        help="print export lines for the fake's test credentials",
    )
    args = parser.parse_args(argv)
    fake = FakeLivePerson(
        skill_ids=range(FIRST_SKILL, FIRST_SKILL + args.skills), now=pd.Timestamp.now(tz="UTC")
    ).start()
    print(f"fake LivePerson at {fake.domain_api}, account {fake.account}", flush=True)
    print(f"  staffing fetch --account {fake.account} --domain-api {fake.domain_api}", flush=True)
    if args.print_env:
        values = (
            TEST_CREDENTIALS.app_key,
            TEST_CREDENTIALS.app_secret,
            TEST_CREDENTIALS.access_token,
            TEST_CREDENTIALS.access_token_secret,
        )
        for name, value in zip(ENV_VARS, values, strict=True):
            print(f"export {name}={value}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

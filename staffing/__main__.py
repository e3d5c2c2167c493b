"""``python -m staffing``: the same command line as the ``staffing`` script."""

import sys

from staffing.cli import main

if __name__ == "__main__":
    sys.exit(main())

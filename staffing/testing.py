"""Deprecated: moved to :mod:`staffing.sources.liveperson.fake` (removed in 0.3).

Re-exports the fake LivePerson server for one release; ``python -m staffing.testing``
still starts it. Use ``python -m staffing.sources.liveperson.fake``.
"""

import sys

from staffing.sources.liveperson.fake import *  # noqa: F403
from staffing.sources.liveperson.fake import __all__, main  # noqa: F401

if __name__ == "__main__":
    sys.exit(main())

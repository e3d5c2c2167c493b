"""The planning run's progress messages (the command line prints them)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress", "tell"]

#: Called with a short message at each stage of the run, or None for silence.
Progress = Callable[[str], None] | None


def tell(progress: Progress, message: str) -> None:
    """Pass ``message`` to the progress callback, if there is one.

    Parameters
    ----------
    progress : callable or None
        The run's progress callback.
    message : str
        What the run is doing now.
    """
    if progress is not None:
        progress(message)

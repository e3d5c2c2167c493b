"""Typed errors raised by staffing.

Every error the program raises on purpose derives from :class:`StaffingError`,
so a notebook can catch them all, and the command line can turn them into a
clear message and an exit status instead of a traceback.
"""

from __future__ import annotations

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConfigError",
    "DataError",
    "DataWarning",
    "OutputError",
    "StaffingError",
    "shown",
]


def shown(value: object) -> str:
    """A value as a message shows it to a planner: ``5``, ``-3.5``, ``'abc'``.

    A NumPy scalar shows as the number it holds (never ``np.float64(-3.5)``), a whole
    float without its ``.0``, text in quotes.

    Parameters
    ----------
    value : object
        A cell of a file, a setting.

    Returns
    -------
    str
        The text to put in the message.
    """
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()  # the plain Python number (or text) it holds
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


class StaffingError(Exception):
    """Base class of every error staffing raises on purpose."""


class ConfigError(StaffingError, ValueError):
    """A planning config (YAML file or dict) is invalid.

    Parameters
    ----------
    problems : list of str
        One line per problem, each naming the file, the key path and what is wrong.
    """

    def __init__(self, problems: list[str] | str):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class DataError(StaffingError, ValueError):
    """Input data (history, forecast file, API payload) is malformed or unusable."""


class APIError(StaffingError):
    """An HTTP request to LivePerson failed.

    Parameters
    ----------
    status : int or None
        HTTP status code, or None when no response arrived.
    message : str
        What went wrong, never containing a credential.
    causes : list of str, optional
        The server's ``causes`` (400) or ``reason`` (401), when it sent them.
    """

    def __init__(self, status: int | None, message: str, causes: list[str] | None = None):
        self.status = status
        self.causes = list(causes or [])
        text = message if status is None else f"HTTP {status}: {message}"
        if self.causes:
            text += " (causes: " + "; ".join(self.causes) + ")"
        super().__init__(text)


class AuthenticationError(APIError):
    """LivePerson rejected the OAuth credentials (HTTP 401)."""


class OutputError(StaffingError):
    """An output file cannot be written (locked, not ours to overwrite, disk full).

    Parameters
    ----------
    message : str
        What is wrong, for a caller of the library (naming keyword arguments such as
        ``force=True``).
    command_line : str, optional
        The same for the command line, naming its options (``--force``) instead; default
        ``message``.
    """

    def __init__(self, message: str, *, command_line: str | None = None):
        super().__init__(message)
        self.command_line = message if command_line is None else command_line


class DataWarning(UserWarning):
    """Data that is possible but implausible (a planner should double-check it)."""

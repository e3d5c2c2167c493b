"""Typed errors raised by staffing.

Every error the program raises on purpose derives from :class:`StaffingError`,
so a notebook can catch them all, and the command line can turn them into a
clear message and an exit status instead of a traceback.
"""

from __future__ import annotations


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
    """An output file cannot be written (locked, not ours to overwrite, disk full)."""


class DataWarning(UserWarning):
    """Data that is possible but implausible (a planner should double-check it)."""

"""LivePerson credentials and argument rules: what a caller may pass, checked with light imports.

The four OAuth 1.0 values of an API key (only from arguments or the ``LP_*`` environment
variables; never shown by ``repr``, logs or errors), the filter that keeps oauthlib's debug
records (which hold them) out of the logs, and the rules for the account id, caller id
(``source``), interval length, skill ids and Domain API URL. The planning config uses the
same rules, so this module imports neither requests nor pandas. See
``docs/liveperson-nht-api.md``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

from staffing.errors import ConfigError
from staffing.vocabulary import INTERVAL_MINUTES

__all__ = [
    "DEFAULT_DOMAIN_API",
    "ENV_VARS",
    "MAX_SOURCE_LENGTH",
    "Credentials",
    "check_account",
    "check_domain_api",
    "check_interval",
    "check_skill_ids",
    "check_source",
    "host_of",
    "quiet_oauth_loggers",
    "redact_url",
    "source_problem",
]

#: Public Domain API (CSDS) that tells which host serves an account's NHT API.
DEFAULT_DOMAIN_API = "https://api.liveperson.net"
#: Environment variables holding app key, app secret, access token, access token secret.
ENV_VARS = ("LP_APP_KEY", "LP_APP_SECRET", "LP_ACCESS_TOKEN", "LP_ACCESS_TOKEN_SECRET")
#: Longest ``source`` caller id LivePerson accepts [characters].
MAX_SOURCE_LENGTH = 20

_ACCOUNT_RE = re.compile(r"^[A-Za-z0-9]{1,40}$")


# ----------------------------------------------------------------------------------------
# Secrets: credentials and the loggers that would print them
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False, eq=False)
class Credentials:
    """The four OAuth 1.0 values of a LivePerson API key.

    ``repr`` and ``str`` never show a value, so a credentials object can be
    printed, logged or put in an exception safely.
    """

    app_key: str
    app_secret: str
    access_token: str
    access_token_secret: str

    def __post_init__(self) -> None:
        empty = [
            name
            for name, value in zip(ENV_VARS, self._values(), strict=True)
            if not isinstance(value, str) or not value.strip()
        ]
        if empty:
            raise ConfigError(
                [f"LivePerson credential {name} is empty or not text" for name in empty]
            )
        for name in ("app_key", "app_secret", "access_token", "access_token_secret"):
            object.__setattr__(self, name, getattr(self, name).strip())

    def _values(self) -> tuple[str, str, str, str]:
        return (self.app_key, self.app_secret, self.access_token, self.access_token_secret)

    def __repr__(self) -> str:
        return "Credentials(app_key=***, app_secret=***, access_token=***, access_token_secret=***)"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:  # never pickle (cache) secrets
        raise TypeError("Credentials cannot be pickled")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """Read the credentials from ``LP_APP_KEY``, ``LP_APP_SECRET``, ``LP_ACCESS_TOKEN``
        and ``LP_ACCESS_TOKEN_SECRET``.

        Parameters
        ----------
        environ : mapping of str to str, optional
            Where to look the variables up; ``os.environ`` when None.

        Returns
        -------
        Credentials
            The four values, stripped of surrounding spaces.

        Raises
        ------
        ConfigError
            Naming every missing or empty variable (never a value).
        """
        env = os.environ if environ is None else environ
        missing = [name for name in ENV_VARS if not str(env.get(name, "") or "").strip()]
        if missing:
            raise ConfigError(
                [
                    "LivePerson credentials missing: set the environment variable(s) "
                    + ", ".join(missing)
                    + " (from the API key in Campaign Builder > Data Sources > API)"
                ]
            )
        return cls(*(str(env[name]) for name in ENV_VARS))

    @classmethod
    def coerce(cls, value: object) -> Credentials:
        """Accept Credentials, a mapping with the field names or ``LP_*`` names, or None (env).

        Parameters
        ----------
        value : Credentials, mapping or None
            Credentials are returned as they are; a mapping holding all four ``LP_*`` names
            is read like the environment, else it must hold the four field names
            (``app_key``, ``app_secret``, ``access_token``, ``access_token_secret``); None
            reads the ``LP_*`` environment variables.

        Returns
        -------
        Credentials

        Raises
        ------
        ConfigError
            A value is missing or empty, or ``value`` is of another type (the message never
            shows a value).
        """
        if value is None:
            return cls.from_env()
        if isinstance(value, Credentials):
            return value
        if isinstance(value, Mapping):
            if all(name in value for name in ENV_VARS):
                return cls.from_env(value)
            try:
                return cls(**{k: value[k] for k in cls.__dataclass_fields__})
            except KeyError as exc:
                raise ConfigError([f"LivePerson credentials lack {exc.args[0]}"]) from None
        raise ConfigError(
            [f"credentials must be Credentials or a mapping, not {type(value).__name__}"]
        )

    def redact(self, text: str) -> str:
        """``text`` with every credential value replaced by ``***``.

        Parameters
        ----------
        text : str
            Any text, e.g. an error message from the server.

        Returns
        -------
        str
            The text without any of the four values.
        """
        for value in self._values():
            text = text.replace(value, "***")
        return text


class _DropOAuthDebug(logging.Filter):
    """Drop oauthlib / requests-oauthlib records below WARNING.

    At DEBUG those libraries log signature base strings (with the app key and the
    access token), signatures and request headers. A filter on each of their loggers
    keeps them out even when someone sets those loggers to DEBUG.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


_OAUTH_FILTER = _DropOAuthDebug()


def quiet_oauth_loggers() -> None:
    """Attach the secret-keeping filter to every oauthlib and requests-oauthlib logger."""
    import oauthlib.oauth1  # noqa: F401  (creates the endpoint and signature loggers)

    names = [
        name
        for name in list(logging.Logger.manager.loggerDict)
        if name.split(".")[0] in ("oauthlib", "requests_oauthlib")
    ]
    for name in {*names, "oauthlib", "requests_oauthlib"}:
        logger = logging.getLogger(name)
        if _OAUTH_FILTER not in logger.filters:
            logger.addFilter(_OAUTH_FILTER)


# ----------------------------------------------------------------------------------------
# Validation helpers
# ----------------------------------------------------------------------------------------
def check_account(account: object) -> str:
    """The account id as text; ConfigError unless it is 1-40 letters or digits.

    Parameters
    ----------
    account : object
        The account (site) id, e.g. ``"12345678"`` or ``12345678``.

    Returns
    -------
    str
        The id as text, stripped of surrounding spaces.

    Raises
    ------
    ConfigError
        Not 1 to 40 letters or digits (or None).
    """
    text = str(account).strip() if account is not None else ""
    if not _ACCOUNT_RE.match(text):
        raise ConfigError([f"account {account!r}: must be the LivePerson account id (digits)"])
    return text


def source_problem(source: object) -> str | None:
    """What is wrong with a ``source`` caller id, None if nothing.

    The one rule for the client and the planning config: 1 to 20 printable characters
    without leading or trailing spaces.

    Parameters
    ----------
    source : object
        The caller id to check.

    Returns
    -------
    str or None
        The rule it breaks, as text to put after its name; None when it is valid.
    """
    if (
        not isinstance(source, str)
        or not 1 <= len(source) <= MAX_SOURCE_LENGTH
        or not source.isprintable()
        or source != source.strip()
    ):
        return (
            f"must be 1 to {MAX_SOURCE_LENGTH} printable characters without leading or "
            "trailing spaces (LivePerson's caller id, e.g. LP_AgentUI)"
        )
    return None


def check_source(source: object) -> str:
    """The ``source`` caller id; ConfigError naming :func:`source_problem` otherwise.

    Parameters
    ----------
    source : object
        The caller id to check.

    Returns
    -------
    str
        ``source`` unchanged.

    Raises
    ------
    ConfigError
        ``source`` is not 1 to 20 printable characters without surrounding spaces.
    """
    problem = source_problem(source)
    if problem is None and isinstance(source, str):  # no problem means a str
        return source
    raise ConfigError([f"source {source!r}: {problem}"])


def check_interval(interval_minutes: object) -> int:
    """The interval length [min]; ConfigError unless 15, 30 or 60.

    Parameters
    ----------
    interval_minutes : object
        The interval length to check [min].

    Returns
    -------
    int
        15, 30 or 60 [min].

    Raises
    ------
    ConfigError
        Any other value, including ``True``.
    """
    if isinstance(interval_minutes, bool) or interval_minutes not in INTERVAL_MINUTES:
        raise ConfigError([f"interval_minutes {interval_minutes!r}: must be 15, 30 or 60"])
    return int(interval_minutes)


def check_skill_ids(skill_ids: Iterable[object] | None) -> list[int] | None:
    """Sorted unique skill ids, or None for all skills; ConfigError on a bad id.

    Parameters
    ----------
    skill_ids : iterable, str, int or None
        Skill ids (whole numbers or their text), a comma-separated string such as
        ``"1,2,3"``, one id, or None for all skills.

    Returns
    -------
    list of int or None
        The ids sorted without duplicates; None when ``skill_ids`` is None.

    Raises
    ------
    ConfigError
        An id that is not a whole number (negative numbers and booleans included), or an
        empty selection.
    """
    if skill_ids is None:
        return None
    if isinstance(skill_ids, str | int):
        skill_ids = [s for s in str(skill_ids).split(",") if s.strip()]
    out = set()
    for s in skill_ids:
        text = str(s).strip()
        if isinstance(s, bool) or not text.isdigit():
            raise ConfigError([f"skill id {s!r}: must be a whole number"])
        out.add(int(text))
    if not out:
        raise ConfigError(["skill ids: the list is empty (leave it out to fetch all skills)"])
    return sorted(out)


def check_domain_api(url: object) -> str:
    """The Domain API base URL without trailing slash; ConfigError unless http(s).

    Parameters
    ----------
    url : object
        The base URL, e.g. ``https://api.liveperson.net``.

    Returns
    -------
    str
        ``url`` without trailing slashes.

    Raises
    ------
    ConfigError
        The URL is not ``http://`` or ``https://`` with a host.
    """
    parts = urlsplit(str(url or ""))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            [f"domain_api {redact_url(str(url or ''))!r}: must be an http:// or https:// URL"]
        )
    if parts.username is not None or parts.password is not None:
        # A user or password in the URL would be sent and echoed: never take one.
        raise ConfigError(
            [
                f"domain_api {redact_url(str(url))!r}: must not hold a user name or "
                "password; the API key comes from the LP_* environment variables"
            ]
        )
    return str(url).rstrip("/")


def host_of(url: str) -> str:
    """``host[:port]`` of ``url``, without any user name or password it may hold.

    Parameters
    ----------
    url : str
        An absolute URL.

    Returns
    -------
    str
        The host and port, for messages.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def redact_url(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@``.

    Parameters
    ----------
    url : str
        Any text that may be a URL.

    Returns
    -------
    str
        The same URL without its user information.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    netloc = "***@" + parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

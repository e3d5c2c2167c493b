"""Sub-commands of the ``staffing`` command line, one module each.

Each module defines ``register(subparsers)``, which adds its sub-parser and
sets ``func`` (called with the parsed namespace, returning an exit status).
The modules only parse arguments and print: the work is in the library.
"""

from __future__ import annotations

import importlib

#: Modules under ``staffing.commands`` in the order ``staffing --help`` lists them.
COMMAND_MODULES = ["plan", "validate", "calc", "fetch", "history", "simulate", "init"]


def load_all() -> list:
    """Import every sub-command module of :data:`COMMAND_MODULES` that exists.

    Returns
    -------
    list of module
        The imported modules, in :data:`COMMAND_MODULES` order; a module that does not
        exist (still being built) is skipped.

    Raises
    ------
    ModuleNotFoundError
        When a command module exists but one of its own imports is missing.
    """
    modules = []
    for name in COMMAND_MODULES:
        try:
            modules.append(importlib.import_module(f"staffing.commands.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"staffing.commands.{name}":
                raise
    return modules

"""``staffing calc``: required agents (or the metrics of a given staffing) for one interval."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys

from staffing import queueing
from staffing.vocabulary import CHAT, ERLANG_C


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``calc`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of the ``staffing`` parser; the ``calc`` parser is added to it
        with ``func=run``.
    """
    p = sub.add_parser(
        "calc",
        help="Erlang calculator: required agents or the metrics of a staffing for one interval",
        description=(
            "Compute the agents one interval needs to meet its targets (or, with --agents, the "
            "service a given staffing achieves) with Erlang C, Erlang A or the chat model. "
            "Durations are in seconds."
        ),
    )
    p.add_argument(
        "--model",
        choices=queueing.MODELS,
        default=ERLANG_C,
        help=f"queueing model (default {ERLANG_C})",
    )
    p.add_argument("--volume", type=float, required=True, help="contacts arriving in the interval")
    p.add_argument(
        "--interval", type=float, default=3600.0, help="interval length in seconds (default 3600)"
    )
    p.add_argument(
        "--handle-time",
        required=True,
        help="mean handle time in seconds; for chat a comma list h1,h2,...,hk: the "
        "handle time of one conversation while its agent holds j",
    )
    p.add_argument(
        "--service-level", type=float, help="target share answered within --answer-within, e.g. 0.8"
    )
    p.add_argument(
        "--answer-within",
        type=float,
        default=None,
        help="service-level threshold in seconds; needed with --service-level "
        "(0 means answered at once)",
    )
    p.add_argument("--asa", type=float, help="maximum mean wait of answered contacts, seconds")
    p.add_argument("--max-abandon", type=float, help="maximum share abandoning, e.g. 0.05")
    p.add_argument("--max-occupancy", type=float, help="maximum occupancy, e.g. 0.85")
    p.add_argument(
        "--patience",
        type=float,
        help="mean patience in seconds (erlang_a needs it; optional for chat)",
    )
    p.add_argument(
        "--agents",
        type=float,
        help="evaluate this staffing instead of solving for the required agents",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one standard JSON object (agents, p_wait, service_level, "
        "asa_s, p_abandon, occupancy) instead of a table; a value that is not "
        "finite (the ASA of an unstable queue) is null",
    )
    p.set_defaults(func=run)


def _handle_times(text: str, model: str) -> float | list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"--handle-time must be seconds or a comma list, got {text!r}") from None
    if not values:
        raise ValueError("--handle-time is empty")
    if model != CHAT:
        if len(values) != 1:
            raise ValueError(f"--handle-time takes one value for {model}; lists are for chat")
        return values[0]
    return values


#: API parameter -> the flag a user typed, for error messages.
_FLAGS = {
    "handle_time_s": "--handle-time",
    "patience_s": "--patience",
    "interval_s": "--interval",
    "answer_within_s": "--answer-within",
    "asa_s": "--asa",
    "max_abandon": "--max-abandon",
    "max_occupancy": "--max-occupancy",
    "service_level": "--service-level",
    "volume": "--volume",
    "agents": "--agents",
}


def _in_flags(message: str) -> str:
    """``message`` with the engine's parameter names replaced by the command's flags."""
    return re.sub(
        r"\b(" + "|".join(sorted(_FLAGS, key=len, reverse=True)) + r")\b",
        lambda m: _FLAGS[m.group(1)],
        message,
    )


def _check(args: argparse.Namespace) -> list[str]:
    """Refuse what the planning config refuses; return notes on what is odd but allowed."""
    if args.service_level is not None:
        if not 0 < args.service_level < 1:
            raise ValueError(
                f"--service-level must be a share between 0 and 1 exclusive, "
                f"e.g. 0.8 (got {args.service_level:g}; 1.0 cannot be met by "
                "any finite staffing)"
            )
        if args.answer_within is None:
            raise ValueError(
                "--service-level needs --answer-within (the threshold in seconds, e.g. 60)"
            )
    return []


def run(args: argparse.Namespace) -> int:
    """Solve for the required agents (or evaluate ``--agents``) and print the metrics.

    Prints a table, or one standard JSON object with ``--json``: a value that is not
    finite (the infinite ASA of an unstable queue) is ``null``, never NaN or Infinity.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``calc`` options: ``model``, ``volume`` [contacts per interval],
        ``interval`` [s], ``handle_time`` (text: one value [s], or for chat a comma list
        h1,...,hk [s]), ``service_level`` [-], ``answer_within`` [s], ``asa`` [s],
        ``max_abandon`` [-], ``max_occupancy`` [-], ``patience`` [s], ``agents``
        [agents] (None: solve for them) and ``json``.

    Returns
    -------
    int
        The exit status, 0.

    Raises
    ------
    ValueError
        If ``--handle-time`` is not a number or a comma list (or is a list for a model
        other than chat), if no staffing meets the targets, or if the queueing functions
        reject an input.
    """
    try:
        return _run(args)
    except ValueError as exc:
        raise ValueError(_in_flags(str(exc))) from None


def _run(args: argparse.Namespace) -> int:
    notes = _check(args)
    handle = _handle_times(args.handle_time, args.model)
    if args.answer_within is None:
        args.answer_within = 0.0
    if args.model == CHAT and isinstance(handle, list):
        notes += _falling_handle_times(handle)
    common = dict(
        volume=args.volume,
        handle_time_s=handle,
        interval_s=args.interval,
        answer_within_s=args.answer_within,
        patience_s=args.patience,
    )
    if args.agents is None:
        agents = float(
            queueing.required_agents(
                args.model,
                service_level=args.service_level,
                asa_s=args.asa,
                max_abandon=args.max_abandon,
                max_occupancy=args.max_occupancy,
                **common,
            )
        )
        if not math.isfinite(agents):
            raise ValueError("no staffing meets these targets (a target of 100% or 0 abandonment?)")
    else:
        agents = args.agents
    metrics = queueing.evaluate(args.model, agents, **common)
    result = {"agents": int(agents) if agents == int(agents) else agents}
    result.update({key: float(value) for key, value in metrics.items()})
    # Stable only below n agents' capacity: lambda * h < n, for chat lambda * h_k / k < n.
    capacity_load = (
        args.volume
        / args.interval
        * (handle[-1] / len(handle) if isinstance(handle, list) else handle)
    )
    if args.patience is None and capacity_load >= agents and args.volume > 0:
        notes.append(
            f"note: {result['agents']} agents cannot carry an offered load of "
            f"{capacity_load:.3f} Erlang: the queue is unstable (every contact waits "
            "and the "
            "wait grows without bound), so no service level is reached"
        )
    for note in notes:
        print(note, file=sys.stderr)
    _print_result(args, result, handle)
    return 0


def _falling_handle_times(handle: list[float]) -> list[str]:
    """A note when a chat handle-time list falls with the load, else nothing.

    Parameters
    ----------
    handle : list of float
        Handle time per concurrent load 1, 2, ... [s].

    Returns
    -------
    list of str
        The note about the first fall, or an empty list.
    """
    falling = [j + 1 for j in range(1, len(handle)) if handle[j] < handle[j - 1]]
    if not falling:
        return []
    j = falling[0]
    return [
        f"note: --handle-time falls from {handle[j - 2]:g} s at load {j - 1} "
        f"to {handle[j - 1]:g} s at load {j}: an agent would finish "
        f"conversations faster the more it holds; handle times from an NHT "
        f"grow with the load (h_j = NHT x j)"
    ]


def _print_result(
    args: argparse.Namespace, result: dict[str, float], handle: float | list[float]
) -> None:
    """Print the result: one JSON object with ``--json``, else a table of named values.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``calc`` options (``json``, ``model``, ``volume``, ``interval`` [s],
        ``agents``, ``answer_within`` [s]).
    result : dict
        ``agents`` and the metrics of :func:`staffing.queueing.evaluate`.
    handle : float or list of float
        The handle time [s], or one per concurrent load for chat.
    """
    if args.json:
        # Standard JSON only: a value that is not finite (an unbounded ASA) is null.
        print(
            json.dumps(
                {
                    k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                    for k, v in result.items()
                },
                allow_nan=False,
            )
        )
        return
    load = args.volume / args.interval * (handle[0] if isinstance(handle, list) else handle)
    rows = [
        ("model", args.model),
        ("offered load", f"{load:.3f} Erlang"),
        ("agents" if args.agents is not None else "required agents", f"{result['agents']}"),
        ("service level", f"{result['service_level']:.2%} within {args.answer_within:g} s"),
        ("P(wait)", f"{result['p_wait']:.2%}"),
        ("ASA (answered)", f"{result['asa_s']:.1f} s"),
        ("abandonment", f"{result['p_abandon']:.2%}"),
        ("occupancy", f"{result['occupancy']:.2%}"),
    ]
    if "mean_concurrency" in result:
        rows.append(("mean concurrency", f"{result['mean_concurrency']:.2f} per busy agent"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")

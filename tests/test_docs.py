"""The README and the command-line help say what the program really does.

- The quickstart is exactly ``python3 tasks.py demo`` and ``python3 tasks.py test``: the demo
  is run for real, and ``.ci/run`` must call exactly the README's test command (running the
  test command here would run this suite inside itself).
- Every line of every fenced ``sh`` block is accounted for: each ``staffing ...`` command is
  run (in a temporary copy of ``config/``, with the project's venv first on PATH), the fake
  LivePerson server line is started as the server the fetch commands talk to, and a command
  followed by a ``text`` block must print exactly that text.
- Every ``yaml`` block validates with ``staffing.load_config`` (the complete example as it is,
  the fragments merged over it), and every ``python`` block runs.
- The config reference documents exactly the keys of the pydantic models in
  ``staffing/config/``, with their defaults; the command reference names every option.
- ``staffing --help`` and each ``staffing COMMAND --help`` mention every option, and every
  option has a help text.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import importlib.util
import io
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import yaml
from pydantic import BaseModel

import staffing
from staffing import config as config_module
from staffing.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
VENV_BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def _blocks() -> list[tuple[str, str, str | None]]:
    """(language, body, body of a directly following ``text`` block or None), in order."""
    found = [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(README)]
    out = []
    for index, (lang, body, _, end) in enumerate(found):
        following = None
        if index + 1 < len(found):
            next_lang, next_body, next_start, _ = found[index + 1]
            if next_lang == "text" and not README[end:next_start].strip():
                following = next_body
        out.append((lang, body, following))
    return out


def _commands(body: str) -> list[str]:
    lines = []
    for line in body.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def _section(title: str) -> str:
    start = README.index(f"\n## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else len(README)]


# ---------------------------------------------------------------------------------------
# Quickstart
# ---------------------------------------------------------------------------------------


def test_quickstart_is_the_two_commands():
    quick = _section("Quickstart")
    body = FENCE.search(quick).group(2)
    assert _commands(body) == ["python3 tasks.py demo", "python3 tasks.py test"]


def test_ci_runs_exactly_the_readme_test_command():
    lines = _commands((ROOT / ".ci" / "run").read_text())
    commands = [line for line in lines if not line.startswith(("set ", "cd "))]
    assert commands == ["python3 tasks.py test"]
    assert "python3 tasks.py test" in _commands(FENCE.search(_section("Quickstart")).group(2))


def _tasks_module():
    spec = importlib.util.spec_from_file_location("tasks_under_test", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)  # guarded by __main__: defines the jobs, runs nothing
    return tasks


def test_demo_plans_the_example_and_writes_the_workbook(tmp_path, monkeypatch, capfd):
    # The demo job as tasks.py runs it, in a copy of config/: nothing is written into the
    # repository, and nothing is installed (the suite runs in the environment it built).
    tasks = _tasks_module()
    shutil.copytree(ROOT / "config", tmp_path / "config")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setattr(tasks, "_ensure_env", lambda extras: None)
    assert tasks.demo() == 0
    out = capfd.readouterr().out
    # the summary table: one line per skill of example.yaml and the total
    for name in ("1001 Sales Messaging", "3002 Voice Escalations", "All skills"):
        assert name in out
    assert "wrote out/example.xlsx" in out
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "out" / "example.xlsx", read_only=True)
    try:
        assert book.sheetnames[0] == "Summary" and "Assumptions" in book.sheetnames
    finally:
        book.close()
    assert (tmp_path / "out" / "example-intervals.csv").is_file()


def test_bench_is_a_job_of_tasks_py():
    tasks = _tasks_module()
    lines = [c for lang, body, _ in _blocks() if lang == "sh" for c in _commands(body)]
    for line in lines:
        if line.startswith("python3 tasks.py "):
            assert line.split()[2] in tasks.JOBS


# ---------------------------------------------------------------------------------------
# Every sh command of the README
# ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _fake_server(line: str, env: dict, cwd: Path):
    """Start the README's fake-server line; yield (port, exported variables)."""
    proc = subprocess.Popen(
        ["bash", "-c", f"exec {line}"],
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    guard = threading.Timer(60, proc.kill)  # never hang the suite on a silent server
    guard.start()
    try:
        exports, port = {}, None
        while len(exports) < 4:
            out = proc.stdout.readline()
            if not out:
                raise AssertionError(f"the fake server stopped: {proc.stderr.read()[-2000:]}")
            found = re.search(r"http://127\.0\.0\.1:(\d+)", out)
            if found and port is None:
                port = found.group(1)
            if out.startswith("export "):
                name, value = out[len("export ") :].strip().split("=", 1)
                exports[name] = value
        assert sorted(exports) == sorted(
            ["LP_APP_KEY", "LP_APP_SECRET", "LP_ACCESS_TOKEN", "LP_ACCESS_TOKEN_SECRET"]
        )
        yield port, exports
    finally:
        guard.cancel()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group of the process started above
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def _written_paths(command: str) -> list[str]:
    words = shlex.split(command)
    return [
        words[i + 1] for i, word in enumerate(words[:-1]) if word in ("--out", "--csv", "--plots")
    ]


def test_every_sh_command_in_the_readme_runs(tmp_path):
    work = tmp_path / "work"
    shutil.copytree(ROOT / "config", work / "config")
    env = {key: value for key, value in os.environ.items() if not key.startswith("LP_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    servers = contextlib.ExitStack()
    port = None
    ran = []
    printed = ""
    with servers:
        for lang, body, expected in _blocks():
            if lang != "sh":
                continue
            commands = _commands(body)
            for line in commands:
                if line.startswith("python3 tasks.py "):
                    continue  # the quickstart and bench tests above cover these
                if line == "source .venv/bin/activate":
                    continue  # done by putting the venv's bin first on PATH
                if line.startswith("python -m staffing.testing"):
                    port, exports = servers.enter_context(_fake_server(line, env, work))
                    env.update(exports)  # "paste the export lines"
                    continue
                assert line.startswith("staffing "), f"README command not covered: {line!r}"
                if "PORT" in line:
                    assert port is not None, "a command needs the fake server's PORT first"
                    line = line.replace("PORT", port)
                run = subprocess.run(
                    ["bash", "-c", line],
                    cwd=work,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert run.returncode == 0, f"{line}\n{run.stderr[-3000:]}"
                assert run.stdout.strip(), f"{line} printed nothing"
                if expected is not None:
                    assert len(commands) == 1
                    got = [x.rstrip() for x in run.stdout.strip().splitlines()]
                    assert got == [x.rstrip() for x in expected.strip().splitlines()], line
                for path in _written_paths(line):
                    assert (work / path).exists(), f"{line} did not write {path}"
                ran.append(line.split()[1])
                printed += run.stdout + run.stderr
    # every sub-command with an example in the README ran at least once
    assert {"validate", "plan", "calc", "fetch", "history"} <= set(ran)
    # the fake's key was in the environment: no command printed any of its four values
    secrets = [
        env[k] for k in ("LP_APP_KEY", "LP_APP_SECRET", "LP_ACCESS_TOKEN", "LP_ACCESS_TOKEN_SECRET")
    ]
    assert not [s for s in secrets if s in printed]


# ---------------------------------------------------------------------------------------
# YAML and Python blocks
# ---------------------------------------------------------------------------------------


def _merge(base: dict, fragment: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in fragment.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def test_yaml_blocks_validate(tmp_path):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    blocks = [yaml.safe_load(body) for lang, body, _ in _blocks() if lang == "yaml"]
    assert len(blocks) >= 3
    full = [b for b in blocks if "plan" in b]
    assert len(full) == 1, "one complete example; the other blocks are fragments of it"
    for number, block in enumerate(blocks):
        data = block if "plan" in block else _merge(full[0], block)
        path = tmp_path / "config" / f"readme-{number}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        config = staffing.load_config(path)
        # each fragment's skills really are in the validated config
        assert [s.skill_id for s in config.resolved_skills] == [s["id"] for s in data["skills"]]
    # the complete example plans as documented: two messaging skills over two weeks
    result = staffing.plan(tmp_path / "config" / "readme-0.yaml")
    assert result.meta["days"] == 14 and set(result.intervals["method"]) == {"workload"}


def test_python_blocks_run(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    namespace: dict = {"__name__": "readme"}
    bodies = [body for lang, body, _ in _blocks() if lang == "python"]
    assert bodies
    with contextlib.redirect_stdout(printed):
        for body in bodies:
            exec(compile(body, "README.md", "exec"), namespace)
    text = printed.getvalue()
    assert "Sales Messaging" in text and "service_level_target" in text
    assert (tmp_path / "out" / "api-example.xlsx").is_file()
    assert (tmp_path / "out" / "api-heatmap.png").read_bytes()[:4] == b"\x89PNG"


# ---------------------------------------------------------------------------------------
# Config reference against the models
# ---------------------------------------------------------------------------------------


def _model_of(annotation) -> type[BaseModel] | None:
    """The pydantic model inside a field annotation (Optional, Annotated, list)."""
    import typing

    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_of(typing.get_args(annotation)[0])
    if origin is not None:
        for arg in typing.get_args(annotation):
            model = _model_of(arg)
            if model is not None:
                return model
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _model_keys(model: type[BaseModel], prefix: str) -> dict[str, object]:
    """Key path -> pydantic FieldInfo, at every depth, as a planner writes them."""
    keys = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}{info.alias or name}"  # as written in YAML (``break``, not ``break_``)
        sub = _model_of(info.annotation)
        if path == "skills":
            keys[path] = info
            keys.update(_model_keys(config_module.SkillEntry, "skills[]."))
            continue
        keys[path] = info
        if sub is None or sub is config_module.GrowthSpec:
            continue  # growth is written as a number or a mapping, not by its fields
        if path == "defaults":
            continue  # the same keys as a skill, documented once under skills[]
        if set(sub.model_fields) == set(config_module.WEEKDAYS):
            keys[f"{path}.<day>"] = None
            continue
        keys.update(_model_keys(sub, f"{path}[]." if _is_list(info.annotation) else f"{path}."))
    return keys


def _is_list(annotation) -> bool:
    """True when a field holds a list of models (its keys are written ``field[].key``)."""
    import typing

    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    return any(_is_list(arg) for arg in typing.get_args(annotation)) if origin else False


def _documented() -> dict[str, str]:
    rows = {}
    for line in _section("Planning config reference").splitlines():
        found = re.match(r"^\| `([^`]+)` \| ([^|]*) \|", line)
        if found:
            assert found.group(1) not in rows, f"{found.group(1)} documented twice"
            rows[found.group(1)] = found.group(2).strip()
    return rows


def test_config_reference_documents_exactly_the_models_keys():
    expected = _model_keys(config_module.PlanConfig, "")
    documented = _documented()
    assert sorted(set(expected) - set(documented)) == [], "keys missing from the README"
    assert sorted(set(documented) - set(expected)) == [], "README keys that do not exist"


def test_config_reference_defaults_match_the_models():
    documented = _documented()
    checked = 0
    for path, info in _model_keys(config_module.PlanConfig, "").items():
        if info is None:
            continue
        cell = documented[path]
        if info.is_required():
            assert cell.startswith("required") or cell.startswith("one of"), (path, cell)
            checked += 1
            continue
        default = info.default
        if isinstance(default, bool):
            assert f"`{str(default).lower()}`" in cell, (path, cell)
        elif isinstance(default, int | float):
            numbers = [float(x) for x in re.findall(r"`(-?[\d.]+)`", cell)]
            assert float(default) in numbers, (path, cell)
        elif isinstance(default, str):
            assert f"`{default}`" in cell, (path, cell)
        else:
            continue
        checked += 1
    assert checked >= 20  # plan, nht and volume keys with simple defaults, required keys


def test_config_reference_covers_the_example_configs():
    # every key the bundled examples use is documented (they are what planners copy)
    documented = set(_documented())
    for name in ("example.yaml", "example-liveperson.yaml"):
        data = yaml.safe_load((ROOT / "config" / name).read_text())
        assert sorted(_used_keys(data) - documented) == [], name


def _used_keys(data: dict) -> set[str]:
    """Key paths a config uses, in the reference's spelling (skills[]., open_hours.<day>)."""

    def walk(node, prefix):
        for key, value in node.items():
            path = f"{prefix}{key}"
            yield path
            if isinstance(value, dict) and not path.endswith(("growth", "by_weekday", "by_hour")):
                yield from walk(value, f"{path}.")

    used = set()
    for section, value in data.items():
        if section == "skills":
            for skill in value:
                used |= set(walk(skill, "skills[]."))
        elif section == "defaults":
            used |= {p.replace("defaults.", "skills[].", 1) for p in walk(value, "defaults.")}
        else:
            used |= set(walk(value, f"{section}."))
    return {
        re.sub(r"open_hours\.(mon|tue|wed|thu|fri|sat|sun)$", "open_hours.<day>", p) for p in used
    }


# ---------------------------------------------------------------------------------------
# Command-line help
# ---------------------------------------------------------------------------------------


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def _help(*args: str) -> str:
    run = subprocess.run(
        [str(VENV_BIN / "staffing"), *args, "--help"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def _check_actions(parser: argparse.ArgumentParser, text: str, where: str) -> int:
    checked = 0
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction | argparse._HelpAction):
            continue
        assert action.help and action.help != argparse.SUPPRESS and action.help.strip(), (
            f"{where}: {action.option_strings or action.dest} has no help text"
        )
        if action.option_strings:
            for option in action.option_strings:
                assert option in text, f"{where} --help does not mention {option}"
        else:
            assert (action.metavar or action.dest) in text, where
        checked += 1
    return checked


def test_every_option_has_help_and_appears_in_the_help_output():
    parser = build_parser()
    top = _help()
    assert _check_actions(parser, top, "staffing") >= 1  # --version
    commands = _subparsers(parser)
    names = list(commands.choices)
    assert names == ["plan", "validate", "calc", "fetch", "history", "simulate", "init"]
    helps = {a.dest: a.help for a in commands._choices_actions}
    total = 0
    for name, sub in commands.choices.items():
        assert helps.get(name, "").strip(), f"sub-command {name} has no help text"
        assert re.search(rf"^\s+{name}\s", top, re.MULTILINE), f"staffing --help lacks {name}"
        total += _check_actions(sub, _help(name), f"staffing {name}")
    assert total >= 30  # plan 8, validate 1, calc 13, fetch 10, history 7 (without -h)


def test_readme_command_reference_names_every_option():
    reference = _section("Command reference")
    commands = _subparsers(build_parser())
    for name, sub in commands.choices.items():
        assert f"`staffing {name}" in reference, name
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            for option in action.option_strings:
                if option.startswith("--"):
                    assert f"`{option}" in reference, f"README lacks staffing {name} {option}"


def test_readme_python_api_names_every_public_function():
    from staffing import outputs, queueing
    from staffing.outputs import plots

    api = _section("Python API")
    public = [*staffing.__all__, *queueing.__all__, *plots.__all__]
    public += [name for name in outputs.__all__ if not name.isupper()]  # functions, not limits
    missing = [
        name for name in public if not re.search(rf"[`.]{re.escape(name)}(?![A-Za-z_])", api)
    ]
    assert missing == []


def test_readme_states_the_codes_constants():
    from staffing import forecast
    from staffing.sources import liveperson, store

    connect = " ".join(_section("Connecting a LivePerson account").split())
    for name in liveperson.ENV_VARS:
        assert f"`{name}`" in connect
    policy = liveperson.RetryPolicy()
    pauses = [f"{p:g}" for p in policy.server_error_pauses_s]
    assert f"{', '.join(pauses[:-1])} and {pauses[-1]} s" in connect  # "5, 10 and 15 s"
    assert f"at least {policy.throttle_pause_s:g} s" in connect
    assert f"~{liveperson.RETENTION_WEEKS}-week retention" in connect
    assert f"at most {policy.max_retry_after_s:g} s" in connect
    assert f"at most {policy.budget_s:g} s (the retry budget)" in connect
    timeout = liveperson.DEFAULT_TIMEOUT_S
    assert f"timeout of {timeout[0]:g} s to connect and {timeout[1]:g} s between reads" in connect
    assert f"deadline of {liveperson.client.DEFAULT_DEADLINE_S:g} s" in connect
    assert f"(up to {store.BUSY_TIMEOUT_S:g} s)" in connect
    assert f"per {liveperson.PAGE_LIMIT} skills" in connect
    reference = _section("Planning config reference")
    assert f"`{liveperson.DEFAULT_DOMAIN_API}`" in reference
    assert f"`{store.DEFAULT_STORE_PATH}`" in reference
    nht = " ".join(_section("From NHT history to expected NHT and volume").split())
    assert f"median ± {forecast.OUTLIER_MADS:g} × 1.4826 × MAD" in nht
    for basis in (
        forecast.BASIS_OVERRIDE,
        forecast.BASIS_HOUR,
        forecast.BASIS_BAND,
        forecast.BASIS_SKILL,
        forecast.BASIS_FALLBACK,
    ):
        assert f"`{basis}`" in nht

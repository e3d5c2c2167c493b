"""Every public function and method of ``staffing`` has a numpydoc docstring.

The project's style (docs/architecture.md, how the code reads) asks for numpydoc docstrings with
a Parameters section giving each argument's type and unit. This test reads the source with
``ast`` (nothing is imported, so optional extras do not matter) and fails naming every
public function or method (no leading underscore, in a public class or at module level)
whose docstring is missing, that takes parameters other than ``self``/``cls`` but has no
``Parameters`` section, or whose ``Parameters`` section leaves one of them out. Dunder
methods and pydantic validators (``field_validator``/``model_validator``) are exempt; so
are methods of private classes, which are not part of the API.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import staffing

PACKAGE = Path(staffing.__file__).parent
VALIDATOR_DECORATORS = {"field_validator", "model_validator"}


_SECTION_RE = re.compile(
    r"^Parameters\n-{3,}\n(?P<body>.*?)(?=\n\n\S[^\n]*\n-{3,}\n|\Z)", re.S | re.M
)


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, ast.Name):
            names.add(target.id)
    return names


def _public_functions(
    tree: ast.AST, prefix: str = "", in_class: bool = False
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """(qualname, node, is_method) of public functions, descending into public classes and
    into if/try/with blocks, but not into function bodies (local helpers are not API)."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.ClassDef):
            if not child.name.startswith("_"):
                yield from _public_functions(child, f"{prefix}{child.name}.", True)
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            if not child.name.startswith("_"):
                yield f"{prefix}{child.name}", child, in_class
        elif isinstance(child, ast.If | ast.Try | ast.With):
            yield from _public_functions(child, prefix, in_class)


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool) -> list[str]:
    args = node.args
    names = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    if args.vararg:
        names.append(args.vararg.arg)
    if args.kwarg:
        names.append(args.kwarg.arg)
    if is_method and "staticmethod" not in _decorator_names(node) and names:
        names = names[1:]  # self or cls
    return names


def _documented(docstring: str) -> set[str] | None:
    """Names in the Parameters section (``a, b : type`` and ``*args`` count), None if none."""
    match = _SECTION_RE.search(docstring)
    if match is None:
        return None
    names = set()
    for line in match.group("body").splitlines():
        if line.strip() and not line.startswith((" ", "\t")):
            for name in line.split(" : ")[0].split(","):
                names.add(name.strip().lstrip("*"))
    return names


def problems_in(source: str, path: str) -> dict[str, str]:
    """``{"path:qualname": problem}`` for every public function of ``source`` that fails."""
    found = {}
    for qualname, node, is_method in _public_functions(ast.parse(source)):
        if _decorator_names(node) & VALIDATOR_DECORATORS:
            continue
        params = _parameters(node, is_method)
        docstring = ast.get_docstring(node)
        where = f"{path}:{qualname}"
        if not docstring:
            found[where] = "no docstring"
            continue
        if not params:
            continue
        documented = _documented(docstring)
        if documented is None:
            found[where] = "no Parameters section"
            continue
        missing = [p for p in params if p not in documented]
        if missing:
            found[where] = f"Parameters section lacks {', '.join(missing)}"
    return found


def package_problems() -> dict[str, str]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        found.update(problems_in(path.read_text(encoding="utf-8"), relative))
    return found


def test_every_public_function_has_a_numpydoc_docstring_with_parameters():
    problems = package_problems()
    listing = "\n".join(f"  {where}: {problem}" for where, problem in sorted(problems.items()))
    assert not problems, f"public functions without a proper numpydoc docstring:\n{listing}"


def test_checker_reports_exactly_the_gaps_of_a_sample_module():
    # The expected dict is read off the sample by hand: each function below is annotated
    # with what the checker must say about it (nothing for the compliant ones).
    sample = textwrap.dedent('''
        from pydantic import BaseModel, field_validator
        import functools

        def no_doc(x): pass                                   # no docstring

        def no_params():
            """Nothing to take."""                            # fine

        def one_line(volume):
            """Summary only."""                               # no Parameters section

        def partial(volume, handle_time_s, *args, **kwargs):
            """Partial.

            Parameters
            ----------
            volume : float
                Contacts [-].
            *args : float
                More.

            Returns
            -------
            float
            """                                               # lacks handle_time_s, kwargs

        def grouped(start, end):
            """Grouped names.

            Parameters
            ----------
            start, end : datetime
                Bounds.
            """                                               # fine

        def _private(x): pass                                 # private: skipped

        class _Hidden:
            def method(self, x): pass                         # private class: skipped

        class Model(BaseModel):
            @field_validator("x")
            @classmethod
            def check(cls, v): return v                       # validator: skipped

            def __repr__(self): return ""                     # dunder: skipped

            @property
            def size(self):
                """Size [-]."""                               # fine: only self

            @classmethod
            def build(cls, n):
                """Build."""                                  # no Parameters section

            @staticmethod
            def helper():
                pass                                          # no docstring

        if True:
            def conditional(y): pass                          # no docstring

        @functools.cache
        def cached(z):
            """Cached.

            Parameters
            ----------
            z : int
                Anything [-].
            """                                               # fine
    ''')
    assert problems_in(sample, "m.py") == {
        "m.py:no_doc": "no docstring",
        "m.py:one_line": "no Parameters section",
        "m.py:partial": "Parameters section lacks handle_time_s, kwargs",
        "m.py:Model.build": "no Parameters section",
        "m.py:Model.helper": "no docstring",
        "m.py:conditional": "no docstring",
    }


def test_checker_sees_the_package_api():
    # Guards against a walker that silently finds nothing: these public functions exist in
    # the package (grep for "def erlang_c", "def iter_pages", "def run" in calc.py).
    seen = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        seen |= {f"{relative}:{name}" for name, _, _ in _public_functions(tree)}
    assert {
        "staffing/queueing/erlang.py:erlang_c",
        "staffing/sources/liveperson/client.py:NHTClient.iter_pages",
        "staffing/commands/calc.py:run",
        "staffing/config/hours.py:OpenHours.is_open",
    } <= seen

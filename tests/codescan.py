"""Walk every module of every app (not tests, not migrations) for the rule scans: a rule
with one home is proved by looking at all the code, so a new module cannot slip past."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every top-level package of the project: a new app is walked too.
APPS = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests")


def app_modules() -> Iterator[tuple[str, ast.Module]]:
    """(path relative to the project, parsed module) for every app module."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            rel = path.relative_to(ROOT).as_posix()
            yield rel, ast.parse(path.read_text(), rel)


def imported_names(tree: ast.Module, module: str, name: str) -> set[str]:
    """The local names under which `from module import name` binds name in this module."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == module:
            for alias in node.names:
                if alias.name == name:
                    found.add(alias.asname or alias.name)
    return found


def model_names(rel: str, tree: ast.Module, app: str, name: str) -> set[str]:
    """The local names of the model `name` of `app`.models in this module: imported from
    it, or, inside the app, from its `.models`."""
    names = imported_names(tree, f"{app}.models", name)
    if rel.startswith(f"{app}/"):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module == "models":
                names |= {a.asname or a.name for a in node.names if a.name == name}
    return names


def one_home(
    writers: list[tuple[str, int, str]], home: str, allowed: dict[str, str]
) -> tuple[list[tuple[str, int, str]], set[str]]:
    """Of a rule's writers (path, line, what): those outside its home and the allowed
    modules, and the allowances no module needs any more (the home must write too)."""
    outside = [w for w in writers if w[0] != home and w[0] not in allowed]
    unused = ({home} | set(allowed)) - {rel for rel, _line, _what in writers}
    return outside, unused


def templates() -> Iterator[tuple[str, str]]:
    """(path relative to the project, text) of every template."""
    for path in sorted((ROOT / "templates").rglob("*.html")):
        yield path.relative_to(ROOT).as_posix(), path.read_text()

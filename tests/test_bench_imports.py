"""The benchmark scripts (bench/, run by hand) import the app's modules by name: a module
moved or a name renamed must fail here, in the suite, not on the day of a national run."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
# The load generator's own packages live in bench/.venv, not in the app's environment.
NOT_THE_APPS = {"locust", "locust.clients", "targets"}


def _from_imports() -> list[tuple[str, int, str, str]]:
    found = []
    for path in sorted(BENCH.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module in NOT_THE_APPS:
                    continue
                found += [(path.name, node.lineno, node.module, a.name) for a in node.names]
    return found


def test_the_walk_sees_the_bench_scripts() -> None:
    modules = {module for _, _, module, _ in _from_imports()}
    assert {"reporting.card", "privacy.services"} <= modules


@pytest.mark.parametrize("script,line,module,name", _from_imports())
def test_every_name_a_bench_script_imports_exists(script, line, module, name) -> None:
    imported = importlib.import_module(module)
    if not hasattr(imported, name):
        importlib.import_module(f"{module}.{name}")  # a submodule, or ImportError fails

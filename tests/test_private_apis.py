"""Speed by sound means (issue 15): the project's code uses no private API of Django,
psycopg, django-auditlog or Celery, and hangs nothing on a connection object.

Every module of every app is walked (not a sample): an attribute whose name starts with
one underscore, read from anything but the module's own `self`/`cls`, is a private API
(`_meta`, `_base_manager` and `_default_manager` are documented), as is `__dict__` of
anything but `self`, and an import of a private name or module from those libraries. A new
use fails this test unless it is added to ALLOWED with the reason it cannot be avoided."""

from __future__ import annotations

import ast
from pathlib import Path

from auditlog.registry import auditlog

ROOT = Path(__file__).resolve().parent.parent
# Every top-level package of the project (a new app is walked too), and the benchmark.
APPS = sorted(
    p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"
) + ["bench"]
LIBRARIES = {"django", "psycopg", "auditlog", "celery"}
# Documented despite the underscore: Model._meta, and the managers of "Managers" in the docs.
DOCUMENTED = {"_meta", "_base_manager", "_default_manager"}
# Public names of the ORM's internals (the SQL compiler), which are not documented either.
INTERNALS = {"get_compiler", "results_iter", "execute_sql"}

# (path, name) -> why it stays.
ALLOWED: dict[tuple[str, str], str] = {
    ("referrals/views.py", "_errors"): (
        "a resumed referral draft is shown bound but without its errors; Django has no "
        "documented way to do so (an unbound form with initial values would be)"
    ),
    ("referrals/views.py", "_non_form_errors"): "the same, for the members' formset",
}


def private_uses() -> list[tuple[str, int, str]]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel_parts = path.relative_to(ROOT).parts
            # bench/.venv: the load generator's own environment (bench/run.sh makes it).
            if "migrations" in rel_parts or any(p.startswith(".") for p in rel_parts):
                continue
            rel = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(), rel)):
                if isinstance(node, ast.Attribute):
                    own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
                    name = node.attr
                    if name == "__dict__" and not own:
                        found.append((rel, node.lineno, ast.unparse(node)))
                    elif name in INTERNALS:
                        found.append((rel, node.lineno, name))
                    elif name.startswith("_") and not name.startswith("__"):
                        if not own and name not in DOCUMENTED:
                            found.append((rel, node.lineno, name))
                elif isinstance(node, ast.ImportFrom) and node.module:
                    parts = node.module.split(".")
                    if parts[0] in LIBRARIES:
                        for alias in node.names:
                            if alias.name.startswith("_") or any(p.startswith("_") for p in parts):
                                found.append((rel, node.lineno, f"{node.module}.{alias.name}"))
    return found


def test_no_private_framework_apis():
    bad = [
        f"{rel}:{line} {what}" for rel, line, what in private_uses() if (rel, what) not in ALLOWED
    ]
    assert not bad, "private APIs (or caches on objects that are not ours):\n" + "\n".join(bad)


def test_every_allowed_use_still_exists():
    used = {(rel, what) for rel, _line, what in private_uses()}
    assert not set(ALLOWED) - used, "ALLOWED lists uses that are gone: unlist them"


def test_no_audited_model_serializes_its_data():
    """audit.services.record_view writes access entries without a copy of the record,
    which is right only while no model is registered with serialize_data."""
    for model in auditlog.get_models():
        assert not auditlog.get_serialize_options(model)["serialize_data"], model

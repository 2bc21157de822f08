"""Every writer of what Family.last_closed_at is computed from (a case's stage, closed_at or
family) keeps it: each such write, found by walking every app module (tests/codescan.py),
sits in a function that calls families.retention.refresh_last_closed, the one rule, unless
ALLOWED names the module with the reason. A new writer without the call fails here.

Writers are those of tests/cases/test_stage_writers.py (a Case created, bulk-written or
its stage written), and the same shapes for closed_at and for a case's family. Referrals
are not writers: the queue checks "no referral since" live (privacy.services)."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from tests.cases.test_stage_writers import stage_writers
from tests.codescan import app_modules

RULE = "refresh_last_closed"
FIELDS = {"closed_at", "family", "family_id"}
# path -> why its writes are refreshed elsewhere, and the function that does it.
ALLOWED: dict[str, tuple[str, str]] = {
    "cases/pathway.py": (
        "CaseFacts.stage is the pure table's plain fact about a case (no model)",
        "",
    ),
    "synthetic/generator.py": (
        "COPY rows without models or signals: Generator.run refreshes every family once, "
        "after the last row",
        "run",
    ),
}


def _field_writers(modules: Iterable[tuple[str, ast.Module]]) -> list[tuple[str, int, str]]:
    found = []
    for rel, tree in modules:
        for node in ast.walk(tree):
            what = None
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in ("update", "bulk_update"):
                    hit = {k.arg for k in node.keywords} & {"closed_at"}
                    if hit:
                        what = f"update({hit.pop()}=...)"
                elif isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) > 1:
                    if isinstance(node.args[1], ast.Constant) and node.args[1].value == "closed_at":
                        what = 'setattr(..., "closed_at", ...)'
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if not isinstance(t, ast.Attribute):
                        continue
                    if t.attr == "closed_at":
                        what = ".closed_at = ..."
                    elif (
                        t.attr in FIELDS
                        and isinstance(t.value, ast.Name)
                        and "case" in t.value.id.lower()
                    ):
                        what = f"case.{t.attr} = ..."
            if what:
                found.append((rel, node.lineno, what))
    return found


def writers(modules: list[tuple[str, ast.Module]] | None = None) -> list[tuple[str, int, str]]:
    modules = list(app_modules()) if modules is None else modules
    return stage_writers(modules) + _field_writers(modules)


def _enclosing(tree: ast.Module, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    best = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.lineno <= line <= (node.end_lineno or node.lineno):
                if best is None or node.lineno > best.lineno:
                    best = node
    return best


def _calls_rule(node: ast.AST) -> bool:
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            f = call.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
            if name == RULE:
                return True
    return False


def unrefreshed(modules: list[tuple[str, ast.Module]] | None = None) -> list[tuple[str, int, str]]:
    modules = list(app_modules()) if modules is None else modules
    trees = dict(modules)
    missing = []
    for rel, line, what in writers(modules):
        if rel in ALLOWED:
            continue
        function = _enclosing(trees[rel], line)
        if function is None or not _calls_rule(function):
            missing.append((rel, line, what))
    return missing


def test_every_writer_of_a_cases_stage_closure_or_family_refreshes_the_retention_date():
    assert unrefreshed() == [], (
        "Call families.retention.refresh_last_closed for the case's family in the same "
        "function (or say in ALLOWED why not)"
    )


def test_the_allowed_modules_write_and_refresh_where_they_say():
    modules = dict(app_modules())
    found = {rel for rel, _line, _what in writers(list(modules.items()))}
    assert set(ALLOWED) <= found, set(ALLOWED) - found
    for rel, (_why, function) in ALLOWED.items():
        if function:
            defs = [
                n
                for n in ast.walk(modules[rel])
                if isinstance(n, ast.FunctionDef) and n.name == function
            ]
            assert defs and all(_calls_rule(d) for d in defs), (rel, function)


def test_the_real_writers_are_the_case_services():
    modules = dict(app_modules())
    found = set()
    for rel, line, _what in writers(list(modules.items())):
        function = _enclosing(modules[rel], line)
        if rel not in ALLOWED and function is not None:
            found.add((rel, function.name))
    assert {
        ("cases/services.py", "move_case"),
        ("cases/services.py", "open_case"),
        ("cases/services.py", "import_cases"),
    } <= found


def test_the_scan_fails_a_writer_without_the_rule():
    source = """
from cases.models import Case
def close(case):
    case.closed_at = now
def move(case):
    case.stage = "closed"
def correct(qs):
    qs.update(closed_at=now)
def relink(case, family):
    case.family = family
def kept(case):
    case.stage = "closed"
    refresh_last_closed(families)
def made():
    Case.objects.create(stage="x")
"""
    missing = unrefreshed([("elsewhere/x.py", ast.parse(source))])
    assert sorted(what for _rel, _line, what in missing) == sorted(
        [
            ".closed_at = ...",
            ".stage = ...",
            "update(closed_at=...)",
            "case.family = ...",
            "Case.objects.create",
        ]
    )

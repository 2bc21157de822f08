"""One writer of a case's stage (issue 19): every app module is walked (not a sample), and
anything that creates a Case or writes its stage outside cases/services.py fails here,
unless ALLOWED names it with the reason.

What counts as a writer:
- a call of the Case model (Case(...)) or of a creating or bulk-writing method of its
  manager (Case.objects.create / bulk_create / get_or_create / update_or_create /
  bulk_update), where Case is the one from cases.models;
- an assignment to an attribute named `stage` (`x.stage = ...`), `setattr(x, "stage", ...)`,
  or `.update(stage=...)` on any queryset;
- a bulk row spec that names the Case model beside a "stage" column (the synthetic
  generator's COPY tables), and raw SQL that updates cases_case's stage."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from tests.codescan import app_modules, model_names, one_home

HOME = "cases/services.py"
# path -> why it may write a stage outside the services.
ALLOWED: dict[str, str] = {
    "cases/pathway.py": (
        "CaseFacts.stage is the pure table's plain fact about a case (no model): the guards "
        "read it, nothing is saved"
    ),
    "synthetic/generator.py": (
        "the national performance dataset writes 150,000 cases with COPY (ids assigned, no "
        "model save, no signal), each with its whole stage history from the same seeded "
        "draw; it never runs in the app, and going through the service per case would take "
        "hours and send notifications"
    ),
}
WRITING = {"create", "bulk_create", "get_or_create", "update_or_create", "bulk_update"}
RAW_UPDATE = re.compile(r'UPDATE\s+"?cases_case"?\s+SET[^;]*\bstage\b', re.IGNORECASE | re.DOTALL)


def stage_writers(
    modules: Iterable[tuple[str, ast.Module]] | None = None,
) -> list[tuple[str, int, str]]:
    found = []
    for rel, tree in app_modules() if modules is None else modules:
        case = model_names(rel, tree, "cases", "Case")
        for node in ast.walk(tree):
            what = None
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in case:
                    what = "creates a Case"
                elif (
                    isinstance(func, ast.Attribute)
                    and func.attr in WRITING
                    and isinstance(func.value, ast.Attribute)
                    and isinstance(func.value.value, ast.Name)
                    and func.value.value.id in case
                ):
                    what = f"Case.{func.value.attr}.{func.attr}"
                elif isinstance(func, ast.Attribute) and func.attr in ("update", "bulk_update"):
                    if any(k.arg == "stage" for k in node.keywords):
                        what = "update(stage=...)"
                elif isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) > 1:
                    if isinstance(node.args[1], ast.Constant) and node.args[1].value == "stage":
                        what = 'setattr(..., "stage", ...)'
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Attribute) and t.attr == "stage" for t in targets):
                    what = ".stage = ..."
            elif isinstance(node, ast.Tuple):
                names_case = any(isinstance(e, ast.Name) and e.id in case for e in node.elts)
                stage_column = any(
                    isinstance(e, ast.List)
                    and any(isinstance(c, ast.Constant) and c.value == "stage" for c in e.elts)
                    for e in node.elts
                )
                if names_case and stage_column:
                    what = "bulk rows of Case with a stage column"
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if RAW_UPDATE.search(node.value):
                    what = "raw SQL updating a case's stage"
            if what:
                found.append((rel, node.lineno, what))
    return found


def test_only_the_case_services_create_cases_or_write_their_stage():
    # The scan sees the real writers, and an allowance that is no longer needed goes.
    outside, unused = one_home(stage_writers(), HOME, ALLOWED)
    assert outside == [], (
        "Create cases and change their stage through cases/services.py (open_case, "
        f"import_cases, move_case): {outside}"
    )
    assert unused == set(), unused


def test_the_scan_sees_each_kind_of_writer():
    source = """
from cases.models import Case as C
C.objects.create(stage="phase1")
C(stage="x")
case.stage = "closed"
qs.update(stage="closed")
setattr(case, "stage", "closed")
rows = ("case", C, ["id", "stage"])
sql = 'UPDATE "cases_case" SET "stage" = %s'
"""
    kinds = [what for _rel, _line, what in stage_writers([("elsewhere/x.py", ast.parse(source))])]
    assert kinds.count("creates a Case") == 1
    assert "Case.objects.create" in kinds
    assert {".stage = ...", "update(stage=...)", 'setattr(..., "stage", ...)'} <= set(kinds)
    assert "bulk rows of Case with a stage column" in kinds
    assert "raw SQL updating a case's stage" in kinds

"""One way to change a baseline or target (issue 16, one home per rule): with a reason,
kept as a TargetChange, through reporting.services.set_target. Every app module is walked
(not a sample), every registered ModelAdmin and its inlines, and every ModelForm: anything
that writes a MeasureTarget, or its baseline or target, elsewhere fails here unless ALLOWED
names it with the reason. The admin of a measure shows its targets, changes none, links
to the targets page, and never deletes the measure (with its targets and their history)."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from reporting.models import Measure, MeasureTarget, TargetChange
from reporting.services import set_target
from tests.codescan import app_modules, model_names, one_home
from tests.test_number_bounds import form_classes

from .fixture import make_cast

HOME = "reporting/services.py"
# path -> why it may write a target outside the service.
ALLOWED: dict[str, str] = {
    "synthetic/demo.py": (
        "the demo data's first baselines and targets, made once for a demo team that has "
        "none (no change to keep: nothing was set before); it never runs on live data"
    ),
    "reporting/admin.py": (
        "MeasureTargetInline names the model to show a measure's targets: read-only, with "
        "no add, change or delete (test_no_admin_writes_a_target below holds it)"
    ),
}
COLUMNS = {"baseline", "target"}
WRITING = {"create", "bulk_create", "get_or_create", "update_or_create", "bulk_update", "update"}
WRITING |= {"delete", "save"}


def _root(node: ast.expr) -> ast.expr:
    """The start of a chain: MeasureTarget of MeasureTarget.objects.filter(...).update."""
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def target_writers(
    modules: Iterable[tuple[str, ast.Module]] | None = None,
) -> list[tuple[str, int, str]]:
    found = []
    for rel, tree in app_modules() if modules is None else modules:
        model = model_names(rel, tree, "reporting", "MeasureTarget")
        for node in ast.walk(tree):
            what = None
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in model:
                    what = "creates a MeasureTarget"
                elif isinstance(func, ast.Attribute) and func.attr in WRITING:
                    root = _root(func.value)
                    if isinstance(root, ast.Name) and root.id in model:
                        what = f"MeasureTarget...{func.attr}"
                    elif isinstance(func.value, ast.Attribute) and func.value.attr == "targets":
                        what = f"a measure's or team's .targets.{func.attr}"
                    elif func.attr == "update" and COLUMNS & {k.arg for k in node.keywords}:
                        what = "update(baseline/target=...)"
                elif isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) > 1:
                    if isinstance(node.args[1], ast.Constant) and node.args[1].value in COLUMNS:
                        what = "setattr(..., baseline/target, ...)"
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                flat = [e for t in targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
                # A goal's GAS baseline is another thing (outcomes): only a row of a module
                # that knows MeasureTarget, or any `model = MeasureTarget` (a form, an admin).
                if model and any(isinstance(t, ast.Attribute) and t.attr in COLUMNS for t in flat):
                    what = ".baseline/.target = ..."
                if any(isinstance(t, ast.Name) and t.id == "model" for t in flat):
                    value = node.value
                    if isinstance(value, ast.Name) and value.id in model:
                        what = "model = MeasureTarget (a form, serializer or admin)"
            if what:
                found.append((rel, node.lineno, what))
    return found


def test_only_the_service_writes_a_target():
    # The scan sees the real writers, and an allowance that is no longer needed goes.
    outside, unused = one_home(target_writers(), HOME, ALLOWED)
    assert outside == [], (
        "Change a baseline or target through reporting.services.set_target (the targets "
        f"page), which asks why and keeps the change: {outside}"
    )
    assert unused == set(), unused


def test_the_scan_sees_each_kind_of_writer():
    source = """
from reporting.models import MeasureTarget as T
T.objects.create(baseline=1)
T(team=team)
T.objects.filter(team=team).update(target=2)
row.baseline = 3
row.baseline, row.target = 1, 2
measure.targets.update_or_create(team=team)
qs.update(baseline=None)
setattr(row, "target", 5)
class F:
    model = T
"""
    kinds = [what for _rel, _line, what in target_writers([("elsewhere/x.py", ast.parse(source))])]
    assert "creates a MeasureTarget" in kinds
    assert {"MeasureTarget...create", "MeasureTarget...update"} <= set(kinds)
    assert kinds.count(".baseline/.target = ...") == 2
    assert "a measure's or team's .targets.update_or_create" in kinds
    assert "update(baseline/target=...)" in kinds
    assert "setattr(..., baseline/target, ...)" in kinds
    assert "model = MeasureTarget (a form, serializer or admin)" in kinds


def test_no_model_form_writes_a_target():
    writing = [
        f"{c.__module__}.{c.__qualname__}"
        for c in form_classes()
        if issubclass(c, forms.ModelForm)
        and getattr(getattr(c, "_meta", None), "model", None) is MeasureTarget
    ]
    assert writing == []


def _admins():
    """Every registered ModelAdmin and every inline of one: (label, admin instance)."""
    from django.apps import apps

    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        yield model._meta.label, model_admin
        for inline_class in model_admin.inlines:
            yield f"{model._meta.label} {inline_class.__name__}", inline_class(model, admin.site)


@pytest.mark.django_db
def test_no_admin_writes_a_target(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    showing = []
    for label, model_admin in _admins():
        if model_admin.model is not MeasureTarget:
            continue
        showing.append(label)
        writable = set(model_admin.get_fields(request)) - set(
            model_admin.get_readonly_fields(request)
        )
        assert not writable & COLUMNS, f"{label} lets the baseline or target be typed"
        assert not model_admin.has_add_permission(request, None), label
        assert not model_admin.has_change_permission(request, None), label
        assert not model_admin.has_delete_permission(request, None), label
    assert showing == ["reporting.Measure MeasureTargetInline"]


@pytest.fixture
def target(db):
    cast = make_cast(prefix="adm")
    measure = Measure.objects.order_by("pk").first()
    row = set_target(
        user=cast.manager_a,
        team=cast.taff,
        measure=measure,
        version=0,
        baseline=Decimal("60"),
        target=Decimal("90"),
        reason="Agreed with the board.",
    )
    return row


def test_the_admin_of_a_measure_cannot_change_a_target(target, admin_user):
    client = Client()
    client.force_login(admin_user)
    measure = target.measure
    url = reverse("admin:reporting_measure_change", args=[measure.pk])
    page = client.get(url)
    assert page.status_code == 200
    # The target is shown, with the way to change it: the targets page, which asks why.
    link = f"{reverse('reporting:target', args=[measure.code])}?team={target.team_id}"
    assert link in page.text
    assert 'name="targets-0-target"' not in page.text
    assert 'name="targets-0-baseline"' not in page.text

    # A tampered post of the inline's fields (as the old editable inline took them).
    fields = ("code", "name", "description", "quadrant", "polarity", "numerator")
    data = {name: getattr(measure, name) for name in fields}
    data |= {"denominator": measure.denominator, "order": measure.order}
    data |= {"targets-TOTAL_FORMS": "2", "targets-INITIAL_FORMS": "1"}
    data |= {"targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "1000"}
    data |= {"targets-0-id": target.pk, "targets-0-measure": measure.pk}
    data |= {"targets-0-team": target.team_id, "targets-0-baseline": "1"}
    data |= {"targets-0-target": "2", "targets-0-DELETE": "on"}
    data |= {"targets-1-measure": measure.pk, "targets-1-team": target.team_id}
    data |= {"targets-1-baseline": "5", "targets-1-target": "6"}
    response = client.post(url, data)
    assert response.status_code in (200, 302)

    target.refresh_from_db()
    assert (target.baseline, target.target, target.version) == (Decimal("60"), Decimal("90"), 1)
    assert MeasureTarget.objects.filter(measure=measure).count() == 1
    assert TargetChange.objects.filter(measure=measure).count() == 1

    # Nor is the measure deleted here, which would take its targets and their history.
    delete = reverse("admin:reporting_measure_delete", args=[measure.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert MeasureTarget.objects.filter(pk=target.pk).exists()

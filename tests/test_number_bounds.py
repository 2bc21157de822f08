"""A number beyond what the database can hold, typed into any numeric field or posted as the
choice of any model choice field, gets a validation message, never a 500 (issue 13: seen
with services=99999999999999999999 on the services-before/after form).

Enumerated: every form class of the project (forms, model forms, the forms of formsets) and
every integer, decimal or float field on it, and every model choice field; a new one is
checked without being listed here."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator

from accounts.models import User

HUGE = "9" * 20
NUMBERS = (forms.IntegerField, forms.DecimalField, forms.FloatField)
# Compared with the record's own version and never stored or queried beyond `=`: any other
# number is refused as a stale save by the form's clean() (tests of the stale-save rule).
COMPARED_ONLY = {"version"}


def project_apps() -> list[str]:
    base = str(settings.BASE_DIR)
    return [
        a.name
        for a in apps.get_app_configs()
        if a.path.startswith(base) and "site-packages" not in a.path
    ]


def form_classes() -> list[type[forms.BaseForm]]:
    for app in project_apps():
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in module.name or ".management" in module.name:
                continue
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in project_apps():
                found.append(sub)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def model_field(form_class: type[forms.BaseForm], name: str):
    """The model field behind a model form's generated field, if any."""
    meta = getattr(form_class, "_meta", None)
    model = getattr(meta, "model", None)
    if model is None or name in getattr(form_class, "declared_fields", {}):
        return None
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def numeric_fields() -> list[tuple[str, str, forms.Field, object]]:
    return [
        (f"{c.__module__}.{c.__qualname__}", name, field, model_field(c, name))
        for c in form_classes()
        for name, field in c.base_fields.items()
        if isinstance(field, NUMBERS)
    ]


def choice_fields() -> list[tuple[str, str, forms.Field]]:
    return [
        (f"{c.__module__}.{c.__qualname__}", name, field)
        for c in form_classes()
        for name, field in c.base_fields.items()
        if isinstance(field, forms.ModelChoiceField)
    ]


def test_the_walk_finds_the_forms() -> None:
    names = {f"{c.__module__}.{c.__qualname__}" for c in form_classes()}
    assert "outcomes.forms.ServiceUseForm" in names
    assert len(numeric_fields()) >= 10
    assert len(choice_fields()) >= 10


def _test_id(value: object) -> str:
    """The same in every process (pytest-xdist's workers compare their tests): a form field
    is named by its class, never by its repr, which holds the object's address."""
    return type(value).__name__ if isinstance(value, forms.Field) else str(value)[:60]


@pytest.mark.parametrize(("form", "name", "field", "backing"), numeric_fields(), ids=_test_id)
def test_a_huge_number_is_refused_with_a_message(form, name, field, backing) -> None:
    if name in COMPARED_ONLY:
        pytest.skip("compared with the record's version only")
    try:
        field.clean(HUGE)
    except ValidationError:
        return
    # A model form's generated field: the model's validators (the column's range, added
    # by Django from the database's integer range) refuse it when the form is validated.
    assert backing is not None, f"{form}.{name} accepts {HUGE}: give it a max_value"
    limits = [v.limit_value for v in backing.validators if isinstance(v, MaxValueValidator)]
    assert limits and min(limits) < int(HUGE), f"{form}.{name} accepts {HUGE}"
    with pytest.raises(ValidationError):
        backing.clean(HUGE, None)


@pytest.mark.django_db
@pytest.mark.parametrize(("form", "name", "field"), choice_fields(), ids=_test_id)
def test_a_huge_choice_is_refused_with_a_message(form, name, field) -> None:
    field = field.__deepcopy__({})
    # The choices the form's __init__ would give it: the whole table is the widest. (A
    # field whose form sets its choices in __init__ gets a stand-in table: the bounded
    # lookup is the same for every integer key.)
    model = field.queryset.model if field.queryset is not None else User
    field.queryset = model._default_manager.all()
    value = [HUGE] if isinstance(field, forms.ModelMultipleChoiceField) else HUGE

    with pytest.raises(ValidationError):
        field.clean(value)


@pytest.mark.django_db
def test_the_services_form_that_was_seen_failing_says_so(
    team_a, practitioner, time_machine
) -> None:
    """Issue 13: services=99999999999999999999 on the services-before/after form was a 500."""
    from datetime import date

    from django.test import Client
    from django.urls import reverse

    from outcomes.models import ServiceUse
    from tests.factories import CaseFactory, PersonFactory

    time_machine.move_to("2027-03-10 10:00:00+00:00", tick=False)
    case = CaseFactory(
        team=team_a,
        worker=practitioner,
        stage="phase2",
        referral__received_at="2027-01-20T09:00:00+00:00",
        allocated_at="2027-01-22T09:00:00+00:00",
    )
    mother = PersonFactory(family=case.family, date_of_birth=date(1990, 5, 1))
    client = Client()
    client.force_login(practitioner)
    url = reverse("outcomes:record_services", args=[case.pk, mother.pk, "before"])

    response = client.post(url, {"version": "0", "recorded_on": "2027-03-10", "services": [HUGE]})

    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()
    assert not ServiceUse.objects.filter(person=mother).exists()

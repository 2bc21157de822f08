"""The restriction page's people: a checkbox per staff member, written by core.forms.
CheckboxList in a fieldset that the field's label names (issue 15: crispy-forms' loop
cost a third of a millisecond a box)."""

from __future__ import annotations

import pytest
from crispy_forms.utils import render_crispy_form
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cases.forms import RestrictionForm
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_each_staff_member_is_a_labelled_box_and_the_chosen_are_ticked(manager, practitioner):
    form = RestrictionForm(
        staff=User.objects.filter(pk__in=[manager.pk, practitioner.pk]).order_by("pk"),
        initial={"version": 1, "people": [practitioner]},
    )
    User.objects.filter(pk=practitioner.pk).update(first_name="<b>Ann</b>")
    html = render_crispy_form(form)
    assert "<legend" in html and "Who may see it" in html
    for i, user in enumerate([manager, practitioner]):
        box = f'name="people" value="{user.pk}" id="id_people_{i}"'
        assert box in html
        assert f'<label class="form-check-label" for="id_people_{i}">' in html
    assert f'value="{practitioner.pk}" id="id_people_1" checked>' in html
    assert f'value="{manager.pk}" id="id_people_0">' in html
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html and "<b>" not in html


def test_an_error_is_shown_beside_the_boxes(manager):
    form = RestrictionForm(
        {"version": "1", "people": ["999999"]}, staff=User.objects.filter(pk=manager.pk)
    )
    assert not form.is_valid()
    html = render_crispy_form(form)
    assert '<div id="id_people" class="is-invalid">' in html
    assert 'class="form-check-input is-invalid"' in html
    assert "invalid-feedback" in html


def test_ticking_and_unticking_through_the_page(manager, practitioner, practitioner2, team_a):
    case = CaseFactory(team=team_a, worker=practitioner)
    client = Client()
    client.force_login(manager)
    url = reverse("cases:restrict", args=[case.pk])
    page = client.get(url).content.decode()
    assert f'value="{practitioner2.pk}"' in page
    data = {"version": case.version, "restricted": "on", "people": [str(practitioner2.pk)]}
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert practitioner2 in case.restricted_to.all()
    assert f'value="{practitioner2.pk}" id="id_people_' in client.get(url).content.decode()
    # No box ticked sends no "people" at all: the choice is emptied, not left as it was.
    assert client.post(url, {"version": case.version, "restricted": "on"}).status_code == 302
    assert practitioner2 not in case.restricted_to.all()

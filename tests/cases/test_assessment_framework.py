"""The assessment along the Assessment Framework's three sides (the child's developmental
needs with the child's voice; parenting capacity with substance use history and readiness
to change; family and environmental factors), each with strengths and risks; and contacts
that record whether a child was seen, and seen alone.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Assessment, Contact, ContactMode, Readiness, WorkType
from cases.services import AssessmentSides, ContactData, record_contact, update_assessment
from core.errors import ServiceError
from tests.cases.journey import SAFETY_PLAN, Stage, make_case

pytestmark = pytest.mark.django_db

SIDES = {
    "child_strengths": "Cerys loves school and her friends.",
    "child_risks": "Late most mornings; anxious at night.",
    "child_voice": "“I want Mum to be happy and not sleep all day.”",
    "parenting_strengths": "Warm, affectionate, wants help.",
    "parenting_risks": "Drinks during the day; mornings unmanaged.",
    "substance_history": "Alcohol since 2015; a detox in 2022, relapsed after six months.",
    "readiness": Readiness.PREPARATION,
    "family_strengths": "Nain lives two streets away.",
    "family_risks": "Rent arrears; isolated from neighbours.",
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def assessing(team_a, manager, practitioner, referrer):
    return make_case(
        team_a, manager, practitioner, referrer, stage=Stage.ASSESSMENT, received_days_ago=2
    )


@pytest.fixture
def phase1(team_a, manager, practitioner, referrer):
    return make_case(team_a, manager, practitioner, referrer, stage=Stage.PHASE1)


def update(assessment: Assessment, user, **overrides) -> Assessment:
    values = {
        "assessment_id": assessment.pk,
        "user": user,
        "version": assessment.version,
        "completed_at": None,
        "hours_spent": None,
        "safety_plan": SAFETY_PLAN,
        "safety_plan_agreed_on": None,
        "sides": AssessmentSides(**SIDES),
    }
    values.update(overrides)
    return update_assessment(**values)


# --- The assessment -----------------------------------------------------------------------


def test_the_three_sides_are_saved_with_strengths_and_risks(assessing, practitioner):
    assessment = Assessment.objects.get(case=assessing.case)

    update(assessment, practitioner)

    assessment.refresh_from_db()
    assert {name: getattr(assessment, name) for name in SIDES} == SIDES
    assert assessment.safety_plan == SAFETY_PLAN  # the Safety Plan stays


def test_saving_without_the_sides_keeps_what_they_say(assessing, practitioner):
    assessment = Assessment.objects.get(case=assessing.case)
    saved = update(assessment, practitioner)

    update(saved, practitioner, sides=None, safety_plan="A new Safety Plan.")

    saved.refresh_from_db()
    assert saved.child_voice == SIDES["child_voice"]
    assert saved.safety_plan == "A new Safety Plan."


def test_an_unknown_readiness_is_refused(assessing, practitioner):
    assessment = Assessment.objects.get(case=assessing.case)

    with pytest.raises(ServiceError, match="readiness"):
        update(assessment, practitioner, sides=AssessmentSides(readiness="denial"))
    assessment.refresh_from_db()
    assert assessment.readiness == ""


def test_the_database_refuses_an_unknown_readiness(assessing):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(case=assessing.case).update(readiness="denial")


def test_the_assessment_page_saves_and_shows_the_three_sides(assessing, practitioner):
    case = assessing.case
    assessment = Assessment.objects.get(case=case)
    client = login(practitioner)
    form = client.get(reverse("cases:assessment", args=[case.pk])).content.decode()
    for label in (
        "The child&#x27;s developmental needs: strengths",
        "The child&#x27;s voice",
        "Parenting capacity: risks",
        "Substance use history",
        "Readiness to change",
        "Family and environmental factors: strengths",
        "Children and young people&#x27;s Safety Plan",
    ):
        assert label in form, label

    response = client.post(
        reverse("cases:assessment", args=[case.pk]),
        {"version": assessment.version, "safety_plan": SAFETY_PLAN, **SIDES},
    )

    assert response.status_code == 302
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "The child's developmental needs" in page
    assert "Cerys loves school and her friends." in page
    assert "Getting ready to change" in page
    assert "Rent arrears; isolated from neighbours." in page


def test_the_assessment_page_refuses_an_unknown_readiness_and_keeps_what_was_typed(
    assessing, practitioner
):
    case = assessing.case
    assessment = Assessment.objects.get(case=case)

    response = login(practitioner).post(
        reverse("cases:assessment", args=[case.pk]),
        {"version": assessment.version, **SIDES, "readiness": "denial"},
    )

    assert response.status_code == 200
    assert "readiness" in response.context["form"].errors
    assert SIDES["child_voice"] in response.content.decode().replace("&#x27;", "'")


# --- Contacts: a child seen, seen alone --------------------------------------------------


def contact_data(journey, **overrides) -> ContactData:
    values = {
        "started_at": timezone.now() - timedelta(hours=2),
        "duration_minutes": 90,
        "mode": ContactMode.HOME_VISIT,
        "work_type": WorkType.DIRECT,
        "out_of_hours": False,
        "people_seen": [journey.adult, journey.child],
        "methods": [],
    }
    values.update(overrides)
    return ContactData(**values)


@pytest.mark.parametrize(("seen", "alone"), [(False, False), (True, False), (True, True)], ids=str)
def test_a_contact_records_whether_a_child_was_seen_and_seen_alone(
    phase1, practitioner, seen, alone
):
    saved = record_contact(
        case_id=phase1.case.pk,
        user=practitioner,
        data=contact_data(phase1, child_seen=seen, child_seen_alone=alone),
    )

    saved.refresh_from_db()
    assert (saved.child_seen, saved.child_seen_alone) == (seen, alone)


def test_a_child_seen_alone_but_not_seen_is_refused(phase1, practitioner):
    before = Contact.objects.count()

    with pytest.raises(ServiceError, match="seen alone was seen"):
        record_contact(
            case_id=phase1.case.pk,
            user=practitioner,
            data=contact_data(phase1, child_seen=False, child_seen_alone=True),
        )
    assert Contact.objects.count() == before


def test_the_database_refuses_a_child_seen_alone_but_not_seen(phase1):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(case=phase1.case).update(child_seen=False, child_seen_alone=True)


def contact_post(journey, **changes) -> dict:
    return {
        "started_at": timezone.localtime(timezone.now() - timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "duration_minutes": "60",
        "mode": "home_visit",
        "work_type": "direct",
        "people_seen": [str(journey.child.pk)],
        "notes": "Cerys showed me her school project.",
        **changes,
    }


def test_the_contact_form_refuses_seen_alone_without_seen_and_keeps_what_was_typed(
    phase1, practitioner
):
    before = Contact.objects.count()
    response = login(practitioner).post(
        reverse("cases:add_contact", args=[phase1.case.pk]),
        contact_post(phase1, child_seen_alone="on"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["child_seen"] == [
        "A child seen alone was seen: tick “A child was seen” as well."
    ]
    html = response.content.decode()
    assert "Cerys showed me her school project." in html
    assert re.search(r'<input[^>]*name="child_seen_alone"[^>]*checked', html), html
    assert Contact.objects.count() == before


def test_the_contact_form_saves_a_child_seen_alone(phase1, practitioner):
    response = login(practitioner).post(
        reverse("cases:add_contact", args=[phase1.case.pk]),
        contact_post(phase1, child_seen="on", child_seen_alone="on"),
    )

    assert response.status_code == 302
    saved = Contact.objects.filter(case=phase1.case).order_by("-pk").first()
    assert (saved.child_seen, saved.child_seen_alone) == (True, True)


def test_the_chronology_says_a_child_was_seen_alone(phase1, practitioner):
    client = login(practitioner)
    client.post(
        reverse("cases:add_contact", args=[phase1.case.pk]),
        contact_post(phase1, child_seen="on", child_seen_alone="on"),
    )

    page = client.get(reverse("cases:detail", args=[phase1.case.pk])).content.decode()

    assert "Home visit, 60 min, a child seen alone" in page

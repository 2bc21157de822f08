"""Subject access: a manager of the person's team exports everything held about one person
as a zip (a PDF summary and the data as JSON); the export itself is logged."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from families.services import record_consent
from outcomes.services import ServiceUseData, record_service_use
from reference.models import ServiceType
from tests.cases.journey import make_case
from tests.factories import UserFactory
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def journey(team_a, manager, practitioner, referrer):
    journey = make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage="phase1",
        family_name="Pritchard family",
        contacts=2,
        readings=2,
    )
    record_consent(
        person=journey.adult,
        user=practitioner,
        topic="sharing",
        agreed=True,
        who_may_be_told="GP and school",
        recorded_on=timezone.localdate() - timedelta(days=3),
    )
    record_service_use(
        case_id=journey.case.pk,
        user=practitioner,
        data=ServiceUseData(
            person=journey.adult,
            occasion="before",
            recorded_on=timezone.localdate(),
            services=list(ServiceType.objects.filter(code__in=["drug-alcohol", "housing"])),
            version=0,
        ),
    )
    return journey


def export_url(person) -> str:
    return reverse("privacy:subject_access_export", args=[person.pk])


def unzip(response) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_a_manager_finds_the_person(manager, journey) -> None:
    response = login(manager).get(reverse("privacy:subject_access"), {"name": "kerry"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Kerry Jones" in page
    assert export_url(journey.adult) in page
    assert "Jade" not in page


def test_the_export_is_a_zip_with_a_pdf_summary_and_the_data(manager, journey) -> None:
    person = journey.adult

    response = login(manager).post(export_url(person))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="subject-access-{person.pk}.zip"'
    )
    files = unzip(response)
    assert set(files) == {"summary.pdf", "data.json"}

    text = pdf_text(files["summary.pdf"])
    assert "Information held about Kerry Jones" in text
    assert "Pritchard family" in text
    assert "GP and school" in text

    data = json.loads(files["data.json"])
    assert data["person"]["name"] == "Kerry Jones"
    assert data["person"]["id"] == person.pk
    assert data["produced_by"] == manager.username
    assert data["family"]["name"] == "Pritchard family"
    assert [r["id"] for r in data["referrals"]] == [journey.referral.pk]
    assert data["referrals"][0]["reason"] == journey.referral.reason_for_referral
    assert data["referrals"][0]["decisions"]
    assert [c["topic"] for c in data["consents"]] == ["Sharing information with partner agencies"]
    assert data["consents"][0]["agreed"] is True
    assert data["consents"][0]["who_may_be_told"] == "GP and school"
    # The contacts where she was seen, and her own readings.
    assert len(data["contacts_seen_at"]) == 2
    assert [r["measure"] for r in data["readings"]] == ["wemwbs"]
    # The services she used before the work.
    assert [(u["occasion"], u["services"]) for u in data["services_used"]] == [
        ("before", ["Drug and alcohol service", "Housing support"])
    ]
    assert "Drug and alcohol service, Housing support" in text


def test_the_childs_export_holds_the_childs_own_records(manager, journey) -> None:
    files = unzip(login(manager).post(export_url(journey.child)))

    data = json.loads(files["data.json"])
    assert data["person"]["name"] == "Jade Jones"
    assert data["person"]["kind"] == "child"
    assert data["consents"] == []
    assert len(data["contacts_seen_at"]) == 1  # only the home visits saw the children
    assert data["services_used"] == []  # the mother's record is hers alone
    assert "Jade Jones" in pdf_text(files["summary.pdf"])


def test_the_export_is_logged(manager, journey) -> None:
    client = Client(REMOTE_ADDR="10.6.6.6")
    client.force_login(manager)

    client.post(export_url(journey.adult))

    entry = LogEntry.objects.get(additional_data__event="subject_access_export")
    assert entry.actor == manager
    assert entry.object_pk == str(journey.adult.pk)
    assert entry.content_type.model == "person"
    assert entry.remote_addr == "10.6.6.6"


def test_the_export_needs_a_post(manager, journey) -> None:
    response = login(manager).get(export_url(journey.adult))

    assert response.status_code == 405
    assert not LogEntry.objects.filter(additional_data__event="subject_access_export").exists()


@pytest.mark.parametrize(
    "who",
    [
        "practitioner",
        "csw",
        "performance_officer",
        "referrer",
        "board_member",
        "other_manager",
        "other_practitioner",
    ],
)
def test_only_a_manager_of_the_persons_team_can_search_or_export(request, who, journey) -> None:
    client = login(request.getfixturevalue(who))

    search = client.get(reverse("privacy:subject_access"), {"name": "Kerry"})
    export = client.post(export_url(journey.adult))

    if who == "other_manager":
        assert search.status_code == 200
        assert "Kerry Jones" not in search.content.decode()
        assert export_url(journey.adult) not in search.content.decode()
    else:
        assert search.status_code == 404
    assert export.status_code == 404
    assert not LogEntry.objects.filter(additional_data__event="subject_access_export").exists()


def test_an_unknown_person_is_404(manager, journey) -> None:
    response = login(manager).post(reverse("privacy:subject_access_export", args=[999999]))
    assert response.status_code == 404


def test_an_administrator_without_a_team_is_not_a_manager(journey) -> None:
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    assert login(admin).post(export_url(journey.adult)).status_code == 404


def test_the_export_holds_what_each_referral_said_about_the_person(team_a, manager, referrer):
    import json
    import uuid
    import zipfile
    from io import BytesIO

    from privacy.services import subject_access_export
    from referrals.services import submit_referral
    from tests.referrals.test_services import make_data

    referral = submit_referral(
        user=referrer, data=make_data(team_a, address="4 Rhodfa"), submission_key=uuid.uuid4()
    )
    carys = referral.family.members.get(first_name="Carys")

    archive = subject_access_export(person=carys, user=manager)

    data = json.loads(zipfile.ZipFile(BytesIO(archive)).read("data.json"))
    said = data["referrals"][0]["as_referred"]
    assert said["address"] == "4 Rhodfa"
    assert [m["name"] for m in said["this_person"]] == ["Carys Evans"]

"""Retention: families whose last case closed more than RETENTION_YEARS (default 7) ago, with
nothing open and no recent referral, wait in the manager's review queue. Anonymising, after
a confirmation page, removes identities and free text, keeps what the statistics need, and
is logged. Nothing happens without the manager's POST."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import FormDraft
from cases.models import Assessment, Case, Closure, Contact, FamilyPlan
from families.models import Consent, Family, Person
from families.services import record_consent
from notifications.models import Notification
from outcomes.models import Goal, GoalScore, Reading, ServiceUse
from outcomes.services import ServiceUseData, record_service_use
from privacy.services import retention_due
from reference.models import ServiceType
from referrals.models import Referral, ScreeningDecision, WaitingListEntry
from reviews.models import Booster, Review
from tests.cases.journey import NEEDS, SAFETY_PLAN, SERVICE_ACTIONS, make_case
from tests.factories import (
    CaseFactory,
    FamilyFactory,
    NotificationFactory,
    PersonFactory,
    ReferralFactory,
)
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

RETENTION = reverse("privacy:retention")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def years_ago(years: float):
    return timezone.now() - timedelta(days=round(365.25 * years))


def closed_family(team, worker, name: str, *, closed_years_ago: float) -> Family:
    """A family with one case, closed that long ago."""
    closed = years_ago(closed_years_ago)
    family = FamilyFactory(team=team, name=name)
    PersonFactory(family=family, first_name=name.split()[0])
    CaseFactory(
        team=team,
        worker=worker,
        referral__family=family,
        referral__received_at=closed - timedelta(days=200),
        referral__status="closed",
        allocated_at=closed - timedelta(days=190),
        stage="closed",
        closed_at=closed,
    )
    return family


def queue_rows(page: str) -> list[str]:
    table = re.search(r'data-testid="retention">(.*?)</table>', page, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows if "Nothing is due" not in r]


# --- The review queue -------------------------------------------------------------------------


@pytest.fixture
def families(team_a, team_b, practitioner, other_practitioner):
    due = closed_family(team_a, practitioner, "Due family", closed_years_ago=8)
    recent = closed_family(team_a, practitioner, "Recent family", closed_years_ago=6)
    reopened = closed_family(team_a, practitioner, "Reopened family", closed_years_ago=9)
    CaseFactory(team=team_a, worker=practitioner, referral__family=reopened)  # open again
    referred = closed_family(team_a, practitioner, "Referred family", closed_years_ago=9)
    ReferralFactory(team=team_a, family=referred, received_at=years_ago(1))  # not yet screened
    done = closed_family(team_a, practitioner, "Done family", closed_years_ago=10)
    Family.objects.filter(pk=done.pk).update(anonymised_at=years_ago(1))
    elsewhere = closed_family(team_b, other_practitioner, "Elsewhere family", closed_years_ago=8)
    never = FamilyFactory(team=team_a, name="Never family")  # referred, never a case
    ReferralFactory(team=team_a, family=never, received_at=years_ago(9))
    return {
        "due": due,
        "recent": recent,
        "reopened": reopened,
        "referred": referred,
        "done": done,
        "elsewhere": elsewhere,
        "never": never,
    }


def test_the_queue_lists_only_families_closed_over_seven_years_with_nothing_open(
    manager, families
) -> None:
    response = login(manager).get(RETENTION)

    assert response.status_code == 200
    rows = queue_rows(response.content.decode())
    assert len(rows) == 1
    assert "Due family" in rows[0]
    assert reverse("privacy:anonymise", args=[families["due"].pk]) in response.content.decode()


def test_the_queue_is_per_team(other_manager, families) -> None:
    rows = queue_rows(login(other_manager).get(RETENTION).content.decode())

    assert [("Elsewhere family" in r) for r in rows] == [True]


def test_the_retention_period_is_a_setting(settings, manager, families) -> None:
    assert settings.RETENTION_YEARS == 7
    settings.RETENTION_YEARS = 5

    rows = queue_rows(login(manager).get(RETENTION).content.decode())

    names = sorted(r.split(" North IFST")[0] for r in rows)
    assert names == ["Due family", "Recent family"]


def test_the_queue_counts_from_the_last_case_to_close(team_a, practitioner, manager) -> None:
    family = closed_family(team_a, practitioner, "Twice family", closed_years_ago=12)
    CaseFactory(
        team=team_a,
        worker=practitioner,
        referral__family=family,
        referral__received_at=years_ago(6.5),
        stage="closed",
        allocated_at=years_ago(6.4),
        closed_at=years_ago(6),
    )

    assert not retention_due(team_ids=[team_a.pk]).filter(pk=family.pk).exists()
    assert queue_rows(login(manager).get(RETENTION).content.decode()) == []


@pytest.mark.parametrize(
    "who", ["practitioner", "csw", "performance_officer", "referrer", "board_member"]
)
def test_nobody_but_managers_sees_the_queue_or_can_anonymise(request, who, families) -> None:
    client = login(request.getfixturevalue(who))
    url = reverse("privacy:anonymise", args=[families["due"].pk])

    assert client.get(RETENTION).status_code == 404
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    families["due"].refresh_from_db()
    assert families["due"].anonymised_at is None


def test_a_manager_of_another_team_gets_404(other_manager, families) -> None:
    url = reverse("privacy:anonymise", args=[families["due"].pk])
    client = login(other_manager)

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    families["due"].refresh_from_db()
    assert families["due"].anonymised_at is None


# --- Anonymisation ----------------------------------------------------------------------------

SECRETS = [
    "Pritchard",
    "Kerry",
    "Jade",
    "12 Heol y Coed",
    "CF14 6HL",
    "Sam Social-Worker",
    "sam@example.org",
    "01234 567890",
    "Parental alcohol use",
    "Grandmother collects",
    "Stable routines",
    "weekly visits",
    "Mother, social worker",
    "keep the children safe",
    "much less than expected",
    "Goals met",
    "GP and school",
    "Signed at the kitchen table",
]


@pytest.fixture
def closed_long_ago(team_a, manager, practitioner, referrer):
    """A full case, from referral to closure, that ended eight years ago; with the kind of
    free text every stage collects."""
    with time_machine.travel(years_ago(8), tick=False):
        journey = make_case(
            team_a,
            manager,
            practitioner,
            referrer,
            stage="closed",
            family_name="Pritchard family",
            goals=1,
            contacts=2,
            readings=3,
            reviews_held=1,
            boosters=1,
        )
        record_consent(
            person=journey.adult,
            user=practitioner,
            topic="sharing",
            agreed=True,
            who_may_be_told="GP and school",
            recorded_on=timezone.localdate(),
            notes="Signed at the kitchen table",
        )
        for occasion, codes in (
            ("before", ["drug-alcohol"]),
            ("after", ["drug-alcohol", "health"]),
        ):
            record_service_use(
                case_id=journey.case.pk,
                user=practitioner,
                data=ServiceUseData(
                    person=journey.adult,
                    occasion=occasion,
                    recorded_on=timezone.localdate(),
                    services=list(ServiceType.objects.filter(code__in=codes)),
                    version=0,
                ),
            )
    Family.objects.filter(pk=journey.case.family_id).update(
        address="12 Heol y Coed\nRhiwbina", postcode="CF14 6HL"
    )
    Contact.objects.filter(case=journey.case).update(notes="Kerry sober; Jade at school.")
    ScreeningDecision.objects.filter(referral=journey.referral).update(detail="Kerry agreed.")
    Assessment.objects.filter(case=journey.case).update(decision_notes="Kerry wants to change.")
    return journey


def anonymise_url(journey) -> str:
    return reverse("privacy:anonymise", args=[journey.case.family_id])


def snapshot_of_the_statistics(journey) -> dict:
    case = Case.objects.get(pk=journey.case.pk)
    referral = Referral.objects.get(pk=journey.referral.pk)
    return {
        "received_at": referral.received_at,
        "status": referral.status,
        "agency": referral.referrer_agency,
        "allocated_at": case.allocated_at,
        "closed_at": case.closed_at,
        "stage": case.stage,
        "phase1": (case.phase1_start, case.phase1_end),
        "local_authority": case.family.local_authority_id,
        "team": case.family.team_id,
        "people": sorted(
            Person.objects.filter(family=case.family).values_list("kind", "relationship")
        ),
        "birth_years": sorted(
            p.date_of_birth.year for p in Person.objects.filter(family=case.family)
        ),
        "contacts": sorted(
            Contact.objects.filter(case=case).values_list("started_at", "duration_minutes", "mode")
        ),
        "assessment": Assessment.objects.filter(case=case).values_list(
            "started_at", "completed_at", "hours_spent", "decision"
        )[0],
        "plans": sorted(FamilyPlan.objects.filter(case=case).values_list("agreed_on", flat=True)),
        "scores": sorted(
            GoalScore.objects.filter(goal__case=case).values_list("score", "scored_on")
        ),
        "readings": sorted(Reading.objects.filter(case=case).values_list("instrument", "total")),
        # Services used before and after: coded, kept for the "better off" measure.
        "service_uses": sorted(
            ServiceUse.objects.filter(case=case).values_list(
                "person__kind", "occasion", "recorded_on", "services__code"
            )
        ),
        "reviews": sorted(Review.objects.filter(case=case).values_list("due_on", "held_on")),
        "boosters": sorted(
            Booster.objects.filter(case=case).values_list("delivered_on", flat=True)
        ),
        "closure": Closure.objects.filter(case=case).values_list(
            "closed_on", "derived_success", "substance_change"
        )[0],
        "consents": sorted(
            Consent.objects.filter(person__family=case.family).values_list(
                "topic", "agreed", "recorded_on"
            )
        ),
    }


def test_the_confirmation_page_changes_nothing(manager, closed_long_ago) -> None:
    family = closed_long_ago.case.family
    assert "Pritchard family" in queue_rows(login(manager).get(RETENTION).content.decode())[0]

    response = login(manager).get(anonymise_url(closed_long_ago))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Anonymise the records of Pritchard family?" in page
    assert 'method="post"' in page
    family.refresh_from_db()
    assert (family.name, family.anonymised_at) == ("Pritchard family", None)
    assert not LogEntry.objects.filter(additional_data__event="anonymised").exists()


def test_anonymising_removes_identities_and_free_text(manager, closed_long_ago) -> None:
    journey = closed_long_ago
    case = journey.case
    family_pk = case.family_id

    response = login(manager).post(anonymise_url(journey), follow=True)

    assert response.redirect_chain[-1][0] == RETENTION
    assert "The family&#x27;s records are anonymised." in response.content.decode()
    family = Family.objects.get(pk=family_pk)
    assert family.name == f"Anonymised family {family_pk}"
    assert (family.address, family.postcode) == ("", "")
    assert family.anonymised_at is not None
    for person in Person.objects.filter(family=family):
        assert (person.first_name, person.last_name) == ("", "Anonymised")
    referral = Referral.objects.get(pk=journey.referral.pk)
    assert referral.referrer_name == "Anonymised"
    assert (referral.referrer_phone, referral.referrer_team, referral.referrer_role) == ("", "", "")
    assert referral.referrer_email == "anonymised@invalid"
    assert referral.reason_for_referral == ""
    assert set(
        ScreeningDecision.objects.filter(referral=referral).values_list("detail", flat=True)
    ) == {""}
    assert set(Contact.objects.filter(case=case).values_list("notes", flat=True)) == {""}
    plan_text = FamilyPlan.objects.filter(case=case).values_list(
        "needs", "service_actions", "agreed_with"
    )
    assert set(plan_text) == {("", "", "")}
    assessment = Assessment.objects.get(case=case)
    assert (assessment.safety_plan, assessment.decision_notes) == ("", "")
    goal = Goal.objects.get(case=case)
    assert goal.title == "Goal"
    assert (goal.level_minus2, goal.level_0, goal.level_plus2) == ("", "", "")
    assert set(Review.objects.filter(case=case).values_list("attendees", "progress")) == {("", "")}
    assert set(Booster.objects.filter(case=case).values_list("notes", flat=True)) == {""}
    assert Closure.objects.get(case=case).notes == ""
    consent = Consent.objects.get(person__family=family)
    assert (consent.notes, consent.who_may_be_told) == ("", "")
    # The case page still opens, with nothing identifying on it.
    page = login(journey.worker).get(reverse("cases:detail", args=[case.pk])).content.decode()
    for secret in (
        "Pritchard",
        "Kerry",
        "Jade",
        "CF14 6HL",
        SAFETY_PLAN,
        NEEDS,
        SERVICE_ACTIONS,
        "Sam Social-Worker",
    ):
        assert secret not in page, secret


def test_anonymising_keeps_dates_scores_and_the_local_authority(manager, closed_long_ago) -> None:
    before = snapshot_of_the_statistics(closed_long_ago)
    child_born = Person.objects.get(pk=closed_long_ago.child.pk).date_of_birth

    login(manager).post(anonymise_url(closed_long_ago))

    after = snapshot_of_the_statistics(closed_long_ago)
    assert after == before
    assert before["scores"] and before["readings"] and before["contacts"]
    assert len(before["service_uses"]) == 3  # one type before, two after
    # A birth date keeps its year only.
    child = Person.objects.get(pk=closed_long_ago.child.pk)
    assert child.date_of_birth == date(child_born.year, 1, 1)


def test_anonymising_deletes_the_familys_notifications_only(
    manager, practitioner, closed_long_ago
) -> None:
    journey = closed_long_ago
    urls = [
        reverse("referrals:detail", args=[journey.referral.pk]),
        reverse("cases:detail", args=[journey.case.pk]),
    ] + [reverse("reviews:record", args=[r.pk]) for r in journey.reviews]
    NotificationFactory(recipient=practitioner, url=urls[1], subject="Pritchard: plan due")
    other = NotificationFactory(recipient=practitioner, url="/cases/999999/", subject="Other")
    assert Notification.objects.filter(url__in=urls).count() >= 2

    login(manager).post(anonymise_url(journey))

    assert not Notification.objects.filter(url__in=urls).exists()
    assert Notification.objects.filter(pk=other.pk).exists()
    entry = LogEntry.objects.get(additional_data__event="anonymised")
    assert entry.additional_data["notifications_removed"] >= 2


def test_anonymising_is_logged(manager, closed_long_ago) -> None:
    client = Client(REMOTE_ADDR="10.8.8.8")
    client.force_login(manager)

    client.post(anonymise_url(closed_long_ago))

    entry = LogEntry.objects.get(additional_data__event="anonymised")
    assert entry.actor == manager
    assert entry.content_type.model == "family"
    assert entry.object_pk == str(closed_long_ago.case.family_id)
    assert entry.remote_addr == "10.8.8.8"


def test_a_second_run_is_refused(manager, closed_long_ago) -> None:
    client = login(manager)
    client.post(anonymise_url(closed_long_ago))
    family = Family.objects.get(pk=closed_long_ago.case.family_id)

    response = client.post(anonymise_url(closed_long_ago), follow=True)

    assert "already anonymised" in response.content.decode()
    assert LogEntry.objects.filter(additional_data__event="anonymised").count() == 1
    family_again = Family.objects.get(pk=family.pk)
    assert family_again.anonymised_at == family.anonymised_at
    assert queue_rows(client.get(RETENTION).content.decode()) == []


@pytest.mark.parametrize("which", ["recent", "reopened", "referred"])
def test_a_family_not_yet_due_is_refused(manager, families, which) -> None:
    family = families[which]
    name = family.name

    response = login(manager).post(reverse("privacy:anonymise", args=[family.pk]), follow=True)

    assert "not yet due" in response.content.decode()
    family.refresh_from_db()
    assert (family.name, family.anonymised_at) == (name, None)
    assert Person.objects.filter(family=family).exclude(last_name="Anonymised").exists()
    assert not LogEntry.objects.filter(additional_data__event="anonymised").exists()


def test_anonymising_needs_a_post_not_a_get_with_a_query(manager, closed_long_ago) -> None:
    login(manager).get(anonymise_url(closed_long_ago), {"confirm": "yes"})

    family = Family.objects.get(pk=closed_long_ago.case.family_id)
    assert family.anonymised_at is None


def text_left_behind(secrets: list[str]) -> dict[str, list[str]]:
    """Every text or JSON value in the case records that still holds one of the secrets."""
    found: dict[str, list[str]] = {}
    labels = ["families", "referrals", "cases", "outcomes", "reviews", "notifications"]
    model_list = [m for label in labels for m in apps.get_app_config(label).get_models()]
    model_list.append(FormDraft)
    for model in model_list:
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        # Every version of an amendable entry, not only the current ones.
        rows = getattr(model, "all_versions", model.objects)
        for row in rows.values("pk", *fields):
            for name in fields:
                value = str(row[name])
                hits = [s for s in secrets if s in value]
                if hits:
                    found.setdefault(f"{model._meta.label}.{name}", []).extend(hits)
    return found


def test_no_identifying_text_is_left_anywhere_in_the_case_records(
    manager, practitioner, closed_long_ago
) -> None:
    journey = closed_long_ago
    case = journey.case
    WaitingListEntry.objects.create(
        referral=journey.referral,
        priority=2,
        notes="Kerry prefers mornings",
        added_at=journey.referral.received_at,
        left_at=journey.referral.received_at + timedelta(days=1),
        left_because="Allocated to Kerry's worker",
    )
    Case.objects.filter(pk=case.pk).update(phase1_slip_reason="Kerry was in hospital")
    FormDraft.objects.create(
        user=practitioner,
        path=reverse("cases:add_contact", args=[case.pk]),
        data={"notes": ["Kerry relapsed at the weekend"]},
    )

    login(manager).post(anonymise_url(journey))

    assert text_left_behind(SECRETS) == {}


def test_amended_and_withdrawn_entries_are_anonymised_too(
    manager, practitioner, closed_long_ago
) -> None:
    """A correction keeps the original (cases.amendments): its text, and the reason given,
    must go with the rest."""
    from cases.models import Contact
    from cases.services import ContactData, correct_contact, withdraw_contact

    journey = closed_long_ago
    first, second = Contact.objects.filter(case=journey.case).order_by("pk")
    Contact.objects.filter(pk=first.pk).update(notes="Kerry relapsed at the weekend")
    first.refresh_from_db()
    correct_contact(
        contact_id=first.pk,
        user=practitioner,
        data=ContactData(
            started_at=first.started_at,
            duration_minutes=60,
            mode=first.mode,
            work_type=first.work_type,
            out_of_hours=False,
            people_seen=[],
            methods=[],
            notes="Visit",
        ),
        reason="Kerry's visit was an hour",
        version=first.version,
    )
    withdraw_contact(
        contact_id=second.pk, user=manager, reason="Kerry was not seen", version=second.version
    )

    login(manager).post(anonymise_url(journey))

    assert text_left_behind(["Kerry"]) == {}
    kept = Contact.all_versions.filter(case=journey.case).exclude(entry_status="current")
    assert {c.retired_reason for c in kept} == {"(anonymised)"}


def test_anonymising_writes_no_removed_identity_into_the_audit_log(
    manager, closed_long_ago
) -> None:
    started = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()

    login(manager).post(anonymise_url(closed_long_ago))

    written = LogEntry.objects.filter(pk__gt=started)
    assert written.exists()
    leaked = [
        (e.content_type.model, e.object_repr, e.changes)
        for e in written
        if any(s in f"{e.object_repr} {e.changes}" for s in SECRETS)
    ]
    assert leaked == []


def test_anonymising_removes_the_family_as_each_referral_described_it(
    manager, closed_long_ago
) -> None:
    from referrals.models import FamilyUpdate, ReferredMember

    journey = closed_long_ago
    referral = journey.referral
    Referral.objects.filter(pk=referral.pk).update(
        family_name="Pritchard family", address="12 Heol y Coed", postcode="CF14 6HL"
    )
    ReferredMember.objects.create(
        referral=referral,
        kind="adult",
        first_name="Kerry",
        last_name="Pritchard",
        relationship="mother",
        date_of_birth=date(1988, 7, 14),
    )
    FamilyUpdate.objects.create(
        referral=referral,
        family=journey.case.family,
        field="family:address",
        label="address",
        before="12 Heol y Coed",
        after="Flat 1",
        applied_by=manager,
        applied_at=timezone.now(),
    )

    login(manager).post(anonymise_url(journey))

    referral.refresh_from_db()
    assert (referral.family_name, referral.address, referral.postcode) == ("Anonymised", "", "")
    member = ReferredMember.objects.get(referral=referral)
    assert (member.first_name, member.last_name, member.date_of_birth) == (
        "",
        "Anonymised",
        date(1988, 1, 1),
    )
    assert FamilyUpdate.objects.get().before == ""
    page = login(manager).get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    for secret in ("Pritchard", "Kerry", "12 Heol y Coed", "CF14 6HL"):
        assert secret not in page, secret

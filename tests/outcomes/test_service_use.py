"""Services accessed before and after the work, per person (DOMAIN.md section 4): the
service that records them, the case's services page and its form, and the closure warning.

Alice (practitioner) works the case; Bob is team staff in other roles; Charlie is another
team, a referrer or a board member, and gets 404."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from cases.services import restrict_case
from core.errors import ServiceError, StaleEdit
from families.models import MemberKind, Relationship
from outcomes.models import ServiceOccasion, ServiceUse
from outcomes.services import ServiceUseData, record_service_use
from outcomes.services_accessed import adults_without_after
from reference.models import ServiceType
from tests.factories import CaseFactory, FamilyFactory, PersonFactory, UserFactory
from tests.referrals.support import (
    assert_queries_constant,
    fast_password_hashing,  # noqa: F401 - autouse fixture
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = date(2027, 3, 10)
RECEIVED = date(2027, 1, 20)
BEFORE, AFTER = ServiceOccasion.BEFORE, ServiceOccasion.AFTER
# The services page, pinned. The request's own: the session, the user, the user's
# memberships (for the case lookup and the navigation), the unread count with the form
# draft (one query). The page's: the case, the view of the case and its family logged (an
# INSERT each: one bulk INSERT would be BEGIN, INSERT, COMMIT outside a test's transaction),
# the people, the records and their service types. The same with one family member or eight.
SERVICES_PAGE_QUERIES = 10


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(datetime(2027, 3, 10, 10, tzinfo=LONDON), tick=False)


def make_case(team, worker, stage: str = "phase2", **kwargs):
    return CaseFactory(
        team=team,
        worker=worker,
        stage=stage,
        referral__received_at=datetime(2027, 1, 20, 9, tzinfo=LONDON),
        allocated_at=datetime(2027, 1, 22, 9, tzinfo=LONDON),
        **kwargs,
    )


@pytest.fixture
def case(team_a, practitioner):
    return make_case(team_a, practitioner, referral__family__name="Evans family")


@pytest.fixture
def mother(case):
    return PersonFactory(
        family=case.family, first_name="Kerry", last_name="Evans", date_of_birth=date(1990, 5, 1)
    )


@pytest.fixture
def child(case):
    return PersonFactory(
        family=case.family,
        kind=MemberKind.CHILD,
        first_name="Jade",
        last_name="Evans",
        relationship=Relationship.CHILD,
        date_of_birth=date(2018, 4, 2),
    )


@pytest.fixture
def unborn(case):
    return PersonFactory(
        family=case.family,
        kind=MemberKind.UNBORN,
        first_name="",
        last_name="Evans",
        relationship=Relationship.CHILD,
        date_of_birth=None,
        due_date=TODAY + timedelta(weeks=8),
    )


def types(*codes: str) -> list[ServiceType]:
    return list(ServiceType.objects.filter(code__in=codes))


def record(case, user, person, occasion=BEFORE, codes=(), *, on=TODAY, version=0):
    return record_service_use(
        case_id=case.pk,
        user=user,
        data=ServiceUseData(
            person=person,
            occasion=occasion,
            recorded_on=on,
            services=types(*codes),
            version=version,
        ),
    )


def codes_of(use: ServiceUse) -> set[str]:
    return set(use.services.values_list("code", flat=True))


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def services_url(case) -> str:
    return reverse("outcomes:services", args=[case.pk])


def form_url(case, person, occasion=BEFORE) -> str:
    return reverse("outcomes:record_services", args=[case.pk, person.pk, occasion])


def form_post(codes=(), *, on=TODAY, version=0, none=False) -> dict:
    data = {
        "version": str(version),
        "recorded_on": on.isoformat(),
        "services": [
            str(pk)
            for pk in ServiceType.objects.filter(code__in=codes).values_list("pk", flat=True)
        ],
    }
    if none:
        data["none_used"] = "on"
    return data


# --- The service ---------------------------------------------------------------------------


def test_practitioner_records_the_services_a_mother_used_before(case, mother, practitioner):
    use = record(case, practitioner, mother, BEFORE, ["drug-alcohol", "housing"])

    assert (use.case, use.person, use.occasion, use.recorded_on) == (case, mother, BEFORE, TODAY)
    assert (use.recorded_by, use.version) == (practitioner, 1)
    assert codes_of(use) == {"drug-alcohol", "housing"}


def test_an_empty_list_is_recorded_as_none_used(case, child, practitioner):
    use = record(case, practitioner, child, BEFORE, [])

    assert ServiceUse.objects.get(pk=use.pk).services.count() == 0


def test_before_and_after_are_two_records_of_the_same_person(case, mother, practitioner):
    record(case, practitioner, mother, BEFORE, ["drug-alcohol"])
    record(case, practitioner, mother, AFTER, ["drug-alcohol", "employment-training", "health"])

    uses = {u.occasion: codes_of(u) for u in ServiceUse.objects.filter(person=mother)}
    assert uses == {
        "before": {"drug-alcohol"},
        "after": {"drug-alcohol", "employment-training", "health"},
    }


def test_editing_replaces_the_services_and_moves_the_version_on(
    case, mother, practitioner, manager
):
    first = record(case, practitioner, mother, BEFORE, ["drug-alcohol", "housing"])

    edited = record(
        case, manager, mother, BEFORE, ["counselling"], on=TODAY - timedelta(days=3), version=1
    )

    assert edited.pk == first.pk
    assert codes_of(edited) == {"counselling"}
    assert (edited.version, edited.recorded_by, edited.recorded_on) == (
        2,
        manager,
        TODAY - timedelta(days=3),
    )
    assert ServiceUse.objects.count() == 1


def test_the_services_ticked_are_in_the_audit_log(case, mother, practitioner, manager):
    from auditlog.models import LogEntry

    first = record(case, practitioner, mother, BEFORE, ["drug-alcohol"])
    record(case, manager, mother, BEFORE, ["counselling"], version=1)
    changes = [
        e.changes_dict.get("services")
        for e in LogEntry.objects.get_for_object(first).order_by("pk")
        if "services" in e.changes_dict
    ]
    names = [c.get("objects") for c in changes]
    assert ["Drug and alcohol service"] in names  # added on the first save
    assert ["Counselling"] in names  # and the edit


def test_a_stale_edit_is_refused_and_changes_nothing(case, mother, practitioner, manager):
    record(case, practitioner, mother, BEFORE, ["housing"])
    record(case, manager, mother, BEFORE, ["housing", "parenting"], version=1)  # now version 2

    with pytest.raises(StaleEdit, match="Someone else changed the services Kerry Evans used"):
        record(case, practitioner, mother, BEFORE, ["counselling"], version=1)

    use = ServiceUse.objects.get()
    assert (use.version, use.recorded_by, codes_of(use)) == (2, manager, {"housing", "parenting"})


def test_the_same_new_record_sent_twice_is_saved_once(case, mother, practitioner):
    record(case, practitioner, mother, BEFORE, ["housing"])

    with pytest.raises(StaleEdit, match="already been saved"):
        record(case, practitioner, mother, BEFORE, ["housing"])

    assert ServiceUse.objects.count() == 1
    assert ServiceUse.objects.get().version == 1


def test_the_database_refuses_a_second_record_for_the_same_occasion(case, mother, practitioner):
    record(case, practitioner, mother, BEFORE, ["housing"])

    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceUse.objects.create(
            case=case, person=mother, occasion=BEFORE, recorded_on=TODAY, recorded_by=practitioner
        )


@pytest.mark.parametrize(
    ("on", "refused"),
    [
        (TODAY + timedelta(days=1), "in the future"),
        (TODAY, None),
        (RECEIVED, None),
        (RECEIVED - timedelta(days=1), "before the family was referred"),
    ],
)
def test_the_date_is_between_the_referral_and_today(case, mother, practitioner, on, refused):
    if refused:
        with pytest.raises(ServiceError, match=refused):
            record(case, practitioner, mother, BEFORE, ["housing"], on=on)
        assert not ServiceUse.objects.exists()
    else:
        assert record(case, practitioner, mother, BEFORE, ["housing"], on=on).recorded_on == on


def test_a_person_of_another_family_is_refused(case, practitioner):
    stranger = PersonFactory(family=FamilyFactory(team=case.team), first_name="Stranger")

    with pytest.raises(ServiceError, match="member of this family"):
        record(case, practitioner, stranger, BEFORE, ["housing"])
    assert not ServiceUse.objects.exists()


def test_an_unborn_baby_has_no_services_record(case, unborn, practitioner):
    with pytest.raises(ServiceError, match="not unborn"):
        record(case, practitioner, unborn, BEFORE, [])


@pytest.mark.parametrize(
    ("stage", "allowed"),
    [
        ("awaiting_assessment", False),
        ("assessment", False),
        ("phase1", False),
        ("step_down", False),
        ("phase2", True),
        ("closed", True),
    ],
)
def test_after_is_recorded_from_phase_2_or_at_closure(
    team_a, practitioner, stage: str, allowed: bool
):
    case = make_case(team_a, practitioner, stage=stage)
    mother = PersonFactory(family=case.family)
    record(case, practitioner, mother, BEFORE, ["housing"])  # before: at any stage

    if allowed:
        assert record(case, practitioner, mother, AFTER, ["housing"]).occasion == AFTER
    else:
        with pytest.raises(ServiceError, match="once the case reaches Phase 2"):
            record(case, practitioner, mother, AFTER, ["housing"])
        assert not ServiceUse.objects.filter(occasion=AFTER).exists()


def test_an_unknown_occasion_is_refused(case, mother, practitioner):
    with pytest.raises(ServiceError, match="before or after"):
        record(case, practitioner, mother, "later", ["housing"])


def test_a_retired_type_is_refused_on_a_new_record_but_kept_on_an_edit(
    case, mother, child, practitioner
):
    record(case, practitioner, mother, BEFORE, ["young-carers", "housing"])
    ServiceType.objects.filter(code="young-carers").update(active=False)

    with pytest.raises(ServiceError, match="no longer on the list"):
        record(case, practitioner, child, BEFORE, ["young-carers"])
    kept = record(case, practitioner, mother, BEFORE, ["young-carers"], version=1)
    assert codes_of(kept) == {"young-carers"}


def test_adults_without_an_after_record(case, mother, child, practitioner):
    father = PersonFactory(family=case.family, first_name="Owen", relationship="father")
    uncle = PersonFactory(family=case.family, first_name="Huw", relationship="other")
    record(case, practitioner, mother, BEFORE, ["housing"])
    record(case, practitioner, father, BEFORE, [])
    record(case, practitioner, father, AFTER, [])
    record(case, practitioner, child, BEFORE, ["childrens-centre"])  # children are not chased
    assert uncle not in adults_without_after(case)  # no before record: nothing to pair

    assert adults_without_after(case) == [mother]


# --- The services page ---------------------------------------------------------------------


def test_the_page_lists_adults_and_children_with_before_after_and_the_counts(
    case, mother, child, unborn, practitioner
):
    record(case, practitioner, mother, BEFORE, ["drug-alcohol", "housing"])
    record(case, practitioner, mother, AFTER, ["drug-alcohol", "housing", "health"])
    record(case, practitioner, child, BEFORE, [])

    page = login(practitioner).get(services_url(case)).content.decode()

    assert page.count('data-testid="services-row"') == 2  # the unborn baby has no row
    assert "Drug and alcohol service, Housing support, Health (GP or dentist)" in page
    assert "2 → 3" in page
    assert "0 → –" in page  # the child: none before, nothing recorded after
    assert ">none<" in page
    assert "not recorded" in page
    assert form_url(case, child, AFTER) in page  # Phase 2: after may be recorded
    assert form_url(case, mother, BEFORE) in page  # "Change"


def test_before_phase_2_the_page_offers_before_only(team_a, practitioner):
    case = make_case(team_a, practitioner, stage="phase1")
    mother = PersonFactory(family=case.family)

    page = login(practitioner).get(services_url(case)).content.decode()

    assert form_url(case, mother, BEFORE) in page
    assert form_url(case, mother, AFTER) not in page
    assert 'data-testid="after-not-yet"' in page


def test_the_case_page_links_to_the_services_page(case, practitioner):
    page = login(practitioner).get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert services_url(case) in page


def test_the_services_page_logs_who_viewed_the_case(case, mother, practitioner):
    from audit.services import recent_viewers

    login(practitioner).get(services_url(case))

    assert practitioner.pk in [v.actor_id for v in recent_viewers(case)]


def test_services_page_queries_do_not_grow_with_the_family(
    case, practitioner, django_assert_num_queries
):
    def add_members(n: int) -> None:
        for _ in range(n):
            person = PersonFactory(family=case.family, first_name="Member")
            record(case, practitioner, person, BEFORE, ["housing", "parenting"])
            record(case, practitioner, person, AFTER, ["housing", "health", "counselling"])

    assert SERVICES_PAGE_QUERIES <= 15
    assert_queries_constant(
        login(practitioner),
        services_url(case),
        add_rows=add_members,
        marker='data-testid="services-row"',
        expected=SERVICES_PAGE_QUERIES,
        django_assert_num_queries=django_assert_num_queries,
        few=1,
        many=8,
    )


# --- The form -------------------------------------------------------------------------------


def test_recording_through_the_form_shows_on_the_page(case, mother, practitioner):
    client = login(practitioner)
    assert client.get(form_url(case, mother)).status_code == 200

    response = client.post(form_url(case, mother), form_post(["housing", "financial-advice"]))

    assert response.status_code == 302
    assert response["Location"] == services_url(case)
    use = ServiceUse.objects.get()
    assert (use.person, use.occasion, use.recorded_by) == (mother, BEFORE, practitioner)
    assert codes_of(use) == {"housing", "financial-advice"}
    page = client.get(services_url(case)).content.decode()
    assert "Services recorded." in page
    assert "Housing support, Financial advice" in page


def test_none_used_is_an_answer(case, child, practitioner):
    response = login(practitioner).post(form_url(case, child), form_post(none=True))

    assert response.status_code == 302
    assert ServiceUse.objects.get().services.count() == 0


def test_nothing_ticked_is_not_taken_for_none(case, mother, practitioner):
    response = login(practitioner).post(form_url(case, mother), form_post())

    assert response.status_code == 200
    assert "Tick the services used, or" in response.content.decode()
    assert not ServiceUse.objects.exists()


def test_services_and_none_together_are_refused(case, mother, practitioner):
    response = login(practitioner).post(form_url(case, mother), form_post(["housing"], none=True))

    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert not ServiceUse.objects.exists()


def test_editing_through_the_form_starts_from_the_saved_record(case, mother, practitioner):
    record(case, practitioner, mother, BEFORE, ["housing"], on=TODAY - timedelta(days=2))
    client = login(practitioner)

    form = client.get(form_url(case, mother)).content.decode()
    assert 'name="version" value="1"' in form
    assert (TODAY - timedelta(days=2)).isoformat() in form
    response = client.post(form_url(case, mother), form_post(["housing", "parenting"], version=1))

    assert response.status_code == 302
    use = ServiceUse.objects.get()
    assert (use.version, codes_of(use)) == (2, {"housing", "parenting"})


def test_a_stale_edit_shows_what_is_saved_and_keeps_what_was_ticked(
    case, mother, practitioner, manager
):
    record(case, practitioner, mother, BEFORE, ["housing"])
    record(case, manager, mother, BEFORE, ["mental-health"], version=1)  # while Alice typed
    counselling = ServiceType.objects.get(code="counselling")
    client = login(practitioner)

    response = client.post(form_url(case, mother), form_post(["counselling"], version=1))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed the services Kerry Evans used before the work" in page
    assert 'data-testid="latest-version"' in page
    assert "Mental health service" in page  # what the manager saved
    assert re.search(rf'name="services" value="{counselling.pk}"[^>]*checked', page)
    assert 'name="version" value="2"' in page  # saving again is a deliberate overwrite
    assert codes_of(ServiceUse.objects.get()) == {"mental-health"}

    again = client.post(form_url(case, mother), form_post(["counselling"], version=2))
    assert again.status_code == 302
    assert codes_of(ServiceUse.objects.get()) == {"counselling"}


def test_the_same_form_sent_twice_makes_one_record_and_says_so(case, mother, practitioner):
    client = login(practitioner)
    data = form_post(["housing"])

    first = client.post(form_url(case, mother), data)
    second = client.post(form_url(case, mother), data)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "have already been saved (was this form sent twice?)" in second.content.decode()
    assert ServiceUse.objects.count() == 1


def test_a_refused_date_keeps_the_form(case, mother, practitioner):
    response = login(practitioner).post(
        form_url(case, mother), form_post(["housing"], on=TODAY + timedelta(days=1))
    )

    assert response.status_code == 200
    assert "cannot be dated in the future" in response.content.decode()
    assert not ServiceUse.objects.exists()


def test_after_too_early_is_refused_on_the_form(team_a, practitioner):
    case = make_case(team_a, practitioner, stage="phase1")
    mother = PersonFactory(family=case.family)
    client = login(practitioner)

    assert (
        'data-testid="after-not-yet"' in client.get(form_url(case, mother, AFTER)).content.decode()
    )
    response = client.post(form_url(case, mother, AFTER), form_post(["housing"]))

    assert response.status_code == 200
    assert "once the case reaches Phase 2" in response.content.decode()
    assert not ServiceUse.objects.exists()


def test_a_person_of_another_family_or_an_unborn_baby_or_an_unknown_occasion_is_404(
    case, mother, unborn, practitioner, team_b, other_practitioner
):
    stranger = PersonFactory(family=FamilyFactory(team=case.team))
    elsewhere = make_case(team_b, other_practitioner)
    theirs = PersonFactory(family=elsewhere.family)
    client = login(practitioner)

    for url in (
        form_url(case, stranger),
        form_url(case, theirs),
        form_url(case, unborn),
        reverse("outcomes:record_services", args=[case.pk, mother.pk, "during"]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, form_post(["housing"])).status_code == 404, url
    assert not ServiceUse.objects.exists()


# --- Who may see and record ------------------------------------------------------------------

STAFF = ["practitioner", "practitioner2", "csw", "manager", "performance_officer"]
NO_ACCESS = ["other_manager", "other_practitioner", "referrer", "board_member"]


@pytest.mark.parametrize("role", STAFF)
def test_team_staff_see_the_page_and_record(request, role, case, mother):
    user = request.getfixturevalue(role)
    client = login(user)

    assert client.get(services_url(case)).status_code == 200
    assert client.get(form_url(case, mother)).status_code == 200
    assert client.post(form_url(case, mother), form_post(["housing"])).status_code == 302
    assert ServiceUse.objects.get().recorded_by == user


def test_the_administrator_sees_the_page_and_records(case, mother):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client = login(admin)

    assert client.get(services_url(case)).status_code == 200
    assert client.post(form_url(case, mother), form_post(["housing"])).status_code == 302


@pytest.mark.parametrize("role", NO_ACCESS)
def test_another_team_a_referrer_and_a_board_member_get_404(request, role, case, mother):
    record(case, case.worker, mother, BEFORE, ["housing"])
    client = login(request.getfixturevalue(role))

    assert client.get(services_url(case)).status_code == 404
    assert client.get(form_url(case, mother)).status_code == 404
    assert (
        client.post(form_url(case, mother), form_post(["counselling"], version=1)).status_code
        == 404
    )
    use = ServiceUse.objects.get()
    assert (use.version, codes_of(use)) == (1, {"housing"})


@pytest.mark.parametrize(
    ("role", "status"), [("practitioner", 200), ("manager", 200), ("csw", 404)]
)
def test_a_restricted_case_is_404_for_staff_not_named_on_it(
    request, role, status, case, mother, manager
):
    restrict_case(case_id=case.pk, user=manager, restricted=True, people=[])
    client = login(request.getfixturevalue(role))

    assert client.get(services_url(case)).status_code == status
    assert client.get(form_url(case, mother)).status_code == status


# --- Closure ---------------------------------------------------------------------------------


def test_closure_page_warns_about_adults_with_no_after_record(case, mother, child, practitioner):
    record(case, practitioner, mother, BEFORE, ["housing"])
    record(case, practitioner, child, BEFORE, [])

    page = login(practitioner).get(reverse("cases:close", args=[case.pk])).content.decode()

    assert 'data-testid="services-missing"' in page
    assert "Kerry Evans" in page
    assert services_url(case) in page
    # In Phase 2 the "after" records may be made now (pathway.SERVICES_AFTER_STAGES).
    assert "now, or after closing." in page


def test_closure_page_before_phase2_says_after_records_wait_for_the_closure(team_a, practitioner):
    case = make_case(team_a, practitioner, stage="phase1")
    mother = PersonFactory(family=case.family, first_name="Kerry", last_name="Evans")
    record(case, practitioner, mother, BEFORE, ["housing"])

    page = login(practitioner).get(reverse("cases:close", args=[case.pk])).content.decode()

    assert 'data-testid="services-missing"' in page
    assert "once the case is closed." in page
    assert "now, or after closing." not in page


def test_closure_page_does_not_warn_when_the_pairs_are_complete(case, mother, practitioner):
    record(case, practitioner, mother, BEFORE, ["housing"])
    record(case, practitioner, mother, AFTER, ["housing", "health"])

    page = login(practitioner).get(reverse("cases:close", args=[case.pk])).content.decode()

    assert 'data-testid="services-missing"' not in page

"""referrals/services.py: intake, duplicates, screening, first contact, allocation, load."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from cases.loads import caseworkers_with_load
from cases.models import Case, StageChange
from families.models import Family, Person
from notifications.models import Notification
from reference.models import (
    LegalStatus,
    OnwardService,
    PresentingIssue,
    ReferralRoute,
    ScreeningReason,
    Substance,
)
from referrals import services
from referrals.models import (
    FamilyUpdate,
    Referral,
    ReferralDraft,
    ReferralStatus,
    ScreeningDecision,
    WaitingListEntry,
)
from referrals.services import MemberData, ReferralData
from tests.factories import (
    CaseFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
    ReferralDraftFactory,
    ReferralFactory,
    UserFactory,
    outcome,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def substances(*codes: str) -> list[Substance]:
    return list(Substance.objects.filter(code__in=codes).order_by("code"))


def mother(**overrides) -> MemberData:
    values = {
        "kind": "adult",
        "first_name": "Carys",
        "last_name": "Evans",
        "relationship": "mother",
        "date_of_birth": date(1990, 2, 3),
        "substances": substances("alcohol", "cannabis"),
    }
    return MemberData(**{**values, **overrides})


def son(**overrides) -> MemberData:
    values = {
        "kind": "child",
        "first_name": "Dylan",
        "last_name": "Evans",
        "relationship": "child",
        "date_of_birth": date(2018, 6, 7),
        "legal_status": LegalStatus.objects.get(code="child-protection"),
    }
    return MemberData(**{**values, **overrides})


def make_data(team, *, members=None, **overrides) -> ReferralData:
    values = {
        "team": team,
        "family_name": "Evans family",
        "address": "2 Station Road",
        "postcode": " np20  1aa ",
        "local_authority": team.local_authorities.order_by("pk").first(),
        "household_type": "lone_mother",
        "route": ReferralRoute.objects.get(code="phone"),
        "referrer_name": "Rhian Social-Worker",
        "referrer_role": "Social worker",
        "referrer_team": "Newport North",
        "referrer_agency": "Newport City Council",
        "referrer_local_authority": None,
        "referrer_phone": "01633 000000",
        "referrer_email": "rhian@example.org",
        "presenting_issues": list(
            PresentingIssue.objects.filter(code__in=["parental-substance-misuse", "housing"])
        ),
        "proceedings": "pre_proceedings",
        "consent_given": True,
        "consent_date": date(2025, 3, 1),
        "reason_for_referral": "Mother's drinking is affecting school attendance.",
        "members": members if members is not None else [mother(), son()],
    }
    return ReferralData(**{**values, **overrides})


def submit(user, team, **kwargs):
    data = kwargs.pop("data", None) or make_data(team)
    return services.submit_referral(
        user=user, data=data, submission_key=kwargs.pop("submission_key", uuid.uuid4()), **kwargs
    )


# --- submit_referral ------------------------------------------------------------------------


def test_submit_referral_saves_the_family_household_substances_and_legal_status(referrer, team_a):
    referral = submit(referrer, team_a)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED
    assert referral.created_by == referrer
    assert referral.team == team_a
    assert referral.route.code == "phone"
    assert referral.proceedings == "pre_proceedings"
    assert referral.consent_given is True
    assert referral.is_rereferral is False
    assert referral.previous_referral is None
    assert referral.version == 1
    assert {i.code for i in referral.presenting_issues.all()} == {
        "parental-substance-misuse",
        "housing",
    }
    family = referral.family
    assert (family.team, family.name, family.postcode) == (team_a, "Evans family", "NP20 1AA")
    assert family.household_type == "lone_mother"
    people = {p.first_name: p for p in family.members.all()}
    assert set(people) == {"Carys", "Dylan"}
    assert {s.code for s in people["Carys"].substances.all()} == {"alcohol", "cannabis"}
    assert people["Carys"].legal_status is None
    assert people["Dylan"].legal_status.code == "child-protection"
    assert people["Dylan"].date_of_birth == date(2018, 6, 7)


def test_submit_referral_tells_each_active_manager_of_the_team_in_app_and_by_email(
    referrer, team_a, manager, practitioner, other_manager, django_capture_on_commit_callbacks
):
    second_manager = UserFactory(username="manager2_a")
    MembershipFactory(user=second_manager, team=team_a, role=Role.MANAGER)
    former_manager = UserFactory(username="former_manager_a")
    MembershipFactory(user=former_manager, team=team_a, role=Role.MANAGER, active=False)

    with django_capture_on_commit_callbacks(execute=True):
        referral = submit(referrer, team_a)

    notified = Notification.objects.filter(url=f"/referrals/{referral.pk}/")
    assert set(notified.values_list("recipient__username", flat=True)) == {
        "manager_a",
        "manager2_a",
    }
    note = notified.get(recipient=manager)
    assert note.subject == f"New referral for North IFST: Referral {referral.pk}"
    assert "Rhian Social-Worker (Newport City Council)" in note.body
    assert sorted(m.to[0] for m in mail.outbox) == sorted([manager.email, second_manager.email])
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_a_new_referral_of_a_restricted_family_is_told_only_to_managers_named_on_it(
    referrer, team_a, manager, practitioner, django_capture_on_commit_callbacks
):
    """Issue 13.2: new-referral alerts go only to users named on a restricted case."""
    from cases.services import restrict_case

    unnamed = UserFactory(username="manager2_a")
    MembershipFactory(user=unnamed, team=team_a, role=Role.MANAGER)
    first = submit(referrer, team_a)
    case = CaseFactory(team=team_a, worker=practitioner, referral=first, family=first.family)
    restrict_case(case_id=case.pk, user=manager, restricted=True, people=[])

    with django_capture_on_commit_callbacks(execute=True):
        again = submit(manager, team_a, link_family=first.family)

    notified = Notification.objects.filter(url=f"/referrals/{again.pk}/")
    assert set(notified.values_list("recipient__username", flat=True)) == {"manager_a"}


def test_submitting_the_same_key_twice_raises_already_submitted_with_the_first_referral(
    referrer, team_a
):
    key = uuid.uuid4()
    first = submit(referrer, team_a, submission_key=key)

    with pytest.raises(services.AlreadySubmitted) as exc:
        submit(referrer, team_a, submission_key=key)

    assert exc.value.referral == first
    assert Referral.objects.count() == 1
    assert Family.objects.count() == 1
    assert Person.objects.count() == 2


def test_submitting_from_a_draft_deletes_the_draft(referrer, team_a):
    draft = ReferralDraftFactory(owner=referrer)

    submit(referrer, team_a, draft=draft)

    assert not ReferralDraft.objects.filter(pk=draft.pk).exists()


def test_linking_a_known_family_records_a_rereferral_pointing_at_the_latest_referral(
    referrer, manager, team_a
):
    older = submit(referrer, team_a)
    Referral.objects.filter(pk=older.pk).update(
        status=ReferralStatus.CLOSED, received_at=timezone.now() - timedelta(days=400)
    )
    latest = ReferralFactory(
        team=team_a, family=older.family, received_at=timezone.now() - timedelta(days=100)
    )

    again = submit(manager, team_a, link_family=older.family)

    assert again.is_rereferral is True
    assert again.previous_referral == latest
    assert again.family == older.family
    assert Family.objects.count() == 1


def test_a_rereferral_links_back_to_the_latest_episode_with_a_case(referrer, manager, team_a):
    episode = CaseFactory(team=team_a, worker=manager, referral__received_at=NOON)
    ReferralFactory(
        team=team_a, family=episode.family, received_at=NOON + timedelta(days=30), status="closed"
    )

    again = submit(manager, team_a, link_family=episode.family)

    assert again.previous_referral == episode.referral


def test_a_referrer_cannot_link_a_referral_to_a_known_family(referrer, team_a):
    first = submit(referrer, team_a)

    with pytest.raises(services.ServiceError, match="team's staff"):
        submit(referrer, team_a, link_family=first.family)

    assert Referral.objects.count() == 1


def test_a_rereferral_never_rewrites_the_family_or_the_earlier_referral(referrer, manager, team_a):
    """Issue 14.3: linking blanked an adult's substances on the original referral and on the
    closed case's household, and overwrote the family's address."""
    first = submit(referrer, team_a)
    family = first.family
    carys = Person.objects.get(first_name="Carys")
    data = make_data(
        team_a,
        address="9 Other Street",
        postcode="cf99 9zz",
        members=[mother(first_name="CARYS", last_name="evans", substances=[]), son()],
    )

    again = submit(manager, team_a, data=data, link_family=family)

    family.refresh_from_db()
    assert (family.address, family.postcode) == ("2 Station Road", "NP20 1AA")
    assert {s.code for s in carys.substances.all()} == {"alcohol", "cannabis"}
    assert family.members.count() == 2
    # Each referral keeps what it said, as referred.
    said_first = first.household.get(first_name="Carys")
    assert {s.code for s in said_first.substances.all()} == {"alcohol", "cannabis"}
    said_again = again.household.get(first_name="CARYS")
    assert list(said_again.substances.all()) == []
    assert said_again.person == carys
    assert (again.address, again.postcode) == ("9 Other Street", "CF99 9ZZ")


def test_a_manager_applies_each_difference_on_purpose_and_it_is_recorded(referrer, manager, team_a):
    first = submit(referrer, team_a)
    family = first.family
    baby = MemberData(
        kind="unborn",
        last_name="Evans",
        relationship="child",
        due_date=timezone.localdate() + timedelta(weeks=10),
    )
    data = make_data(
        team_a,
        address="9 Other Street",
        postcode="",
        members=[mother(substances=substances("heroin")), son(), baby],
    )
    again = submit(manager, team_a, data=data, link_family=family)

    diffs = {d.key.split(":")[-1]: d for d in services.family_differences(again)}
    # A blank postcode on the new referral is no difference: it never erases the record.
    assert set(diffs) == {"address", "substances", "new"}

    services.apply_family_update(
        referral_id=again.pk, user=manager, key=diffs["address"].key, before="2 Station Road"
    )
    family.refresh_from_db()
    assert family.address == "9 Other Street"
    assert family.members.count() == 2  # the unborn child is not added until applied
    update = FamilyUpdate.objects.get()
    assert (update.referral, update.applied_by) == (again, manager)
    assert (update.before, update.after) == ("2 Station Road", "9 Other Street")

    services.apply_family_update(
        referral_id=again.pk, user=manager, key=diffs["new"].key, before=""
    )
    assert family.members.count() == 3
    # The first referral still says what it said.
    assert first.household.count() == 2
    first.refresh_from_db()
    assert first.address == "2 Station Road"


def test_applying_a_difference_the_record_no_longer_shows_is_refused(referrer, manager, team_a):
    first = submit(referrer, team_a)
    again = submit(
        manager, team_a, data=make_data(team_a, address="9 Other Street"), link_family=first.family
    )
    key = services.family_differences(again)[0].key

    with pytest.raises(services.ServiceError, match="Someone else"):
        services.apply_family_update(
            referral_id=again.pk, user=manager, key=key, before="a stale value"
        )

    first.family.refresh_from_db()
    assert first.family.address == "2 Station Road"


def test_a_referrer_cannot_apply_a_difference(referrer, manager, team_a):
    first = submit(referrer, team_a)
    again = submit(
        manager, team_a, data=make_data(team_a, address="9 Other Street"), link_family=first.family
    )
    key = services.family_differences(again)[0].key

    with pytest.raises(services.ServiceError, match="manager"):
        services.apply_family_update(
            referral_id=again.pk, user=referrer, key=key, before="2 Station Road"
        )


def test_a_manager_links_a_referrers_referral_and_the_family_made_for_it_goes(
    referrer, manager, team_a
):
    first = submit(referrer, team_a)
    second = submit(referrer, team_a, data=make_data(team_a, family_name="Evans (again)"))
    made_for_it = second.family

    services.link_referral_to_family(referral_id=second.pk, user=manager, family_id=first.family_id)

    second.refresh_from_db()
    assert (second.family, second.is_rereferral, second.previous_referral) == (
        first.family,
        True,
        first,
    )
    assert not Family.objects.filter(pk=made_for_it.pk).exists()
    assert second.family_name == "Evans (again)"
    assert [m.person.first_name for m in second.household.all()] == ["Carys", "Dylan"]


def test_linking_a_family_of_another_team_is_refused_and_nothing_is_saved(manager, team_a, team_b):
    theirs = FamilyFactory(team=team_b)
    PersonFactory(family=theirs, first_name="Carys", last_name="Evans")

    with pytest.raises(services.ServiceError, match="another team"):
        submit(manager, team_a, link_family=theirs)

    assert Referral.objects.count() == 0
    assert theirs.members.count() == 1
    assert Family.objects.count() == 1


# --- find_possible_duplicates ---------------------------------------------------------------


@pytest.fixture
def known_family(team_a):
    family = FamilyFactory(team=team_a, name="Evans family", postcode="CF10 1AA")
    PersonFactory(
        family=family, first_name="Carys", last_name="Evans", date_of_birth=date(1990, 2, 3)
    )
    PersonFactory(
        family=family,
        kind="child",
        first_name="Dylan",
        last_name="Evans",
        relationship="child",
        date_of_birth=date(2018, 6, 7),
    )
    return family


def test_duplicates_match_on_name_and_date_of_birth_in_any_letter_case(team_a, known_family):
    found = services.find_possible_duplicates(
        team=team_a,
        postcode="",
        members=[mother(first_name="CARYS", last_name="evans"), son()],
    )

    # Two members match, but the family is offered once.
    assert found == [known_family]


def test_duplicates_match_on_the_same_postcode_however_it_was_typed(team_a, known_family):
    found = services.find_possible_duplicates(
        team=team_a,
        postcode=" cf10   1aa",
        members=[mother(first_name="Someone", last_name="Else")],
    )

    assert found == [known_family]


def test_same_name_with_another_birth_date_and_postcode_is_not_a_duplicate(team_a, known_family):
    found = services.find_possible_duplicates(
        team=team_a,
        postcode="CF99 9ZZ",
        members=[mother(date_of_birth=date(1991, 2, 3)), son(date_of_birth=None)],
    )

    assert found == []


def test_a_family_of_another_team_is_never_offered_as_a_duplicate(team_a, team_b, known_family):
    theirs = FamilyFactory(team=team_b, postcode="CF10 1AA")
    PersonFactory(
        family=theirs, first_name="Carys", last_name="Evans", date_of_birth=date(1990, 2, 3)
    )

    ours = services.find_possible_duplicates(team=team_a, postcode="CF10 1AA", members=[mother()])
    for_b = services.find_possible_duplicates(team=team_b, postcode="CF10 1AA", members=[mother()])

    assert ours == [known_family]
    assert for_b == [theirs]


def test_nothing_to_match_on_finds_nothing(team_a, known_family):
    assert (
        services.find_possible_duplicates(
            team=team_a, postcode="", members=[mother(date_of_birth=None)]
        )
        == []
    )


def test_duplicates_match_a_postcode_typed_without_its_space(team_a):
    """Issue 13.1: "np165ht" is "NP16 5HT"."""
    family = FamilyFactory(team=team_a, postcode="NP16 5HT")

    found = services.find_possible_duplicates(team=team_a, postcode="np165ht", members=[])

    assert found == [family]


def test_a_postcode_is_stored_in_one_spelling(referrer, team_a):
    referral = submit(referrer, team_a, data=make_data(team_a, postcode="np165ht"))

    assert referral.family.postcode == "NP16 5HT"
    assert referral.postcode == "NP16 5HT"


def test_duplicates_for_staff_leave_out_a_restricted_family_that_does_not_name_them(
    team_a, manager, practitioner, known_family
):
    from cases.services import restrict_case

    case = CaseFactory(team=team_a, worker=practitioner, referral__family=known_family)
    restrict_case(case_id=case.pk, user=manager, restricted=True, people=[])
    other = UserFactory()
    MembershipFactory(user=other, team=team_a, role=Role.MANAGER)

    def found(user):
        return services.find_possible_duplicates(
            team=team_a, postcode="CF10 1AA", members=[], user=user
        )

    assert found(manager) == [known_family]
    assert found(practitioner) == [known_family]
    assert found(other) == []


def test_duplicates_are_the_newest_five(team_a):
    families = [FamilyFactory(team=team_a, postcode="CF10 2BB") for _ in range(7)]
    for age, family in enumerate(reversed(families)):
        Family.objects.filter(pk=family.pk).update(created_at=timezone.now() - timedelta(days=age))

    found = services.find_possible_duplicates(team=team_a, postcode="CF10 2BB", members=[])

    assert found == families[-5:][::-1]


# --- decide_referral ------------------------------------------------------------------------


@pytest.fixture
def referral(referrer, team_a):
    return submit(referrer, team_a)


def decide(referral, manager, code, **kwargs):
    chosen = outcome(code)
    return services.decide_referral(
        referral_id=referral.pk,
        user=manager,
        outcome=chosen,
        reason=kwargs.pop("reason", None) or chosen.reasons.first(),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("code", "status", "extra"),
    [
        ("accepted", ReferralStatus.ACCEPTED, {}),
        ("no-space", ReferralStatus.WAITING, {}),
        ("referred-on", ReferralStatus.REFERRED_ON, {"onward": "drug-alcohol"}),
        ("inappropriate", ReferralStatus.CLOSED, {}),
        ("refused", ReferralStatus.CLOSED, {}),
        ("withdrawn", ReferralStatus.CLOSED, {}),
        ("other", ReferralStatus.CLOSED, {"detail": "The family moved to Scotland."}),
    ],
)
def test_each_outcome_moves_the_referral_to_its_status(referral, manager, code, status, extra):
    onward = OnwardService.objects.get(code=extra["onward"]) if "onward" in extra else None

    decision = decide(
        referral, manager, code, detail=extra.get("detail", ""), onward_service=onward, version=1
    )

    referral.refresh_from_db()
    assert referral.status == status
    assert referral.version == 2
    assert (decision.outcome.code, decision.decided_by) == (code, manager)
    assert decision.reason.outcome_id == decision.outcome_id
    assert decision.onward_service == onward
    assert decision.detail == extra.get("detail", "")
    on_list = WaitingListEntry.objects.current().filter(referral=referral).exists()
    assert on_list is (status == ReferralStatus.WAITING)


def test_no_space_puts_the_family_on_the_waiting_list_with_its_priority(referral, manager):
    with time_machine.travel(NOON, tick=False):
        decide(referral, manager, "no-space", priority=1, detail="  Rechecked weekly.  ")

    entry = WaitingListEntry.objects.get(referral=referral)
    assert (entry.priority, entry.notes, entry.added_at, entry.left_at) == (
        1,
        "Rechecked weekly.",
        NOON,
        None,
    )


def test_no_space_again_changes_the_priority_instead_of_adding_a_second_entry(referral, manager):
    decide(referral, manager, "no-space", priority=3)
    decide(referral, manager, "no-space", priority=1)

    assert WaitingListEntry.objects.filter(referral=referral).count() == 1
    assert WaitingListEntry.objects.get(referral=referral).priority == 1


def test_accepting_a_waiting_family_takes_it_off_the_waiting_list(referral, manager):
    decide(referral, manager, "no-space")
    decide(referral, manager, "accepted")

    entry = WaitingListEntry.objects.get(referral=referral)
    assert entry.left_at is not None
    assert entry.left_because == "Accepted for assessment"
    assert not WaitingListEntry.objects.current().exists()


def test_referred_on_without_a_service_is_refused(referral, manager):
    with pytest.raises(services.ServiceError, match="which service"):
        decide(referral, manager, "referred-on")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED
    assert not ScreeningDecision.objects.exists()


def test_an_onward_service_is_not_kept_when_the_outcome_is_not_referred_on(referral, manager):
    decision = decide(
        referral, manager, "accepted", onward_service=OnwardService.objects.get(code="housing")
    )

    assert decision.onward_service is None


@pytest.mark.parametrize("detail", ["", "   \n "])
def test_other_without_a_written_explanation_is_refused(referral, manager, detail):
    with pytest.raises(services.ServiceError, match="needs a written reason"):
        decide(referral, manager, "other", detail=detail)

    assert not ScreeningDecision.objects.exists()


def test_a_reason_of_another_outcome_is_refused(referral, manager):
    wrong = ScreeningReason.objects.get(outcome__code="inappropriate", code="outside-area")

    with pytest.raises(services.ServiceError, match="does not belong"):
        decide(referral, manager, "accepted", reason=wrong)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED


def test_a_stale_version_raises_stale_edit_and_changes_nothing(referral, manager):
    decide(referral, manager, "accepted", version=1)

    with pytest.raises(services.StaleEdit):
        decide(referral, manager, "inappropriate", version=1)

    referral.refresh_from_db()
    assert (referral.status, referral.version) == (ReferralStatus.ACCEPTED, 2)
    assert ScreeningDecision.objects.count() == 1


@pytest.mark.parametrize("status", ["closed", "referred_on", "allocated"])
def test_a_referral_past_screening_cannot_be_decided_again(referral, manager, status):
    Referral.objects.filter(pk=referral.pk).update(status=status)

    with pytest.raises(services.ServiceError, match="can no longer be recorded"):
        decide(referral, manager, "accepted")

    referral.refresh_from_db()
    assert referral.status == status
    assert not ScreeningDecision.objects.exists()


def test_the_referrer_is_told_in_app_and_by_email_with_the_reason(
    referral, referrer, manager, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    reason = ScreeningReason.objects.get(outcome__code="inappropriate", code="outside-area")

    with django_capture_on_commit_callbacks(execute=True):
        decide(referral, manager, "inappropriate", reason=reason, detail="They live in Powys.")

    note = Notification.objects.get(recipient=referrer)
    assert note.subject == f"Referral {referral.pk}: Inappropriate"
    assert note.url == f"/referrals/{referral.pk}/"
    assert "Reason: Family lives outside the team's area." in note.body
    assert "They live in Powys." in note.body
    assert note.emailed_at is not None
    # The submitter and the referrer named on the form are both emailed.
    emails = {m.to[0]: m for m in mail.outbox}
    assert set(emails) == {referrer.email, "rhian@example.org"}
    for email in emails.values():
        assert email.subject == note.subject
        assert "Family lives outside the team's area" in email.body
        assert "They live in Powys." in email.body
    assert Notification.objects.get(recipient=None).email == "rhian@example.org"


def test_a_referrer_who_submitted_their_own_referral_is_emailed_once(
    referrer, team_a, manager, django_capture_on_commit_callbacks
):
    own = submit(referrer, team_a, data=make_data(team_a, referrer_email=referrer.email.upper()))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(own, manager, "accepted")

    assert [m.to for m in mail.outbox] == [[referrer.email]]
    assert not Notification.objects.filter(recipient=None).exists()


def test_the_referrer_is_told_which_service_the_family_was_referred_on_to(
    referral, referrer, manager
):
    decide(
        referral,
        manager,
        "referred-on",
        onward_service=OnwardService.objects.get(code="drug-alcohol"),
    )

    note = Notification.objects.get(recipient=referrer)
    assert "Referred on to: Drug and alcohol service" in note.body


# --- record_first_contact -------------------------------------------------------------------


@pytest.fixture
def received_at_noon(referral):
    Referral.objects.filter(pk=referral.pk).update(received_at=NOON)
    return referral


def test_first_contact_is_recorded_and_bumps_the_version(received_at_noon, manager):
    with time_machine.travel(NOON + timedelta(hours=5), tick=False):
        services.record_first_contact(
            referral_id=received_at_noon.pk,
            user=manager,
            contacted_at=NOON + timedelta(hours=2),
            spoken_to="Sam Social-Worker",
            method="phone",
            note="Talked through the referral",
            version=1,
        )

    received_at_noon.refresh_from_db()
    assert received_at_noon.first_contact_at == NOON + timedelta(hours=2)
    assert (
        received_at_noon.first_contact_with,
        received_at_noon.first_contact_method,
        received_at_noon.first_contact_note,
    ) == ("Sam Social-Worker", "phone", "Talked through the referral")
    assert received_at_noon.version == 2


@pytest.mark.parametrize(
    ("contacted_at", "message"),
    [
        (NOON - timedelta(minutes=1), "before the referral was received"),
        (NOON + timedelta(hours=6), "in the future"),
    ],
)
def test_first_contact_before_the_referral_or_in_the_future_is_refused(
    received_at_noon, manager, contacted_at, message
):
    with time_machine.travel(NOON + timedelta(hours=5), tick=False):
        with pytest.raises(services.ServiceError, match=message):
            services.record_first_contact(
                referral_id=received_at_noon.pk,
                user=manager,
                contacted_at=contacted_at,
                spoken_to="Sam",
                method="phone",
            )

    received_at_noon.refresh_from_db()
    assert received_at_noon.first_contact_at is None
    assert received_at_noon.version == 1


def test_first_contact_with_a_stale_version_is_refused(received_at_noon, manager):
    with time_machine.travel(NOON + timedelta(hours=5), tick=False):
        with pytest.raises(services.StaleEdit):
            services.record_first_contact(
                referral_id=received_at_noon.pk,
                user=manager,
                contacted_at=NOON + timedelta(hours=1),
                spoken_to="Sam",
                method="phone",
                version=7,
            )


# --- allocate_referral ----------------------------------------------------------------------


@pytest.fixture
def accepted(referral, manager):
    decide(referral, manager, "accepted")
    referral.refresh_from_db()
    return referral


def test_allocation_opens_a_case_awaiting_assessment_with_its_first_stage_change(
    accepted, manager, practitioner, practitioner2
):
    with time_machine.travel(NOON, tick=False):
        case = services.allocate_referral(
            referral_id=accepted.pk,
            user=manager,
            worker=practitioner,
            co_worker=practitioner2,
            version=accepted.version,
        )

    case.refresh_from_db()
    assert (case.referral, case.family, case.team) == (accepted, accepted.family, accepted.team)
    assert (case.worker, case.co_worker, case.allocated_by) == (
        practitioner,
        practitioner2,
        manager,
    )
    assert (case.stage, case.allocated_at) == ("awaiting_assessment", NOON)
    [change] = StageChange.objects.filter(case=case)
    assert (change.from_stage, change.to_stage, change.changed_by, change.changed_at) == (
        "",
        "awaiting_assessment",
        manager,
        NOON,
    )
    assert str(practitioner) in change.note
    accepted.refresh_from_db()
    assert accepted.status == ReferralStatus.ALLOCATED


def test_allocating_a_waiting_family_takes_it_off_the_waiting_list(referral, manager, practitioner):
    decide(referral, manager, "no-space")

    services.allocate_referral(referral_id=referral.pk, user=manager, worker=practitioner)

    entry = WaitingListEntry.objects.get(referral=referral)
    assert entry.left_at is not None
    assert entry.left_because == "Allocated"


@pytest.mark.parametrize("role", ["csw", "manager"])
def test_a_csw_or_manager_carries_a_caseload_and_can_be_allocated(accepted, manager, request, role):
    worker = request.getfixturevalue(role)

    case = services.allocate_referral(referral_id=accepted.pk, user=manager, worker=worker)

    assert case.worker == worker


@pytest.mark.parametrize(
    "who", ["other_practitioner", "referrer", "board_member", "performance_officer"]
)
def test_the_worker_must_be_a_caseworker_in_the_referrals_team(accepted, manager, request, who):
    worker = request.getfixturevalue(who)

    with pytest.raises(services.ServiceError, match="practitioner in this team"):
        services.allocate_referral(referral_id=accepted.pk, user=manager, worker=worker)

    assert not Case.objects.exists()
    accepted.refresh_from_db()
    assert accepted.status == ReferralStatus.ACCEPTED


def test_a_worker_who_left_the_team_cannot_be_allocated(accepted, manager, practitioner):
    practitioner.memberships.update(active=False)

    with pytest.raises(services.ServiceError):
        services.allocate_referral(referral_id=accepted.pk, user=manager, worker=practitioner)


def test_the_co_worker_must_be_a_different_person(accepted, manager, practitioner):
    with pytest.raises(services.ServiceError, match="different person"):
        services.allocate_referral(
            referral_id=accepted.pk, user=manager, worker=practitioner, co_worker=practitioner
        )

    assert not Case.objects.exists()


def test_the_co_worker_must_be_a_caseworker_in_the_team(
    accepted, manager, practitioner, other_practitioner
):
    with pytest.raises(services.ServiceError, match="co-worker must be a practitioner"):
        services.allocate_referral(
            referral_id=accepted.pk,
            user=manager,
            worker=practitioner,
            co_worker=other_practitioner,
        )

    assert not Case.objects.exists()


@pytest.mark.parametrize("status", ["submitted", "closed", "referred_on"])
def test_a_referral_that_is_not_accepted_or_waiting_cannot_be_allocated(
    referral, manager, practitioner, status
):
    Referral.objects.filter(pk=referral.pk).update(status=status)

    with pytest.raises(services.ServiceError, match="cannot be allocated"):
        services.allocate_referral(referral_id=referral.pk, user=manager, worker=practitioner)

    assert not Case.objects.exists()


def test_a_referral_cannot_be_allocated_twice(accepted, manager, practitioner, practitioner2):
    services.allocate_referral(referral_id=accepted.pk, user=manager, worker=practitioner)

    with pytest.raises(services.ServiceError, match="it is allocated"):
        services.allocate_referral(referral_id=accepted.pk, user=manager, worker=practitioner2)

    assert Case.objects.count() == 1


def test_allocation_with_a_stale_version_is_refused(accepted, manager, practitioner):
    with pytest.raises(services.StaleEdit):
        services.allocate_referral(
            referral_id=accepted.pk, user=manager, worker=practitioner, version=1
        )

    assert not Case.objects.exists()


def test_the_workers_and_the_referrer_are_told_of_the_allocation(
    accepted, referrer, manager, practitioner, practitioner2, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        case = services.allocate_referral(
            referral_id=accepted.pk, user=manager, worker=practitioner, co_worker=practitioner2
        )

    by_user = {
        n.recipient.username: n
        for n in Notification.objects.filter(recipient__isnull=False).select_related("recipient")
    }
    assert set(by_user) == {"practitioner_a", "practitioner2_a", "referrer_a"}
    assert by_user["practitioner_a"].url == f"/cases/{case.pk}/"
    assert by_user["practitioner_a"].subject == f"New case allocated: Case {case.pk}"
    assert by_user["practitioner2_a"].url == f"/cases/{case.pk}/"
    assert by_user["referrer_a"].url == f"/referrals/{accepted.pk}/"
    assert by_user["referrer_a"].subject == f"Referral {accepted.pk}: allocated"
    assert str(practitioner) in by_user["referrer_a"].body
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [practitioner.email, practitioner2.email, referrer.email, "rhian@example.org"]
    )


# --- caseworkers_with_load ------------------------------------------------------------------


def test_caseworkers_with_load_counts_intensive_and_open_cases_per_worker_in_the_team(
    team_a,
    team_b,
    manager,
    practitioner,
    practitioner2,
    csw,
    referrer,
    board_member,
    performance_officer,
):
    for stage in ["awaiting_assessment", "assessment", "phase1", "step_down", "phase2", "closed"]:
        CaseFactory(team=team_a, worker=practitioner, stage=stage)
    CaseFactory(team=team_a, worker=practitioner2, stage="phase2")
    # A case in another team does not count against this team's capacity.
    MembershipFactory(user=practitioner2, team=team_b, role=Role.PRACTITIONER)
    CaseFactory(team=team_b, worker=practitioner2, stage="phase1")
    left = UserFactory(username="left_a")
    MembershipFactory(user=left, team=team_a, role=Role.PRACTITIONER, active=False)
    disabled = UserFactory(username="disabled_a", is_active=False)
    MembershipFactory(user=disabled, team=team_a, role=Role.PRACTITIONER)
    # Holding two caseworker roles still lists the person once.
    MembershipFactory(user=csw, team=team_a, role=Role.PRACTITIONER)

    workers = caseworkers_with_load(team_a)

    loads = {w.username: (w.intensive_load, w.open_load) for w in workers}
    assert loads == {
        "practitioner_a": (4, 5),
        "practitioner2_a": (0, 1),
        "csw_a": (0, 0),
        "manager_a": (0, 0),
    }
    # Least loaded first, so the manager sees who has room.
    assert workers[-1] == practitioner
    zero = [w for w in workers if w.intensive_load == 0]
    assert zero == sorted(zero, key=lambda w: (w.first_name, w.last_name))


def test_caseworkers_with_load_counts_only_the_cases_a_worker_leads(team_a, practitioner, csw):
    # Co-working a case does not take a family from the co-worker's capacity.
    CaseFactory(team=team_a, worker=practitioner, co_worker=csw, stage="phase1")

    loads = {w.username: (w.intensive_load, w.open_load) for w in caseworkers_with_load(team_a)}

    assert loads == {"practitioner_a": (1, 1), "csw_a": (0, 0)}


def test_caseworkers_with_load_leaves_out_other_teams_and_other_roles(
    team_a, team_b, practitioner, referrer, other_manager
):
    CaseFactory(team=team_b, worker=other_manager, stage="phase1")

    workers = caseworkers_with_load(team_a)

    assert [w.username for w in workers] == ["practitioner_a"]
    assert (workers[0].intensive_load, workers[0].open_load) == (0, 0)


def test_caseworkers_with_load_marks_who_has_reached_the_team_capacity(team_a, practitioner, csw):
    team_a.practitioner_capacity = 2
    team_a.save()
    CaseFactory(team=team_a, worker=csw, stage="assessment")
    for stage in ["phase1", "step_down", "phase2"]:
        CaseFactory(team=team_a, worker=practitioner, stage=stage)

    workers = caseworkers_with_load(team_a)

    # Phase 2 is open but not intensive: the practitioner is at 2 of 2, the CSW at 1.
    assert [(w.username, w.intensive_load, w.over_capacity) for w in workers] == [
        ("csw_a", 1, False),
        ("practitioner_a", 2, True),
    ]


@pytest.mark.parametrize("workers, cases_each", [(1, 1), (6, 4)])
def test_caseworkers_with_load_is_one_query_however_many_workers_and_cases(
    team_a, django_assert_num_queries, workers, cases_each
):
    for i in range(workers):
        worker = UserFactory(username=f"worker{i}")
        MembershipFactory(user=worker, team=team_a, role=Role.PRACTITIONER)
        for stage in ["phase1", "phase2", "closed", "assessment"][:cases_each]:
            CaseFactory(team=team_a, worker=worker, stage=stage)

    with django_assert_num_queries(1):
        loaded = caseworkers_with_load(team_a)
        assert all(w.get_full_name() or w.username for w in loaded)  # the names, no query

    assert len(loaded) == workers
    assert sum(w.open_load for w in loaded) == workers * min(cases_each, 3)


@pytest.mark.parametrize(
    ("spoken_to", "method", "note", "message"),
    [
        ("  ", "phone", "", "Say who was spoken to"),
        ("Sam", "", "", "Say how the contact was made"),
        ("Sam", "fax", "", "Say how the contact was made"),
        ("Sam", "phone", "x" * 501, "Keep the note to 500 characters"),
    ],
)
def test_first_contact_says_who_was_spoken_to_and_how(
    received_at_noon, manager, spoken_to, method, note, message
):
    with time_machine.travel(NOON + timedelta(hours=5), tick=False):
        with pytest.raises(services.ServiceError, match=message):
            services.record_first_contact(
                referral_id=received_at_noon.pk,
                user=manager,
                contacted_at=NOON + timedelta(hours=1),
                spoken_to=spoken_to,
                method=method,
                note=note,
            )

    received_at_noon.refresh_from_db()
    assert received_at_noon.first_contact_at is None


def test_a_first_contact_note_of_500_characters_is_kept(received_at_noon, manager):
    with time_machine.travel(NOON + timedelta(hours=5), tick=False):
        services.record_first_contact(
            referral_id=received_at_noon.pk,
            user=manager,
            contacted_at=NOON + timedelta(hours=1),
            spoken_to="Sam",
            method="video",
            note="x" * 500,
        )

    received_at_noon.refresh_from_db()
    assert len(received_at_noon.first_contact_note) == 500

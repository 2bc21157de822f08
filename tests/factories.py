from __future__ import annotations

import uuid
from datetime import date

import factory
from django.utils import timezone

from accounts.models import LocalAuthority, Membership, Role, Team, User
from families.models import Family, MemberKind, Person, Relationship
from reference.models import ReferralRoute, ScreeningOutcome, ScreeningReason
from referrals.models import Referral

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def local_authorities(self, create, extracted, **kwargs):
        if create:
            self.local_authorities.set(extracted or LocalAuthority.objects.all()[:2])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.PRACTITIONER


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Family {n}")
    address = "1 High Street"
    postcode = factory.Sequence(lambda n: f"CF{n % 90 + 10} 1AA")
    local_authority = factory.LazyFunction(lambda: LocalAuthority.objects.first())


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    family = factory.SubFactory(FamilyFactory)
    kind = MemberKind.ADULT
    first_name = factory.Faker("first_name")
    last_name = "Jones"
    relationship = Relationship.MOTHER
    date_of_birth = date(1990, 5, 1)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    team = factory.SubFactory(TeamFactory)
    family = factory.SubFactory(FamilyFactory, team=factory.SelfAttribute("..team"))
    created_by = factory.SubFactory(UserFactory)
    received_at = factory.LazyFunction(timezone.now)
    route = factory.LazyFunction(lambda: ReferralRoute.objects.get(code="online-form"))
    referrer_name = "Sam Social-Worker"
    referrer_agency = "Children's Services"
    referrer_phone = "01234 567890"
    referrer_email = "sam@example.org"
    consent_given = True
    consent_date = factory.LazyFunction(timezone.localdate)
    reason_for_referral = "Parental alcohol use affecting the children."
    submission_key = factory.LazyFunction(uuid.uuid4)


def outcome(code: str) -> ScreeningOutcome:
    return ScreeningOutcome.objects.get(code=code)


def reason(outcome_code: str) -> ScreeningReason:
    return ScreeningReason.objects.filter(outcome__code=outcome_code).first()


# --- Cases, waiting list, drafts and notifications (referral/case/notification tests) ---
# Models are named as strings so this block needs no imports of its own.


class CaseFactory(factory.django.DjangoModelFactory):
    """An allocated case. Pass team= and worker=; the referral and family follow the team."""

    class Meta:
        model = "cases.Case"
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    referral = factory.SubFactory(
        ReferralFactory, team=factory.SelfAttribute("..team"), status="allocated"
    )
    family = factory.SelfAttribute("referral.family")
    worker = factory.SubFactory(UserFactory)
    co_worker = None
    stage = "awaiting_assessment"
    allocated_at = factory.LazyFunction(timezone.now)
    assessment_clock_from = factory.LazyAttribute(lambda c: c.referral.received_at)
    allocated_by = factory.SelfAttribute("worker")

    @factory.post_generation
    def retention(self, create, extracted, **kwargs):
        # A factory's case is written as it stands, not through the services: keep its
        # family's retention date as they would (families.retention, the one rule).
        if create:
            from families.models import Family
            from families.retention import refresh_last_closed

            refresh_last_closed(Family.objects.filter(pk=self.family_id))


class WaitingListEntryFactory(factory.django.DjangoModelFactory):
    """A current waiting-list entry for a referral on the waiting list."""

    class Meta:
        model = "referrals.WaitingListEntry"

    referral = factory.SubFactory(ReferralFactory, status="waiting")
    priority = 2
    notes = ""
    added_at = factory.LazyFunction(timezone.now)


class ReferralDraftFactory(factory.django.DjangoModelFactory):
    """A saved draft. data holds lists of strings, as the form view stores request.POST."""

    class Meta:
        model = "referrals.ReferralDraft"

    owner = factory.SubFactory(UserFactory)
    title = "Evans family"
    data = factory.LazyFunction(lambda: {"family_name": ["Evans family"]})


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    recipient = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened to a referral."
    url = ""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Membership, Role, Team, User
from cases.models import Case
from families.models import Family, MemberKind, Person
from outcomes.models import ServiceUse
from referrals.models import Referral, ReferralStatus, WaitingListEntry


def _run() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "teams": Team.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "families": Family.objects.count(),
        "people": Person.objects.count(),
        "referrals": Referral.objects.count(),
        "cases": Case.objects.count(),
        "waiting": WaitingListEntry.objects.count(),
        "service uses": ServiceUse.objects.count(),
    }


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_covers_every_stage():
    first_output = _run()
    after_first = _counts()
    second_output = _run()
    assert _counts() == after_first

    assert after_first["teams"] == 2
    assert set(Team.objects.values_list("name", flat=True)) == {
        "Gwent IFST",
        "Cardiff and Vale IFST",
    }
    for role in Role:
        assert Membership.objects.filter(role=role).exists(), role
    assert User.objects.get(username="admin").is_superuser
    referrer = User.objects.get(username="referrer")
    assert sorted(referrer.team_ids_with_role(Role.REFERRER)) == sorted(
        Team.objects.values_list("pk", flat=True)
    )
    assert User.objects.get(username="manager.gwent").check_password("ifss-demo")

    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {
        ReferralStatus.SUBMITTED,
        ReferralStatus.WAITING,
        ReferralStatus.ACCEPTED,
        ReferralStatus.ALLOCATED,
        ReferralStatus.CLOSED,
        ReferralStatus.REFERRED_ON,
    } <= statuses
    rereferral = Referral.objects.get(is_rereferral=True)
    assert rereferral.previous_referral.status == ReferralStatus.CLOSED
    assert rereferral.previous_referral.family_id == rereferral.family_id
    # The second referral matched the household already known rather than duplicating it.
    assert rereferral.family.members.count() == 3
    assert Person.objects.filter(kind=MemberKind.UNBORN, due_date__isnull=False).exists()
    assert Case.objects.filter(co_worker__username="csw.gwent").exists()
    # Services used before and after, so the report card's measure has something to show.
    assert ServiceUse.objects.filter(occasion="before").exists()
    assert ServiceUse.objects.filter(occasion="after").exists()
    # An overdue referral (no first contact) and a contacted one both wait for screening.
    submitted = Referral.objects.filter(status=ReferralStatus.SUBMITTED)
    assert submitted.filter(first_contact_at__isnull=True).exists()
    assert submitted.filter(first_contact_at__isnull=False).exists()

    for output in (first_output, second_output):
        assert "ifss-demo" in output
        assert "manager.gwent" in output
        assert "http://127.0.0.1:8000/" in output

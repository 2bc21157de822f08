from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Membership, Role, Team, User
from cases.models import Case, Contact
from families.models import Family, MemberKind, Person
from outcomes.models import ServiceUse
from referrals.models import Referral, ReferralStatus, WaitingListEntry
from reporting.models import Narrative, PublishedCard, ReportBuild
from synthetic.demo import history_start, quarters_to_publish


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
        "published cards": PublishedCard.objects.count(),
        "builds": ReportBuild.objects.count(),
        "narratives": Narrative.objects.count(),
        "contacts": Contact.objects.count(),
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
    from synthetic.management.commands.load_demo import submission_key

    rereferral = Referral.objects.get(submission_key=submission_key("roberts-2"))
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


@pytest.mark.django_db
def test_load_demo_brings_three_years_of_history_and_published_cards():
    """The demo's history (synthetic/demo.py): about three years of families of the demo
    teams, worked by the demo's own people, and every past quarter's card published, the
    latest with its narrative and its PDF asked for. A second run adds nothing."""
    from django.utils import timezone

    _run()
    first = _counts()
    today = timezone.localdate()
    start = history_start(today)
    assert (today - start).days >= 3 * 365
    gwent, cardiff = (
        Team.objects.get(name="Gwent IFST"),
        Team.objects.get(name="Cardiff and Vale IFST"),
    )
    # DOMAIN.md's volumes for one team, and families referred in every quarter since.
    for team, low, high in ((gwent, 150, 320), (cardiff, 100, 230)):
        assert low <= Family.objects.filter(team=team).count() <= high, team
    assert Referral.objects.filter(received_at__date__lt=start).count() == 0
    assert Referral.objects.filter(
        received_at__date__lt=start.replace(year=start.year + 1)
    ).exists()
    # Tied to the demo's people: its practitioners' caseloads and its manager's decisions.
    for username in ("worker.gwent", "worker2.gwent", "csw.gwent", "worker.cardiff"):
        assert Case.objects.filter(worker__username=username).count() >= 10, username
    assert Case.objects.filter(worker__username="worker.gwent", stage="closed").exists()
    assert Referral.objects.filter(decisions__decided_by__username="manager.gwent").count() > 100
    # Only a former practitioner per team is added, who cannot sign in.
    added = User.objects.filter(username__startswith="former.")
    assert added.count() == 2 and not any(u.is_active or u.has_usable_password() for u in added)
    # Each team's card published for the last eight complete quarters.
    quarters = quarters_to_publish(today)
    assert len(quarters) == 8 and quarters[0].start > start
    for team in (gwent, cardiff):
        cards = PublishedCard.objects.filter(team=team)
        assert sorted(cards.values_list("period_start", flat=True)) == [q.start for q in quarters]
        assert all(c.published_at.date() > c.period_end for c in cards)
        latest = cards.get(period_start=quarters[-1].start)
        assert latest.data["narrative"]["story"]
        assert latest.data["measures"]["referrals_received"]["value"] >= 5
        # Its PDF is asked for: the worker that `make run` starts builds it.
        assert ReportBuild.objects.filter(published=latest).count() == 1
    # Run again: nothing is duplicated.
    out = _run()
    assert _counts() == first
    assert "Published" not in out

"""The synthetic national dataset generator (synthetic/generator.py) at a tiny factor:
counts scale with the factor, the same seed gives the same rows, and the app's own pages
work on what it generates."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Membership, Team
from cases.models import Case, Contact
from families.models import Family
from outcomes.models import ServiceUse
from referrals.models import Referral
from reviews.models import Review
from synthetic.management.commands.generate_national import Command

END = date(2025, 6, 30)
TINY = 0.002  # 300 families


def _generate(factor: float, seed: int = 42, *, dry_run: bool = False) -> dict:
    command = Command()
    call_command(
        command,
        factor=factor,
        seed=seed,
        end=END,
        dry_run=dry_run,
        stdout=io.StringIO(),
    )
    return command.result


class _Rollback(Exception):
    pass


def _fingerprint() -> dict:
    return {
        "families": Family.objects.count(),
        "referrals": Referral.objects.count(),
        "cases": Case.objects.count(),
        "open": Case.objects.exclude(stage="closed").count(),
        "contacts": Contact.objects.count(),
        "minutes": Contact.objects.aggregate(m=Sum("duration_minutes"))["m"],
        "reviews": Review.objects.count(),
        "held": Review.objects.filter(held_on__isnull=False).count(),
        "stages": sorted(Case.objects.values_list("stage", flat=True)),
    }


@pytest.mark.django_db
def test_counts_scale_with_the_factor():
    small = _generate(TINY, dry_run=True)["counts"]
    double = _generate(TINY * 2, dry_run=True)["counts"]
    assert small["family"] == 300
    assert double["family"] == 600
    assert small["team"] == double["team"] == 15
    keys = ("referral", "case", "contact", "review", "score", "reading", "person", "service_use")
    for key in keys:
        assert 1.6 < double[key] / small[key] < 2.4, key
    # The proportions of the full factor: 10 contacts and 4 reviews a family.
    assert 8 < small["contact"] / small["family"] < 12
    assert 3.3 < small["review"] / small["family"] < 4.7


@pytest.mark.django_db
def test_same_seed_same_rows_and_a_different_seed_differs():
    first = _generate(TINY, seed=7, dry_run=True)
    again = _generate(TINY, seed=7, dry_run=True)
    other = _generate(TINY, seed=8, dry_run=True)
    assert first["counts"] == again["counts"]
    assert first["checksum"] == again["checksum"]
    assert first["checksum"] != other["checksum"]


@pytest.mark.django_db
def test_loaded_data_is_the_same_for_the_same_seed():
    prints = []
    for _ in range(2):
        try:
            with transaction.atomic():
                result = _generate(TINY, seed=3)
                prints.append((_fingerprint(), result["counts"]))
                raise _Rollback
        except _Rollback:
            pass
    assert prints[0] == prints[1]
    fingerprint, counts = prints[0]
    assert fingerprint["families"] == counts["family"] == 300
    assert fingerprint["contacts"] == counts["contact"]
    assert fingerprint["reviews"] == counts["review"]


@pytest.mark.django_db
def test_the_generated_rows_follow_the_pathway_rules():
    _generate(TINY, seed=5)
    assert Team.objects.count() == 15
    assert Team.local_authorities.through.objects.count() == 22
    for case in Case.objects.select_related("referral").prefetch_related("stage_changes"):
        changes = list(case.stage_changes.all())
        assert changes[0].from_stage == "" and changes[0].to_stage == "awaiting_assessment"
        assert changes[-1].to_stage == case.stage
        assert case.version == len(changes)
        assert case.referral.status == "allocated"
        assert case.assessment_clock_from in (case.referral.received_at, case.allocated_at)
        if case.stage == "closed":
            assert case.closed_at is not None
        if case.phase1_end is not None:
            assert case.reviews.count() == len(case.team.review_offsets_months)
    # Open cases belong to workers still in the team.
    workers = Case.objects.exclude(stage="closed").values_list("team_id", "worker_id")
    active = set(
        Membership.objects.active()
        .filter(role__in=["practitioner", "csw"])
        .values_list("team_id", "user_id")
    )
    assert set(workers) <= active


@pytest.mark.django_db
def test_services_used_before_and_after_follow_the_rules():
    _generate(TINY, seed=5)
    uses = ServiceUse.objects.select_related("case__referral", "person").prefetch_related(
        "services"
    )
    assert uses.filter(occasion="before").count() > 100
    assert uses.filter(occasion="after").count() > 20
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for use in uses:
        assert use.person.kind == "adult"
        assert use.person.family_id == use.case.family_id
        assert use.recorded_on >= timezone.localtime(use.case.referral.received_at).date()
        assert use.recorded_on <= END
        if use.occasion == "after":
            assert use.case.stage == "closed"
            assert use.recorded_on == use.case.closure.closed_on
        counts.setdefault((use.case_id, use.person_id), {})[use.occasion] = use.services.count()
    # Every "after" has its "before"; completed cases end with more types on average.
    pairs = [c for c in counts.values() if "after" in c]
    assert all("before" in c for c in pairs)
    completed = ServiceUse.objects.filter(
        occasion="after", case__closure__reason__code="completed"
    ).values_list("case_id", "person_id")
    done = [counts[key] for key in completed]
    assert sum(c["after"] for c in done) > sum(c["before"] for c in done)


@pytest.mark.django_db
def test_the_app_pages_work_on_generated_data(client):
    _generate(TINY, seed=11)
    case = Case.objects.filter(restricted=False).exclude(stage="closed").order_by("pk").first()
    team = case.team
    manager = Membership.objects.get(
        team=team, role="manager", user__username__endswith="manager1"
    ).user
    client.force_login(manager)
    assert client.get("/referrals/screening/").status_code == 200
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert case.family.name in page.content.decode()
    assert client.get(f"/cases/{case.pk}/services/").status_code == 200
    assert client.get(f"/reporting/?scope=team-{team.pk}").status_code == 200
    assert client.get("/due/").status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/cases/").status_code == 200
    worker = case.worker
    client.force_login(worker)
    mine = client.get("/cases/mine/")
    assert mine.status_code == 200
    assert case.family.name in mine.content.decode()

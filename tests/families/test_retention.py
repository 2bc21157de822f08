"""Family.last_closed_at (families.retention) and the retention review that reads it
(privacy.services.retention_due, issue 15): the stored date must give EXACTLY the families
the former query gave, which grouped every case of the team. That query is kept here as
the oracle and both are asked on a world with families on every edge, with the clock
frozen so the cutoff is known to the microsecond."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from cases import pathway
from cases.models import Case
from cases.services import move_case
from families.models import Family
from families.retention import CLOSED_STAGE, refresh_last_closed
from privacy.services import retention_due
from tests.factories import CaseFactory, FamilyFactory, ReferralFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(timezone.datetime(2026, 6, 15, 10, 30, 0, 123456))


def old_retention_due(*, team_ids: list[int]):
    """The query before the stored date (privacy/services.py until issue 15), verbatim."""
    cutoff = timezone.now() - timedelta(days=365 * settings.RETENTION_YEARS)
    return (
        Family.objects.filter(team_id__in=team_ids, anonymised_at__isnull=True)
        .exclude(cases__stage__in=pathway.OPEN_STAGES)
        .exclude(referrals__received_at__gt=cutoff)
        .annotate(last_closed=Max("cases__closed_at"))
        .filter(last_closed__lt=cutoff)
        .select_related("local_authority", "team")
        .order_by("last_closed")
    )


def test_the_families_layer_names_the_pathways_closed_stage():
    assert CLOSED_STAGE == pathway.Stage.CLOSED


def _closed_case(team, worker, family, closed_at, **kwargs):
    return CaseFactory(
        team=team,
        worker=worker,
        referral__family=family,
        referral__received_at=closed_at - timedelta(days=200),
        referral__status="closed",
        allocated_at=closed_at - timedelta(days=190),
        stage="closed",
        closed_at=closed_at,
        **kwargs,
    )


@pytest.fixture
def world(team_a, team_b, practitioner, other_practitioner, manager):
    """Families on both sides of every edge of the rule, in two teams."""
    with time_machine.travel(NOW, tick=False):
        cutoff = timezone.now() - timedelta(days=365 * settings.RETENTION_YEARS)
        tick = timedelta(microseconds=1)
        names = {}

        def family(name, team=team_a):
            names[name] = FamilyFactory(team=team, name=name)
            return names[name]

        w = practitioner
        _closed_case(team_a, w, family("just before"), cutoff - tick)
        _closed_case(team_a, w, family("at the cutoff"), cutoff)
        _closed_case(team_a, w, family("just after"), cutoff + tick)
        _closed_case(team_a, w, family("long ago"), cutoff - timedelta(days=900))
        f = family("two closed, the later after")
        _closed_case(team_a, w, f, cutoff - timedelta(days=900))
        _closed_case(team_a, w, f, cutoff + timedelta(days=3))
        f = family("two closed, both before")
        _closed_case(team_a, w, f, cutoff - timedelta(days=900))
        _closed_case(team_a, w, f, cutoff - timedelta(days=30))
        f = family("closed, then a new case open")  # "reopened": a new episode
        _closed_case(team_a, w, f, cutoff - timedelta(days=900))
        CaseFactory(team=team_a, worker=w, referral__family=f)
        f = family("closed, then a new case at each stage")
        _closed_case(team_a, w, f, cutoff - timedelta(days=900))
        for stage in pathway.OPEN_STAGES:
            CaseFactory(team=team_a, worker=w, referral__family=f, stage=stage)
        f = family("referred since")
        _closed_case(team_a, w, f, cutoff - timedelta(days=900))
        ReferralFactory(team=team_a, family=f, received_at=cutoff + tick)
        f = family("referred at the cutoff")
        _closed_case(team_a, w, f, cutoff - timedelta(days=900))
        ReferralFactory(team=team_a, family=f, received_at=cutoff)
        f = family("referred before")
        _closed_case(team_a, w, f, cutoff - timedelta(days=900))
        ReferralFactory(team=team_a, family=f, received_at=cutoff - tick)
        f = family("anonymised")
        _closed_case(team_a, w, f, cutoff - timedelta(days=900))
        Family.objects.filter(pk=f.pk).update(anonymised_at=timezone.now())
        ReferralFactory(team=team_a, family=family("referred, never a case"), received_at=cutoff)
        family("nothing at all")
        f = family("closed stage without a date")  # written outside the services
        CaseFactory(team=team_a, worker=w, referral__family=f, stage="closed", closed_at=None)
        f = family("a date without the closed stage")
        _closed_case(team_a, w, f, cutoff - timedelta(days=900))
        Case.objects.filter(family=f).update(stage=pathway.Stage.PHASE2)
        refresh_last_closed(Family.objects.filter(pk=f.pk))
        # Closed through the service, on a day long past (close_case's backdating).
        f = family("closed by the service")
        case = CaseFactory(
            team=team_a,
            worker=w,
            referral__family=f,
            referral__received_at=cutoff - timedelta(days=300),
            allocated_at=cutoff - timedelta(days=290),
        )
        move_case(case_id=case.pk, user=manager, to_stage=pathway.Stage.CLOSED, when=cutoff - tick)
        # A closure date corrected later (by whatever writes it): the rule, re-run.
        f = family("closure moved past the cutoff")
        case = _closed_case(team_a, w, f, cutoff - timedelta(days=900))
        Case.objects.filter(pk=case.pk).update(closed_at=cutoff + timedelta(days=1))
        refresh_last_closed(Family.objects.filter(pk=f.pk))
        f = family("closure moved before the cutoff")
        case = _closed_case(team_a, w, f, cutoff + timedelta(days=1))
        Case.objects.filter(pk=case.pk).update(closed_at=cutoff - timedelta(days=1))
        refresh_last_closed(Family.objects.filter(pk=f.pk))
        _closed_case(team_b, other_practitioner, family("other team", team_b), cutoff - tick)
    return names


def _both(team_ids):
    """Both answers, as sets of (family, last closed); and both in the order of that date
    (ties in either order, as before)."""
    with time_machine.travel(NOW, tick=False):
        old = [(f.pk, f.last_closed) for f in old_retention_due(team_ids=team_ids)]
        new = [(f.pk, f.last_closed) for f in retention_due(team_ids=team_ids)]
    assert [d for _pk, d in new] == [d for _pk, d in old]
    return sorted(old), sorted(new)


def test_the_stored_date_gives_exactly_the_former_querys_families(world, team_a, team_b):
    old, new = _both([team_a.pk])

    assert new == old
    due = {pk for pk, _ in new}
    assert {n for n, f in world.items() if f.pk in due} == {
        "just before",
        "long ago",
        "two closed, both before",
        "referred at the cutoff",
        "referred before",
        "closed by the service",
        "closure moved before the cutoff",
    }
    old, new = _both([team_a.pk, team_b.pk])
    assert new == old
    assert world["other team"].pk in {pk for pk, _ in new}


def test_the_answer_follows_the_retention_setting(world, team_a, settings):
    settings.RETENTION_YEARS = 5
    old, new = _both([team_a.pk])
    assert new == old
    settings.RETENTION_YEARS = 20
    assert _both([team_a.pk]) == ([], [])


def test_the_rule_refreshed_everywhere_agrees_with_what_the_writers_stored(world):
    stored = dict(Family.objects.values_list("pk", "last_closed_at"))
    refresh_last_closed(Family.objects.all())
    assert dict(Family.objects.values_list("pk", "last_closed_at")) == stored


def test_the_services_keep_the_date(team_a, practitioner, manager):
    family = FamilyFactory(team=team_a)
    case = CaseFactory(team=team_a, worker=practitioner, referral__family=family)
    family.refresh_from_db()
    assert family.last_closed_at is None

    moment = timezone.now() - timedelta(days=3)
    move_case(case_id=case.pk, user=manager, to_stage=pathway.Stage.CLOSED, when=moment)
    family.refresh_from_db()
    assert family.last_closed_at == moment

    CaseFactory(team=team_a, worker=practitioner, referral__family=family)  # a new episode
    family.refresh_from_db()
    assert family.last_closed_at is None

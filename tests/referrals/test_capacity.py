"""Allocation against capacity: the drop-down shows each worker's load, and a worker at the
team's capacity takes another family only with a confirmation and a recorded reason."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cases.models import Case
from referrals import services
from referrals.models import ReferralStatus
from tests.factories import CaseFactory, ReferralFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


@pytest.fixture
def accepted(team_a):
    return ReferralFactory(team=team_a, status=ReferralStatus.ACCEPTED)


def give_load(team, worker, n: int, stage: str = "phase1") -> None:
    for _i in range(n):
        CaseFactory(team=team, worker=worker, stage=stage)


def test_one_below_capacity_allocates_without_a_reason(team_a, accepted, manager, practitioner):
    give_load(team_a, practitioner, team_a.practitioner_capacity - 1)

    case = services.allocate_referral(referral_id=accepted.pk, user=manager, worker=practitioner)

    assert case.over_capacity_reason == ""


def test_at_capacity_the_allocation_is_refused_without_a_reason(
    team_a, accepted, manager, practitioner
):
    give_load(team_a, practitioner, team_a.practitioner_capacity)

    with pytest.raises(services.OverCapacity, match="2 of 2 intensive families"):
        services.allocate_referral(
            referral_id=accepted.pk, user=manager, worker=practitioner, over_capacity_reason="  "
        )

    assert not Case.objects.filter(referral=accepted).exists()


def test_at_capacity_with_a_reason_the_reason_is_recorded_and_audited(
    team_a, accepted, manager, practitioner
):
    give_load(team_a, practitioner, team_a.practitioner_capacity)

    case = services.allocate_referral(
        referral_id=accepted.pk,
        user=manager,
        worker=practitioner,
        over_capacity_reason=" Only Welsh speaker free ",
    )

    case.refresh_from_db()
    assert case.over_capacity_reason == "Only Welsh speaker free"
    entry = LogEntry.objects.get_for_object(case).get(action=LogEntry.Action.CREATE)
    assert "Only Welsh speaker free" in str(entry.changes)


def test_only_intensive_families_count_against_capacity(team_a, accepted, manager, practitioner):
    give_load(team_a, practitioner, 3, stage="phase2")
    give_load(team_a, practitioner, 3, stage="closed")

    case = services.allocate_referral(referral_id=accepted.pk, user=manager, worker=practitioner)

    assert case.over_capacity_reason == ""


def test_a_reason_given_below_capacity_is_not_recorded(team_a, accepted, manager, practitioner):
    case = services.allocate_referral(
        referral_id=accepted.pk, user=manager, worker=practitioner, over_capacity_reason="x"
    )

    assert case.over_capacity_reason == ""


# --- the page ------------------------------------------------------------------------------


def test_the_worker_drop_down_shows_load_against_capacity(
    client, team_a, accepted, manager, practitioner, practitioner2
):
    give_load(team_a, practitioner, 2)
    give_load(team_a, practitioner2, 1)
    client.force_login(manager)

    page = client.get(reverse("referrals:allocate", args=[accepted.pk])).content.decode()

    assert f"{practitioner}: 2 of 2 intensive families (at capacity)" in page
    assert f"{practitioner2}: 1 of 2 intensive families</option>" in page


def _post(client, referral, worker, **extra):
    return client.post(
        reverse("referrals:allocate", args=[referral.pk]),
        {"version": referral.version, "worker": worker.pk, "co_worker": "", **extra},
    )


def test_allocating_past_capacity_asks_for_confirmation_and_keeps_what_was_typed(
    client, team_a, accepted, manager, practitioner
):
    give_load(team_a, practitioner, 2)
    client.force_login(manager)

    response = _post(client, accepted, practitioner, over_capacity_reason="Sibling group")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Tick to confirm you mean to go past it" in page
    assert "Sibling group" in page
    assert not Case.objects.filter(referral=accepted).exists()


def test_a_confirmation_without_a_reason_is_refused(
    client, team_a, accepted, manager, practitioner
):
    give_load(team_a, practitioner, 2)
    client.force_login(manager)

    response = _post(client, accepted, practitioner, confirm_over_capacity="on")

    assert "Give the reason for going past capacity." in response.content.decode()
    assert not Case.objects.filter(referral=accepted).exists()


def test_confirmed_with_a_reason_allocates_and_records_it(
    client, team_a, accepted, manager, practitioner
):
    give_load(team_a, practitioner, 2)
    client.force_login(manager)

    response = _post(
        client,
        accepted,
        practitioner,
        confirm_over_capacity="on",
        over_capacity_reason="Sibling group",
    )

    assert response.status_code == 302
    assert Case.objects.get(referral=accepted).over_capacity_reason == "Sibling group"


def test_the_case_page_shows_the_reason_it_was_allocated_past_capacity(
    client, team_a, accepted, manager, practitioner
):
    give_load(team_a, practitioner, 2)
    case = services.allocate_referral(
        referral_id=accepted.pk,
        user=manager,
        worker=practitioner,
        over_capacity_reason="Sibling group",
    )
    client.force_login(manager)

    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert "Allocated past the worker's capacity: Sibling group" in page

"""Issue 13.2: reminder escalations (and every other reminder) of a restricted family go
only to the people named on its restriction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cases.services import restrict_case
from reminders import services
from reminders.models import Kind, Reminder, Step

from .helpers import case_received, local, recipients

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

NOW = local(date(2026, 3, 2), 17)


def test_an_escalation_of_a_restricted_case_goes_only_to_the_named_managers(
    time_machine, team_a, manager, manager2, practitioner
):
    time_machine.move_to(NOW, tick=False)
    case = case_received(team_a, practitioner, NOW - timedelta(days=6, hours=1))
    restrict_case(case_id=case.pk, user=manager, restricted=True, people=[])

    services.sweep(now=NOW)

    escalated = Reminder.objects.get(item_id=case.pk, kind=Kind.ASSESSMENT)
    assert escalated.step == Step.ESCALATE
    assert recipients(escalated) == ["manager_a"]


def test_a_backlog_summary_leaves_out_a_restricted_family_for_unnamed_managers(
    time_machine, team_a, manager, manager2, practitioner
):
    from notifications.models import Notification

    time_machine.move_to(NOW, tick=False)
    hidden = case_received(
        team_a, practitioner, NOW - timedelta(days=30), referral__family__name="Hidden Hughes"
    )
    restrict_case(case_id=hidden.pk, user=manager, restricted=True, people=[])
    case_received(
        team_a, practitioner, NOW - timedelta(days=30), referral__family__name="Open Owens"
    )

    services.sweep(now=NOW)

    to_named = Notification.objects.get(recipient=manager, subject__contains="overdue items")
    to_unnamed = Notification.objects.get(recipient=manager2, subject__contains="overdue items")
    assert "Hidden Hughes" in to_named.body
    assert "Open Owens" in to_unnamed.body
    assert "Hidden Hughes" not in to_unnamed.body

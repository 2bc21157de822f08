"""Phase 1 is held to the model: ending it before the team's minimum weeks or below its
minimum hours needs a manager's sign-off with a reason, recorded (who, when, why) and
counted; the end asks for the goal scores and readings, or the reason they are missing.

make_case gives a Phase 1 that started N days ago with one contact of 2 hours and one goal.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, Phase1EndScore, Phase1SignOff
from cases.pathway import Stage
from core.errors import ServiceError
from notifications.models import Notification
from tests.cases.journey import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def build(team_a, manager, practitioner, referrer):
    def build(days: int, min_hours: int = 2, **kwargs):
        team_a.phase1_min_hours = min_hours
        team_a.save(update_fields=["phase1_min_hours"])
        return make_case(
            team_a,
            manager,
            practitioner,
            referrer,
            stage=Stage.PHASE1,
            phase1_started_days_ago=days,
            plans=1,
            **kwargs,
        )

    return build


def end(journey, user, **kwargs):
    scores = {g.pk: 0 for g in journey.goals}
    return services.end_phase1(
        case_id=journey.case.pk,
        user=user,
        ended_on=timezone.localdate(),
        **{"scores": scores, **kwargs},
    )


# --- the boundaries of the model -------------------------------------------------------------


def test_at_exactly_the_minimum_weeks_and_hours_phase1_ends_without_a_sign_off(build, practitioner):
    journey = build(28, min_hours=2)  # 4 weeks to the day, 2 direct hours of 2

    case = end(journey, practitioner)

    assert case.stage == Stage.PHASE2
    assert case.phase1_early_signoff is None
    assert not Phase1SignOff.objects.exists()


@pytest.mark.parametrize(
    ("days", "min_hours", "short"),
    [(27, 2, "27 days of the 4-week minimum"), (28, 3, "2 of the 3-hour minimum")],
)
def test_a_day_or_an_hour_short_a_practitioner_is_refused_with_a_clear_message(
    build, practitioner, days, min_hours, short
):
    journey = build(days, min_hours=min_hours)

    with pytest.raises(services.NeedsSignOff) as refused:
        end(journey, practitioner)

    assert short in str(refused.value)
    assert "needs a manager's sign-off" in str(refused.value)
    case = journey.reload()
    assert (case.stage, case.phase1_end) == (Stage.PHASE1, None)


def test_ended_on_day_0_with_5_hours_is_refused(build, practitioner):
    journey = build(0, min_hours=50)

    with pytest.raises(services.NeedsSignOff, match="0 days of the 4-week minimum"):
        end(journey, practitioner)


# --- asking, signing off, ending -------------------------------------------------------------


def test_a_worker_asks_a_manager_signs_off_and_the_worker_ends_phase1(build, practitioner, manager):
    journey = build(10)

    asked = services.request_phase1_signoff(
        case_id=journey.case.pk, user=practitioner, reason="  Family moving to Spain  "
    )
    assert (asked.reason, asked.approved, asked.decided_by) == (
        "Family moving to Spain",
        None,
        None,
    )
    assert "10 days of the 4-week minimum" in asked.shortfall
    assert Notification.objects.filter(recipient=manager, subject__contains="Sign-off").exists()
    with pytest.raises(ServiceError, match="already waiting"):
        services.request_phase1_signoff(case_id=journey.case.pk, user=practitioner, reason="x")
    with pytest.raises(services.NeedsSignOff):
        end(journey, practitioner)  # not yet signed off

    with pytest.raises(ServiceError, match="Only a manager"):
        services.decide_phase1_signoff(
            case_id=journey.case.pk, user=practitioner, approved=True, note="I agree"
        )
    with pytest.raises(ServiceError, match="Give the reason"):
        services.decide_phase1_signoff(
            case_id=journey.case.pk, user=manager, approved=True, note="  "
        )
    signed = services.decide_phase1_signoff(
        case_id=journey.case.pk, user=manager, approved=True, note="Children safe with nan"
    )
    assert (signed.decided_by, signed.approved, signed.decision_note) == (
        manager,
        True,
        "Children safe with nan",
    )
    assert signed.decided_at is not None
    assert Notification.objects.filter(recipient=practitioner, subject__startswith="Signed off")

    case = end(journey, practitioner)

    assert case.stage == Stage.PHASE2
    assert case.phase1_early_signoff == signed
    assert list(Case.objects.ended_phase1_early()) == [case]


def test_a_refused_sign_off_does_not_let_phase1_end(build, practitioner, manager):
    journey = build(10)
    services.request_phase1_signoff(case_id=journey.case.pk, user=practitioner, reason="Busy")
    services.decide_phase1_signoff(
        case_id=journey.case.pk, user=manager, approved=False, note="Keep going two more weeks"
    )

    with pytest.raises(services.NeedsSignOff):
        end(journey, practitioner)


def test_a_manager_ending_early_signs_off_with_a_reason(build, manager):
    journey = build(10)

    with pytest.raises(services.NeedsSignOff, match="As a manager"):
        end(journey, manager)
    case = end(journey, manager, early_reason="Moved out of area")

    signed = case.phase1_early_signoff
    assert (signed.requested_by, signed.decided_by, signed.decision_note) == (
        manager,
        manager,
        "Moved out of area",
    )


def test_no_request_when_the_model_is_met(build, practitioner):
    journey = build(30)

    with pytest.raises(ServiceError, match="meets the model"):
        services.request_phase1_signoff(case_id=journey.case.pk, user=practitioner, reason="x")


# --- the end of Phase 1 asks for scores and readings -------------------------------------------


def test_the_end_asks_for_every_goal_score_or_a_reason(build, practitioner):
    journey = build(30, goals=2)

    with pytest.raises(ServiceError, match="a score for 'Goal 2"):
        end(journey, practitioner, scores={journey.goals[0].pk: 1})
    case = end(
        journey, practitioner, scores={journey.goals[0].pk: 1}, outcomes_missing_reason="Ill"
    )

    assert case.phase1_outcomes_missing_reason == "Ill"
    assert list(Phase1EndScore.objects.values_list("goal_id", "score")) == [
        (journey.goals[0].pk, 1)
    ]


def test_the_end_asks_for_a_reading_for_everyone_read_at_the_start(build, practitioner):
    journey = build(30, readings=1)  # a WEMWBS for the mother at the start

    with pytest.raises(ServiceError, match="a WEMWBS .* reading for Kerry"):
        end(journey, practitioner)


def test_with_every_score_and_no_reading_owed_no_reason_is_kept(build, practitioner):
    journey = build(30, goals=2)

    case = end(journey, practitioner, outcomes_missing_reason="not needed")

    assert case.phase1_outcomes_missing_reason == ""
    assert Phase1EndScore.objects.count() == 2


# --- the pages -----------------------------------------------------------------------------------


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_sign_off_journey_through_the_pages(build, practitioner, manager):
    journey = build(10)
    worker, boss = login(practitioner), login(manager)
    url = reverse("cases:end_phase1", args=[journey.case.pk])
    goal = f"goal_{journey.goals[0].pk}"

    page = worker.get(url).content.decode()
    assert "Ending Phase 1 today falls short" in page
    assert 'data-testid="ask-signoff"' in page
    typed = {"version": journey.case.version, "ended_on": timezone.localdate(), goal: "0"}
    refused = worker.post(url, typed)
    assert "needs a manager&#x27;s sign-off" in refused.content.decode()
    no_reason = worker.post(url, {**typed, "action": "request"})
    assert "Give the reason Phase 1 should end early." in no_reason.content.decode()
    assert not Phase1SignOff.objects.exists()

    assert (
        worker.post(url, {**typed, "action": "request", "early_reason": "Moving"}).status_code
        == 302
    )
    assert worker.get(reverse("cases:phase1_signoff", args=[journey.case.pk])).status_code == 404
    case_page = boss.get(reverse("cases:detail", args=[journey.case.pk])).content.decode()
    assert 'data-testid="signoff-pending"' in case_page
    caseload = boss.get(reverse("cases:list")).content.decode()
    assert 'data-testid="signoffs-waiting"' in caseload

    signoff_url = reverse("cases:phase1_signoff", args=[journey.case.pk])
    assert "Moving" in boss.get(signoff_url).content.decode()
    assert boss.post(signoff_url, {"approved": "yes", "note": "Agreed"}).status_code == 302

    ended = worker.post(url, {**typed, "version": journey.reload().version})
    assert ended.status_code == 302
    case_page = boss.get(reverse("cases:detail", args=[journey.case.pk])).content.decode()
    assert "signed off by" in case_page
    caseload = boss.get(reverse("cases:list")).content.decode()
    assert "with a manager's sign-off: 1 case." in caseload

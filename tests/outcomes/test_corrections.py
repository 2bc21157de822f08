"""Corrections and withdrawals of goals, readings, reviews and screening decisions (issue 14,
finding 4), and every board figure against each kind of corrected and withdrawn entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.amendments import EntryStatus
from cases.models import Contact
from cases.services import ContactData, correct_contact, withdraw_contact
from core.errors import ServiceError, StaleEdit
from outcomes.models import Goal, GoalScore, Instrument, Occasion, Reading
from outcomes.services import (
    GoalData,
    ReadingData,
    correct_goal,
    correct_reading,
    record_reading,
    withdraw_goal,
    withdraw_reading,
)
from referrals.models import ScreeningDecision
from referrals.services import correct_decision, withdraw_decision
from reviews.models import Review
from reviews.services import ReviewData, correct_review, withdraw_review
from tests.cases.journey import Stage, make_case
from tests.cases.test_corrections import all_figures
from tests.factories import outcome, reason
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

WHY = "Recorded against the wrong family"


@pytest.fixture
def journey(team_a, manager, practitioner, referrer):
    journey = make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage=Stage.PHASE2,
        goals=1,
        contacts=1,
        readings=1,
        reviews_held=1,
    )
    # A closing WEMWBS reading, so the adult's readings make a pair the figures count.
    journey.readings.append(
        record_reading(
            case_id=journey.case.pk,
            user=practitioner,
            data=ReadingData(
                person=journey.adult,
                instrument=Instrument.WEMWBS,
                occasion=Occasion.END_PHASE1,
                taken_on=timezone.localdate(),
                total=50,
            ),
        )
    )
    return journey


def goal_data(goal: Goal, **changes) -> GoalData:
    values = {
        "title": goal.title,
        "category": goal.category,
        "is_substance": goal.is_substance,
        "members": list(goal.members.all()),
        "levels": {level: goal.level_text(level) for level in (-2, -1, 0, 1, 2)},
        "baseline": goal.baseline,
        "weight": goal.weight,
    }
    values.update(changes)
    return GoalData(**values)


def reading_data(r: Reading, **changes) -> ReadingData:
    fields = ("person", "instrument", "occasion", "taken_on", "total")
    values = {name: getattr(r, name) for name in fields}
    values.update(changes)
    return ReadingData(**values)


def review_data(review: Review, **changes) -> ReviewData:
    values = {
        "held_on": review.held_on,
        "attendees": review.attendees,
        "progress": review.progress,
        "plan_still_fit": review.plan_still_fit,
        "services_signposted": list(review.services_signposted.all()),
        "scores": {s.goal_id: s.score for s in GoalScore.objects.filter(review=review)},
        # A correction is held to the review's window too: the fixture's day may be outside.
        "outside_window_reason": review.outside_window_reason or "Held when the family could.",
    }
    values.update(changes)
    return ReviewData(**values)


def contact_data(c: Contact) -> ContactData:
    return ContactData(
        started_at=c.started_at,
        duration_minutes=c.duration_minutes,
        mode=c.mode,
        work_type=c.work_type,
        out_of_hours=c.out_of_hours,
        people_seen=list(c.people_seen.all()),
        methods=list(c.methods.all()),
        notes=c.notes,
    )


def held(journey) -> Review:
    return next(r for r in journey.reviews if r.held_on)


# --- every figure, every kind ---------------------------------------------------------------

# kind -> (correct it unchanged, withdraw it, a figure its withdrawal must move)
KINDS = {
    "contact": (
        lambda j, u: correct_contact(
            contact_id=(c := Contact.objects.get(case=j.case)).pk,
            user=u,
            data=contact_data(c),
            reason=WHY,
            version=c.version,
        ),
        lambda j, u: withdraw_contact(
            contact_id=(c := Contact.objects.get(case=j.case)).pk,
            user=u,
            reason=WHY,
            version=c.version,
        ),
        ("events", "direct_hours"),
    ),
    "goal": (
        lambda j, u: correct_goal(
            goal_id=(g := Goal.objects.get(case=j.case)).pk,
            user=u,
            data=goal_data(g),
            reason=WHY,
            version=g.version,
        ),
        lambda j, u: withdraw_goal(
            goal_id=(g := Goal.objects.get(case=j.case)).pk, user=u, reason=WHY, version=g.version
        ),
        ("events", "goals_at_zero"),
    ),
    "reading": (
        lambda j, u: correct_reading(
            reading_id=(r := Reading.objects.get(case=j.case, person=j.adult, occasion="start")).pk,
            user=u,
            data=reading_data(r),
            reason=WHY,
            version=r.version,
        ),
        lambda j, u: withdraw_reading(
            reading_id=(r := Reading.objects.get(case=j.case, person=j.adult, occasion="start")).pk,
            user=u,
            reason=WHY,
            version=r.version,
        ),
        ("events", "wemwbs_change"),
    ),
    "review": (
        lambda j, u: correct_review(
            review_id=(r := held(j)).pk, user=u, data=review_data(r), reason=WHY, version=r.version
        ),
        lambda j, u: withdraw_review(
            review_id=(r := held(j)).pk, user=u, reason=WHY, version=r.version
        ),
        ("events", "goals_at_zero"),
    ),
    "decision": (
        lambda j, u: correct_decision(
            decision_id=(d := accepted(j)).pk,
            user=u,
            reason_code=d.reason,
            detail=d.detail,
            onward_service=d.onward_service,
            reason=WHY,
            version=d.version,
        ),
        lambda j, u: withdraw_decision(
            decision_id=(d := earlier_decision(j)).pk, user=u, reason=WHY, version=d.version
        ),
        # Every decision counts in referral_decisions; referral_outcomes counts each referral
        # once, by its latest decision, which an earlier withdrawn one never was.
        ("events", "referral_decisions"),
    ),
}


def earlier_decision(journey) -> ScreeningDecision:
    """A "no space" decision before the acceptance (the latest is never withdrawn)."""
    acceptance = accepted(journey)
    return ScreeningDecision.objects.filter(referral=journey.case.referral).exclude(
        pk=acceptance.pk
    ).first() or ScreeningDecision.objects.create(
        referral=journey.case.referral,
        outcome=outcome("no-space"),
        reason=reason("no-space"),
        decided_by=journey.manager,
        decided_at=acceptance.decided_at - timedelta(hours=1),
    )


def accepted(journey) -> ScreeningDecision:
    return ScreeningDecision.objects.get(referral=journey.case.referral, outcome__code="accepted")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_figure_counts_a_corrected_entry_once_and_a_withdrawn_one_never(
    kind, team_a, journey, manager
) -> None:
    correct, withdraw, moved = KINDS[kind]
    if kind == "decision":
        earlier_decision(journey)
    before = all_figures(team_a)
    assert before[moved].value, f"{moved} must count the {kind} for this test to mean anything"
    correct(journey, manager)  # corrected to the same values: every figure unchanged
    assert all_figures(team_a) == before
    withdraw(journey, manager)
    after = all_figures(team_a)
    assert after[moved] != before[moved], f"a withdrawn {kind} still counts in {moved}"


# --- goals ------------------------------------------------------------------------------------


def test_correcting_a_goal_keeps_the_original_and_moves_its_scores(journey, practitioner) -> None:
    goal = journey.goals[0]
    scores_before = {s.review_id: s.score for s in GoalScore.objects.filter(goal=goal)}
    corrected = correct_goal(
        goal_id=goal.pk,
        user=practitioner,
        data=goal_data(goal, baseline=-2, title="Corrected title"),
        reason=WHY,
        version=goal.version,
    )
    original = Goal.all_versions.get(pk=goal.pk)
    assert (original.entry_status, original.retired_by, original.retired_reason) == (
        EntryStatus.AMENDED,
        practitioner,
        WHY,
    )
    assert original.title == goal.title  # never rewritten
    assert corrected.corrects_id == goal.pk and corrected.title == "Corrected title"
    moved = {s.review_id: s.score for s in GoalScore.objects.filter(goal=corrected)}
    assert moved == {**scores_before, None: -2}  # the start score takes the new baseline
    assert not GoalScore.objects.filter(goal=goal).exists()
    assert GoalScore.all_versions.filter(goal=goal, entry_status="amended").count() == len(
        scores_before
    )
    assert list(Goal.objects.filter(case=journey.case)) == [corrected]


def test_withdrawing_a_goal_withdraws_its_scores(journey, manager) -> None:
    goal = journey.goals[0]
    withdraw_goal(goal_id=goal.pk, user=manager, reason=WHY, version=goal.version)
    assert not Goal.objects.filter(case=journey.case).exists()
    assert set(GoalScore.all_versions.filter(goal=goal).values_list("entry_status", flat=True)) == {
        "withdrawn"
    }


# --- readings ---------------------------------------------------------------------------------


def test_correcting_a_reading_keeps_the_original(journey, practitioner) -> None:
    reading = journey.readings[0]
    corrected = correct_reading(
        reading_id=reading.pk,
        user=practitioner,
        data=reading_data(reading, total=44),
        reason="Added up wrongly",
        version=reading.version,
    )
    assert corrected.total == 44 and corrected.corrects_id == reading.pk
    assert Reading.all_versions.get(pk=reading.pk).total == reading.total
    assert Reading.all_versions.get(pk=reading.pk).entry_status == EntryStatus.AMENDED
    # The occasion is free again for a reading of that person: one current one per occasion.
    with pytest.raises(ServiceError, match="already has"):
        record_reading(case_id=journey.case.pk, user=practitioner, data=reading_data(reading))


def test_a_corrected_reading_obeys_the_instrument_rules(journey, practitioner) -> None:
    reading = journey.readings[0]
    for total in (13, 71):
        with pytest.raises(ServiceError, match="14 to 70"):
            correct_reading(
                reading_id=reading.pk,
                user=practitioner,
                data=reading_data(reading, total=total),
                reason=WHY,
                version=reading.version,
            )
    with pytest.raises(ServiceError, match="reason"):
        correct_reading(
            reading_id=reading.pk,
            user=practitioner,
            data=reading_data(reading, total=40),
            reason=" ",
            version=reading.version,
        )
    with pytest.raises(StaleEdit):
        withdraw_reading(
            reading_id=reading.pk, user=practitioner, reason=WHY, version=reading.version + 1
        )
    assert Reading.objects.get(pk=reading.pk).is_current


# --- screening decisions ----------------------------------------------------------------------


def test_a_decisions_reason_is_corrected_and_its_outcome_is_not(journey, manager) -> None:
    decision = ScreeningDecision.objects.get(referral=journey.case.referral)
    other = (
        type(decision.reason)
        .objects.filter(outcome=decision.outcome)
        .exclude(pk=decision.reason_id)
        .first()
        or decision.reason
    )
    corrected = correct_decision(
        decision_id=decision.pk,
        user=manager,
        reason_code=other,
        detail="Panel notes",
        onward_service=None,
        reason="Wrong coded reason",
        version=decision.version,
    )
    assert (corrected.outcome_id, corrected.reason_id, corrected.corrects_id) == (
        decision.outcome_id,
        other.pk,
        decision.pk,
    )
    assert ScreeningDecision.all_versions.get(pk=decision.pk).entry_status == "amended"
    with pytest.raises(ServiceError, match="belong"):
        correct_decision(
            decision_id=corrected.pk,
            user=manager,
            reason_code=reason("inappropriate"),
            detail="",
            onward_service=None,
            reason=WHY,
            version=corrected.version,
        )


def test_the_latest_decision_is_not_withdrawn(journey, manager, practitioner) -> None:
    decision = ScreeningDecision.objects.get(referral=journey.case.referral)
    with pytest.raises(ServiceError, match="latest decision"):
        withdraw_decision(decision_id=decision.pk, user=manager, reason=WHY, version=1)
    with pytest.raises(ServiceError, match="manager"):
        withdraw_decision(
            decision_id=earlier_decision(journey).pk, user=practitioner, reason=WHY, version=1
        )


# --- the pages ----------------------------------------------------------------------------------


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_case_page_offers_correct_and_withdraw_for_each_entry(journey, practitioner) -> None:
    page = login(practitioner).get(reverse("cases:detail", args=[journey.case.pk]))
    html = page.content.decode()
    assert reverse("outcomes:correct_goal", args=[journey.goals[0].pk]) in html
    assert reverse("outcomes:withdraw_reading", args=[journey.readings[0].pk]) in html
    assert reverse("reviews:correct", args=[held(journey).pk]) in html


def test_a_manager_corrects_a_decision_from_the_referral_page(journey, manager) -> None:
    client = login(manager)
    decision = ScreeningDecision.objects.get(referral=journey.case.referral)
    detail = reverse("referrals:detail", args=[decision.referral_id])
    assert (
        reverse("referrals:correct_decision", args=[decision.pk])
        in client.get(detail).content.decode()
    )
    response = client.post(
        reverse("referrals:correct_decision", args=[decision.pk]),
        {
            "version": decision.version,
            "reason_code": decision.reason_id,
            "detail": "Corrected explanation",
            "reason": "Wrong explanation",
        },
    )
    assert response.status_code == 302
    html = client.get(detail).content.decode()
    assert 'data-status="amended"' in html and "Wrong explanation" in html


def test_a_goal_correction_page_needs_a_reason(journey, practitioner) -> None:
    goal = journey.goals[0]
    url = reverse("outcomes:correct_goal", args=[goal.pk])
    client = login(practitioner)
    assert 'data-testid="original"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "version": goal.version,
            "title": "New title",
            "category": goal.category_id,
            "level_minus2": "a",
            "level_minus1": "b",
            "level_0": "c",
            "level_plus1": "d",
            "level_plus2": "e",
            "baseline": "0",
            "reason": "",
        },
    )
    assert response.status_code == 200 and "New title" in response.content.decode()
    assert Goal.objects.get(case=journey.case).pk == goal.pk


def test_swemwbs_change_is_on_the_metric_score(team_a, journey, practitioner) -> None:
    from reporting.periods import Period
    from reporting.queries import Report, team_scope

    today = timezone.localdate()
    for occasion, raw in ((Occasion.START, 14), (Occasion.END_PHASE1, 21)):
        record_reading(
            case_id=journey.case.pk,
            user=practitioner,
            data=ReadingData(
                person=journey.adult,
                instrument=Instrument.SWEMWBS,
                occasion=occasion,
                taken_on=today,
                total=raw,
            ),
        )
    period = Period(today - timedelta(days=365), today, "Year")
    figure = Report(team_scope(team_a), period).reading_change("swemwbs")
    assert (figure.value, figure.denominator) == (3.9, 1)  # 19.25 - 15.32, not 21 - 14
    wemwbs = Report(team_scope(team_a), period).reading_change("wemwbs")
    assert (wemwbs.value, wemwbs.denominator) == (50 - 38, 1)

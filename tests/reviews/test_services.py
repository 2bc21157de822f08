"""Phase 2: the review schedule, reviews that re-score the goals, and booster sessions.

Phase 1 ended on Friday 12 February 2027, so the reviews fall due on 12 March, 12 May,
12 August 2027 and 12 February 2028. The clock is held still with time-machine.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from math import sqrt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import ReportSignoff
from core.errors import ServiceError, StaleEdit
from families.models import MemberKind, Relationship
from notifications.models import Notification
from outcomes.gas import gas_t_score
from outcomes.models import GoalScore
from outcomes.services import GoalData, add_goal
from reference.models import GoalCategory, OnwardService
from reviews.models import Booster, Requester, Review
from reviews.services import (
    ReviewData,
    add_months,
    correct_review,
    record_booster,
    record_review,
    schedule_reviews,
    send_review_report,
    submit_review_report,
    withdraw_review,
)
from tests.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PHASE1_END = date(2027, 2, 12)
DUE = [date(2027, 3, 12), date(2027, 5, 12), date(2027, 8, 12), date(2028, 2, 12)]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=LONDON)


@pytest.fixture
def clock(time_machine):
    """Move the held clock: clock(2027, 3, 15)."""

    def move(y: int, m: int, d: int, h: int = 10) -> None:
        time_machine.move_to(at(y, m, d, h), tick=False)

    move(2027, 2, 15)
    return move


@pytest.fixture
def case(clock, team_a, practitioner, referrer):
    case = CaseFactory(
        team=team_a,
        worker=practitioner,
        referral__created_by=referrer,
        stage="phase2",
        phase1_start=date(2027, 1, 4),
        phase1_end=PHASE1_END,
        allocated_at=at(2026, 12, 21),
    )
    PersonFactory(family=case.family, kind=MemberKind.ADULT, relationship=Relationship.MOTHER)
    return case


def goal(case, user, title: str, baseline: int, weight: int = 1):
    return add_goal(
        case_id=case.pk,
        user=user,
        data=GoalData(
            title=title,
            category=GoalCategory.objects.get(code="substance-use"),
            is_substance=True,
            members=[],
            levels={-2: "much less", -1: "less", 0: "expected", 1: "more", 2: "much more"},
            baseline=baseline,
            weight=weight,
        ),
        scored_on=date(2027, 1, 6),
    )


@pytest.fixture
def goals(case, practitioner):
    return [
        goal(case, practitioner, "Kerry stops drinking during the day", -2, weight=2),
        goal(case, practitioner, "Children at school every day", -1, weight=1),
    ]


@pytest.fixture
def reviews(case):
    return schedule_reviews(case_id=case.pk)


def review_data(
    scores: dict[int, int], held_on: date = date(2027, 3, 12), **overrides
) -> ReviewData:
    values = {
        "held_on": held_on,
        "attendees": "Kerry, social worker, spearhead worker",
        "progress": "Daytime drinking has stopped; school attendance 92%.",
        "plan_still_fit": True,
        "children_wellbeing": "Both children safe; Jade sleeping well.",
        "services_signposted": list(OnwardService.objects.filter(code="parenting")),
        "scores": scores,
    }
    values.update(overrides)
    return ReviewData(**values)


def one_month(case) -> Review:
    return Review.objects.get(case=case, offset_months=1)


# --- The schedule ---------------------------------------------------------------------------


def test_schedule_reviews_at_1_3_6_12_months(case, reviews) -> None:
    assert [(r.offset_months, r.due_on, r.held_on) for r in reviews] == [
        (1, DUE[0], None),
        (3, DUE[1], None),
        (6, DUE[2], None),
        (12, DUE[3], None),
    ]
    assert Review.objects.filter(case=case).pending().count() == 4


def test_schedule_reviews_is_idempotent(case, reviews) -> None:
    again = schedule_reviews(case_id=case.pk)
    assert Review.objects.filter(case=case).count() == 4
    assert [r.pk for r in again] == [r.pk for r in reviews]


def test_rescheduling_keeps_held_reviews_and_their_dates(
    clock, case, goals, reviews, practitioner
) -> None:
    clock(2027, 3, 15)
    review = one_month(case)
    record_review(
        review_id=review.pk,
        user=practitioner,
        version=review.version,
        data=review_data({goals[0].pk: 0, goals[1].pk: 0}),
    )
    case.phase1_end = date(2027, 2, 20)
    case.save()
    schedule_reviews(case_id=case.pk)
    assert Review.objects.filter(case=case).count() == 4
    review.refresh_from_db()
    assert (review.due_on, review.held_on) == (DUE[0], date(2027, 3, 12))


def test_schedule_reviews_needs_the_end_of_phase1(team_a, practitioner) -> None:
    in_phase1 = CaseFactory(team=team_a, worker=practitioner, stage="phase1")
    with pytest.raises(ServiceError, match="when Phase 1 ends"):
        schedule_reviews(case_id=in_phase1.pk)
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 3, 31), 3, date(2027, 6, 30)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),
        (date(2027, 12, 31), 12, date(2028, 12, 31)),
        (date(2027, 2, 28), 12, date(2028, 2, 28)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


# --- Recording a review ------------------------------------------------------------------------


def test_record_review_stores_scores_and_sends_nothing_yet(
    clock, case, goals, reviews, practitioner, referrer
) -> None:
    clock(2027, 3, 15, 14)
    review = one_month(case)
    saved = record_review(
        review_id=review.pk,
        user=practitioner,
        version=review.version,
        data=review_data({goals[0].pk: 1, goals[1].pk: -1}),
    )
    assert saved.version == review.version + 1
    saved.refresh_from_db()
    assert saved.held_on == date(2027, 3, 12)
    assert saved.recorded_by == practitioner
    assert saved.plan_still_fit is True
    assert saved.attendees.startswith("Kerry")
    assert [s.code for s in saved.services_signposted.all()] == ["parenting"]
    assert saved.children_wellbeing == "Both children safe; Jade sleeping well."
    # The report is sent on purpose, after the worker has read it.
    assert saved.report_sent_at is None
    assert not Notification.objects.filter(recipient=referrer).exists()

    scores = GoalScore.objects.filter(review=saved)
    assert {(s.goal_id, s.score, s.scored_on, s.recorded_by_id) for s in scores} == {
        (goals[0].pk, 1, date(2027, 3, 12), practitioner.pk),
        (goals[1].pk, -1, date(2027, 3, 12), practitioner.pk),
    }
    # The baseline scores are untouched: "distance travelled" needs both.
    assert list(
        GoalScore.objects.filter(review__isnull=True)
        .order_by("goal_id")
        .values_list("goal_id", "score")
    ) == [(goals[0].pk, -2), (goals[1].pk, -1)]
    # Only this review was held.
    assert Review.objects.filter(case=case).pending().count() == 3


def test_family_gas_t_score_at_the_one_month_review(
    clock, case, goals, reviews, practitioner
) -> None:
    clock(2027, 3, 15)
    review = one_month(case)
    record_review(
        review_id=review.pk,
        user=practitioner,
        version=review.version,
        data=review_data({goals[0].pk: 1, goals[1].pk: -1}),
    )

    stored = list(GoalScore.objects.filter(review=review).select_related("goal"))
    t = gas_t_score([s.score for s in stored], [s.goal.weight for s in stored])
    # Weights 2 and 1, scores +1 and -1: Σwx = 1, Σw² = 5, (Σw)² = 9:
    # T = 50 + 10/√(0.7·5 + 0.3·9) = 50 + 10/√6.2 = 54.016
    assert t == pytest.approx(50 + 10 / sqrt(6.2))
    assert t == pytest.approx(54.016, abs=5e-4)

    # At the start: -2 (weight 2) and -1: Σwx = -5, T = 50 - 50/√6.2 = 29.920
    start = list(
        GoalScore.objects.filter(goal__case=case, review__isnull=True).select_related("goal")
    )
    assert gas_t_score([s.score for s in start], [s.goal.weight for s in start]) == (
        pytest.approx(29.920, abs=5e-4)
    )


def test_a_review_before_the_end_of_phase1_is_refused(
    clock, case, goals, reviews, practitioner
) -> None:
    review = one_month(case)
    with pytest.raises(ServiceError, match="before the end of Phase 1"):
        record_review(
            review_id=review.pk,
            user=practitioner,
            version=review.version,
            data=review_data(
                {goals[0].pk: 0, goals[1].pk: 0}, held_on=PHASE1_END - timedelta(days=1)
            ),
        )
    review.refresh_from_db()
    assert review.held_on is None
    assert not GoalScore.objects.filter(review=review).exists()


def test_a_review_of_a_case_whose_phase1_end_was_cleared_is_refused(
    clock, case, goals, reviews, practitioner
) -> None:
    case.phase1_end = None
    case.save()
    review = one_month(case)
    with pytest.raises(ServiceError, match="before the end of Phase 1"):
        record_review(
            review_id=review.pk,
            user=practitioner,
            version=review.version,
            data=review_data({goals[0].pk: 0, goals[1].pk: 0}, held_on=date(2027, 2, 14)),
        )


def test_a_review_in_the_future_is_refused(clock, case, goals, reviews, practitioner) -> None:
    review = one_month(case)
    with pytest.raises(ServiceError, match="in the future"):
        record_review(
            review_id=review.pk,
            user=practitioner,
            version=review.version,
            data=review_data({goals[0].pk: 0, goals[1].pk: 0}, held_on=date(2027, 2, 16)),
        )


def test_every_goal_must_be_scored(clock, case, goals, reviews, practitioner, referrer) -> None:
    clock(2027, 3, 15)
    review = one_month(case)
    with pytest.raises(ServiceError) as refused:
        record_review(
            review_id=review.pk,
            user=practitioner,
            version=review.version,
            data=review_data({goals[0].pk: 1}),
        )
    assert "Score every goal" in str(refused.value)
    assert goals[1].title in str(refused.value)
    review.refresh_from_db()
    assert (review.held_on, review.version, review.report_sent_at) == (None, 1, None)
    assert not GoalScore.objects.filter(review=review).exists()
    assert not Notification.objects.filter(recipient=referrer, subject__contains="review").exists()


@pytest.mark.parametrize("bad", [3, -3])
def test_a_score_outside_minus2_to_plus2_is_refused(
    clock, case, goals, reviews, practitioner, bad: int
) -> None:
    clock(2027, 3, 15)
    review = one_month(case)
    with pytest.raises(ServiceError, match="from -2 to \\+2"):
        record_review(
            review_id=review.pk,
            user=practitioner,
            version=review.version,
            data=review_data({goals[0].pk: 1, goals[1].pk: bad}),
        )
    assert not GoalScore.objects.filter(review=review).exists()


def test_scores_for_another_cases_goal_are_refused(
    clock, case, goals, reviews, practitioner, team_a
) -> None:
    clock(2027, 3, 15)
    other_case = CaseFactory(
        team=team_a, worker=practitioner, stage="phase2", phase1_end=PHASE1_END
    )
    foreign = goal(other_case, practitioner, "Someone else's goal", 0)
    review = one_month(case)
    with pytest.raises(ServiceError, match="only for this case's goals"):
        record_review(
            review_id=review.pk,
            user=practitioner,
            version=review.version,
            data=review_data({goals[0].pk: 1, goals[1].pk: 0, foreign.pk: 2}),
        )
    assert not GoalScore.objects.filter(review=review).exists()


def test_a_stale_review_version_is_refused(clock, case, goals, reviews, practitioner) -> None:
    clock(2027, 3, 15)
    review = one_month(case)
    loaded = review.version
    record_review(
        review_id=review.pk,
        user=practitioner,
        version=loaded,
        data=review_data({goals[0].pk: 0, goals[1].pk: 0}),
    )
    with pytest.raises(StaleEdit, match="Someone else updated this review"):
        record_review(
            review_id=review.pk,
            user=practitioner,
            version=loaded,
            data=review_data({goals[0].pk: 2, goals[1].pk: 2}),
        )
    assert set(GoalScore.objects.filter(review=review).values_list("score", flat=True)) == {0}


def test_recording_a_held_review_again_is_refused_and_a_correction_keeps_the_original(
    clock, case, goals, reviews, practitioner
) -> None:
    clock(2027, 3, 15)
    review = one_month(case)
    saved = record_review(
        review_id=review.pk,
        user=practitioner,
        version=review.version,
        data=review_data({goals[0].pk: 0, goals[1].pk: 0}),
    )
    with pytest.raises(ServiceError, match="already recorded"):
        record_review(
            review_id=review.pk,
            user=practitioner,
            version=saved.version,
            data=review_data({goals[0].pk: 1, goals[1].pk: 2}),
        )
    corrected = correct_review(
        review_id=review.pk,
        user=practitioner,
        version=saved.version,
        data=review_data({goals[0].pk: 1, goals[1].pk: 2}),
        reason="Scores typed the wrong way round",
    )
    assert dict(GoalScore.objects.filter(review=corrected).values_list("goal_id", "score")) == {
        goals[0].pk: 1,
        goals[1].pk: 2,
    }
    # The original record and its scores are kept, marked amended, with who, when and why.
    original = Review.all_versions.get(pk=review.pk)
    assert (original.entry_status, original.retired_by) == ("amended", practitioner)
    assert original.retired_reason == "Scores typed the wrong way round"
    kept = GoalScore.all_versions.filter(review=review)
    assert set(kept.values_list("score", "entry_status")) == {(0, "amended")}
    assert list(Review.objects.filter(case=case, offset_months=1)) == [corrected]
    assert corrected.corrects_id == review.pk


def test_withdrawing_a_held_review_makes_it_due_again(
    clock, case, goals, reviews, practitioner, manager
) -> None:
    clock(2027, 3, 15)
    review = one_month(case)
    saved = record_review(
        review_id=review.pk,
        user=practitioner,
        version=review.version,
        data=review_data({goals[0].pk: 0, goals[1].pk: 0}),
    )
    withdraw_review(review_id=review.pk, user=manager, version=saved.version, reason="Wrong family")
    pending = Review.objects.get(case=case, offset_months=1)
    assert pending.held_on is None and pending.due_on == review.due_on
    assert not GoalScore.objects.filter(review=review).exists()
    assert GoalScore.all_versions.filter(review=review, entry_status="withdrawn").count() == 2
    with pytest.raises(ServiceError, match="held"):
        withdraw_review(
            review_id=pending.pk, user=manager, version=pending.version, reason="Not held"
        )


def test_a_review_of_a_closed_case_is_refused(clock, case, goals, reviews, practitioner) -> None:
    clock(2027, 3, 15)
    case.stage = "closed"
    case.save()
    review = one_month(case)
    with pytest.raises(ServiceError, match="closed"):
        record_review(
            review_id=review.pk,
            user=practitioner,
            version=review.version,
            data=review_data({goals[0].pk: 0, goals[1].pk: 0}),
        )


def test_the_review_report_reaches_a_referrer_who_phoned(
    clock, case, goals, reviews, practitioner, manager
) -> None:
    referral = case.referral
    referral.created_by = manager  # the manager keyed in a phoned referral
    referral.referrer_email = "sam.social-worker@council.example"
    referral.save()
    clock(2027, 3, 15)
    review = one_month(case)
    saved = record_review(
        review_id=review.pk,
        user=practitioner,
        version=review.version,
        data=review_data({goals[0].pk: 0, goals[1].pk: 0}),
    )
    send_review_report(review_id=review.pk, user=practitioner, version=saved.version)
    [emailed] = Notification.objects.filter(
        email="sam.social-worker@council.example", subject__contains="review"
    )
    assert emailed.recipient is None
    assert emailed.subject == f"1-month review report: Referral {case.referral_id}"
    # The manager who keyed it in hears too, with the link to the report.
    [keyed] = Notification.objects.filter(recipient=manager, subject__contains="review")
    assert keyed.url == reverse("reviews:report_pdf", args=[review.pk])


# --- Sending the report -----------------------------------------------------------------------


@pytest.fixture
def held(clock, case, goals, reviews, practitioner) -> Review:
    clock(2027, 3, 15, 14)
    review = one_month(case)
    return record_review(
        review_id=review.pk,
        user=practitioner,
        version=review.version,
        data=review_data({goals[0].pk: 1, goals[1].pk: -1}),
    )


def test_the_worker_sends_the_report_and_the_referrer_is_told(
    held, case, practitioner, referrer
) -> None:
    sent = send_review_report(review_id=held.pk, user=practitioner, version=held.version)

    sent.refresh_from_db()
    assert (sent.report_sent_at, sent.report_sent_by, sent.report_signed_off) == (
        at(2027, 3, 15, 14),
        practitioner,
        False,
    )
    [notice] = Notification.objects.filter(recipient=referrer, subject__contains="review")
    assert notice.subject == f"1-month review report: Referral {case.referral_id}"
    assert "12 March 2027" in notice.body and "download" in notice.body
    assert notice.url == reverse("reviews:report_pdf", args=[held.pk])


def test_a_report_is_sent_once(held, practitioner, referrer) -> None:
    send_review_report(review_id=held.pk, user=practitioner, version=held.version)

    with pytest.raises(ServiceError, match="already been sent"):
        send_review_report(review_id=held.pk, user=practitioner, version=held.version)
    assert Notification.objects.filter(recipient=referrer).count() == 1


def test_a_report_changed_since_the_preview_is_not_sent(held, practitioner, referrer) -> None:
    with pytest.raises(StaleEdit, match="previewed"):
        send_review_report(review_id=held.pk, user=practitioner, version=held.version - 1)
    held.refresh_from_db()
    assert held.report_sent_at is None
    assert not Notification.objects.filter(recipient=referrer).exists()


def test_the_report_of_a_review_not_yet_held_cannot_be_sent(case, reviews, practitioner) -> None:
    review = one_month(case)
    with pytest.raises(ServiceError, match="Record the review"):
        send_review_report(review_id=review.pk, user=practitioner, version=review.version)


def test_without_sign_off_there_is_nothing_to_put_to_a_manager(held, practitioner) -> None:
    with pytest.raises(ServiceError, match="send it directly"):
        submit_review_report(review_id=held.pk, user=practitioner, version=held.version)


def test_with_sign_off_the_worker_cannot_send_and_puts_it_to_the_managers(
    held, case, team_a, practitioner, manager, referrer
) -> None:
    team_a.review_report_signoff = ReportSignoff.MANAGER
    team_a.save()

    with pytest.raises(ServiceError, match="manager signs off"):
        send_review_report(review_id=held.pk, user=practitioner, version=held.version)
    submit_review_report(review_id=held.pk, user=practitioner, version=held.version)

    held.refresh_from_db()
    assert (held.report_submitted_by, held.report_submitted_at) == (
        practitioner,
        at(2027, 3, 15, 14),
    )
    assert held.report_sent_at is None
    assert not Notification.objects.filter(recipient=referrer).exists()
    [ask] = Notification.objects.filter(recipient=manager)
    # Named by its reference, never by the family's name (tests/notifications/test_subjects).
    assert ask.subject == f"1-month review report to sign off: Case {case.pk}"
    assert ask.url == reverse("reviews:report", args=[held.pk])
    with pytest.raises(ServiceError, match="already with a manager"):
        submit_review_report(review_id=held.pk, user=practitioner, version=held.version)


def test_with_sign_off_the_manager_signs_off_and_sends(
    held, clock, team_a, practitioner, manager, referrer
) -> None:
    team_a.review_report_signoff = ReportSignoff.MANAGER
    team_a.save()
    submit_review_report(review_id=held.pk, user=practitioner, version=held.version)
    clock(2027, 3, 16, 9)

    send_review_report(review_id=held.pk, user=manager, version=held.version)

    held.refresh_from_db()
    assert (held.report_sent_by, held.report_sent_at, held.report_signed_off) == (
        manager,
        at(2027, 3, 16, 9),
        True,
    )
    assert held.report_submitted_by == practitioner
    assert Notification.objects.filter(recipient=referrer, url__endswith="report.pdf").count() == 1


# --- Boosters -----------------------------------------------------------------------------------


def booster(case, user, *, on: date = date(2027, 4, 20), reason: str = "", by=None):
    return record_booster(
        case_id=case.pk,
        user=user,
        requested_by=Requester.FAMILY,
        requested_on=on - timedelta(days=2),
        delivered_by=by or user,
        delivered_on=on,
        duration_minutes=90,
        notes="Relapse after a bereavement.",
        over_limit_reason=reason,
    )


def test_boosters_up_to_the_team_limit_then_a_manager_with_a_reason(
    clock, case, practitioner, manager
) -> None:
    assert case.team.booster_limit == 3
    clock(2027, 5, 1)
    for day in (10, 17, 24):
        made = booster(case, practitioner, on=date(2027, 4, day))
        assert made.approved_by is None
        assert made.over_limit_reason == ""
    assert Booster.objects.filter(case=case).count() == 3

    with pytest.raises(ServiceError, match="has had 3 booster sessions"):
        booster(case, practitioner, reason="The family asked again.")
    with pytest.raises(ServiceError, match="Give the reason for going past"):
        booster(case, manager, by=practitioner)
    with pytest.raises(ServiceError, match="Give the reason for going past"):
        booster(case, manager, by=practitioner, reason="   ")
    assert Booster.objects.filter(case=case).count() == 3

    fourth = booster(
        case, manager, by=practitioner, reason="  Court date next week; the social worker agrees.  "
    )
    fourth.refresh_from_db()
    assert fourth.approved_by == manager
    assert fourth.delivered_by == practitioner
    assert fourth.over_limit_reason == "Court date next week; the social worker agrees."
    assert Booster.objects.filter(case=case).count() == 4


def test_a_manager_of_another_team_cannot_approve_a_booster_past_the_limit(
    clock, case, practitioner, other_manager
) -> None:
    clock(2027, 2, 20)
    for day in (14, 15, 16):
        booster(case, practitioner, on=date(2027, 2, day))
    with pytest.raises(ServiceError, match="A manager must approve"):
        booster(case, other_manager, on=date(2027, 2, 17), reason="Please")
    assert Booster.objects.filter(case=case).count() == 3


def test_the_booster_limit_is_a_team_setting(clock, case, practitioner) -> None:
    case.team.booster_limit = 1
    case.team.save()
    booster(case, practitioner, on=date(2027, 2, 14))
    with pytest.raises(ServiceError, match="has had 1 booster sessions"):
        booster(case, practitioner, on=date(2027, 2, 15))


def test_a_reason_given_within_the_limit_is_not_kept(clock, case, manager) -> None:
    made = booster(case, manager, on=date(2027, 2, 14), reason="Not needed yet")
    assert (made.over_limit_reason, made.approved_by) == ("", None)


@pytest.mark.parametrize(
    "stage", ["awaiting_assessment", "assessment", "phase1", "step_down", "closed"]
)
def test_boosters_only_in_phase2(clock, case, practitioner, manager, stage: str) -> None:
    case.stage = stage
    case.save()
    for user in (practitioner, manager):
        with pytest.raises(ServiceError, match="Booster sessions are given in Phase 2"):
            booster(case, user, on=date(2027, 2, 14), reason="Urgent")
    assert not Booster.objects.exists()


def test_booster_dates_and_duration_are_checked(clock, case, practitioner) -> None:
    def attempt(**overrides):
        values = {
            "case_id": case.pk,
            "user": practitioner,
            "requested_by": Requester.SOCIAL_WORKER,
            "requested_on": date(2027, 2, 13),
            "delivered_by": practitioner,
            "delivered_on": date(2027, 2, 14),
            "duration_minutes": 60,
        }
        values.update(overrides)
        return record_booster(**values)

    with pytest.raises(ServiceError, match="before it was asked for"):
        attempt(delivered_on=date(2027, 2, 12))
    with pytest.raises(ServiceError, match="in the future"):
        attempt(requested_on=date(2027, 2, 15), delivered_on=date(2027, 2, 16))
    for minutes in (0, -5, 24 * 60 + 1):
        with pytest.raises(ServiceError, match="between 1 minute and 24 hours"):
            attempt(duration_minutes=minutes)
    assert not Booster.objects.exists()
    assert attempt().requested_by == "social_worker"

"""Phase 2: the review schedule, reviews with goal re-scores, and booster sessions."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from cases import pathway
from cases.errors import ServiceError, StaleEdit
from cases.models import Case
from outcomes.models import Goal, GoalScore
from reference.models import OnwardService
from referrals.services import tell_referrer

from .models import Booster, Review


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def schedule_reviews(*, case_id: int) -> list[Review]:
    """Create the reviews at the team's offsets after Phase 1 ended. Idempotent."""
    case = Case.objects.select_for_update().select_related("team").get(pk=case_id)
    if case.phase1_end is None:
        raise ServiceError(_("Reviews are scheduled when Phase 1 ends."))
    for months in sorted({int(m) for m in case.team.review_offsets_months}):
        Review.objects.get_or_create(
            case=case,
            offset_months=months,
            defaults={"due_on": add_months(case.phase1_end, months)},
        )
    return list(Review.objects.filter(case=case))


@dataclass
class ReviewData:
    held_on: date
    attendees: str
    progress: str
    plan_still_fit: bool
    services_signposted: list[OnwardService]
    scores: dict[int, int]  # goal id -> score
    outside_window_reason: str = ""


def _day(day: date) -> str:
    return day.strftime("%d %B %Y").lstrip("0")


def check_review_day(review: Review, held_on: date, outside_window_reason: str) -> str:
    """The review's day against its window and the case's other reviews. Returns the reason
    to record (empty when the day is within the window); raises when the day is refused."""
    opens, closes = review.window(review.case.team)
    for other in Review.objects.filter(case_id=review.case_id, held_on__isnull=False).exclude(
        pk=review.pk
    ):
        earlier = other.offset_months < review.offset_months
        if (earlier and held_on <= other.held_on) or (not earlier and held_on >= other.held_on):
            raise ServiceError(
                _(
                    "The %(this)s must be held %(order)s the %(other)s, which was held on "
                    "%(day)s: two reviews cannot share a day."
                )
                % {
                    "this": review,
                    "order": _("after") if earlier else _("before"),
                    "other": other,
                    "day": _day(other.held_on),
                }
            )
    if opens <= held_on <= closes:
        return ""
    if not outside_window_reason.strip():
        raise ServiceError(
            _(
                "%(day)s is outside the %(review)s's window (%(opens)s to %(closes)s). "
                "Give the reason it was held then."
            )
            % {"day": _day(held_on), "review": review, "opens": _day(opens), "closes": _day(closes)}
        )
    return outside_window_reason.strip()


@transaction.atomic
def record_review(*, review_id: int, user: User, data: ReviewData, version: int) -> Review:
    """Record a held review with a score for every goal, then send the referrer the report."""
    # The case first (the order every writer takes): its reviews are then recorded one at a
    # time, so two cannot claim the same day at once.
    case_id = Review.objects.values_list("case_id", flat=True).get(pk=review_id)
    list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk", flat=True))
    review = (
        Review.objects.select_for_update()
        .select_related("case__referral", "case__family", "case__team")
        .get(pk=review_id)
    )
    case = review.case
    if review.version != version:
        raise StaleEdit(
            _(
                "Someone else updated this review while you were working on it. "
                "Its latest state is shown; what you typed is still in the form."
            )
        )
    if case.phase1_end is None or data.held_on < case.phase1_end:
        raise ServiceError(_("A review cannot be held before the end of Phase 1."))
    if data.held_on > timezone.localdate():
        raise ServiceError(_("A review cannot be recorded in the future."))
    if case.stage == pathway.Stage.CLOSED:
        raise ServiceError(_("The case is closed."))
    reason = check_review_day(review, data.held_on, data.outside_window_reason)
    goals = {g.pk: g for g in Goal.objects.filter(case=case)}
    if set(data.scores) - set(goals):
        raise ServiceError(_("Scores can be given only for this case's goals."))
    missing = [g.title for pk, g in goals.items() if pk not in data.scores]
    if missing:
        raise ServiceError(
            _("Score every goal at the review. Missing: %(goals)s") % {"goals": "; ".join(missing)}
        )
    if any(score not in (-2, -1, 0, 1, 2) for score in data.scores.values()):
        raise ServiceError(_("Goal scores run from -2 to +2."))
    review.held_on = data.held_on
    review.attendees = data.attendees
    review.progress = data.progress
    review.plan_still_fit = data.plan_still_fit
    review.outside_window_reason = reason
    review.recorded_by = user
    review.version += 1
    review.save()
    review.services_signposted.set(data.services_signposted)
    for goal_id, score in data.scores.items():
        GoalScore.objects.update_or_create(
            goal_id=goal_id,
            review=review,
            defaults={"score": score, "scored_on": data.held_on, "recorded_by": user},
        )
    review.report_sent_at = timezone.now()
    review.save(update_fields=["report_sent_at"])
    tell_referrer(
        case.referral,
        subject=_("%(review)s report: %(family)s") % {"review": review, "family": case.family},
        body=_(
            "The %(review)s for %(family)s was held on %(date)s. The written report is "
            "kept on the case; a team member can send you a copy."
        )
        % {"review": review, "family": case.family, "date": data.held_on.strftime("%d %B %Y")},
        url=reverse("reviews:report_pdf", args=[review.pk]),
    )
    return review


@transaction.atomic
def record_booster(
    *,
    case_id: int,
    user: User,
    requested_by: str,
    requested_on: date,
    delivered_by: User,
    delivered_on: date,
    duration_minutes: int,
    notes: str = "",
    over_limit_reason: str = "",
) -> Booster:
    """A booster session in Phase 2. Past the team's limit a manager must override with
    a reason (more than that and the case goes back to the social worker)."""
    case = Case.objects.select_for_update().select_related("team").get(pk=case_id)
    if case.stage != pathway.Stage.PHASE2:
        raise ServiceError(_("Booster sessions are given in Phase 2."))
    if case.phase1_end and requested_on < case.phase1_end:
        raise ServiceError(_("A booster is asked for in Phase 2, after Phase 1 ended."))
    if delivered_on < requested_on:
        raise ServiceError(_("A booster cannot be delivered before it was asked for."))
    if delivered_on > timezone.localdate():
        raise ServiceError(_("A booster cannot be recorded in the future."))
    if duration_minutes <= 0 or duration_minutes > 24 * 60:
        raise ServiceError(_("Give a duration between 1 minute and 24 hours."))
    used = Booster.objects.filter(case=case).count()
    approved_by = None
    if used >= case.team.booster_limit:
        if case.team_id not in user.team_ids_with_role(Role.MANAGER):
            raise ServiceError(
                _(
                    "This family has had %(n)s booster sessions, the team's limit. "
                    "A manager must approve another, with a reason."
                )
                % {"n": used}
            )
        if not over_limit_reason.strip():
            raise ServiceError(_("Give the reason for going past the booster limit."))
        approved_by = user
    return Booster.objects.create(
        case=case,
        requested_by=requested_by,
        requested_on=requested_on,
        delivered_by=delivered_by,
        delivered_on=delivered_on,
        duration_minutes=duration_minutes,
        notes=notes,
        over_limit_reason=over_limit_reason.strip() if approved_by else "",
        approved_by=approved_by,
    )

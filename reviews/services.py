"""Phase 2: the review schedule, reviews with goal re-scores, and booster sessions."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import ReportSignoff, Role, User
from cases import pathway
from cases.amendments import EntryStatus, check_current, check_reason, copy_of, may_correct, retire
from cases.deadlines import MAX_CONTACT_MINUTES
from cases.models import Case
from core.errors import ServiceError, StaleEdit
from notifications.services import notify_user, tell_referrer
from outcomes.models import Goal, GoalScore
from reference.models import OnwardService

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
    children_wellbeing: str = ""
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
    """Record a held review with a score for every goal. Its report is sent separately."""
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
    if review.held_on is not None:
        # Recording it again would overwrite what was recorded: a correction keeps it.
        raise ServiceError(
            _(
                "This review is already recorded. Use Correct on the case page, with a "
                "reason: the original record stays in the history."
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
    review.children_wellbeing = data.children_wellbeing
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
    return review


def _review_for_report(review_id: int, version: int) -> Review:
    review = (
        Review.objects.select_for_update()
        .select_related("case__referral__created_by", "case__family", "case__team")
        .get(pk=review_id)
    )
    if review.version != version:
        raise StaleEdit(
            _(
                "The review was changed after you previewed its report. "
                "Read the report again before sending it."
            )
        )
    if review.held_on is None:
        raise ServiceError(_("Record the review before sending its report."))
    if review.report_sent_at is not None:
        raise ServiceError(_("This report has already been sent to the referrer."))
    return review


@transaction.atomic
def send_review_report(*, review_id: int, user: User, version: int) -> Review:
    """Send the written report of a held review to the referrer, as a deliberate act after
    previewing it. Where the team wants a manager's sign-off, only a manager of the team
    may send it, and doing so is the sign-off."""
    review = _review_for_report(review_id, version)
    case = review.case
    needs_signoff = case.team.review_report_signoff == ReportSignoff.MANAGER
    if needs_signoff and not permissions.is_manager_of(user, case.team_id):
        raise ServiceError(
            _("In this team a manager signs off review reports: send it to a manager instead.")
        )
    review.report_sent_at = timezone.now()
    review.report_sent_by = user
    review.report_signed_off = needs_signoff
    review.save(update_fields=["report_sent_at", "report_sent_by", "report_signed_off"])
    # The referrer is told the family by the name they gave it, never the team's record.
    named = case.referral.name_as_referred
    tell_referrer(
        case.referral,
        subject=lambda: (
            _("%(review)s report: %(ref)s") % {"review": review, "ref": case.referral.reference}
        ),
        body=lambda: (
            _(
                "The %(review)s for %(family)s was held on %(date)s. Its written report is "
                "ready: open this notification in IFSS Case Manager to download it."
            )
            % {"review": review, "family": named, "date": review.held_on.strftime("%d %B %Y")}
        ),
        url=reverse("reviews:report_pdf", args=[review.pk]),
    )
    return review


@transaction.atomic
def submit_review_report(*, review_id: int, user: User, version: int) -> Review:
    """Put the report to the team's managers for sign-off (teams that want one)."""
    review = _review_for_report(review_id, version)
    case = review.case
    if case.team.review_report_signoff != ReportSignoff.MANAGER:
        raise ServiceError(_("In this team the worker sends review reports: send it directly."))
    if review.report_submitted_at is not None:
        raise ServiceError(_("This report is already with a manager for sign-off."))
    review.report_submitted_at = timezone.now()
    review.report_submitted_by = user
    review.save(update_fields=["report_submitted_at", "report_submitted_by"])
    managers = User.objects.filter(
        memberships__team=case.team,
        memberships__role=Role.MANAGER,
        memberships__active=True,
        is_active=True,
    ).distinct()
    for manager in managers:
        notify_user(
            recipient=manager,
            subject=lambda: (
                _("%(review)s report to sign off: %(case)s")
                % {"review": review, "case": case.reference}
            ),
            body=lambda: (
                _("%(user)s asks you to sign off the %(review)s report before it is sent.")
                % {"user": user.get_full_name() or user.username, "review": review}
            ),
            url=reverse("reviews:report", args=[review.pk]),
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
    if duration_minutes <= 0 or duration_minutes > MAX_CONTACT_MINUTES:
        raise ServiceError(_("Give a duration between 1 minute and 24 hours."))
    used = Booster.objects.filter(case=case).count()
    approved_by = None
    if used >= case.team.booster_limit:
        if not permissions.is_manager_of(user, case.team_id):
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


# --- Corrections and withdrawals (cases.amendments) ---------------------------------------


def _held_review_to_amend(review_id: int, user: User, version: int) -> Review:
    review = (
        Review.all_versions.select_for_update()
        .select_related("case__referral", "case__family")
        .get(pk=review_id)
    )
    if not may_correct(user, team_id=review.case.team_id, author_id=review.recorded_by_id):
        raise ServiceError(_("Only the review's author or a manager of the team can correct it."))
    check_current(review, version)
    if review.held_on is None:
        raise ServiceError(_("Only a review that was held can be corrected or withdrawn."))
    return review


def _retire_review_scores(review: Review, *, status: str, user: User, reason: str, when) -> None:
    for score in GoalScore.objects.select_for_update().filter(review=review):
        retire(score, status=status, user=user, reason=reason, when=when)


@transaction.atomic
def correct_review(
    *, review_id: int, user: User, data: ReviewData, reason: str, version: int
) -> Review:
    """A corrected record of a held review: a new review (same schedule) pointing at the
    original, which is kept with its scores, marked amended; the goals' scores at the
    review are the corrected ones."""
    review = _held_review_to_amend(review_id, user, version)
    reason = check_reason(reason)
    case = review.case
    if case.phase1_end is None or data.held_on < case.phase1_end:
        raise ServiceError(_("A review cannot be held before the end of Phase 1."))
    if data.held_on > timezone.localdate():
        raise ServiceError(_("A review cannot be recorded in the future."))
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
    # The corrected day is held to the review's window and order as a recorded one is.
    outside = check_review_day(review, data.held_on, data.outside_window_reason)
    now = timezone.now()
    retire(review, status=EntryStatus.AMENDED, user=user, reason=reason, when=now)
    _retire_review_scores(review, status=EntryStatus.AMENDED, user=user, reason=reason, when=now)
    corrected = copy_of(
        review,
        held_on=data.held_on,
        attendees=data.attendees,
        progress=data.progress,
        plan_still_fit=data.plan_still_fit,
        children_wellbeing=data.children_wellbeing or review.children_wellbeing,
        outside_window_reason=outside,
    )
    corrected.save()
    corrected.services_signposted.set(data.services_signposted)
    for goal_id, score in data.scores.items():  # one by one: each is in the audit log
        GoalScore.objects.create(
            goal_id=goal_id, review=corrected, score=score, scored_on=data.held_on, recorded_by=user
        )
    return corrected


@transaction.atomic
def withdraw_review(*, review_id: int, user: User, reason: str, version: int) -> Review:
    """A review recorded as held in error: kept with its scores, marked withdrawn; the
    review is due again (a new pending row on the same schedule)."""
    review = _held_review_to_amend(review_id, user, version)
    reason = check_reason(reason)
    now = timezone.now()
    retire(review, status=EntryStatus.WITHDRAWN, user=user, reason=reason, when=now)
    _retire_review_scores(review, status=EntryStatus.WITHDRAWN, user=user, reason=reason, when=now)
    pending = Review(
        case=review.case, offset_months=review.offset_months, due_on=review.due_on, corrects=review
    )
    pending.save()
    return review

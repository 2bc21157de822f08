from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import ReportSignoff
from audit.services import record_view
from cases.access import get_case_for_user
from cases.correctionflow import AmendableKind, get_entry_for_user
from cases.loads import caseworkers_with_load
from cases.models import Case
from core.formflow import carry_version, submit_to_service
from families.language import PRINT_CODES
from outcomes.models import Goal, GoalScore

from . import services
from .documents import render_review_report_pdf, review_report_context
from .forms import BoosterForm, ReportSendForm, ReviewForm
from .models import Booster, Review


def _review_for_user(request: HttpRequest, pk: int) -> Review:
    review = get_object_or_404(Review, pk=pk)
    get_case_for_user(request.user, review.case_id)  # 404 unless the case is visible
    return review


def _report_for_user(request: HttpRequest, pk: int) -> Review:
    """The written report goes to the referrer too, who may not see the rest of the case,
    but only once the team has sent it: a draft report is the team's alone."""
    review = get_object_or_404(
        Review.objects.select_related("case__referral"), pk=pk, held_on__isnull=False
    )
    if review.report_sent_at is not None and review.case.referral.created_by_id == request.user.pk:
        return review
    get_case_for_user(request.user, review.case_id)
    return review


def _review_data(d: dict, form: ReviewForm) -> services.ReviewData:
    return services.ReviewData(
        held_on=d["held_on"],
        attendees=d["attendees"],
        progress=d["progress"],
        plan_still_fit=d["plan_still_fit"],
        services_signposted=list(d["services_signposted"]),
        scores=form.scores(),
        children_wellbeing=d["children_wellbeing"],
        outside_window_reason=d["outside_window_reason"],
    )


def record_review(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_user(request, pk)
    case = get_case_for_user(request.user, review.case_id)
    record_view(review, case, case.family)
    goals = list(Goal.objects.filter(case=case))
    initial = {"version": review.version}
    if review.held_on:
        initial.update(
            held_on=review.held_on,
            attendees=review.attendees,
            progress=review.progress,
            children_wellbeing=review.children_wellbeing,
            plan_still_fit="yes" if review.plan_still_fit else "no",
            services_signposted=list(review.services_signposted.all()),
            outside_window_reason=review.outside_window_reason,
            **{f"goal_{s.goal_id}": s.score for s in review.scores.all()},
        )
    window = review.window(case.team)
    form = ReviewForm(request.POST or None, goals=goals, window=window, initial=initial)
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.record_review(
            review_id=review.pk,
            user=request.user,
            version=d["version"],
            data=_review_data(d, form),
        ),
        _("Review recorded. Read its report below, then send it to the referrer."),
    )
    if done:
        return redirect("reviews:report", pk=review.pk)
    if stale:
        review.refresh_from_db()
        carry_version(form, review.version)
    return render(
        request,
        "cases/case_form.html",
        {
            "case": case,
            "form": form,
            "title": _("%(review)s (due %(due)s)")
            % {"review": review, "due": review.due_on.strftime("%d %b %Y")},
            "latest_review": review if stale else None,
        },
    )


def review_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report previewed by the team, and sent on purpose: by the worker, or put to a
    manager who signs it off, as the team has chosen."""
    review = get_object_or_404(Review, pk=pk, held_on__isnull=False)
    case = get_case_for_user(request.user, review.case_id)
    form = ReportSendForm(request.POST or None, initial={"version": review.version})
    send = {
        "send": services.send_review_report,
        "submit": services.submit_review_report,
    }
    done, stale = submit_to_service(
        request,
        form,
        lambda d: send[d["action"]](review_id=review.pk, user=request.user, version=d["version"]),
        _("Sent to a manager for sign-off.")
        if form.data.get("action") == "submit"
        else _("The report has been sent to the referrer."),
    )
    if done:
        return redirect("reviews:report", pk=review.pk)
    if stale:
        carry_version(form, Review.objects.get(pk=review.pk).version)
    context = review_report_context(review)
    record_view(case)
    needs_signoff = case.team.review_report_signoff == ReportSignoff.MANAGER
    return render(
        request,
        "reviews/review_report.html",
        {
            **context,
            "form": form,
            "needs_signoff": needs_signoff,
            "is_manager": permissions.is_manager_of(request.user, case.team_id),
            "title": _("%(review)s report") % {"review": review},
        },
    )


def review_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    review = _report_for_user(request, pk)
    record_view(review.case)
    # The family's language (families.language), or ?lang=cy, en or both (side by side).
    language = request.GET.get("lang")
    language = language if language in PRINT_CODES else None
    response = HttpResponse(
        render_review_report_pdf(review, language), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'inline; filename="review-{review.case_id}-{review.offset_months}m.pdf"'
    )
    return response


def add_booster(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    record_view(case, case.family)
    workers = caseworkers_with_load(case.team)
    used = Booster.objects.filter(case=case).count()
    today = timezone.localdate()
    form = BoosterForm(
        request.POST or None,
        workers=workers,
        initial={"delivered_by": case.worker_id, "requested_on": today, "delivered_on": today},
    )
    done, _stale = submit_to_service(
        request,
        form,
        lambda d: services.record_booster(
            case_id=case.pk,
            user=request.user,
            requested_by=d["requested_by"],
            requested_on=d["requested_on"],
            delivered_by=d["delivered_by"],
            delivered_on=d["delivered_on"],
            duration_minutes=d["duration_minutes"],
            notes=d["notes"],
            over_limit_reason=d["over_limit_reason"],
        ),
        _("Booster session recorded."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {
            "case": case,
            "form": form,
            "title": _("Record a booster session"),
            "booster_note": _(
                "%(used)s of %(limit)s booster sessions used. The same worker is preferred: "
                "%(worker)s."
            )
            % {"used": used, "limit": case.team.booster_limit, "worker": case.worker},
        },
    )


# --- Corrections and withdrawals ----------------------------------------------------------


def _review_original(review: Review) -> list[tuple[str, object]]:
    scores = GoalScore.objects.filter(review=review).select_related("goal")
    return [
        (_("Review"), str(review)),
        (_("Held on"), review.held_on.strftime("%d %b %Y") if review.held_on else ""),
        (_("Who attended"), review.attendees),
        (_("Progress"), review.progress),
        (_("The plan is still fit for purpose"), _("Yes") if review.plan_still_fit else _("No")),
        *[(s.goal.title, f"{s.score:+d}") for s in scores],
        (_("Recorded by"), review.recorded_by),
    ]


def _held_review(request: HttpRequest, pk: int) -> tuple[Review, Case]:
    review, case = get_entry_for_user(request.user, Review, pk, author="recorded_by")
    if review.held_on is None:
        raise Http404  # a review not held yet is recorded, not corrected
    return review, case


def _review_initial(review: Review) -> dict[str, object]:
    return {
        "held_on": review.held_on,
        "attendees": review.attendees,
        "progress": review.progress,
        "plan_still_fit": "yes" if review.plan_still_fit else "no",
        "services_signposted": list(review.services_signposted.all()),
        "children_wellbeing": review.children_wellbeing,
        "outside_window_reason": review.outside_window_reason,
        **{f"goal_{s.goal_id}": s.score for s in GoalScore.objects.filter(review=review)},
    }


correct_review, withdraw_review = AmendableKind(
    name="review",
    model=Review,
    lookup=_held_review,
    form_class=ReviewForm,
    form_kwargs=lambda review, case: {
        "goals": list(Goal.objects.filter(case=case)),
        "window": review.window(case.team),
    },
    initial=_review_initial,
    original=_review_original,
    correct=services.correct_review,
    correct_data=lambda d, form, review: {"data": _review_data(d, form)},
    withdraw=services.withdraw_review,
    correct_title=gettext_lazy("Correct a review"),
    withdraw_title=gettext_lazy("Withdraw a review record"),
).views()

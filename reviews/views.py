from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_view
from cases.access import get_case_for_user
from cases.formflow import carry_version, submit_to_service
from outcomes.models import Goal
from referrals.services import caseworkers_with_load
from reporting.pdf import render_review_report_pdf

from . import services
from .forms import BoosterForm, ReviewForm
from .models import Booster, Review


def _review_for_user(request: HttpRequest, pk: int) -> Review:
    review = get_object_or_404(Review, pk=pk)
    get_case_for_user(request.user, review.case_id)  # 404 unless the case is visible
    return review


def _report_for_user(request: HttpRequest, pk: int) -> Review:
    """The written report goes to the referrer too, who may not see the rest of the case."""
    review = get_object_or_404(
        Review.objects.select_related("case__referral"), pk=pk, held_on__isnull=False
    )
    if review.case.referral.created_by_id == request.user.pk:
        return review
    get_case_for_user(request.user, review.case_id)
    return review


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
            plan_still_fit="yes" if review.plan_still_fit else "no",
            services_signposted=list(review.services_signposted.all()),
            **{f"goal_{s.goal_id}": s.score for s in review.scores.all()},
        )
    form = ReviewForm(request.POST or None, goals=goals, initial=initial)
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.record_review(
            review_id=review.pk,
            user=request.user,
            version=d["version"],
            data=services.ReviewData(
                held_on=d["held_on"],
                attendees=d["attendees"],
                progress=d["progress"],
                plan_still_fit=d["plan_still_fit"],
                services_signposted=list(d["services_signposted"]),
                scores=form.scores(),
            ),
        ),
        _("Review recorded. The referrer has been sent the report."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
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


def review_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    review = _report_for_user(request, pk)
    record_view(review.case)
    response = HttpResponse(render_review_report_pdf(review), content_type="application/pdf")
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

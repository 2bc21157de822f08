"""One function per printable document. The download views and tasks both use these."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import FamilyPlan
from families.models import Person
from outcomes.gas import gas_t_score
from outcomes.models import Goal
from reviews.models import Review


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported late: it loads native libraries

    html = render_to_string(template, {**context, "generated_at": timezone.now()})
    # Tagged PDF/UA-1: a structure tree for screen readers, and /Lang from <html lang>.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


def render_family_plan_pdf(plan: FamilyPlan) -> bytes:
    """The Family Plan as given to the family and the social worker: written for the
    family, so each goal is in the words of its scale, never a bare score."""
    plan = (
        FamilyPlan.objects.select_related(
            "case__family",
            "case__team",
            "case__worker",
            "case__co_worker",
            "case__referral",
            "case__assessment",
            "created_by",
        )
        .prefetch_related("invited_services")
        .get(pk=plan.pk)
    )
    goals = list(
        Goal.objects.filter(case=plan.case).select_related("category").prefetch_related("members")
    )
    rows = [{"goal": g, "now": g.level_text(g.baseline), "hoped": g.level_0} for g in goals]
    members = list(Person.objects.filter(family=plan.case.family))
    next_review = Review.objects.pending().filter(case=plan.case).first()
    return _pdf(
        "reporting/pdf/family_plan.html",
        {
            "plan": plan,
            "case": plan.case,
            "rows": rows,
            "members": members,
            # A case not yet assessed has no assessment row (and so no Safety Plan).
            "assessment": getattr(plan.case, "assessment", None),
            "next_review": next_review,
        },
    )


def review_report_context(review: Review) -> dict:
    """What the review report says, for the PDF and the preview page alike: each goal in
    the words of its scale, the children's safety and wellbeing, and the next review."""
    review = (
        Review.objects.select_related(
            "case__family",
            "case__team",
            "case__worker",
            "case__co_worker",
            "case__referral",
            "recorded_by",
            "report_sent_by",
            "report_submitted_by",
        )
        .prefetch_related("services_signposted")
        .get(pk=review.pk)
    )
    goals = list(
        Goal.objects.filter(case=review.case)
        .select_related("category")
        .prefetch_related("scores", "members")
    )
    rows = []
    for goal in goals:
        by_review = {s.review_id: s.score for s in goal.scores.all()}
        start, now = by_review.get(None), by_review.get(review.pk)
        rows.append(
            {
                "goal": goal,
                "start": start,
                "now": now,
                "start_text": goal.level_text(start) if start is not None else "",
                "now_text": goal.level_text(now) if now is not None else "",
                "expected": goal.level_0,
            }
        )
    scored = [(r["now"], r["goal"].weight) for r in rows if r["now"] is not None]
    t_score = gas_t_score([s for s, _ in scored], [w for _, w in scored]) if scored else None
    next_review = Review.objects.pending().filter(case=review.case).exclude(pk=review.pk).first()
    return {
        "review": review,
        "case": review.case,
        "rows": rows,
        "t_score": round(t_score, 1) if t_score is not None else None,
        "next_review": next_review,
    }


def render_review_report_pdf(review: Review) -> bytes:
    """The written report to the referrer after a Phase 2 review."""
    return _pdf("reporting/pdf/review_report.html", review_report_context(review))


def render_report_card_pdf(card: dict) -> bytes:
    """The report card as a board reads it: the same content as the page."""
    return _pdf("reporting/pdf/report_card.html", {"card": card})

"""The case's printable documents: the Family Plan and the Phase 2 review report. They read
the case, its goals (outcomes) and its reviews, so they live here, above both; the report
card's PDF is reporting's (reporting/pdf.py). Print CSS stays in templates/reporting/pdf/."""

from __future__ import annotations

from cases.models import FamilyPlan
from core.pdf import render_pdf
from families.language import family_language, lead_language, printed_in
from families.models import Person
from outcomes.gas import gas_t_score
from outcomes.models import Goal

from .models import Review


def render_family_plan_pdf(plan: FamilyPlan, language: str | None = None) -> bytes:
    """The Family Plan as given to the family and the social worker: written for the
    family, so each goal is in the words of its scale, never a bare score. In the family's
    language (families.language) unless another is asked for."""
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
    return render_pdf(
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
        html=printed_in(language or lead_language(members)),
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


def render_review_report_pdf(review: Review, language: str | None = None) -> bytes:
    """The written report to the referrer after a Phase 2 review."""
    context = review_report_context(review)
    return render_pdf(
        "reporting/pdf/review_report.html",
        context,
        html=printed_in(language or family_language(context["case"].family_id)),
    )

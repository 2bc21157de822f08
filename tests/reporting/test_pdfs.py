"""The printable Family Plan and review report: real PDFs with the right words in them,
from the render functions and through the download views, in a fixed number of queries.

The clock is frozen on Wednesday 18 November 2026. Phase 1 ended on 4 October, so the
1-month review fell due, and was held, on 4 November 2026.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from cases.models import FamilyPlan
from notifications.models import Notification
from reviews.documents import render_family_plan_pdf, render_review_report_pdf
from tests.cases.journey import NEEDS, SAFETY_PLAN, Stage, make_case

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=ZoneInfo("Europe/London"))
FAMILY = "Pritchard family"
PLAN_PDF_QUERIES = 6  # and the next review
REVIEW_PDF_QUERIES = 7  # and the next review, and the family's language (families.language)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def build(team_a, manager, practitioner, referrer):
    def build(**kwargs):
        kwargs.setdefault("family_name", FAMILY)
        return make_case(
            team_a,
            manager,
            practitioner,
            referrer,
            stage=Stage.PHASE2,
            phase1_ended_days_ago=45,
            **kwargs,
        )

    return build


def pdf_text(content: bytes) -> str:
    """All the text of a PDF, whitespace collapsed."""
    assert content[:5] == b"%PDF-", content[:20]
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def goal_title(n: int) -> str:
    return f"Goal {n}: keep the children safe at home"


# --- The Family Plan --------------------------------------------------------------------


def test_family_plan_pdf_has_the_plan_in_it(build):
    j = build(goals=2, plans=2)
    plan = j.plans[-1]
    assert plan.number == 2

    text = pdf_text(render_family_plan_pdf(plan))

    assert f"Family Plan: {FAMILY}" in text
    assert re.search(r"Version\s*2\b", text), text[:400]
    assert NEEDS in text
    assert "IFST: weekly visits." in text  # what each service will do
    assert goal_title(1) in text
    assert goal_title(2) in text
    assert "G1 the expected outcome" in text
    assert "Kerry Jones" in text and "Jade Jones" in text  # the household
    assert "Sam Social-Worker" in text  # the social worker who referred
    assert "(draft 1)" not in text  # an earlier version's needs


def test_family_plan_pdf_is_written_for_the_family(build, practitioner2):
    j = build(goals=2, plans=1, co_worker=practitioner2)

    text = pdf_text(render_family_plan_pdf(j.plans[0]))

    # Each goal in the words of its scale: where things are now, what we hope for.
    assert re.search(
        re.escape(goal_title(1)) + r".*?G1 less than expected\s*G1 the expected outcome", text
    ), text
    assert "What we expect (0)" not in text
    assert not re.search(r"(?<![\w-])[+-]?[-][12](?!\d)|\(0\)", text), "a bare score: " + text
    # The Safety Plan from the assessment, and the next review.
    assert "Keeping the children safe: the Safety Plan" in text
    assert SAFETY_PLAN in text
    assert "Next review 1-month review on 4 November 2026" in text
    # The co-worker named as co-worker, not as a second spearhead worker.
    assert f"Co-worker {practitioner2}" in text
    assert f"Spearhead worker {j.worker}" in text
    assert f"{j.worker}, {practitioner2}" not in text


def test_family_plan_pdf_signatures_have_names_and_date_lines(build, practitioner2):
    j = build(goals=1, plans=1, co_worker=practitioner2)

    text = pdf_text(render_family_plan_pdf(j.plans[0]))

    signatures = text[text.index("Signatures") :]
    assert "Name Signature Date" in signatures
    for who in ("Family member", f"Spearhead worker {j.worker}", f"Co-worker {practitioner2}"):
        assert f"{who} ____/____/________" in signatures, signatures
    assert "Social worker Sam Social-Worker ____/____/________" in signatures


@pytest.mark.parametrize("lines", range(30, 80, 5))
def test_family_plan_signature_block_is_never_split_from_itself(build, lines):
    """Whatever the length of the plan, the signature block is on one page: it moves to
    the next page whole rather than leave its heading behind (break-inside: avoid)."""
    j = build(goals=1, plans=1)
    plan = j.plans[0]
    FamilyPlan.objects.filter(pk=plan.pk).update(
        needs="\n".join(f"Need {n}: more calm in the mornings." for n in range(lines))
    )

    reader = PdfReader(io.BytesIO(render_family_plan_pdf(plan)))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]

    [signing] = [p for p in pages if "Signatures" in p]
    assert "Social worker Sam Social-Worker ____/____/________" in signing


def test_a_plan_before_phase1_ends_says_when_reviews_are_set(
    team_a, manager, practitioner, referrer
):
    j = make_case(team_a, manager, practitioner, referrer, stage=Stage.PHASE1, plans=1)

    text = pdf_text(render_family_plan_pdf(j.plans[0]))

    assert "The reviews are set when the intensive work (Phase 1) ends." in text


def test_an_earlier_family_plan_version_prints_as_it_was(build):
    j = build(goals=1, plans=2)

    text = pdf_text(render_family_plan_pdf(j.plans[0]))

    assert re.search(r"Version\s*1\b", text)
    assert f"{NEEDS} (draft 1)" in text


def test_family_plan_download(build, practitioner):
    j = build(goals=1, plans=1)
    plan = j.plans[0]
    client = Client()
    client.force_login(practitioner)

    response = client.get(reverse("cases:plan_pdf", args=[plan.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (f'inline; filename="family-plan-{j.case.pk}-v1.pdf"')
    text = pdf_text(response.content)
    assert f"Family Plan: {FAMILY}" in text
    assert NEEDS in text
    assert goal_title(1) in text


@pytest.mark.parametrize("goals", [1, 6])
def test_family_plan_pdf_queries_are_fixed(build, goals, django_assert_num_queries):
    j = build(goals=goals, plans=1)

    with django_assert_num_queries(PLAN_PDF_QUERIES):
        text = pdf_text(render_family_plan_pdf(j.plans[0]))

    assert goal_title(goals) in text


def test_family_plan_pdf_queries_same_for_1_and_6_goals(build):
    one, six = build(goals=1), build(goals=6, family_name="Larger family")

    counts = []
    for plan in (one.plans[0], six.plans[0]):
        with CaptureQueriesContext(connection) as ctx:
            render_family_plan_pdf(plan)
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]


# --- The review report ------------------------------------------------------------------


def test_review_report_pdf_has_the_review_in_it(build):
    j = build(goals=1, reviews_held=1, review_score=1)
    review = j.reviews[0]

    text = pdf_text(render_review_report_pdf(review))

    assert f"1-month review report: {FAMILY}" in text
    assert "Held on 4 November 2026" in text
    assert "Sam Social-Worker, Children's Services" in text  # to the referrer
    # The goal in the words of its scale: -1 at the start, +1 now, and what was hoped for.
    assert re.search(
        re.escape(goal_title(1))
        + r"\s*G1 less than expected\s*G1 more than expected\s*G1 the expected outcome",
        text,
    ), text
    assert not re.search(r"(?<![\w-])[+-][12](?!\d)", text), "a bare GAS score: " + text
    assert "The children's safety and wellbeing" in text
    assert "The children are safe at the 1-month review." in text
    assert "Next review 3-month review, due 4 January 2027" in text
    # One goal at +1: T = 50 + 10 / sqrt(0.7 + 0.3) = 60.0
    assert "Family GAS T-score at this review: 60.0 (50 = goals met as expected)." in text
    assert "Progress at the 1-month review." in text


def test_review_report_download(build, practitioner):
    j = build(goals=2, reviews_held=1, review_score=1)
    review = j.reviews[0]
    client = Client()
    client.force_login(practitioner)

    response = client.get(reverse("reviews:report_pdf", args=[review.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (f'inline; filename="review-{j.case.pk}-1m.pdf"')
    text = pdf_text(response.content)
    assert "1-month review report" in text
    assert "4 November 2026" in text
    assert goal_title(2) in text
    # Two goals at +1: T = 50 + 20 / sqrt(0.7 * 2 + 0.3 * 4) = 62.4
    assert "Family GAS T-score at this review: 62.4" in text


def test_the_referrer_is_told_where_to_download_the_report(build):
    j = build(goals=1, reviews_held=1)
    review = j.reviews[0]

    notice = Notification.objects.filter(
        recipient=j.referrer, subject__startswith="1-month review report"
    )
    assert notice.get().url == reverse("reviews:report_pdf", args=[review.pk])


@pytest.mark.parametrize("goals", [1, 6])
def test_review_report_pdf_queries_are_fixed(build, goals, django_assert_num_queries):
    j = build(goals=goals, reviews_held=1)

    review = j.reviews[0]

    with django_assert_num_queries(REVIEW_PDF_QUERIES):
        text = pdf_text(render_review_report_pdf(review))

    assert goal_title(goals) in text


def test_review_report_pdf_queries_same_for_1_and_6_goals(build):
    one = build(goals=1, reviews_held=1)
    six = build(goals=6, reviews_held=1, family_name="Larger family")

    counts = []
    for review in (one.reviews[0], six.reviews[0]):
        with CaptureQueriesContext(connection) as ctx:
            render_review_report_pdf(review)
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]

"""The review report through the pages: previewed by the team, sent on purpose (or put to a
manager to sign off, as the team has chosen), then downloaded by the referrer.

The clock is frozen on Wednesday 18 November 2026; Phase 1 ended 45 days before, so the
1-month review was held on 4 November 2026.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ReportSignoff
from cases.models import Case
from notifications.models import Notification
from reviews.models import Review
from tests.cases.journey import Stage, make_case

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def build(team_a, manager, practitioner, referrer):
    def build(**kwargs):
        kwargs.setdefault("family_name", "Pritchard family")
        return make_case(
            team_a,
            manager,
            practitioner,
            referrer,
            stage=Stage.PHASE2,
            phase1_ended_days_ago=45,
            reviews_held=1,
            reports_sent=False,
            **kwargs,
        )

    return build


def report_url(review: Review) -> str:
    return reverse("reviews:report", args=[review.pk])


def held(journey) -> Review:
    return Review.objects.get(pk=journey.reviews[0].pk)


def test_saving_a_review_leads_to_its_report_and_tells_the_referrer_nothing(
    team_a, manager, practitioner, referrer
):
    j = make_case(
        team_a, manager, practitioner, referrer, stage=Stage.PHASE2, phase1_ended_days_ago=45
    )
    review = j.reviews[0]
    data = {
        "version": review.version,
        "held_on": review.due_on.isoformat(),
        "attendees": "Mum",
        "progress": "Calmer mornings.",
        "children_wellbeing": "Safe and settled.",
        "plan_still_fit": "yes",
        **{f"goal_{g.pk}": "1" for g in j.goals},
    }

    response = login(practitioner).post(reverse("reviews:record", args=[review.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == report_url(review)
    assert not Notification.objects.filter(
        recipient=referrer, subject__contains="review report"
    ).exists()


def test_the_wellbeing_of_the_children_is_required_at_a_review(
    team_a, manager, practitioner, referrer
):
    j = make_case(
        team_a, manager, practitioner, referrer, stage=Stage.PHASE2, phase1_ended_days_ago=45
    )
    review = j.reviews[0]
    data = {
        "version": review.version,
        "held_on": review.due_on.isoformat(),
        "attendees": "Mum",
        "progress": "Calmer mornings.",
        "plan_still_fit": "yes",
        **{f"goal_{g.pk}": "1" for g in j.goals},
    }

    response = login(practitioner).post(reverse("reviews:record", args=[review.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors["children_wellbeing"] == ["This field is required."]
    assert Review.objects.get(pk=review.pk).held_on is None


def test_the_preview_shows_the_report_and_a_send_button(build, practitioner):
    j = build(goals=2)
    review = held(j)

    response = login(practitioner).get(report_url(review))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Not sent yet" in html
    assert "Send to the referrer" in html
    assert "Send to a manager for sign-off" not in html
    assert "The children are safe at the 1-month review." in html
    assert "G1 more than expected" in html  # the goal in words
    assert "3-month review, due 4 January 2027" in html  # the next review


def test_the_referrer_cannot_download_a_report_before_it_is_sent(build, referrer, practitioner):
    j = build(goals=1)
    review = held(j)
    url = reverse("reviews:report_pdf", args=[review.pk])

    assert login(referrer).get(url).status_code == 404

    response = login(practitioner).post(
        report_url(review), {"version": review.version, "action": "send"}
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.report_sent_by, review.report_sent_at) == (practitioner, NOW)
    [notice] = Notification.objects.filter(recipient=referrer, subject__contains="review report")
    assert notice.url == url
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=referrer).count()
    downloaded = login(referrer).get(url)
    assert downloaded.status_code == 200
    assert downloaded.content[:5] == b"%PDF-"
    # The download is a view of the case, logged with who viewed it.
    logged = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        actor=referrer,
        content_type=ContentType.objects.get_for_model(Case),
        object_pk=str(j.case.pk),
    )
    assert logged.count() == 1
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=referrer).count() > before


def test_a_report_sent_is_not_sent_again(build, practitioner, referrer):
    j = build(goals=1)
    review = held(j)
    client = login(practitioner)
    client.post(report_url(review), {"version": review.version, "action": "send"})

    response = client.post(report_url(review), {"version": review.version, "action": "send"})

    assert response.status_code == 200
    assert "already been sent" in response.content.decode()
    assert (
        Notification.objects.filter(recipient=referrer, subject__contains="review report").count()
        == 1
    )


def test_with_sign_off_the_worker_puts_it_to_a_manager_who_signs_it_off(
    build, team_a, practitioner, manager, referrer
):
    team_a.review_report_signoff = ReportSignoff.MANAGER
    team_a.save()
    j = build(goals=1)
    review = held(j)
    worker = login(practitioner)

    page = worker.get(report_url(review)).content.decode()
    assert "Send to a manager for sign-off" in page
    assert "Send to the referrer" not in page
    # Forcing a send is refused with the reason, and nothing reaches the referrer.
    refused = worker.post(report_url(review), {"version": review.version, "action": "send"})
    assert refused.status_code == 200
    assert "a manager signs off review reports" in refused.content.decode()
    assert not Notification.objects.filter(
        recipient=referrer, subject__contains="review report"
    ).exists()

    worker.post(report_url(review), {"version": review.version, "action": "submit"})
    [ask] = Notification.objects.filter(recipient=manager, subject__contains="to sign off")
    assert ask.url == report_url(review)
    boss = login(manager)
    assert "Sign off and send to the referrer" in boss.get(report_url(review)).content.decode()
    boss.post(report_url(review), {"version": review.version, "action": "send"})

    review.refresh_from_db()
    assert review.report_signed_off is True
    assert (review.report_submitted_by, review.report_sent_by) == (practitioner, manager)
    assert (
        Notification.objects.filter(recipient=referrer, subject__contains="review report").count()
        == 1
    )
    assert "Signed off by" in boss.get(report_url(review)).content.decode()


def test_an_empty_or_unknown_action_is_a_message_not_an_error(build, practitioner):
    j = build(goals=1)
    review = held(j)
    client = login(practitioner)

    for data in ({}, {"version": review.version, "action": "shout"}):
        assert client.post(report_url(review), data).status_code == 200
    review.refresh_from_db()
    assert review.report_sent_at is None


def test_the_preview_queries_are_the_same_for_1_and_6_goals(build, practitioner):
    one = held(build(goals=1))
    six = held(build(goals=6, family_name="Larger family"))
    client = login(practitioner)
    client.get(report_url(one))  # the session and the content types, once

    counts = []
    for review in (one, six):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(report_url(review)).status_code == 200
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]

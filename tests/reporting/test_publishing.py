"""Publishing a report card: the figures the board sees, frozen at publication. A later
change to the records (here a direct contact recorded late, dated inside the quarter) never
changes them silently: it shows as a revision with the differences, published only with a
reason, and the card can be read as it stood on any date.

End to end through the pages: publish -> change a record -> revision shows the difference
-> publish the revision -> the board sees both, and each as at its date."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Notification
from reporting import services
from reporting.models import BuildStatus, PublishedCard, ReportBuild
from reporting.periods import quarter
from reporting.queries import team_scope

from .fixture import Q1, adult, at, child, d, fam, make_cast
from .test_card_views import pdf_text

pytestmark = pytest.mark.django_db

QUERY = "period_kind=quarter&year=2025&quarter=1&basis=events"
PUBLISHED_ON = at(2025, 7, 10, 12)
CORRECTED_ON = at(2025, 8, 4, 12)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cast():
    return make_cast(prefix="pub")


def in_phase1(cast):
    f = fam(
        cast,
        "A",
        "Frozen",
        "cardiff",
        "lone_mother",
        [adult("Ann", "female", substances=("alcohol",)), child("Bo", d(2016, 1, 1))],
    )
    received = at(2025, 5, 1)
    f.refer(received).screen("accepted", received + timedelta(hours=1))
    f.allocate(received + timedelta(hours=2))
    f.assess(received + timedelta(days=1), received + timedelta(days=2))
    f.proceed(received + timedelta(days=2, hours=1))
    return f.contact(at(2025, 5, 6, 10), 120)  # 2 hours of direct work in Q1


def direct_hours_shown(page: str) -> str:
    row = re.search(r'data-measure="direct_hours".*?</tr>', page, re.S)[0]
    return re.search(r'<span class="fs-5">([^<]*)</span>', row)[1]


def value(card, code: str):
    return card.data["measures"][code]["value"]


def test_publish_then_a_late_record_shows_as_a_revision_with_its_difference(
    cast,
    time_machine,
    eager_celery,
    django_capture_on_commit_callbacks,
) -> None:
    f = in_phase1(cast)
    taff = f"team-{cast.taff.pk}"
    card_page = f"{reverse('reporting:card')}?scope={taff}&{QUERY}"
    manager, board = login(cast.manager_a), login(cast.board_a)

    # Before publication the board sees nothing of the quarter, and no live card.
    time_machine.move_to(PUBLISHED_ON, tick=False)
    assert board.get(card_page).status_code == 404
    assert "No report cards published yet" in board.get(reverse("reporting:reports")).text
    assert "Publish these figures" in manager.get(card_page).text

    # The manager publishes: the figures are frozen, a PDF of them is built, the board told.
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"{reverse('reporting:publish')}?scope={taff}&{QUERY}")
    first = PublishedCard.objects.get()
    assert response["Location"] == reverse("reporting:published_card", args=[first.pk])
    assert (first.revision, first.published_by, first.published_at) == (
        0,
        cast.manager_a,
        PUBLISHED_ON,
    )
    assert value(first, "direct_hours") == 2.0
    build = ReportBuild.objects.get(published=first)
    assert build.status == BuildStatus.DONE
    assert Notification.objects.filter(
        recipient=cast.board_a, subject="Report card published: Taff IFST, Q1 2025-26"
    ).exists()
    # Publishing twice is refused: a published card changes only by a revision.
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"{reverse('reporting:publish')}?scope={taff}&{QUERY}")
    assert PublishedCard.objects.count() == 1

    # A contact of 60 minutes on 20 June is recorded late, on 4 August.
    time_machine.move_to(CORRECTED_ON, tick=False)
    f.contact(at(2025, 6, 20, 10), 60)

    # The published card has not changed, and the board still reads 2 hours.
    first.refresh_from_db()
    assert value(first, "direct_hours") == 2.0
    page = board.get(reverse("reporting:published_card", args=[first.pk])).text
    assert direct_hours_shown(page) == "2"
    board_pdf = pdf_text(board.get(reverse("reporting:build_pdf", args=[build.pk])).content)
    assert "Taff IFST" in board_pdf

    # The manager checks for a revision: the difference is shown, published vs now.
    revision_url = f"{reverse('reporting:revision')}?scope={taff}&{QUERY}"
    page = manager.get(revision_url).text
    assert "Hours of direct work: value" in page
    assert ">2.0<" in page and ">3.0<" in page

    # Without a reason nothing is published, and the form says so.
    response = manager.post(revision_url, {"revision": "0", "reason": "  "})
    assert response.status_code == 200
    assert "This field is required" in response.text
    assert PublishedCard.objects.count() == 1

    # With a reason, the revision is published with its differences.
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            revision_url, {"revision": "0", "reason": "A June visit was recorded late."}
        )
    second = PublishedCard.objects.get(revision=1)
    assert response["Location"] == reverse("reporting:published_card", args=[second.pk])
    assert second.reason == "A June visit was recorded late."
    assert value(second, "direct_hours") == 3.0
    assert {"what": "Hours of direct work: value", "published": 2.0, "now": 3.0} in (
        second.differences
    )
    assert Notification.objects.filter(
        recipient=cast.board_a, subject="Report card revised: Taff IFST, Q1 2025-26"
    ).exists()
    # Comparing against a revision that is no longer the latest is refused as stale.
    response = manager.post(revision_url, {"revision": "0", "reason": "Again."})
    assert "Someone published a revision" in response.text
    assert PublishedCard.objects.count() == 2

    # The board sees both: the revision with its reason and difference, the first as it was.
    page = board.get(reverse("reporting:published_card", args=[second.pk])).text
    assert "A June visit was recorded late." in page
    assert "Hours of direct work: value" in page
    assert "Revision 0" in page and "Revision 1" in page
    assert direct_hours_shown(page) == "3"
    assert (
        direct_hours_shown(board.get(reverse("reporting:published_card", args=[first.pk])).text)
        == "2"
    )
    first.refresh_from_db()
    assert value(first, "direct_hours") == 2.0

    # As at a date: the card as it stood then.
    reports = reverse("reporting:reports")
    as_published = board.get(f"{reports}?as_at=2025-07-20").text
    as_revised = board.get(f"{reports}?as_at=2025-08-04").text
    before = board.get(f"{reports}?as_at=2025-07-01").text
    assert reverse("reporting:published_card", args=[first.pk]) in as_published
    assert reverse("reporting:published_card", args=[second.pk]) not in as_published
    assert reverse("reporting:published_card", args=[second.pk]) in as_revised
    assert reverse("reporting:published_card", args=[first.pk]) not in as_revised
    assert "No card had been published by that date" in before
    # A bad date is a message, not a 500.
    assert board.get(f"{reports}?as_at=2025-13-45").status_code == 200


def test_only_managers_and_performance_officers_publish(cast, time_machine) -> None:
    in_phase1(cast)
    time_machine.move_to(PUBLISHED_ON, tick=False)
    query = f"?scope=team-{cast.taff.pk}&{QUERY}"
    for who in ("board_a", "worker_a", "referrer_a", "manager_b"):
        assert login(cast.users[who]).post(reverse("reporting:publish") + query).status_code == (
            404
        )
        assert login(cast.users[who]).get(reverse("reporting:revision") + query).status_code == (
            404
        )
    assert not PublishedCard.objects.exists()
    assert login(cast.performance_a).post(reverse("reporting:publish") + query).status_code == 302
    assert PublishedCard.objects.count() == 1


def test_the_board_sees_published_pdfs_only(cast, time_machine, eager_celery) -> None:
    in_phase1(cast)
    time_machine.move_to(PUBLISHED_ON, tick=False)
    live = services.request_build(
        user=cast.manager_a, scope=team_scope(cast.taff), period=Q1, basis="events"
    )
    services.run_build(build_id=live.pk)
    url = reverse("reporting:build_pdf", args=[live.pk])

    assert login(cast.manager_a).get(url).status_code == 200
    assert login(cast.performance_a).get(url).status_code == 200
    assert login(cast.board_a).get(url).status_code == 404
    assert url not in login(cast.board_a).get(reverse("reporting:reports")).text
    assert url in login(cast.performance_a).get(reverse("reporting:reports")).text


def test_a_published_card_is_not_anothers_teams_business(cast, time_machine) -> None:
    in_phase1(cast)
    time_machine.move_to(PUBLISHED_ON, tick=False)
    card = services.publish_card(
        user=cast.manager_a, scope=team_scope(cast.taff), period=Q1, basis="events"
    )
    url = reverse("reporting:published_card", args=[card.pk])
    for who, status in (
        ("board_a", 200),
        ("manager_a", 200),
        ("admin", 200),
        ("board_b", 404),
        ("manager_b", 404),
        ("worker_a", 404),
    ):
        assert login(cast.users[who]).get(url).status_code == status, who


def test_a_quarter_with_nothing_changed_has_no_revision(cast, time_machine) -> None:
    in_phase1(cast)
    time_machine.move_to(PUBLISHED_ON, tick=False)
    scope = team_scope(cast.taff)
    services.publish_card(user=cast.manager_a, scope=scope, period=Q1, basis="events")
    page = (
        login(cast.manager_a).get(f"{reverse('reporting:revision')}?scope={scope.key}&{QUERY}").text
    )
    assert "there is nothing to revise" in page
    with pytest.raises(services.ServiceError):
        services.publish_revision(
            user=cast.manager_a, scope=scope, period=Q1, basis="events", revision=0, reason="x"
        )
    # Another quarter is its own card.
    assert (
        services.publish_card(
            user=cast.manager_a, scope=scope, period=quarter(2025, 2), basis="events"
        ).revision
        == 0
    )

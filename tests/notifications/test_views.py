"""The bell, the notification list, opening one, and marking all read."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from tests.factories import NotificationFactory
from tests.referrals.support import assert_queries_constant

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def unread(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def test_the_bell_counts_my_unread_notifications_only(referrer, other_referrer):
    NotificationFactory.create_batch(2, recipient=referrer)
    NotificationFactory(recipient=referrer, read_at=timezone.now())
    NotificationFactory.create_batch(3, recipient=other_referrer)
    NotificationFactory(recipient=None, email="someone@example.org")

    page = login(referrer).get(reverse("home")).content.decode()

    assert 'data-testid="unread-count">2<' in page
    assert 'aria-label="2 unread notifications"' in page


def test_the_bell_shows_no_count_when_everything_is_read(referrer):
    NotificationFactory(recipient=referrer, read_at=timezone.now())

    page = login(referrer).get(reverse("home")).content.decode()

    assert 'data-testid="unread-count"' not in page
    assert 'aria-label="0 unread notifications"' in page


def test_the_list_shows_my_notifications_newest_first_and_not_anyone_elses(
    referrer, other_referrer
):
    NotificationFactory(recipient=referrer, subject="Older news")
    NotificationFactory(recipient=referrer, subject="Newer news", read_at=timezone.now())
    NotificationFactory(recipient=other_referrer, subject="Not for you")

    page = login(referrer).get(reverse("notifications:list")).content.decode()

    assert page.index("Newer news") < page.index("Older news")
    assert "Not for you" not in page
    assert page.count("· unread") == 1


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(referrer):
    note = NotificationFactory(recipient=referrer, url="/referrals/42/")
    other = NotificationFactory(recipient=referrer)

    response = login(referrer).post(reverse("notifications:open", args=[note.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/referrals/42/"
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None
    assert other.read_at is None


@pytest.mark.parametrize("url", ["", "https://evil.example/phish", "//evil.example/"])
def test_opening_a_notification_never_leaves_the_site(referrer, url):
    note = NotificationFactory(recipient=referrer, url=url)

    response = login(referrer).post(reverse("notifications:open", args=[note.pk]))

    assert response["Location"] == reverse("notifications:list")
    note.refresh_from_db()
    assert note.read_at is not None


def test_opening_needs_a_post(referrer):
    note = NotificationFactory(recipient=referrer, url="/referrals/42/")

    response = login(referrer).get(reverse("notifications:open", args=[note.pk]))

    assert response.status_code == 405
    assert unread(referrer) == 1


def test_another_users_notification_is_404_and_stays_unread(referrer, other_referrer):
    note = NotificationFactory(recipient=other_referrer, url="/referrals/42/")

    response = login(referrer).post(reverse("notifications:open", args=[note.pk]))

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_an_email_only_notice_cannot_be_opened_by_anyone(referrer):
    note = NotificationFactory(recipient=None, email="someone@example.org")

    response = login(referrer).post(reverse("notifications:open", args=[note.pk]))

    assert response.status_code == 404


def test_mark_all_read_marks_mine_only(referrer, other_referrer):
    NotificationFactory.create_batch(3, recipient=referrer)
    NotificationFactory.create_batch(2, recipient=other_referrer)

    response = login(referrer).post(reverse("notifications:read_all"))

    assert response["Location"] == reverse("notifications:list")
    assert unread(referrer) == 0
    assert unread(other_referrer) == 2


def test_mark_all_read_keeps_the_first_read_time(referrer):
    earlier = timezone.now() - timezone.timedelta(days=3)
    note = NotificationFactory(recipient=referrer, read_at=earlier)

    login(referrer).post(reverse("notifications:read_all"))

    note.refresh_from_db()
    assert note.read_at == earlier


def test_notification_list_queries_do_not_grow_with_notifications(
    referrer, django_assert_num_queries
):
    def add_rows(n: int) -> None:
        NotificationFactory.create_batch(n, recipient=referrer, subject="Row notice")

    assert_queries_constant(
        login(referrer),
        reverse("notifications:list"),
        add_rows=add_rows,
        marker="Row notice",
        # The page's groups (a walk back from the newest, one query here; no count), then
        # their members (one query for the page).
        expected=6,
        django_assert_num_queries=django_assert_num_queries,
    )

"""Fewer, better alerts: the list shows one row per case (or referral) and day with a count;
each user chooses, per kind, how a notification reaches them; the send path honours it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.paging import MAX_PAGE
from notifications import services
from notifications.models import (
    DEFAULT_CHANNELS,
    Channel,
    Emailing,
    Kind,
    Notification,
    Preference,
)
from notifications.tasks import send_daily_digests, send_pending_emails
from tests.factories import NotificationFactory
from tests.referrals.support import assert_queries_constant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

LONDON = ZoneInfo("Europe/London")
URL = "/notifications/"
PREFS = "/notifications/preferences/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=LONDON)


def make(time_machine, user, when: datetime, topic: str, subject: str) -> Notification:
    time_machine.move_to(when, tick=False)
    return NotificationFactory(recipient=user, topic=topic, subject=subject)


def groups(page: str) -> list[str]:
    body = page.split('data-testid="notification-groups"')[1]
    return body.split('data-testid="notification-group"')[1:]


# --- the list, grouped ----------------------------------------------------------------------


def test_the_urls():
    assert reverse("notifications:list") == URL
    assert reverse("notifications:preferences") == PREFS


def test_one_row_per_case_and_day_with_a_count_newest_first(time_machine, referrer):
    make(time_machine, referrer, at(2, 9), "referral:5", "Referral 5: received")
    make(time_machine, referrer, at(2, 11), "referral:5", "Referral 5: accepted")
    make(time_machine, referrer, at(2, 15), "referral:5", "Referral 5: allocated")
    make(time_machine, referrer, at(2, 10), "referral:6", "Referral 6: received")
    make(time_machine, referrer, at(3, 9), "referral:5", "Referral 5: Phase 2")
    make(time_machine, referrer, at(3, 8), "", "Standalone one")
    make(time_machine, referrer, at(3, 8, 30), "", "Standalone two")

    page = login(referrer).get(URL).content.decode()

    rows = groups(page)
    assert len(rows) == 5
    first, two, one, case5, case6 = rows
    assert "Referral 5: Phase 2" in first and "group-count" not in first
    assert "Standalone two" in two and "Standalone one" not in two
    assert "Standalone one" in one
    # The group is headed by its newest, counts its members and opens to show each.
    assert "<summary>" in case5 and "3 notifications" in case5 and "3 unread" in case5
    assert case5.index("Referral 5: allocated") < case5.index("Referral 5: accepted")
    assert "Referral 5: received" in case5
    assert "Referral 6: received" in case6 and "Referral 5" not in case6


def test_the_day_is_the_local_day_not_utc(time_machine, referrer):
    # 23:30 and 00:30 British Summer Time are the same UTC day but two local days.
    summer = ZoneInfo("Europe/London")
    make(time_machine, referrer, datetime(2026, 7, 1, 23, 30, tzinfo=summer), "case:1", "Late")
    make(time_machine, referrer, datetime(2026, 7, 2, 0, 30, tzinfo=summer), "case:1", "Early")

    assert len(groups(login(referrer).get(URL).content.decode())) == 2


def test_a_group_shows_its_first_minutes_of_the_local_day(time_machine, referrer):
    # The members of a page's groups are read from the start of its earliest local day:
    # 00:05 British Summer Time is the day before in UTC.
    summer = ZoneInfo("Europe/London")
    make(time_machine, referrer, datetime(2026, 7, 2, 0, 5, tzinfo=summer), "case:1", "Early")
    make(time_machine, referrer, datetime(2026, 7, 2, 12, 0, tzinfo=summer), "case:1", "Noon")

    [row] = groups(login(referrer).get(URL).content.decode())
    assert "2 notifications" in row and "Early" in row and "Noon" in row


def test_a_read_member_leaves_the_group_unread_count_but_not_the_group(time_machine, referrer):
    note = make(time_machine, referrer, at(2, 9), "case:1", "First")
    make(time_machine, referrer, at(2, 10), "case:1", "Second")
    services.mark_read(user=referrer, notification_id=note.pk)

    [row] = groups(login(referrer).get(URL).content.decode())
    assert "2 notifications" in row and "1 unread" in row


def test_another_users_notifications_never_join_my_groups(time_machine, referrer, other_referrer):
    make(time_machine, referrer, at(2, 9), "referral:5", "Mine")
    make(time_machine, other_referrer, at(2, 10), "referral:5", "Theirs")

    page = login(referrer).get(URL).content.decode()
    assert "Mine" in page and "Theirs" not in page and "group-count" not in page


def test_the_grouped_list_queries_do_not_grow(referrer, django_assert_num_queries):
    def add_rows(n: int) -> None:
        for i in range(n):
            # Two in each group: the groups' members are read in one query whatever their number.
            NotificationFactory(recipient=referrer, topic=f"case:{i}-{n}", subject="Row notice")
            NotificationFactory(recipient=referrer, topic=f"case:{i}-{n}", subject="Older")

    assert_queries_constant(
        login(referrer),
        URL,
        add_rows=add_rows,
        marker="Row notice",
        expected=6,  # the page's groups (a walk, one query here) and their members
        django_assert_num_queries=django_assert_num_queries,
    )


def test_pages_of_groups_are_found_by_walking_back_only_as_far_as_they_reach(referrer):
    """30 groups of 3 (90 notifications): page 1 is found in two steps of the walk (52
    rows, then 104), page 2 in one (112 rows, all there is). Each group is placed by its
    newest notification, newest first, with all its members."""
    start = datetime(2026, 3, 2, 8, 0, tzinfo=LONDON)
    for g in range(30):
        for k in range(3):
            moment = start + timedelta(days=g, minutes=k)
            n = NotificationFactory(recipient=referrer, topic=f"case:{g}", subject=f"G{g}-{k}")
            Notification.objects.filter(pk=n.pk).update(created_at=moment)
    client = login(referrer)
    first = client.get(URL).context["page"]
    assert [g["latest_one"].subject for g in first] == [f"G{g}-2" for g in range(29, 4, -1)]
    assert all(g["n"] == 3 and g["unread"] == 3 for g in first)
    assert first.has_next() and not first.has_previous()
    second = client.get(URL, {"page": 2}).context["page"]
    assert [g["latest_one"].subject for g in second] == [f"G{g}-2" for g in range(4, -1, -1)]
    assert not second.has_next() and second.has_previous()
    beyond = client.get(URL, {"page": 999999}).context["page"]
    assert list(beyond) == [] and beyond.number == MAX_PAGE


def test_the_list_reaches_back_max_page_pages_and_says_older_are_not_listed(referrer, monkeypatch):
    monkeypatch.setattr("notifications.views.MAX_PAGE", 2)
    monkeypatch.setattr("accounts.paging.MAX_PAGE", 2)
    monkeypatch.setattr("notifications.views.GROUPS_PER_PAGE", 2)
    for g in range(5):
        NotificationFactory(recipient=referrer, topic=f"case:{g}", subject=f"G{g}")
    client = login(referrer)

    second = client.get(URL, {"page": 2})
    assert [g["latest_one"].subject for g in second.context["page"]] == ["G2", "G1"]
    assert not second.context["page"].has_next()
    assert 'data-testid="older-not-listed"' in second.content.decode()
    first = client.get(URL).content.decode()
    assert 'data-testid="older-not-listed"' not in first


# --- choices per kind -----------------------------------------------------------------------


def test_the_defaults_email_what_needs_acting_on_and_keep_the_rest_out_of_the_inbox(referrer):
    assert services.channels_of(referrer) == DEFAULT_CHANNELS
    assert DEFAULT_CHANNELS[Kind.REMINDER_DUE] == Channel.EMAIL
    assert DEFAULT_CHANNELS[Kind.REMINDER_NOTICE] == Channel.DIGEST
    assert DEFAULT_CHANNELS[Kind.CAPACITY] == Channel.APP
    assert set(DEFAULT_CHANNELS) == set(Kind.values)  # every kind has a default


@pytest.mark.parametrize(
    ("channel", "in_app", "emailing", "queued"),
    [
        (Channel.EMAIL, True, Emailing.NOW, 1),
        (Channel.DIGEST, True, Emailing.DIGEST, 0),
        (Channel.APP, True, Emailing.NONE, 0),
        (Channel.OFF, False, None, 0),
    ],
)
def test_each_channel_is_honoured_by_the_send_path(
    referrer, channel, in_app, emailing, queued, django_capture_on_commit_callbacks
):
    services.set_preferences(user=referrer, channels={Kind.REFERRAL_NEWS: channel})

    with django_capture_on_commit_callbacks() as callbacks:
        note = services.notify_user(
            recipient=referrer, subject="News", body="b", kind=Kind.REFERRAL_NEWS
        )

    assert (note is not None) is in_app
    assert Notification.objects.filter(recipient=referrer).exists() is in_app
    if note is not None:
        assert note.emailing == emailing
    assert len(callbacks) == queued
    # Another kind keeps its default: emailed at once.
    other = services.notify_user(recipient=referrer, subject="x", body="b", kind=Kind.OTHER)
    assert other.emailing == Emailing.NOW


def test_only_at_once_notifications_are_caught_up_and_only_digest_ones_are_digested(
    time_machine, referrer
):
    services.set_preferences(
        user=referrer, channels={Kind.REFERRAL_NEWS: Channel.APP, Kind.ALLOCATION: Channel.DIGEST}
    )
    time_machine.move_to(at(2, 9), tick=False)
    services.notify_user(recipient=referrer, subject="App only", body="b", kind=Kind.REFERRAL_NEWS)
    services.notify_user(recipient=referrer, subject="For digest", body="b", kind=Kind.ALLOCATION)
    mail.outbox.clear()

    time_machine.move_to(at(2, 10), tick=False)
    assert send_pending_emails() == 0
    assert send_daily_digests() == 1
    [email] = mail.outbox
    assert "For digest" in email.body and "App only" not in email.body
    assert Notification.objects.get(subject="App only").emailed_at is None


def test_the_old_digest_switch_still_turns_at_once_into_the_digest(referrer):
    referrer.email_digest = True
    referrer.save(update_fields=["email_digest"])

    note = services.notify_user(recipient=referrer, subject="x", body="b", kind=Kind.OTHER)
    assert note.emailing == Emailing.DIGEST
    services.set_preferences(user=referrer, channels={Kind.OTHER: Channel.APP})
    assert services.notify_user(recipient=referrer, subject="y", body="b").emailing == (
        Emailing.NONE
    )


def test_escalations_cannot_be_turned_off(referrer, manager):
    with pytest.raises(ValueError, match="cannot be turned off"):
        services.set_preferences(user=manager, channels={Kind.ESCALATION: Channel.OFF})
    response = login(manager).post(PREFS, {**services.channels_of(manager), "escalation": "off"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Preference.objects.exists()
    # Even a row written by hand is refused by the database.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Preference.objects.create(user=manager, kind=Kind.ESCALATION, channel=Channel.OFF)


def test_the_page_saves_choices_and_a_default_leaves_no_row(referrer):
    client = login(referrer)
    page = client.get(PREFS).content.decode()
    assert 'name="reminder_notice" value="digest"' in page
    assert 'name="escalation" value="off"' not in page

    choices = {**services.channels_of(referrer), "referral_news": "app", "capacity": "off"}
    response = client.post(PREFS, choices)

    assert response.status_code == 302 and response["Location"] == PREFS
    assert dict(Preference.objects.filter(user=referrer).values_list("kind", "channel")) == {
        "referral_news": "app",
        "capacity": "off",
    }
    client.post(PREFS, {**choices, "referral_news": "email"})  # back to the default
    assert set(Preference.objects.values_list("kind", flat=True)) == {"capacity"}


def test_a_missing_or_unknown_choice_is_a_message_not_a_500(referrer):
    response = login(referrer).post(PREFS, {"referral_news": "carrier-pigeon"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "This field is required" in response.content.decode()


def test_the_choices_are_linked_from_the_notifications_and_the_account_menu(referrer):
    page = login(referrer).get(URL).content.decode()
    assert page.count(f'href="{PREFS}"') == 2


def test_a_users_choice_is_theirs_only(referrer, other_referrer):
    services.set_preferences(user=referrer, channels={Kind.OTHER: Channel.OFF})
    assert services.notify_user(recipient=referrer, subject="x", body="b") is None
    assert services.notify_user(recipient=other_referrer, subject="x", body="b") is not None


def test_a_days_worth_of_alerts_for_one_referral_is_one_row(time_machine, referrer):
    time_machine.move_to(at(2, 9), tick=False)
    for i in range(6):
        time_machine.shift(timedelta(minutes=10))
        services.notify_user(
            recipient=referrer,
            subject=f"Referral 5: step {i}",
            body="b",
            kind=Kind.REFERRAL_NEWS,
            topic="referral:5",
        )
    rows = groups(login(referrer).get(URL).content.decode())
    assert len(rows) == 1 and "6 notifications" in rows[0]

"""Practitioners' own deadlines, fewer and better alerts, and the referral form's small
things, end to end in Chromium:

- a practitioner opens "My due and overdue" from the Cases menu: their overdue item is red
  and says so in words, a colleague's is not there, a long family name wraps instead of
  widening the table, and the dashboard shows the next three;
- a referrer finds a day's news of one referral folded into one row with a count, opens
  it, and chooses on the preferences page to have that kind in the app only;
- on the referral form, "Add another member" adds a member in the page (no POST), and the
  consent date's "required" marker follows the consent answer.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Kind, Preference
from notifications.services import notify_user
from tests.browser.test_referral_journey import log_in
from tests.reminders.helpers import case_received

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# One unbroken word, as long as a family name may be (120 characters).
LONG_NAME = ("Abercrombie-Fitzwilliam-Montgomery-Llewellyn-Vaughan-Pritchard-Wynne-" * 2)[:120]


def _expect():
    from playwright.sync_api import expect

    return expect


def test_a_practitioner_sees_their_own_due_and_overdue_and_the_next_three(
    page, live_server, team_a, practitioner, practitioner2
) -> None:
    expect = _expect()
    now = timezone.now()
    case_received(team_a, practitioner, now - timedelta(hours=96), referral__family__name=LONG_NAME)
    for i in range(3):
        case_received(
            team_a,
            practitioner,
            now - timedelta(hours=20 + i),
            referral__family__name=f"Upcoming {i} family",
        )
    case_received(
        team_a, practitioner2, now - timedelta(hours=96), referral__family__name="Colleague family"
    )
    nav = page.get_by_role("navigation", name="Main")

    log_in(page, live_server, practitioner.username)
    # The dashboard: the next three, the overdue one first.
    next_due = page.get_by_test_id("next-due").locator("tbody tr")
    expect(next_due).to_have_count(3)
    expect(next_due.first).to_have_class(re.compile("overdue"))
    expect(next_due.first).to_contain_text("overdue by")
    expect(page.get_by_test_id("next-due")).not_to_contain_text("Upcoming 0 family")

    nav.get_by_role("button", name="Cases").click()
    nav.get_by_role("link", name="My due and overdue").click()
    expect(page).to_have_url(re.compile(r"/due/mine/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My due and overdue")
    rows = page.get_by_test_id("due-items").locator("tbody tr")
    expect(rows).to_have_count(4)
    overdue = rows.filter(has_text="Assessment").first
    expect(overdue).to_have_class(re.compile("overdue"))
    expect(overdue).to_contain_text("Overdue")
    expect(overdue).to_contain_text("overdue by 1 day")
    expect(rows.nth(1)).to_contain_text("due in")
    expect(page.get_by_test_id("due-items")).not_to_contain_text("Colleague family")
    expect(page.get_by_test_id("my-due-figures")).to_contain_text("1 overdue")

    # The long name wraps: the table is no wider than the page's content column.
    table_width, main_width = page.evaluate(
        "[document.querySelector('[data-testid=due-items]').scrollWidth,"
        " document.querySelector('main').clientWidth]"
    )
    assert table_width <= main_width


def test_a_referrer_sees_grouped_alerts_and_chooses_how_they_are_told(
    page, live_server, referrer
) -> None:
    expect = _expect()
    for step in ("received", "accepted", "allocated"):
        notify_user(
            recipient=referrer,
            subject=f"Referral 5: {step}",
            body=f"Your referral was {step}.",
            kind=Kind.REFERRAL_NEWS,
            topic="referral:5",
        )
    notify_user(recipient=referrer, subject="A note of its own", body="Hello.")

    log_in(page, live_server, referrer.username)
    expect(page.get_by_test_id("unread-count")).to_have_text("4")
    page.get_by_role("link", name=re.compile("unread notifications")).click()
    groups = page.get_by_test_id("notification-group")
    expect(groups).to_have_count(2)
    folded = groups.filter(has_text="3 notifications")
    expect(folded).to_contain_text("Referral 5: allocated")
    expect(folded).to_contain_text("3 unread")
    expect(folded.get_by_role("button", name="Referral 5: received")).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.get_by_role("button", name="Referral 5: received")).to_be_visible()

    page.get_by_role("link", name="Choose how you are told").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How you are told")
    news_app = page.get_by_role("radio", name="News of a referral I made: In the app only")
    expect(
        page.get_by_role(
            "radio", name="Reminders: something is due soon: In the app and in a daily email"
        )
    ).to_be_checked()
    expect(
        page.get_by_role("radio", name=re.compile(r"^Overdue items escalated.*: Off$"))
    ).to_have_count(0)
    news_app.check()
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_role("alert").filter(has_text="Your notification choices are saved.")
    ).to_be_visible()
    expect(news_app).to_be_checked()
    assert dict(Preference.objects.filter(user=referrer).values_list("kind", "channel")) == {
        "referral_news": "app"
    }

    # The account menu links the page too.
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name=str(referrer)).click()
    expect(nav.get_by_role("link", name="Notification choices")).to_be_visible()


def test_the_referral_form_adds_a_member_in_the_page_and_marks_the_consent_date(
    page, live_server, referrer
) -> None:
    expect = _expect()
    log_in(page, live_server, referrer.username)
    page.goto(f"{live_server.url}/referrals/new/")
    url = page.url
    members = page.locator(".member-form")
    expect(members).to_have_count(2)

    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_role("button", name="Add another member").click()
    expect(members).to_have_count(3)
    assert not [u for u in posts if "/referrals/" in u], posts  # added in the page, no POST
    expect(page).to_have_url(url)
    expect(page.locator("[name='members-2-last_name']")).to_be_visible()
    expect(page.locator("[name='members-TOTAL_FORMS']")).to_have_value("3")
    expect(members.nth(2)).to_contain_text("Member 3")

    marker = page.locator("[data-required-marker=consent_date]")
    expect(marker).to_be_hidden()
    page.get_by_label("Has the family consented to this referral?").select_option(label="Yes")
    expect(marker).to_be_visible()
    expect(marker).to_have_text("(required)")
    expect(page.locator("[name=consent_date]")).to_have_attribute("aria-required", "true")
    page.get_by_label("Has the family consented to this referral?").select_option(label="No")
    expect(marker).to_be_hidden()

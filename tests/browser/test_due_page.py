"""The manager's "Due and overdue" page, end to end in a real browser.

The page reads the deadlines stored in reminders.DueItem, brought up to date from the
DueChange rows that every relevant save leaves. Here the records are built with the
factories (in real time: the live server runs on the real clock), and then a manager, in
Chromium only:

- opens the page from the navigation menu and sees the overdue items in red (class
  ``overdue``) and the count per worker;
- filters the list to one worker through the per-worker table;
- screens a submitted referral through the screening pages, and on the next load of the
  due page that referral's two items (first contact, screening decision) are gone.

Like the other browser tests, these use ``transaction=True`` (the live server runs in
another thread); the reference lists seeded by data migrations are made again before each
(tests/conftest.py), so they are there whatever ran before.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_referral_journey import log_in
from tests.reminders.helpers import case_received, submitted_referral

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

SCREENSHOT = "/tmp/due_page.png"
OVERDUE_FAMILY = "Ashworth family"  # assessment due 24 hours ago (practitioner)
UPCOMING_FAMILY = "Davies family"  # assessment due in 48 hours (practitioner2)
REFERRAL_FAMILY = "Evans family"  # submitted 30 hours ago: first contact 6 hours overdue
FIRST_CONTACT = "First contact with the referrer"
SCREENING = "Screening decision"


def _expect():
    from playwright.sync_api import expect

    return expect


def _named(user, first: str, last: str):
    """Fixed names, so the per-worker rows cannot collide or sort by chance."""
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def due_records(team_a, manager, practitioner, practitioner2):
    now = timezone.now()
    worker = _named(practitioner, "Ffion", "Hughes")
    worker2 = _named(practitioner2, "Gareth", "Jenkins")
    case_received(team_a, worker, now - timedelta(hours=96), referral__family__name=OVERDUE_FAMILY)
    case_received(
        team_a, worker2, now - timedelta(hours=24), referral__family__name=UPCOMING_FAMILY
    )
    referral = submitted_referral(team_a, now - timedelta(hours=30), family__name=REFERRAL_FAMILY)
    return {"worker": worker, "worker2": worker2, "referral": referral}


def test_due_page_shows_overdue_items_filters_and_follows_a_screening(
    page, live_server, manager, due_records
) -> None:
    expect = _expect()
    worker, worker2 = due_records["worker"], due_records["worker2"]
    nav = page.get_by_role("navigation", name="Main")
    heading = page.get_by_role("heading", level=1)
    items = page.get_by_test_id("due-items")
    rows = items.locator("tbody tr")
    per_worker = page.get_by_test_id("per-worker")

    def worker_row(name: str):
        return per_worker.get_by_role("row").filter(
            has=page.get_by_role("link", name=name, exact=True)
        )

    # 1. The manager signs in and opens the page from the menu.
    log_in(page, live_server, manager.username)
    nav.get_by_role("link", name="Due", exact=True).click()
    expect(page).to_have_url(re.compile(r"/due/$"))
    expect(heading).to_have_text("Due and overdue")

    # Four items: the overdue assessment, the upcoming one, and the referral's two.
    expect(rows).to_have_count(4)
    overdue_case = rows.filter(has_text=OVERDUE_FAMILY)
    expect(overdue_case).to_have_count(1)
    expect(overdue_case).to_have_class("overdue")
    expect(overdue_case).to_contain_text("Assessment")
    expect(overdue_case).to_contain_text("overdue by")
    expect(overdue_case).to_contain_text(str(worker))
    upcoming_case = rows.filter(has_text=UPCOMING_FAMILY)
    expect(upcoming_case).to_have_class("due-soon")
    expect(upcoming_case).not_to_contain_text("overdue by")
    first_contact = rows.filter(has_text=REFERRAL_FAMILY).filter(has_text=FIRST_CONTACT)
    expect(first_contact).to_have_class("overdue")
    expect(rows.filter(has_text=REFERRAL_FAMILY).filter(has_text=SCREENING)).to_have_count(1)
    # Due order: the assessment a day overdue first, then the first contact 6 hours over.
    expect(rows.nth(0)).to_contain_text(OVERDUE_FAMILY)
    expect(rows.nth(1)).to_contain_text(FIRST_CONTACT)
    expect(page.locator("tr.overdue")).to_have_count(2)

    # The count per worker: overdue, then upcoming.
    expect(per_worker).to_be_visible()
    expect(worker_row(str(worker)).locator("td")).to_have_text([str(worker), "1", "0"])
    expect(worker_row(str(worker2)).locator("td")).to_have_text([str(worker2), "0", "1"])
    expect(worker_row("Unallocated (manager)").locator("td")).to_have_text(
        ["Unallocated (manager)", "1", "1"]
    )
    expect(worker_row(str(worker)).locator("td.overdue")).to_have_text("1")
    page.screenshot(path=SCREENSHOT, full_page=True)

    # 2. Filtering by a worker shows that worker's items only.
    worker_row(str(worker2)).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/due/\?worker={worker2.pk}$"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(UPCOMING_FAMILY)
    expect(rows.first).to_contain_text(str(worker2))
    expect(items).not_to_contain_text(OVERDUE_FAMILY)
    expect(items).not_to_contain_text(REFERRAL_FAMILY)

    worker_row(str(worker)).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/due/\?worker={worker.pk}$"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(OVERDUE_FAMILY)
    expect(rows.first).to_have_class("overdue")

    worker_row("Everyone").get_by_role("link").click()
    expect(rows).to_have_count(4)

    # 3. The manager screens the referral through the screening pages...
    nav.get_by_role("link", name="Screening", exact=True).click()
    queue = page.get_by_test_id("screening-queue")
    queue.get_by_role("row").filter(has_text=REFERRAL_FAMILY).get_by_role(
        "link", name="Decide"
    ).click()
    expect(heading).to_contain_text("Screening decision")
    page.get_by_role("radio", name="Accepted for assessment").check()
    page.get_by_label("Reason").select_option(label="Meets the criteria")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert").filter(has_text="Decision recorded")).to_be_visible()
    expect(heading).to_contain_text("Accepted: awaiting allocation")

    # ...and the next load of the due page no longer lists its items.
    nav.get_by_role("link", name="Due", exact=True).click()
    expect(heading).to_have_text("Due and overdue")
    expect(rows).to_have_count(2)
    expect(items).not_to_contain_text(REFERRAL_FAMILY)
    expect(items).not_to_contain_text(FIRST_CONTACT)
    expect(items).not_to_contain_text(SCREENING)
    expect(rows.filter(has_text=OVERDUE_FAMILY)).to_have_class("overdue")
    expect(rows.filter(has_text=UPCOMING_FAMILY)).to_have_count(1)
    expect(page.locator("tr.overdue")).to_have_count(1)
    expect(worker_row("Unallocated (manager)")).to_have_count(0)
    expect(worker_row(str(worker)).locator("td")).to_have_text([str(worker), "1", "0"])

"""Team activity in a real browser: a manager records a consultation from the menu, sees it
listed and counted, is refused a date in the future on the way, and corrects it.

Like the other browser tests: ``transaction=True`` (the live server runs in another
thread); the seeded reference lists are made again before it (tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from teamwork.models import Consultation
from tests.browser.test_referral_journey import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_manager_records_a_consultation_and_sees_it_listed(page, live_server, manager):
    from playwright.sync_api import expect

    log_in(page, live_server, manager.username)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Reports").click()  # a manager's team work is there
    nav.get_by_role("link", name="Consultations").click()
    expect(page.get_by_role("heading", level=1, name="Consultations")).to_be_visible()
    expect(page.get_by_test_id("records")).to_contain_text("Nothing recorded yet.")

    page.get_by_test_id("record-new").click()
    expect(page.get_by_role("heading", level=1, name="Record consultation")).to_be_visible()
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Who asked").fill("Sam Jones, school nurse")
    page.get_by_label("Agency").fill("Aneurin Bevan health board")
    page.get_by_label("Topic").fill("A mother's drinking and a new baby")
    page.get_by_label("Led to a referral").check()
    page.get_by_role("button", name="Save").click()

    # Refused, with what was typed kept.
    expect(page.locator("main form").get_by_text("This date is in the future.")).to_be_visible()
    expect(page.get_by_label("Topic")).to_have_value("A mother's drinking and a new baby")
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/reporting/consultations/$"))
    expect(page.get_by_text("Consultation recorded.")).to_be_visible()
    records = page.get_by_test_id("records")
    expect(records).to_contain_text("Sam Jones, school nurse")
    expect(records).to_contain_text("Aneurin Bevan health board")
    expect(records).to_contain_text(timezone.localdate().strftime("%-d %b %Y"))
    expect(page.get_by_test_id("totals")).to_contain_text("Consultations: 1")
    expect(page.get_by_test_id("totals")).to_contain_text("Led to a referral: 1")
    assert Consultation.objects.get().led_to_referral is True

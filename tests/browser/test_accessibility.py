"""Accessibility in a real browser (WCAG 2.2 AA).

Every page that any browser test loads is scanned by axe-core (tests/browser/conftest.py).
These tests add what the journeys do not reach: the idle-timeout warning driven with the
keyboard, and reflow at 320 px.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_accessible
from tests.browser.test_referral_journey import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _expect():
    from playwright.sync_api import expect

    return expect


def test_idle_warning_is_an_alertdialog_driven_by_the_keyboard(
    page, live_server, settings, practitioner
):
    """The warning is an alertdialog with a description; Escape keeps the user signed in
    (the session is renewed), focus goes back to the field they were in, and typing
    counts as activity."""
    expect = _expect()
    log_in(page, live_server, practitioner.username)
    settings.SESSION_COOKIE_AGE = 8  # the warning shows after 4 s, the session ends at 8 s
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("heading", level=1, name="Notifications").wait_for()
    # Focus something the user was on: the "Mark all as read" button.
    button = page.get_by_role("button", name="Mark all as read")
    button.focus()

    dialog = page.get_by_role("alertdialog", name="Are you still there?")
    expect(dialog).to_be_visible(timeout=8_000)
    expect(dialog).to_have_attribute("aria-describedby", "idle-warning-text")
    expect(page.locator("#idle-warning-text")).to_contain_text("keeps you signed in")
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page, state="idle warning open")

    with page.expect_request(re.compile(r"/accounts/keepalive/$")) as renewal:
        page.keyboard.press("Escape")
    assert renewal.value.method == "POST"
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()

    # Clicking outside it keeps the session as well.
    expect(dialog).to_be_visible(timeout=8_000)
    with page.expect_request(re.compile(r"/accounts/keepalive/$")):
        page.mouse.click(5, 5)
    expect(dialog).to_be_hidden()
    # Still signed in after the original end time: the page did not go to sign-in.
    page.wait_for_timeout(1_000)
    assert "/accounts/login/" not in page.url


def test_typing_counts_as_activity(page, live_server, settings, practitioner):
    """Keys pressed in a form renew the session: the warning does not show while the
    user types (renewals are at most every 30 s, so the test uses a 40 s session)."""
    log_in(page, live_server, practitioner.username)
    settings.SESSION_COOKIE_AGE = 64  # the warning would show after 32 s of inactivity
    page.clock.install()
    page.goto(f"{live_server.url}/referrals/new/")
    field = page.locator("main textarea, main input[type=text]").first
    field.click()
    renewals = []
    page.on(
        "request",
        lambda r: renewals.append(r.url) if r.url.endswith("/accounts/keepalive/") else None,
    )
    page.clock.fast_forward(31_000)
    page.keyboard.type("a")
    page.wait_for_timeout(300)
    assert renewals, "typing did not renew the session"

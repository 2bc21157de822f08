"""Two-factor sign-in for a manager, end to end in Chromium: set up the authenticator app on
the first sign-in (the test plays the app: it reads the key the page shows and computes the
code), keep the recovery codes, and enter a code at every later sign-in.

``transaction=True`` because the live server runs in another thread; see
tests/browser/test_referral_journey.py for how the seeded reference lists survive it.
"""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from tests.factories import PASSWORD
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture(autouse=True)
def two_factor_on(settings) -> None:
    """The production setting (tests/conftest.py switches it off for other tests)."""
    settings.TWO_FACTOR_ROLES = ["manager", "performance"]
    settings.TWO_FACTOR_FOR_ADMINS = True


@pytest.fixture
def csp_violations(page) -> list[str]:
    """Anything the Content Security Policy blocked on any page of the test."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def code_for(device: TOTPDevice) -> str:
    """What the authenticator app shows now: computed from the device's key, moved on one
    30-second step if this step's code was already used (each code works once)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t is not None and totp.t() <= device.last_t:
        totp.drift += device.last_t + 1 - totp.t()
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_password(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page, user) -> None:
    expect = _expect()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name=str(user)).click()
    button = nav.get_by_role("button", name="Sign out")
    expect(button).to_be_visible()
    button.click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()


def test_a_manager_sets_up_two_factor_sign_in_and_needs_a_code_next_time(
    page, live_server, csp_violations, manager
) -> None:
    expect = _expect()
    welcome = page.get_by_role("heading", level=1, name=re.compile(r"^Welcome, "))

    # 1. The password alone leads to the setup page, not the dashboard, and shows no secret
    #    until the one-time enrolment code an administrator issued is typed.
    sign_in_with_password(page, live_server, manager.username)
    expect(page.get_by_role("heading", level=1, name="Set up two-factor sign-in")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/$"))
    expect(page.get_by_text("Your role needs a second step")).to_be_visible()
    expect(page.get_by_test_id("totp-secret")).to_have_count(0)
    page.get_by_label("Enrolment code").fill("WRNG-CODE-XXXX")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.locator("main form").get_by_text("That enrolment code is not right")
    ).to_be_visible()
    expect(page.get_by_test_id("totp-secret")).to_have_count(0)
    enrolment_code = twofactor.issue_enrolment_code(user=manager, issued_by=None)
    page.get_by_label("Enrolment code").fill(enrolment_code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_have_attribute(
        "src", re.compile(r"^data:image/svg\+xml;base64,")
    )

    # 2. The "app" reads the key from the page; it is the key of the device being set up.
    key = page.get_by_test_id("totp-secret").inner_text().strip()
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    assert base64.b32decode(key + "=" * (-len(key) % 8)) == device.bin_key

    # Other pages send the manager back here until it is done.
    page.goto(f"{live_server.url}/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/$"))

    # 3. Type the code the app shows: it is on, and the recovery codes are shown once.
    page.get_by_label("Code").fill(code_for(device))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1, name="Your recovery codes")).to_be_visible()
    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(welcome).to_be_visible()
    assert TOTPDevice.objects.get(user=manager).confirmed

    sign_out(page, manager)

    # 4. The next sign-in asks for a code before the dashboard.
    sign_in_with_password(page, live_server, manager.username)
    expect(page.get_by_role("heading", level=1, name="Enter your code")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    page.goto(f"{live_server.url}/cases/")
    expect(page.get_by_role("heading", level=1, name="Enter your code")).to_be_visible()
    expect(welcome).to_have_count(0)

    device = TOTPDevice.objects.get(user=manager)
    wrong = f"{(int(code_for(device)) + 1) % 10**device.digits:0{device.digits}d}"
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main form").get_by_text("That code is not right.")).to_be_visible()

    page.wait_for_timeout(1100)  # django-otp throttles for a second after a wrong code
    page.get_by_label("Code").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/cases/$"))
    page.goto(f"{live_server.url}/")
    expect(welcome).to_be_visible()

    assert csp_violations == []

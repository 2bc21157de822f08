"""The referral journey, end to end in a real browser, through the UI only.

A referrer makes a referral (saving a draft on the way), the team manager screens and
allocates it, the practitioner finds the new case on their dashboard and the referrer
sees the outcome. After the fixtures create the users, nothing is done except by
clicking and typing in Chromium.

These tests use ``transaction=True`` because the live server runs in another thread.
pytest-django flushes the database after such a test, which deletes the reference lists
(routes, outcomes, substances, local authorities...) seeded by data migrations; the
suite's conftest makes them again before each transactional test
(tests/conftest.py ``restore_migrated_rows``), so every browser test finds them whatever
ran before it (checked by the ``reference_lists_present`` guard). pytest-django runs
transactional tests after the others, so the flush at the end cannot starve a plain
``django_db`` test.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

FAMILY = "Pritchard family"


def _expect():
    from playwright.sync_api import expect

    return expect


def log_in(page, live_server, username: str) -> None:
    expect = _expect()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Welcome, "))).to_be_visible()


def log_out(page, user) -> None:
    expect = _expect()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name=str(user)).click()
    sign_out = nav.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    sign_out.click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


@pytest.fixture
def reference_lists_present() -> None:
    """Guard: the migration-seeded lists must be there, or the journey cannot work."""
    from accounts.models import LocalAuthority
    from reference.models import ReferralRoute, ScreeningOutcome, Substance

    assert LocalAuthority.objects.filter(name="Cardiff").exists()
    assert ReferralRoute.objects.filter(name="Online form").exists()
    assert Substance.objects.filter(name="Alcohol").exists()
    assert ScreeningOutcome.objects.filter(name="Accepted for assessment").exists()


def test_referral_from_submission_to_allocated_case(
    page,
    live_server,
    reference_lists_present,
    referrer,
    manager,
    practitioner,
) -> None:
    expect = _expect()
    nav = page.get_by_role("navigation", name="Main")
    today = timezone.localdate()

    # 1. The referrer makes a referral, saving a draft half-way.
    log_in(page, live_server, referrer.username)
    nav.get_by_role("button", name="Referrals").click()
    nav.get_by_role("link", name="New referral").click()
    expect(page.get_by_role("heading", level=1, name="New referral")).to_be_visible()

    page.get_by_label("Team you are referring to").select_option(label="North IFST")
    page.get_by_label("Family name").fill(FAMILY)
    page.get_by_label("Address").fill("12 Heol y Coed\nRhiwbina")
    page.get_by_label("Postcode").fill("cf14 6hl")
    page.get_by_label("Family's local authority").select_option(label="Cardiff")

    adult = page.get_by_test_id("member-0")
    adult.get_by_label("Member").select_option(label="Adult")
    adult.get_by_label("First name").fill("Carys")
    adult.get_by_label("Last name").fill("Pritchard")
    adult.get_by_label("Relationship").select_option(label="Mother")
    alcohol = adult.get_by_role("checkbox", name="Alcohol")
    expect(alcohol).to_be_hidden()  # inside the closed <details>
    adult.get_by_text("Substances (adults)").click()
    alcohol.check()

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert").filter(has_text="Draft saved")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Continue referral")).to_be_visible()
    # The draft kept what was typed, including the ticked substance.
    expect(page.get_by_label("Family name")).to_have_value(FAMILY)
    expect(page.get_by_test_id("member-0").get_by_role("checkbox", name="Alcohol")).to_be_checked()

    child = page.get_by_test_id("member-1")
    child.get_by_label("Member").select_option(label="Child or young person")
    child.get_by_label("First name").fill("Osian")
    child.get_by_label("Last name").fill("Pritchard")
    child.get_by_label("Relationship").select_option(label="Child")
    child.get_by_label("Date of birth").fill(date(2017, 3, 14).isoformat())
    child.get_by_label("Legal status (children)").select_option(label="Child in Need")

    page.get_by_role("checkbox", name="Parental substance misuse").check()
    page.get_by_label("Why are you referring this family?").fill(
        "Mother's drinking has increased since the autumn; Osian is missing school."
    )
    page.get_by_label("Are court proceedings under way?").select_option(label="None")
    page.get_by_label("Has the family consented to this referral?").select_option(label="Yes")
    page.get_by_label("Date consent given").fill(today.isoformat())
    page.get_by_label("How the referral came in").select_option(label="Online form")
    expect(page.get_by_label("Referrer's name")).to_have_value(referrer.get_full_name())
    expect(page.get_by_label("Email")).to_have_value(referrer.email)
    page.get_by_label("Agency").fill("Cardiff Children's Services")
    page.get_by_label("Phone").fill("029 2087 2000")

    page.get_by_role("button", name="Submit referral").click()
    expect(page.get_by_role("alert").filter(has_text="Referral submitted")).to_be_visible()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(FAMILY)
    expect(heading).to_contain_text("Awaiting screening")
    household = page.get_by_role("table").filter(has_text="Osian Pritchard")
    expect(household.get_by_role("row").filter(has_text="Carys")).to_contain_text("Alcohol")
    expect(household.get_by_role("row").filter(has_text="Osian")).to_contain_text("Child in Need")
    log_out(page, referrer)

    # 2. The manager screens and allocates it.
    log_in(page, live_server, manager.username)
    expect(page.get_by_test_id("awaiting-screening")).to_have_text("1")
    nav.get_by_role("link", name="Screening").click()
    queue = page.get_by_test_id("screening-queue")
    row = queue.get_by_role("row").filter(has_text=FAMILY)
    expect(row).to_be_visible()
    row.get_by_role("link", name="Decide").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Screening decision")
    page.get_by_role("radio", name="Accepted for assessment").check()
    page.get_by_label("Reason").select_option(label="Meets the criteria")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert").filter(has_text="Decision recorded")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accepted: awaiting allocation")

    page.get_by_role("link", name="Allocate", exact=True).click()
    page.get_by_label("Spearhead worker").select_option(value=str(practitioner.pk))
    page.get_by_role("button", name="Allocate", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Allocated to")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Allocated")
    log_out(page, manager)

    # 3. The practitioner finds the new case on their dashboard.
    log_in(page, live_server, practitioner.username)
    my_cases = page.get_by_role("region", name="My cases")
    expect(my_cases.get_by_role("row").filter(has_text=FAMILY)).to_contain_text(
        "Awaiting assessment"
    )
    my_cases.get_by_role("link", name=FAMILY).click()
    case_heading = page.get_by_role("heading", level=1)
    expect(case_heading).to_contain_text(FAMILY)
    expect(case_heading.get_by_test_id("stage")).to_have_text("Awaiting assessment")
    log_out(page, practitioner)

    # 4. The referrer is told, and sees the referral allocated.
    log_in(page, live_server, referrer.username)
    # Two notifications: the screening decision and the allocation.
    expect(nav.get_by_test_id("unread-count")).to_have_text("2")
    expect(nav.get_by_role("link", name="2 unread notifications")).to_be_visible()
    mine = page.get_by_role("region", name="Referrals I made")
    expect(mine.get_by_role("row").filter(has_text=FAMILY)).to_contain_text("Allocated")


def test_unborn_child_without_due_date_is_refused_and_input_kept(
    page,
    live_server,
    reference_lists_present,
    referrer,
) -> None:
    expect = _expect()
    log_in(page, live_server, referrer.username)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Referrals").click()
    nav.get_by_role("link", name="New referral").click()

    page.get_by_label("Family name").fill(FAMILY)
    page.get_by_label("Postcode").fill("CF14 6HL")
    unborn = page.get_by_test_id("member-1")
    unborn.get_by_label("Member").select_option(label="Unborn child")
    unborn.get_by_label("Last name").fill("Pritchard")
    page.get_by_role("button", name="Submit referral").click()

    expect(page.get_by_role("alert").filter(has_text="Please correct the errors")).to_be_visible()
    unborn = page.get_by_test_id("member-1")
    expect(unborn.get_by_text("An unborn child needs a due date.")).to_be_visible()
    expect(unborn.get_by_label("Due date (unborn)")).to_have_attribute("aria-invalid", "true")
    # Nothing typed was lost.
    expect(page.get_by_label("Family name")).to_have_value(FAMILY)
    expect(page.get_by_label("Postcode")).to_have_value("CF14 6HL")
    expect(unborn.get_by_label("Member")).to_have_value("unborn")
    expect(unborn.get_by_label("Last name")).to_have_value("Pritchard")

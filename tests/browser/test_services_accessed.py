"""Services accessed before and after, in a real browser: from the case page, a practitioner
records the services a mother used before the work, sees them on the services page, and
sees that "after" waits for Phase 2.

transaction=True (the live server runs in another thread); the seeded reference lists are
made again before it (tests/conftest.py), so they are there whatever ran before.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_referral_journey import log_in
from tests.factories import CaseFactory, PersonFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

FAMILY = "Bowen family"


def _expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def phase1_case(team_a, practitioner):
    case = CaseFactory(
        team=team_a,
        worker=practitioner,
        stage="phase1",
        referral__family__name=FAMILY,
        referral__received_at=timezone.now() - timedelta(days=12),
    )
    mother = PersonFactory(
        family=case.family, first_name="Ffion", last_name="Bowen", relationship="mother"
    )
    PersonFactory(
        family=case.family,
        kind="child",
        first_name="Osian",
        last_name="Bowen",
        relationship="child",
        date_of_birth=timezone.localdate() - timedelta(days=6 * 365),
    )
    return case, mother


def test_practitioner_records_services_before_and_sees_them(
    page, live_server, practitioner, phase1_case
):
    expect = _expect()
    case, mother = phase1_case

    log_in(page, live_server, practitioner.username)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Services before and after").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Services before and after")
    row = page.get_by_test_id("services-row").filter(has_text=mother.full_name)
    expect(row.get_by_test_id("services-before")).to_contain_text("not recorded")
    expect(row.get_by_test_id("services-after").get_by_role("link")).to_have_count(0)  # Phase 1

    row.get_by_test_id("services-before").get_by_role("link", name="Record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Services {mother.full_name} used before the work"
    )
    # Nothing ticked is not an answer.
    page.get_by_role("button", name="Save").click()
    expect(
        page.locator("main form").get_by_text("Tick the services used, or 'None of these'.")
    ).to_be_visible()
    page.get_by_role("checkbox", name="Drug and alcohol service").check()
    page.get_by_role("checkbox", name="Housing support").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert").filter(has_text="Services recorded.")).to_be_visible()
    row = page.get_by_test_id("services-row").filter(has_text=mother.full_name)
    expect(row.get_by_test_id("services-before")).to_contain_text(
        "Drug and alcohol service, Housing support"
    )
    expect(row.get_by_test_id("services-count")).to_have_text("2 → –")
    expect(page.get_by_test_id("after-not-yet")).to_be_visible()

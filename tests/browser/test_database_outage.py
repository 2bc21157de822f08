"""In a real browser: the database goes away while a person is writing a referral (a proxy
the test cuts, in front of PostgreSQL, under a gunicorn server). Sending the form shows the
outage page in English and Welsh; when the database is back, the form offers back what was
typed (issue 21)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from tests.conftest import give_production_password
from tests.factories import PASSWORD
from tests.resilience.stack import TcpProxy, WebServer, base_env, database_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

FAMILY = "Gwenllian family"
ADDRESS = "3 Ffordd y Felin\nTreorci"


def test_a_form_sent_during_a_database_outage_is_told_and_offered_back(
    browser,
    tmp_path,
    referrer,
) -> None:
    from playwright.sync_api import expect

    give_production_password(referrer, PASSWORD)  # the server process has the app's hashers
    proxy = TcpProxy(int(settings.DATABASES["default"]["PORT"] or 5432))
    server = WebServer(
        base_env(tmp_path, DATABASE_URL=database_url(port=proxy.port)), tmp_path / "web.log"
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda exc: script_errors.append(str(exc)))
    try:
        page.goto(f"{server.url}/accounts/login/")
        page.get_by_label("Username").fill(referrer.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1, name=re.compile(r"^Welcome, "))).to_be_visible()

        page.goto(f"{server.url}/referrals/new/")
        expect(page.get_by_role("heading", level=1, name="New referral")).to_be_visible()
        page.get_by_label("Family name").fill(FAMILY)
        page.get_by_label("Address").fill(ADDRESS)

        proxy.cut()  # the database goes away while the person types
        with page.expect_response(lambda r: r.request.method == "POST") as sent:
            page.get_by_role("button", name="Save draft").click()
        assert sent.value.status == 503
        assert sent.value.headers["retry-after"] == "10"
        expect(
            page.get_by_role("heading", name="The case manager is unavailable for a moment")
        ).to_be_visible()
        expect(page.get_by_test_id("outage-cy")).to_contain_text(
            "Nid yw'r rheolwr achosion ar gael am ennyd"
        )
        expect(page.get_by_test_id("outage-en")).to_contain_text("what you typed is kept")

        proxy.restore()  # the database is back
        page.get_by_role("link", name=re.compile("^Go back")).click()
        expect(page.get_by_role("heading", level=1, name="New referral")).to_be_visible()
        offer = page.get_by_test_id("unsent-restore")
        expect(offer).to_contain_text("was not sent: the server was unavailable")
        offer.get_by_role("button", name="Put it back").click()
        expect(page.get_by_label("Family name")).to_have_value(FAMILY)
        expect(page.get_by_label("Address")).to_have_value(ADDRESS)
        expect(offer).to_be_hidden()

        # Sent again, now that the database answers: saved, and nothing is offered any more.
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_role("alert").filter(has_text="Draft saved")).to_be_visible()
        expect(page.get_by_label("Family name")).to_have_value(FAMILY)
        page.reload()
        expect(page.get_by_test_id("unsent-restore")).to_have_count(0)
    finally:
        context.close()
        server.stop()
        proxy.close()
    assert script_errors == []

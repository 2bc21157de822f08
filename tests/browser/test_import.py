"""The import of historic cases in a real browser (issue 20's "done when"): a manager
downloads nothing, uploads a spreadsheet, reads the dry run, confirms, watches the job
finish, and the report card shows the imported history."""

from __future__ import annotations

import re

import pytest

from referrals.models import Referral
from tests.browser.test_referral_journey import log_in
from tests.imports.sheets import EXPECTED, as_csv, throughput_rows

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_manager_imports_history_and_the_card_shows_it(
    page, live_server, team_a, manager, tmp_path
):
    from playwright.sync_api import expect

    la = team_a.local_authorities.order_by("name").first().name
    sheet = tmp_path / "history.csv"
    sheet.write_bytes(as_csv(throughput_rows(la)))

    log_in(page, live_server, manager.username)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Records").click()
    nav.get_by_role("link", name="Import historic cases").click()
    expect(page.get_by_role("heading", level=1, name="Import historic cases")).to_be_visible()
    page.get_by_label("Spreadsheet (.csv or .xlsx)").set_input_files(str(sheet))
    page.get_by_role("button", name="Check the file (dry run)").click()

    # The dry run: row by row, nothing written yet.
    expect(page.get_by_test_id("import-summary")).to_contain_text("40 would be created")
    expect(page.get_by_test_id("import-rows")).to_contain_text("HIST-040")
    assert not Referral.objects.exists()

    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("import-status")).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("import-done")).to_be_visible()
    assert Referral.objects.count() == 40

    page.goto(
        f"{live_server.url}/reporting/?scope=team-{team_a.pk}"
        "&period_kind=year&year=2024&basis=events"
    )
    throughput = page.get_by_test_id("throughput")
    expect(throughput).to_be_visible(timeout=30_000)
    row = throughput.get_by_role("row", name=re.compile(team_a.name))
    for value in EXPECTED.values():
        expect(row).to_contain_text(str(value))

"""The board's first sign-in on the demo as `make run` loads it (load_demo): board.gwent
finds the latest quarter's published card, opens it, sees the summary first (each headline
measure's value, its changes in words, baseline and target), readable charts with baseline
and target lines named in a legend and their values beside them, the narrative, and
downloads the PDF.

``transaction=True`` (the live server runs in another thread); the seeded reference lists
are made again before each such test (tests/conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from synthetic.demo import quarters_to_publish
from synthetic.management.commands.load_demo import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_board_member_sees_the_latest_card_with_summary_charts_and_pdf(page, live_server):
    from io import StringIO

    from playwright.sync_api import expect

    call_command("load_demo", stdout=StringIO())
    latest = quarters_to_publish(timezone.localdate())[-1]

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("board.gwent")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Welcome, "))).to_be_visible()

    page.goto(f"{live_server.url}/reporting/reports/")
    expect(page.get_by_role("heading", level=1, name="Reports")).to_be_visible()
    # The small-number rule is said whole (a raw "<5" would start an HTML tag).
    expect(
        page.get_by_text(re.compile(r"Numbers below 5 are shown as “<5” to protect"))
    ).to_be_visible()
    published = page.get_by_test_id("published")
    first_row = published.locator("tbody tr").first
    expect(first_row).to_contain_text("Gwent IFST")
    expect(first_row).to_contain_text(latest.label)
    expect(published).not_to_contain_text("No report cards published yet.")
    expect(page.get_by_test_id("reports")).to_contain_text(latest.label)
    first_row.get_by_role("link", name="Open").click()

    expect(page.get_by_role("heading", level=1, name="Published report card")).to_be_visible()
    summary = page.get_by_test_id("card-summary")
    expect(summary.get_by_role("heading", name=f"Summary: {latest.label}")).to_be_visible()
    # The summary comes before the three RBA sections.
    headings = page.locator("h2").all_inner_texts()
    assert headings.index(f"Summary: {latest.label}") < headings.index("How much did we do?")
    assert headings.index("How much did we do?") < headings.index("Is anyone better off?")
    scorecard = page.get_by_test_id("scorecard")
    row = scorecard.locator('tr[data-headline="first_contact"]')
    expect(row).to_contain_text("First contact with the referrer in time")
    expect(row).to_contain_text(re.compile(r"(Up|Down) [\d.]+ points?: (better|worse)|No change"))
    expect(row).to_contain_text(re.compile(r"Target \d+%: (met|missed)"))
    expect(row).to_contain_text(re.compile(r"Baseline [\d.]+%"))
    expect(row.get_by_test_id("headline-status")).to_contain_text(
        re.compile(r"Target met|Target missed|Improving")
    )
    # Charts a board can read: a name, axes, the baseline and target in the legend, and the
    # values in a table beside the chart.
    chart = page.get_by_role("img", name=re.compile(r"^First contact with the referrer in time"))
    expect(chart.first).to_be_visible()
    figure = page.get_by_test_id("summary-charts").locator('section[data-headline="first_contact"]')
    svg = figure.locator("svg.trend")
    expect(svg).to_contain_text("Baseline")
    expect(svg).to_contain_text("Target")
    expect(svg).to_contain_text("100%")
    values = figure.locator("table.chart-values")
    expect(values).to_be_visible()
    expect(values.locator("tbody tr")).to_have_count(8)
    expect(values.locator("tbody tr").last).to_contain_text(latest.label)
    # Text at 12 px or more at 100% zoom.
    size = svg.locator("text").first.evaluate("t => parseFloat(getComputedStyle(t).fontSize)")
    assert size >= 12
    # The narrative as published.
    expect(page.get_by_text("Story behind the curve", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile("Joint first visits booked at allocation"))).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    path = Path(download.value.path())
    assert path.read_bytes()[:5] == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")

"""The review report, end to end in a real browser: the practitioner records the 1-month
review, reads the report it makes, and sends it; the referrer finds the notification and
downloads the PDF. Nothing reaches the referrer before the send.

``transaction=True`` (the live server runs in another thread), as in the other journeys.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.browser.test_referral_journey import log_in, log_out
from tests.cases.journey import Stage, make_case

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

FAMILY = "Hughes family"
WELLBEING = "Both children are safe; Osian now sleeps through the night."


def _expect():
    from playwright.sync_api import expect

    return expect


def test_review_report_preview_send_and_download(
    page, live_server, team_a, manager, practitioner, referrer
):
    expect = _expect()
    j = make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage=Stage.PHASE2,
        family_name=FAMILY,
        phase1_ended_days_ago=45,
        goals=1,
    )
    review = j.reviews[0]
    goal = j.goals[0]

    # 1. The practitioner records the 1-month review from the case page.
    log_in(page, live_server, practitioner.username)
    page.goto(f"{live_server.url}/cases/{j.case.pk}/")
    row = page.get_by_test_id("reviews").get_by_role("row").filter(has_text="1-month review")
    row.get_by_role("link", name="Record").click()
    page.get_by_label("Held on").fill(review.due_on.isoformat())
    page.get_by_label("Who attended").fill("Mother, social worker")
    page.get_by_label("Progress").fill("Mornings are calmer.")
    page.get_by_label("The children's safety and wellbeing").fill(WELLBEING)
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label(f"Score now: {goal.title}").select_option(label="+1")
    page.get_by_role("button", name="Save").click()

    # 2. The preview: the report in words, not sent yet.
    expect(page.get_by_role("alert").filter(has_text="Review recorded")).to_be_visible()
    status = page.get_by_test_id("report-status")
    expect(status).to_contain_text("Not sent yet")
    preview = page.get_by_test_id("report-preview")
    expect(preview).to_contain_text(WELLBEING)
    expect(preview).to_contain_text(goal.level_plus1)
    expect(preview).to_contain_text("3-month review, due")

    # 3. Send it.
    page.get_by_role("button", name="Send to the referrer").click()
    expect(page.get_by_role("alert").filter(has_text="sent to the referrer")).to_be_visible()
    expect(status).to_contain_text("Sent to the referrer by")
    expect(page.get_by_role("button", name="Send to the referrer")).to_have_count(0)
    log_out(page, practitioner)

    # 4. The referrer sees the notification and downloads the report from it.
    log_in(page, live_server, referrer.username)
    page.goto(f"{live_server.url}/notifications/")
    notice = page.get_by_role("button", name=f"1-month review report: {j.referral.reference}")
    expect(notice).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/report.pdf")) as opened:
        notice.click()
    response = opened.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = page.request.get(response.url)
    assert pdf.status == 200
    reader = PdfReader(io.BytesIO(pdf.body()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"1-month review report: {FAMILY}" in text
    assert WELLBEING in text
    assert goal.level_plus1 in text

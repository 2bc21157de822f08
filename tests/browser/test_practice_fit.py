"""The pathway held to the IFSS model, in a real browser (issue 18, items 1, 2, 3 and 5):
ending Phase 1 early with a manager's sign-off, a review outside its window, allocating
past capacity, and screening reasons that follow the outcome.

The records are set up with the services; everything after is clicked and typed.
"""

from __future__ import annotations

import re

import pytest

from cases.pathway import Stage
from referrals.models import ReferralStatus
from tests.browser.test_referral_journey import log_in, log_out
from tests.cases.journey import make_case
from tests.factories import CaseFactory, ReferralFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _expect():
    from playwright.sync_api import expect

    return expect


def test_a_practitioner_asks_and_a_manager_signs_off_ending_phase1_early(
    page, live_server, team_a, manager, practitioner, referrer
):
    expect = _expect()
    journey = make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage=Stage.PHASE1,
        family_name="Hughes family",
        phase1_started_days_ago=10,
        plans=1,
    )
    goal = journey.goals[0]
    case_url = f"{live_server.url}/cases/{journey.case.pk}/"

    # The practitioner tries to end Phase 1 after ten days: refused, with a clear message.
    log_in(page, live_server, practitioner.username)
    page.goto(case_url)
    page.get_by_role("link", name="End Phase 1").click()
    expect(page.get_by_test_id("phase1-model")).to_contain_text("Ending Phase 1 today falls short")
    page.get_by_label(f"Score at the end of Phase 1: {goal.title}").select_option("1")
    page.get_by_role("button", name="End Phase 1").click()
    form = page.locator("main form[method=post]")  # the error summary above repeats it
    expect(form.get_by_role("listitem").filter(has_text="Phase 1 would end short")).to_contain_text(
        "Ending it now needs a manager's sign-off"
    )
    expect(page.get_by_label(f"Score at the end of Phase 1: {goal.title}")).to_have_value("1")

    # ...so asks a manager to sign it off, with the reason.
    page.get_by_label("If Phase 1 ends short of the team's minimum weeks or hours, why").fill(
        "The family moves to Bristol next week."
    )
    page.get_by_role("button", name="Ask a manager to sign off").click()
    expect(page.get_by_role("alert").filter(has_text="Sign-off asked for")).to_be_visible()
    expect(page.get_by_test_id("signoff-pending")).to_contain_text("moves to Bristol")
    log_out(page, practitioner)

    # The manager finds the request on the team caseload and signs it off.
    log_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/cases/")
    waiting = page.get_by_test_id("signoffs-waiting")
    waiting.get_by_role("link", name="Hughes family").click()
    expect(page.get_by_test_id("signoff-request")).to_contain_text("moves to Bristol")
    page.get_by_role("radio", name="Sign off: Phase 1 may end early").check()
    page.get_by_label("Your reason").fill("The new team takes over; the children are safe.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").filter(has_text="Decision recorded")).to_be_visible()
    log_out(page, manager)

    # The practitioner ends Phase 1 now; the case page says who signed it off and why.
    log_in(page, live_server, practitioner.username)
    page.goto(f"{case_url}end-phase1/")
    page.get_by_label(f"Score at the end of Phase 1: {goal.title}").select_option("1")
    page.get_by_role("button", name="End Phase 1").click()
    expect(page.get_by_role("alert").filter(has_text="Phase 1 ended")).to_be_visible()
    expect(page.get_by_role("heading", level=1).get_by_test_id("stage")).to_have_text("Phase 2")
    signed = page.get_by_test_id("signed-off")
    expect(signed).to_contain_text(f"signed off by {manager}")
    expect(signed).to_contain_text("the children are safe")


def test_a_review_outside_its_window_needs_a_reason(
    page, live_server, team_a, manager, practitioner, referrer
):
    expect = _expect()
    journey = make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage=Stage.PHASE2,
        family_name="Jenkins family",
        phase1_ended_days_ago=10,
    )
    goal = journey.goals[0]

    log_in(page, live_server, practitioner.username)
    page.goto(f"{live_server.url}/cases/{journey.case.pk}/")
    page.get_by_test_id("reviews").get_by_role("row").filter(has_text="1-month review").get_by_role(
        "link", name="Record"
    ).click()
    expect(page.get_by_text(re.compile(r"Window: \d+ \w+ \d{4} to \d+ \w+ \d{4}"))).to_be_visible()
    page.get_by_label("Who attended").fill("Mam, the social worker")
    page.get_by_label("Progress").fill("Mornings calmer; school every day.")
    page.get_by_label("The children's safety and wellbeing").fill("Safe and at school.")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label(f"Score now: {goal.title}").select_option("0")
    page.get_by_role("button", name="Save").click()
    form = page.locator("main form[method=post]")  # the error summary above repeats it
    expect(form.get_by_text("outside the 1-month review's window")).to_be_visible()
    expect(page.get_by_label("Progress")).to_have_value("Mornings calmer; school every day.")

    page.get_by_label("Reason, if held outside the window").fill("Family away at the due date.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").filter(has_text="Review recorded")).to_be_visible()


def test_allocating_past_capacity_shows_load_and_asks_for_a_reason(
    page, live_server, team_a, manager, practitioner
):
    expect = _expect()
    referral = ReferralFactory(
        team=team_a, family__name="Lloyd family", status=ReferralStatus.ACCEPTED
    )
    for _i in range(team_a.practitioner_capacity):
        CaseFactory(team=team_a, worker=practitioner, stage=Stage.PHASE1)

    log_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/referrals/{referral.pk}/allocate/")
    worker = page.get_by_label("Spearhead worker")
    label = f"{practitioner}: 2 of 2 intensive families (at capacity)"
    expect(worker.locator("option", has_text=label)).to_have_count(1)
    worker.select_option(label=label)
    page.get_by_role("button", name="Allocate").click()
    form = page.locator("main form[method=post]")  # the error summary above repeats it
    expect(form.get_by_text("Tick to confirm you mean to go past it")).to_be_visible()

    page.get_by_role(
        "checkbox", name="I confirm this allocation takes the worker past the team's capacity"
    ).check()
    page.get_by_label("Reason for going past capacity").fill("Only Welsh-speaking worker free.")
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_role("alert").filter(has_text="Allocated to")).to_be_visible()


def test_the_screening_reasons_follow_the_chosen_outcome(page, live_server, team_a, manager):
    expect = _expect()
    referral = ReferralFactory(team=team_a, family__name="Morris family")

    log_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/referrals/{referral.pk}/decide/")
    reason = page.get_by_label("Reason")
    offered = reason.locator("option[data-outcome]:not([hidden])")
    expect(offered).to_have_count(0)  # choose the outcome first

    page.get_by_role("radio", name="Accepted for assessment").check()
    expect(offered).not_to_have_count(0)
    accepted = offered.evaluate_all("os => os.map(o => o.dataset.outcome)")
    assert len(set(accepted)) == 1

    page.get_by_role("radio", name="No space: waiting list").check()
    no_space = offered.evaluate_all("os => os.map(o => o.dataset.outcome)")
    assert len(set(no_space)) == 1 and set(no_space) != set(accepted)

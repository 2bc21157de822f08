"""The optional cost-avoidance panel (DOMAIN.md section 6): off unless a team turns it on;
children at home times the unit cost of care plus children de-registered times the unit
cost of registration, per team; small numbers hidden on board outputs, amounts with them.

In the fixture's Q1, Taff closed Rees (A12): Elin stayed at home, Gwen was de-registered;
Usk closed Hill (B5): Ella returned home, Finn was accommodated."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from reporting.card import build_card
from reporting.pdf import render_report_card_pdf

from .fixture import Q1, REPORT_NOW
from .test_card_views import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(REPORT_NOW, tick=False)


def turn_on(team, care: str | None = "50000", registration: str | None = "10000") -> None:
    team.cost_panel = True
    team.cost_of_care = Decimal(care) if care else None
    team.cost_of_registration = Decimal(registration) if registration else None
    team.save()


def test_the_panel_is_off_by_default(world) -> None:
    assert build_card(world.scope("taff"), Q1)["cost_avoidance"] is None
    client = Client()
    client.force_login(world.manager_a)
    url = (
        f"{reverse('reporting:card')}?scope=team-{world.taff.pk}"
        "&period_kind=quarter&year=2025&quarter=1&basis=events"
    )
    page = client.get(url).content.decode()
    assert 'data-testid="report-card"' in page
    assert "cost-avoidance" not in page


def test_a_team_that_turns_it_on_sees_its_estimate(world) -> None:
    turn_on(world.taff)
    panel = build_card(world.scope("taff"), Q1)["cost_avoidance"]
    assert panel == {
        "rows": [
            {
                "team": "Taff IFST",
                "at_home": "1",
                "cost_of_care": "£50,000",
                "deregistered": "1",
                "cost_of_registration": "£10,000",
                "avoided": "£60,000",
            }
        ],
        "total": "£60,000",
        "left_out": [],
    }


def test_board_outputs_hide_small_counts_and_their_amounts(world) -> None:
    turn_on(world.taff)
    panel = build_card(world.scope("taff"), Q1, suppress=5)["cost_avoidance"]
    row = panel["rows"][0]
    assert (row["at_home"], row["deregistered"], row["avoided"]) == ("<5", "<5", "–")
    assert panel["total"] == "–"


def test_all_teams_counts_only_the_teams_that_turned_it_on(world) -> None:
    turn_on(world.taff, registration=None)
    panel = build_card(world.scope("all"), Q1)["cost_avoidance"]
    assert [r["team"] for r in panel["rows"]] == ["Taff IFST"]
    assert panel["rows"][0]["cost_of_registration"] == "–"
    assert panel["total"] == "£50,000"  # Elin at home; Gwen's registration has no unit cost
    assert panel["left_out"] == ["Usk IFST"]

    turn_on(world.usk, care="40000")
    panel = build_card(world.scope("all"), Q1)["cost_avoidance"]
    assert [(r["team"], r["at_home"], r["avoided"]) for r in panel["rows"]] == [
        ("Taff IFST", "1", "£50,000"),
        ("Usk IFST", "1", "£40,000"),  # Ella returned home; Finn accommodated counts nothing
    ]
    assert panel["total"] == "£90,000"


def test_the_cohort_counts_the_closures_of_families_referred_in_the_period(world) -> None:
    turn_on(world.taff)
    # Of Taff's Q1 referrals only Pryce (A2) has closed (2 July: Dylan placed on the register).
    panel = build_card(world.scope("taff"), Q1, basis="cohort")["cost_avoidance"]
    assert panel["rows"][0]["at_home"] == "0" and panel["total"] == "£0"


def test_the_pdf_carries_the_panel(world) -> None:
    turn_on(world.taff)
    text = pdf_text(render_report_card_pdf(build_card(world.scope("taff"), Q1)))
    assert "Cost avoidance (estimate)" in text
    assert "£60,000" in text

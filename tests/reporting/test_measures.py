"""Every measure of the catalogue, computed from the hand-built world (fixture.py), equals
the figure worked out by hand (expected.py): value, numerator, denominator and every
breakdown row, for a team, a local authority and all teams, on both bases."""

from __future__ import annotations

import dataclasses
import re

import pytest

from reporting import measures
from reporting.card import build_card
from reporting.models import Measure, MeasureTarget
from reporting.queries import Report

from .expected import BASES, CONTEXT, EXPECTED, SCOPES, THROUGHPUT
from .fixture import Q1, Q4, REPORT_NOW

pytestmark = pytest.mark.django_db

CODES = [d.code for d in measures.CATALOGUE]


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(REPORT_NOW, tick=False)


def figure(world, scope: str, basis: str, code: str, period=Q1) -> dict:
    report = Report(world.scope(scope), period, basis)
    return dataclasses.asdict(measures.compute(report, measures.BY_CODE[code]))


def test_the_expected_figures_cover_the_whole_catalogue() -> None:
    assert len(CODES) == 26
    for scope in SCOPES:
        for basis in BASES:
            assert list(EXPECTED[scope][basis]) == CODES, (scope, basis)


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("basis", BASES)
@pytest.mark.parametrize("scope", SCOPES)
def test_measure(world, scope, basis, code) -> None:
    assert figure(world, scope, basis, code) == EXPECTED[scope][basis][code]


def _pairs(rows: list[dict], with_of: bool = False) -> list[tuple]:
    return [(r["label"], r["n"], r["of"]) if with_of else (r["label"], r["n"]) for r in rows]


@pytest.mark.parametrize("basis", BASES)
@pytest.mark.parametrize("scope", SCOPES)
def test_context_tables(world, scope, basis) -> None:
    tables = Report(world.scope(scope), Q1, basis).context()
    expected = CONTEXT[scope]
    assert list(tables) == list(expected)
    for name, rows in expected.items():
        got = _pairs(tables[name], with_of=name == "Male presence")
        if name in ("Ethnicity", "Substances"):  # ordered by count; ties in any order
            assert [n for _, n in got] == sorted((n for _, n in got), reverse=True)
            got, rows = sorted(got), sorted(rows)
        assert got == list(rows), name


@pytest.mark.parametrize("basis", BASES)
@pytest.mark.parametrize("scope", SCOPES)
def test_throughput_table(world, scope, basis) -> None:
    assert Report(world.scope(scope), Q1, basis).throughput() == THROUGHPUT[scope]


# --- The points the board asked about, spelled out ----------------------------------------


def test_first_contact_uses_each_teams_own_threshold_in_one_query(
    world,
    django_assert_num_queries,
) -> None:
    """Usk's target is 48 h: the Walshes (36 h) count for Usk but would not under 24 h."""
    report = Report(world.scope("all"), Q1)
    with django_assert_num_queries(1):
        all_teams = report.first_contact_in_time()
    assert (all_teams.numerator, all_teams.denominator) == (11, 15)

    world.usk.first_contact_hours = 24
    world.usk.save(update_fields=["first_contact_hours"])
    usk = Report(world.scope("usk"), Q1).first_contact_in_time()
    assert (usk.numerator, usk.denominator, usk.value) == (2, 5, 40.0)
    everyone = Report(world.scope("all"), Q1).first_contact_in_time()
    assert (everyone.numerator, everyone.denominator) == (10, 15)


def test_assessment_target_is_per_team_but_the_bands_are_clock_hours(world) -> None:
    """The Walshes were assessed in exactly 96 h: in Usk's target, in the "week" band."""
    usk = Report(world.scope("usk"), Q1).assessment_times()
    assert (usk.numerator, usk.denominator) == (2, 3)
    # From referral, then from allocation (two hours later): the same bands.
    assert [r["n"] for r in usk.rows] == [1, 3, 3, 0, 1, 3, 3, 0]

    world.usk.assessment_hours = 72
    world.usk.save(update_fields=["assessment_hours"])
    usk = Report(world.scope("usk"), Q1).assessment_times()
    assert (usk.numerator, usk.denominator) == (1, 3)


def test_the_quarter_before_counts_only_its_own_events(world) -> None:
    """Q4 2024-25: Rees (13 Jan), Ellis (3 Mar) and Bowen (31 Mar 23:30) for Taff; Hill
    and the Ashtons' re-referral (10 Mar) for Usk."""
    assert figure(world, "taff", "events", "referrals_received", Q4)["value"] == 3
    assert figure(world, "usk", "events", "referrals_received", Q4)["value"] == 2
    assert figure(world, "usk", "events", "rereferral_rate", Q4)["value"] == 50.0
    assert figure(world, "taff", "events", "consultations", Q4)["value"] == 1
    assert figure(world, "taff", "events", "training", Q4)["rows"] == [{"attendees": 30}]
    assert figure(world, "taff", "events", "complaints", Q4)["value"] == 1
    # Rees's 1-month review (26 March) was held on its due date.
    reviews = figure(world, "taff", "events", "reviews_on_time", Q4)
    assert (reviews["numerator"], reviews["denominator"]) == (1, 1)
    # Rees and Ellis entered Phase 1 in Q4; Rees ended it (26 Feb, 42 days: 4-6 weeks).
    assert figure(world, "taff", "events", "phases", Q4)["value"] == 2
    lengths = figure(world, "taff", "events", "phase1_length", Q4)
    assert (lengths["numerator"], lengths["denominator"]) == (1, 1)


def test_the_card_draws_eight_quarters_and_colours_by_polarity(world) -> None:
    taff = world.taff
    for code, baseline, target in (
        ("referrals_received", 8, 12),
        ("first_contact", 70, 90),  # up is good: 80% is short of 90%
        ("complaints", 4, 3),  # down is good: 2 is within 3
        ("rereferral_rate", 20, 15),  # down is good: 10% is within 15%
    ):
        MeasureTarget.objects.create(
            measure=Measure.objects.get(code=code), team=taff, baseline=baseline, target=target
        )

    card = build_card(world.scope("taff"), Q1)

    lines = {line.definition.code: line for _, ls in card["quadrants"] for line in ls}
    assert card["trend_labels"] == [
        "Q2 2023-24",
        "Q3 2023-24",
        "Q4 2023-24",
        "Q1 2024-25",
        "Q2 2024-25",
        "Q3 2024-25",
        "Q4 2024-25",
        "Q1 2025-26",
    ]
    chart = str(lines["referrals_received"].chart)
    assert chart.startswith("<svg")
    assert "<title>Q4 2024-25: 3</title>" in chart
    assert "<title>Q1 2025-26: 10</title>" in chart
    assert "<title>Baseline 8</title>" in chart and "<title>Target 12</title>" in chart
    assert len(re.findall("<circle", chart)) == 8
    assert lines["first_contact"].status == "bad"
    assert lines["complaints"].status == "good"
    assert lines["rereferral_rate"].status == "good"
    assert lines["referrals_received"].status == "neutral"  # neither up nor down is good
    assert lines["consultations"].status == "neutral"  # no target set
    assert lines["referral_outcomes"].chart == ""  # not drawn as a trend

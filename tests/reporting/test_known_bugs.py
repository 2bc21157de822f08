"""Report card bugs found while writing the figure tests. Each test states the right answer
and is marked xfail(strict=True) until the app is fixed; a fix makes it pass, and the
strict mark then fails the run so the mark gets removed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from cases import clock
from outcomes.models import Occasion
from reporting import measures
from reporting.card import Line, build_card
from reporting.pdf import render_report_card_pdf
from reporting.periods import quarter
from reporting.queries import Figure, Report, la_scope, team_scope

from .fixture import Q1, REPORT_NOW, adult, at, child, d, fam, make_cast, short_journey
from .test_card_views import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return make_cast(prefix="kb")


def in_phase1(f, received, *, minutes: int = 120):
    """Referred, accepted, allocated, assessed and proceeding, with one direct contact."""
    f.refer(received).screen("accepted", received + timedelta(hours=1))
    f.allocate(received + timedelta(hours=2))
    f.assess(received + timedelta(days=1), received + timedelta(days=2)).proceed(
        received + timedelta(days=2, hours=1)
    )
    return f.contact(received + timedelta(days=3), minutes)


def test_assessment_target_respects_a_working_hours_clock(cast, time_machine) -> None:
    cast.taff.assessment_clock = clock.WORKING
    cast.taff.save(update_fields=["assessment_clock"])
    f = fam(
        cast,
        "A",
        "Weekend",
        "cardiff",
        "lone_mother",
        [adult("Ann", "female"), child("Bo", d(2016, 1, 1))],
    )
    received = at(2025, 6, 6, 16)  # Friday 16:00
    done = at(2025, 6, 10, 15)  # Tuesday 15:00
    f.refer(received).screen("accepted", at(2025, 6, 6, 16, 15)).allocate(at(2025, 6, 6, 16, 30))
    f.assess(at(2025, 6, 9, 9), done)
    # The case file's own arithmetic: 95 clock hours, 47 working hours: target met.
    assert clock.hours_between(received, done, clock.CLOCK) == 95
    assert clock.hours_between(received, done, clock.WORKING) == 47
    time_machine.move_to(REPORT_NOW, tick=False)

    figure = Report(team_scope(cast.taff), Q1).assessment_times()

    assert (figure.numerator, figure.denominator) == (1, 1)


def test_a_closed_quarters_paired_change_does_not_change_later(cast, time_machine) -> None:
    f = fam(
        cast,
        "A",
        "Later",
        "cardiff",
        "lone_mother",
        [adult("Ann", "female"), child("Bo", d(2016, 1, 1))],
    )
    in_phase1(f, at(2025, 4, 1))
    f.wemwbs("Ann", Occasion.START, d(2025, 4, 3), 30)
    f.plan(d(2025, 5, 19)).wemwbs("Ann", Occasion.END_PHASE1, d(2025, 5, 20), 40)
    f.end_phase1(d(2025, 5, 20))
    time_machine.move_to(REPORT_NOW, tick=False)
    before = Report(team_scope(cast.taff), Q1).reading_change("wemwbs")
    assert (before.value, before.denominator) == (10.0, 1)  # as the Q1 board report said

    f.wemwbs("Ann", Occasion.CLOSURE, d(2025, 8, 10), 45)  # in Q2
    time_machine.move_to(at(2025, 10, 5), tick=False)
    after = Report(team_scope(cast.taff), Q1).reading_change("wemwbs")

    assert (after.value, after.denominator) == (10.0, 1)


def test_a_review_still_within_its_grace_is_not_counted_late(cast, time_machine) -> None:
    f = fam(
        cast,
        "A",
        "Graceful",
        "cardiff",
        "lone_mother",
        [adult("Ann", "female"), child("Bo", d(2016, 1, 1))],
    )
    in_phase1(f, at(2025, 4, 1))
    f.goal(at(2025, 4, 3, 18), substance=True, baseline=-1)
    f.plan(d(2025, 5, 24)).end_phase1(d(2025, 5, 25))  # 1-month review due 25 June
    time_machine.move_to(at(2025, 7, 1, 6, 30), tick=False)  # the quarterly job runs

    on_the_first = Report(team_scope(cast.taff), Q1).reviews_on_time()

    f.review(1, d(2025, 7, 3), (0,))  # held 8 days after its due date: on time
    time_machine.move_to(at(2025, 7, 20), tick=False)
    later = Report(team_scope(cast.taff), Q1).reviews_on_time()
    assert (later.numerator, later.denominator) == (1, 1)
    assert on_the_first.numerator == on_the_first.denominator  # not a late review


def test_a_child_is_in_the_right_age_band_on_their_birthday(cast, time_machine) -> None:
    f = fam(
        cast,
        "A",
        "Birthday",
        "cardiff",
        "lone_mother",
        [adult("Ann", "female"), child("Seven", d(2016, 12, 31))],
    )
    f.refer(at(2023, 11, 1))
    time_machine.move_to(at(2024, 1, 5), tick=False)
    period = quarter(2023, 3)  # 1 October - 31 December 2023
    assert f.people["Seven"].age_on(period.end) == 7

    bands = dict(
        (r["label"], r["n"])
        for r in Report(team_scope(cast.taff), period).context()["Children by age band"]
    )

    assert (bands["3-6"], bands["7-10"]) == (0, 1)


def test_cases_closed_a_year_before_the_quarter_across_a_leap_day(cast, time_machine) -> None:
    f = fam(
        cast,
        "A",
        "Leap",
        "cardiff",
        "lone_mother",
        [adult("Ann", "female"), child("Bo", d(2016, 1, 1))],
    )
    short_journey(f, at(2023, 3, 1), at(2023, 4, 1, 10))  # closed 1 April 2023
    time_machine.move_to(at(2024, 7, 5), tick=False)

    q1 = Report(team_scope(cast.taff), quarter(2024, 1)).not_rereferred_within_12_months()
    q4 = Report(team_scope(cast.taff), quarter(2023, 4)).not_rereferred_within_12_months()

    assert (q1.denominator, q4.denominator) == (1, 0)


def test_a_local_authority_card_counts_other_teams_referrals_consistently(
    cast,
    time_machine,
) -> None:
    f = fam(
        cast,
        "A",
        "Outside",
        "newport",
        "lone_mother",  # Taff does not serve Newport
        [adult("Ann", "female"), child("Bo", d(2016, 1, 1))],
    )
    f.refer(at(2025, 4, 2, 9)).first_contact(at(2025, 4, 3, 15))  # 30 h: late for Taff
    f.screen("inappropriate", at(2025, 4, 3, 16))
    time_machine.move_to(REPORT_NOW, tick=False)
    report = Report(la_scope(cast.newport), Q1)

    assert report.referrals_received().value == 1
    first_contact = report.first_contact_in_time()
    rows = report.throughput()

    assert (first_contact.numerator, first_contact.denominator) == (0, 1)
    assert sum(r["referrals"] for r in rows) == 1
    assert sum(r["inappropriate"] for r in rows) == 1


# --- Board outputs: small numbers ------------------------------------------------------------


def test_the_board_pdf_hides_the_number_of_families_in_male_presence(
    cast,
    time_machine,
) -> None:
    for name, members in (
        ("One", [adult("Al", "male", substances=("alcohol",)), child("C1", d(2016, 1, 1))]),
        ("Two", [adult("Bea", "female"), child("C2", d(2017, 1, 1))]),
        ("Three", [adult("Cat", "female"), child("C3", d(2018, 1, 1))]),
    ):
        fam(cast, "B", name, "newport", "lone_mother", members).refer(at(2025, 5, 1))
    time_machine.move_to(REPORT_NOW, tick=False)

    card = build_card(team_scope(cast.usk), Q1, suppress=5, with_trends=False)
    text = pdf_text(render_report_card_pdf(card))

    assert "Referrals received Referrals received in the period <5" in text
    male = re.search(r"Families with an adult male (\S+ / \S+)", text)[1]
    assert male == "<5 / <5"


def test_a_suppressed_denominator_cannot_be_worked_back_from_the_mean() -> None:
    line = Line(
        measures.BY_CODE["phase1_hours"],
        None,
        Figure(5.3, 16.0, 3, "mean"),
        None,
        None,
        "",
        "neutral",
    )

    shown = line.text(5)

    assert shown["denominator"] == "<5"
    assert shown["value"] == "–" or shown["numerator"] in ("", "–", "<5")


def test_a_mean_with_no_numerator_prints_no_dangling_slash(cast, time_machine) -> None:
    f = fam(
        cast,
        "A",
        "Pair",
        "cardiff",
        "lone_mother",
        [adult("Ann", "female"), child("Bo", d(2016, 1, 1))],
    )
    in_phase1(f, at(2025, 4, 1))
    f.wemwbs("Ann", Occasion.START, d(2025, 4, 3), 30)
    f.plan(d(2025, 5, 19)).wemwbs("Ann", Occasion.END_PHASE1, d(2025, 5, 20), 40)
    f.end_phase1(d(2025, 5, 20))
    time_machine.move_to(REPORT_NOW, tick=False)

    card = build_card(team_scope(cast.taff), Q1, with_trends=False)
    text = pdf_text(render_report_card_pdf(card))

    printed = re.search(r"people with both readings (.+?) SDQ total", text)[1]
    assert not re.search(r"(^|\s)/ 1\b", printed), printed

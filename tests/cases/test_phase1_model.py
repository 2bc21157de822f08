"""Phase 1 against the model, tested without a database: when the hours projection may warn,
and how an ending falls short of the team's minimum weeks and hours."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cases import pathway

START = date(2027, 1, 4)


def progress(days_in: int, hours: float, **team) -> dict:
    settings = {"min_weeks": 4, "max_weeks": 6, "min_hours": 50, **team}
    return pathway.phase1_progress(
        start=START, today=START + timedelta(days=days_in), direct_hours=hours, **settings
    )


def test_no_warning_before_a_full_week_however_few_the_hours():
    p = progress(6, 0.5)  # the seventh day: the first week is not over yet

    assert (p["can_project"], p["below_minimum"], p["above_maximum"]) == (False, False, False)


def test_a_full_week_in_the_projection_warns_below_the_minimum():
    p = progress(7, 5)

    assert p["can_project"] is True
    assert p["below_minimum"] is True
    assert p["above_maximum"] is False


def test_no_warning_when_the_projection_meets_the_minimum_exactly():
    # 8 days elapsed of 42 planned: 50 hours projected needs 50 * 8 / 42 hours so far.
    p = progress(7, 50 * 8 / 42)

    assert p["projected_hours"] == 50
    assert p["below_minimum"] is False


def test_the_projection_warns_when_it_passes_the_120_hour_maximum():
    at_max = progress(7, 120 * 8 / 42)
    past_max = progress(7, 120 * 8 / 42 + 0.1)

    assert at_max["above_maximum"] is False
    assert past_max["above_maximum"] is True
    assert progress(6, 40)["above_maximum"] is False  # heavy first days: too early to say


@pytest.mark.parametrize(
    ("days", "hours", "short"),
    [
        (28, 50, 0),  # exactly the minimum weeks and hours
        (27, 50, 1),  # a day short of 4 weeks
        (28, 49.9, 1),  # just under the hours
        (0, 5, 2),  # ended on day 0 with 5 hours
    ],
)
def test_the_shortfall_at_its_boundaries(days, hours, short):
    found = pathway.phase1_shortfall(
        start=START,
        ended_on=START + timedelta(days=days),
        direct_hours=hours,
        min_weeks=4,
        min_hours=50,
    )

    assert len(found) == short


def test_the_shortfall_says_what_is_short():
    found = pathway.phase1_shortfall(
        start=START,
        ended_on=START + timedelta(days=17),
        direct_hours=12.25,
        min_weeks=4,
        min_hours=50,
    )

    assert found == [
        "17 days of the 4-week minimum",
        "12.2 of the 50-hour minimum of direct work",
    ]

"""Financial years run April to March; Q1 is April to June."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.periods import financial_quarter, financial_year_start


@pytest.mark.parametrize(
    ("day", "start", "end", "label"),
    [
        # Q1: April to June, both boundaries.
        (date(2025, 4, 1), date(2025, 4, 1), date(2025, 6, 30), "Q1 2025-26"),
        (date(2025, 5, 15), date(2025, 4, 1), date(2025, 6, 30), "Q1 2025-26"),
        (date(2025, 6, 30), date(2025, 4, 1), date(2025, 6, 30), "Q1 2025-26"),
        # Q2: July to September.
        (date(2025, 7, 1), date(2025, 7, 1), date(2025, 9, 30), "Q2 2025-26"),
        (date(2025, 9, 30), date(2025, 7, 1), date(2025, 9, 30), "Q2 2025-26"),
        # Q3: October to December, ending on the calendar year's last day.
        (date(2025, 10, 1), date(2025, 10, 1), date(2025, 12, 31), "Q3 2025-26"),
        (date(2025, 12, 31), date(2025, 10, 1), date(2025, 12, 31), "Q3 2025-26"),
        # Q4: January to March, in the next calendar year but the same financial year.
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31), "Q4 2025-26"),
        (date(2026, 2, 28), date(2026, 1, 1), date(2026, 3, 31), "Q4 2025-26"),
        (date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31), "Q4 2025-26"),
        # The day after Q4 ends starts the next financial year.
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30), "Q1 2026-27"),
        # A leap year's February is inside Q4.
        (date(2024, 2, 29), date(2024, 1, 1), date(2024, 3, 31), "Q4 2023-24"),
        # The label's second year wraps at the century.
        (date(2000, 1, 15), date(2000, 1, 1), date(2000, 3, 31), "Q4 1999-00"),
    ],
)
def test_financial_quarter_contains_the_day_with_its_bounds_and_label(day, start, end, label):
    assert financial_quarter(day) == (start, end, label)


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_falls_in_a_three_month_quarter_that_contains_it(month):
    day = date(2025, month, 15)
    start, end, _label = financial_quarter(day)
    assert start <= day <= end
    assert start.day == 1
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == 2
    assert financial_quarter(start) == financial_quarter(end) == financial_quarter(day)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2025, 3, 31), 2024),
        (date(2025, 4, 1), 2025),
        (date(2025, 12, 31), 2025),
        (date(2026, 1, 1), 2025),
    ],
)
def test_financial_year_starts_in_april(day, year):
    assert financial_year_start(day) == year

"""The assessment clock's three settings say what they count, and office hours (09:00-17:00
on weekdays, bank holidays skipped) is one of them. Pure functions, no database.

Expected moments are worked out by hand from the calendar: Friday 23 May 2025 is the
Friday before the spring bank holiday (Monday 26 May 2025); Friday 18 April 2025 is Good
Friday and Monday 21 April 2025 Easter Monday.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import AssessmentClock
from cases.clock import CLOCK, OFFICE, WORKING, add_hours, hours_between

LONDON = ZoneInfo("Europe/London")


def london(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


def as_london(moment: datetime) -> tuple[int, int, int, int, int]:
    local = moment.astimezone(LONDON)
    return (local.year, local.month, local.day, local.hour, local.minute)


def test_the_setting_offers_office_hours_and_says_what_each_choice_counts() -> None:
    labels = dict(AssessmentClock.choices)
    assert set(labels) == {CLOCK, WORKING, OFFICE}
    assert "every hour of every day" in labels[CLOCK]
    assert "Whole working days" in labels[WORKING] and "24 a day" in labels[WORKING]
    assert "09:00-17:00" in labels[OFFICE] and "bank holidays" in labels[OFFICE]


FRIDAY_1630 = london(2025, 5, 23, 16, 30)  # the Friday before the spring bank holiday


@pytest.mark.parametrize(
    ("hours", "due"),
    [
        (0.5, (2025, 5, 23, 17, 0)),  # runs out at closing time: due then, not on Tuesday
        (1, (2025, 5, 27, 9, 30)),  # half an hour Friday; Monday is a bank holiday
        (8, (2025, 5, 27, 16, 30)),  # 0.5 Friday + 7.5 Tuesday
        (8.5, (2025, 5, 27, 17, 0)),  # exactly closing time on Tuesday
        (24, (2025, 5, 29, 16, 30)),  # 0.5 Fri, then Tue, Wed 8 each, 7.5 Thursday
        (72, (2025, 6, 6, 16, 30)),  # nine office days: 0.5 + 8 x 8 + 7.5
    ],
)
def test_office_hours_from_1630_friday_before_a_bank_holiday_monday(hours, due) -> None:
    end = add_hours(FRIDAY_1630, hours, OFFICE)
    assert as_london(end) == due
    assert hours_between(FRIDAY_1630, end, OFFICE) == hours


def test_whole_working_days_from_1630_friday_before_a_bank_holiday_monday() -> None:
    # 7.5 hours of Friday, the weekend and Monday skipped, then Tuesday counted whole.
    assert as_london(add_hours(FRIDAY_1630, 24, WORKING)) == (2025, 5, 27, 16, 30)
    assert as_london(add_hours(FRIDAY_1630, 72, WORKING)) == (2025, 5, 29, 16, 30)
    # Clock hours skip nothing.
    assert as_london(add_hours(FRIDAY_1630, 72, CLOCK)) == (2025, 5, 26, 16, 30)


def test_office_hours_do_not_count_evenings_weekends_or_bank_holidays() -> None:
    # Thursday 17 April 2025 18:00 (after hours) to Tuesday 22 April 10:00: Good Friday,
    # the weekend and Easter Monday count nothing; Tuesday 09:00-10:00 counts 1 hour.
    assert hours_between(london(2025, 4, 17, 18), london(2025, 4, 22, 10), OFFICE) == 1
    # A start before opening counts from 09:00.
    assert hours_between(london(2025, 6, 2, 7), london(2025, 6, 2, 12), OFFICE) == 3
    assert as_london(add_hours(london(2025, 6, 2, 7), 2, OFFICE)) == (2025, 6, 2, 11, 0)
    # A referral at 18:00 Friday starts counting at 09:00 Monday.
    assert as_london(add_hours(london(2025, 6, 6, 18), 1, OFFICE)) == (2025, 6, 9, 10, 0)
    # A whole working day is 8 office hours and 24 working-day hours.
    start, end = london(2025, 6, 2, 0), london(2025, 6, 3, 0)
    assert hours_between(start, end, OFFICE) == 8
    assert hours_between(start, end, WORKING) == 24


def test_office_hours_across_the_clocks_going_forward() -> None:
    # Friday 28 March 2025 16:00 to Monday 31 March 2025 10:00 (BST from Sunday 30 March):
    # 1 hour on Friday and 1 on Monday, whatever the offset.
    assert hours_between(london(2025, 3, 28, 16), london(2025, 3, 31, 10), OFFICE) == 2

"""The assessment clock: clock hours and working hours (weekends and England and Wales
bank holidays skipped whole). Pure functions, no database.

Expected moments are worked out by hand from the calendar, not from the `holidays` package.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases.clock import CLOCK, WORKING, add_hours, hours_between, is_working_day

LONDON = ZoneInfo("Europe/London")


def london(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


def utc_of(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    """A London wall-clock time as an aware UTC datetime, as the database returns it."""
    return london(y, m, d, h, mi).astimezone(UTC)


def as_london(moment: datetime) -> tuple[int, int, int, int, int]:
    local = moment.astimezone(LONDON)
    return (local.year, local.month, local.day, local.hour, local.minute)


def real_hours(start: datetime, end: datetime) -> float:
    """Elapsed physical time, whatever tzinfo the datetimes carry."""
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 3600


# --- Working days -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ((2026, 6, 1), True),  # Monday
        ((2026, 6, 5), True),  # Friday
        ((2026, 6, 6), False),  # Saturday
        ((2026, 6, 7), False),  # Sunday
        ((2026, 12, 24), True),  # Christmas Eve is a working day
        ((2026, 12, 25), False),  # Christmas Day (Friday)
        ((2026, 12, 28), False),  # Boxing Day falls on Saturday: substitute Monday 28th
        ((2026, 12, 29), True),
        ((2027, 3, 26), False),  # Good Friday 2027
        ((2027, 3, 29), False),  # Easter Monday 2027
        ((2027, 3, 30), True),
    ],
)
def test_is_working_day(day: tuple[int, int, int], working: bool) -> None:
    assert is_working_day(date(*day)) is working


# --- add_hours -------------------------------------------------------------------------


def test_monday_start_72_working_hours_is_thursday_same_time() -> None:
    start = london(2026, 6, 1, 10)  # Monday 10:00 BST
    assert as_london(add_hours(start, 72, WORKING)) == (2026, 6, 4, 10, 0)
    # No weekend in the way: the clock gives the same answer.
    assert as_london(add_hours(start, 72, CLOCK)) == (2026, 6, 4, 10, 0)


def test_friday_start_skips_the_weekend() -> None:
    start = london(2026, 6, 5, 10)  # Friday 10:00
    # Friday 14 h, Saturday and Sunday skipped, Monday 24, Tuesday 24, Wednesday 10.
    assert as_london(add_hours(start, 72, WORKING)) == (2026, 6, 10, 10, 0)
    # In clock hours the weekend counts: Monday 10:00.
    assert as_london(add_hours(start, 72, CLOCK)) == (2026, 6, 8, 10, 0)


def test_christmas_and_boxing_day_substitute_2026_are_skipped() -> None:
    start = london(2026, 12, 24, 10)  # Thursday
    # Thu 14 h; Fri 25 (Christmas), Sat 26, Sun 27, Mon 28 (Boxing Day substitute) skipped;
    # Tue 29 and Wed 30 give 48 h; the last 10 h end on Thursday 31 December at 10:00.
    assert as_london(add_hours(start, 72, WORKING)) == (2026, 12, 31, 10, 0)
    assert hours_between(start, london(2026, 12, 31, 10), WORKING) == pytest.approx(72)
    assert as_london(add_hours(start, 72, CLOCK)) == (2026, 12, 27, 10, 0)


def test_easter_2027_is_skipped() -> None:
    start = london(2027, 3, 25, 10)  # Maundy Thursday
    # Thu 14 h; Good Friday 26, Sat 27, Sun 28, Easter Monday 29 skipped; Tue 30 and Wed 31
    # give 48 h; Thursday 1 April 10:00 (BST, the clocks went forward on Sunday 28th).
    assert as_london(add_hours(start, 72, WORKING)) == (2027, 4, 1, 10, 0)
    assert hours_between(start, london(2027, 4, 1, 10), WORKING) == pytest.approx(72)


def test_a_bank_holiday_counts_nothing_in_working_hours() -> None:
    good_friday = london(2027, 3, 26, 9)
    easter_monday_evening = london(2027, 3, 29, 23)
    assert hours_between(good_friday, easter_monday_evening, WORKING) == 0
    # From Good Friday morning the working clock starts at midnight on Tuesday.
    assert as_london(add_hours(good_friday, 1, WORKING)) == (2027, 3, 30, 1, 0)


def test_bst_start_clock_mode_counts_72_real_hours() -> None:
    # Friday 27 March 2026 10:00 GMT; the clocks go forward at 01:00 on Sunday 29 March.
    start = utc_of(2026, 3, 27, 10)
    end = add_hours(start, 72, CLOCK)
    assert real_hours(start, end) == pytest.approx(72)
    # 72 real hours later the wall clock shows 11:00 BST on Monday.
    assert as_london(end) == (2026, 3, 30, 11, 0)
    assert hours_between(start, end, CLOCK) == pytest.approx(72)


def test_bst_end_clock_mode_counts_72_real_hours() -> None:
    # Friday 23 October 2026 10:00 BST; the clocks go back at 02:00 on Sunday 25 October.
    start = utc_of(2026, 10, 23, 10)
    end = add_hours(start, 72, CLOCK)
    assert real_hours(start, end) == pytest.approx(72)
    assert as_london(end) == (2026, 10, 26, 9, 0)
    assert hours_between(start, end, CLOCK) == pytest.approx(72)


def test_bst_clock_mode_with_a_london_aware_start_counts_real_hours() -> None:
    """Form input carries the Europe/London tzinfo: Python's own arithmetic on such a
    datetime adds wall-clock hours (71 real hours here). The clock must not."""
    start = london(2026, 3, 27, 10)
    end = add_hours(start, 72, CLOCK)
    assert real_hours(start, end) == pytest.approx(72)
    assert as_london(end) == (2026, 3, 30, 11, 0)
    assert hours_between(start, end, CLOCK) == pytest.approx(72)


def test_bst_clock_mode_hours_between_london_aware_datetimes_counts_real_hours() -> None:
    start = london(2026, 3, 27, 10)
    end = london(2026, 3, 30, 10)  # Monday 10:00 BST = 71 real hours later
    assert hours_between(start, end, CLOCK) == pytest.approx(71)
    # Autumn: Friday 10:00 BST to Monday 10:00 GMT is 73 real hours.
    assert hours_between(london(2026, 10, 23, 10), london(2026, 10, 26, 10), CLOCK) == (
        pytest.approx(73)
    )


def test_working_mode_across_bst_counts_whole_working_days() -> None:
    # Friday 27 March 2026 10:00 GMT to Monday 30 March 10:00 BST: Friday 14 h, Monday 10 h.
    assert hours_between(utc_of(2026, 3, 27, 10), utc_of(2026, 3, 30, 10), WORKING) == (
        pytest.approx(24)
    )
    assert as_london(add_hours(utc_of(2026, 3, 27, 10), 24, WORKING)) == (2026, 3, 30, 10, 0)


def test_working_mode_result_is_in_london_time() -> None:
    end = add_hours(utc_of(2026, 6, 1, 10), 5, WORKING)
    assert end.utcoffset() == timedelta(hours=1)  # BST
    assert end.astimezone(UTC) == datetime(2026, 6, 1, 14, 0, tzinfo=UTC)


def test_unknown_mode_counts_clock_hours() -> None:
    start = utc_of(2026, 6, 5, 10)
    assert add_hours(start, 72, "anything") == add_hours(start, 72, CLOCK)


# --- hours_between -----------------------------------------------------------------------


def test_hours_between_is_zero_when_end_is_not_after_start() -> None:
    start = utc_of(2026, 6, 1, 10)
    assert hours_between(start, start, CLOCK) == 0
    assert hours_between(start, start - timedelta(hours=5), WORKING) == 0
    assert hours_between(start, start - timedelta(hours=5), CLOCK) == 0


def test_hours_between_friday_to_monday() -> None:
    start, end = utc_of(2026, 6, 5, 10), utc_of(2026, 6, 8, 10)
    assert hours_between(start, end, CLOCK) == pytest.approx(72)
    assert hours_between(start, end, WORKING) == pytest.approx(24)  # Fri 14 h + Mon 10 h


@pytest.mark.parametrize("mode", [CLOCK, WORKING])
@pytest.mark.parametrize(
    "start",
    [
        utc_of(2026, 6, 1, 10),  # Monday
        utc_of(2026, 6, 5, 17, 30),  # Friday evening
        utc_of(2026, 6, 6, 12),  # Saturday
        utc_of(2026, 12, 23, 9, 15),  # before Christmas
        utc_of(2027, 3, 25, 16),  # before Easter and the BST change
        utc_of(2026, 10, 23, 10),  # before the end of BST
    ],
    ids=["monday", "friday-evening", "saturday", "christmas", "easter-bst", "bst-end"],
)
@pytest.mark.parametrize("hours", [0.5, 1, 24, 72, 100.25, 200])
def test_hours_between_is_the_inverse_of_add_hours(
    start: datetime, hours: float, mode: str
) -> None:
    end = add_hours(start, hours, mode)
    assert end > start
    assert hours_between(start, end, mode) == pytest.approx(hours)

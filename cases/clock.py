"""Deadline arithmetic for the assessment clock. Pure functions: no ORM, no settings.

"Working hours" count only time that falls on working days: weekends and England and
Wales bank holidays are skipped whole (the `holidays` package works offline).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
CLOCK = "clock"
WORKING = "working"


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # Wales shares England's bank holidays (subdivision WLS).
    return frozenset(holidays.country_holidays("GB", subdiv="WLS", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_hours(start: datetime, hours: float, mode: str) -> datetime:
    """The moment `hours` after start, counting clock hours or only working-day hours."""
    if mode != WORKING:
        # In UTC: adding to a Europe/London time would add wall-clock hours across BST.
        return (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)
    local = start.astimezone(LONDON)
    remaining = timedelta(hours=hours)
    cursor = local.replace(tzinfo=None)
    while True:
        next_midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time())
        if is_working_day(cursor.date()):
            available = next_midnight - cursor
            if remaining <= available:
                end = (cursor + remaining).replace(tzinfo=LONDON)
                if end.astimezone(UTC) < start.astimezone(UTC):
                    # A wall time repeated when the clocks go back: the second one, so the
                    # end is never before a start taken in that repeated hour.
                    end = end.replace(fold=1)
                return end
            remaining -= available
        cursor = next_midnight


def hours_between(start: datetime, end: datetime, mode: str) -> float:
    """Elapsed hours from start to end, in clock or working hours."""
    if end.astimezone(UTC) <= start.astimezone(UTC):
        # In UTC: two times in the same zone compare by wall clock, so the repeated hour
        # when the clocks go back would look like no time at all.
        return 0.0
    if mode != WORKING:
        return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 3600
    a = start.astimezone(LONDON).replace(tzinfo=None)
    b = end.astimezone(LONDON).replace(tzinfo=None)
    total = timedelta()
    cursor = a
    while cursor < b:
        next_midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time())
        stop = min(next_midnight, b)
        if is_working_day(cursor.date()):
            total += stop - cursor
        cursor = stop
    return total.total_seconds() / 3600

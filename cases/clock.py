"""Deadline arithmetic for the assessment clock. Pure functions: no ORM, no settings.

Three ways to count an hour of a target (the team chooses, accounts.AssessmentClock):
- CLOCK: every hour of every day;
- WORKING ("whole working days"): every hour of a weekday, 24 a day; weekends and England
  and Wales bank holidays are skipped whole;
- OFFICE ("office hours"): 09:00-17:00 local time on working days, 8 a day.
Bank holidays come from the `holidays` package, which works offline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
CLOCK = "clock"
WORKING = "working"
OFFICE = "office"
OFFICE_OPENS = time(9, 0)
OFFICE_CLOSES = time(17, 0)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # Wales shares England's bank holidays (subdivision WLS).
    return frozenset(holidays.country_holidays("GB", subdiv="WLS", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_hours(start: datetime, hours: float, mode: str) -> datetime:
    """The moment `hours` after start, counting clock hours, whole working days' hours or
    office hours."""
    if mode == OFFICE:
        return _add_office_hours(start, hours)
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
    if mode == OFFICE:
        return _office_hours_between(start, end)
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


def _office_window(day: date) -> tuple[datetime, datetime]:
    """The day's office hours as naive London wall times (no clock change falls in them)."""
    return datetime.combine(day, OFFICE_OPENS), datetime.combine(day, OFFICE_CLOSES)


def _add_office_hours(start: datetime, hours: float) -> datetime:
    """A target that runs out exactly at 17:00 ends then, not at 09:00 the next working
    day; time outside office hours does not count, so a start at 18:00 Friday counts from
    09:00 on the next working day."""
    cursor = start.astimezone(LONDON).replace(tzinfo=None)
    remaining = timedelta(hours=hours)
    while True:
        opens, closes = _office_window(cursor.date())
        if is_working_day(cursor.date()) and cursor < closes:
            cursor = max(cursor, opens)
            available = closes - cursor
            if remaining <= available:
                return (cursor + remaining).replace(tzinfo=LONDON)
            remaining -= available
        cursor = datetime.combine(cursor.date() + timedelta(days=1), time.min)


def _office_hours_between(start: datetime, end: datetime) -> float:
    a = start.astimezone(LONDON).replace(tzinfo=None)
    b = end.astimezone(LONDON).replace(tzinfo=None)
    total = timedelta()
    day = a.date()
    while day <= b.date():
        if is_working_day(day):
            opens, closes = _office_window(day)
            lo, hi = max(a, opens), min(b, closes)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600

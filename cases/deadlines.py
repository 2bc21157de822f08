"""Deadline arithmetic: every due date the product watches, and the bands the report
card counts against, from plain values. Pure: no ORM, no settings (the team's own targets
are passed in). Reminders, the pages and the report card's SQL all take their numbers
from here, so a deadline is stated once.

How an hour of the assessment target is counted (clock, working or office hours) is
clock.py's; this module says which targets there are and from when they run."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from . import clock

DAYS_PER_WEEK = 7
HOURS_PER_DAY = 24
MINUTES_PER_DAY = HOURS_PER_DAY * 60

# --- Referrals --------------------------------------------------------------------------
# DOMAIN.md: first contact with the referrer within 24 hours; the team sets its own hours
# (Team.first_contact_hours), as it does its screening days.


def first_contact_due(received_at: datetime, hours: int) -> datetime:
    """When first contact with the referrer is due: the team's hours after receipt."""
    return received_at + first_contact_allowed(hours)


def first_contact_allowed(hours: int) -> timedelta:
    """The time a team allows for first contact (the report card's SQL compares with it)."""
    return timedelta(hours=hours)


def screening_due(received_at: datetime, days: int) -> datetime:
    """When a screening decision is expected: the team's days after receipt."""
    return received_at + timedelta(days=days)


# --- The "72-hour" assessment -------------------------------------------------------------
ASSESSMENT_HOURS = 72
# The report card's bands of how long assessments took, in clock time (DOMAIN.md: 6%
# within 72 hours, 61% within a week, 88% within two weeks).
ASSESSMENT_BANDS = {
    "h72": timedelta(hours=ASSESSMENT_HOURS),
    "week": timedelta(days=DAYS_PER_WEEK),
    "fortnight": timedelta(days=2 * DAYS_PER_WEEK),
}


def assessment_due(clock_from: datetime, hours: int, mode: str) -> datetime:
    """When the assessment is due: the team's target hours on the team's clock."""
    return clock.add_hours(clock_from, hours, mode)


def hours_allowed(hours: int) -> timedelta:
    """A team's target in hours as a duration, for SQL comparisons of elapsed time."""
    return timedelta(hours=hours)


# --- Phase 1 ------------------------------------------------------------------------------
# The report card's bands of Phase 1 lengths, in weeks (the model is 4 to 6).
PHASE1_BAND_WEEKS = (4, 6, 10)
# Readings at the start of Phase 1 are chased once its first week is over, and the hours
# are projected (and warned about) only from then: a day or two says nothing.
PHASE1_FIRST_WEEK = timedelta(days=DAYS_PER_WEEK)


# The start of Phase 1 may slip past the planned day by up to a week, with a reason.
PHASE1_MAX_SLIP = timedelta(days=DAYS_PER_WEEK)


def phase1_due(start: date, max_weeks: int) -> date:
    """The day Phase 1 reaches the team's maximum length."""
    return start + timedelta(weeks=max_weeks)


def after_first_week(start: date) -> date:
    """The day Phase 1's first full week is over."""
    return start + PHASE1_FIRST_WEEK


# --- Contacts ---------------------------------------------------------------------------
# A contact lasts at most a day; it may be dated up to a day before the allocation (work
# begun the evening before it was keyed in), and a few minutes ahead of the server's clock.
MAX_CONTACT_MINUTES = MINUTES_PER_DAY
CONTACT_BEFORE_ALLOCATION = timedelta(days=1)
CLOCK_SKEW = timedelta(minutes=5)

# --- Reviews ------------------------------------------------------------------------------
# The report card counts a review as on time if held within two weeks of its due date.
REVIEW_GRACE = timedelta(days=2 * DAYS_PER_WEEK)


def review_window(due_on: date, days: int) -> tuple[date, date]:
    """The days on which a review counts as held on time: `days` either side of due."""
    return due_on - timedelta(days=days), due_on + timedelta(days=days)


# --- After closure ------------------------------------------------------------------------
# A family referred again within a year of closing counts against sustained change.
REREFERRAL_WINDOW = timedelta(days=365)

# --- Pages ----------------------------------------------------------------------------------
# A deadline within a week is shown as due soon.
DUE_SOON = timedelta(days=DAYS_PER_WEEK)
DUE_SOON_DAYS = DUE_SOON.days

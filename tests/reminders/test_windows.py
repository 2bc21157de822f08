"""reminders.services.current_step and is_past_all_windows: pure functions, no database.

With the team defaults (notice 2 days before, escalation 3 days overdue) the windows are:
    [due - 2d, due)        -> before
    [due, due + 1d)        -> due
    [due + 3d, due + 4d)   -> escalate
    anything else          -> None
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reminders.models import Step
from reminders.services import current_step, is_past_all_windows

DUE = datetime(2026, 6, 10, 17, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


def step(now: datetime, *, before_days: int = 2, escalate_days: int = 3):
    return current_step(DUE, now, before_days=before_days, escalate_days=escalate_days)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(DUE - 30 * DAY, None, id="a month ahead"),
        pytest.param(DUE - 2 * DAY - SECOND, None, id="just before the notice window"),
        pytest.param(DUE - 2 * DAY, Step.BEFORE, id="notice window opens (inclusive)"),
        pytest.param(DUE - DAY, Step.BEFORE, id="a day ahead"),
        pytest.param(DUE - SECOND, Step.BEFORE, id="a second ahead"),
        pytest.param(DUE, Step.DUE, id="the due moment (inclusive)"),
        pytest.param(DUE + DAY - SECOND, Step.DUE, id="end of the due day"),
        pytest.param(DUE + DAY, None, id="the due window has closed"),
        pytest.param(DUE + 2 * DAY, None, id="two days overdue"),
        pytest.param(DUE + 3 * DAY - SECOND, None, id="just before escalation"),
        pytest.param(DUE + 3 * DAY, Step.ESCALATE, id="escalation opens (inclusive)"),
        pytest.param(DUE + 4 * DAY - SECOND, Step.ESCALATE, id="end of the escalation day"),
        pytest.param(DUE + 4 * DAY, None, id="past every window"),
        pytest.param(DUE + 400 * DAY, None, id="long past"),
    ],
)
def test_the_step_whose_window_contains_now(now, expected):
    assert step(now) == expected


@pytest.mark.parametrize(
    ("before_days", "escalate_days", "now", "expected"),
    [
        pytest.param(5, 3, DUE - 5 * DAY, Step.BEFORE, id="a longer notice opens earlier"),
        pytest.param(5, 3, DUE - 5 * DAY - SECOND, None, id="and not before"),
        pytest.param(0, 3, DUE - SECOND, None, id="no notice at all when 0 days before"),
        pytest.param(0, 3, DUE, Step.DUE, id="0 days before still has the due step"),
        pytest.param(2, 1, DUE + DAY, Step.ESCALATE, id="escalate the day after the due window"),
        pytest.param(2, 1, DUE + 2 * DAY, None, id="escalate-after-1 closes after a day"),
        pytest.param(2, 0, DUE + DAY, Step.ESCALATE, id="0 escalation days means at least 1"),
        pytest.param(2, 0, DUE + SECOND, Step.DUE, id="0 escalation days keeps the due step"),
        pytest.param(2, 7, DUE + 7 * DAY, Step.ESCALATE, id="a longer escalation delay"),
        pytest.param(2, 7, DUE + 3 * DAY, None, id="nothing on day 3 with a 7-day delay"),
    ],
)
def test_windows_follow_the_team_settings(before_days, escalate_days, now, expected):
    assert step(now, before_days=before_days, escalate_days=escalate_days) == expected


@pytest.mark.parametrize(
    ("now", "escalate_days", "expected"),
    [
        pytest.param(DUE - DAY, 3, False, id="not yet due"),
        pytest.param(DUE + 2 * DAY, 3, False, id="between due and escalation"),
        pytest.param(DUE + 3 * DAY, 3, False, id="escalation window open"),
        pytest.param(DUE + 4 * DAY - SECOND, 3, False, id="last second of escalation"),
        pytest.param(DUE + 4 * DAY, 3, True, id="escalation window closed"),
        pytest.param(DUE + 90 * DAY, 3, True, id="months overdue"),
        pytest.param(DUE + 2 * DAY, 0, True, id="0 escalation days counts as 1"),
        pytest.param(DUE + 2 * DAY - SECOND, 0, False, id="0 escalation days, still open"),
    ],
)
def test_is_past_all_windows(now, escalate_days, expected):
    assert is_past_all_windows(DUE, now, escalate_days=escalate_days) is expected


def test_past_all_windows_is_exactly_when_no_step_is_current_after_the_due_date():
    """The two functions agree: once past all windows, no step is ever current again, and
    every moment after the due date that is not past them either has a step or is the gap
    between the due day and the escalation day."""
    for hours in range(0, 24 * 10):
        now = DUE + timedelta(hours=hours)
        past = is_past_all_windows(DUE, now, escalate_days=3)
        current = step(now)
        if past:
            assert current is None, now
        elif current is None:
            assert DUE + DAY <= now < DUE + 3 * DAY, now

"""Properties of the pure arithmetic: the assessment clock, the GAS T-score, review dates."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from cases import clock
from outcomes.gas import gas_t_score
from reviews.services import add_months

LONDON = ZoneInfo("Europe/London")
PURE = settings(max_examples=200, deadline=None)

moments = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2035, 12, 31),
    timezones=st.sampled_from([UTC, LONDON, ZoneInfo("America/New_York")]),
    allow_imaginary=False,  # the app never holds a local time that did not exist
)
hours = st.one_of(st.integers(0, 500), st.floats(0, 500, allow_nan=False))
modes = st.sampled_from([clock.CLOCK, clock.WORKING, clock.OFFICE])


@PURE
@given(start=moments, hours=hours, mode=modes)
def test_hours_between_undoes_add_hours(start: datetime, hours: float, mode: str) -> None:
    end = clock.add_hours(start, hours, mode)

    assert end.astimezone(UTC) >= start.astimezone(UTC)
    assert abs(clock.hours_between(start, end, mode) - hours) < 1e-6


@PURE
@given(start=moments, hours=st.integers(1, 500))
def test_working_hours_end_inside_a_working_day(start: datetime, hours: int) -> None:
    end = clock.add_hours(start, hours, clock.WORKING)
    # The last moment counted (just before the end) falls on a working day.
    assert clock.is_working_day((end - timedelta(microseconds=1)).astimezone(LONDON).date())
    # Working hours never run faster than the clock.
    assert clock.hours_between(start, end, clock.CLOCK) >= hours - 1e-6


@PURE
@given(start=moments, a=hours, b=hours, mode=modes)
def test_add_hours_is_monotonic(start: datetime, a: float, b: float, mode: str) -> None:
    a, b = sorted((a, b))
    earlier, later = clock.add_hours(start, a, mode), clock.add_hours(start, b, mode)
    assert earlier.astimezone(UTC) <= later.astimezone(UTC)


scores = st.lists(st.integers(-2, 2), min_size=1, max_size=12)


@st.composite
def scored_goals(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    xs = draw(scores)
    ws = draw(st.lists(st.integers(1, 5), min_size=len(xs), max_size=len(xs)))
    return xs, ws


@PURE
@given(goals=scored_goals())
def test_gas_negating_every_score_mirrors_the_t_score_around_50(goals) -> None:
    xs, ws = goals
    t = gas_t_score(xs, ws)
    mirrored = gas_t_score([-x for x in xs], ws)

    assert abs((t - 50) + (mirrored - 50)) < 1e-9


@PURE
@given(goals=scored_goals(), data=st.data())
def test_gas_a_better_score_on_one_goal_raises_the_t_score(goals, data) -> None:
    xs, ws = goals
    i = data.draw(st.sampled_from([i for i, x in enumerate(xs) if x < 2] or [None]), label="goal")
    if i is None:
        return
    better = [x + 1 if j == i else x for j, x in enumerate(xs)]

    assert gas_t_score(better, ws) > gas_t_score(xs, ws)


@PURE
@given(goals=scored_goals(), k=st.integers(2, 10))
def test_gas_t_score_ignores_the_scale_of_the_weights(goals, k: int) -> None:
    xs, ws = goals
    assert abs(gas_t_score(xs, ws) - gas_t_score(xs, [w * k for w in ws])) < 1e-9


@PURE
@given(n=st.integers(1, 12))
def test_gas_everyone_at_the_expected_level_scores_50(n: int) -> None:
    assert gas_t_score([0] * n) == 50
    assert gas_t_score([]) is None


@PURE
@given(
    day=st.dates(min_value=date(1000, 1, 1), max_value=date(9000, 12, 31)),
    months=st.integers(-1200, 1200),
)
def test_add_months_lands_on_a_real_day_of_the_right_month(day: date, months: int) -> None:
    result = add_months(day, months)

    index = day.year * 12 + day.month - 1 + months
    assert (result.year, result.month) == (index // 12, index % 12 + 1)
    assert result.day <= calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, calendar.monthrange(result.year, result.month)[1])


@PURE
@given(
    day=st.dates(min_value=date(1000, 1, 1), max_value=date(9000, 12, 31)),
    a=st.integers(0, 600),
    b=st.integers(0, 600),
)
def test_add_months_is_monotonic(day: date, a: int, b: int) -> None:
    a, b = sorted((a, b))
    assert add_months(day, a) <= add_months(day, b)

"""The trend pass (reporting.store.compute_trends): the trend quarters of a card computed
together, each grouped query run once for all of them. Every trend measure must give, for
every quarter, exactly what it gives computed alone; the walk below takes the measures
from the catalogue, so a measure added later is checked too."""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting import measures, store
from reporting.card import build_card
from reporting.models import FigureSet
from reporting.periods import last_quarters, previous_quarter, quarter
from reporting.queries import GROUPED_METHODS, Report, Scope, TrendPass

from .fixture import Q1

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(time_machine):
    return time_machine


TREND = [d for d in measures.CATALOGUE if d.trend]
Q2 = quarter(2025, 2)


def method_of(definition: measures.Definition) -> str:
    return definition.compute.partition(":")[0]


def scopes(world) -> list[Scope]:
    return [world.scope("taff"), world.scope("cardiff"), Scope("all")]


def alone(scope: Scope, period) -> dict[str, dict]:
    report = Report(scope, period, "events")
    return {d.code: dataclasses.asdict(measures.compute(report, d)) for d in TREND}


@pytest.mark.parametrize("last", [Q1, Q2], ids=["to-Q1", "to-Q2"])
def test_every_trend_measure_is_the_same_computed_together_or_alone(world, last) -> None:
    periods = last_quarters(last, 8)
    seen = set()
    for scope in scopes(world):
        together = store.compute_trends(scope, periods)
        for period in periods:
            data = together[(period.start, period.end, "events")]
            assert data["trend_only"] is True
            assert set(data["measures"]) == {d.code for d in TREND}
            for code, figure in alone(scope, period).items():
                assert data["measures"][code] == figure, (scope.key, period.label, code)
                if figure["value"] or figure["denominator"]:
                    seen.add(code)
    # The world has something to count for most measures, so the comparison is not of
    # empty figures alone.
    assert len(seen) >= len(TREND) - 4, sorted({d.code for d in TREND} - seen)


def test_the_grouped_methods_are_trend_measures_and_the_grouped_queries_run_once(world) -> None:
    assert GROUPED_METHODS <= {method_of(d) for d in TREND}
    scope = world.scope("taff")
    ungrouped = [d for d in TREND if method_of(d) not in GROUPED_METHODS]
    with CaptureQueriesContext(connection) as per_quarter:
        report = Report(scope, Q1, "events")
        for definition in ungrouped:
            measures.compute(report, definition)
    counts = []
    for n in (2, 8):
        with CaptureQueriesContext(connection) as ctx:
            store.compute_trends(scope, last_quarters(Q1, n))
        counts.append(len(ctx))
    # Six more quarters cost only the ungrouped measures' queries for each of them.
    assert counts[1] - counts[0] == 6 * (len(per_quarter) - 1)  # less the teams' query


def test_quarters_with_gaps_between_them_are_each_the_same_as_alone(world) -> None:
    """A card's pass takes only the quarters not stored, which need not be next to each
    other; each quarter's bucket is its place among those taken."""
    window = last_quarters(Q2, 8)
    periods = [window[0], window[3], window[6], window[7]]
    for scope in scopes(world):
        together = store.compute_trends(scope, periods)
        for period in periods:
            data = together[(period.start, period.end, "events")]["measures"]
            assert data == alone(scope, period), (scope.key, period.label)


def test_a_replayed_quarter_whose_rows_were_not_kept_reads_its_own(world) -> None:
    """A quarter that replays a measure (its grouped queries run for an earlier quarter)
    but finds no rows kept for a query runs the query for itself: its querysets hold that
    quarter's rows alone, so the figure is still the one computed alone."""
    periods = last_quarters(Q2, 8)
    scope = world.scope("taff")
    grouped = [d for d in TREND if method_of(d) in GROUPED_METHODS]
    for i in (0, 4, 7):
        expected = alone(scope, periods[i])
        shared = TrendPass(periods, replayed={d.code for d in grouped})
        with CaptureQueriesContext(connection) as ctx:
            got = {
                d.code: dataclasses.asdict(
                    measures.compute(
                        Report(scope, periods[i], "events", trend=shared, measure=d.code), d
                    )
                )
                for d in grouped
            }
        assert got == {d.code: expected[d.code] for d in grouped}, periods[i].label
        assert len(ctx) >= len(grouped)  # each ran its own queries


def test_a_report_in_a_pass_must_name_its_measure(world) -> None:
    """Rows are kept by the measure's name: two unnamed measures reading the same model
    with the same aggregates (reviews on time, sustained at 12 months) would share them."""
    with pytest.raises(ValueError):
        Report(world.scope("taff"), Q1, "events", trend=TrendPass([Q1]))


def test_a_card_never_uses_trend_only_figures_as_its_own(world, frozen) -> None:
    scope = world.scope("taff")
    frozen.move_to(Q2.end_at, tick=False)
    FigureSet.objects.filter(scope_key=scope.key).delete()
    build_card(scope, Q2)
    q1 = FigureSet.objects.get(scope_key=scope.key, period_start=Q1.start, basis="events")
    assert q1.data["trend_only"] is True and "throughput" not in q1.data
    assert store.ready(scope, Q1, "events") is None  # the page computes Q1's own figures
    card = build_card(scope, Q1, fresh=False)
    q1.refresh_from_db()
    assert store.is_full(q1.data) and card["throughput"]
    assert store.ready(scope, Q1, "events") is not None
    # Q2's card still finds its trend quarters, Q1 now a whole set.
    assert store.ready(scope, Q2, "events") is not None


@pytest.mark.parametrize("scope_name", ["taff", "cardiff"])
def test_a_cold_cards_own_figures_from_the_trend_pass_are_those_computed_alone(
    world, frozen, scope_name
) -> None:
    scope = world.scope(scope_name)
    frozen.move_to(Q2.end_at, tick=False)
    FigureSet.objects.filter(scope_key=scope.key).delete()
    build_card(scope, Q1)  # its 8 quarters in one pass, Q1's own trend measures among them
    own = FigureSet.objects.get(scope_key=scope.key, period_start=Q1.start, basis="events")
    assert store.is_full(own.data)
    assert own.data == json_ready(store.compute(scope, Q1, "events"))


def json_ready(data: dict) -> dict:
    """As stored: through the JSON field (tuples become lists)."""
    return json.loads(json.dumps(data, default=str))


def test_a_trend_only_all_teams_set_is_not_printed_as_the_comparison(world, frozen) -> None:
    frozen.move_to(Q2.end_at, tick=False)
    FigureSet.objects.filter(scope_key="all").delete()
    store.gather(store.ALL_TEAMS, Q2, "events")
    assert store.comparison(world.scope("taff"), Q1, "events") is None
    store.gather(store.ALL_TEAMS, Q1, "events", with_trends=False)
    assert store.comparison(world.scope("taff"), Q1, "events")["throughput"]
    assert previous_quarter(Q2) == Q1

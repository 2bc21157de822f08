"""Stored figures (reporting/store.py): a card built from stored sets reads exactly like one
computed now; stored sets are reused while good and computed again when old, unless their
period had settled; the card page never computes in the request when a worker can, and
polls until the figures are there."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from kombu.exceptions import OperationalError

from reporting import services, store, tasks
from reporting.card import build_card
from reporting.models import FigureJob, FigureSet
from reporting.periods import last_quarters
from teamwork.models import Consultation

from .fixture import Q1, REPORT_NOW

pytestmark = pytest.mark.django_db

QUERY = "period_kind=quarter&year=2025&quarter=1&basis={basis}"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(REPORT_NOW, tick=False)
    return time_machine


def _texts(card: dict) -> list:
    out = []
    for quadrant, lines in card["quadrants"]:
        for line in lines:
            out.append(
                (
                    quadrant,
                    line.definition.code,
                    dataclasses.asdict(line.figure),
                    line.shown,
                    line.row_texts,
                    line.chart,
                    line.status,
                )
            )
    return out


@pytest.mark.parametrize("basis", ["events", "cohort"])
@pytest.mark.parametrize("scope", ["taff", "all"])
def test_a_card_from_stored_figures_reads_exactly_like_one_computed_now(world, scope, basis):
    live = build_card(world.scope(scope), Q1, basis=basis, suppress=5)
    sets = store.ready(world.scope(scope), Q1, basis)
    assert sets is not None  # building the card stored every set it used
    stored = build_card(world.scope(scope), Q1, basis=basis, suppress=5, sets=sets)
    assert _texts(stored) == _texts(live)
    assert stored["throughput_shown"] == live["throughput_shown"]
    assert stored["context"] == live["context"]


def test_trend_quarters_are_computed_once_and_reused(world):
    scope = world.scope("taff")
    build_card(scope, Q1)
    quarters = last_quarters(Q1, 8)
    assert FigureSet.objects.filter(scope_key=scope.key).count() == 8
    assert {r.period_start for r in FigureSet.objects.filter(scope_key=scope.key)} == {
        q.start for q in quarters
    }
    first = dict(FigureSet.objects.values_list("period_start", "computed_at"))
    build_card(scope, Q1)  # the own quarter is computed again (fresh); the others are reused
    again = dict(FigureSet.objects.values_list("period_start", "computed_at"))
    assert again == first  # the clock is frozen, so a recomputed set has the same time...
    assert FigureSet.objects.count() == 8  # ...and nothing was added


def test_an_old_set_is_computed_again_and_a_settled_one_is_kept(world, frozen):
    scope = world.scope("taff")
    build_card(scope, Q1)
    assert store.ready(scope, Q1, "events") is not None
    consultations = store.figure(
        store.ready(scope, Q1, "events")[(Q1.start, Q1.end, "events")].data, "consultations"
    ).value

    # A consultation recorded late, in the quarter: the stored figure is good for a while.
    Consultation.objects.create(
        team=world.taff, held_on=Q1.start, asked_by="SW", agency="LA", topic="Late"
    )
    frozen.shift(timedelta(minutes=10))
    assert store.ready(scope, Q1, "events") is not None
    # After REPORT_FIGURES_MAX_AGE (15 minutes) the quarter, which ended only days ago, is
    # not settled: the card needs it computed again.
    frozen.shift(timedelta(minutes=6))
    assert store.ready(scope, Q1, "events") is None
    own, _, _ = store.gather(scope, Q1, "events")
    assert store.figure(own, "consultations").value == consultations + 1

    # Computed more than REPORT_SETTLE_DAYS after the quarter ended, a set is kept for a day.
    frozen.move_to(REPORT_NOW + timedelta(days=60), tick=False)
    store.gather(scope, Q1, "events", fresh=True)
    Consultation.objects.create(
        team=world.taff, held_on=Q1.start, asked_by="SW", agency="LA", topic="Later"
    )
    frozen.shift(timedelta(hours=24))
    sets = store.ready(scope, Q1, "events")
    assert sets is not None
    kept = store.figure(sets[(Q1.start, Q1.end, "events")].data, "consultations").value
    assert kept == consultations + 1
    # Until someone asks for it to be computed again...
    services.recompute_figures(scope, Q1, "events")
    own, _, _ = store.gather(scope, Q1, "events")
    assert store.figure(own, "consultations").value == consultations + 2
    # ...or a day has passed.
    Consultation.objects.create(
        team=world.taff, held_on=Q1.start, asked_by="SW", agency="LA", topic="Latest"
    )
    frozen.shift(timedelta(hours=25, minutes=1))
    assert store.ready(scope, Q1, "events") is None


def test_a_cohort_never_settles(world, frozen):
    scope = world.scope("taff")
    frozen.move_to(REPORT_NOW + timedelta(days=60), tick=False)
    build_card(scope, Q1, basis="cohort")
    assert store.ready(scope, Q1, "cohort") is not None
    frozen.shift(timedelta(minutes=16))
    assert store.ready(scope, Q1, "cohort") is None  # its families went on: computed again
    # The settled trend quarters are kept (Q1's own events figures were never computed:
    # the trend pass keeps only the trend measures).
    trends = [(q, "events") for q in last_quarters(Q1, 8)]
    assert len(store.stored(scope, trends)) == 8


def test_the_nightly_job_computes_every_teams_card_and_all_teams_again(world, frozen):
    day = REPORT_NOW.date() + timedelta(days=60)  # Q2 is the last complete quarter by then
    frozen.move_to(REPORT_NOW + timedelta(days=60), tick=False)
    FigureSet.objects.all().delete()
    assert services.refresh_figures(today=day) == 3  # Taff, Usk and all teams
    assert sorted(set(FigureSet.objects.values_list("scope_key", flat=True))) == sorted(
        [world.scope("taff").key, world.scope("usk").key, "all"]
    )
    assert FigureSet.objects.count() == 3 * 8
    Consultation.objects.create(
        team=world.taff, held_on=Q1.start, asked_by="SW", agency="LA", topic="Late"
    )
    frozen.shift(timedelta(hours=20))
    services.refresh_figures(today=day)  # the next night: Q1 is a trend quarter of Q2's card
    row = FigureSet.objects.get(
        scope_key=world.scope("taff").key, period_start=Q1.start, basis="events"
    )
    assert store.figure(row.data, "consultations").value == 4


@pytest.fixture
def queued(monkeypatch):
    """Tasks sent to a broker with no worker behind it: the calls are kept."""
    sent = []
    monkeypatch.setattr(tasks.compute_figures, "apply_async", lambda args: sent.append(args))
    return sent


@pytest.fixture(autouse=True)
def not_eager():
    """Tasks go to the broker, as in production (the suite otherwise runs them in-process)."""
    from ifss.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = saved


def test_the_page_asks_a_worker_and_polls_until_the_figures_are_there(world, queued):
    client = Client()
    client.force_login(world.users["manager_a"])
    url = f"{reverse('reporting:card')}?scope=team-{world.taff.pk}&" + QUERY.format(basis="events")
    page = client.get(url).content.decode()
    assert 'data-testid="card-computing"' in page
    assert 'hx-trigger="every 2s"' in page
    assert 'data-testid="report-card"' not in page
    assert len(queued) == 1
    # A second viewer while the worker is busy does not queue the work twice.
    client.get(url)
    assert len(queued) == 1

    # Polling before the worker is done: still computing.
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="card-area" hx-get=')

    services.compute_stored_figures(*queued[0])  # what the worker does
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="report-card"' in partial
    assert "hx-trigger" not in partial  # polling stops
    assert 'data-measure="referrals_received"' in partial
    assert "Figures computed 5 Jul 2025 12:00" in partial


def test_with_the_broker_down_the_request_computes_the_figures(world, monkeypatch):
    def down(args):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.compute_figures, "apply_async", down)
    client = Client()
    client.force_login(world.users["manager_a"])
    url = f"{reverse('reporting:card')}?scope=team-{world.taff.pk}&" + QUERY.format(basis="cohort")
    page = client.get(url).content.decode()
    assert 'data-testid="report-card"' in page


def test_compute_again_replaces_the_cards_own_figures(world, eager_celery):
    client = Client()
    client.force_login(world.users["manager_a"])
    query = f"scope=team-{world.taff.pk}&" + QUERY.format(basis="events")
    client.get(f"{reverse('reporting:card')}?{query}")
    Consultation.objects.create(
        team=world.taff, held_on=Q1.end, asked_by="SW", agency="LA", topic="New"
    )
    with override_settings(REPORT_FIGURES_MAX_AGE=3600):
        response = client.post(f"{reverse('reporting:recompute')}?{query}")
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('reporting:card')}?{query}"
        page = client.get(response["Location"]).content.decode()
    sets = store.ready(world.scope("taff"), Q1, "events")
    own = sets[(Q1.start, Q1.end, "events")].data
    assert 'data-testid="report-card"' in page
    assert store.figure(own, "consultations").value == 4  # Taff's three in Q1, and this one


def test_a_board_member_cannot_recompute(world):
    client = Client()
    client.force_login(world.users["board_a"])
    query = f"scope=team-{world.taff.pk}&" + QUERY.format(basis="events")
    assert client.post(f"{reverse('reporting:recompute')}?{query}").status_code == 404


def test_a_failed_computation_is_said_and_not_asked_again_until_try_again(
    world, queued, monkeypatch
):
    client = Client()
    client.force_login(world.users["manager_a"])
    query = f"scope=team-{world.taff.pk}&" + QUERY.format(basis="events")
    url = f"{reverse('reporting:card')}?{query}"
    assert 'data-testid="card-computing"' in client.get(url).content.decode()
    assert len(queued) == 1

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "gather", broken)
    with pytest.raises(RuntimeError):
        services.compute_stored_figures(*queued[0])  # the worker's attempt fails
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="card-failed"' in partial
    assert "hx-trigger" not in partial  # no more polling
    assert "could not be computed" in partial
    assert len(queued) == 1  # and no new task every 2 seconds

    monkeypatch.undo()
    monkeypatch.setattr(tasks.compute_figures, "apply_async", lambda args: queued.append(args))
    assert client.post(f"{reverse('reporting:recompute')}?{query}").status_code == 302
    assert 'data-testid="card-computing"' in client.get(url).content.decode()
    assert len(queued) == 2
    services.compute_stored_figures(*queued[1])
    assert 'data-testid="report-card"' in client.get(url).content.decode()


def test_a_job_no_worker_finished_is_asked_for_again_after_five_minutes(world, queued, frozen):
    client = Client()
    client.force_login(world.users["manager_a"])
    url = f"{reverse('reporting:card')}?scope=team-{world.taff.pk}&" + QUERY.format(basis="cohort")
    client.get(url)
    frozen.shift(timedelta(minutes=4))
    client.get(url)
    assert len(queued) == 1  # still waiting for the worker
    frozen.shift(timedelta(minutes=2))
    client.get(url)
    assert len(queued) == 2  # the worker must have died: asked again
    assert FigureJob.objects.count() == 1
    services.compute_stored_figures(*queued[1])
    assert FigureJob.objects.count() == 0  # done: nothing left to remember
    assert 'data-testid="report-card"' in client.get(url).content.decode()


def test_a_job_no_worker_finished_twice_is_failed_and_the_page_stops_polling(world, queued, frozen):
    """Each worker asked died with the job (issue 21): asked once more, then failed with a
    message, by the next page that polls or by the watchdog, whichever comes first."""
    client = Client()
    client.force_login(world.users["manager_a"])
    url = f"{reverse('reporting:card')}?scope=team-{world.taff.pk}&" + QUERY.format(basis="cohort")
    client.get(url)
    frozen.shift(timedelta(minutes=6))
    client.get(url)
    assert len(queued) == 2  # asked again once
    frozen.shift(timedelta(minutes=6))
    assert services.watch_figure_jobs() == 1  # nobody polled: the watchdog fails it
    assert services.watch_figure_jobs() == 0
    job = FigureJob.objects.get()
    assert job.failed_at is not None
    assert job.error.startswith("No worker finished computing these figures, 2 times")
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="card-failed"' in partial
    assert "hx-trigger" not in partial
    assert len(queued) == 2  # not asked a third time


def test_a_job_no_worker_finished_twice_is_failed_by_the_polling_page(world, queued, frozen):
    client = Client()
    client.force_login(world.users["manager_a"])
    url = f"{reverse('reporting:card')}?scope=team-{world.taff.pk}&" + QUERY.format(basis="cohort")
    client.get(url)
    frozen.shift(timedelta(minutes=6))
    client.get(url)
    frozen.shift(timedelta(minutes=6))
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="card-failed"' in partial
    assert len(queued) == 2
    # "Try again" starts afresh: asked of a worker, counted from one.
    assert (
        client.post(reverse("reporting:recompute") + "?" + url.split("?", 1)[1]).status_code == 302
    )
    client.get(url)
    assert len(queued) == 3
    assert FigureJob.objects.get().attempts == 1

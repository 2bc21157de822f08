"""A report card build's life (reporting.jobs): taken once, beating while it builds, and
the watchdog that queues again, or fails with a message, a build whose worker is gone or
whose deadline passed, so that the page a person watches always ends (issue 21)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from reporting import jobs, services
from reporting.models import BuildStatus, ReportBuild

from .fixture import Q4, REPORT_NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(REPORT_NOW, tick=False)
    return time_machine


def queued(world) -> ReportBuild:
    return services.request_build(
        user=world.manager_a, scope=world.scope("taff"), period=Q4, basis="events"
    )


def page(world, build: ReportBuild) -> str:
    client = Client()
    client.force_login(world.manager_a)
    return client.get(reverse("reporting:build", args=[build.pk])).content.decode()


def test_a_build_is_taken_once_whatever_the_number_of_deliveries(world) -> None:
    build = queued(world)
    assert jobs.claim(build.pk) == 1
    # The same message delivered again (Redis's visibility timeout, a second worker):
    assert jobs.claim(build.pk) is None
    assert services.run_build(build_id=build.pk).status == BuildStatus.RUNNING
    build.refresh_from_db()
    assert (build.status, build.attempts) == (BuildStatus.RUNNING, 1)


def test_the_watchdog_leaves_a_beating_build_alone(world, frozen) -> None:
    build = queued(world)
    attempt = jobs.claim(build.pk)
    for _ in range(10):
        frozen.shift(jobs.silent_after() / 2)
        assert jobs.beat(build.pk, attempt, 40)
        assert jobs.watch() == jobs.Watched()
    build.refresh_from_db()
    assert (build.status, build.progress) == (BuildStatus.RUNNING, 40)


def test_a_build_whose_worker_died_is_queued_again_once_then_failed_with_a_message(
    world,
    frozen,
    django_capture_on_commit_callbacks,
) -> None:
    build = queued(world)
    first = jobs.claim(build.pk)
    frozen.shift(jobs.silent_after() + timedelta(seconds=1))  # the worker was killed

    with django_capture_on_commit_callbacks() as published:
        assert jobs.watch().requeued == 1
    assert len(published) == 1  # its task, sent again on commit
    build.refresh_from_db()
    assert (build.status, build.progress, build.attempts) == (BuildStatus.QUEUED, 0, 1)
    assert "being built again" in page(world, build)
    # The dead attempt, were it to come back, can no longer touch the build.
    assert not jobs.beat(build.pk, first)
    assert not jobs.fail(build.pk, first, "late")

    second = jobs.claim(build.pk)
    assert second == 2
    frozen.shift(jobs.silent_after() + timedelta(seconds=1))  # killed again
    assert jobs.watch().failed == 1
    assert jobs.watch() == jobs.Watched()  # a second round changes nothing
    build.refresh_from_db()
    assert build.status == BuildStatus.FAILED
    assert build.error == (
        "The worker building this card stopped, 2 times. Try again later, or tell your "
        "administrator."
    )
    html = page(world, build)
    assert 'data-status="failed"' in html
    assert "hx-get" not in html  # the page stops polling
    assert "The worker building this card stopped, 2 times." in html


def test_a_build_past_its_deadline_fails_even_if_it_still_beats(world, frozen) -> None:
    build = queued(world)
    attempt = jobs.claim(build.pk)
    elapsed = timedelta()
    while elapsed <= jobs.run_deadline():
        frozen.shift(jobs.silent_after() / 2)
        elapsed += jobs.silent_after() / 2
        jobs.beat(build.pk, attempt)
    assert jobs.watch().failed == 1
    build.refresh_from_db()
    assert build.status == BuildStatus.FAILED
    assert "did not finish within 6 minutes" in build.error
    assert "hx-get" not in page(world, build)


def test_a_queued_build_nobody_takes_is_published_again_then_failed(
    world,
    frozen,
    django_capture_on_commit_callbacks,
) -> None:
    build = queued(world)
    frozen.shift(jobs.QUEUE_PATIENCE - timedelta(seconds=1))
    assert jobs.watch() == jobs.Watched()
    frozen.shift(timedelta(seconds=2))
    with django_capture_on_commit_callbacks() as published:
        assert jobs.watch().republished == 1
        assert jobs.watch().republished == 0  # once per patience, not once per round
    assert len(published) == 1
    frozen.shift(jobs.QUEUE_DEADLINE)
    assert jobs.watch().failed == 1
    build.refresh_from_db()
    assert build.status == BuildStatus.FAILED
    assert "No worker took this build within 30 minutes" in build.error


def test_a_late_worker_finishing_a_build_given_to_another_attempt_tells_nobody_twice(
    world,
    frozen,
) -> None:
    """A worker that was only slow (its beats stopped, the watchdog queued the build again)
    finishes after the second attempt took it: the second attempt's result stands and the
    board is told once."""
    build = services.request_build(
        user=None, scope=world.scope("taff"), period=Q4, basis="events", automatic=True
    )
    first = jobs.claim(build.pk)
    frozen.shift(jobs.silent_after() + timedelta(seconds=1))
    jobs.watch()
    before = Notification.objects.count()
    services.run_build(build_id=build.pk)  # the second attempt builds it and tells the board
    told = Notification.objects.count() - before
    assert told >= 1
    assert not jobs.mine(build.pk, first).exists()  # the first attempt's finish is refused
    services.run_build(build_id=build.pk)  # and a redelivered message does nothing
    assert Notification.objects.count() - before == told
    build.refresh_from_db()
    assert (build.status, build.attempts) == (BuildStatus.DONE, 2)


def test_the_build_task_runs_the_watchdog_every_30_seconds(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["watch-jobs"]
    assert entry["task"] == "reporting.tasks.watch_jobs"
    assert entry["schedule"] <= 30
    # Silent for 4 beats (40 s) plus one round (30 s): a dead worker is seen within 70 s,
    # well inside the build's deadline.
    assert jobs.silent_after() + timedelta(seconds=entry["schedule"]) < jobs.run_deadline()


def test_an_old_build_without_job_times_is_watched_from_its_request(world, frozen) -> None:
    build = queued(world)
    ReportBuild.objects.filter(pk=build.pk).update(queued_at=None, published_at=None)
    frozen.shift(jobs.QUEUE_DEADLINE + timedelta(seconds=1))
    assert jobs.watch().failed == 1
    assert timezone.now() > build.requested_at

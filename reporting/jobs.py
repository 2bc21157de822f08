"""The life of a long job, a report card build: queued → running → done | failed.

A worker takes a queued build with one conditional UPDATE, so two deliveries of the same
message (Redis gives an unacknowledged one again after its visibility timeout) build it
once. While it builds, the worker beats (`heartbeat_at`). The watchdog, a beat task every
JOB_WATCHDOG_SECONDS, looks at every unfinished build:

- running, silent for SILENT_BEATS beats: its worker is gone (killed, its machine lost).
  It is queued again once, then failed with a message the person's page shows;
- running past its deadline (the task's hard time limit and a margin): failed;
- queued for QUEUE_PATIENCE with no worker taking it: published again (a broker restarted
  without it); queued past QUEUE_DEADLINE: failed, so nobody watches "Waiting" for ever.

Every change of status is conditional on the status (and attempt) seen, so the watchdog,
a late worker and a second watchdog never undo each other's step.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.queueing import enqueue_on_commit

from .models import BuildStatus, ReportBuild

# Which status may follow which: a finished build is never touched again.
TRANSITIONS: dict[str, frozenset[str]] = {
    BuildStatus.QUEUED: frozenset({BuildStatus.RUNNING, BuildStatus.FAILED}),
    BuildStatus.RUNNING: frozenset({BuildStatus.DONE, BuildStatus.FAILED, BuildStatus.QUEUED}),
    BuildStatus.DONE: frozenset(),
    BuildStatus.FAILED: frozenset(),
}

MAX_ATTEMPTS = 2  # a build whose worker died is tried once more, then failed
SILENT_BEATS = 4  # beats missed before a running build's worker counts as gone
BUILD_TIME_LIMIT = 300  # the build task's hard time limit, seconds (reporting.tasks)
BUILD_SOFT_TIME_LIMIT = 240
QUEUE_PATIENCE = timedelta(minutes=2)
QUEUE_DEADLINE = timedelta(minutes=30)


def heartbeat_interval() -> float:
    return float(settings.JOB_HEARTBEAT_SECONDS)


def silent_after() -> timedelta:
    return timedelta(seconds=SILENT_BEATS * heartbeat_interval())


def run_deadline() -> timedelta:
    """A running build not finished by then has failed, whatever its beats say."""
    return timedelta(seconds=BUILD_TIME_LIMIT + 60)


def claim(build_id: int) -> int | None:
    """Take a queued build for this worker. Returns the attempt number, or None when the
    build is not queued (finished, failed, or another worker has it)."""
    now = timezone.now()
    with transaction.atomic():
        taken = ReportBuild.objects.filter(pk=build_id, status=BuildStatus.QUEUED).update(
            status=BuildStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            progress=1,
            error="",
        )
        if not taken:
            return None
        return ReportBuild.objects.values_list("attempts", flat=True).get(pk=build_id)


def mine(build_id: int, attempt: int):
    """The build, only while this attempt still holds it."""
    return ReportBuild.objects.filter(pk=build_id, status=BuildStatus.RUNNING, attempts=attempt)


def beat(build_id: int, attempt: int, progress: int | None = None) -> bool:
    fields: dict[str, object] = {"heartbeat_at": timezone.now()}
    if progress is not None:
        fields["progress"] = max(progress, 1)
    return bool(mine(build_id, attempt).update(**fields))


@contextmanager
def beating(build_id: int, attempt: int, *, enabled: bool = True) -> Iterator[None]:
    """Beat from a thread while the block runs: the beats stop when the worker process
    dies, which is what the watchdog looks for."""
    if not enabled:
        yield
        return
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(heartbeat_interval()):
                if not beat(build_id, attempt):
                    return  # no longer this attempt's build
        finally:
            connection.close()  # this thread's own connection

    beater = threading.Thread(target=run, name=f"beat-build-{build_id}", daemon=True)
    beater.start()
    try:
        yield
    finally:
        stop.set()
        beater.join()


def fail(build_id: int, attempt: int, message: str) -> bool:
    return bool(
        mine(build_id, attempt).update(
            status=BuildStatus.FAILED, error=message[:2000], finished_at=timezone.now()
        )
    )


@dataclass
class Watched:
    requeued: int = 0
    republished: int = 0
    failed: int = 0


def watch(*, now: datetime | None = None) -> Watched:
    """The watchdog's round (idempotent: two at once change each build once)."""
    from .tasks import build_report_card

    now = now or timezone.now()
    result = Watched()
    unfinished = ReportBuild.objects.filter(
        status__in=[BuildStatus.QUEUED, BuildStatus.RUNNING]
    ).only(
        "status",
        "requested_at",
        "queued_at",
        "published_at",
        "started_at",
        "heartbeat_at",
        "attempts",
    )
    for build in unfinished:
        running = ReportBuild.objects.filter(
            pk=build.pk, status=build.status, attempts=build.attempts
        )
        with transaction.atomic():
            if build.status == BuildStatus.RUNNING:
                if build.started_at and build.started_at < now - run_deadline():
                    minutes = int(run_deadline().total_seconds() // 60)
                    message = _(
                        "The build did not finish within %(minutes)s minutes and was stopped. "
                        "Try again, or tell your administrator."
                    ) % {"minutes": minutes}
                    result.failed += running.update(
                        status=BuildStatus.FAILED, error=message, finished_at=now
                    )
                elif (build.heartbeat_at or build.started_at or now) < now - silent_after():
                    if build.attempts < MAX_ATTEMPTS:
                        if running.filter(heartbeat_at=build.heartbeat_at).update(
                            status=BuildStatus.QUEUED, queued_at=now, published_at=now, progress=0
                        ):
                            result.requeued += 1
                            enqueue_on_commit(build_report_card, build.pk)
                    else:
                        message = _(
                            "The worker building this card stopped, %(n)s times. Try again "
                            "later, or tell your administrator."
                        ) % {"n": build.attempts}
                        result.failed += running.update(
                            status=BuildStatus.FAILED, error=message, finished_at=now
                        )
            else:
                queued_at = build.queued_at or build.requested_at
                if queued_at < now - QUEUE_DEADLINE:
                    message = _(
                        "No worker took this build within %(minutes)s minutes. Try again, or "
                        "tell your administrator."
                    ) % {"minutes": int(QUEUE_DEADLINE.total_seconds() // 60)}
                    result.failed += running.update(
                        status=BuildStatus.FAILED, error=message, finished_at=now
                    )
                elif (build.published_at or queued_at) < now - QUEUE_PATIENCE:
                    # The broker may have lost the message: publish it again. Harmless if
                    # it did not: whichever message comes first takes the build.
                    if running.filter(published_at=build.published_at).update(published_at=now):
                        result.republished += 1
                        enqueue_on_commit(build_report_card, build.pk)
    return result

"""The whole worker is killed with SIGKILL in the middle of a report card build; another
worker (with beat) is running. The watchdog sees the beats stop, queues the build again
once, and it ends built, once, well within its deadline; the team's manager is told once
(the board sees published cards only)
(issue 21). A private Redis and real worker processes against the test database."""

from __future__ import annotations

import ast
import re
from datetime import date

import pytest

from notifications.models import Notification
from reporting import jobs, services
from reporting.models import BuildStatus, ReportBuild
from reporting.periods import Period
from reporting.queries import team_scope

from .stack import PrivateRedis, base_env, celery_worker, database_url, publishing_to, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Q1 = Period(date(2025, 4, 1), date(2025, 6, 30), "Q1 2025-26")


def test_a_build_whose_worker_is_killed_ends_built_once_within_its_deadline(
    tmp_path,
    team_a,
    manager,
) -> None:
    redis = PrivateRedis(tmp_path / "redis")
    env = base_env(
        tmp_path,
        DATABASE_URL=database_url(),
        REDIS_URL=redis.url,
        IFSS_JOB_HEARTBEAT_SECONDS="1",  # silent for 4 s: gone
        IFSS_WATCHDOG_SECONDS="2",
    )
    doomed = celery_worker(env, tmp_path / "doomed.log", slow_pdf=600)
    survivor = None
    try:
        with publishing_to(redis.url):
            build = services.request_build(
                user=None, scope=team_scope(team_a), period=Q1, basis="events", automatic=True
            )

        def building() -> bool:
            build.refresh_from_db()
            return build.status == BuildStatus.RUNNING and build.progress >= 90

        wait_until(building, 90, f"the first worker building\n{doomed.output()[-3000:]}")
        doomed.kill()  # kill -9, mid-PDF
        killed_at = build.heartbeat_at

        survivor = celery_worker(env, tmp_path / "survivor.log", beat=True)

        def finished() -> bool:
            build.refresh_from_db()
            return build.status in (BuildStatus.DONE, BuildStatus.FAILED)

        waited = wait_until(
            finished,
            jobs.run_deadline().total_seconds(),
            f"the build finishing\n{survivor.output()[-3000:]}",
        )
    finally:
        doomed.stop()
        if survivor:
            survivor.stop()
        redis.stop()

    build = ReportBuild.objects.get(pk=build.pk)
    assert build.status == BuildStatus.DONE, build.error
    assert bytes(build.pdf)[:5] == b"%PDF-"
    assert build.attempts == 2  # the killed attempt, and the one that finished
    assert build.finished_at - killed_at < jobs.run_deadline()
    assert waited < jobs.run_deadline().total_seconds()
    # Finished once: the manager, who checks and publishes the card, was told once.
    assert Notification.objects.filter(recipient=manager).count() == 1
    # It was the watchdog that queued it again, once.
    rounds = re.findall(r"watch_jobs\[[^]]+\] succeeded in [^:]+: (\{.*\})", survivor.output())
    assert sum(ast.literal_eval(r)["requeued"] for r in rounds) == 1, survivor.output()[-3000:]

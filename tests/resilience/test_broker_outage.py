"""The broker stopped and started (a private Redis, never the shared one): emails whose task
could not be published during the outage go out, once each, within a minute of the
broker's return, with the production schedule (the catch-up every 30 s); and a task Redis
was given survives Redis being killed, thanks to append-only persistence (issue 21)."""

from __future__ import annotations

import signal
import time

import pytest

from notifications.models import Notification
from notifications.services import notify_user
from notifications.tasks import send_notification_email
from tests.factories import UserFactory

from .stack import PrivateRedis, base_env, celery_worker, database_url, publishing_to, wait_until

pytestmark = pytest.mark.postgres

OUTAGE_SECONDS = 20


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_emails_missed_while_the_broker_was_down_go_out_within_a_minute_of_its_return(
    tmp_path,
) -> None:
    users = [UserFactory(username=f"outage{i}", email=f"outage{i}@example.org") for i in range(3)]
    redis = PrivateRedis(tmp_path / "redis")
    env = base_env(tmp_path, DATABASE_URL=database_url(), REDIS_URL=redis.url)
    worker = celery_worker(env, tmp_path / "worker.log", beat=True)
    try:
        wait_until(lambda: " ready." in worker.output(), 60, "the worker starting")
        redis.stop()  # the outage begins
        with publishing_to(redis.url):
            started = time.monotonic()
            notes = [
                notify_user(recipient=u, subject=f"Outage notice {u.pk}", body="Missed?", url="/")
                for u in users
            ]
            assert time.monotonic() - started < 15  # requests did not hang on the broker
        time.sleep(OUTAGE_SECONDS)  # the outage lasts (another process's time, not ours)
        assert Notification.objects.filter(emailed_at__isnull=False).count() == 0
        redis.start()  # the broker is back

        def all_sent() -> bool:
            return not Notification.objects.filter(
                pk__in=[n.pk for n in notes], emailed_at__isnull=True
            ).exists()

        waited = wait_until(all_sent, 90, f"the catch-up\n{worker.output()[-3000:]}")
    finally:
        worker.stop()
        redis.stop()
    assert waited < 60, f"sent {waited:.0f} s after the broker's return"
    output = worker.output()
    for user in users:
        assert output.count(f"Subject: Outage notice {user.pk}") == 1, output[-3000:]


@pytest.mark.django_db
def test_a_task_given_to_redis_survives_redis_being_killed(tmp_path) -> None:
    redis = PrivateRedis(tmp_path / "redis")
    try:
        with publishing_to(redis.url):
            send_notification_email.apply_async(args=[1], queue="kept-across-restart")
        time.sleep(1.5)  # appendfsync everysec: on disk within a second
        redis.stop(signal.SIGKILL)  # no clean shutdown, no chance to save
        redis.start()
        import redis as redis_client

        assert redis_client.Redis.from_url(redis.url).llen("kept-across-restart") == 1
    finally:
        redis.stop()

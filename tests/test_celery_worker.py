"""A real Celery worker process, against the real Redis, runs a task and changes the database.

It needs PostgreSQL (the worker is another process and must see the test database) and
Redis. In CI (IFSS_REQUIRE_SERVICES=1) a missing service fails this test instead of skipping.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ifss.celery import app
from notifications.models import Notification
from notifications.tasks import send_notification_email
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{connection.settings_dict['NAME']}"
    )


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_process_sends_notification_email_through_redis(requires_postgres, requires_redis):
    user = UserFactory(username="worker_test", email="worker@example.org")
    notification = Notification.objects.create(
        recipient=user, subject="Integration", body="Sent by a real worker", url="/"
    )
    queue = f"it-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": requires_redis,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SECRET_KEY": "worker-test",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ifss",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=info",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    old = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = requires_redis
    try:
        with app.connection_for_write() as conn:
            send_notification_email.apply_async(
                args=[notification.pk], queue=queue, connection=conn
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            notification.refresh_from_db()
            if notification.emailed_at is not None or worker.poll() is not None:
                break
            time.sleep(0.25)  # polling another process, not waiting on the clock
    finally:
        app.conf.task_always_eager, app.conf.broker_url = old
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert notification.emailed_at is not None, f"worker never ran the task:\n{output[-3000:]}"
    assert "succeeded" in output

"""On the embedded SQLite default, requests (threads of the web server) and the Celery worker
that read and then write at the same time queue for the lock instead of failing with
"database is locked" (ifss/settings.py: a busy timeout and BEGIN IMMEDIATE).

Run in a subprocess on a database file, with the settings as production builds them from
DATABASE_URL: the suite's own database is in memory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import threading, time
import django
django.setup()
from django.db import connection, transaction, OperationalError

with connection.cursor() as c:
    c.execute("CREATE TABLE tally (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    c.execute("INSERT INTO tally VALUES (1, 0)")

errors, start = [], threading.Barrier(8)

def decide():
    # What decide and allocate do: read the row (select_for_update is a no-op on SQLite),
    # think, then write it.
    from django.db import connection
    start.wait()
    try:
        for _ in range(3):
            with transaction.atomic():
                with connection.cursor() as c:
                    c.execute("SELECT n FROM tally WHERE id = 1")
                    n = c.fetchone()[0]
                    time.sleep(0.02)
                    c.execute("UPDATE tally SET n = %s WHERE id = 1", [n + 1])
    except OperationalError as error:
        errors.append(str(error))
    finally:
        connection.close()

threads = [threading.Thread(target=decide) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
with connection.cursor() as c:
    c.execute("SELECT n FROM tally")
    print("tally", c.fetchone()[0], "errors", len(errors), sorted(set(errors)))
"""


def test_concurrent_read_then_write_transactions_wait_for_the_lock(tmp_path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ifss.settings",
        "DJANGO_SECRET_KEY": "test-only-secret-key",
        "IFSS_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:4] == ["tally", "24", "errors", "0"], result.stdout


def test_the_workers_email_tasks_retry_when_the_database_is_busy() -> None:
    from django.db import OperationalError

    from notifications import tasks

    for task in (tasks.send_notification_email, tasks.send_digest):
        assert OperationalError in task.autoretry_for, task.name
        assert task.max_retries >= 5, task.name


SERVICES_SCRIPT = r"""
import threading
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)

from django.db import connection, OperationalError
from accounts.models import Membership, Role
from notifications.models import Notification
from reference.models import ScreeningOutcome
from referrals import services
from referrals.models import Referral
from tests.factories import ReferralFactory, TeamFactory, UserFactory

N = 6
team = TeamFactory(name="North IFST")
manager = UserFactory(username="manager")
Membership.objects.create(team=team, user=manager, role=Role.MANAGER)
workers = []
for n in range(N):
    worker = UserFactory(username=f"worker{n}")
    Membership.objects.create(team=team, user=worker, role=Role.PRACTITIONER)
    workers.append(worker)
referrer = UserFactory(username="referrer")
referrals = [ReferralFactory(team=team, created_by=referrer) for _ in range(N)]
accepted = ScreeningOutcome.objects.get(code="accepted")
connection.close()

errors, start = [], threading.Barrier(N)

def decide_and_allocate(referral, worker):
    from django.db import connection
    start.wait()
    try:
        services.decide_referral(
            referral_id=referral.pk, user=manager, outcome=accepted,
            reason=accepted.reasons.first(),
        )
        services.allocate_referral(referral_id=referral.pk, user=manager, worker=worker)
    except OperationalError as error:
        errors.append(str(error))
    finally:
        connection.close()

threads = [
    threading.Thread(target=decide_and_allocate, args=(r, w)) for r, w in zip(referrals, workers)
]
for t in threads: t.start()
for t in threads: t.join()
allocated = Referral.objects.filter(status="allocated").count()
told = Notification.objects.filter(recipient=referrer).count()
print("RESULT", allocated, told, len(errors), sorted(set(errors)))
"""


def test_concurrent_decide_and_allocate_through_the_services(tmp_path) -> None:
    """Six managers' decide-then-allocate at once, through the real services, on a
    migrated database file: all allocated, every referrer told, no "database is locked"."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ifss.settings",
        "DJANGO_SECRET_KEY": "test-only-secret-key",
        "IFSS_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", SERVICES_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT"))
    assert line.split()[1:4] == ["6", "12", "0"], line

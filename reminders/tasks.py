from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import duestore, services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def sweep_reminders() -> dict[str, int]:
    """Periodic: send the reminders whose window is current. Idempotent."""
    result = services.sweep()
    # The due page's stored items: each team's full daily computation happens here, in
    # the background, rather than on a manager's first view of the day.
    duestore.bring_up_to_date(None, timezone.now())
    return {"sent": result.sent, "summarised": result.summarised, "rechecks": result.rechecks}


@shared_task(acks_late=True)
def recheck_waiting_list(team_id: int) -> int:
    """Queued when a case leaves intensive work: capacity may have freed."""
    return services.recheck_waiting_list(now=timezone.now(), team_ids=[team_id])

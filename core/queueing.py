"""Queue Celery tasks after commit without letting a broker outage break the request."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Send the task once the transaction commits. If the broker is down the work is
    not lost: every task queued here has a periodic sweep that picks up what is left."""

    def send() -> None:
        try:
            task.apply_async(args=args)
        except (OperationalError, ConnectionError, OSError):
            # Only a broker failure is swallowed: an error inside an eager task still shows.
            logger.warning("Broker unavailable; %s(%s) left for the next sweep", task.name, args)

    transaction.on_commit(send)

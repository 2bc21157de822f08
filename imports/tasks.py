from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(time_limit=600, soft_time_limit=540)
def run_import(run_id: int) -> None:
    """Apply a confirmed import; taking the run is conditional, so a second delivery of
    the message writes nothing twice."""
    services.apply_import(run_id=run_id)


@shared_task(time_limit=60, soft_time_limit=50)
def sweep_imports() -> None:
    """Beat: take up imports whose message was lost or whose worker died."""
    services.sweep_imports()

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def build_report_card(build_id: int) -> int:
    return services.run_build(build_id=build_id).pk


@shared_task(acks_late=True)
def quarterly_report_cards() -> int:
    """Daily: once a quarter has ended, build each team's card for it and tell the board."""
    return services.quarterly_builds()

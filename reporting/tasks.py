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


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def compute_figures(scope_key: str, start: str, end: str, label: str, basis: str) -> str:
    """Compute and store what a report card needs (its figures and its trend quarters)."""
    services.compute_stored_figures(scope_key, start, end, label, basis)
    return scope_key


@shared_task(acks_late=True, soft_time_limit=3000, time_limit=3600)
def refresh_report_figures() -> int:
    """Nightly: compute again the last quarter's card figures (and trend quarters) of every
    team and of all teams, so the card pages read fresh stored figures."""
    return services.refresh_figures()

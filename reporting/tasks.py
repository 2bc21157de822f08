from __future__ import annotations

from celery import shared_task

from . import jobs, services


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=jobs.BUILD_SOFT_TIME_LIMIT,
    time_limit=jobs.BUILD_TIME_LIMIT,
)
def build_report_card(self, build_id: int) -> int:
    # On a worker the build also beats from a thread (not when run eagerly, in the test
    # suite's transaction), so a long step never looks like a dead worker.
    return services.run_build(build_id=build_id, background_beats=not self.request.is_eager).pk


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def watch_jobs() -> dict[str, int]:
    """Periodic: builds whose worker is gone are queued again or failed, with a message."""
    watched = jobs.watch()
    return {
        "requeued": watched.requeued,
        "republished": watched.republished,
        "failed": watched.failed,
        "figure_jobs_failed": services.watch_figure_jobs(),
    }


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def quarterly_report_cards() -> int:
    """Daily: once a quarter has ended, build each team's card for it and tell the board."""
    return services.quarterly_builds()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def compute_figures(scope_key: str, start: str, end: str, label: str, basis: str) -> str:
    """Compute and store what a report card needs (its figures and its trend quarters)."""
    services.compute_stored_figures(scope_key, start, end, label, basis)
    return scope_key


@shared_task(acks_late=True, soft_time_limit=3000, time_limit=3300)
def refresh_report_figures() -> int:
    """Nightly: compute again the last quarter's card figures (and trend quarters) of every
    team and of all teams, so the card pages read fresh stored figures."""
    return services.refresh_figures()

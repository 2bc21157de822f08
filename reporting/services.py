from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from accounts import permissions
from accounts.models import Role, Team, User
from core.errors import ServiceError, StaleEdit
from core.queueing import enqueue_on_commit
from notifications.models import Kind as NoticeKind
from notifications.services import notify_user

from . import jobs, measures, publishing, store
from .card import board_suppression, build_card
from .models import (
    BuildStatus,
    FigureJob,
    Measure,
    MeasureTarget,
    Narrative,
    PublishedCard,
    ReportBuild,
    TargetChange,
    TeamAgenda,
)
from .pdf import render_report_card_pdf
from .periods import Period, last_quarters, previous_quarter, quarter_containing
from .queries import Scope, team_scope

logger = logging.getLogger(__name__)


@transaction.atomic
def request_build(
    *,
    user: User | None,
    scope: Scope,
    period: Period,
    basis: str,
    automatic: bool = False,
    published: PublishedCard | None = None,
    language: str = "en",
) -> ReportBuild:
    from .tasks import build_report_card

    build = ReportBuild.objects.create(
        language=language,
        scope_key=scope.key,
        scope_label=scope.label,
        team_id=scope.team_id,
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        basis=basis,
        requested_by=user,
        automatic=automatic,
        queued_at=timezone.now(),
        published_at=timezone.now(),
        published=published,
    )
    enqueue_on_commit(build_report_card, build.pk)
    return build


def scope_of(build: ReportBuild) -> Scope:
    return scope_from_key(build.scope_key, build.scope_label)


def scope_from_key(key: str, label: str) -> Scope:
    kind, _, pk = key.partition("-")
    if kind == "team":
        return Scope("team", team_id=int(pk), label=label)
    if kind == "la":
        return Scope("la", la_id=int(pk), label=label)
    return Scope("all", label=label)


JOB_PATIENCE = timedelta(minutes=5)  # a job not done by then is asked for again
FIGURE_MAX_ATTEMPTS = 2  # ...once: then it is failed with a message
FAILURE_MEMORY = timedelta(minutes=5)  # a failed job is said, not retried, for this long


def _job(scope: Scope, period: Period, basis: str):
    return FigureJob.objects.filter(
        scope_key=scope.key, period_start=period.start, period_end=period.end, basis=basis
    )


def request_figures(scope: Scope, period: Period, basis: str) -> bool:
    """Ask a worker to compute a report card's figures, once at a time per card whatever
    the number of web processes. Without a broker the request computes them itself, so
    the card still shows. Returns False when the last attempt failed recently (the page
    says so rather than asking again every time it polls)."""
    from .tasks import compute_figures

    now = timezone.now()
    job = _job(scope, period, basis).first()
    if job and job.failed_at and now - job.failed_at < FAILURE_MEMORY:
        return False
    if job and not job.failed_at and now - job.queued_at < JOB_PATIENCE:
        return True  # a worker is on it already
    if job and not job.failed_at and job.attempts >= FIGURE_MAX_ATTEMPTS:
        fail_figure_job(job, now)
        return False
    with transaction.atomic():
        claimed = (
            _job(scope, period, basis)
            .filter(queued_at=job.queued_at)
            .update(
                queued_at=now,
                failed_at=None,
                error="",
                attempts=1 if job.failed_at else F("attempts") + 1,
            )
            if job
            else FigureJob.objects.get_or_create(
                scope_key=scope.key,
                period_start=period.start,
                period_end=period.end,
                basis=basis,
                defaults={"queued_at": now},
            )[1]
        )
    if not claimed:
        return True  # another process claimed it a moment ago
    args = (scope.key, period.start.isoformat(), period.end.isoformat(), period.label, basis)
    try:
        compute_figures.apply_async(args=args)
    except (OperationalError, ConnectionError, OSError):
        logger.warning("Broker unavailable; computing the report figures in the request")
        try:
            compute_stored_figures(*args[:4], basis, scope_label=scope.label)
        except Exception:
            logger.exception("Report figures failed for %s", scope.key)
    job = _job(scope, period, basis).first()
    return not (job and job.failed_at)


def fail_figure_job(job: FigureJob, now) -> bool:
    """A figure job no worker finished, asked twice: failed, so the card page says so and
    stops polling (its "Try again" asks afresh)."""
    return bool(
        FigureJob.objects.filter(pk=job.pk, queued_at=job.queued_at, failed_at__isnull=True).update(
            failed_at=now,
            error=_(
                "No worker finished computing these figures, %(n)s times (a worker stopped "
                "with them)."
            )
            % {"n": job.attempts},
        )
    )


def watch_figure_jobs(*, now=None) -> int:
    """The watchdog's round for figure jobs nobody is polling: one asked twice and not
    finished is failed. (One asked once is asked again by the next page that wants it.)"""
    now = now or timezone.now()
    stale = FigureJob.objects.filter(
        failed_at__isnull=True,
        queued_at__lt=now - JOB_PATIENCE,
        attempts__gte=FIGURE_MAX_ATTEMPTS,
    )
    return sum(fail_figure_job(job, now) for job in stale)


def compute_stored_figures(
    scope_key: str, start: str, end: str, label: str, basis: str, scope_label: str = ""
) -> None:
    scope = scope_from_key(scope_key, scope_label)
    period = Period(date.fromisoformat(start), date.fromisoformat(end), label)
    try:
        store.gather(scope, period, basis)
    except Exception as exc:
        # Remembered for a while: the card says so, and "try again" clears it.
        _job(scope, period, basis).update(failed_at=timezone.now(), error=str(exc)[:2000])
        raise
    _job(scope, period, basis).delete()


def refresh_figures(*, today=None) -> int:
    """Compute the last complete quarter's stored figures again, with its trend quarters,
    for every team and for all teams. Returns the number of scopes refreshed."""
    today = today or timezone.localdate()
    last = previous_quarter(quarter_containing(today))
    scopes = [team_scope(team) for team in Team.objects.all()] + [Scope("all")]
    for scope in scopes:
        for period in last_quarters(last, 8):
            store.forget(scope, period, store.TREND_BASIS)
        store.gather(scope, last, "events")
    return len(scopes)


def recompute_figures(scope: Scope, period: Period, basis: str) -> None:
    """A manager asked for the card's own figures to be computed again."""
    store.forget(scope, period, basis)
    _job(scope, period, basis).delete()


def run_build(*, build_id: int, background_beats: bool = False) -> ReportBuild:
    """Build the PDF once. The build is taken with a conditional UPDATE (reporting.jobs),
    so a message delivered twice, or a worker that comes back late, builds nothing more:
    it returns the build as it is."""
    attempt = jobs.claim(build_id)
    build = ReportBuild.objects.get(pk=build_id)
    if attempt is None:
        return build

    def progress(pct: int) -> None:
        jobs.beat(build.pk, attempt, pct)

    try:
        # The card's words and the PDF in the language it was asked for.
        with (
            translation.override(build.language),
            jobs.beating(build.pk, attempt, enabled=background_beats),
        ):
            if build.published_id:
                # The published figures, frozen: nothing is computed again.
                card = publishing.card_of(build.published, board_suppression())
            else:
                card = build_card(
                    scope_of(build),
                    Period(build.period_start, build.period_end, build.period_label),
                    basis=build.basis,
                    suppress=board_suppression(),
                    progress=progress,
                )
            jobs.beat(build.pk, attempt)
            pdf = render_report_card_pdf(card)
    except SoftTimeLimitExceeded:
        jobs.fail(
            build.pk,
            attempt,
            _(
                "The build did not finish within %(minutes)s minutes and was stopped. "
                "Try again, or tell your administrator."
            )
            % {"minutes": jobs.BUILD_SOFT_TIME_LIMIT // 60},
        )
        raise
    except Exception as exc:
        jobs.fail(build.pk, attempt, str(exc))
        raise
    finished = jobs.mine(build.pk, attempt).update(
        status=BuildStatus.DONE, progress=100, pdf=pdf, finished_at=timezone.now()
    )
    build.refresh_from_db()
    if not finished:
        return build  # the watchdog gave it to another attempt, which tells the board
    if build.automatic and build.team_id:
        # The board sees published figures only: the team checks the card and publishes it.
        for member in _members(build.team_id, Role.MANAGER, Role.PERFORMANCE):
            notify_user(
                recipient=member,
                subject=lambda: (
                    _("Report card ready: %(scope)s, %(period)s")
                    % {"scope": build.scope_label, "period": build.period_label}
                ),
                body=lambda: _(
                    "The quarterly report card is ready to check. The board sees it once "
                    "you publish it."
                ),
                url=reverse("reporting:reports"),
                kind=NoticeKind.REPORT_READY,
            )
    return build


def _members(team_id: int, *roles: str):
    return User.objects.filter(
        memberships__team_id=team_id,
        memberships__role__in=roles,
        memberships__active=True,
        is_active=True,
    ).distinct()


def quarterly_builds(*, today=None) -> int:
    """After a quarter ends, build every team's card for it once (the unique constraint
    on automatic builds keeps a second run from building again)."""
    today = today or timezone.localdate()
    last = previous_quarter(quarter_containing(today))
    made = 0
    for team in Team.objects.all():
        scope = team_scope(team)
        if ReportBuild.objects.filter(
            scope_key=scope.key, period_start=last.start, period_end=last.end, automatic=True
        ).exists():
            continue
        request_build(user=None, scope=scope, period=last, basis="events", automatic=True)
        made += 1
    return made


@transaction.atomic
def save_narrative(
    *,
    user: User,
    scope: Scope,
    period: Period,
    version: int,
    measure_code: str = "",
    draft: bool = False,
    **fields: str,
) -> Narrative:
    """Save the "turn the curve" narrative of a measure (or of the card, measure_code "")
    for one period. `version` is the one the writer started from: another save since is
    refused, and the writer shown it."""
    if (
        scope.kind == "team"
        and not permissions.may_report_on(user, scope.team_id)
        and not user.is_superuser
    ) or (scope.kind != "team" and not user.is_superuser):
        raise ServiceError(_("Only the team's managers and performance officers write its story."))
    if measure_code and measure_code not in {d.code for d in measures.CATALOGUE}:
        raise ServiceError(_("There is no such measure."))
    narrative, created = Narrative.objects.select_for_update().get_or_create(
        scope_key=scope.key,
        period_start=period.start,
        period_end=period.end,
        measure_code=measure_code,
    )
    if not created and narrative.version != version:
        raise StaleEdit(
            _(
                "Someone else changed this narrative while you were writing. Their text is "
                "shown; yours is still in the form."
            )
        )
    for name, value in fields.items():
        setattr(narrative, name, value)
    narrative.draft = draft
    narrative.updated_by = user
    narrative.version += 1
    narrative.save()
    return narrative


@transaction.atomic
def save_agenda(*, user: User, team: Team, version: int, items: str) -> TeamAgenda:
    """Save a team's data development agenda (the measures wanted but not yet recorded)."""
    if not permissions.may_report_on(user, team.pk) and not user.is_superuser:
        raise ServiceError(_("Only the team's managers and performance officers keep its agenda."))
    agenda, created = TeamAgenda.objects.select_for_update().get_or_create(team=team)
    if not created and agenda.version != version:
        raise StaleEdit(
            _(
                "Someone else changed this agenda while you were writing. Their list is "
                "shown; yours is still in the form."
            )
        )
    agenda.items = items
    agenda.updated_by = user
    agenda.version += 1
    agenda.save()
    return agenda


def _published(*, user: User, card: PublishedCard) -> PublishedCard:
    """After a card or revision is published: its PDF (of the frozen figures) is built, and
    the team's board members are told."""
    request_build(
        user=user,
        scope=scope_from_key(card.scope_key, card.scope_label),
        period=Period(card.period_start, card.period_end, card.period_label),
        basis=card.basis,
        published=card,
    )
    if card.team_id:

        def subject() -> str:
            text = (
                _("Report card published: %(scope)s, %(period)s")
                if card.revision == 0
                else _("Report card revised: %(scope)s, %(period)s")
            )
            return text % {"scope": card.scope_label, "period": card.period_label}

        for member in _members(card.team_id, Role.BOARD):
            notify_user(
                recipient=member,
                subject=subject,
                body=lambda: card.reason or _("The figures are ready to read and download."),
                url=reverse("reporting:published_card", args=[card.pk]),
                kind=NoticeKind.REPORT_READY,
            )
    return card


@transaction.atomic
def publish_card(*, user: User, scope: Scope, period: Period, basis: str) -> PublishedCard:
    """Publish a card's figures as they stand now: frozen from then on."""
    if not publishing.may_publish(user, scope):
        raise ServiceError(_("Only the team's managers and performance officers publish its card."))
    # Serialises two publications of one card (the unique constraint catches the rest).
    Team.objects.select_for_update().filter(pk=scope.team_id).first()
    if publishing.card_rows(scope, period, basis).exists():
        raise ServiceError(
            _(
                "This card is already published. Its figures are frozen; check for a revision "
                "to publish corrected figures."
            )
        )
    card = PublishedCard.objects.create(
        scope_key=scope.key,
        scope_label=scope.label,
        team_id=scope.team_id,
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        basis=basis,
        revision=0,
        data=publishing.frozen(scope, period, basis),
        published_at=timezone.now(),
        published_by=user,
    )
    return _published(user=user, card=card)


@transaction.atomic
def publish_revision(
    *, user: User, scope: Scope, period: Period, basis: str, revision: int, reason: str
) -> PublishedCard:
    """Publish the figures computed again as a revision of the published card, with the
    differences and the reason. `revision` is the one the user compared against: if another
    was published since, the user is asked to look again."""
    if not publishing.may_publish(user, scope):
        raise ServiceError(_("Only the team's managers and performance officers publish its card."))
    if not reason.strip():
        raise ServiceError(_("Say why the published figures are being revised."))
    Team.objects.select_for_update().filter(pk=scope.team_id).first()
    latest = publishing.latest(scope, period, basis)
    if latest is None:
        raise ServiceError(_("This card has not been published yet."))
    if latest.revision != revision:
        raise StaleEdit(
            _(
                "Someone published a revision of this card while you were looking. Its "
                "differences are shown now; your reason is still in the form."
            )
        )
    data = publishing.frozen(scope, period, basis)
    changes = publishing.differences(latest.data, data)
    if not changes:
        raise ServiceError(_("The figures have not changed since they were published."))
    card = PublishedCard.objects.create(
        scope_key=scope.key,
        scope_label=scope.label,
        team_id=scope.team_id,
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        basis=basis,
        revision=latest.revision + 1,
        data=data,
        published_at=timezone.now(),
        published_by=user,
        reason=reason.strip(),
        differences=changes,
    )
    return _published(user=user, card=card)


@transaction.atomic
def set_target(
    *,
    user: User,
    team: Team,
    measure: Measure,
    version: int,
    baseline: Decimal | None,
    target: Decimal | None,
    reason: str,
) -> MeasureTarget:
    """Set a team's baseline and target for a measure, keeping the change with its reason.
    `version` is the one the user started from (0: none was set): another change since is
    refused, and shown."""
    if not permissions.may_report_on(user, team.pk) and not user.is_superuser:
        raise ServiceError(_("Only the team's managers and performance officers set its targets."))
    if not reason.strip():
        raise ServiceError(_("Say why the baseline or target is changing."))
    row = MeasureTarget.objects.select_for_update().filter(team=team, measure=measure).first()
    if (row.version if row else 0) != version:
        raise StaleEdit(
            _(
                "Someone else changed this target while you were editing. Their values are "
                "shown; yours are still in the form."
            )
        )
    before = (row.baseline, row.target) if row else (None, None)
    if before == (baseline, target):
        raise ServiceError(_("The baseline and target are already these."))
    now = timezone.now()
    if row is None:
        row = MeasureTarget(team=team, measure=measure, version=0)
    row.baseline, row.target = baseline, target
    row.version += 1
    row.updated_by, row.updated_at = user, now
    row.save()
    TargetChange.objects.create(
        team=team,
        measure=measure,
        baseline_before=before[0],
        baseline_after=baseline,
        target_before=before[1],
        target_after=target,
        reason=reason.strip(),
        changed_by=user,
        changed_at=now,
    )
    return row

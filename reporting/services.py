from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Team, User
from cases.errors import ServiceError, StaleEdit
from notifications.queueing import enqueue_on_commit
from notifications.services import notify_user

from .card import board_suppression, build_card
from .models import BuildStatus, Narrative, ReportBuild
from .pdf import render_report_card_pdf
from .periods import Period, previous_quarter, quarter_containing
from .queries import Scope, team_scope


@transaction.atomic
def request_build(
    *, user: User | None, scope: Scope, period: Period, basis: str, automatic: bool = False
) -> ReportBuild:
    from .tasks import build_report_card

    build = ReportBuild.objects.create(
        scope_key=scope.key,
        scope_label=scope.label,
        team_id=scope.team_id,
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        basis=basis,
        requested_by=user,
        automatic=automatic,
    )
    enqueue_on_commit(build_report_card, build.pk)
    return build


def scope_of(build: ReportBuild) -> Scope:
    kind = build.scope_key.split("-")[0]
    if kind == "team":
        return Scope("team", team_id=build.team_id, label=build.scope_label)
    if kind == "la":
        return Scope("la", la_id=int(build.scope_key.split("-")[1]), label=build.scope_label)
    return Scope("all", label=build.scope_label)


def run_build(*, build_id: int) -> ReportBuild:
    """Build the PDF (idempotent: a finished build is left as it is)."""
    build = ReportBuild.objects.get(pk=build_id)
    if build.status == BuildStatus.DONE:
        return build
    ReportBuild.objects.filter(pk=build.pk).update(status=BuildStatus.RUNNING, progress=1)

    def progress(pct: int) -> None:
        ReportBuild.objects.filter(pk=build.pk).update(progress=max(pct, 1))

    try:
        card = build_card(
            scope_of(build),
            Period(build.period_start, build.period_end, build.period_label),
            basis=build.basis,
            suppress=board_suppression(),
            progress=progress,
        )
        pdf = render_report_card_pdf(card)
    except Exception as exc:
        ReportBuild.objects.filter(pk=build.pk).update(
            status=BuildStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    ReportBuild.objects.filter(pk=build.pk).update(
        status=BuildStatus.DONE, progress=100, pdf=pdf, finished_at=timezone.now()
    )
    build.refresh_from_db()
    if build.automatic and build.team_id:
        for member in User.objects.filter(
            memberships__team_id=build.team_id,
            memberships__role=Role.BOARD,
            memberships__active=True,
            is_active=True,
        ).distinct():
            notify_user(
                recipient=member,
                subject=_("Report card ready: %(scope)s, %(period)s")
                % {"scope": build.scope_label, "period": build.period_label},
                body=_("The quarterly report card is ready to download."),
                url=reverse("reporting:reports"),
            )
    return build


def quarterly_builds(*, today=None) -> int:  # noqa: ANN001
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
    *, user: User, scope: Scope, period: Period, version: int, **fields: str
) -> Narrative:
    narrative, created = Narrative.objects.select_for_update().get_or_create(
        scope_key=scope.key, period_start=period.start, period_end=period.end
    )
    if not created and narrative.version != version:
        raise StaleEdit(
            _(
                "Someone else changed this narrative while you were writing. Their text is "
                "shown; yours is still in the form."
            )
        )
    if (
        scope.kind == "team"
        and scope.team_id not in user.team_ids_with_role(Role.MANAGER)
        and not user.is_superuser
    ):
        raise ServiceError(_("Only the team's managers write its narrative."))
    for name, value in fields.items():
        setattr(narrative, name, value)
    narrative.updated_by = user
    narrative.version += 1
    narrative.save()
    return narrative

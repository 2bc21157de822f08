from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import permissions
from accounts.models import Team
from accounts.periods import financial_quarter
from audit.services import record_listed
from cases import pathway
from cases.loads import caseworkers_with_load_by_team
from cases.models import Case
from core.http import AuthenticatedHttpRequest
from families.models import Family
from referrals.models import Referral, ReferralDraft, ReferralStatus, WaitingListEntry
from reminders.views import mark_due, my_items
from reporting.publishing import sees_live_figures
from reporting.suppression import board_suppression, shown

from .casefile import attach_due, with_list_figures


def _per_team(qs: QuerySet) -> Coalesce:
    """A count of qs's rows for the outer team, as a correlated subquery: each table is
    counted on its own, so a team's referrals are never joined with its cases."""
    counted = qs.filter(team=OuterRef("pk")).order_by().values("team").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


def board_team_figures(team_ids: list[int], start: date, end: date) -> list[Team]:
    """Each team's referrals received in the quarter start..end (local days), open cases
    and cases in the intensive stages, in one query. Joining both tables to the team and
    counting distinct rows (as this once did) multiplies a team's referrals by its cases:
    318 s at national scale (issue 15)."""
    since = timezone.make_aware(datetime.combine(start, time.min))
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return list(
        Team.objects.filter(pk__in=team_ids).annotate(
            referrals_quarter=_per_team(
                Referral.objects.filter(received_at__gte=since, received_at__lt=until)
            ),
            open_cases=_per_team(Case.objects.exclude(stage=pathway.Stage.CLOSED)),
            intensive_cases=_per_team(Case.objects.filter(stage__in=pathway.INTENSIVE_STAGES)),
        )
    )


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The dashboard: each role sees its own panels."""
    user = request.user
    roles = permissions.roles_of(user)
    now = timezone.now()
    ctx: dict = {"roles": roles, "now": now}

    if permissions.is_referrer(user) or user.is_superuser:
        ctx["my_referrals"] = list(
            Referral.objects.filter(created_by=user)
            .select_related("team", "family")
            .order_by("-received_at")[:10]
        )
        ctx["my_drafts"] = list(ReferralDraft.objects.filter(owner=user)[:5])

    if permissions.is_caseworker(user):
        today = timezone.localdate()
        ctx["my_cases"] = attach_due(
            list(
                with_list_figures(
                    Case.objects.open().worked_by(user).with_list_related(), today
                ).order_by("allocated_at")
            ),
            today,
        )
        ctx["my_due"] = mark_due(list(my_items(user, now)[:3]), now)

    manager_teams = permissions.manager_team_ids(user)
    if manager_teams:
        # Only the two counted statuses: referral_queue_idx finds a few dozen rows instead
        # of aggregating every referral the team ever had.
        managed = Referral.objects.filter(
            team_id__in=manager_teams,
            status__in=[ReferralStatus.SUBMITTED, ReferralStatus.ACCEPTED],
        )
        ctx["screening"] = managed.aggregate(
            awaiting=Count("pk", filter=Q(status=ReferralStatus.SUBMITTED)),
            no_contact=Count(
                "pk",
                filter=Q(status=ReferralStatus.SUBMITTED, first_contact_at__isnull=True),
            ),
            to_allocate=Count("pk", filter=Q(status=ReferralStatus.ACCEPTED)),
        )
        ctx["waiting_count"] = (
            WaitingListEntry.objects.current().filter(referral__team_id__in=manager_teams).count()
        )
        teams = list(Team.objects.filter(pk__in=manager_teams))
        by_team = caseworkers_with_load_by_team(teams)
        ctx["team_loads"] = [(t, by_team[t.pk]) for t in teams]

    # The panels name families: who saw which is logged, as on the lists (one INSERT).
    named = [*ctx.get("my_referrals", []), *ctx.get("my_cases", [])]
    record_listed({Family: {row.family_id: row.family.name for row in named}})

    board_teams = permissions.figures_team_ids(user)
    if board_teams:
        start, end, label = financial_quarter(timezone.localdate())
        ctx["quarter_label"] = label
        # Aggregates only: a board member sees no personal data, and small counts of a team
        # whose live figures they may not see are hidden by the board's rule.
        ctx["team_figures"] = board_team_figures(board_teams, start, end)
        ctx["suppress_below"] = board_suppression()
        for t in ctx["team_figures"]:
            suppress = None if sees_live_figures(user, t.pk) else board_suppression()
            t.shown = {
                key: shown(getattr(t, key), suppress)
                for key in ("referrals_quarter", "open_cases", "intensive_cases")
            }
    return render(request, "home.html", ctx)


def bench_floor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The benchmark's floor: what every signed-in page pays (the session and the user)
    plus one query and a one-line template, without the site layout. Served only while
    IFSS_BENCH_FLOOR is on."""
    if not settings.BENCH_FLOOR:
        raise Http404
    context = {"username": request.user.get_username(), "teams": Team.objects.count()}
    # Rendered without the request: no context processors, so none of the layout's queries.
    return HttpResponse(render_to_string("bench_floor.html", context))

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.services import record_listed
from cases import pathway
from cases.casefile import attach_due
from cases.models import Case
from families.models import Family
from referrals.models import Referral, ReferralDraft, ReferralStatus, WaitingListEntry
from referrals.services import caseworkers_with_load

from .models import Role, Team
from .periods import financial_quarter


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: each role sees its own panels."""
    user = request.user
    roles = user.roles()
    now = timezone.now()
    ctx: dict = {"roles": roles, "now": now}

    if Role.REFERRER in roles or user.is_superuser:
        ctx["my_referrals"] = list(
            Referral.objects.filter(created_by=user)
            .select_related("team", "family")
            .order_by("-received_at")[:10]
        )
        ctx["my_drafts"] = list(ReferralDraft.objects.filter(owner=user)[:5])

    if roles & {Role.PRACTITIONER, Role.CSW, Role.MANAGER}:
        today = timezone.localdate()
        ctx["my_cases"] = attach_due(
            list(
                Case.objects.open()
                .worked_by(user)
                .with_list_related()
                .with_list_figures(today)
                .order_by("allocated_at")
            ),
            today,
        )

    manager_teams = user.team_ids_with_role(Role.MANAGER)
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
        ctx["team_loads"] = [(t, caseworkers_with_load(t)) for t in teams]

    # The panels name families: who saw which is logged, as on the lists (one INSERT).
    named = [*ctx.get("my_referrals", []), *ctx.get("my_cases", [])]
    record_listed({Family: {row.family_id: row.family.name for row in named}})

    board_teams = user.team_ids_with_role(Role.BOARD, Role.PERFORMANCE)
    if board_teams:
        start, end, label = financial_quarter(timezone.localdate())
        ctx["quarter_label"] = label
        # Aggregates only: a board member sees no personal data.
        ctx["team_figures"] = list(
            Team.objects.filter(pk__in=board_teams).annotate(
                referrals_quarter=Count(
                    "referrals",
                    filter=Q(
                        referrals__received_at__date__gte=start,
                        referrals__received_at__date__lte=end,
                    ),
                    distinct=True,
                ),
                open_cases=Count(
                    "cases", filter=~Q(cases__stage=pathway.Stage.CLOSED), distinct=True
                ),
                intensive_cases=Count(
                    "cases",
                    filter=Q(cases__stage__in=pathway.INTENSIVE_STAGES),
                    distinct=True,
                ),
            )
        )
    return render(request, "home.html", ctx)

"""Who signs in and which pages are measured. Shared by the query-count script and the
load test (written to bench/out/targets.json for locust). Run inside Django."""

from __future__ import annotations

from django.db.models import Count, Q

from accounts.models import Membership, Team
from cases.models import Case


def pick() -> dict:
    # The busiest team: the largest open caseload.
    team = (
        Team.objects.annotate(open=Count("cases", filter=~Q(cases__stage="closed")))
        .order_by("-open", "pk")
        .first()
    )
    manager = (
        Membership.objects.active()
        .filter(team=team, role="manager")
        .order_by("user__username")
        .values_list("user__username", flat=True)
        .first()
    )
    worker_id, worker = (
        Case.objects.filter(team=team, worker__is_active=True)
        .exclude(stage="closed")
        .values("worker_id", "worker__username")
        .annotate(n=Count("pk"))
        .order_by("-n", "worker_id")
        .values_list("worker_id", "worker__username")
        .first()
    )
    # The case page of a large family: the team's case with the most contacts.
    big = (
        Case.objects.filter(team=team, restricted=False)
        .annotate(n=Count("contacts"))
        .order_by("-n", "pk")
        .values("pk", "n", "family__name")
        .first()
    )
    big_members = Case.objects.get(pk=big["pk"]).family.members.count()
    pages = {
        # The floor: signed in, one query, a one-line template (IFSS_BENCH_FLOOR=true).
        "floor (minimal page)": "/bench/floor/",
        "password change (layout, no query of its own)": "/accounts/password/",
        "home dashboard": "/",
        "my cases": "/cases/mine/",
        "team caseload": "/cases/",
        "screening queue": "/referrals/screening/",
        "case page (large family)": f"/cases/{big['pk']}/",
        "due and overdue": "/due/",
        "report card": "/reporting/",
    }
    users = {name: manager for name in pages}
    users["my cases"] = worker
    return {
        "team": team.name,
        "team_id": team.pk,
        "open_cases": team.open,
        "manager": manager,
        "worker": worker,
        "worker_id": worker_id,
        "case": big,
        "case_members": big_members,
        "pages": pages,
        "users": users,
    }

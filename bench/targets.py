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
    # The practitioner's and the board member's own pages, for the load test's mix.
    board = (
        Membership.objects.active()
        .filter(team=team, role="board", user__is_active=True)
        .order_by("user__username")
        .values_list("user__username", flat=True)
        .first()
    )
    own = (
        Case.objects.filter(worker_id=worker_id, restricted=False)
        .exclude(stage="closed")
        .annotate(n=Count("contacts"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    for name, path, username in [
        ("home (practitioner)", "/", worker),
        ("case page (practitioner's own)", f"/cases/{own}/", worker),
        ("home (board)", "/", board),
    ]:
        if username and "None" not in path:
            pages[name] = path
            users[name] = username
    floor = "floor (minimal page)"
    # Who the load test's simulated users are (issue 15: a realistic mix): of every ten,
    # six practitioners between visits, three managers and a board member, each asking
    # for their own pages in turn, and the floor among them, so it shares the load.
    mix = {
        "practitioner": [
            floor,
            "home (practitioner)",
            "my cases",
            "case page (practitioner's own)",
        ],
        "manager": [
            floor,
            "home dashboard",
            "screening queue",
            "team caseload",
            "case page (large family)",
            "due and overdue",
            "report card",
            "password change (layout, no query of its own)",
        ],
        "board": [floor, "home (board)"],
    }
    mix = {role: [n for n in names if n in pages] for role, names in mix.items()}
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
        "mix": mix,
        "mix_weights": {"practitioner": 6, "manager": 3, "board": 1},
    }

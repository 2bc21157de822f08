from __future__ import annotations

import re
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from accounts.paging import EndwisePaginator
from audit.services import record_listed
from cases.deadlines import DUE_SOON
from cases.models import Case, hidden_rows
from referrals.models import Referral

from . import duestore
from .models import DueItem

PER_PAGE = 50
WORKERS_SHOWN = 30


def _without_restricted(items: QuerySet[DueItem], user: User) -> QuerySet[DueItem]:
    """Drop the items of restricted cases that do not name this manager (in the query)."""
    if user.is_superuser:
        return items
    # A referral is hidden by any restricted case of its family (its own, or an earlier
    # episode of a family it was linked to): Referral.objects.hidden_from.
    return items.exclude(hidden_rows(user, "case_id")).exclude(
        Q(item_type="referral") & Q(item_id__in=Referral.objects.hidden_from(user).values("pk"))
    )


def due_list(request: HttpRequest) -> HttpResponse:
    """Everything due and overdue in the manager's teams, with counts per worker."""
    user = request.user
    team_ids = permissions.manager_team_ids(user)
    if not team_ids and not user.is_superuser:
        raise Http404
    now = timezone.now()
    items = _without_restricted(
        duestore.items(None if user.is_superuser and not team_ids else team_ids, now), user
    )
    # A case to reallocate (no due time) is due now.
    due = Coalesce(F("due_at"), Value(now))
    per_worker = {
        row["worker_id"]: row
        for row in items.order_by()
        .values("worker_id")
        .annotate(
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            upcoming=Count("pk", filter=Q(due_at__gte=now) | Q(due_at__isnull=True)),
        )
    }
    workers = User.objects.in_bulk(wid for wid in per_worker if wid is not None)
    counts = sorted(
        (
            {
                "worker": workers.get(wid),
                "worker_id": wid,
                "overdue": row["overdue"],
                "upcoming": row["upcoming"],
            }
            for wid, row in per_worker.items()
        ),
        key=lambda row: (-row["overdue"], str(row["worker"] or "")),
    )
    # The most overdue workers first; past WORKERS_SHOWN, the rest behind "show all" (an
    # administrator's all-Wales table had 500 rows, most of the page's time).
    all_workers = request.GET.get("workers") == "all"
    more = 0 if all_workers else max(len(counts) - WORKERS_SHOWN, 0)
    if more:
        counts = counts[:WORKERS_SHOWN]
    worker = request.GET.get("worker", "")
    shown = list(per_worker.values())
    if re.fullmatch(r"[0-9]{1,12}", worker):
        items = items.filter(worker_id=int(worker))
        shown = [per_worker[int(worker)]] if int(worker) in per_worker else []
    elif worker == "none":
        items = items.filter(worker_id__isnull=True)
        shown = [per_worker[None]] if None in per_worker else []
    paginator = EndwisePaginator(items.order_by(due, "pk"), PER_PAGE)
    paginator.count = sum(row["overdue"] + row["upcoming"] for row in shown)  # no COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    soon = now + DUE_SOON
    for d in page.object_list:
        d.due_at = d.due_at or now
        d.overdue = d.due_at < now
        d.soon = not d.overdue and d.due_at <= soon
        d.worker = workers.get(d.worker_id)
    # Each item names a family: who saw it on the page is logged, as on the case page.
    record_listed(
        {
            Case: {d.case_id: d.family for d in page.object_list if d.case_id},
            Referral: {
                d.item_id: d.family
                for d in page.object_list
                if not d.case_id and d.item_type == "referral"
            },
        }
    )
    return render(
        request,
        "reminders/due_list.html",
        {
            "page": page,
            "counts": counts,
            "more_workers": more,
            "worker": worker,
            "overdue_total": sum(row["overdue"] for row in shown),
            "totals": {
                "overdue": sum(row["overdue"] for row in per_worker.values()),
                "upcoming": sum(row["upcoming"] for row in per_worker.values()),
            },
            "now": now,
        },
    )


def my_items(user: User, now: datetime) -> QuerySet[DueItem]:
    """The due items of the cases this user works (as worker or co-worker), in the teams
    where they carry a caseload, soonest first; restricted cases that do not name them
    are left out like everywhere else."""
    team_ids = permissions.caseworker_team_ids(user)
    items = duestore.items(team_ids, now).filter(
        Q(worker_id=user.pk) | Q(case_id__in=Case.objects.filter(co_worker=user).values("pk"))
    )
    return _without_restricted(items, user).order_by(Coalesce(F("due_at"), Value(now)), "pk")


def mark_due(items: list[DueItem], now: datetime) -> list[DueItem]:
    """Set what the rows show: the due time (now if none), overdue, and due within a week."""
    soon = now + DUE_SOON
    for d in items:
        d.due_at = d.due_at or now
        d.overdue = d.due_at < now
        d.soon = not d.overdue and d.due_at <= soon
    return items


def my_due_list(request: HttpRequest) -> HttpResponse:
    """A caseworker's own due and overdue items: the deadlines of the cases they work."""
    user = request.user
    if not permissions.caseworker_team_ids(user):
        raise Http404
    now = timezone.now()
    items = my_items(user, now)
    figures = items.order_by().aggregate(
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        upcoming=Count("pk", filter=Q(due_at__gte=now) | Q(due_at__isnull=True)),
    )
    paginator = EndwisePaginator(items, PER_PAGE)
    paginator.count = figures["overdue"] + figures["upcoming"]  # no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = mark_due(list(page.object_list), now)
    # Each item names a family: who saw it on the page is logged, as on the team's page.
    record_listed({Case: {d.case_id: d.family for d in page.object_list if d.case_id}})
    return render(
        request,
        "reminders/my_due_list.html",
        {"page": page, "figures": figures, "now": now},
    )

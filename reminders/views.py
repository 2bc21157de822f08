from __future__ import annotations

import re
from collections import Counter

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Role, User
from cases.models import Case

from . import deadlines


def _without_restricted(items: list, user: User) -> list:
    """Drop deadlines of restricted cases that do not name this manager."""
    if user.is_superuser:
        return items
    hidden = Case.objects.filter(restricted=True).exclude(restricted_to=user).order_by()
    cases, referrals = set(), set()
    for case_id, referral_id in hidden.values_list("pk", "referral_id"):
        cases.add(case_id)
        referrals.add(referral_id)
    if not cases:
        return items
    return [
        d
        for d in items
        if d.case_id not in cases and not (d.item_type == "referral" and d.item_id in referrals)
    ]


def due_list(request: HttpRequest) -> HttpResponse:
    """Everything due and overdue in the manager's teams, with counts per worker."""
    user = request.user
    team_ids = user.team_ids_with_role(Role.MANAGER)
    if not team_ids and not user.is_superuser:
        raise Http404
    now = timezone.now()
    items = deadlines.collect(now, None if user.is_superuser and not team_ids else team_ids)
    items = _without_restricted(items, user)
    worker = request.GET.get("worker", "")
    per_worker = Counter((d.worker_id, d.due_at < now) for d in items)
    worker_ids = {wid for wid, _overdue in per_worker}
    workers = {u.pk: u for u in User.objects.filter(pk__in=worker_ids - {None})}
    counts = sorted(
        (
            {
                "worker": workers.get(wid),
                "worker_id": wid,
                "overdue": per_worker.get((wid, True), 0),
                "upcoming": per_worker.get((wid, False), 0),
            }
            for wid in worker_ids
        ),
        key=lambda row: (-row["overdue"], str(row["worker"] or "")),
    )
    if re.fullmatch(r"[0-9]{1,12}", worker):
        items = [d for d in items if d.worker_id == int(worker)]
    elif worker == "none":
        items = [d for d in items if d.worker_id is None]
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    soon = now + timezone.timedelta(days=7)
    for d in page.object_list:
        d.overdue = d.due_at < now
        d.soon = not d.overdue and d.due_at <= soon
        d.worker = workers.get(d.worker_id)
    return render(
        request,
        "reminders/due_list.html",
        {
            "page": page,
            "counts": counts,
            "worker": worker,
            "overdue_total": sum(1 for d in items if d.due_at < now),
            "now": now,
        },
    )

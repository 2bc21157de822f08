from __future__ import annotations

from types import SimpleNamespace

from django.db.models import (
    Count,
    DateTimeField,
    IntegerField,
    JSONField,
    OuterRef,
    Subquery,
)
from django.http import HttpRequest

from accounts import permissions


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.conf import settings

    unread, draft = _unread_and_draft(request, user)
    return {
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "form_draft": draft,
        "nav": {
            "can_refer": user.is_superuser or permissions.may_refer(user),
            "is_staff_member": user.is_superuser or permissions.is_staff(user),
            "is_manager": user.is_superuser or permissions.is_a_manager(user),
            "is_caseworker": permissions.is_caseworker(user),
            "is_board": permissions.is_board_member(user),
            "can_report": user.is_superuser or permissions.may_report(user),
            "unread": unread,
        },
    }


def _unread_and_draft(request: HttpRequest, user) -> tuple[int, SimpleNamespace | None]:
    """The unread notification count for the bell and, on a GET, the text autosaved on this
    page: both in one query, which every signed-in page pays."""
    from accounts.models import FormDraft, User
    from notifications.models import Notification

    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    figures = {"unread": Subquery(unread, output_field=IntegerField())}
    if request.method == "GET":
        drafts = FormDraft.objects.filter(user=OuterRef("pk"), path=request.path).order_by()
        figures["draft_data"] = Subquery(drafts.values("data")[:1], output_field=JSONField())
        figures["draft_saved"] = Subquery(
            drafts.values("saved_at")[:1], output_field=DateTimeField()
        )
    row = User.objects.filter(pk=user.pk).annotate(**figures).values(*figures).first() or {}
    draft = None
    if row.get("draft_saved") is not None:
        draft = SimpleNamespace(data=row["draft_data"], saved_at=row["draft_saved"])
    return row.get("unread") or 0, draft

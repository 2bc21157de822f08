from __future__ import annotations

from django.http import HttpRequest

from .models import STAFF_ROLES, Role


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from notifications.models import Notification

    roles = user.roles()
    from django.conf import settings

    from .models import FormDraft

    draft = None
    if request.method == "GET":
        draft = FormDraft.objects.filter(user=user, path=request.path).first()
    return {
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "form_draft": draft,
        "nav": {
            "can_refer": user.is_superuser or bool(roles & {Role.REFERRER, *STAFF_ROLES}),
            "is_staff_member": user.is_superuser or bool(roles & set(STAFF_ROLES)),
            "is_manager": user.is_superuser or Role.MANAGER in roles,
            "is_caseworker": bool(roles & {Role.PRACTITIONER, Role.CSW, Role.MANAGER}),
            "is_board": Role.BOARD in roles,
            "can_report": user.is_superuser or bool(roles & {Role.MANAGER, Role.PERFORMANCE}),
            "unread": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        },
    }

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from accounts.models import User


def record_view(*objects: models.Model) -> None:
    """Log that the current user (set by the audit middleware) viewed these records."""
    from auditlog.signals import accessed

    for obj in objects:
        if obj is not None and obj.pk is not None:
            accessed.send(sender=obj.__class__, instance=obj)


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address. X-Forwarded-For is believed only behind IFSS_PROXY_COUNT
    trusted proxies, reading that many hops from the right: a client cannot forge it."""
    if request is None:
        return None
    proxies = settings.AXES_IPWARE_PROXY_COUNT or 0
    if proxies:
        hops = [
            h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()
        ]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def record_sign_in(
    *, request: HttpRequest | None, user: User | None, event: str, username: str = ""
) -> None:
    from auditlog.models import LogEntry

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(user.pk) if user else "",
        object_id=user.pk if user else None,
        object_repr=(user.get_username() if user else username)[:200],
        action=LogEntry.Action.ACCESS,
        actor=user if event != "login_failed" else None,
        remote_addr=client_address(request),
        additional_data={
            "event": event,
            "username": username or (user.get_username() if user else ""),
        },
    )


def recent_viewers(obj: models.Model, limit: int = 20) -> list:
    """Who has viewed this record, most recent first."""
    from auditlog.models import LogEntry

    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj.__class__),
            object_pk=str(obj.pk),
            action=LogEntry.Action.ACCESS,
        )
        .select_related("actor")
        .order_by("-timestamp")[:limit]
    )

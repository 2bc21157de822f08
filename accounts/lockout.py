"""Sign-in throttling (django-axes): per user name, and per client address against password
spraying (many user names tried from one address)."""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def attempted_username(request: HttpRequest, credentials: dict | None) -> str:
    """What was typed, cut to the length a user name can have: axes stores it in a
    255-character column, and an over-long attempt must be refused, not a 500."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(typed)[:150]


class NameAndAddressHandler(AxesDatabaseHandler):
    """axes counts failures per user name (AXES_LOCKOUT_PARAMETERS) against
    AXES_FAILURE_LIMIT. This also counts the failures from the client's address, for any
    user names, against the larger IFSS_LOCKOUT_ADDRESS_FAILURES: a council office behind
    one NAT address is not locked by a few mistyped passwords, but 30 names tried from one
    address are. Both locks last the (short) cool-off, so a stranger who types a worker's
    name wrongly locks that name out for minutes, not hours.

    axes compares one figure with one limit; the address's count is given as a failure
    count on the user name's scale (the full limit once the address has reached its own)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_name = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if not address or not settings.IFSS_LOCKOUT_ADDRESS_FAILURES:
            return by_name
        by_address = (
            AccessAttempt.objects.filter(
                ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
            ).aggregate(total=Sum("failures_since_start"))["total"]
            or 0
        )
        if by_address >= settings.IFSS_LOCKOUT_ADDRESS_FAILURES:
            return max(by_name, settings.AXES_FAILURE_LIMIT)
        return by_name

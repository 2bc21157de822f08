from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest

from .services import client_address


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the client address taken as the lockout takes
    it: X-Forwarded-For only from the configured number of trusted proxies."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return client_address(request)

"""The user name django-axes records for a sign-in attempt."""

from __future__ import annotations

from django.http import HttpRequest


def attempted_username(request: HttpRequest, credentials: dict | None) -> str:
    """What was typed, cut to the length a user name can have: axes stores it in a
    255-character column, and an over-long attempt must be refused, not a 500."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(typed)[:150]

"""Who may call what: a client needs the view's scope; without it the route answers 404,
as if it did not exist (the web app's rule for another team's records)."""

from __future__ import annotations

from django.http import Http404
from rest_framework.permissions import BasePermission

from accounts import permissions

from .models import ApiToken


def client_of(request):
    return request.auth.client if isinstance(request.auth, ApiToken) else None


class IsClient(BasePermission):
    """A partner client with a good token; views name the scope they need (`required_scope`,
    None for the reference lists any client may read)."""

    def has_permission(self, request, view) -> bool:
        client = client_of(request)
        if client is None:
            return False  # 401: no or a bad token
        scope = getattr(view, "required_scope", None)
        if scope is not None and not client.has_scope(scope):
            raise Http404
        return True


class IsClientOrStaff(BasePermission):
    """The schema: any client, or a signed-in member of staff (anyone else: 404)."""

    def has_permission(self, request, view) -> bool:
        if client_of(request) is not None:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if is_staff(user):
            return True
        raise Http404


def is_staff(user) -> bool:
    """Team staff (and system administrators) may read the API's docs."""

    if not (user and user.is_authenticated):
        return False
    return bool(user.is_superuser or permissions.staff_team_ids(user))

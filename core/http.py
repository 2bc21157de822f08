"""A request whose user is signed in, for the signatures of views behind the login.

LoginRequiredMiddleware answers every private view before it runs, so inside one
request.user is the project's User, never AnonymousUser: annotating the view with this
class says so to the type checker. It is the same object at run time (no cast, no check).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    # Type-only (never imported at run time): the one import of core that points upwards,
    # listed in the import contracts' ignore_imports.
    from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .twofactor import has_confirmed_device, two_factor_required

# Set in the session when this sign-in needs no second factor (a new sign-in starts afresh).
EXEMPT_KEY = "two_factor_exempt"
# Pages a signed-in user who has not passed the second factor may still reach.
# The language switcher and the JavaScript catalogue too: the two-factor pages load the
# catalogue, and may be switched to Welsh.
OPEN_PREFIXES = (
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/static/",
    "/accounts/keepalive/",
    "/language/",
    "/jsi18n/",
)


class PermissionsPolicyMiddleware:
    """Headers Django does not set: the app needs no camera, microphone or location."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
            return response  # Static files carry their own Cache-Control.
        if _is_download(response):
            # A download is never kept, whatever the view said.
            response["Cache-Control"] = "no-store"
        else:
            response.setdefault("Cache-Control", "no-store")
        return response


def _is_download(response: HttpResponse) -> bool:
    """A file (CSV, XLSX, PDF, zip...): an attachment, or anything that is not a page.
    Personal data must not linger in shared browser caches on council machines; only the
    static files (served under STATIC_URL, with their own Cache-Control) may be kept."""
    if "attachment" in response.get("Content-Disposition", ""):
        return True
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    return bool(content_type) and content_type not in PAGE_TYPES


# What a page or a page's fragment is sent as (everything else is a file).
PAGE_TYPES = {"text/html", "application/json", "text/plain"}


# Where a signed-in session keeps the time (epoch seconds) it was last renewed.
TOUCHED_KEY = "idle_renewed_at"


class SessionRenewalMiddleware:
    """Slide a signed-in session's idle timeout without writing the session on every
    request: it is marked modified (so saved, with a new expiry) only when it was last
    renewed more than SESSION_TOUCH_SECONDS ago. So the idle timeout may end up to that
    many seconds early (with the defaults, between 29 and 30 minutes after the last
    request); the page warns two minutes before its own count ends, so the warning still
    comes first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Before the view: signing out flushes the session, and must not be renewed after.
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(TOUCHED_KEY, 0) > settings.SESSION_TOUCH_SECONDS:
                request.session[TOUCHED_KEY] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """Once signed in with a password, a user who must (or chose to) use an authenticator
    app passes the second factor before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.session.get(EXEMPT_KEY)
            and not request.path.startswith(OPEN_PREFIXES)
            and not request.path.startswith(settings.STATIC_URL)
        ):
            if has_confirmed_device(user):
                return redirect(f"{reverse('two_factor_verify')}?next={request.get_full_path()}")
            if two_factor_required(user):
                return redirect("two_factor_setup")
            # Neither required nor chosen: decided once per sign-in, not on every request.
            request.session[EXEMPT_KEY] = True
        return self.get_response(request)


class FormDraftMiddleware:
    """A form page that was submitted successfully (a redirect after POST) needs its
    autosaved draft no more."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.status_code in (301, 302, 303)
            and request.user.is_authenticated
            and request.path != reverse("autosave")
        ):
            from .models import FormDraft

            FormDraft.objects.filter(user=request.user, path=request.path).delete()
        return response

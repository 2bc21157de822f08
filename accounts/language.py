"""The interface language: a user's remembered choice, the switcher, and the JavaScript
catalogue.

- An anonymous visitor's choice is kept in Django's language cookie (LocaleMiddleware
  reads it, then the browser's Accept-Language).
- A signed-in user's choice is ``User.language``: the switcher saves it, the notification
  choices page edits it, and ``UserLanguageMiddleware`` activates it on every request (so it
  follows the user to another browser). A user who has not chosen yet keeps the cookie's
  language, and it is saved as their choice when they sign in.
- Emails are rendered in their recipient's language (``for_user``), prints in the reader's
  (the family's: families.language).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog
from django.views.i18n import set_language as django_set_language

from .models import Language, User

CODES = {code for code, _name in settings.LANGUAGES}


def for_user(user: object) -> str:
    """The language to write to this user in: their choice, else the site's default."""
    code = getattr(user, "language", "") or ""
    return code if code in CODES else settings.LANGUAGE_CODE.split("-")[0]


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie and the redirect to ``next``, kept on this site),
    and, when signed in, the choice saved as the user's preference."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    user = request.user
    if code in Language.values and user.is_authenticated and user.language != code:
        user.language = code
        user.save(update_fields=["language"])
    return response


javascript_catalog = login_not_required(JavaScriptCatalog.as_view(domain="djangojs"))


@receiver(user_logged_in, dispatch_uid="accounts.language.remember_on_sign_in")
def remember_on_sign_in(
    sender: object, request: HttpRequest, user: object, **kwargs: object
) -> None:
    """A user who has not chosen a language keeps the one they signed in with (the
    switcher's cookie on the sign-in page): it becomes their remembered choice."""
    if request is None or not isinstance(user, User) or user.language != "":
        return
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if code in Language.values:
        user.language = code
        user.save(update_fields=["language"])


class UserLanguageMiddleware:
    """After authentication: a signed-in user's remembered language wins over the cookie
    and the browser; the cookie is brought in line so the sign-in page after signing out
    speaks the same language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        code = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if code in CODES:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        response = self.get_response(request)
        # The view may have signed the user in (the sign-in form) or changed the choice.
        user = getattr(request, "user", None)
        code = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if code in CODES and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != code:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                code,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # a setting: Django checks its value
            )
        return response

"""Sign-in events go into the same append-only log as views and changes."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import services


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:  # noqa: ANN001, ANN003
    services.record_sign_in(request=request, user=user, event="login")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:  # noqa: ANN001, ANN003
    if user is not None:
        services.record_sign_in(request=request, user=user, event="logout")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:  # noqa: ANN001, ANN003
    services.record_sign_in(
        request=request, user=None, event="login_failed", username=credentials.get("username", "")
    )

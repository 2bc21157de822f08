"""Sign-in events go into the same append-only log as views and changes."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import signals as account_signals
from accounts.twofactor import has_confirmed_device, two_factor_required

from . import services


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    # Signed in only once both factors have passed: for a user with a second factor to give
    # (or to set up), the password alone is logged as such.
    second_step = two_factor_required(user) or has_confirmed_device(user)
    event = "password_accepted" if second_step else "login"
    services.record_sign_in(request=request, user=user, event=event)


@receiver(account_signals.second_factor_passed)
def _second_factor_passed(sender, request, user, **kwargs) -> None:
    services.record_sign_in(request=request, user=user, event="login")


@receiver(account_signals.second_factor_failed)
def _second_factor_failed(sender, request, user, **kwargs) -> None:
    services.record_sign_in(request=request, user=user, event="second_factor_failed")


@receiver(account_signals.enrolment_code_failed)
def _enrolment_code_failed(sender, request, user, **kwargs) -> None:
    services.record_sign_in(request=request, user=user, event="enrolment_code_failed")


@receiver(account_signals.enrolment_code_issued)
def _enrolment_code_issued(sender, request, user, issued_by, emailed, **kwargs) -> None:
    services.record_sign_in(
        request=request,
        user=user,
        by=issued_by,
        event="enrolment_code_emailed" if emailed else "enrolment_code_issued",
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        services.record_sign_in(request=request, user=user, event="logout")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    services.record_sign_in(
        request=request, user=None, event="login_failed", username=credentials.get("username", "")
    )

"""Two-factor sign-in with an authenticator app (TOTP) and single-use recovery codes,
built on django-otp."""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import permissions
from .language import for_user
from .models import EnrolmentCode, User

RECOVERY_CODES = 10
# An enrolment code an administrator hands over lasts three days; one sent by email, which
# the user asked for a moment ago, half an hour.
ISSUED_CODE_LIFETIME = timedelta(days=3)
EMAILED_CODE_LIFETIME = timedelta(minutes=30)
# A user may ask for another code by email once a minute.
EMAIL_INTERVAL = timedelta(minutes=1)
# 12 characters of 32 (no 0/O, 1/I): 60 bits, typed as XXXX-XXXX-XXXX.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def two_factor_required(user: User) -> bool:
    if settings.TWO_FACTOR_FOR_ADMINS and (user.is_staff or user.is_superuser):
        return True
    return permissions.has_any_role(user, settings.TWO_FACTOR_ROLES)


def has_confirmed_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def _code_hash(code: str) -> str:
    """The stored form of a code: a keyed hash, so the table alone gives no usable code."""
    return salted_hmac("accounts.enrolment-code", _normalised(code), algorithm="sha256").hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def issue_enrolment_code(*, user: User, issued_by: User | None, emailed: bool = False) -> str:
    """A new single-use enrolment code for the user; the code itself is returned once and
    only its hash is stored."""
    code = _new_code()
    lifetime = EMAILED_CODE_LIFETIME if emailed else ISSUED_CODE_LIFETIME
    EnrolmentCode.objects.create(
        user=user,
        code_hash=_code_hash(code),
        issued_by=issued_by,
        emailed=emailed,
        expires_at=timezone.now() + lifetime,
    )
    return code


def email_enrolment_code(*, user: User) -> bool:
    """Send a short-lived enrolment code to the user's recorded email address (sent now, not
    queued: the code is never stored in the clear, not even in the outbox). False if the
    user has no address or asked less than a minute ago."""
    if not user.email:
        return False
    recent = timezone.now() - EMAIL_INTERVAL
    if EnrolmentCode.objects.filter(user=user, emailed=True, created_at__gt=recent).exists():
        return False
    code = issue_enrolment_code(user=user, issued_by=None, emailed=True)
    with translation.override(for_user(user)):
        _send_code(user, code)
    return True


def _send_code(user: User, code: str) -> None:
    send_mail(
        subject=str(_("IFSS Case Manager: your two-factor set-up code")),
        message=str(
            _(
                "Your code to set up two-factor sign-in is %(code)s. It works once, for 30"
                " minutes. If you did not ask for it, someone may know your password: change it"
                " and tell your manager."
            )
            % {"code": code}
        ),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def redeem_enrolment_code(*, user: User, code: str) -> bool:
    """Use up the code if it is the user's, unused and in date (and with it every other
    code the user holds)."""
    found = (
        EnrolmentCode.objects.usable()
        .select_for_update()
        .filter(user=user, code_hash=_code_hash(code))
        .first()
    )
    if found is None:
        return False
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    return True


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (a new secret each time it is missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, for apps where the QR code cannot be scanned."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def confirm_device(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator if the code is right; return fresh recovery codes."""
    if not device.verify_token(token.strip().replace(" ", "")):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return new_recovery_codes(user=device.user)


@transaction.atomic
def new_recovery_codes(*, user: User) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    static.confirmed = True
    static.save(update_fields=["confirmed"])
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


@transaction.atomic
def remove_devices(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()

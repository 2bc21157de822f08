"""The Django admin never shows two-factor secrets: not an authenticator's key (hex or
base32), its QR code or setup URL, nor a recovery code, on any page of any admin of a
two-factor model (enumerated from the admin site's registry)."""

from __future__ import annotations

import base64

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OTP_APPS = {"otp_totp", "otp_static", "otp_email", "otp_hotp"}


def otp_models() -> list[type]:
    return [m for m in admin.site._registry if m._meta.app_label in OTP_APPS]


@pytest.fixture
def secrets(manager) -> list[str]:
    totp = TOTPDevice.objects.create(user=manager, name="Authenticator app", confirmed=True)
    static = StaticDevice.objects.create(user=manager, name="Recovery codes", confirmed=True)
    tokens = [StaticToken.random_token() for _ in range(3)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=t) for t in tokens)
    b32 = base64.b32encode(totp.bin_key).decode().rstrip("=")
    return [totp.key, b32, totp.config_url, *tokens]


def test_the_two_factor_models_are_the_ones_checked() -> None:
    assert {m.__name__ for m in otp_models()} == {"TOTPDevice", "StaticDevice"}


def test_no_admin_page_shows_a_key_a_qr_code_or_a_recovery_code(secrets, manager) -> None:
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    pages = [reverse("admin:accounts_user_change", args=[manager.pk])]
    for model in otp_models():
        info = (model._meta.app_label, model._meta.model_name)
        device = model.objects.get(user=manager)
        pages += [
            reverse("admin:{}_{}_changelist".format(*info)),
            reverse("admin:{}_{}_change".format(*info), args=[device.pk]),
            reverse("admin:{}_{}_add".format(*info)),
            f"/admin/{info[0]}/{info[1]}/{device.pk}/config/",
            f"/admin/{info[0]}/{info[1]}/{device.pk}/qrcode/",
        ]

    for url in pages:
        response = client.get(url, follow=True)
        page = response.content.decode()
        assert response.status_code in (200, 403, 404), url
        for secret in secrets:
            assert secret not in page, (url, secret)
        assert "image/svg" not in response.get("Content-Type", ""), url
        assert "otpauth://" not in page, url

    # Seeing that a device exists, and removing it so the user can enrol again, still works.
    device = TOTPDevice.objects.get(user=manager)
    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert change.status_code == 200
    assert "Authenticator app" in change.content.decode()

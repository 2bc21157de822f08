"""Two-factor sign-in with an authenticator app (TOTP) and single-use recovery codes.

Every sign-in here is a real POST to the login page (django-axes needs the request), with
the production setting switched back on: managers, performance officers and administrators
must use an authenticator app; everyone else may choose to.
"""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.twofactor import RECOVERY_CODES
from tests.factories import PASSWORD, UserFactory
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/verify/"


@pytest.fixture(autouse=True)
def two_factor_on(settings) -> None:
    """The production setting (tests/conftest.py switches it off for every other test)."""
    settings.TWO_FACTOR_ROLES = ["manager", "performance"]
    settings.TWO_FACTOR_FOR_ADMINS = True


def sign_in(user, client: Client | None = None) -> Client:  # noqa: ANN001
    """Sign in with the user name and password through the login page."""
    client = client or Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    assert "_auth_user_id" in client.session
    return client


def code_for(device: TOTPDevice) -> str:
    """The code the authenticator app shows now (or in the next 30-second step, if this
    step's code has already been used: a code is accepted once, with one step of drift)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t is not None and totp.t() <= device.last_t:
        totp.drift += device.last_t + 1 - totp.t()
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 10**device.digits:0{device.digits}d}"


def pending(user) -> TOTPDevice:  # noqa: ANN001
    return TOTPDevice.objects.get(user=user, confirmed=False)


def turn_on(client: Client, user) -> list[str]:  # noqa: ANN001
    """Set up the authenticator through the pages; return the recovery codes shown."""
    assert client.get(SETUP).status_code == 200
    response = client.post(SETUP, {"token": code_for(pending(user))})
    assert response.status_code == 200
    return recovery_codes(response.content.decode())


def recovery_codes(page: str) -> list[str]:
    block = re.search(r'<ul[^>]*data-testid="recovery-codes"[^>]*>(.*?)</ul>', page, re.S)
    assert block, "no recovery codes on the page"
    return re.findall(r"<li>\s*([^<\s]+)\s*</li>", block.group(1))


def confirmed_device(user) -> TOTPDevice:  # noqa: ANN001
    return TOTPDevice.objects.get(user=user, confirmed=True)


def log_out(client: Client) -> None:
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


# --- Who must use it -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "performance_officer"])
def test_a_manager_or_performance_officer_is_sent_to_set_it_up_after_the_password(
    request, role
) -> None:
    user = request.getfixturevalue(role)

    client = sign_in(user)

    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == SETUP
    page = response.content.decode()
    assert "Your role needs a second step" in page
    # Nothing else is reachable until it is set up.
    for url in ["/", "/cases/", "/referrals/", "/audit/", "/privacy/retention/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == SETUP, url
    response = client.post("/referrals/new/", {"family_name": "Evans"})
    assert (response.status_code, response["Location"]) == (302, SETUP)


def test_an_administrator_is_forced_too(team_a) -> None:
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)

    client = sign_in(admin)

    assert client.get("/")["Location"] == SETUP
    assert client.get("/admin/")["Location"] == SETUP
    assert client.get("/audit/")["Location"] == SETUP


def test_a_staff_flag_alone_is_enough_to_be_forced(team_a) -> None:
    staff = UserFactory(username="staffer", is_staff=True)

    client = sign_in(staff)

    assert client.get("/admin/")["Location"] == SETUP


def test_a_practitioner_is_not_forced(practitioner) -> None:
    client = sign_in(practitioner)

    response = client.get("/")
    assert response.status_code == 200
    assert "Welcome," in response.content.decode()
    assert client.get("/cases/mine/").status_code == 200
    assert not TOTPDevice.objects.filter(user=practitioner).exists()


# --- Setting it up ---------------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_and_the_key_of_a_new_unconfirmed_device(
    manager,
) -> None:
    client = sign_in(manager)

    page = client.get(SETUP).content.decode()

    device = pending(manager)
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', page)
    key = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert base64.b32decode(key + "=" * (-len(key) % 8)) == device.bin_key
    # The QR code carries the same key, with the issuer named.
    qr = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(qr).lstrip().startswith(b"<?xml")
    assert "issuer=IFSS" in device.config_url
    # Opening the page again keeps the same key (the app already scanned it).
    again = client.get(SETUP).content.decode()
    assert f'data-testid="totp-secret">{key}<' in again
    assert TOTPDevice.objects.filter(user=manager).count() == 1


def test_a_wrong_code_is_refused_and_it_stays_off(manager) -> None:
    client = sign_in(manager)
    client.get(SETUP)
    device = pending(manager)

    response = client.post(SETUP, {"token": wrong_code(device)})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.filter(device__user=manager).exists()
    assert client.get("/")["Location"] == SETUP


def test_the_right_code_turns_it_on_and_shows_ten_recovery_codes_once(manager) -> None:
    client = sign_in(manager)

    codes = turn_on(client, manager)

    assert len(codes) == RECOVERY_CODES == 10
    assert len(set(codes)) == 10
    device = confirmed_device(manager)
    assert device.name
    static = StaticDevice.objects.get(user=manager)
    assert static.confirmed
    assert sorted(static.token_set.values_list("token", flat=True)) == sorted(codes)
    # This sign-in is now verified: the dashboard opens.
    response = client.get("/")
    assert response.status_code == 200
    assert "Welcome," in response.content.decode()
    # The codes are not shown again.
    manage = client.get(reverse("two_factor_manage")).content.decode()
    assert not any(code in manage for code in codes)
    assert "On: you sign in with a code" in manage


def test_the_setup_code_cannot_be_replayed_at_the_next_sign_in(manager, time_machine) -> None:
    time_machine.move_to("2025-05-14 10:00:05+00:00", tick=False)
    client = sign_in(manager)
    client.get(SETUP)
    used = code_for(pending(manager))
    assert client.post(SETUP, {"token": used}).status_code == 200
    log_out(client)

    client = sign_in(manager)
    response = client.post(VERIFY, {"token": used})

    assert "That code is not right" in response.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)


# --- Signing in with it on -------------------------------------------------------------


def test_the_next_sign_in_needs_a_code_before_any_page(manager) -> None:
    client = sign_in(manager)
    turn_on(client, manager)
    log_out(client)

    client = sign_in(manager)

    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/cases/"
    # The setup page does not offer a way round it either.
    assert client.get(SETUP)["Location"] == reverse("two_factor_verify")
    page = client.get(f"{VERIFY}?next=/cases/").content.decode()
    assert "Enter your code" in page
    response = client.post(f"{VERIFY}?next=/cases/", {"token": code_for(confirmed_device(manager))})
    assert (response.status_code, response["Location"]) == (302, "/cases/")
    assert client.get("/cases/").status_code == 200


def test_a_wrong_code_on_the_verify_page_is_refused(manager) -> None:
    client = sign_in(manager)
    turn_on(client, manager)
    log_out(client)
    client = sign_in(manager)

    response = client.post(VERIFY, {"token": "000000x"})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)


def test_the_verify_page_does_not_redirect_off_site(manager) -> None:
    client = sign_in(manager)
    turn_on(client, manager)
    log_out(client)
    client = sign_in(manager)

    response = client.post(
        f"{VERIFY}?next=https://evil.example.org/",
        {"token": code_for(confirmed_device(manager))},
    )

    assert (response.status_code, response["Location"]) == (302, "/")


def test_a_recovery_code_signs_in_once_only(manager, time_machine) -> None:
    time_machine.move_to("2025-05-14 10:00:05+00:00", tick=True)
    client = sign_in(manager)
    codes = turn_on(client, manager)
    log_out(client)

    client = sign_in(manager)
    response = client.post(VERIFY, {"token": codes[3]})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=manager).count() == 9
    log_out(client)

    time_machine.shift(60)  # beyond any throttling delay
    client = sign_in(manager)
    response = client.post(VERIFY, {"token": codes[3]})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)
    # Another of the codes still works.
    time_machine.shift(60)
    response = client.post(VERIFY, {"token": codes[4]})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_new_recovery_codes_replace_the_old_ones(manager) -> None:
    client = sign_in(manager)
    old = turn_on(client, manager)

    response = client.post(reverse("two_factor_codes"))

    new = recovery_codes(response.content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    tokens = set(StaticToken.objects.filter(device__user=manager).values_list("token", flat=True))
    assert tokens == set(new)


# --- Optional for others ---------------------------------------------------------------


def test_a_practitioner_can_opt_in_and_must_then_verify_at_each_sign_in(practitioner) -> None:
    client = sign_in(practitioner)
    assert client.get("/").status_code == 200  # not forced
    manage = client.get(reverse("two_factor_manage")).content.decode()
    assert "Off. Add a second step" in manage

    setup = client.get(SETUP).content.decode()
    assert "Your role needs a second step" not in setup
    codes = turn_on(client, practitioner)
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    log_out(client)

    client = sign_in(practitioner)
    assert client.get("/")["Location"] == f"{VERIFY}?next=/"
    assert client.get("/cases/mine/")["Location"] == f"{VERIFY}?next=/cases/mine/"
    response = client.post(VERIFY, {"token": code_for(confirmed_device(practitioner))})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_practitioner_who_opted_in_can_turn_it_off_after_verifying(practitioner) -> None:
    client = sign_in(practitioner)
    turn_on(client, practitioner)
    manage = client.get(reverse("two_factor_manage")).content.decode()
    assert "Turn off" in manage

    response = client.post(reverse("two_factor_disable"))

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=practitioner).exists()
    assert not StaticDevice.objects.filter(user=practitioner).exists()
    log_out(client)
    client = sign_in(practitioner)
    assert client.get("/").status_code == 200


def test_turning_it_off_needs_the_second_factor_first(practitioner) -> None:
    client = sign_in(practitioner)
    turn_on(client, practitioner)
    log_out(client)

    client = sign_in(practitioner)  # password only: not verified
    client.post(reverse("two_factor_disable"))

    assert TOTPDevice.objects.filter(user=practitioner, confirmed=True).exists()
    assert client.get("/")["Location"].startswith(VERIFY)


def test_a_manager_cannot_turn_it_off(manager) -> None:
    client = sign_in(manager)
    turn_on(client, manager)
    manage = client.get(reverse("two_factor_manage")).content.decode()
    assert "Turn off" not in manage

    response = client.post(reverse("two_factor_disable"), follow=True)

    assert "Your role requires two-factor sign-in." in response.content.decode()
    assert confirmed_device(manager)
    assert StaticToken.objects.filter(device__user=manager).count() == 10
    log_out(client)
    client = sign_in(manager)
    assert client.get("/")["Location"].startswith(VERIFY)


def test_a_manager_who_is_not_yet_verified_cannot_turn_it_off_either(manager) -> None:
    client = sign_in(manager)
    turn_on(client, manager)
    log_out(client)
    client = sign_in(manager)

    client.post(reverse("two_factor_disable"))

    assert confirmed_device(manager)
    assert client.get("/")["Location"].startswith(VERIFY)


# --- What is open before the second factor ---------------------------------------------


def test_keepalive_and_logout_are_reachable_before_verifying(manager) -> None:
    client = sign_in(manager)
    turn_on(client, manager)
    log_out(client)
    client = sign_in(manager)
    assert client.get("/")["Location"].startswith(VERIFY)

    assert client.post(reverse("keepalive")).status_code == 204
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_keepalive_and_logout_are_reachable_before_setting_it_up(manager) -> None:
    client = sign_in(manager)
    assert client.get("/")["Location"] == SETUP

    assert client.post(reverse("keepalive")).status_code == 204
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_autosave_is_not_open_before_verifying(manager) -> None:
    client = sign_in(manager)

    response = client.post(
        reverse("autosave"),
        {"path": "/cases/", "fields": {}},
        content_type="application/json",
    )

    assert (response.status_code, response["Location"]) == (302, SETUP)

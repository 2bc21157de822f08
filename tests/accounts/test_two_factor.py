"""Two-factor sign-in with an authenticator app (TOTP) and single-use recovery codes.

Every sign-in here is a real POST to the login page (django-axes needs the request), with
the production setting switched back on: managers, performance officers and administrators
must use an authenticator app; everyone else may choose to.
"""

from __future__ import annotations

import base64
import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import EnrolmentCode
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


def sign_in(user, client: Client | None = None) -> Client:
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


def pending(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def enrol(client: Client, user) -> None:
    """Give the setup page an enrolment code from an administrator."""
    code = twofactor.issue_enrolment_code(user=user, issued_by=None)
    response = client.post(SETUP, {"enrolment_code": code})
    assert (response.status_code, response["Location"]) == (302, SETUP)


def turn_on(client: Client, user) -> list[str]:
    """Set up the authenticator through the pages; return the recovery codes shown."""
    enrol(client, user)
    assert client.get(SETUP).status_code == 200
    response = client.post(SETUP, {"token": code_for(pending(user))})
    assert response.status_code == 200
    return recovery_codes(response.content.decode())


def recovery_codes(page: str) -> list[str]:
    block = re.search(r'<ul[^>]*data-testid="recovery-codes"[^>]*>(.*?)</ul>', page, re.S)
    assert block, "no recovery codes on the page"
    return re.findall(r"<li>\s*([^<\s]+)\s*</li>", block.group(1))


def confirmed_device(user) -> TOTPDevice:
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
    enrol(client, manager)

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
    enrol(client, manager)
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
    enrol(client, manager)
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
    assert "enrolment code" in setup
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


# --- Enrolment needs more than the password (issue 13, finding 4) ----------------------


def test_a_password_alone_shows_no_secret_and_binds_no_phone(manager) -> None:
    """An attacker with the password of a manager who has not set it up yet."""
    client = sign_in(manager)

    page = client.get(SETUP).content.decode()

    assert "enrolment code" in page
    assert 'data-testid="totp-secret"' not in page
    assert "data:image/svg+xml" not in page
    assert not TOTPDevice.objects.filter(user=manager).exists()
    # Posting a guessed authenticator code binds nothing either.
    response = client.post(SETUP, {"token": "123456"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert client.get("/")["Location"] == SETUP


def test_an_administrator_issues_a_single_use_code_stored_only_as_a_hash(manager, settings) -> None:
    settings.TWO_FACTOR_FOR_ADMINS = False  # (the administrator's own second step aside)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_client = Client(REMOTE_ADDR="10.1.1.1")
    admin_client.force_login(admin)

    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_enrolment_codes", "_selected_action": [manager.pk]},
    )

    assert response.status_code == 200
    page = response.content.decode()
    code = re.search(r"<code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code>", page).group(1)
    stored = EnrolmentCode.objects.get(user=manager)
    assert stored.issued_by == admin
    assert code.replace("-", "") not in stored.code_hash.upper()
    assert code not in str(EnrolmentCode.objects.values().get())
    issued = LogEntry.objects.get(additional_data__event="enrolment_code_issued")
    assert (issued.actor, issued.object_pk) == (admin, str(manager.pk))

    client = sign_in(manager)
    response = client.post(SETUP, {"enrolment_code": code.lower().replace("-", " ")})
    assert (response.status_code, response["Location"]) == (302, SETUP)
    assert 'data-testid="totp-secret"' in client.get(SETUP).content.decode()

    # Used once: another session (the attacker's) cannot use it again.
    other = sign_in(manager)
    response = other.post(SETUP, {"enrolment_code": code})
    assert "That enrolment code is not right" in response.content.decode()
    assert 'data-testid="totp-secret"' not in response.content.decode()


def test_an_expired_code_or_another_users_code_is_refused(
    manager, performance_officer, time_machine
) -> None:
    time_machine.move_to("2025-05-14 10:00:00+00:00", tick=False)
    old = twofactor.issue_enrolment_code(user=manager, issued_by=None)
    theirs = twofactor.issue_enrolment_code(user=performance_officer, issued_by=None)
    time_machine.shift(twofactor.ISSUED_CODE_LIFETIME.total_seconds() + 1)
    fresh_theirs = twofactor.issue_enrolment_code(user=performance_officer, issued_by=None)
    client = sign_in(manager)

    for code in (old, theirs, fresh_theirs, "ABCD-EFGH-JKLM"):
        response = client.post(SETUP, {"enrolment_code": code})
        assert response.status_code == 200, code
        assert "That enrolment code is not right" in response.content.decode()

    assert 'data-testid="totp-secret"' not in client.get(SETUP).content.decode()
    assert not TOTPDevice.objects.filter(user=manager).exists()


def test_a_code_can_be_emailed_to_the_recorded_address(manager, time_machine) -> None:
    time_machine.move_to("2025-05-14 10:00:00+00:00", tick=False)
    manager.email = "manager@council.example"
    manager.save(update_fields=["email"])
    client = sign_in(manager)
    assert "Email me a code" in client.get(SETUP).content.decode()

    client.post(SETUP, {"send_code": "1"})
    client.post(SETUP, {"send_code": "1"})  # again within the minute: not sent twice

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["manager@council.example"]
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", mail.outbox[0].body).group(0)
    assert code not in mail.outbox[0].subject
    assert EnrolmentCode.objects.get(user=manager).emailed
    # Half an hour later it no longer works.
    time_machine.shift(31 * 60)
    response = client.post(SETUP, {"enrolment_code": code})
    assert "That enrolment code is not right" in response.content.decode()
    time_machine.shift(60)
    client.post(SETUP, {"send_code": "1"})
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", mail.outbox[1].body).group(0)
    assert client.post(SETUP, {"enrolment_code": code})["Location"] == SETUP


def test_without_an_email_address_the_user_is_told_to_ask_an_administrator(manager) -> None:
    manager.email = ""
    manager.save(update_fields=["email"])
    client = sign_in(manager)

    page = client.get(SETUP).content.decode()
    client.post(SETUP, {"send_code": "1"})

    assert "Email me a code" not in page
    assert "ask an administrator for an enrolment code" in page
    assert mail.outbox == []
    assert not EnrolmentCode.objects.exists()


def test_a_wrong_enrolment_code_is_logged(manager) -> None:
    client = sign_in(manager, Client(REMOTE_ADDR="10.9.9.9"))

    client.post(SETUP, {"enrolment_code": "AAAA-BBBB-CCCC"})

    entry = LogEntry.objects.get(additional_data__event="enrolment_code_failed")
    assert (entry.actor, entry.remote_addr) == (manager, "10.9.9.9")


# --- The second factor: session key, failures and "signed in" in the log ---------------


def sign_in_events(user) -> list[str]:
    return list(
        LogEntry.objects.filter(object_pk=str(user.pk), additional_data__event__isnull=False)
        .order_by("pk")
        .values_list("additional_data__event", flat=True)
    )


def test_the_session_key_changes_when_the_second_factor_passes(manager) -> None:
    client = sign_in(manager)
    enrol(client, manager)
    client.get(SETUP)
    before_setup = client.session.session_key
    client.post(SETUP, {"token": code_for(pending(manager))})
    assert client.session.session_key != before_setup
    log_out(client)

    client = sign_in(manager)
    before_verify = client.session.session_key
    response = client.post(VERIFY, {"token": code_for(confirmed_device(manager))})

    assert response.status_code == 302
    assert client.session.session_key != before_verify
    assert client.get("/").status_code == 200


def test_a_wrong_second_factor_code_is_logged_with_user_and_address(manager) -> None:
    client = sign_in(manager)
    turn_on(client, manager)
    log_out(client)
    client = sign_in(manager, Client(REMOTE_ADDR="10.8.8.8"))

    client.post(VERIFY, {"token": wrong_code(confirmed_device(manager))})

    entry = LogEntry.objects.get(additional_data__event="second_factor_failed")
    assert (entry.actor, entry.object_pk, entry.remote_addr) == (
        manager,
        str(manager.pk),
        "10.8.8.8",
    )
    assert entry.additional_data["username"] == manager.username


def test_signed_in_is_logged_only_once_both_factors_have_passed(manager, time_machine) -> None:
    time_machine.move_to("2025-05-14 10:00:05+00:00", tick=True)
    client = sign_in(manager)
    assert sign_in_events(manager) == ["password_accepted"]
    turn_on(client, manager)
    assert sign_in_events(manager)[-1] == "login"
    log_out(client)
    before = len(sign_in_events(manager))

    client = sign_in(manager)
    assert sign_in_events(manager)[before:] == ["password_accepted"]
    time_machine.shift(5)
    client.post(VERIFY, {"token": wrong_code(confirmed_device(manager))})
    assert "login" not in sign_in_events(manager)[before:]
    time_machine.shift(5)
    client.post(VERIFY, {"token": code_for(confirmed_device(manager))})

    assert sign_in_events(manager)[before:] == [
        "password_accepted",
        "second_factor_failed",
        "login",
    ]


def test_a_user_without_a_second_factor_is_signed_in_by_the_password(practitioner) -> None:
    sign_in(practitioner)

    assert sign_in_events(practitioner) == ["login"]

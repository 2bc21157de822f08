"""Sign-in: lockout after repeated failures (django-axes, by user name, and by client address
against password spraying), and every successful and failed sign-in written to the audit
log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

START = "2025-05-14 10:00:00+00:00"
LOCKED = "Too many failed sign-in attempts"


def attempt(client: Client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(client: Client, username: str) -> list:
    return [attempt(client, username, f"wrong {n}") for n in range(5)]


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def test_a_wrong_password_shows_the_form_again(practitioner) -> None:
    client = Client()

    response = attempt(client, practitioner.username, "nope")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert not signed_in(client)


def test_five_wrong_passwords_lock_the_user_name_even_for_the_right_password(
    clock, practitioner
) -> None:
    client = Client()

    responses = fail_five_times(client, practitioner.username)

    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert LOCKED not in responses[3].content.decode()
    assert LOCKED in responses[4].content.decode()
    # The right password, from a fresh browser too, is refused while the lock lasts.
    for who in (client, Client()):
        response = attempt(who, practitioner.username, PASSWORD)
        assert response.status_code == 429
        assert LOCKED in response.content.decode()
        assert not signed_in(who)
    clock.shift(timedelta(minutes=9))
    response = attempt(Client(), practitioner.username, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_the_lock_does_not_touch_other_users_from_the_same_address(
    clock, practitioner, practitioner2
) -> None:
    client = Client()
    fail_five_times(client, practitioner.username)

    response = attempt(client, practitioner2.username, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_failures_spread_over_other_user_names_lock_nobody(
    clock, practitioner, practitioner2, manager
) -> None:
    client = Client()
    for user in (practitioner, practitioner2, manager):
        for n in range(4):
            attempt(client, user.username, f"wrong {n}")

    for user in (practitioner, practitioner2, manager):
        assert attempt(Client(), user.username, PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(clock, practitioner) -> None:
    """A stranger who types a worker's name wrongly keeps them out for minutes, not hours."""
    fail_five_times(Client(REMOTE_ADDR="203.0.113.9"), practitioner.username)

    clock.shift(timedelta(minutes=11))
    client = Client()
    response = attempt(client, practitioner.username, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)
    assert client.get("/").status_code == 200


def test_a_successful_sign_in_resets_the_count(clock, practitioner) -> None:
    for n in range(4):
        attempt(Client(), practitioner.username, f"wrong {n}")
    assert attempt(Client(), practitioner.username, PASSWORD).status_code == 302

    responses = [attempt(Client(), practitioner.username, f"again {n}") for n in range(4)]

    assert all(LOCKED not in r.content.decode() for r in responses)
    assert attempt(Client(), practitioner.username, PASSWORD).status_code == 302


# --- Password spraying: many user names from one address ---------------------------------

SPRAYER = "203.0.113.50"


def test_thirty_user_names_tried_from_one_address_are_slowed(clock, settings, practitioner) -> None:
    assert settings.IFSS_LOCKOUT_ADDRESS_FAILURES == 20
    sprayer = Client(REMOTE_ADDR=SPRAYER)

    responses = [attempt(sprayer, f"worker{n}", "Summer2025!") for n in range(30)]

    statuses = [r.status_code for r in responses]
    assert statuses[:19] == [200] * 19
    assert statuses[19:] == [429] * 11
    assert LOCKED in responses[-1].content.decode()
    # Even a right password is not tried from that address while the lock lasts...
    assert attempt(sprayer, practitioner.username, PASSWORD).status_code == 429
    # ...but the worker signs in from anywhere else, and the name itself is not locked.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert attempt(other, practitioner.username, PASSWORD).status_code == 302
    # The address is free again after the cool-off.
    clock.shift(timedelta(minutes=11))
    assert attempt(Client(REMOTE_ADDR=SPRAYER), practitioner.username, PASSWORD).status_code == 302


def test_an_office_behind_one_address_is_not_locked_by_a_few_mistakes(
    clock, practitioner, practitioner2, manager, csw
) -> None:
    office = Client(REMOTE_ADDR="192.0.2.1")
    for user in (practitioner, practitioner2, manager, csw):
        for n in range(4):
            attempt(office, user.username, f"wrong {n}")

    for user in (practitioner, practitioner2, manager, csw):
        assert attempt(Client(REMOTE_ADDR="192.0.2.1"), user.username, PASSWORD).status_code == 302


def test_the_per_name_limit_still_holds_from_many_addresses(clock, practitioner) -> None:
    for n in range(5):
        attempt(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), practitioner.username, f"wrong {n}")

    response = attempt(Client(REMOTE_ADDR="203.0.113.99"), practitioner.username, PASSWORD)

    assert response.status_code == 429


# --- The audit log -----------------------------------------------------------------------


def sign_in_entries(event: str):
    return LogEntry.objects.filter(additional_data__event=event).order_by("pk")


def test_a_successful_sign_in_is_logged_with_who_and_where(practitioner) -> None:
    client = Client(REMOTE_ADDR="10.20.30.40")

    attempt(client, practitioner.username, PASSWORD)

    entry = sign_in_entries("login").get()
    assert entry.actor == practitioner
    assert entry.remote_addr == "10.20.30.40"
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.object_pk == str(practitioner.pk)
    assert entry.additional_data["username"] == practitioner.username
    assert not sign_in_entries("login_failed").exists()


def test_a_failed_sign_in_is_logged_with_the_user_name_tried_and_where(practitioner) -> None:
    client = Client(REMOTE_ADDR="10.20.30.41")

    attempt(client, practitioner.username, "wrong")
    attempt(client, "nobody-of-that-name", "wrong")

    first, second = sign_in_entries("login_failed")
    assert first.actor is None
    assert first.remote_addr == "10.20.30.41"
    assert first.additional_data["username"] == practitioner.username
    assert second.additional_data["username"] == "nobody-of-that-name"
    assert second.remote_addr == "10.20.30.41"
    # The password tried is never written down.
    assert "wrong" not in str(first.additional_data) + str(first.changes)
    assert not sign_in_entries("login").exists()


def test_a_locked_out_attempt_is_logged_as_failed(clock, practitioner) -> None:
    fail_five_times(Client(), practitioner.username)

    attempt(Client(REMOTE_ADDR="10.20.30.42"), practitioner.username, PASSWORD)

    entries = sign_in_entries("login_failed")
    assert entries.count() == 6
    assert entries.last().remote_addr == "10.20.30.42"
    assert not sign_in_entries("login").exists()


def test_signing_out_is_logged(practitioner) -> None:
    client = Client()
    attempt(client, practitioner.username, PASSWORD)

    client.post(reverse("logout"))

    entry = sign_in_entries("logout").get()
    assert entry.actor == practitioner


def test_sign_ins_show_in_the_audit_search_for_an_administrator(practitioner) -> None:
    from tests.factories import UserFactory

    attempt(Client(REMOTE_ADDR="10.20.30.43"), practitioner.username, "wrong")
    attempt(Client(REMOTE_ADDR="10.20.30.44"), practitioner.username, PASSWORD)
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)

    page = client.get("/audit/", {"actor": practitioner.username}).content.decode()

    assert "login_failed" in page
    assert "10.20.30.43" in page
    assert "10.20.30.44" in page

"""Idle sessions end after the configured minutes, with a warning in the page; nothing typed
into a form is lost, because the page saves it on the server (a FormDraft per user and page)
and offers it back."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import ifss.settings as project_settings
from accounts.models import FormDraft
from tests.factories import CaseFactory, FamilyFactory, NotificationFactory, PersonFactory
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

START = "2025-05-14 10:00:00+00:00"


@pytest.fixture(autouse=True)
def idle_timeout(settings) -> None:
    """The production idle timeout (tests/conftest.py makes sessions last for years)."""
    settings.SESSION_COOKIE_AGE = 30 * 60


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def goes_to_login(response, path: str) -> bool:
    return response.status_code == 302 and response["Location"] == f"/accounts/login/?next={path}"


# --- The idle timeout --------------------------------------------------------------------


def test_the_session_lasts_the_configured_idle_minutes_and_is_renewed_by_requests() -> None:
    assert project_settings.SESSION_IDLE_MINUTES == 30
    assert project_settings.SESSION_COOKIE_AGE == 30 * 60
    # Renewed by the middleware at most once a minute, not written on every request.
    assert project_settings.SESSION_SAVE_EVERY_REQUEST is False
    assert project_settings.SESSION_TOUCH_SECONDS == 60
    assert "accounts.middleware.SessionRenewalMiddleware" in project_settings.MIDDLEWARE
    assert project_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert project_settings.SESSION_COOKIE_HTTPONLY is True


def session_writes(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return sum(
        1
        for q in ctx.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
    )


def test_a_request_within_a_minute_of_the_last_renewal_does_not_write_the_session(
    time_machine, practitioner
) -> None:
    time_machine.move_to(START, tick=False)
    client = login(practitioner)
    assert session_writes(client, "/") == 1  # the first request after signing in renews it
    key = client.session.session_key
    expiry = Session.objects.get(pk=key).expire_date
    assert expiry == timezone.now() + timedelta(minutes=30)

    time_machine.shift(timedelta(seconds=59))
    assert session_writes(client, "/cases/mine/") == 0
    assert session_writes(client, "/") == 0
    assert Session.objects.get(pk=key).expire_date == expiry

    time_machine.shift(timedelta(seconds=2))  # 61 seconds after the renewal
    assert session_writes(client, "/") == 1
    assert Session.objects.get(pk=key).expire_date == expiry + timedelta(seconds=61)
    assert session_writes(client, "/") == 0


def test_the_idle_timeout_counts_from_the_last_renewal_so_may_end_a_minute_early(
    time_machine, practitioner
) -> None:
    time_machine.move_to(START, tick=False)
    client = login(practitioner)
    client.get("/")  # renewed: the session now ends 30 minutes from START
    time_machine.shift(timedelta(seconds=50))
    client.get("/")  # not written: still ends 30 minutes from START, 29:10 from here

    time_machine.shift(timedelta(minutes=29, seconds=11))
    assert goes_to_login(client.get("/cases/mine/"), "/cases/mine/")


# The floor: what every signed-in page pays before its own queries. The session and the
# user; the user's memberships (the menu's roles, and any team scoping); the bell's unread
# count and the page's autosaved draft, in one query. No session write within a minute.
FLOOR_QUERIES = 4


def test_the_floor_page_costs_four_queries_however_many_notices_and_drafts(
    time_machine, practitioner, django_assert_num_queries
) -> None:
    time_machine.move_to(START, tick=False)
    client = login(practitioner)
    path = reverse("password_change")
    client.get(path)  # the first request after signing in renews the session

    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    NotificationFactory.create_batch(12, recipient=practitioner)
    for n in range(12):
        FormDraft.objects.create(user=practitioner, path=f"/cases/{n}/contacts/new/")
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200

    assert len(few.captured_queries) == len(many.captured_queries)
    with django_assert_num_queries(FLOOR_QUERIES):
        client.get(path)


def test_anonymous_requests_store_no_session() -> None:
    assert Client().get(reverse("login")).status_code == 200

    assert not Session.objects.exists()


def test_after_31_idle_minutes_the_next_request_goes_to_the_login_page(
    time_machine, practitioner
) -> None:
    time_machine.move_to(START, tick=False)
    client = login(practitioner)
    assert client.get("/").status_code == 200

    time_machine.shift(timedelta(minutes=31))
    response = client.get("/cases/mine/")

    assert goes_to_login(response, "/cases/mine/")
    assert "_auth_user_id" not in client.session


def test_a_request_within_the_idle_time_keeps_the_session_and_renews_it(
    time_machine, practitioner
) -> None:
    time_machine.move_to(START, tick=False)
    client = login(practitioner)
    client.get("/")

    for _ in range(3):  # 20 minutes idle each time: an hour in all
        time_machine.shift(timedelta(minutes=20))
        assert client.get("/cases/mine/").status_code == 200

    time_machine.shift(timedelta(minutes=31))
    assert goes_to_login(client.get("/cases/mine/"), "/cases/mine/")


def test_the_warnings_stay_signed_in_button_renews_the_session(time_machine, practitioner) -> None:
    time_machine.move_to(START, tick=False)
    client = login(practitioner)
    client.get("/")

    time_machine.shift(timedelta(minutes=28))
    assert client.post(reverse("keepalive")).status_code == 204
    time_machine.shift(timedelta(minutes=28))

    assert client.get("/").status_code == 200


def test_keepalive_needs_a_post_and_a_session(practitioner) -> None:
    assert login(practitioner).get(reverse("keepalive")).status_code == 405
    assert goes_to_login(Client().post(reverse("keepalive")), reverse("keepalive"))


def test_the_page_tells_its_script_when_the_session_ends(practitioner) -> None:
    page = login(practitioner).get("/").content.decode()

    assert 'data-session-seconds="1800"' in page
    assert f'data-keepalive-url="{reverse("keepalive")}"' in page
    assert f'data-autosave-url="{reverse("autosave")}"' in page
    assert 'id="idle-warning"' in page
    assert "You will be signed out in two minutes" in page


def test_the_sign_in_page_carries_no_session_timer() -> None:
    page = Client().get(reverse("login")).content.decode()

    assert "data-session-seconds" not in page
    assert 'id="idle-warning"' not in page


# --- Server-side drafts of forms ----------------------------------------------------------


@pytest.fixture
def case(team_a, practitioner):
    family = FamilyFactory(team=team_a, name="Evans family")
    PersonFactory(family=family, first_name="Carys")
    return CaseFactory(team=team_a, worker=practitioner, referral__family=family)


def contact_path(case) -> str:
    return reverse("cases:add_contact", args=[case.pk])


def autosave(client: Client, body) -> object:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(reverse("autosave"), data, content_type="application/json")


def draft_in(page: str) -> dict | None:
    found = re.search(
        r'<script id="form-draft-data" type="application/json">(.*?)</script>', page, re.S
    )
    return json.loads(found.group(1)) if found else None


def test_autosave_stores_a_draft_for_the_user_and_page(practitioner, case) -> None:
    client = login(practitioner)
    path = contact_path(case)

    response = autosave(client, {"path": path, "fields": {"notes": ["typed"]}})

    assert response.status_code == 204
    draft = FormDraft.objects.get(user=practitioner, path=path)
    assert draft.data == {"notes": ["typed"]}
    # Saving again overwrites the page's one draft.
    autosave(client, {"path": path, "fields": {"notes": ["typed more"], "mode": ["phone"]}})
    assert FormDraft.objects.filter(user=practitioner).count() == 1
    assert FormDraft.objects.get(user=practitioner).data == {
        "notes": ["typed more"],
        "mode": ["phone"],
    }


def test_autosave_never_keeps_the_csrf_token(practitioner) -> None:
    client = login(practitioner)

    autosave(
        client,
        {"path": "/cases/1/contacts/new/", "fields": {"csrfmiddlewaretoken": ["x"], "a": "b"}},
    )

    assert FormDraft.objects.get(user=practitioner).data == {"a": ["b"]}


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        b"\xff\xfe",
        "[]",
        "{}",
        json.dumps({"path": "/cases/1/"}),
        json.dumps({"fields": {}}),
        json.dumps({"path": "/cases/1/", "fields": ["notes"]}),
        json.dumps({"path": "https://evil.example.org/", "fields": {}}),
        json.dumps({"path": "/x/", "fields": {f"f{n}": "v" for n in range(301)}}),
    ],
    ids=[
        "bad-json",
        "not-utf8",
        "a-list",
        "no-keys",
        "no-fields",
        "no-path",
        "fields-not-a-dict",
        "not-a-path",
        "too-many-fields",
    ],
)
def test_bad_autosave_bodies_are_refused_with_400_and_nothing_stored(practitioner, body) -> None:
    response = autosave(login(practitioner), body)

    assert response.status_code == 400
    assert not FormDraft.objects.exists()


def test_autosave_needs_a_signed_in_user_and_a_csrf_token(practitioner) -> None:
    body = json.dumps({"path": "/cases/1/contacts/new/", "fields": {"notes": ["typed"]}})
    response = Client().post(reverse("autosave"), body, content_type="application/json")
    assert goes_to_login(response, reverse("autosave"))

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(practitioner)
    refused = strict.post(reverse("autosave"), body, content_type="application/json")
    assert refused.status_code == 403
    # The page's script sends the token from <meta name="csrf-token"> in X-CSRFToken.
    page = strict.get("/").content.decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
    response = strict.post(
        reverse("autosave"), body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 204
    assert not FormDraft.objects.exclude(user=practitioner).exists()


def test_the_next_visit_to_the_page_offers_the_draft_back(practitioner, case) -> None:
    client = login(practitioner)
    path = contact_path(case)
    autosave(client, {"path": path, "fields": {"notes": ["typed"]}})

    page = client.get(path).content.decode()

    assert 'data-testid="draft-restore"' in page
    assert "You have unsaved text on this page" in page
    assert draft_in(page) == {"notes": ["typed"]}
    # Only on that page.
    other = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="draft-restore"' not in other
    assert draft_in(other) is None


def test_a_draft_with_markup_is_offered_back_escaped(practitioner, case) -> None:
    client = login(practitioner)
    path = contact_path(case)
    typed = "</script><script>alert(1)</script> & <b>"
    autosave(client, {"path": path, "fields": {"notes": [typed]}})

    page = client.get(path).content.decode()

    assert "<script>alert(1)" not in page
    assert draft_in(page) == {"notes": [typed]}


def test_submitting_the_form_successfully_deletes_the_draft(practitioner, case) -> None:
    client = login(practitioner)
    path = contact_path(case)
    autosave(client, {"path": path, "fields": {"notes": ["typed"]}})
    started = timezone.localtime() - timedelta(hours=1)

    response = client.post(
        path,
        {
            "started_at": started.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
            "mode": "home_visit",
            "work_type": "direct",
            "notes": "typed",
        },
    )

    assert response.status_code == 302
    assert not FormDraft.objects.filter(user=practitioner, path=path).exists()
    assert case.contacts.get().notes == "typed"
    assert 'data-testid="draft-restore"' not in client.get(path).content.decode()


def test_a_refused_submission_keeps_the_draft(practitioner, case) -> None:
    client = login(practitioner)
    path = contact_path(case)
    autosave(client, {"path": path, "fields": {"notes": ["typed"]}})

    response = client.post(path, {"duration_minutes": "0", "notes": "typed"})

    assert response.status_code == 200
    assert FormDraft.objects.filter(user=practitioner, path=path).exists()


def test_a_successful_form_elsewhere_leaves_the_draft_alone(practitioner, case) -> None:
    client = login(practitioner)
    path = contact_path(case)
    autosave(client, {"path": path, "fields": {"notes": ["typed"]}})

    assert client.post(reverse("keepalive")).status_code == 204
    client.post(reverse("two_factor_disable"))  # a redirect after POST on another page

    assert FormDraft.objects.filter(user=practitioner, path=path).exists()


def test_another_users_draft_is_never_shown(practitioner, practitioner2, case) -> None:
    path = contact_path(case)
    autosave(login(practitioner), {"path": path, "fields": {"notes": ["my private notes"]}})

    page = login(practitioner2).get(path).content.decode()

    assert 'data-testid="draft-restore"' not in page
    assert "my private notes" not in page
    assert draft_in(page) is None


def test_another_users_successful_post_does_not_delete_my_draft(
    practitioner, practitioner2, case
) -> None:
    path = contact_path(case)
    autosave(login(practitioner), {"path": path, "fields": {"notes": ["mine"]}})
    started = timezone.localtime() - timedelta(hours=1)

    response = login(practitioner2).post(
        path,
        {
            "started_at": started.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "30",
            "mode": "phone",
            "work_type": "direct",
        },
    )

    assert response.status_code == 302
    assert FormDraft.objects.filter(user=practitioner, path=path).exists()


def test_an_empty_autosave_keeps_no_draft_so_back_after_a_submit_offers_nothing(
    practitioner, case
) -> None:
    # The page's script saves once more as it is left; after a submit nothing is left in
    # the page's other forms. That empty save once left a draft, and "Back" then offered
    # to restore a form that had already been sent.
    client = login(practitioner)
    path = contact_path(case)
    autosave(client, {"path": path, "fields": {"notes": ["typed"]}})

    response = autosave(client, {"path": path, "fields": {}})

    assert response.status_code == 204
    assert not FormDraft.objects.filter(user=practitioner).exists()
    assert 'data-testid="draft-restore"' not in client.get(path).content.decode()
    # Only the csrf token (dropped): nothing typed either.
    autosave(client, {"path": path, "fields": {"csrfmiddlewaretoken": ["x"]}})
    assert not FormDraft.objects.exists()

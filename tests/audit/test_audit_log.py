"""The audit log: every view of a case, referral or family is written down (who, when, from
where), every change too (the fields before and after); the case page shows who viewed it,
and managers (their own teams' people) and administrators (everyone) can search it."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Assessment, Case, Contact
from families.models import Family
from tests.factories import CaseFactory, FamilyFactory, PersonFactory, UserFactory
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

ACCESS = LogEntry.Action.ACCESS


def login(user, address: str = "127.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def case_of(team, worker, name: str) -> Case:
    family = FamilyFactory(team=team, name=name)
    PersonFactory(family=family, first_name="Carys")
    return CaseFactory(team=team, worker=worker, referral__family=family)


def entries(obj, action: int | None = None):
    qs = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj.__class__), object_pk=str(obj.pk)
    )
    return qs if action is None else qs.filter(action=action)


@pytest.fixture
def case(team_a, practitioner) -> Case:
    return case_of(team_a, practitioner, "Evans family")


# --- Views are logged -----------------------------------------------------------------------


def test_viewing_a_case_logs_the_case_and_the_family_with_who_and_where(practitioner, case) -> None:
    before = timezone.now()

    response = login(practitioner, "10.1.2.3").get(reverse("cases:detail", args=[case.pk]))

    assert response.status_code == 200
    for record in (case, case.family):
        entry = entries(record, ACCESS).get()
        assert entry.actor == practitioner
        assert entry.remote_addr == "10.1.2.3"
        assert entry.timestamp >= before
        assert entry.object_repr == str(record)


def test_every_view_is_a_new_entry(practitioner, manager, case) -> None:
    login(practitioner).get(reverse("cases:detail", args=[case.pk]))
    login(practitioner).get(reverse("cases:detail", args=[case.pk]))
    login(manager, "10.9.9.9").get(reverse("cases:detail", args=[case.pk]))

    actors = list(entries(case, ACCESS).order_by("pk").values_list("actor__username", flat=True))
    assert actors == [practitioner.username, practitioner.username, manager.username]


def test_viewing_a_referral_logs_the_referral_and_the_family(manager, team_a) -> None:
    case = case_of(team_a, manager, "Hughes family")
    referral = case.referral

    response = login(manager, "10.1.2.4").get(reverse("referrals:detail", args=[referral.pk]))

    assert response.status_code == 200
    for record in (referral, referral.family):
        entry = entries(record, ACCESS).get()
        assert (entry.actor, entry.remote_addr) == (manager, "10.1.2.4")


def test_viewing_the_consent_page_logs_the_family(practitioner, case) -> None:
    login(practitioner, "10.1.2.5").get(reverse("families:consent", args=[case.family_id]))

    entry = entries(case.family, ACCESS).get()
    assert (entry.actor, entry.remote_addr) == (practitioner, "10.1.2.5")


def test_a_refused_view_logs_nothing(other_practitioner, referrer, board_member, case) -> None:
    for user in (other_practitioner, referrer, board_member):
        client = login(user)
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
        assert client.get(reverse("families:consent", args=[case.family_id])).status_code == 404

    assert not entries(case, ACCESS).exists()
    assert not entries(case.family, ACCESS).exists()


def test_a_forged_forwarded_for_header_does_not_change_where_from(practitioner, case) -> None:
    client = login(practitioner, "10.0.0.1")
    client.get(reverse("cases:detail", args=[case.pk]), HTTP_X_FORWARDED_FOR="6.6.6.6")
    Client(REMOTE_ADDR="10.0.0.1").post(
        reverse("login"),
        {"username": practitioner.username, "password": "wrong"},
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )

    assert entries(case, ACCESS).get().remote_addr == "10.0.0.1"
    failed = LogEntry.objects.get(additional_data__event="login_failed")
    assert failed.remote_addr == "10.0.0.1"


# --- Changes are logged with the fields before and after ------------------------------------


def test_logging_a_contact_writes_a_create_entry_with_its_fields(practitioner, case) -> None:
    started = timezone.localtime() - timedelta(hours=1)

    response = login(practitioner, "10.1.2.6").post(
        reverse("cases:add_contact", args=[case.pk]),
        {
            "started_at": started.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "45",
            "mode": "home_visit",
            "work_type": "direct",
            "notes": "Mother sober; children at school.",
        },
    )

    assert response.status_code == 302
    contact = Contact.objects.get(case=case)
    entry = entries(contact, LogEntry.Action.CREATE).get()
    assert (entry.actor, entry.remote_addr) == (practitioner, "10.1.2.6")
    changes = entry.changes_dict
    assert changes["notes"][1] == "Mother sober; children at school."
    assert changes["duration_minutes"][1] == "45"
    assert changes["notes"][0] in (None, "None")


def test_updating_the_assessment_writes_the_fields_before_and_after(practitioner, case) -> None:
    from cases.services import start_assessment

    start_assessment(case_id=case.pk, user=practitioner, started_at=timezone.now())
    assessment = Assessment.objects.get(case=case)
    Assessment.objects.filter(pk=assessment.pk).update(safety_plan="Old plan")
    assessment.refresh_from_db()

    response = login(practitioner, "10.1.2.7").post(
        reverse("cases:assessment", args=[case.pk]),
        {
            "version": assessment.version,
            "hours_spent": "7.5",
            "safety_plan": "Grandmother collects the children.",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    entry = entries(assessment, LogEntry.Action.UPDATE).filter(actor=practitioner).get()
    assert entry.remote_addr == "10.1.2.7"
    assert entry.changes_dict["safety_plan"] == ["Old plan", "Grandmother collects the children."]
    assert entry.changes_dict["hours_spent"][1] in ("7.5", "7.50")
    assert "version" in entry.changes_dict


def test_a_change_made_outside_a_request_is_logged_without_an_actor(case) -> None:
    family = Family.objects.get(pk=case.family_id)
    family.address = "2 New Road"
    family.save()

    entry = entries(family, LogEntry.Action.UPDATE).get()
    assert entry.actor is None
    assert entry.changes_dict["address"] == ["1 High Street", "2 New Road"]


def test_a_users_password_is_never_written_to_the_log(practitioner) -> None:
    practitioner.set_password("a new long password 123")
    practitioner.first_name = "Renamed"
    practitioner.save()

    entry = entries(practitioner, LogEntry.Action.UPDATE).get()
    assert "first_name" in entry.changes_dict
    assert "password" not in entry.changes_dict
    assert "pbkdf2" not in str(entry.changes) and "md5$" not in str(entry.changes)


# --- Who has viewed this record ---------------------------------------------------------------


def viewers_block(page: str) -> str:
    found = re.search(r'<ul[^>]*data-testid="viewers"[^>]*>(.*?)</ul>', page, re.S)
    assert found, "no viewers list on the page"
    return html.unescape(found.group(1))


def test_the_case_page_lists_who_viewed_it(practitioner, practitioner2, manager, case) -> None:
    other = case_of(case.team, practitioner2, "Other family")
    login(practitioner2, "10.5.5.5").get(reverse("cases:detail", args=[other.pk]))
    login(practitioner, "10.4.4.4").get(reverse("cases:detail", args=[case.pk]))

    page = login(manager, "10.3.3.3").get(reverse("cases:detail", args=[case.pk])).content.decode()

    viewers = viewers_block(page)
    assert practitioner.get_full_name() in viewers
    assert "10.4.4.4" in viewers
    assert manager.get_full_name() in viewers  # this very view
    assert practitioner2.get_full_name() not in viewers  # viewed another case
    assert "10.5.5.5" not in viewers
    # Most recent first.
    assert viewers.index(manager.get_full_name()) < viewers.index(practitioner.get_full_name())


# --- Searching the log -------------------------------------------------------------------------


def rows(page: str) -> list[str]:
    table = re.search(r'data-testid="audit-entries">(.*?)</table>', page, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    found = [
        html.unescape(re.sub(r"<[^>]+>", " ", r)) for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
    return [" ".join(r.split()) for r in found if "No entries match" not in r]


@pytest.fixture
def views_in_both_teams(team_a, team_b, practitioner, other_practitioner):
    """The practitioner of team A views an A case; the one of team B views a B case."""
    case_a = case_of(team_a, practitioner, "Alderney family")
    case_b = case_of(team_b, other_practitioner, "Brecon family")
    login(practitioner, "10.0.0.10").get(reverse("cases:detail", args=[case_a.pk]))
    login(other_practitioner, "10.0.0.20").get(reverse("cases:detail", args=[case_b.pk]))
    return case_a, case_b


def test_a_manager_searches_only_what_the_people_of_their_team_did(
    manager, practitioner, views_in_both_teams
) -> None:
    response = login(manager).get(reverse("audit:log"))

    assert response.status_code == 200
    everything = rows(response.content.decode())
    # The sign-ins of the team's people are there too.
    assert any(f"login user {practitioner.pk} " in r for r in everything)
    found = without_sign_ins(everything)
    assert found
    assert any("Alderney family" in r and "10.0.0.10" in r for r in found)
    assert not any("Brecon family" in r or "10.0.0.20" in r for r in found)
    # Only what the team's people did: not the unattributed entries written when the
    # records were created outside a request, nor anything done by team B.
    assert all(practitioner.get_full_name() in r for r in found)


def test_the_search_reads_entries_without_joining_their_users(
    manager, practitioner, views_in_both_teams
) -> None:
    """The page's users are read after its entries. Joined into the search, with the
    visibility rule guessed to leave one entry, PostgreSQL scanned every user for each
    entry it found (a family's 2,000 entries at national scale: 300 ms)."""
    with CaptureQueriesContext(connection) as ctx:
        response = login(manager).get(reverse("audit:log"))

    search = [q["sql"] for q in ctx.captured_queries if 'FROM "auditlog_logentry"' in q["sql"]]
    assert search
    assert all('JOIN "accounts_user"' not in sql for sql in search)
    # ...and each entry still names who did it.
    assert all(
        practitioner.get_full_name() in r for r in without_sign_ins(rows(response.content.decode()))
    )


def test_an_administrator_searches_everything(views_in_both_teams) -> None:
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    response = login(admin).get(reverse("audit:log"), {"action": ACCESS})

    assert response.status_code == 200
    found = rows(response.content.decode())
    assert any("Alderney family" in r for r in found)
    assert any("Brecon family" in r for r in found)


@pytest.mark.parametrize(
    "who", ["practitioner", "csw", "performance_officer", "referrer", "board_member"]
)
def test_nobody_else_can_search_the_log(request, who) -> None:
    client = login(request.getfixturevalue(who))

    assert client.get(reverse("audit:log")).status_code == 404
    assert client.get(reverse("audit:log"), {"actor": "manager_a"}).status_code == 404


def test_a_django_staff_flag_alone_does_not_open_the_log() -> None:
    staff = UserFactory(username="staffer", is_staff=True)

    assert login(staff).get(reverse("audit:log")).status_code == 404


@pytest.fixture
def history(team_a, manager, practitioner, practitioner2):
    """Views by two people on two dates, and a change."""
    early = case_of(team_a, practitioner, "Early family")
    late = case_of(team_a, practitioner2, "Late family")
    with time_machine.travel(datetime(2025, 1, 10, 12, 0, tzinfo=UTC), tick=False):
        login(practitioner).get(reverse("cases:detail", args=[early.pk]))
    with time_machine.travel(datetime(2025, 3, 10, 12, 0, tzinfo=UTC), tick=False):
        login(practitioner2).get(reverse("cases:detail", args=[late.pk]))
        login(practitioner2).get(reverse("referrals:detail", args=[late.referral_id]))
        login(manager).post(
            reverse("cases:restrict", args=[late.pk]),
            {"restricted": "on", "people": [practitioner2.pk], "version": late.version},
        )
    return early, late


def without_sign_ins(found: list[str]) -> list[str]:
    """force_login writes a sign-in entry too; these tests are about the records."""
    return [r for r in found if not re.search(r" (login|logout) user \d+ ", r)]


def search(manager, **params) -> list[str]:
    response = login(manager).get(reverse("audit:log"), params)
    assert response.status_code == 200
    return without_sign_ins(rows(response.content.decode()))


def test_search_by_user_name(manager, practitioner, history) -> None:
    found = search(manager, actor=practitioner.username.upper())

    assert found
    assert all("Early family" in r for r in found)


def test_search_by_a_name_that_is_no_users_finds_the_record_of_that_name(
    manager, practitioner2, history
) -> None:
    """The user-name box also matches a record's name; a name no user has searches only
    that (the view asks whether anyone has it first), and finds nothing when neither."""
    found = search(manager, actor="late family")

    assert found
    assert all("Late family" in r for r in found)
    # Whoever viewed it, not only entries by a user of that name.
    assert any(practitioner2.get_full_name() in r for r in found)
    assert search(manager, actor="no such name") == []


def test_search_by_a_user_name_finds_their_entries_and_records_named_so(
    manager, practitioner, practitioner2, history
) -> None:
    """Both halves of the search at once: the user's own entries, found by their id."""
    found = search(manager, actor=practitioner2.username)

    assert found
    assert all(practitioner2.get_full_name() in r for r in found)
    assert not any("Early family" in r for r in found)


def test_search_by_record(manager, history) -> None:
    early, late = history

    found = search(manager, record="case", record_id=late.pk)
    assert found
    assert all(f"case {late.pk}" in r and "Late family" in r for r in found)

    found = search(manager, record="referral")
    assert found
    assert all(r.count("referral") >= 1 and "Late family" in r for r in found)

    found = search(manager, record="family", record_id=early.family_id)
    assert len(found) == 1
    assert "Early family" in found[0]


def test_search_by_action(manager, history) -> None:
    early, late = history

    changes = search(manager, action=LogEntry.Action.UPDATE)
    assert changes
    assert all("Late family" in r and "restricted" in r for r in changes)
    assert any("False → True" in r for r in changes)

    views = search(manager, action=ACCESS, record="case")
    assert {("Early family" in r, "Late family" in r) for r in views} == {
        (True, False),
        (False, True),
    }


def test_search_by_dates(manager, history) -> None:
    january = search(manager, date_from="2025-01-01", date_to="2025-01-31")
    assert january
    assert all("Early family" in r for r in january)

    # Up to the end of 2025: reading the log is itself logged, today, naming what it showed.
    from_march = search(manager, date_from="2025-03-10", date_to="2025-12-31")
    assert from_march
    assert all("Late family" in r for r in from_march)

    assert search(manager, date_from="2025-02-01", date_to="2025-02-28") == []
    # A day counts in full at both ends (the audit pages use UK time).
    assert search(manager, date_from="2025-01-10", date_to="2025-01-10")


@pytest.mark.parametrize(
    "params",
    [
        {"action": "delete-everything"},
        {"date_from": "yesterday"},
        {"record": "password"},
        {"record_id": "-1"},
        {"page": "999"},
        {"actor": "x" * 500},
    ],
)
def test_bad_search_input_is_shown_back_not_a_server_error(manager, history, params) -> None:
    assert login(manager).get(reverse("audit:log"), params).status_code == 200


def test_repeated_views_fold_into_one_line_per_person_with_a_count(
    practitioner, manager, case, time_machine
) -> None:
    url = reverse("cases:detail", args=[case.pk])
    time_machine.move_to("2026-03-02 09:00Z", tick=False)
    login(practitioner, "10.4.4.4").get(url)
    time_machine.move_to("2026-03-02 10:00Z", tick=False)
    practitioners = login(practitioner, "10.4.4.5")
    practitioners.get(url)
    practitioners.get(url)
    time_machine.move_to("2026-03-02 11:00Z", tick=False)

    page = login(manager, "10.3.3.3").get(url).content.decode()

    lines = re.findall(r'<li data-testid="viewer">(.*?)</li>', page, re.S)
    assert len(lines) == 2
    mine, theirs = (html.unescape(re.sub(r"<[^>]+>", "", line)) for line in lines)
    assert manager.get_full_name() in mine and "view" not in mine  # one view: no count
    assert practitioner.get_full_name() in theirs
    assert "3 views" in theirs and "first 2 Mar 2026" in theirs
    assert "10.4.4.5" in theirs and "10.4.4.4" not in theirs  # the latest address


def test_the_fold_reads_a_bounded_window_and_says_when_it_was_full(
    practitioner, manager, case, monkeypatch
) -> None:
    from audit import services

    monkeypatch.setattr(services, "VIEWS_FOLDED", 3)
    url = reverse("cases:detail", args=[case.pk])
    client = login(practitioner, "10.4.4.4")
    for _ in range(4):
        client.get(url)

    [viewer] = services.recent_viewers(case)
    assert (viewer.actor_id, viewer.views, viewer.more) == (practitioner.pk, 3, True)
    page = client.get(url).content.decode()
    assert "3 views+" in html.unescape(re.sub(r"<[^>]+>", "", viewers_block(page)))

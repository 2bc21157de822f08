"""The team activity pages (teamwork/views.py): consultations, training sessions,
feedback and complaints, recorded in the app and counted on the report card.

The cast (tests/conftest.py): team_a ("North IFST") with a manager, a practitioner, a
CSW, a performance officer, a referrer and a board member; team_b ("South IFST") with its
own manager and practitioner.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reporting.periods import Period
from reporting.queries import Report, team_scope
from teamwork.models import Complaint, Consultation, Feedback, TrainingSession
from teamwork.views import KINDS, update_activity
from tests.factories import CaseFactory
from tests.test_deploy_check import inline_code_problems

pytestmark = pytest.mark.django_db

TODAY = date(2025, 11, 12)


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(timezone.make_aware(timezone.datetime(2025, 11, 12, 10, 0)), tick=False)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case_a(team_a, practitioner):
    """A team A case referred on 1 September 2025."""
    received = timezone.make_aware(timezone.datetime(2025, 9, 1, 9, 0))
    return CaseFactory(
        team=team_a,
        worker=practitioner,
        referral__received_at=received,
        referral__family__name="Evans family",
        allocated_at=received + timedelta(days=3),
    )


@pytest.fixture
def case_b(team_b, other_practitioner):
    received = timezone.make_aware(timezone.datetime(2025, 9, 1, 9, 0))
    return CaseFactory(team=team_b, worker=other_practitioner, referral__received_at=received)


def payload(slug: str, on=None, **changes) -> dict[str, str]:
    """A form each kind's page accepts (the user is in one team, so no team is asked)."""
    base = {
        "consultations": {
            "held_on": "2025-11-10",
            "asked_by": "Sam Jones, social worker",
            "agency": "Children's Services",
            "topic": "Parental alcohol use and a new baby",
            "led_to_referral": "on",
        },
        "training": {
            "course": "Motivational interviewing",
            "held_on": "2025-11-03",
            "attendees": "14",
            "audience": "Health visitors",
        },
        "feedback": {
            "case": str(on.pk) if on else "",
            "given_by": "family",
            "received_on": "2025-11-11",
            "positive": "True",
            "comments": "The team listened.",
        },
        "complaints": {
            "received_on": "2025-11-05",
            "case": str(on.pk) if on else "",
            "summary": "A visit was cancelled at short notice.",
        },
    }[slug]
    return {**base, "submission_key": str(uuid.uuid4()), **changes}


MODELS = {
    "consultations": Consultation,
    "training": TrainingSession,
    "feedback": Feedback,
    "complaints": Complaint,
}


def make(slug: str, team, case, day: date = TODAY, **fields):
    """One record of the kind, made directly (as the admin or the demo would)."""
    model = MODELS[slug]
    if slug == "consultations":
        values = {"team": team, "held_on": day, "asked_by": "A", "agency": "B", "topic": "C"}
    elif slug == "training":
        values = {"team": team, "held_on": day, "course": "Course", "attendees": 3}
    elif slug == "feedback":
        values = {"case": case, "received_on": day, "given_by": "family", "positive": True}
    else:
        values = {"team": team, "received_on": day, "summary": "Late visit", "case": case}
    return model.objects.create(**{**values, **fields})


# --- create, edit, delete -------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_manager_records_edits_and_deletes_each_kind(slug, manager, case_a):
    kind = KINDS[slug]
    client = login(manager)
    assert client.get(reverse(kind.new_name)).status_code == 200

    response = client.post(reverse(kind.new_name), payload(slug, case_a))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse(kind.list_name)
    record = kind.model.objects.get()
    assert record.version == 1
    assert kind.team_of(record) == case_a.team

    listed = client.get(reverse(kind.list_name)).content.decode()
    assert reverse(kind.edit_name, args=[record.pk]) in listed

    edit = reverse(kind.edit_name, args=[record.pk])
    assert client.get(edit).status_code == 200
    changed = payload(slug, case_a, version="1", **{kind.date_field: "2025-11-01"})
    response = client.post(edit, changed)
    assert response.status_code == 302, response.content.decode()[:2000]
    record.refresh_from_db()
    assert getattr(record, kind.date_field) == date(2025, 11, 1)
    assert record.version == 2

    delete = reverse(kind.delete_name, args=[record.pk])
    assert client.get(delete).status_code == 200
    assert kind.model.objects.filter(pk=record.pk).exists()  # GET only asks
    assert client.post(delete).status_code == 302
    assert not kind.model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_changes_are_in_the_audit_log_with_the_user(slug, manager, case_a):
    kind = KINDS[slug]
    client = login(manager)
    client.post(reverse(kind.new_name), payload(slug, case_a))
    record = kind.model.objects.get()
    client.post(reverse(kind.edit_name, args=[record.pk]), payload(slug, case_a, version="1"))
    client.post(reverse(kind.delete_name, args=[record.pk]))
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(kind.model), object_pk=str(record.pk)
    )
    assert sorted(e.action for e in entries) == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]
    assert {e.actor for e in entries} == {manager}


def test_a_manager_of_two_teams_chooses_the_team(manager, team_b):
    from tests.factories import MembershipFactory

    MembershipFactory(user=manager, team=team_b, role="manager")
    client = login(manager)
    page = client.get(reverse("teamwork:consultation_new")).content.decode()
    assert 'name="team"' in page
    data = payload("consultations", team=str(team_b.pk))
    assert client.post(reverse("teamwork:consultation_new"), data).status_code == 302
    assert Consultation.objects.get().team == team_b
    listed = client.get(reverse("teamwork:consultations")).content.decode()
    assert "South IFST" in listed  # the team column is shown to people in several teams


def test_a_single_team_is_not_asked_and_a_posted_team_is_ignored(manager, team_b):
    client = login(manager)
    assert 'name="team"' not in client.get(reverse("teamwork:consultation_new")).content.decode()
    data = payload("consultations", team=str(team_b.pk))
    assert client.post(reverse("teamwork:consultation_new"), data).status_code == 302
    assert Consultation.objects.get().team.name == "North IFST"


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "field", "value", "ok"),
    [
        ("consultations", "held_on", "2025-11-12", True),  # today
        ("consultations", "held_on", "2025-11-13", False),  # tomorrow
        ("consultations", "held_on", "2000-01-01", True),
        ("consultations", "held_on", "1999-12-31", False),
        ("consultations", "held_on", "9999-12-31", False),
        ("consultations", "held_on", "2025-02-30", False),
        ("consultations", "held_on", "", False),
        ("consultations", "topic", "", False),
        ("consultations", "topic", "x" * 300, True),
        ("consultations", "topic", "x" * 301, False),
        ("consultations", "agency", "Health\x00board", False),
        ("training", "attendees", "0", True),
        ("training", "attendees", "-1", False),
        ("training", "attendees", "10000", True),
        ("training", "attendees", "10001", False),
        ("training", "attendees", "9" * 30, False),
        ("training", "attendees", "1.5", False),
        ("training", "held_on", "2025-11-13", False),
        ("feedback", "received_on", "2025-09-01", True),  # the day of the referral
        ("feedback", "received_on", "2025-08-31", False),  # before the referral
        ("feedback", "received_on", "2025-11-13", False),
        ("feedback", "positive", "", False),  # yes or no must be chosen
        ("feedback", "positive", "False", True),
        ("feedback", "positive", "maybe", False),
        ("feedback", "given_by", "board", False),
        ("feedback", "case", "", False),
        ("feedback", "case", "999999", False),
        ("feedback", "comments", "x" * 5001, False),
        ("complaints", "case", "", True),  # a complaint need not be about one family
        ("complaints", "received_on", "2025-08-31", False),  # before the case's referral
        ("complaints", "received_on", "2025-11-13", False),
        ("complaints", "summary", "   ", False),
    ],
)
def test_validation(slug, field, value, ok, manager, case_a):
    kind = KINDS[slug]
    response = login(manager).post(reverse(kind.new_name), payload(slug, case_a, **{field: value}))
    if ok:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert kind.model.objects.count() == 1
    else:
        assert response.status_code == 200
        assert kind.model.objects.count() == 0
        page = response.content.decode()
        assert "invalid-feedback" in page or "alert-block" in page or "alert-danger" in page


def test_the_refusal_says_why(manager, case_a):
    client = login(manager)
    page = client.post(
        reverse("teamwork:consultation_new"), payload("consultations", held_on="2025-11-13")
    ).content.decode()
    assert "This date is in the future." in page
    page = client.post(
        reverse("teamwork:feedback_new"), payload("feedback", case_a, received_on="2025-08-01")
    ).content.decode()
    assert "The family was referred on 01/09/2025" in page
    page = client.post(
        reverse("teamwork:training_new"), payload("training", attendees="-1")
    ).content.decode()
    assert "greater than or equal to 0" in page


def test_another_teams_case_cannot_be_chosen(manager, case_a, case_b):
    client = login(manager)
    matches = client.get(reverse("teamwork:feedback_cases"), {"case": "family"})
    assert "Evans family" in matches.content.decode()
    assert (
        f"(case {case_b.pk})"
        not in client.get(
            reverse("teamwork:feedback_cases"), {"case": str(case_b.pk)}
        ).content.decode()
    )
    for slug in ("feedback", "complaints"):
        response = client.post(reverse(KINDS[slug].new_name), payload(slug, case_b))
        assert response.status_code == 200
        assert not MODELS[slug].objects.exists()


def test_a_complaint_about_a_case_of_another_of_the_users_teams_is_refused(manager, team_b, case_a):
    """A manager of both teams may choose either case, but not file team B's complaint
    against team A's family."""
    from tests.factories import MembershipFactory

    MembershipFactory(user=manager, team=team_b, role="manager")
    data = payload("complaints", case_a, team=str(team_b.pk))
    response = login(manager).post(reverse("teamwork:complaint_new"), data)
    assert response.status_code == 200
    assert "That case belongs to another team." in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_long_closed_case_is_not_offered_but_stays_on_its_record(manager, team_a, case_a):
    old = CaseFactory(
        team=team_a,
        worker=manager,
        stage="closed",
        referral__family__name="Long gone family",
        closed_at=timezone.now() - timedelta(days=3 * 365),
    )
    client = login(manager)
    assert (
        "Long gone family"
        not in client.get(
            reverse("teamwork:feedback_cases"), {"case": "Long gone"}
        ).content.decode()
    )
    feedback = make("feedback", team_a, old, day=date(2023, 1, 1))
    edit = client.get(reverse("teamwork:feedback_edit", args=[feedback.pk])).content.decode()
    assert "Long gone family" in edit


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2025-11-10", "date_to": "2025-11-01"},
        {"date_from": "not a date"},
        {"q": "x" * 201},
        {"q": "a\x00b"},
        {"page": "last"},
        {"page": "-3"},
        {"page": "99999"},
    ],
)
def test_a_bad_search_is_explained_never_a_500(query, manager, team_a):
    make("consultations", team_a, None)
    response = login(manager).get(reverse("teamwork:consultations"), query)
    assert response.status_code == 200
    page = response.content.decode()
    if "page" not in query:
        assert "The search was not applied" in page
    assert "Consultations: <strong>1</strong>" in page  # an invalid search filters nothing


# --- the same form twice, and stale edits ---------------------------------------------------


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_the_same_form_sent_twice_records_once(slug, manager, case_a):
    kind = KINDS[slug]
    client = login(manager)
    data = payload(slug, case_a)
    first = client.post(reverse(kind.new_name), data)
    second = client.post(reverse(kind.new_name), data)
    assert first.status_code == second.status_code == 302
    assert kind.model.objects.count() == 1
    # A new form (a new key) is a new record.
    client.post(reverse(kind.new_name), payload(slug, case_a))
    assert kind.model.objects.count() == 2


def test_a_tampered_key_is_a_new_form_not_a_500(manager):
    client = login(manager)
    for key in ("not-a-uuid", "", "{" + str(uuid.uuid4()) + "}"):
        data = payload("consultations", submission_key=key)
        assert client.post(reverse("teamwork:consultation_new"), data).status_code == 302


def test_the_form_carries_its_one_time_key_after_a_refusal(manager):
    """A refused form keeps its key, so correcting it and saving twice still records once."""
    client = login(manager)
    data = payload("consultations", held_on="2025-11-13")
    page = client.post(reverse("teamwork:consultation_new"), data).content.decode()
    assert f'value="{data["submission_key"]}"' in page


def test_the_same_edit_sent_twice_is_not_a_conflict(manager, team_a):
    record = make("consultations", team_a, None)
    client = login(manager)
    url = reverse("teamwork:consultation_edit", args=[record.pk])
    data = payload("consultations", version="1", topic="Changed once")
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    record.refresh_from_db()
    assert (record.topic, record.version) == ("Changed once", 2)


def test_a_stale_edit_shows_what_changed_and_keeps_what_was_typed(manager, csw, team_a):
    record = make("consultations", team_a, None, topic="First topic")
    client = login(manager)
    url = reverse("teamwork:consultation_edit", args=[record.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()

    # Meanwhile the CSW changes it.
    kind = KINDS["consultations"]
    fields = {f: getattr(record, f) for f in kind.fields}
    update_activity(
        kind=kind, record_id=record.pk, version=1, fields={**fields, "topic": "CSW's topic"}
    )

    response = client.post(url, payload("consultations", version="1", topic="Manager's topic"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="latest-version"' in page
    assert "CSW&#x27;s topic" in page  # what is saved now
    assert "Manager&#x27;s topic" in page  # what the manager typed, still in the form
    assert 'name="version" value="2"' in page
    record.refresh_from_db()
    assert record.topic == "CSW's topic"

    # Saving again is a deliberate overwrite of what was shown.
    response = client.post(url, payload("consultations", version="2", topic="Manager's topic"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.topic, record.version) == ("Manager's topic", 3)


def test_deleting_twice_is_a_404_the_second_time(manager, team_a):
    record = make("training", team_a, None)
    client = login(manager)
    url = reverse("teamwork:training_delete", args=[record.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 404


# --- who may reach what ---------------------------------------------------------------------

ALL_STAFF = {"manager": 200, "practitioner": 200, "csw": 200, "performance_officer": 200}
DENIED = {"board_member": 404, "referrer": 404}
EXPECTED = {
    "consultations": {**ALL_STAFF, **DENIED},
    "training": {**ALL_STAFF, **DENIED},
    "feedback": {**ALL_STAFF, **DENIED},
    "complaints": {**ALL_STAFF, "practitioner": 404, "csw": 404, **DENIED},
}


@pytest.mark.parametrize("slug", sorted(KINDS))
@pytest.mark.parametrize(
    "role", ["manager", "practitioner", "csw", "performance_officer", "board_member", "referrer"]
)
def test_who_may_reach_each_kind(slug, role, request, team_a, case_a):
    kind = KINDS[slug]
    user = request.getfixturevalue(role)
    record = make(slug, team_a, case_a)
    client = login(user)
    expected = EXPECTED[slug][role]
    urls = [
        reverse(kind.list_name),
        reverse(kind.new_name),
        reverse(kind.edit_name, args=[record.pk]),
        reverse(kind.delete_name, args=[record.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == expected, (url, role)
    if expected == 404:
        assert client.post(urls[1], payload(slug, case_a)).status_code == 404
        assert client.post(urls[2], payload(slug, case_a, version="1")).status_code == 404
        assert client.post(urls[3]).status_code == 404
        assert kind.model.objects.count() == 1
        record.refresh_from_db()
        assert record.version == 1


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_another_teams_record_is_a_404_and_not_listed(slug, other_manager, team_a, case_a):
    kind = KINDS[slug]
    record = make(slug, team_a, case_a)
    client = login(other_manager)
    listed = client.get(reverse(kind.list_name))
    assert listed.status_code == 200
    assert reverse(kind.edit_name, args=[record.pk]) not in listed.content.decode()
    assert client.get(reverse(kind.edit_name, args=[record.pk])).status_code == 404
    assert client.post(reverse(kind.edit_name, args=[record.pk]), {}).status_code == 404
    assert client.post(reverse(kind.delete_name, args=[record.pk])).status_code == 404
    assert kind.model.objects.filter(pk=record.pk).exists()


def test_feedback_on_a_restricted_case_is_hidden_from_staff_it_does_not_name(
    manager, practitioner, csw, team_a, case_a
):
    from cases.services import restrict_case

    feedback = make("feedback", team_a, case_a, comments="About a staff member's relative")
    restrict_case(case_id=case_a.pk, user=manager, restricted=True, people=[])
    edit = reverse("teamwork:feedback_edit", args=[feedback.pk])
    assert login(csw).get(edit).status_code == 404
    assert "relative" not in login(csw).get(reverse("teamwork:feedback")).content.decode()
    assert (
        "Evans family"
        not in login(csw)
        .get(reverse("teamwork:feedback_cases"), {"case": "Evans"})
        .content.decode()
    )
    assert login(practitioner).get(edit).status_code == 200  # the case's worker is named


def test_the_administrator_sees_every_team(admin_user, team_a, team_b, case_a, case_b):
    make("complaints", team_a, case_a, summary="North complaint")
    make("complaints", team_b, case_b, summary="South complaint")
    page = login(admin_user).get(reverse("teamwork:complaints")).content.decode()
    assert "North complaint" in page and "South complaint" in page


def test_signed_out_users_go_to_the_login_page(team_a):
    response = Client().get(reverse("teamwork:consultations"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_navigation_links_each_kind_the_user_may_reach(manager, practitioner, board_member):
    page = login(manager).get("/").content.decode()
    for slug in KINDS:
        assert reverse(KINDS[slug].list_name) in page
    page = login(practitioner).get("/").content.decode()
    assert reverse("teamwork:consultations") in page
    assert reverse("teamwork:complaints") not in page
    page = login(board_member).get("/").content.decode()
    assert reverse("teamwork:consultations") not in page


# --- lists: newest first, pages of 25, search, counts ---------------------------------------


def test_the_list_is_newest_first_in_pages_of_25(manager, team_a):
    for i in range(30):
        make("consultations", team_a, None, day=TODAY - timedelta(days=i), topic=f"Topic {i:02d}")
    client = login(manager)
    first = client.get(reverse("teamwork:consultations")).content.decode()
    assert first.count("/reporting/consultations/") >= 25
    assert first.index("Topic 00") < first.index("Topic 24")
    assert "Topic 25" not in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("teamwork:consultations"), {"page": "2"}).content.decode()
    assert "Topic 25" in second and "Topic 29" in second and "Topic 24" not in second
    assert "Consultations: <strong>30</strong>" in first


def test_search_by_text_and_dates_with_counts(manager, team_a):
    make("training", team_a, None, day=date(2025, 10, 1), course="Parenting", attendees=10)
    make("training", team_a, None, day=date(2025, 11, 1), course="Parenting", attendees=5)
    make("training", team_a, None, day=date(2025, 11, 2), course="Substances", attendees=7)
    client = login(manager)
    page = client.get(reverse("teamwork:training"), {"q": "parent"}).content.decode()
    assert "Sessions: <strong>2</strong>" in page and "Attendees: <strong>15</strong>" in page
    page = client.get(
        reverse("teamwork:training"), {"date_from": "2025-11-01", "date_to": "2025-11-01"}
    ).content.decode()
    assert "Sessions: <strong>1</strong>" in page and "Attendees: <strong>5</strong>" in page
    # The pages keep the search.
    for _ in range(30):
        make("training", team_a, None, day=date(2025, 11, 3), course="Parenting")
    page = client.get(reverse("teamwork:training"), {"q": "Parenting"}).content.decode()
    assert "?q=Parenting&amp;page=2" in page


def test_feedback_counts_say_how_much_was_positive(manager, team_a, case_a):
    make("feedback", team_a, case_a, positive=True)
    make("feedback", team_a, case_a, positive=True)
    make("feedback", team_a, case_a, positive=False)
    page = login(manager).get(reverse("teamwork:feedback")).content.decode()
    assert "2 of 3 (67%)" in page
    page = login(manager).get(reverse("teamwork:feedback"), {"q": "Evans"}).content.decode()
    assert "Received: <strong>3</strong>" in page


# --- the report card counts what the pages record -------------------------------------------


def test_the_report_card_figures_follow_the_pages(manager, team_a, case_a):
    period = Period(date(2025, 10, 1), date(2025, 12, 31), "Q3 2025-26")

    def figures() -> dict:
        report = Report(team_scope(team_a), period)
        training = report.training()
        feedback = report.feedback_positive()
        return {
            "consultations": report.consultations().value,
            "training": (training.value, training.rows[0]["attendees"]),
            "feedback": (feedback.numerator, feedback.denominator),
            "complaints": report.complaints().value,
        }

    assert figures() == {
        "consultations": 0,
        "training": (0, 0),
        "feedback": (0, 0),
        "complaints": 0,
    }
    client = login(manager)
    client.post(reverse("teamwork:consultation_new"), payload("consultations"))
    client.post(reverse("teamwork:consultation_new"), payload("consultations"))
    client.post(reverse("teamwork:training_new"), payload("training", attendees="14"))
    client.post(reverse("teamwork:feedback_new"), payload("feedback", case_a))
    client.post(reverse("teamwork:feedback_new"), payload("feedback", case_a, positive="False"))
    client.post(reverse("teamwork:complaint_new"), payload("complaints", case_a))
    assert figures() == {
        "consultations": 2,
        "training": (1, 14),
        "feedback": (1, 2),
        "complaints": 1,
    }

    # Moving a record out of the period, or deleting it, takes it off the card.
    consultation = Consultation.objects.first()
    client.post(
        reverse("teamwork:consultation_edit", args=[consultation.pk]),
        payload("consultations", version="1", held_on="2025-09-30"),
    )
    complaint = Complaint.objects.get()
    client.post(reverse("teamwork:complaint_delete", args=[complaint.pk]))
    after = figures()
    assert (after["consultations"], after["complaints"]) == (1, 0)


# --- query counts ---------------------------------------------------------------------------

# A list page, whatever the number of rows: the session, the user and the user's
# memberships (every team and role check answers from them); then the page's own two:
# the totals (whose count is the pages' count too: the records are counted once), and the
# page of rows with their team and case joined; then the navigation's unread
# notifications with the form draft (one query). Feedback and complaints name families:
# one INSERT of their view entries.
LIST_QUERIES = 3 + 2 + 1


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_list_page_queries_do_not_grow_with_rows(slug, manager, team_a, case_a):
    kind = KINDS[slug]
    client = login(manager)
    client.get("/")  # settle the session
    make(slug, team_a, case_a)
    one = _count(client, reverse(kind.list_name))
    for i in range(29):
        make(slug, team_a, case_a, day=TODAY - timedelta(days=i))
    thirty = _count(client, reverse(kind.list_name))
    expected = LIST_QUERIES + (1 if KINDS[slug].has_case else 0)
    assert one == thirty == expected
    assert thirty <= 15


# --- pages carry no inline script or style --------------------------------------------------


def test_no_teamwork_page_carries_inline_script_or_style(manager, team_a, case_a):
    client = login(manager)
    problems = {}
    for slug, kind in KINDS.items():
        record = make(slug, team_a, case_a)
        for url in (
            reverse(kind.list_name),
            reverse(kind.new_name),
            reverse(kind.edit_name, args=[record.pk]),
            reverse(kind.delete_name, args=[record.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 200
            found = inline_code_problems(response.content.decode())
            if found:
                problems[url] = found
    assert problems == {}

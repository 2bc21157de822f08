"""Corrections and withdrawals of contacts (issue 14, finding 4), and every board figure
against a corrected and a withdrawn entry.

A typo (600 minutes for 60) must not inflate direct hours for ever: the author or a manager
corrects it with a reason; the original stays in the record, marked amended, with who, when
and why; the figures use the corrected value; the audit log holds both; a stale form is
refused like every other edit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.amendments import EntryStatus
from cases.models import Contact, ContactMode, WorkType
from cases.services import ContactData, correct_contact, withdraw_contact
from core.errors import ServiceError, StaleEdit
from reporting.measures import CATALOGUE, compute
from reporting.periods import Period
from reporting.queries import Report, team_scope
from tests.cases.journey import Stage, make_case
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

REASON = "Typed 600 for 60: the visit lasted an hour."


@pytest.fixture
def journey(team_a, manager, practitioner, referrer):
    return make_case(
        team_a, manager, practitioner, referrer, stage=Stage.PHASE1, contacts=1, goals=1
    )


@pytest.fixture
def contact(journey) -> Contact:
    return Contact.objects.get(case=journey.case)


def data_of(contact: Contact, **changes) -> ContactData:
    values = {
        "started_at": contact.started_at,
        "duration_minutes": contact.duration_minutes,
        "mode": contact.mode,
        "work_type": contact.work_type,
        "out_of_hours": contact.out_of_hours,
        "people_seen": list(contact.people_seen.all()),
        "methods": list(contact.methods.all()),
        "notes": contact.notes,
    }
    values.update(changes)
    return ContactData(**values)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the service ----------------------------------------------------------------------------


def test_a_correction_is_a_new_entry_and_the_original_is_kept_marked_amended(
    contact, practitioner
) -> None:
    corrected = correct_contact(
        contact_id=contact.pk,
        user=practitioner,
        data=data_of(contact, duration_minutes=60),
        reason=REASON,
        version=contact.version,
    )
    original = Contact.all_versions.get(pk=contact.pk)
    assert corrected.pk != original.pk
    assert corrected.corrects_id == original.pk
    assert corrected.duration_minutes == 60
    assert corrected.recorded_by_id == original.recorded_by_id  # still the author's entry
    assert list(corrected.people_seen.all()) == list(original.people_seen.all())
    assert original.duration_minutes == contact.duration_minutes  # never rewritten
    assert original.entry_status == EntryStatus.AMENDED
    assert (original.retired_by, original.retired_reason) == (practitioner, REASON)
    assert original.retired_at is not None
    # Everything that reads contacts sees the correction only.
    assert list(Contact.objects.filter(case=contact.case)) == [corrected]


def test_a_withdrawn_contact_is_kept_and_counts_nowhere(contact, manager) -> None:
    withdraw_contact(contact_id=contact.pk, user=manager, reason=REASON, version=contact.version)
    kept = Contact.all_versions.get(pk=contact.pk)
    assert (kept.entry_status, kept.retired_by, kept.retired_reason) == (
        EntryStatus.WITHDRAWN,
        manager,
        REASON,
    )
    assert not Contact.objects.filter(case=contact.case).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_correction_or_withdrawal_without_a_reason_is_refused(
    contact, practitioner, reason
) -> None:
    with pytest.raises(ServiceError, match="reason"):
        correct_contact(
            contact_id=contact.pk,
            user=practitioner,
            data=data_of(contact, duration_minutes=60),
            reason=reason,
            version=contact.version,
        )
    with pytest.raises(ServiceError, match="reason"):
        withdraw_contact(
            contact_id=contact.pk, user=practitioner, reason=reason, version=contact.version
        )
    assert Contact.objects.get(case=contact.case).pk == contact.pk


def test_a_stale_correction_is_refused(contact, practitioner, manager) -> None:
    correct_contact(
        contact_id=contact.pk,
        user=manager,
        data=data_of(contact, duration_minutes=90),
        reason="Manager's correction",
        version=contact.version,
    )
    # The practitioner's form was opened on the original: already amended by someone else.
    with pytest.raises(StaleEdit, match="already been amended"):
        correct_contact(
            contact_id=contact.pk,
            user=practitioner,
            data=data_of(contact, duration_minutes=60),
            reason=REASON,
            version=contact.version,
        )
    with pytest.raises(StaleEdit):
        withdraw_contact(
            contact_id=contact.pk, user=practitioner, reason=REASON, version=contact.version
        )
    current = Contact.objects.get(case=contact.case)
    with pytest.raises(StaleEdit, match="updated this entry"):
        correct_contact(
            contact_id=current.pk,
            user=practitioner,
            data=data_of(current, duration_minutes=60),
            reason=REASON,
            version=current.version + 1,
        )
    assert Contact.objects.get(case=contact.case).duration_minutes == 90


def test_only_the_author_or_a_manager_may_correct(
    contact, practitioner2, csw, other_manager
) -> None:
    for user in (practitioner2, csw, other_manager):
        with pytest.raises(ServiceError, match="author or a manager"):
            withdraw_contact(
                contact_id=contact.pk, user=user, reason=REASON, version=contact.version
            )
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_correction_keeps_the_contact_rules(contact, practitioner) -> None:
    for minutes in (0, 24 * 60 + 1):
        with pytest.raises(ServiceError):
            correct_contact(
                contact_id=contact.pk,
                user=practitioner,
                data=data_of(contact, duration_minutes=minutes),
                reason=REASON,
                version=contact.version,
            )
    with pytest.raises(ServiceError, match="future"):
        correct_contact(
            contact_id=contact.pk,
            user=practitioner,
            data=data_of(contact, started_at=timezone.now() + timedelta(days=1)),
            reason=REASON,
            version=contact.version,
        )
    assert Contact.objects.get(pk=contact.pk).entry_status == EntryStatus.CURRENT


def test_the_audit_log_holds_the_original_and_the_correction(contact, practitioner) -> None:
    corrected = correct_contact(
        contact_id=contact.pk,
        user=practitioner,
        data=data_of(contact, duration_minutes=60),
        reason=REASON,
        version=contact.version,
    )
    kind = ContentType.objects.get_for_model(Contact)
    original_log = LogEntry.objects.filter(content_type=kind, object_pk=str(contact.pk))
    assert original_log.filter(action=LogEntry.Action.CREATE).exists()
    marked = original_log.get(action=LogEntry.Action.UPDATE)
    assert marked.changes_dict["entry_status"] == ["current", "amended"]
    assert marked.changes_dict["retired_reason"][1] == REASON
    created = LogEntry.objects.get(
        content_type=kind, object_pk=str(corrected.pk), action=LogEntry.Action.CREATE
    )
    assert created.changes_dict["duration_minutes"][1] == "60"
    assert created.changes_dict["corrects"][1] == str(contact.pk)


# --- every figure -----------------------------------------------------------------------------


def all_figures(team) -> dict:
    """Every board figure of the catalogue, and the throughput table and context, for the
    team over the year around today, on both bases."""
    today = timezone.localdate()
    period = Period(today - timedelta(days=365), today, "Year")
    out = {}
    for basis in ("events", "cohort"):
        report = Report(team_scope(team), period, basis=basis)
        for definition in CATALOGUE:
            out[basis, definition.code] = compute(report, definition)
        out[basis, "throughput"] = report.throughput()
        out[basis, "context"] = report.context()
    return out


def test_every_figure_uses_the_corrected_value_and_ignores_a_withdrawn_entry(
    team_a, journey, contact, practitioner
) -> None:
    right = all_figures(team_a)  # the contact as it should have been typed
    typo = correct_contact(
        contact_id=contact.pk,
        user=practitioner,
        data=data_of(contact, duration_minutes=contact.duration_minutes * 10),
        reason="Test: the typo",
        version=contact.version,
    )
    wrong = all_figures(team_a)
    changed = [key for key in right if right[key] != wrong[key]]
    assert ("events", "direct_hours") in changed  # the typo does reach the figures
    fixed = correct_contact(
        contact_id=typo.pk,
        user=practitioner,
        data=data_of(typo, duration_minutes=contact.duration_minutes),
        reason=REASON,
        version=typo.version,
    )
    assert all_figures(team_a) == right
    # Withdrawn: every figure as though the contact had never been recorded.
    withdraw_contact(contact_id=fixed.pk, user=practitioner, reason=REASON, version=fixed.version)
    gone = all_figures(team_a)
    assert gone["events", "direct_hours"].value == 0


# --- the pages --------------------------------------------------------------------------------


def test_the_author_corrects_a_contact_from_the_case_page(contact, practitioner) -> None:
    client = login(practitioner)
    page = client.get(reverse("cases:detail", args=[contact.case_id])).content.decode()
    assert reverse("cases:correct_contact", args=[contact.pk]) in page
    assert reverse("cases:withdraw_contact", args=[contact.pk]) in page

    url = reverse("cases:correct_contact", args=[contact.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'data-testid="original"' in form.content.decode()
    posted = {
        "version": contact.version,
        "started_at": timezone.localtime(contact.started_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 60,
        "mode": ContactMode.HOME_VISIT,
        "work_type": WorkType.DIRECT,
        "notes": "Corrected",
        "reason": "",
    }
    refused = client.post(url, posted)
    assert refused.status_code == 200  # no reason: the form again, nothing saved
    assert "Corrected" in refused.content.decode()
    assert Contact.objects.get(case=contact.case).pk == contact.pk
    response = client.post(url, {**posted, "reason": REASON})
    assert response.status_code == 302
    current = Contact.objects.get(case=contact.case)
    assert (current.duration_minutes, current.corrects_id) == (60, contact.pk)

    page = client.get(reverse("cases:detail", args=[contact.case_id])).content.decode()
    assert 'data-status="amended"' in page  # the original, marked, in the chronology
    history = client.get(reverse("cases:corrections", args=[contact.case_id])).content.decode()
    assert REASON in history
    assert str(practitioner) in history


def test_a_stale_correction_page_keeps_what_was_typed(contact, practitioner, manager) -> None:
    url = reverse("cases:correct_contact", args=[contact.pk])
    withdraw_contact(contact_id=contact.pk, user=manager, reason="Duplicate", version=1)
    response = login(practitioner).post(
        url,
        {
            "version": 1,
            "started_at": timezone.localtime(contact.started_at).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 60,
            "mode": ContactMode.HOME_VISIT,
            "work_type": WorkType.DIRECT,
            "notes": "What I typed",
            "reason": REASON,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="latest-version"' in page
    assert "What I typed" in page and "Duplicate" in page


def test_withdrawing_needs_a_reason_and_a_confirmation(contact, practitioner) -> None:
    client = login(practitioner)
    url = reverse("cases:withdraw_contact", args=[contact.pk])
    assert client.post(url, {"version": 1, "reason": REASON}).status_code == 200
    assert client.post(url, {"version": 1, "confirm": "on"}).status_code == 200
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert client.post(url, {"version": 1, "reason": REASON, "confirm": "on"}).status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.parametrize(
    "who", ["practitioner2", "csw", "other_manager", "other_practitioner", "referrer"]
)
def test_anyone_but_the_author_or_a_manager_gets_404(request, contact, who) -> None:
    client = login(request.getfixturevalue(who))
    for name in ("cases:correct_contact", "cases:withdraw_contact"):
        url = reverse(name, args=[contact.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"version": 1, "reason": "x", "confirm": "on"}).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_the_admin_shows_every_version_and_changes_none(contact, practitioner, admin_user) -> None:
    withdraw_contact(contact_id=contact.pk, user=practitioner, reason=REASON, version=1)
    client = login(admin_user)
    url = reverse("admin:cases_contact_change", args=[contact.pk])
    assert client.get(url).status_code == 200  # the withdrawn contact is still there to read
    assert client.post(url, {"duration_minutes": 5}).status_code == 403
    assert client.post(reverse("admin:cases_contact_delete", args=[contact.pk])).status_code == 403
    assert Contact.all_versions.get(pk=contact.pk).duration_minutes == contact.duration_minutes


def test_every_figure_query_reads_current_entries_only(team_a, journey) -> None:
    """Enumerate, don't sample: every SQL statement the board figures run, and in each, every
    reference to an amendable table comes with its status filter. A new figure that reads
    contacts, goals, scores, readings, reviews or decisions through a join without the
    filter (cases.amendments.CURRENT_ONLY) fails here."""
    import re

    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.amendments import Amendable

    tables = [
        m._meta.db_table
        for m in apps.get_models()
        if issubclass(m, Amendable) and not m._meta.abstract
    ]
    assert len(tables) == 6
    with CaptureQueriesContext(connection) as captured:
        all_figures(team_a)
    checked = 0
    for query in captured.captured_queries:
        sql = query["sql"]
        refs = sum(len(re.findall(rf'(?:FROM|JOIN) "{t}"', sql)) for t in tables)
        filters = len(re.findall(r"\"entry_status\" = '?current'?|\"entry_status\" = %s", sql))
        assert filters >= refs, f"an amendable table read without its status filter:\n{sql}"
        checked += refs
    assert checked  # the figures did read amendable tables

"""The import of historic cases (issue 20, item 1): dry run, confirm, background apply."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cases.models import Case, StageChange
from imports import services
from imports.models import ImportedRecord, ImportRun, ImportStatus
from reference.models import ScreeningOutcome
from referrals.models import Referral
from reporting.periods import financial_year
from reporting.queries import Report, team_scope
from reviews.models import Review

from .sheets import EXPECTED, as_csv, as_xlsx, throughput_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    from ifss.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


def _la(team) -> str:
    return team.local_authorities.order_by("name").first().name


def _import(team, manager, content: bytes, name: str, capture) -> ImportRun:
    run = services.check_import(team=team, user=manager, file_name=name, content=content)
    assert run.error_count == 0, run.report
    with capture(execute=True):
        services.confirm_import(run_id=run.pk, user=manager)
    run.refresh_from_db()
    return run


def test_imported_history_gives_the_spreadsheets_own_throughput_counts(
    team_a, manager, eager_celery, django_capture_on_commit_callbacks
):
    run = _import(
        team_a,
        manager,
        as_csv(throughput_rows(_la(team_a))),
        "history.csv",
        django_capture_on_commit_callbacks,
    )
    assert run.status == ImportStatus.DONE
    assert run.created == 40
    (row,) = Report(team_scope(team_a), financial_year(2024)).throughput()
    assert {k: row[k] for k in EXPECTED} == EXPECTED
    assert Report(team_scope(team_a), financial_year(2024)).referrals_received().value == 40


def test_the_cards_stored_figures_are_forgotten_so_the_history_shows(
    team_a, manager, eager_celery, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from reporting.models import FigureSet

    period = financial_year(2024)
    FigureSet.objects.create(
        scope_key=team_scope(team_a).key,
        period_start=period.start,
        period_end=period.end,
        basis="events",
        data={},
        computed_at=timezone.now(),
    )
    _import(
        team_a,
        manager,
        as_csv(throughput_rows(_la(team_a))),
        "history.csv",
        django_capture_on_commit_callbacks,
    )
    assert not FigureSet.objects.filter(scope_key=team_scope(team_a).key).exists()


def test_xlsx_imports_the_same(team_a, manager, eager_celery, django_capture_on_commit_callbacks):
    _import(
        team_a,
        manager,
        as_xlsx(throughput_rows(_la(team_a))),
        "history.xlsx",
        django_capture_on_commit_callbacks,
    )
    (row,) = Report(team_scope(team_a), financial_year(2024)).throughput()
    assert {k: row[k] for k in EXPECTED} == EXPECTED


def test_records_carry_the_typed_dates_and_the_stage_history(
    team_a, manager, eager_celery, django_capture_on_commit_callbacks
):
    _import(
        team_a,
        manager,
        as_csv(throughput_rows(_la(team_a))),
        "history.csv",
        django_capture_on_commit_callbacks,
    )
    record = ImportedRecord.objects.select_related("referral").get(source_reference="HIST-040")
    assert record.row_number == 41
    assert record.run.sha256 and record.run.file_name == "history.csv"
    referral = record.referral
    assert str(referral.received_at.date()) == "2024-05-10"
    case = Case.objects.get(referral=referral)
    stages = list(
        StageChange.objects.filter(case=case)
        .order_by("changed_at", "pk")
        .values_list("from_stage", "to_stage")
    )
    assert stages == [
        ("", "awaiting_assessment"),
        ("awaiting_assessment", "assessment"),
        ("assessment", "phase1"),
        ("phase1", "phase2"),
        ("phase2", "closed"),
    ]
    assert case.stage == "closed" and case.closure.reason.code == "completed"
    assert Review.objects.filter(case=case, held_on__isnull=False).count() == 2
    assert case.goals.get().scores.count() == 3
    assert case.readings.count() == 2


def test_nothing_is_written_before_the_manager_confirms(team_a, manager):
    run = services.check_import(
        team=team_a,
        user=manager,
        file_name="h.csv",
        content=as_csv(throughput_rows(_la(team_a))),
    )
    assert run.status == ImportStatus.CHECKED and run.rows_to_create == 40
    assert not Referral.objects.exists()


def test_the_same_file_twice_creates_nothing_new(
    team_a, manager, eager_celery, django_capture_on_commit_callbacks
):
    content = as_csv(throughput_rows(_la(team_a)))
    _import(team_a, manager, content, "h.csv", django_capture_on_commit_callbacks)
    again = services.check_import(team=team_a, user=manager, file_name="h.csv", content=content)
    assert again.rows_already == 40 and again.rows_to_create == 0
    assert Referral.objects.count() == 40


def test_a_run_applied_twice_writes_once(
    team_a, manager, eager_celery, django_capture_on_commit_callbacks
):
    run = _import(
        team_a,
        manager,
        as_csv(throughput_rows(_la(team_a))),
        "h.csv",
        django_capture_on_commit_callbacks,
    )
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.QUEUED)
    services.apply_import(run_id=run.pk)
    assert Referral.objects.count() == 40


def test_imported_records_are_audited(
    team_a, manager, eager_celery, django_capture_on_commit_callbacks
):
    run = _import(
        team_a,
        manager,
        as_csv(throughput_rows(_la(team_a))),
        "h.csv",
        django_capture_on_commit_callbacks,
    )
    entries = LogEntry.objects.filter(additional_data__import_run=run.pk)
    assert entries.filter(content_type__model="referral").count() == 40
    assert entries.filter(content_type__model="case").count() == 28  # 2 accepted, never allocated
    assert all(e.actor_id == manager.pk for e in entries)


def test_every_error_is_named_by_row_and_column(team_a, manager):
    rows = throughput_rows(_la(team_a))[:3]
    rows[0]["referral_date"] = "31/02/2024"
    rows[1]["screening_reason"] = ""
    rows[2]["screening_outcome"] = "nonsense"
    rows.append(dict(rows[2], reference=rows[0]["reference"], screening_outcome="inappropriate"))
    run = services.check_import(
        team=team_a, user=manager, file_name="bad.csv", content=as_csv(rows)
    )
    errors = [e for r in run.report for e in r["errors"]]
    assert any(e.startswith("Row 2, column referral_date:") for e in errors), errors
    assert any(e.startswith("Row 3, column screening_reason:") for e in errors), errors
    assert any(e.startswith("Row 4, column screening_outcome:") for e in errors), errors
    assert any(e.startswith("Row 5, column reference:") for e in errors), errors
    assert run.rows_to_create == 0


def test_out_of_order_dates_are_refused(team_a, manager):
    rows = throughput_rows(_la(team_a))[30:31]
    rows[0]["phase1_end"] = "2024-01-01"
    run = services.check_import(
        team=team_a, user=manager, file_name="bad.csv", content=as_csv(rows)
    )
    (report,) = run.report
    assert any("column phase1_end" in e for e in report["errors"])


def test_a_review_the_team_does_not_hold_is_refused(team_a, manager):
    team_a.review_offsets_months = [1, 3, 6]
    team_a.save(update_fields=["review_offsets_months"])
    rows = throughput_rows(_la(team_a))[39:]
    rows[0] |= {"review_12m_date": "2025-03-01", "gas_12m": "1"}
    run = services.check_import(team=team_a, user=manager, file_name="r.csv", content=as_csv(rows))
    (report,) = run.report
    assert any(
        e.startswith("Row 2, column review_12m_date: the team holds no") for e in report["errors"]
    )


def test_a_run_with_errors_cannot_be_confirmed(team_a, manager):
    rows = throughput_rows(_la(team_a))[:2]
    rows[0]["referral_date"] = ""
    run = services.check_import(
        team=team_a, user=manager, file_name="bad.csv", content=as_csv(rows)
    )
    with pytest.raises(services.ServiceError):
        services.confirm_import(run_id=run.pk, user=manager)


# --- Views --------------------------------------------------------------------------


def test_dry_run_then_confirm_in_the_pages(
    client, team_a, manager, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    upload = reverse("imports:upload")
    content = as_csv(throughput_rows(_la(team_a))[:12])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        upload, {"team": team_a.pk, "file": SimpleUploadedFile("h.csv", content)}
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "12 would be created" in page and "HIST-012" in page
    assert not Referral.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[run.pk]))
    progress = client.get(reverse("imports:run", args=[run.pk]), HTTP_HX_REQUEST="true")
    body = progress.content.decode()
    assert 'data-status="done"' in body and "hx-trigger" not in body
    assert Referral.objects.count() == 12


def test_an_unreadable_file_gets_a_message(client, team_a, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager)
    response = client.post(
        reverse("imports:upload"),
        {"team": team_a.pk, "file": SimpleUploadedFile("h.xlsx", b"not a workbook")},
    )
    assert response.status_code == 200
    assert "not a readable XLSX file" in response.content.decode()


def test_a_nul_byte_is_dropped_not_a_server_error(client, team_a, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager)
    response = client.post(
        reverse("imports:upload"),
        {
            "team": team_a.pk,
            "file": SimpleUploadedFile("h.csv", b"reference,referral_date\nA\x00,1\n"),
        },
    )
    assert response.status_code == 302
    assert ImportRun.objects.get().report[0]["reference"] == "A"


def test_unknown_columns_are_named(client, team_a, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager)
    response = client.post(
        reverse("imports:upload"),
        {
            "team": team_a.pk,
            "file": SimpleUploadedFile("h.csv", b"reference,referral_date,colour\n"),
        },
    )
    assert "Unknown columns: colour" in response.content.decode()


def test_another_teams_manager_gets_404(client, team_a, manager, other_manager, practitioner):
    run = services.check_import(
        team=team_a,
        user=manager,
        file_name="h.csv",
        content=as_csv(throughput_rows(_la(team_a))[:2]),
    )
    for user in (other_manager, practitioner):
        client.force_login(user)
        assert client.get(reverse("imports:run", args=[run.pk])).status_code == 404
        assert client.post(reverse("imports:confirm", args=[run.pk])).status_code == 404
    client.force_login(practitioner)
    assert client.get(reverse("imports:upload")).status_code == 404
    assert client.get(reverse("imports:template", args=["csv"])).status_code == 404


def test_manager_cannot_import_into_another_team(team_b, manager):
    with pytest.raises(services.ServiceError):
        services.check_import(
            team=team_b,
            user=manager,
            file_name="h.csv",
            content=as_csv(throughput_rows(_la(team_b))[:2]),
        )


def test_blank_templates_download(client, manager):
    from io import BytesIO

    from openpyxl import load_workbook

    from imports.columns import NAMES

    client.force_login(manager)
    csv_body = client.get(reverse("imports:template", args=["csv"])).content.decode("utf-8-sig")
    assert csv_body.strip() == ",".join(NAMES)
    xlsx = client.get(reverse("imports:template", args=["xlsx"])).content
    sheet = load_workbook(BytesIO(xlsx)).worksheets[0]
    assert [c.value for c in sheet[1]] == NAMES


def test_every_outcome_code_is_documented():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text()
    from imports.columns import NAMES

    for name in NAMES:
        assert f"`{name}`" in doc, name
    for code in ScreeningOutcome.objects.values_list("code", flat=True):
        assert f"`{code}`" in doc, code


def test_the_upload_page_and_the_poll_have_pinned_query_counts(
    client, team_a, manager, django_assert_num_queries
):
    def make_run() -> ImportRun:
        return ImportRun.objects.create(
            team=team_a, uploaded_by=manager, file_name="h.csv", sha256="0" * 64
        )

    client.force_login(manager)
    run = make_run()
    client.get(reverse("imports:upload"))  # the session and the user, read once
    with django_assert_num_queries(7) as one:
        client.get(reverse("imports:upload"))
    for _ in range(5):
        make_run()
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("imports:upload"))
    with django_assert_num_queries(5):
        client.get(reverse("imports:run", args=[run.pk]), HTTP_HX_REQUEST="true")


def test_the_due_items_already_stored_are_brought_up_to_date(
    team_a, manager, eager_celery, django_capture_on_commit_callbacks
):
    """The team's due items were stored today before the import; afterwards the suite's
    check (stored items == items computed from the records) must still hold."""
    from reminders import duestore

    assert not duestore.items([team_a.pk]).exists()
    rows = throughput_rows(_la(team_a))
    for row in rows[30:]:  # ten families still open: in Phase 1 or Phase 2, reviews due
        row.pop("closure_date", None)
        row.pop("closure_reason", None)
        row.pop("wemwbs_end", None)
    _import(team_a, manager, as_csv(rows), "h.csv", django_capture_on_commit_callbacks)
    assert duestore.items([team_a.pk]).exists()


def test_a_confirmed_run_whose_message_was_lost_is_published_again(
    team_a, manager, eager_celery, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    run = services.check_import(
        team=team_a,
        user=manager,
        file_name="h.csv",
        content=as_csv(throughput_rows(_la(team_a))[:5]),
    )
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down
        services.confirm_import(run_id=run.pk, user=manager)
    assert services.sweep_imports() == []  # not yet: a worker may still take it
    later = timezone.now() + timedelta(minutes=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_imports(now=later) == [run.pk]
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and Referral.objects.count() == 5


def test_a_run_whose_worker_died_resumes_and_writes_nothing_twice(
    team_a, manager, eager_celery, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    run = _import(
        team_a,
        manager,
        as_csv(throughput_rows(_la(team_a))),
        "h.csv",
        django_capture_on_commit_callbacks,
    )
    # As if the worker died after writing: still "running", silent for 20 minutes.
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, beat_at=timezone.now() - timedelta(minutes=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_imports() == [run.pk]
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and Referral.objects.count() == 40


def test_a_second_delivery_while_running_writes_nothing(team_a, manager):
    run = services.check_import(
        team=team_a,
        user=manager,
        file_name="h.csv",
        content=as_csv(throughput_rows(_la(team_a))[:5]),
    )
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING)
    services.apply_import(run_id=run.pk)
    assert not Referral.objects.exists()

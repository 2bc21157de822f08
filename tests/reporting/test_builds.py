"""Report card PDFs built by the worker: asking for one, watching it, downloading it, who
may, and the quarterly job that builds every team's card and tells its managers and
performance officers (the board is told when a card is published: test_publishing.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Notification
from reporting import measures, services, tasks
from reporting.models import BuildStatus, ReportBuild

from .fixture import Q4, REPORT_NOW
from .test_card_views import pdf_text

pytestmark = pytest.mark.django_db

Q1_QUERY = "period_kind=quarter&year=2025&quarter=1&basis=events"


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(REPORT_NOW, tick=False)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(client: Client, scope: str, capture, *, execute: bool = True):
    url = f"{reverse('reporting:request_pdf')}?scope={scope}&{Q1_QUERY}"
    with capture(execute=execute):
        return client.post(url)


def test_asking_for_the_pdf_builds_it_on_the_worker(
    world,
    eager_celery,
    django_capture_on_commit_callbacks,
) -> None:
    client = login(world.manager_a)

    response = ask(client, f"team-{world.taff.pk}", django_capture_on_commit_callbacks)

    build = ReportBuild.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:build", args=[build.pk])
    assert build.status == BuildStatus.DONE
    assert build.progress == 100
    assert bytes(build.pdf)[:5] == b"%PDF-"
    assert build.error == ""
    assert build.finished_at is not None
    # Stored with who asked, when, and for which period and scope.
    assert build.requested_by == world.manager_a
    assert build.requested_at == REPORT_NOW
    assert (build.scope_key, build.scope_label, build.team) == (
        f"team-{world.taff.pk}",
        "Taff IFST",
        world.taff,
    )
    assert (build.period_start, build.period_end, build.period_label) == (
        date(2025, 4, 1),
        date(2025, 6, 30),
        "Q1 2025-26",
    )
    assert (build.basis, build.automatic) == ("events", False)

    page = client.get(response["Location"]).content.decode()
    download = reverse("reporting:build_pdf", args=[build.pk])
    assert f'href="{download}"' in page
    assert 'data-status="done"' in page
    assert "Download the PDF" in page
    assert "hx-get" not in page  # finished: the page stops polling

    pdf = client.get(download)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == (
        f'attachment; filename="report-card-team-{world.taff.pk}-20250401.pdf"'
    )
    text = pdf_text(pdf.content)
    assert "Results Based Accountability report card" in text
    assert "Taff IFST · Q1 2025-26" in text


def test_a_queued_build_shows_its_progress_and_polls(
    world,
    django_capture_on_commit_callbacks,
    monkeypatch,
) -> None:
    client = login(world.manager_a)
    response = ask(
        client, f"team-{world.taff.pk}", django_capture_on_commit_callbacks, execute=False
    )
    build = ReportBuild.objects.get()
    assert (build.status, build.progress) == (BuildStatus.QUEUED, 0)

    page = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in page
    assert f'hx-get="{reverse("reporting:build", args=[build.pk])}"' in page
    assert "Waiting for a worker" in page
    assert reverse("reporting:build_pdf", args=[build.pk]) not in page
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="build-status"')
    assert client.get(reverse("reporting:build_pdf", args=[build.pk])).status_code == 404

    # The worker picks it up; the stored progress climbs measure by measure to 100.
    seen: list[int] = []
    real_build_card = services.build_card

    def watched(*args, **kwargs):
        report = kwargs["progress"]

        def progress(pct: int) -> None:
            report(pct)
            seen.append(ReportBuild.objects.get(pk=build.pk).progress)

        return real_build_card(*args, **{**kwargs, "progress": progress})

    monkeypatch.setattr(services, "build_card", watched)
    services.run_build(build_id=build.pk)

    build.refresh_from_db()
    assert (build.status, build.progress) == (BuildStatus.DONE, 100)
    assert (
        len(seen) == len(measures.CATALOGUE)
        and seen == sorted(seen)
        and 1 <= seen[0]
        and seen[-1] == 90
    )
    # Running the task again (a redelivery) leaves the finished build as it is.
    before = bytes(build.pdf)
    services.run_build(build_id=build.pk)
    build.refresh_from_db()
    assert bytes(build.pdf) == before


def test_a_failed_build_says_so(world, monkeypatch) -> None:
    build = services.request_build(
        user=world.manager_a, scope=world.scope("taff"), period=Q4, basis="events"
    )

    def broken(card: dict) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(services, "render_report_card_pdf", broken)
    with pytest.raises(RuntimeError):
        services.run_build(build_id=build.pk)

    build.refresh_from_db()
    assert build.status == BuildStatus.FAILED
    assert build.error == "no fonts"
    page = login(world.manager_a).get(reverse("reporting:build", args=[build.pk]))
    assert "The build failed" in page.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager_a", 200),
        ("performance_a", 200),
        ("board_a", 404),  # live figures: the board sees published ones only
        ("admin", 200),
        ("manager_b", 404),
        ("board_b", 404),
        ("performance_b", 404),
        ("worker_a", 404),
        ("referrer_a", 404),
    ],
)
def test_who_may_see_a_teams_build(
    world,
    eager_celery,
    django_capture_on_commit_callbacks,
    monkeypatch,
    who,
    status,
) -> None:
    monkeypatch.setattr(services, "render_report_card_pdf", lambda card: b"%PDF-1.7 card")
    ask(login(world.manager_a), f"team-{world.taff.pk}", django_capture_on_commit_callbacks)
    build = ReportBuild.objects.get()
    client = login(getattr(world, who))

    assert client.get(reverse("reporting:build", args=[build.pk])).status_code == status
    assert client.get(reverse("reporting:build_pdf", args=[build.pk])).status_code == status


def test_a_local_authority_build_is_the_requesters_alone(
    world,
    eager_celery,
    django_capture_on_commit_callbacks,
) -> None:
    ask(login(world.manager_a), f"la-{world.cardiff.pk}", django_capture_on_commit_callbacks)
    build = ReportBuild.objects.get()
    assert (build.team, build.scope_label) == (None, "Cardiff")
    url = reverse("reporting:build_pdf", args=[build.pk])

    assert login(world.manager_a).get(url).status_code == 200
    assert login(world.admin).get(url).status_code == 200
    assert login(world.board_a).get(url).status_code == 404
    assert login(world.manager_b).get(url).status_code == 404
    assert "Cardiff" in pdf_text(login(world.manager_a).get(url).content)


# --- The quarterly job ------------------------------------------------------------------------


def test_after_the_quarter_every_teams_card_is_built_once_and_the_team_told(
    world,
    eager_celery,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        made = services.quarterly_builds(today=date(2025, 7, 5))

    assert made == 2
    builds = {b.scope_label: b for b in ReportBuild.objects.all()}
    assert set(builds) == {"Taff IFST", "Usk IFST"}
    for team, build in ((world.taff, builds["Taff IFST"]), (world.usk, builds["Usk IFST"])):
        assert build.team == team
        assert build.automatic and build.requested_by is None
        assert (build.period_start, build.period_end) == (date(2025, 4, 1), date(2025, 6, 30))
        assert (build.status, build.progress) == (BuildStatus.DONE, 100)

    # A second run (the beat job runs daily) builds nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.quarterly_builds(today=date(2025, 7, 6)) == 0
    assert ReportBuild.objects.count() == 2

    # Each team's managers and performance officers are told, to check it and publish it;
    # the board sees published figures only, so it is not told yet.
    told = {
        (n.recipient.username, n.subject)
        for n in Notification.objects.filter(subject__startswith="Report card ready")
    }
    assert told == {
        (world.manager_a.username, "Report card ready: Taff IFST, Q1 2025-26"),
        (world.performance_a.username, "Report card ready: Taff IFST, Q1 2025-26"),
        (world.manager_b.username, "Report card ready: Usk IFST, Q1 2025-26"),
        (world.performance_b.username, "Report card ready: Usk IFST, Q1 2025-26"),
    }
    assert set(
        Notification.objects.filter(subject__startswith="Report card ready").values_list(
            "url", flat=True
        )
    ) == {reverse("reporting:reports")}

    # The performance officer sees it on the Reports page, and downloads it.
    officer = login(world.performance_a)
    page = officer.get(reverse("reporting:reports")).content.decode()
    taff_pdf = reverse("reporting:build_pdf", args=[builds["Taff IFST"].pk])
    usk_pdf = reverse("reporting:build_pdf", args=[builds["Usk IFST"].pk])
    assert f'href="{taff_pdf}"' in page
    assert usk_pdf not in page and "Usk IFST" not in page
    text = pdf_text(officer.get(taff_pdf).content)
    assert "Taff IFST" in text
    assert "Results Based Accountability" in text
    assert "Usk IFST" not in text
    build_page = officer.get(reverse("reporting:build", args=[builds["Taff IFST"].pk]))
    assert "the quarterly job" in build_page.content.decode()

    # The board does not see the live card's PDF; another team's officer does not either.
    board = login(world.board_a)
    assert board.get(taff_pdf).status_code == 404
    assert taff_pdf not in board.get(reverse("reporting:reports")).content.decode()
    other = login(world.performance_b)
    assert other.get(taff_pdf).status_code == 404
    assert taff_pdf not in other.get(reverse("reporting:reports")).content.decode()


def test_the_beat_task_builds_the_quarter_just_ended(
    world,
    eager_celery,
    django_capture_on_commit_callbacks,
    time_machine,
) -> None:
    time_machine.move_to(date(2025, 4, 2), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.quarterly_report_cards() == 2
    assert set(ReportBuild.objects.values_list("period_label", flat=True)) == {"Q4 2024-25"}


def test_the_reports_page_is_for_boards_managers_and_performance_officers(world) -> None:
    assert login(world.board_a).get(reverse("reporting:reports")).status_code == 200
    assert login(world.manager_a).get(reverse("reporting:reports")).status_code == 200
    assert login(world.performance_b).get(reverse("reporting:reports")).status_code == 200
    assert login(world.worker_a).get(reverse("reporting:reports")).status_code == 404
    assert login(world.referrer_b).get(reverse("reporting:reports")).status_code == 404


def test_the_reports_page_states_the_small_number_rule_as_text(world, settings) -> None:
    """A raw '<N' opened an HTML tag and swallowed the rest of the sentence."""
    settings.REPORT_SUPPRESS_BELOW = 5
    page = login(world.board_a).get(reverse("reporting:reports")).content.decode()

    assert "Numbers below 5 are shown as “&lt;5” to protect families." in page

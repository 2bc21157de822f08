"""Every download (CSV, XLSX, PDF, zip) is sent with ``Cache-Control: no-store``, so no
copy of a family's records is left in the browser cache of a shared council machine.

The routes are enumerated: every URL pattern whose view sends a file (it sets a
Content-Disposition, or answers with a FileResponse) must be in DOWNLOADS below, and each
is fetched and checked. A new download view fails the first test until it is added here.
"""

from __future__ import annotations

import inspect
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from reporting.models import BuildStatus, PublishedCard, ReportBuild
from tests.cases.journey import make_case
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture
from tests.security.access_matrix import published_figures

# url name -> what it sends.
DOWNLOADS = {
    "reporting:export": "CSV and XLSX report card",
    "reporting:build_pdf": "report card PDF",
    "reporting:published_export": "CSV and XLSX of a published card, suppressed for the board",
    "cases:plan_pdf": "Family Plan PDF",
    "reviews:report_pdf": "review report PDF",
    "privacy:subject_access_export": "subject access zip",
    "imports:template": "the blank import template (CSV and XLSX)",
    "datareturn:download": "CSV and XLSX data return for commissioners",
}
FILE_MARKERS = ("Content-Disposition", "FileResponse", "StreamingHttpResponse", "as_attachment")


def _patterns(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            yield from _patterns(entry, f"{namespace}{inner}:" if inner else namespace)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry.callback


def file_views() -> set[str]:
    """The named routes of this project whose view sends a file."""
    found = set()
    for name, view in _patterns(get_resolver()):
        view = inspect.unwrap(getattr(view, "view_class", view))
        module = getattr(view, "__module__", "") or ""
        if module.split(".")[0] in {"django", "axes", "auditlog"}:
            continue
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):
            continue
        if any(marker in source for marker in FILE_MARKERS):
            found.add(name)
    return found


def test_every_view_that_sends_a_file_is_checked_below() -> None:
    assert file_views() == set(DOWNLOADS)


@pytest.mark.django_db
def test_every_download_is_sent_with_no_store(
    team_a, manager, practitioner, referrer, time_machine
) -> None:
    time_machine.move_to("2026-11-18 12:00:00+00:00", tick=False)
    journey = make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage="phase2",
        phase1_ended_days_ago=45,
        goals=1,
        plans=1,
        reviews_held=1,
    )
    build = ReportBuild.objects.create(
        scope_key=f"team-{team_a.pk}",
        scope_label=team_a.name,
        team=team_a,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        period_label="Q1 2026-27",
        requested_by=manager,
        status=BuildStatus.DONE,
        pdf=b"%PDF-1.7 card",
    )
    published = PublishedCard.objects.create(
        scope_key=f"team-{team_a.pk}",
        scope_label=team_a.name,
        team=team_a,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        period_label="Q1 2026-27",
        basis="events",
        data=published_figures(),
        published_at=timezone.now(),
        published_by=manager,
    )
    query = f"?scope=team-{team_a.pk}&period_kind=quarter&year=2026&quarter=1&basis=events"
    client = Client()
    client.force_login(manager)
    person = journey.referral.family.members.first()

    fetched = {
        "reporting:export": [
            client.get(reverse("reporting:export", args=[fmt]) + query) for fmt in ("csv", "xlsx")
        ],
        "reporting:build_pdf": [client.get(reverse("reporting:build_pdf", args=[build.pk]))],
        "reporting:published_export": [
            client.get(reverse("reporting:published_export", args=[published.pk, fmt]))
            for fmt in ("csv", "xlsx")
        ],
        "cases:plan_pdf": [client.get(reverse("cases:plan_pdf", args=[journey.plans[0].pk]))],
        "reviews:report_pdf": [
            client.get(reverse("reviews:report_pdf", args=[journey.reviews[0].pk]))
        ],
        "privacy:subject_access_export": [
            client.post(reverse("privacy:subject_access_export", args=[person.pk]))
        ],
        "imports:template": [
            client.get(reverse("imports:template", args=[kind])) for kind in ("csv", "xlsx")
        ],
        "datareturn:download": [
            client.get(reverse("datareturn:download", args=[fmt]) + "?quarter=2026Q1")
            for fmt in ("csv", "xlsx")
        ],
    }

    assert set(fetched) == set(DOWNLOADS)
    for name, responses in fetched.items():
        for response in responses:
            assert response.status_code == 200, name
            assert not response["Content-Type"].startswith("text/html"), name
            assert response["Cache-Control"] == "no-store", (name, response["Content-Type"])

""" "Due soon" and overdue are said in words, not by colour alone (WCAG 1.4.1), on the due
pages and the team's case list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from tests.reminders.helpers import case_received, local

pytestmark = pytest.mark.django_db

NOW = local(date(2026, 3, 2), 12)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _rows(page: str, css: str) -> list[str]:
    return [r for r in page.split("<tr")[1:] if r.startswith(f' class="{css}"')]


def test_due_soon_rows_say_so(team_a, manager, practitioner):
    # An assessment due in 48 hours, another a day overdue.
    case_received(team_a, practitioner, NOW - timedelta(hours=24), referral__family__name="Soon")
    case_received(team_a, practitioner, NOW - timedelta(hours=96), referral__family__name="Late")

    for user, url in ((manager, "/due/"), (practitioner, "/due/mine/")):
        page = _page(user, url)
        soon = [r for r in page.split("<tr")[1:] if "due-soon" in r.split(">")[0]]
        late = [r for r in page.split("<tr")[1:] if "overdue" in r.split(">")[0]]
        assert soon and all("due soon" in r for r in soon), url
        assert late and all("overdue" in r.split(">", 1)[1].lower() for r in late), url

    cases = _page(manager, "/cases/")
    assert "(due soon)" in cases and "(overdue)" in cases

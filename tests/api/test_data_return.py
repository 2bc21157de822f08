"""The data return: one quarter's throughput per team and per local authority, shaped like
the evaluation's throughput table, suppressed, for managers, performance officers and board
members of their own teams, sent with no-store."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from api.datareturn import COLUMNS
from api.figures import quarter_key
from reporting.periods import quarter_containing
from tests.cases.journey import make_case
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def this_quarter() -> str:
    return quarter_key(quarter_containing(timezone.localdate() - timedelta(days=1)).start)


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_return_is_the_throughput_table_per_team_and_authority_suppressed(
    team_a,
    team_b,
    manager,
    practitioner,
    referrer,
    board_member,
    other_manager,
    this_quarter,
    settings,
):
    settings.REPORT_SUPPRESS_BELOW = 5
    make_case(team_a, manager, practitioner, referrer)  # one referral: shown as "<5"
    response = signed_in(board_member).get(
        reverse("datareturn:download", args=["csv"]), {"quarter": this_quarter}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Quarter", "Level", "Area", "Team"]
    assert header[4:] == [
        h
        for key, title in COLUMNS
        for h in ([title] if key == "referrals" else [title, f"{title} %"])
    ]
    team_row = next(r for r in body if r[1] == "Team")
    assert team_row[:4] == [this_quarter, "Team", team_a.name, team_a.name]
    assert team_row[4] == "<5"  # referrals: 1
    assert all(cell in ("0", "0%", "<5", "") for cell in team_row[4:]), team_row
    authorities = [r for r in body if r[1] == "Local authority"]
    assert authorities and {r[3] for r in authorities} == {team_a.name}
    assert team_b.name not in response.content.decode()  # not the board member's team

    xlsx = signed_in(board_member).get(
        reverse("datareturn:download", args=["xlsx"]), {"quarter": this_quarter}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)][: len(rows)] == [
        [c or None for c in r] for r in rows
    ]


def test_a_bad_quarter_gets_a_message_and_keeps_what_was_typed(manager):
    response = signed_in(manager).get(
        reverse("datareturn:download", args=["csv"]), {"quarter": "2026Q7"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give a quarter as 2026Q1" in page and 'value="2026Q7"' in page


def test_referrers_and_practitioners_get_404(referrer, practitioner):
    for user in (referrer, practitioner):
        browser = signed_in(user)
        assert browser.get(reverse("datareturn:page")).status_code == 404
        assert browser.get(reverse("datareturn:download", args=["csv"])).status_code == 404

"""The case page's chronology: the latest 20 entries by default, newest first, with a link to
the whole chronology and back; the Phase 1 hours still count every contact."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Contact, StageChange
from outcomes.models import Goal
from tests.cases.journey import Stage, make_case

pytestmark = pytest.mark.django_db

LATEST = 20


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def busy(team_a, manager, practitioner, referrer):
    """A family in Phase 1 with 30 contacts: more entries than the page shows at first."""
    return make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage=Stage.PHASE1,
        family_name="Busy family",
        phase1_started_days_ago=40,
        contacts=30,
        contact_minutes=120,
    ).case


def entries_of(case) -> int:
    """Every entry the chronology has for a Phase 1 case: the stage changes, the contacts
    and each goal's start score."""
    return (
        StageChange.objects.filter(case=case).count()
        + Contact.objects.filter(case=case).count()
        + Goal.objects.filter(case=case).count()
    )


def chronology(client: Client, case, query: str = "") -> tuple[str, list[datetime]]:
    """The page, and the times of the chronology's entries in the order shown."""
    response = client.get(reverse("cases:detail", args=[case.pk]) + query)
    assert response.status_code == 200
    page = response.content.decode()
    listed = re.search(r'data-testid="chronology">(.*?)</ol>', page, re.S).group(1)
    times = re.findall(r'<li class="mb-2"><span class="text-muted">([^<]+)</span>', listed)
    return page, [datetime.strptime(t, "%d %b %Y %H:%M") for t in times]


def test_the_case_page_shows_the_latest_20_entries_and_a_link_to_all_of_them(
    client, practitioner, busy
):
    client.force_login(practitioner)
    total = entries_of(busy)
    assert total > LATEST

    page, times = chronology(client, busy)

    assert len(times) == LATEST
    assert f"Showing the latest 20 of {total} entries." in page
    link = '<a href="?chronology=all#chronology" data-testid="chronology-all">'
    assert f"{link}Show all {total} entries</a>" in page
    assert 'id="chronology"' in page
    assert "Show the latest 20" not in page


def test_all_shows_the_whole_chronology_with_a_link_back_to_the_latest(client, practitioner, busy):
    client.force_login(practitioner)
    url = reverse("cases:detail", args=[busy.pk])

    page, times = chronology(client, busy, "?chronology=all")

    assert len(times) == entries_of(busy)
    assert "Contact 1<" in page  # the first contact, long before the latest 20
    assert "Showing the latest" not in page
    assert "Show all" not in page
    assert (
        f'<a href="{url}#chronology" data-testid="chronology-latest">Show the latest 20</a>' in page
    )


def test_the_entries_stay_newest_first_and_the_page_shows_the_newest(client, practitioner, busy):
    client.force_login(practitioner)

    _page, latest = chronology(client, busy)
    _page, everything = chronology(client, busy, "?chronology=all")

    assert everything == sorted(everything, reverse=True)
    assert latest == everything[:LATEST]
    assert latest[-1] >= everything[LATEST]


def test_phase1_hours_count_every_contact_not_only_those_shown(client, practitioner, busy):
    client.force_login(practitioner)

    page, _times = chronology(client, busy)

    # 30 direct contacts of 120 minutes, though only some of them are listed.
    assert "<strong>60.0</strong> direct hours delivered" in page


def test_a_family_with_20_entries_or_fewer_has_no_link(
    client, team_a, manager, practitioner, referrer
):
    case = make_case(team_a, manager, practitioner, referrer, stage=Stage.PHASE1, contacts=3).case
    client.force_login(practitioner)
    assert entries_of(case) <= LATEST

    for query in ("", "?chronology=all"):
        page, times = chronology(client, case, query)

        assert len(times) == entries_of(case)
        assert times == sorted(times, reverse=True)
        assert "Showing the latest" not in page
        assert "Show all" not in page
        assert "Show the latest 20" not in page

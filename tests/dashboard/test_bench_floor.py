"""The benchmark's floor page (issue 15): signed in, one query of its own, a one-line
template without the layout; 404 unless IFSS_BENCH_FLOOR is on."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

# The session, the user, and the page's one query.
FLOOR_QUERIES = 3


def test_floor_is_404_unless_the_benchmark_is_on(manager, settings):
    settings.BENCH_FLOOR = False
    client = Client()
    client.force_login(manager)
    assert client.get(reverse("bench_floor")).status_code == 404


def test_floor_needs_signing_in(settings):
    settings.BENCH_FLOOR = True
    response = Client().get(reverse("bench_floor"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_floor_runs_one_query_and_no_layout(manager, settings, django_assert_num_queries):
    settings.BENCH_FLOOR = True
    client = Client()
    client.force_login(manager)
    url = reverse("bench_floor")
    client.get(url)
    with django_assert_num_queries(FLOOR_QUERIES):
        response = client.get(url)
    TeamFactory.create_batch(3)
    with django_assert_num_queries(FLOOR_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().strip() == f"<p>{manager.username}: 4</p>"

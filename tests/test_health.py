"""The health endpoints (ifss/health.py): /healthz answers without the database or the
broker; /readyz checks both and says which is down (issue 21). The database outage
itself is tests/resilience/test_database_outage.py."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.resilience.stack import publishing_to

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"


def test_healthz_answers_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_is_ready_when_the_database_and_the_broker_answer():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_readyz_says_the_broker_is_down():
    with publishing_to(CLOSED_PORT):
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unavailable"}
    assert response["Retry-After"] == "10"


def test_health_checks_take_get_only():
    assert Client().post("/healthz").status_code == 405
    assert Client().post("/readyz").status_code == 405

"""schemathesis against the live schema (/api/v1/schema/), served by the Django WSGI app
with a valid client token: no server errors, and every answer as the schema describes it
(status codes, content types, bodies, headers). Bounded in examples to stay under a minute."""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.support import _fresh_rate_limits, make_client  # noqa: F401 - autouse fixture

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def token(db, team_a, django_settings):
    from reporting.periods import quarter
    from reporting.queries import team_scope
    from reporting.services import publish_card
    from tests.factories import UserFactory

    # One published quarter, so the figures routes have something to answer.
    publish_card(
        user=UserFactory(username="publisher", is_superuser=True),
        scope=team_scope(team_a),
        period=quarter(2026, 1),
        basis="events",
    )
    _client, key = make_client([team_a], per_minute=100000)
    return key


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, inside the test's transaction: like Django's test client, it
    must not close the database connection at the end of each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def django_settings(settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    return settings


# (schemathesis.pytest.from_fixture, its lazy loader, does not run under pytest 9: it reads
# a node attribute pytest removed. The test loads the live schema itself and runs each
# operation's hypothesis strategy, which is the same generation and the same checks.)
@pytest.mark.django_db
def test_the_api_answers_as_its_schema_says(token, wsgi_app):
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", wsgi_app, headers=headers
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5
    # Valid requests, then invalid ones (which must be refused with a documented problem).
    for operation, mode in itertools.product(operations, list(GenerationMode)):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()

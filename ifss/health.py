"""Health endpoints for the compose file's checks, and the page shown while the database
is unreachable. Neither needs the database to answer: they are what people and the
orchestrator see when it is gone."""

from __future__ import annotations

import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

# Seconds a person (or a proxy) is asked to wait before trying again: a database restart
# takes about ten.
RETRY_AFTER = 10


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Live: the process answers. Touches neither the database nor the broker, so a
    database outage does not get healthy web processes restarted."""
    return HttpResponse("ok\n", content_type="text/plain")


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready: the database answers a query and the broker takes a connection."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    status = 200 if all(checks.values()) else 503
    response = JsonResponse(
        {name: "ok" if ok else "unavailable" for name, ok in checks.items()}, status=status
    )
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except (OperationalError, InterfaceError):
        logger.warning("Readiness: the database is unreachable")
        return False


def _broker_ok() -> bool:
    from ifss.celery import app

    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return True
    except Exception:
        logger.warning("Readiness: the broker is unreachable")
        return False


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an unreachable database is an outage, told as one (503, Retry-After,
    a plain message in English and Welsh from a template that needs no database);
    anything else is Django's 500."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        return outage_response()
    return django_server_error(request)


def outage_response() -> HttpResponse:
    # Rendered without the request: no context processor may reach for the database.
    body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response

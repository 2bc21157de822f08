"""The database connection severed under a running web server (gunicorn, as in compose):
a TCP proxy in front of PostgreSQL that the test cuts and restores (never the shared
server). Every page then answers 503 with Retry-After and a plain message in English and
Welsh, never a bare 500; /healthz stays live and /readyz says the database is gone; when the
connection comes back the pages answer again by themselves (issue 21)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from .stack import TcpProxy, WebServer, base_env, database_url, get

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def pages_without_arguments() -> list[str]:
    """Every named page of the project that takes no argument (the admin has its own)."""

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, ":".join(filter(None, [namespace, p.namespace])))
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}" if namespace else p.name

    urls = []
    for name in sorted(set(walk(get_resolver().url_patterns))):
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue
    return urls


def test_a_severed_database_is_told_as_an_outage_and_recovers_by_itself(
    tmp_path,
    manager,
) -> None:
    client = Client()
    client.force_login(manager)  # a session row the server will need to read
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    proxy = TcpProxy(int(settings.DATABASES["default"]["PORT"] or 5432))
    server = WebServer(
        base_env(tmp_path, DATABASE_URL=database_url(port=proxy.port)), tmp_path / "web.log"
    )
    try:
        status, _, text = get(f"{server.url}/", headers=cookie)
        assert status == 200, text[-2000:]
        assert get(f"{server.url}/readyz")[0] == 200

        proxy.cut()  # the database is gone
        pages = [u for u in pages_without_arguments() if u not in ("/healthz", "/readyz")]
        assert len(pages) > 20
        told = {}
        for url in pages:
            status, headers, text = get(f"{server.url}{url}", headers=cookie)
            told[url] = status
            if status == 503:
                assert headers["Retry-After"] == "10", url
                assert "The case manager is unavailable for a moment" in text, url
                assert "Nid yw'r rheolwr achosion ar gael am ennyd" in text, url
                assert "Please wait about 10 seconds and try again." in text
        assert all(status == 503 for status in told.values()), {
            url: status for url, status in told.items() if status != 503
        }
        assert get(f"{server.url}/healthz")[0] == 200  # alive: no restart for an outage
        status, headers, text = get(f"{server.url}/readyz")
        assert status == 503
        assert json.loads(text)["database"] == "unavailable"
        assert headers["Retry-After"] == "10"

        proxy.restore()  # the database is back: no stale connection is kept
        status, _, text = get(f"{server.url}/", headers=cookie)
        assert status == 200, text[-2000:]
        assert get(f"{server.url}/readyz")[0] == 200
    finally:
        server.stop()
        proxy.close()

"""Send one fuzzed request inside a savepoint, check it, and roll it back.

pytest-django runs a whole test (all of Hypothesis's examples) in one transaction. Each
example runs in its own savepoint that is rolled back afterwards, so every example starts
from the same records (a case stays in the stage the fixture built, a referral stays
screenable) however the previous example went.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import resolve
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from .invariants import assert_invariants, snapshot
from .known_bugs import known_500
from .strategies import Payload, mutated

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ROOT = Path(__file__).resolve().parents[2]


def login(user) -> Client:
    """A signed-in client that reports a server error as a 500 instead of raising it."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.get("/")  # settles the two-factor check once, outside the per-example savepoints
    return client


@dataclass
class Request:
    url: str
    data: Any = None
    content_type: str | None = None
    method: str = "post"

    def send(self, client: Client) -> HttpResponse:
        if self.method == "get":
            return client.get(self.url, self.data)
        if self.content_type:
            return client.post(self.url, self.data, content_type=self.content_type)
        return client.post(self.url, self.data or {})


@dataclass
class Target:
    """A form page to fuzz: its URL, a payload it accepts, and what to try in its fields."""

    client: Client
    url: str
    payload: Payload
    ok_status: int = 302  # what the unchanged payload gets
    extra_keys: list[str] = field(default_factory=list)
    key_values: dict[str, list[str]] = field(default_factory=dict)
    any_values: list[str] = field(default_factory=list)
    # Instead of mutating the payload: draw the whole request.
    draw: Callable[[st.DataObject], Request] | None = None
    # Further checks of a response (a redirect stays on this site, say).
    check: Callable[[HttpResponse, Request], None] | None = None
    # The request that must get ok_status, when it is not a POST of the payload.
    first: Request | None = None
    # Sign in again before each example (a password change rotates the session key, and
    # the rolled-back savepoint takes the new session with it).
    relogin: object = None

    def baseline(self) -> Request:
        return self.first or Request(self.url, self.payload)

    def fuzzed(self, data: st.DataObject) -> Request:
        if self.relogin is not None:
            self.client.force_login(self.relogin)
        if self.draw is not None:
            return self.draw(data)
        return Request(self.url, self.mutate(data, self.payload))

    def mutate(self, data: st.DataObject, payload: Payload) -> Payload:
        return data.draw(
            mutated(
                payload,
                extra_keys=self.extra_keys,
                key_values={k: [str(v) for v in vs] for k, vs in self.key_values.items()},
                any_values=[str(v) for v in self.any_values],
            ),
            label="form",
        )


def _where(exc_info) -> str:
    """The innermost frame of the app's own code, and the exception."""
    if not exc_info:
        return ""
    frames = [
        f
        for f in traceback.extract_tb(exc_info[2])
        if str(ROOT) in f.filename and "/.venv/" not in f.filename
    ]
    where = f"{Path(frames[-1].filename).relative_to(ROOT)}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc_info[1]).__name__}: {str(exc_info[1])[:300]} at {where}"


WRITE = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)
# Tables no invariant is about: written by every request, or by sign-in and auditing.
IGNORED_TABLES = {"django_session", "auditlog_logentry"}


class WrittenTables:
    """Records which tables the statements run inside the block write to."""

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and match.group(1) not in IGNORED_TABLES:
            self.tables.add(match.group(1))
        return execute(sql, params, many, context)


def send_and_check(client: Client, request: Request, *, check=None) -> HttpResponse:
    """Send the request in a savepoint: never a 500, nothing invalid saved; then roll back."""
    with transaction.atomic():
        before = snapshot()
        written = WrittenTables()
        with connection.execute_wrapper(written):
            response = request.send(client)
        exc_info = getattr(response, "exc_info", None)
        if response.status_code >= 500:
            view = resolve(urlsplit(request.url).path).view_name
            if known_500(view, exc_info[1] if exc_info else None):
                transaction.set_rollback(True)
                return response
            raise AssertionError(
                f"{request.method.upper()} {request.url} -> {response.status_code}: "
                f"{_where(exc_info)}\n data={request.data!r}"[:3000]
            )
        location = response.get("Location", "")
        assert "/accounts/login/" not in location, "the client was signed out"
        assert_invariants(
            before,
            f"after {request.method.upper()} {request.url} {request.data!r}"[:2000],
            written.tables,
        )
        if check is not None:
            check(response, request)
        transaction.set_rollback(True)
    return response


def assert_same_site_redirect(response: HttpResponse, request: Request) -> None:
    """An open redirect check: a redirect stays on this site, as a browser would read it."""
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        assert not location.lstrip().startswith(("\\", "/\\")), (
            f"redirect off the site: {location!r}"
        )
        resolved = urlsplit(urljoin(f"http://testserver{urlsplit(request.url).path}", location))
        assert resolved.scheme in ("http", "https"), f"redirect to {location!r}"
        assert resolved.netloc == "testserver", f"redirect off the site: {location!r}"

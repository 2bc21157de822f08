"""Helpers shared by the referral, case, home and notification view tests.

`fast_password_hashing` belongs in tests/conftest.py; it lives here until the lead moves it.
Import it into a test module (or a conftest) to make it autouse there.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Every fixture user gets a password; the default PBKDF2 costs ~0.25 s per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def count_queries(client: Client, url: str) -> tuple[int, str]:
    """GET url and return (number of queries, page text). The page must render."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries), response.content.decode()


def assert_queries_constant(
    client: Client,
    url: str,
    *,
    add_rows: Callable[[int], None],
    marker: str | None,
    expected: int,
    django_assert_num_queries,
    few: int = 1,
    many: int = 20,
    shown: int | None = None,
    section: str | None = None,
    settle: bool = False,
) -> None:
    """One row gives `expected` queries, and `many` rows give exactly the same number.

    add_rows(n) adds n more rows; every row renders `marker` once, which proves the
    rows really are on the page (a constant count over an empty page proves nothing).
    marker=None is for pages that must not show rows by name (the board's figures).
    `shown` is how many rows the page shows with `many` rows (a dashboard caps its lists).
    `section`: count the marker only after this text (one panel of a dashboard).
    `settle`: load the page once after adding rows before counting, for pages that bring
    stored derived rows up to date on their first read after a change (the due items).
    """

    def markers(page: str) -> int:
        return (page.split(section, 1)[1] if section else page).count(marker)

    add_rows(few)
    client.get(url)  # warm up: the first request of a session may differ
    queries_few, page = count_queries(client, url)
    if marker is not None:
        assert markers(page) == few

    add_rows(many - few)
    if settle:
        client.get(url)
    queries_many, page = count_queries(client, url)
    if marker is not None:
        assert markers(page) == (shown if shown is not None else many)

    assert queries_few == queries_many, (
        f"{url}: {queries_few} queries with {few} row(s), {queries_many} with {many}"
    )
    with django_assert_num_queries(expected):
        client.get(url)


@pytest.fixture
def celery_eager():
    """Run queued tasks inline, as `make test` does, even if the environment forgot to."""
    from ifss.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved

"""accounts.paging.EndwisePaginator: a page past the middle is read from the list's end, and
is exactly the page Django's Paginator reads from the front. And no app pages a list with
Django's Paginator directly, so every list gets the same rule."""

from __future__ import annotations

import ast

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.paging import CountedPaginator, EndwisePaginator
from tests.codescan import app_modules, imported_names
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users() -> None:
    # Some with no job title and repeated first names: ties broken by the pk, NULLs last.
    for i in range(23):
        UserFactory(first_name=f"Name{i % 4}", job_title="" if i % 3 else f"Title {i % 5}")


@pytest.mark.parametrize("per_page,orphans", [(5, 0), (4, 2), (7, 0), (23, 0), (30, 0)])
@pytest.mark.parametrize(
    "ordering",
    [("pk",), ("-first_name", "pk"), (F("job_title").asc(nulls_last=True), "-pk")],
    ids=["pk", "name-desc", "nulls-last"],
)
def test_every_page_is_the_same_read_from_either_end(users, per_page, orphans, ordering) -> None:
    qs = User.objects.order_by(*ordering)
    front = Paginator(qs, per_page, orphans=orphans)
    either = EndwisePaginator(qs, per_page, orphans=orphans)
    assert either.num_pages == front.num_pages
    for number in front.page_range:
        mine = either.page(number)
        assert list(mine.object_list) == list(front.page(number).object_list), number
        assert (mine.has_next(), mine.start_index(), mine.end_index()) == (
            front.page(number).has_next(),
            front.page(number).start_index(),
            front.page(number).end_index(),
        )


def test_the_last_page_is_read_backwards_without_skipping_the_list(users) -> None:
    qs = User.objects.order_by("-first_name", "pk")
    paginator = CountedPaginator(qs, 5, count=qs.count())
    with CaptureQueriesContext(connection) as ctx:
        rows = list(paginator.get_page(999).object_list)
    assert rows == list(qs.all())[20:]
    (query,) = ctx.captured_queries
    assert "OFFSET" not in query["sql"] and '"first_name" ASC' in query["sql"]
    with CaptureQueriesContext(connection) as ctx:
        list(paginator.get_page(1).object_list)
    assert '"first_name" DESC' in ctx.captured_queries[0]["sql"]


def test_a_list_not_a_queryset_is_paged_as_usual() -> None:
    page = EndwisePaginator(list(range(10)), 3).get_page(4)
    assert list(page.object_list) == [9]


def test_no_app_pages_a_list_with_djangos_paginator_directly() -> None:
    offenders = []
    for rel, tree in app_modules():
        names = imported_names(tree, "django.core.paginator", "Paginator")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
            ):
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == [], "page lists with accounts.paging.EndwisePaginator"


# --- seek_page: the lists that only grow, read from where the last page ended -----------


@pytest.fixture
def referrals(team_a):
    from datetime import UTC, datetime, timedelta

    from referrals.models import Referral
    from tests.factories import ReferralFactory

    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    # 23 referrals on 7 moments: ties on the time, broken by the pk.
    for i in range(23):
        ReferralFactory(team=team_a, received_at=start + timedelta(minutes=(i * 5) % 7))
    return Referral.objects.order_by("-received_at", "-pk")


def _ask(qs, per_page, queries=1, **params):
    from django.http import QueryDict

    from accounts.paging import seek_page

    query = QueryDict(mutable=True)
    query.update(params)
    with CaptureQueriesContext(connection) as ctx:
        page = seek_page(qs.all(), query, per_page, key="received_at")
    # One query, wherever the page is; two for the step back that reaches the top, which
    # reads the first page itself again, and for a step past the end.
    assert len(ctx.captured_queries) == queries
    return page


@pytest.mark.parametrize("per_page", [1, 4, 5, 23, 30])
def test_older_pages_walk_the_whole_list_once_in_order(referrals, per_page) -> None:
    everything = list(referrals)
    page, seen = _ask(referrals, per_page), []
    assert not page.has_previous()
    while True:
        assert 0 < len(page) <= per_page
        seen += list(page)
        if not page.has_next():
            break
        page = _ask(referrals, per_page, after=page.after_token())
        assert page.has_previous()
    assert seen == everything


@pytest.mark.parametrize("per_page", [1, 4, 5, 23, 30])
def test_newer_pages_walk_back_from_the_oldest_to_the_first_page(referrals, per_page) -> None:
    everything = list(referrals)
    page = _ask(referrals, per_page, page="last")
    assert list(page) == everything[-per_page:]
    assert not page.has_next()
    seen = list(page)
    while page.has_previous():
        top = len(everything) - len(seen) <= per_page  # this step reaches the first page
        page = _ask(referrals, per_page, 2 if top else 1, before=page.before_token())
        seen = list(page) + [r for r in seen if r not in page]
    # Back at the top it is the first page itself, as a reader first saw it.
    assert list(page) == everything[:per_page]
    assert seen == everything


@pytest.mark.parametrize(
    "params",
    [
        {"after": "nonsense"},
        {"after": "2026-03-02T09:00:00~x"},
        {"after": "2026-03-02T09:00:00~5"},  # no time zone: not one of ours
        {"before": f"2026-03-02T09:00:00+00:00~{2**63}"},
        {"page": "999"},
    ],
)
def test_a_token_not_of_ours_gives_the_first_page(referrals, params) -> None:
    assert list(_ask(referrals, 5, **params)) == list(referrals)[:5]


def test_after_the_end_gives_the_oldest_page(referrals) -> None:
    oldest = list(referrals)[-1]
    page = _ask(referrals, 5, 2, after=f"{oldest.received_at.isoformat()}~{oldest.pk}")
    assert list(page) == list(referrals)[-5:]
    assert not page.has_next()

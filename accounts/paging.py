"""Pages of a long list without counting it (issue 15).

Django's Paginator counts every matching row to print "page 3 of 7,412": on the national
dataset that COUNT costs more than the page itself, and grows with the table. A page here
reads one row more than it shows, to know whether there is a next page, and no total.
Page numbers stay in the URL (?page=3) as with Paginator, and the template
includes/_pagination.html shows either kind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Deeper pages read and skip every row before them: past this, narrow the search instead.
MAX_PAGE = 200


class EndwisePaginator(Paginator):
    """Django's Paginator, but a page past the middle of a queryset is read from the list's
    end: the queryset in reverse order (QuerySet.reverse), skipping the rows after the page,
    then turned round. OFFSET reads and skips every row before a page, so the last page of
    a long list cost as much as reading the whole list (the oldest feedback of a team: 110
    ms at national scale); now a page costs what its distance from the nearer end does.
    The list's ordering must end in a unique field (the pk), so that the reverse order is
    exactly the list's backwards; tests/accounts/test_paging.py checks every page both ways."""

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if not isinstance(rows, QuerySet) or not rows.ordered or bottom <= self.count // 2:
            return super().page(number)
        backwards = list(rows.reverse()[self.count - top : self.count - bottom])
        backwards.reverse()
        return Page(backwards, number, self)


class CountedPaginator(EndwisePaginator):
    """The EndwisePaginator, told how many rows there are by a query the page runs anyway
    (a list's totals), so it does not count them a second time."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


@dataclass
class UncountedPaginator:
    per_page: int
    num_pages: int  # the pages known so far: this one, and the next if there is one
    counted: bool = False


class UncountedPage:
    def __init__(self, rows: list[Any], number: int, per_page: int) -> None:
        self.object_list = rows[:per_page]
        self.number = number
        self._more = len(rows) > per_page and number < MAX_PAGE
        self.paginator = UncountedPaginator(per_page, number + 1 if self._more else number)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def uncounted_page(qs: QuerySet, number: str | None, per_page: int) -> UncountedPage:
    """The page `number` (1 when missing or not a number, at most MAX_PAGE) of an ordered
    queryset, in one query."""
    try:
        n = min(max(int(number or 1), 1), MAX_PAGE)
    except ValueError:
        n = 1
    start = (n - 1) * per_page
    return UncountedPage(list(qs[start : start + per_page + 1]), n, per_page)

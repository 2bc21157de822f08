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

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Deeper pages read and skip every row before them: past this, narrow the search instead.
MAX_PAGE = 200


class CountedPaginator(Paginator):
    """Django's Paginator, told how many rows there are by a query the page runs anyway (a
    list's totals), so it does not count them a second time."""

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

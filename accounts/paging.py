"""Pages of a long list without counting it (issue 15).

Django's Paginator counts every matching row to print "page 3 of 7,412": on the national
dataset that COUNT costs more than the page itself, and grows with the table. A page here
reads one row more than it shows, to know whether there is a next page, and no total.
The lists that only grow (referrals, the audit log) are read from where the last page
ended (seek_page); the notifications by page number, in groups (UncountedPage). The
template includes/_pagination.html shows every kind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.functional import cached_property

# The notifications (the one list still paged by number) reach back this far: a page's
# groups are found by walking the user's notifications from the newest, so a deep page
# costs what its depth does (page 200 of a manager's at national scale: 79 ms against
# 16 ms for the first). Forty pages are a thousand groups; older notifications are not
# listed (each was about a case or referral, whose own page keeps its history).
MAX_PAGE = 40


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
        # The last page that is listed, with more beyond it (the template says so).
        self.truncated = len(rows) > per_page and number == MAX_PAGE
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


class SeekPage:
    """A page of a list newest first, found from where the page before or after it ended
    (the "seek" method), not by a page number: ?after= the last row shown reads the older
    rows below it, ?before= the first row shown the newer rows above it, ?page=last the
    oldest rows. Each is one query that starts at its place in the list's index, so the
    thousandth page costs what the first does; an OFFSET read and skipped every row before
    its page (page 200 of the referral list: 75 ms at national scale against 22 ms)."""

    seek = True  # includes/_pagination.html shows Newest / Newer / Older / Oldest

    def __init__(self, rows: list[Any], *, newer: bool, older: bool, key: str) -> None:
        self.object_list = rows
        self._newer, self._older, self._key = newer, older, key

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self._newer

    def has_next(self) -> bool:
        return self._older

    def has_other_pages(self) -> bool:
        return self._newer or self._older

    def _token(self, row: Any) -> str:
        return f"{getattr(row, self._key).isoformat()}~{row.pk}"

    def before_token(self) -> str:
        return self._token(self.object_list[0])

    def after_token(self) -> str:
        return self._token(self.object_list[-1])


def _position(token: str | None) -> tuple[datetime, int] | None:
    """A row's place in the list from a token of SeekPage's; None for anything else."""
    moment, _, pk = (token or "").partition("~")
    try:
        at = datetime.fromisoformat(moment)
        number = int(pk)
    except ValueError:
        return None
    if at.tzinfo is None or not 0 < number < 2**63:
        return None
    return at, number


def older_than(key: str, at: datetime, pk: int) -> Q:
    """The rows after (at, pk) in a list ordered newest first by `key` then the primary key.
    The range condition `key <= at` is written out beside the tie-break, so that the index
    on `key` starts its scan at that place instead of filtering from the top."""
    return Q(**{f"{key}__lte": at}) & (Q(**{f"{key}__lt": at}) | Q(pk__lt=pk))


def newer_than(key: str, at: datetime, pk: int) -> Q:
    """The rows before (at, pk) in the same list: older_than's mirror."""
    return Q(**{f"{key}__gte": at}) & (Q(**{f"{key}__gt": at}) | Q(pk__gt=pk))


# The query parameters seek_page reads: a list's own links drop them to start again.
SEEK_PARAMS = ("page", "after", "before")


def seek_page(qs: QuerySet, params: QueryDict, per_page: int, *, key: str) -> SeekPage:
    """One page of `qs`, ordered newest first by the datetime field `key` (never empty)
    then the primary key, as asked for by `params` (see SeekPage). A token that is not one
    of ours gives the first page."""
    after, before = _position(params.get("after")), _position(params.get("before"))
    if after is not None:
        rows = list(qs.filter(older_than(key, *after))[: per_page + 1])
        if not rows:  # past the end (the rows after it were deleted): the oldest page
            return seek_page(qs, QueryDict("page=last"), per_page, key=key)
        return SeekPage(rows[:per_page], newer=True, older=len(rows) > per_page, key=key)
    if before is not None or params.get("page") == "last":
        backwards = qs.reverse()
        if before is not None:
            backwards = backwards.filter(newer_than(key, *before))
        rows = list(backwards[: per_page + 1])
        newer = len(rows) > per_page
        rows = rows[:per_page]
        rows.reverse()
        # Newer rows read back to the top of the list: start from the first page again,
        # so pages do not drift out of step with those a reader first saw.
        if before is not None and not newer:
            return seek_page(qs, QueryDict(), per_page, key=key)
        return SeekPage(rows, newer=newer, older=before is not None, key=key)
    rows = list(qs[: per_page + 1])
    return SeekPage(rows[:per_page], newer=False, older=len(rows) > per_page, key=key)

"""Links to a record's page, built without a full reverse() for each.

reverse() matches the route's pattern again on every call (about 30 µs here): the due page
links 50 items and the case page two dozen actions. A route with one integer argument
gives the same URL around the id every time, so it is reversed once per route, script prefix
and language (a route may be translated), and the id put in its place."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# An id no route needs: the routes' URLs are split around it.
_MARKER = 918_273_645


@lru_cache(maxsize=512)
def _around(name: str, prefix: str, urlconf: str | None, language: str | None) -> tuple[str, str]:
    url = reverse(name, args=[_MARKER], urlconf=urlconf)
    head, marker, tail = url.partition(str(_MARKER))
    if not marker or str(_MARKER) in tail:
        raise ValueError(f"{name}: cannot place an id in {url}")
    return head, tail


def url_for(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for a route with one integer argument."""
    if type(pk) is not int or pk < 0:  # what <int:...> would refuse: reverse says so
        return reverse(name, args=[pk])
    head, tail = _around(name, get_script_prefix(), get_urlconf(), get_language())
    return f"{head}{pk}{tail}"

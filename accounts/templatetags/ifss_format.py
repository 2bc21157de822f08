"""Dates and links for the long pages (the case page, the due page, case lists).

Django's date filter interprets its format string on every call (about 40 µs here, and a
case page shows sixty dates); these two formats are written directly, with the same
output: the local time, the day without a leading zero and the month's translated short
name. {% link %} is {% url %} for a route with one integer argument (accounts.links)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from django import template
from django.utils import translation
from django.utils.dates import MONTHS_3

from accounts.links import url_for

register = template.Library()


@lru_cache(maxsize=16)
def _months(language: str | None) -> dict[int, str]:
    # The lazy names translate on every str(): once per language instead.
    with translation.override(language):
        return {number: str(name).title() for number, name in MONTHS_3.items()}


def _day(value: date) -> str:
    return f"{value.day} {_months(translation.get_language())[value.month]} {value.year}"


def _formatted(value, write) -> str:  # noqa: ANN001
    if value in (None, ""):
        return ""
    try:
        return write(value)
    except AttributeError:  # not a date: nothing, as the date filter shows
        return ""


@register.filter(expects_localtime=True, is_safe=False)
def day(value: date | None) -> str:
    """{{ value|date:"j M Y" }}: 3 Dec 2026."""
    return _formatted(value, _day)


@register.filter(expects_localtime=True, is_safe=False)
def day_time(value: datetime | None) -> str:
    """{{ value|date:"j M Y H:i" }}: 3 Dec 2026 09:05."""
    return _formatted(value, lambda v: f"{_day(v)} {v.hour:02d}:{v.minute:02d}")


@register.simple_tag
def link(name: str, pk: int) -> str:
    """{% url name pk %} for a route with one integer argument."""
    return url_for(name, pk)

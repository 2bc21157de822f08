"""The long pages' quick dates and links (accounts/templatetags/ifss_format.py and
accounts/links.py) print exactly what Django's date filter and {% url %} print."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.base import set_script_prefix
from django.utils import timezone, translation

from accounts.links import url_for

QUICK = Template(
    "{% load ifss_format %}{{ when|day_time }}|{{ when|day }}|{{ day|day }}|{{ none|day_time }}"
)
DJANGO = Template(
    '{{ when|date:"j M Y H:i" }}|{{ when|date:"j M Y" }}|{{ day|date:"j M Y" }}'
    '|{{ none|date:"j M Y H:i" }}'
)


def moments() -> list[datetime]:
    """Every month, both sides of midnight and of the clocks changing in London."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    times = [start + timedelta(days=31 * i, hours=7 * i, minutes=13 * i) for i in range(26)]
    times += [
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # 00:59 GMT, then the clocks go forward
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 02:00 BST
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30 GMT, the repeated hour
        datetime(2026, 6, 30, 23, 30, tzinfo=UTC),  # 1 July in London
        datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
        datetime(1999, 1, 9, 4, 5, tzinfo=UTC),
    ]
    return times


@pytest.mark.parametrize("language", ["en-gb", "cy"])
@pytest.mark.parametrize("zone", ["Europe/London", "UTC", "America/St_Johns"])
def test_dates_read_as_the_date_filter_prints_them(language: str, zone: str) -> None:
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for when in moments():
            context = {"when": when, "day": when.date(), "none": None}
            assert QUICK.render(Context(context)) == DJANGO.render(Context(context)), when


def test_empty_and_wrong_values_print_nothing_as_the_date_filter_does() -> None:
    for value in (None, "", "not a date", 7):
        context = {"when": value, "day": value, "none": value}
        assert QUICK.render(Context(context)) == DJANGO.render(Context(context)) == "|||"


def test_a_naive_date_is_printed_as_it_is() -> None:
    assert Template("{% load ifss_format %}{{ d|day }}").render(
        Context({"d": date(2026, 12, 3)})
    ) == ("3 Dec 2026")


def one_integer_routes() -> list[str]:
    """Every named route of the project that takes one integer argument."""
    names = []

    def walk(patterns: list, namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                converters = getattr(p.pattern, "converters", {})
                if len(converters) == 1 and type(next(iter(converters.values()))).__name__ == (
                    "IntConverter"
                ):
                    names.append(namespace + p.name)

    walk(get_resolver().url_patterns)
    return names


def test_links_are_the_urls_reverse_gives_for_every_one_integer_route() -> None:
    routes = one_integer_routes()
    assert {"cases:detail", "reviews:record", "referrals:detail", "cases:plan_pdf"} <= set(routes)
    for language in ("en-gb", "cy"):
        with translation.override(language):
            for name in routes:
                for pk in (0, 7, 95631, 10**12):
                    assert url_for(name, pk) == reverse(name, args=[pk]), name


def test_links_follow_the_script_prefix_of_an_installation_under_a_path() -> None:
    try:
        set_script_prefix("/ifss/")
        assert url_for("cases:detail", 5) == "/ifss/cases/5/" == reverse("cases:detail", args=[5])
    finally:
        set_script_prefix("/")
    assert url_for("cases:detail", 5) == "/cases/5/"


def test_what_the_route_refuses_is_refused_as_reverse_refuses_it() -> None:
    with pytest.raises(NoReverseMatch):
        url_for("cases:detail", -1)
    for wrong in ("x", True, 1.5):
        with pytest.raises(NoReverseMatch):
            url_for("cases:detail", wrong)  # type: ignore[arg-type]


def test_the_link_tag_prints_the_url() -> None:
    page = Template("{% load ifss_format %}<a href=\"{% link 'cases:detail' pk %}\">").render(
        Context({"pk": 42})
    )
    assert page == '<a href="/cases/42/">'

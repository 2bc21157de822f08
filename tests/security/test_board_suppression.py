"""Every page and download a board member can reach prints no count below the board's
threshold (issue 16, item 8): small numbers show as "<5", through the one rule
(reporting.suppression).

The routes are enumerated, not sampled: every named URL the access matrix opens to a board
member (status 200), and the board's downloads that the matrix's world does not reach (a
published card's PDF, the partner API's figures), must be in BOARD_ROUTES below with the
URLs to fetch. A new board route fails test_every_board_route_is_checked until it is added
here, and then it is fetched and scanned like the others.

The world's figures are all small: team A's few referrals and cases, and a published card,
a revision and stored quarterly figures whose every count is 1 to 4. Each response (HTML
text, PDF text, CSV and XLSX cells, JSON values) is scanned for a small count printed as
such. The scanner is checked too: with the rule turned off (REPORT_SUPPRESS_BELOW=0) the
same pages must show the small counts, so a blind scanner cannot pass.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.security.access_matrix import MATRIX, World
from tests.security.test_url_matrix import as_role, handler, world  # noqa: F401 - fixtures
from tests.security.walk import url_of

pytestmark = pytest.mark.django_db

# Text a scanner must not read as a count: words that carry a small number without
# counting anyone (a phase, a revision, a quarter, a duration in a measure's label, a date).
NOT_COUNTS = re.compile(
    r"(?:Phase|phase|Revision|revision|Q|quarter|Quarter|Step|step|Page|page|of|version|"
    r"Version|level|Level)\s[1-4]\b"
    r"|\b[1-4]\s(?:weeks?|months?|hours?|days?|to\s\d|and\s\d)\b"
    r"|\b\d{1,2}\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w*\s\d{4}"
    r"|\b\d{4}Q[1-4]\b|\bQ[1-4]\b"
)
# A small whole number standing alone: not part of a larger number, a decimal, a range or
# age band ("3-6"), a time ("12:30"), a percentage, or the "<5" that replaces it.
SMALL = re.compile(r"(?<![\w.+\-–/<:£])[1-4](?![\w.\-–/:%])")
# Elements whose text is never a count of families: the bell's count of the user's own
# unread notifications, and any element a template marks `data-not-a-count` (a revision
# number).
NOT_A_COUNT_TESTIDS = {"unread-count"}


class _Text(HTMLParser):
    """The text nodes of a page's body, without scripts, styles and the elements above."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if (
            tag in ("script", "style", "title")
            or a.get("data-testid") in NOT_A_COUNT_TESTIDS
            or "data-not-a-count" in a
        ):
            self._skip.append(tag)
        elif self._skip and tag == self._skip[-1]:
            self._skip.append(tag)  # nested element of the same name

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag == self._skip[-1]:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def texts_of(response) -> list[str]:
    """What a reader of the response sees, as a list of short texts."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in kind:
        reader = PdfReader(io.BytesIO(body))
        return [line for page in reader.pages for line in page.extract_text().splitlines()]
    if "csv" in kind:
        return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]
    if "spreadsheet" in kind:
        book = load_workbook(io.BytesIO(body))
        return [
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        ]
    if "json" in kind:
        return list(_json_texts(json.loads(body)))
    if "javascript" in kind:
        # Django's translation catalogue: what a reader sees are its translated strings
        # (the JSON of `newcatalog`, absent in English), not the code around them.
        text = body.decode()
        assert "django.jsi18n_initialized" in text, "not Django's translation catalogue"
        found = re.search(r"const newcatalog = (\{.*?\});\n", text, re.S)
        return list(_json_texts(json.loads(found[1]))) if found else []
    parser = _Text()
    parser.feed(body.decode())
    return parser.texts


# JSON keys whose values are not counts: ids and the threshold itself.
JSON_NOT_COUNTS = {"team", "id", "suppressed_below", "revision"}


def _json_texts(value, key: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in JSON_NOT_COUNTS:
                yield from _json_texts(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _json_texts(v, key)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def small_counts(response) -> list[str]:
    return [t for t in texts_of(response) if SMALL.search(NOT_COUNTS.sub(" ", t))]


# --- the world's small figures ---------------------------------------------------------------


def small_figures(team_name: str) -> dict:
    """A card's data whose every count is small (1 to 4)."""
    from reporting import measures

    out: dict = {}
    for d in measures.CATALOGUE:
        out[d.code] = {
            "value": 3,
            "numerator": None,
            "denominator": None,
            "unit": "count",
            "rows": [{"label": "Accepted for assessment", "n": 2, "of": 4}],
        }
    out["first_contact"] = {
        "value": 50.0,
        "numerator": 2,
        "denominator": 4,
        "unit": "percent",
        "rows": [],
    }
    out["gas_change"] = {
        "value": 1.5,
        "numerator": None,
        "denominator": 3,
        "unit": "mean",
        "rows": [{"label": "At 1 month", "mean": 1.5, "n": 2}],
    }
    # Hours are not a count of people: 12.5 hours over 3 families.
    out["direct_hours"] = {
        "value": 12.5,
        "numerator": 12.5,
        "denominator": 3,
        "unit": "hours",
        "rows": [],
    }
    out["services_accessed"]["rows"] = [{"label": "Housing", "before": 1, "after": 3}]
    out["child_outcomes"]["rows"] = [{"children": 2}]
    throughput = {
        "team": team_name,
        "referrals": 4,
        "inappropriate": 1,
        "assessed": 3,
        "assessed_re": 1,
        "accepted": 2,
        "completed_phase1": 2,
        "completed_phase2": 1,
        "closed_phase2_other": 1,
        "pct": {
            "inappropriate": 25.0,
            "assessed": 75.0,
            "assessed_re": 25.0,
            "accepted": 50.0,
            "completed_phase1": 50.0,
            "completed_phase2": 25.0,
            "closed_phase2_other": 25.0,
        },
    }
    return {
        "measures": out,
        # The all-teams figures printed beside the team's: small too.
        "comparison": {"label": "All teams", "measures": out},
        "throughput": [throughput],
        "context": {"Ethnicity": [{"label": "White British", "n": 3, "of": 4}]},
        "cost_avoidance": None,
        "narrative": {
            "story": "Referrals fell.",
            "partners": "",
            "what_works": "",
            "action_plan": "",
        },
    }


@pytest.fixture
def small_world(world: World):  # noqa: F811
    """The world's published card (revision 0) and a revision of it, every count small; a
    PDF built from the revision; team A's last quarter published with small counts for the API."""
    from api import services as api_services
    from reporting import services
    from reporting.models import PublishedCard
    from reporting.periods import previous_quarter, quarter_containing

    card = world.published_card
    card.data = small_figures(world.team_a.name)
    card.save(update_fields=["data"])
    revised = small_figures(world.team_a.name)
    revised["measures"]["referrals_received"]["value"] = 4
    revision = PublishedCard.objects.create(
        **{
            f.name: getattr(card, f.name)
            for f in PublishedCard._meta.concrete_fields
            if f.name not in ("id", "revision", "data", "reason", "differences")
        },
        revision=1,
        data=revised,
        reason="A referral was recorded late.",
        differences=[{"what": "Referrals received: value", "published": 3, "now": 4}],
    )
    build = services.request_build(
        user=world.users["manager"],
        scope=services.scope_from_key(card.scope_key, card.scope_label),
        period=card_period(card),
        basis="events",
        published=revision,
    )
    services.run_build(build_id=build.pk)
    # The partner API reads published cards (api/figures.py: the latest revision of a whole
    # quarter's card), no longer stored figure sets: publish team A's last quarter, then give
    # its frozen figures the small counts.
    last = previous_quarter(quarter_containing(timezone.localdate()))
    api_card = services.publish_card(
        user=world.users["manager"],
        scope=services.scope_from_key(f"team-{world.team_a.pk}", world.team_a.name),
        period=last,
        basis="events",
    )
    api_card.data = small_figures(world.team_a.name)
    api_card.save(update_fields=["data"])
    client = api_services.create_client(
        name="Board suppression partner",
        teams=[world.team_a],
        can_read_figures=True,
        can_submit_referrals=False,
        requests_per_minute=1000,
        by=None,
    )
    _token, key = api_services.issue_token(client=client, by=None)
    return {"revision": revision, "build": build, "quarter": last, "key": key}


def card_period(card):
    from reporting.periods import Period

    return Period(card.period_start, card.period_end, card.period_label)


# --- the routes ------------------------------------------------------------------------------

Fetch = Callable[[World, dict, Callable], list]


def _board_get(*urls: Callable[[World, dict], str]) -> Fetch:
    def fetch(w: World, s: dict, sign_in) -> list:
        client = sign_in("board")
        return [client.get(u(w, s)) for u in urls]

    return fetch


def _plain(name: str) -> Fetch:
    return _board_get(lambda w, s: url_of(w, name))


def _api(path: Callable[[World, dict], str]) -> Fetch:
    def fetch(w: World, s: dict, sign_in) -> list:
        return [sign_in("anonymous").get(path(w, s), HTTP_AUTHORIZATION=f"Bearer {s['key']}")]

    return fetch


def _quarter(s: dict) -> str:
    from api.figures import quarter_key

    return quarter_key(s["quarter"].start)


def _published(name: str, **kwargs: str) -> Callable[[World, dict], str]:
    def url(w: World, s: dict) -> str:
        return reverse(name, kwargs={"pk": s["revision"].pk, **kwargs})

    return url


# Every route a board member reaches -> how to fetch it, and whether its figures must show
# a suppressed count ("<5"): the pages that print team A's figures.
BOARD_ROUTES: dict[str, tuple[Fetch, bool]] = {
    "home": (_plain("home"), True),  # the board's team figures
    "healthz": (_plain("healthz"), False),
    # The public JavaScript translation catalogue (accounts/language.py): strings, no figures.
    "javascript_catalog": (_plain("javascript_catalog"), False),
    "readyz": (_plain("readyz"), False),
    "password_change": (_plain("password_change"), False),
    "password_change_done": (_plain("password_change_done"), False),
    "two_factor_manage": (_plain("two_factor_manage"), False),
    "two_factor_setup": (_plain("two_factor_setup"), False),
    "two_factor_verify": (_plain("two_factor_verify"), False),
    "referrals:list": (_plain("referrals:list"), False),  # empty for the board
    "referrals:drafts": (_plain("referrals:drafts"), False),
    "cases:list": (_plain("cases:list"), False),  # empty for the board
    "cases:mine": (_plain("cases:mine"), False),
    "notifications:list": (_plain("notifications:list"), False),
    "notifications:preferences": (_plain("notifications:preferences"), False),
    "reporting:reports": (_plain("reporting:reports"), False),
    "reporting:published_card": (
        _board_get(
            lambda w, s: url_of(w, "reporting:published_card"),
            _published("reporting:published_card"),
        ),
        True,
    ),
    "reporting:published_export": (
        _board_get(
            _published("reporting:published_export", fmt="csv"),
            _published("reporting:published_export", fmt="xlsx"),
        ),
        True,
    ),
    "datareturn:page": (_plain("datareturn:page"), False),
    "datareturn:download": (
        _board_get(
            lambda w, s: f"{reverse('datareturn:download', args=['csv'])}?quarter={_quarter(s)}",
            lambda w, s: f"{reverse('datareturn:download', args=['xlsx'])}?quarter={_quarter(s)}",
        ),
        False,  # live figures of the quarter: whatever the world holds then
    ),
    # Not in the matrix's board column (the world's build is of live figures), but a board
    # member reaches the builds of published cards.
    "reporting:build": (
        _board_get(lambda w, s: reverse("reporting:build", args=[s["build"].pk])),
        False,
    ),
    "reporting:build_pdf": (
        _board_get(lambda w, s: reverse("reporting:build_pdf", args=[s["build"].pk])),
        True,
    ),
    # The partner API's figures: a partner's token, suppressed as on board outputs.
    "api:figures": (_api(lambda w, s: reverse("api:figures")), False),
    "api:team_figures": (
        _api(lambda w, s: reverse("api:team_figures", args=[w.team_a.pk, _quarter(s)])),
        True,
    ),
}
# Routes the board reaches that the matrix does not say (see above).
BEYOND_THE_MATRIX = {"reporting:build", "reporting:build_pdf", "api:figures", "api:team_figures"}


def board_routes() -> set[str]:
    return {name for name, roles in MATRIX.items() if roles["board"] == 200} | BEYOND_THE_MATRIX


def test_every_board_route_is_checked() -> None:
    assert board_routes() == set(BOARD_ROUTES), (
        "a board member reaches a route this test does not check (add it to BOARD_ROUTES): "
        f"{sorted(board_routes() ^ set(BOARD_ROUTES))}"
    )


@pytest.mark.parametrize("name", sorted(BOARD_ROUTES))
def test_no_board_route_prints_a_small_count(small_world, world, as_role, name) -> None:  # noqa: F811
    fetch, must_suppress = BOARD_ROUTES[name]
    responses = fetch(world, small_world, as_role)
    for response in responses:
        assert response.status_code == 200, (name, response.status_code)
        assert not small_counts(response), (name, small_counts(response))
        if must_suppress:
            assert any("<5" in t for t in texts_of(response)), (name, "no suppressed count")


@pytest.mark.parametrize("name", sorted(n for n, (_f, must) in BOARD_ROUTES.items() if must))
def test_the_scanner_sees_small_counts_when_the_rule_is_off(
    small_world,
    world,  # noqa: F811
    as_role,  # noqa: F811
    name: str,
) -> None:
    fetch, _must = BOARD_ROUTES[name]
    if name == "reporting:build_pdf":
        # The PDF was built with the rule on; build one without it.
        from reporting import services

        with override_settings(REPORT_SUPPRESS_BELOW=0):
            build = services.request_build(
                user=world.users["manager"],
                scope=services.scope_from_key(
                    small_world["revision"].scope_key, small_world["revision"].scope_label
                ),
                period=card_period(small_world["revision"]),
                basis="events",
                published=small_world["revision"],
            )
            services.run_build(build_id=build.pk)
            small_world = {**small_world, "build": build}
    with override_settings(REPORT_SUPPRESS_BELOW=0):
        responses = fetch(world, small_world, as_role)
    assert all(small_counts(r) for r in responses), name


def test_a_board_member_is_told_of_a_published_card(small_world, world) -> None:  # noqa: F811
    """Publishing (and revising) tells the team's board members (reporting.services)."""
    from notifications.models import Notification
    from reporting import services
    from reporting.periods import Period

    card = world.published_card
    scope = services.scope_from_key(card.scope_key, card.scope_label)
    period = Period(
        card.period_start - timedelta(days=91), card.period_start - timedelta(days=1), "Earlier"
    )
    services.publish_card(user=world.users["manager"], scope=scope, period=period, basis="events")
    assert Notification.objects.filter(
        recipient=world.users["board"], subject__startswith="Report card published"
    ).exists()

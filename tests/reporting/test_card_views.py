"""The report card page: every measure with its numerator and denominator, who may see
which scope, the period form, the narrative, small-number suppression on board outputs,
and board members kept away from every case page."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from referrals.models import WaitingListEntry
from reporting import measures
from reporting.models import BuildStatus, Narrative, ReportBuild
from reviews.models import Review

from .expected import EXPECTED
from .fixture import REPORT_NOW

pytestmark = pytest.mark.django_db

Q1_QUERY = {"period_kind": "quarter", "year": "2025", "quarter": "1", "basis": "events"}


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(REPORT_NOW, tick=False)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def card_url(scope: str, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"scope": scope, **Q1_QUERY, **params}.items())
    return f"{reverse('reporting:card')}?{query}"


def pdf_text(content: bytes) -> str:
    assert content[:5] == b"%PDF-", content[:20]
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def measure_cells(page: str) -> dict[str, tuple[str, str, str]]:
    """{code: (status, value, fraction)} for every measure row of the page."""
    rows = re.findall(
        r'<tr class="status-(\w+)" data-measure="([\w-]+)">(.*?)</tr>', page, flags=re.S
    )
    out = {}
    for status, code, cells in rows:
        value = re.search(
            r'<td class="text-end value"><span class="fs-5">(.*?)</span>', cells, re.S
        )
        fraction = re.search(r'<td class="small fraction">(.*?)</td>', cells, re.S)
        out[code] = (
            status,
            html.unescape(value[1]).strip(),
            " ".join(html.unescape(fraction[1]).split()),
        )
    return out


def printed(figure: dict) -> tuple[str, str]:
    """How the page prints a figure (no suppression): (value, numerator / denominator)."""
    value, num, den, unit = (figure[k] for k in ("value", "numerator", "denominator", "unit"))
    if value is None:
        shown = "–"
    elif unit == "percent":
        shown = f"{value:g}%"
    else:
        shown = f"{value:g}" if isinstance(value, float) else str(value)
    text = lambda x: f"{x:g}" if isinstance(x, float) else str(x)  # noqa: E731
    if den is not None:
        # A mean has a count of cases but no numerator: it prints "n = 4".
        fraction = f"{text(num)} / {text(den)}" if num is not None else f"n = {text(den)}"
    else:
        fraction = text(num) if num is not None else ""
    return shown, fraction


# --- Every measure, with its numerator and denominator ---------------------------------------


@pytest.mark.parametrize("basis", ["events", "cohort"])
def test_the_manager_sees_every_measure_with_numerator_and_denominator(world, basis) -> None:
    response = login(world.manager_a).get(card_url(f"team-{world.taff.pk}", basis=basis))

    assert response.status_code == 200
    cells = measure_cells(response.content.decode())
    assert list(cells) == [d.code for d in measures.CATALOGUE]
    for code, expected in EXPECTED["taff"][basis].items():
        _status, value, fraction = cells[code]
        want_value, want_fraction = printed(expected)
        assert value == want_value, code
        assert fraction == want_fraction, code
        if expected["unit"] == "percent":
            assert re.fullmatch(r"\d+ / \d+", fraction), (code, fraction)


def test_percentages_print_n_over_d(world) -> None:
    cells = measure_cells(
        login(world.manager_a).get(card_url(f"team-{world.taff.pk}")).content.decode()
    )
    assert cells["first_contact"][1:] == ("80%", "8 / 10")
    assert cells["assessment_time"][1:] == ("62.5%", "5 / 8")
    assert cells["phase1_length"][1:] == ("33.3%", "2 / 6")
    assert cells["reviews_on_time"][1:] == ("50%", "3 / 6")
    assert cells["goals_at_zero"][1:] == ("77.8%", "7 / 9")
    assert cells["phase1_hours"][1:] == ("9.1", "54.5 / 6")  # hours / families


def test_the_breakdowns_are_printed_with_their_denominators(world) -> None:
    page = html.unescape(
        login(world.manager_a).get(card_url(f"team-{world.taff.pk}")).content.decode()
    )
    for text in (
        "From referral: within 72 hours: 4 / 8",
        "From referral: within 1 week: 5 / 8",
        "From referral: within 2 weeks: 6 / 8",
        "From referral: longer than 2 weeks: 2 / 8",
        "From allocation: within 72 hours: 5 / 8",
        "From allocation: within 1 week: 6 / 8",
        "From allocation: within 2 weeks: 7 / 8",
        "From allocation: longer than 2 weeks: 1 / 8",
        "Under 4 weeks: 1 / 6",
        "4 to 6 weeks: 2 / 6",
        "6 to 10 weeks: 2 / 6",
        "Over 10 weeks: 1 / 6",
        "Substance goals: 4 / 4",
        "Goals for female members: 4 / 5",
        "Goals for male members: 2 / 2",
        "1-month review: 1.33 (3 scores)",
        "3-month review: 2 (2 scores)",
        "12-month review: 1.5 (4 scores)",
        "Accepted for assessment: 7 / 9",  # each referral once
        "Accepted for assessment: 7 / 10",  # per decision
        "Stayed at home: 1 / 2",
        "De-registered: 1 / 2",
        "Children: 15",
        "Attendees: 20",
        "Entered assessment 8; entered Phase 1 6; completed Phase 1 6; entered Phase 2 6; "
        "completed Phase 2 (planned end) 1; closed in Phase 2 for another reason 0",
    ):
        assert text in page, text


@pytest.mark.parametrize(
    ("basis", "label"),
    [
        ("events", "Events in the period"),
        ("cohort", "Outcomes of the families referred in the period (cohort)"),
    ],
)
def test_the_basis_is_labelled(world, basis, label) -> None:
    page = login(world.manager_a).get(card_url(f"team-{world.taff.pk}", basis=basis)).content
    assert f'<strong data-testid="basis">{label}</strong>' in page.decode()


# --- Scopes ------------------------------------------------------------------------------------


def scope_options(page: str) -> dict[str, str]:
    select = re.search(r'<select name="scope".*?</select>', page, re.S)[0]
    return dict(re.findall(r'<option value="([\w-]+)"[^>]*>([^<]*)</option>', select))


def test_a_manager_chooses_from_their_team_and_its_local_authorities(world) -> None:
    page = login(world.manager_a).get(reverse("reporting:card")).content.decode()

    assert scope_options(page) == {
        f"team-{world.taff.pk}": "Taff IFST",
        f"la-{world.cardiff.pk}": "Cardiff (local authority)",
        f"la-{world.vale.pk}": "Vale of Glamorgan (local authority)",
    }


def test_the_local_authority_card_for_a_manager(world) -> None:
    response = login(world.manager_a).get(card_url(f"la-{world.cardiff.pk}"))

    assert response.status_code == 200
    cells = measure_cells(response.content.decode())
    assert cells["referrals_received"][1] == "8"
    assert cells["first_contact"][1:] == ("75%", "6 / 8")
    assert cells["not_rereferred"][1:] == ("100%", "2 / 2")


def test_another_teams_scope_shows_no_figures(world) -> None:
    """Asking for Usk's card as Taff's manager: the form refuses the scope, no card."""
    for url in (card_url(f"team-{world.usk.pk}"), card_url(f"la-{world.newport.pk}")):
        response = login(world.manager_a).get(url)
        page = response.content.decode()
        assert response.status_code in (200, 404)
        assert 'data-testid="report-card"' not in page
        assert "Usk IFST" not in page


def test_another_teams_scope_is_404(world) -> None:
    assert login(world.manager_a).get(card_url(f"team-{world.usk.pk}")).status_code == 404


def test_exports_and_pdf_requests_for_another_teams_scope_are_404(world) -> None:
    client = login(world.manager_a)
    query = card_url(f"team-{world.usk.pk}").split("?", 1)[1]
    assert client.get(f"{reverse('reporting:export', args=['csv'])}?{query}").status_code == 404
    assert client.post(f"{reverse('reporting:request_pdf')}?{query}").status_code == 404
    assert not ReportBuild.objects.exists()


def test_the_performance_officer_sees_the_card(world) -> None:
    response = login(world.performance_a).get(card_url(f"team-{world.taff.pk}"))
    assert response.status_code == 200
    assert measure_cells(response.content.decode())["referrals_received"][1] == "10"


@pytest.mark.parametrize("who", ["worker_a", "referrer_a", "board_a"])
def test_practitioners_referrers_and_board_members_get_404(world, who) -> None:
    client = login(getattr(world, who))
    assert client.get(reverse("reporting:card")).status_code == 404
    assert client.get(card_url(f"team-{world.taff.pk}")).status_code == 404
    export = f"{reverse('reporting:export', args=['xlsx'])}?scope=team-{world.taff.pk}"
    assert client.get(export).status_code == 404
    assert client.get(reverse("reporting:narrative")).status_code == 404


def test_the_administrator_sees_all_teams(world) -> None:
    client = login(world.admin)
    options = scope_options(client.get(reverse("reporting:card")).content.decode())
    assert options["all"] == "All teams"
    assert f"team-{world.usk.pk}" in options and f"team-{world.taff.pk}" in options

    cells = measure_cells(client.get(card_url("all")).content.decode())
    assert cells["referrals_received"][1] == "15"
    assert cells["first_contact"][1:] == ("73.3%", "11 / 15")


# --- The period form ---------------------------------------------------------------------------


def test_a_date_range_that_ends_before_it_starts_is_an_error_not_a_500(world) -> None:
    url = card_url(
        f"team-{world.taff.pk}", period_kind="range", date_from="2025-06-30", date_to="2025-04-01"
    )
    response = login(world.manager_a).get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "the period ends before it starts" in page
    assert 'data-testid="report-card"' not in page


@pytest.mark.parametrize(
    "params",
    [
        {"period_kind": "range", "date_from": "2025-04-01", "date_to": ""},
        {"period_kind": "range", "date_from": "not a date", "date_to": "2025-04-01"},
        {"quarter": "5"},
        {"year": "abc"},
        {"period_kind": "week"},
        {"basis": "everything"},
    ],
)
def test_bad_period_input_is_an_error_not_a_500(world, params) -> None:
    response = login(world.manager_a).get(card_url(f"team-{world.taff.pk}", **params))
    assert response.status_code == 200
    assert 'data-testid="report-card"' not in response.content.decode()


def test_a_date_range_and_a_financial_year(world) -> None:
    client = login(world.manager_a)
    april = card_url(
        f"team-{world.taff.pk}", period_kind="range", date_from="2025-04-01", date_to="2025-04-30"
    )
    cells = measure_cells(client.get(april).content.decode())
    assert cells["referrals_received"][1] == "8"  # A1-A7 and A9 (Bowen came on 31 March)
    year = card_url(f"team-{world.taff.pk}", period_kind="year", year="2024")
    assert 'data-testid="report-card"' in client.get(year).content.decode()


# --- The narrative -----------------------------------------------------------------------------


def narrative_url(world) -> str:
    return card_url(f"team-{world.taff.pk}").replace(
        reverse("reporting:card"), reverse("reporting:narrative")
    )


def narrative_post(version: int, story: str) -> dict:
    return {
        "version": str(version),
        "story": story,
        "partners": "Drug and alcohol service",
        "what_works": "Home visits",
        "action_plan": "Recruit a worker",
    }


def test_the_manager_writes_the_narrative_and_the_card_shows_it(world) -> None:
    client = login(world.manager_a)
    assert client.get(narrative_url(world)).status_code == 200

    response = client.post(narrative_url(world), narrative_post(1, "Referrals rose in April."))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reporting:card"))
    page = client.get(card_url(f"team-{world.taff.pk}")).content.decode()
    assert "Referrals rose in April." in page
    assert "Recruit a worker" in page
    saved = Narrative.objects.get(scope_key=f"team-{world.taff.pk}")
    assert (saved.version, saved.updated_by) == (2, world.manager_a)


def test_a_stale_narrative_edit_shows_the_latest_and_keeps_what_was_typed(world) -> None:
    manager = login(world.manager_a)
    manager.get(narrative_url(world))  # the manager opens the form at version 1
    login(world.admin).post(narrative_url(world), narrative_post(1, "The admin's story."))

    response = manager.post(narrative_url(world), narrative_post(1, "The manager's story."))

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    latest = re.search(r'data-testid="latest-version">(.*?)</div>', page, re.S)[1]
    assert "The admin's story." in latest
    assert "The manager's story." in page  # still in the form
    assert "Someone else changed this narrative" in page
    assert Narrative.objects.get(scope_key=f"team-{world.taff.pk}").story == "The admin's story."
    # Saving again from the refreshed form (now at the latest version) works.
    version = re.search(r'name="version" value="(\d+)"', page)[1]
    assert version == "2"
    assert (
        manager.post(narrative_url(world), narrative_post(2, "The manager's story.")).status_code
        == 302
    )


def test_another_teams_manager_cannot_write_the_narrative(world) -> None:
    client = login(world.manager_b)
    assert client.get(narrative_url(world)).status_code == 404
    assert client.post(narrative_url(world), narrative_post(1, "Not mine")).status_code == 404
    assert not Narrative.objects.exists()


def test_no_one_writes_a_local_authority_narrative_but_the_administrator(world) -> None:
    url = narrative_url(world).replace(f"team-{world.taff.pk}", f"la-{world.cardiff.pk}")
    assert login(world.manager_a).get(url).status_code == 404
    assert login(world.admin).get(url).status_code == 200


# --- Board members reach no personal data ------------------------------------------------------


def case_urls(world) -> list[str]:
    a1, a9 = world.fams["A1"], world.fams["A9"]
    case, referral = a1.case, a1.referral
    review = Review.objects.filter(case=case, held_on__isnull=False).first()
    plan = case.plans.first()
    person = a1.family.members.first()
    entry = WaitingListEntry.objects.get(referral=a9.referral)
    return [
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:start_assessment", args=[case.pk]),
        reverse("cases:assessment", args=[case.pk]),
        reverse("cases:decide", args=[case.pk]),
        reverse("cases:add_contact", args=[case.pk]),
        reverse("cases:add_plan", args=[case.pk]),
        reverse("cases:plan_pdf", args=[plan.pk]),
        reverse("cases:end_phase1", args=[case.pk]),
        reverse("cases:finish_step_down", args=[case.pk]),
        reverse("cases:close", args=[case.pk]),
        reverse("cases:override", args=[case.pk]),
        reverse("cases:restrict", args=[case.pk]),
        reverse("outcomes:add_goal", args=[case.pk]),
        reverse("outcomes:add_reading", args=[case.pk]),
        reverse("reviews:record", args=[review.pk]),
        reverse("reviews:report_pdf", args=[review.pk]),
        reverse("reviews:add_booster", args=[case.pk]),
        reverse("referrals:detail", args=[referral.pk]),
        reverse("referrals:decide", args=[referral.pk]),
        reverse("referrals:allocate", args=[referral.pk]),
        reverse("referrals:waiting_edit", args=[entry.pk]),
        reverse("referrals:screening"),
        reverse("referrals:waiting_list"),
        reverse("referrals:new"),
        reverse("families:consent", args=[a1.family.pk]),
        reverse("privacy:subject_access"),
        reverse("privacy:subject_access_export", args=[person.pk]),
        reverse("privacy:retention"),
        reverse("reminders:due"),
        reverse("audit:log"),
    ]


FAMILY_NAMES = ("Morgan", "Pryce", "Hughes", "Lewis", "Evans", "Rees", "Davies", "Walsh")


def test_a_board_member_gets_404_on_every_case_page(world) -> None:
    client = login(world.board_a)
    for url in case_urls(world):
        response = client.get(url)
        assert response.status_code in (404, 405), (url, response.status_code)
        if response.status_code == 405:  # POST-only: the POST is refused too
            assert client.post(url).status_code == 404, url


def test_a_board_members_lists_are_empty(world) -> None:
    """The lists every signed-in user has answer, but show a board member nothing."""
    client = login(world.board_a)
    for name in ("cases:list", "cases:mine", "referrals:list"):
        response = client.get(reverse(name))
        assert response.status_code in (200, 404), name
        page = response.content.decode()
        assert not [f for f in FAMILY_NAMES if f in page], name


# --- Small-number suppression on board outputs -------------------------------------------------


def test_board_pdf_hides_small_numbers_the_managers_page_shows_them(
    world,
    settings,
    eager_celery,
    django_capture_on_commit_callbacks,
) -> None:
    """Usk: first contact 3 of 5 in time. The PDF prints "<5 / 5" and no percentage."""
    settings.REPORT_SUPPRESS_BELOW = 5
    manager = login(world.manager_b)
    page = manager.get(card_url(f"team-{world.usk.pk}")).content.decode()
    cells = measure_cells(page)
    assert cells["first_contact"][1:] == ("60%", "3 / 5")
    assert cells["referrals_received"][1] == "5"
    assert "Counts below" not in page  # the manager's page is not suppressed

    # The board reads the PDF of the published figures (it sees no live figures).
    query = card_url(f"team-{world.usk.pk}").split("?", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"{reverse('reporting:publish')}?{query}")
    build = ReportBuild.objects.get(published__isnull=False)
    assert build.status == BuildStatus.DONE
    text = pdf_text(
        login(world.board_b).get(reverse("reporting:build_pdf", args=[build.pk])).content
    )

    assert 'Counts below 5 are shown as "<5"' in text
    assert "First contact with the referrer in time" in text
    assert "<5 / 5" in text
    assert not re.search(r"(?<!Page )\b3 / 5", text)  # "Page 3 / 5" is the footer
    # 3/5 first contact, 3/5 goals, 3/5 assessed: all hidden. The card now also prints the
    # all-teams figure beside each measure (_comparison.html); its reviews on time are 6 / 10,
    # counts of 5 or more, so "All teams: 60% (6 / 10)" is shown by the same rule and is not
    # Usk's 3 / 5.
    assert not re.search(r"(?<!All teams: )60%", text)
    assert "All teams: 60% (6 / 10)" in text
    assert "Families worked with" in text
    # Counts of 5 or more are printed as they are; hours are not counts.
    assert re.search(r"Referrals received Referrals received in the period 5\b", text), text[:600]
    assert re.search(r"Hours of direct work .{0,80}? 13\b", text)

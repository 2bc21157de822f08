"""The interface in Welsh, in a real browser (issue 17).

Signed out, the sign-in page is switched to Cymraeg with the switcher; the manager signs in
and the pages stay in Welsh (their choice is remembered). A referral page and a case page
are walked: every text node and every aria-label, title and placeholder is collected, the
data the test put there (names, places, reference lists, dates, numbers) is dropped, and
none of what is left may be an English message of the catalogue whose Welsh differs.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.cases.journey import Stage, make_case
from tests.factories import PASSWORD
from tests.i18n.po import CATALOGUES, active

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

COLLECT_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest("script, style, template, [lang=en]")) { continue; }
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (text) { out.push(text); }
  }
  document.querySelectorAll("[aria-label], [title], [placeholder]").forEach((el) => {
    if (el.closest("[lang=en]")) { return; }
    for (const name of ["aria-label", "title", "placeholder"]) {
      const value = (el.getAttribute(name) || "").trim();
      if (value) { out.push(value); }
    }
  });
  out.push(document.title.trim());
  return out;
}"""

# Dates, times, numbers, postcodes, references: data, whatever the language.
DATA_SHAPES = re.compile(
    r"^[\d\s.,:/%()+\-–·]*$|^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$|^\d{1,2} \w+ \d{4}( \d\d:\d\d)?$"
)


def english_messages() -> set[str]:
    """The catalogue's English messages whose Welsh differs (no placeholders)."""
    out = set()
    for path in CATALOGUES:
        for entry in active(path):
            if entry.msgid_plural or "%(" in entry.msgid or not entry.msgstrs:
                continue
            if entry.msgstrs[0] and entry.msgstrs[0] != entry.msgid:
                out.add(entry.msgid.strip())
    return out


def data_values() -> set[str]:
    """Every name the records hold: people, families, users, teams, places, coded lists."""
    from accounts.models import LocalAuthority, Team, User
    from families.models import Family, Person
    from reference import models as reference
    from referrals.models import Referral

    values: set[str] = set()
    for person in Person.objects.all():
        values |= {person.first_name, person.last_name, person.full_name}
    values |= set(Family.objects.values_list("name", flat=True))
    for user in User.objects.all():
        values |= {user.username, user.get_full_name(), str(user)}
    values |= set(Team.objects.values_list("name", flat=True))
    values |= set(LocalAuthority.objects.values_list("name", flat=True))
    for model in (
        reference.Substance,
        reference.LegalStatus,
        reference.ScreeningOutcome,
        reference.ScreeningReason,
        reference.ReferralRoute,
        reference.PresentingIssue,
    ):
        values |= {str(row) for row in model.objects.all()}
    for referral in Referral.objects.all():
        values |= {
            referral.referrer_name,
            referral.referrer_agency,
            referral.referrer_team,
            referral.referrer_role,
            referral.reason_for_referral,
        }
    return {v.strip() for v in values if v}


def english_left(page, english: set[str], data: set[str]) -> list[str]:
    texts = page.evaluate(COLLECT_TEXT)
    leaks = []
    for text in texts:
        if text in data or DATA_SHAPES.match(text):
            continue
        bare = text.rstrip(":").strip()
        if text in english or bare in english:
            leaks.append(text)
    return sorted(set(leaks))


def test_a_referral_and_a_case_in_welsh_show_no_english_interface_text(
    page, live_server, team_a, manager, practitioner, referrer
) -> None:
    from playwright.sync_api import expect

    journey = make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage=Stage.PHASE2,
        phase1_ended_days_ago=45,
        reviews_held=1,
        family_name="Pritchard family",
    )

    # Signed out: switch the sign-in page to Welsh.
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_test_id("language-switcher").get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mewngofnodi")

    page.locator("input[name=username]").fill(manager.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Mewngofnodi", exact=True).click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Croeso, "))).to_be_visible()
    manager.refresh_from_db()
    assert manager.language == "cy"  # remembered

    english = english_messages()
    data = data_values()
    assert "Household" in english and "Sign in" in english  # the check can catch a leak

    pages = {
        "referral": reverse("referrals:detail", args=[journey.referral.pk]),
        "case": reverse("cases:detail", args=[journey.case.pk]),
    }
    found = {}
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        found[name] = english_left(page, english, data)
    assert found == {"referral": [], "case": []}, found

    # And back to English with the switcher, on the case page.
    page.get_by_test_id("language-switcher").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(re.escape(pages["case"]) + "$"))

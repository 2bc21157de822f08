"""Language choice and outputs that follow the reader (issue 17, Welsh):

- a user's language is remembered: chosen with the switcher before signing in, it is
  saved on sign-in and comes back in another browser; the settings page changes it;
- each notification and email is written in its recipient's language;
- the Family Plan prints in the family's language (the lead carer's), or bilingually;
- each family member's preferred language and the Welsh Active Offer are recorded from
  the referral form, refused when they do not make sense, and shown on the family's pages.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from families.language import side_by_side
from families.models import Person
from notifications.models import Notification
from reviews.documents import render_family_plan_pdf, render_review_report_pdf
from tests.cases.journey import Stage, make_case
from tests.factories import PASSWORD
from tests.referrals.post_data import referral_post

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, user) -> None:
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=False
    )
    assert response.status_code == 302, response.content.decode()[:500]


def _html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_the_switcher_is_on_the_sign_in_page_and_switches_it_to_welsh() -> None:
    client = Client()
    page = client.get(reverse("login"))
    assert 'data-testid="language-switcher"' in page.content.decode()
    assert _html_lang(page) == "en"

    response = client.post(reverse("set_language"), {"language": "cy", "next": reverse("login")})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="cy">' in page
    assert "Mewngofnodi" in page  # "Sign in"


def test_the_choice_made_before_signing_in_is_remembered_across_sign_ins(referrer) -> None:
    assert referrer.language == ""
    first = Client()
    first.post(reverse("set_language"), {"language": "cy", "next": "/"})
    _sign_in(first, referrer)
    referrer.refresh_from_db()
    assert referrer.language == "cy"

    # Another browser, no cookie, an English-speaking browser: still Welsh once signed in.
    other = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en")
    assert _html_lang(other.get(reverse("login"))) == "en"
    _sign_in(other, referrer)
    home = other.get(reverse("home"))
    assert _html_lang(home) == "cy"
    assert "Croeso" in home.content.decode()  # "Welcome, ..."
    assert other.cookies["django_language"].value == "cy"


def test_the_switcher_saves_the_signed_in_users_choice(practitioner) -> None:
    client = Client()
    client.force_login(practitioner)
    client.post(reverse("set_language"), {"language": "cy", "next": reverse("home")})
    practitioner.refresh_from_db()
    assert practitioner.language == "cy"
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    practitioner.refresh_from_db()
    assert practitioner.language == "en"
    assert _html_lang(client.get(reverse("home"))) == "en"


def test_the_settings_page_changes_the_language(practitioner) -> None:
    from notifications import services

    client = Client()
    client.force_login(practitioner)
    url = reverse("notifications:preferences")
    assert 'name="language"' in client.get(url).content.decode()
    response = client.post(url, {**services.channels_of(practitioner), "language": "cy"})
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.language == "cy"
    assert _html_lang(client.get(url)) == "cy"

    refused = client.post(url, {**services.channels_of(practitioner), "language": "fr"})
    assert refused.status_code == 200
    practitioner.refresh_from_db()
    assert practitioner.language == "cy"


def test_a_next_off_the_site_is_not_followed() -> None:
    response = Client().post(
        reverse("set_language"), {"language": "cy", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_each_notification_and_email_is_in_its_recipients_language(
    team_a,
    manager,
    practitioner,
    referrer,
    celery_eager,
    settings,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    practitioner.language = "cy"
    practitioner.email = "ymarferydd@example.org"
    practitioner.save()
    manager.language = "en"
    manager.save()
    mail.outbox.clear()

    journey = make_case(team_a, manager, practitioner, referrer, stage=Stage.AWAITING_ASSESSMENT)

    welsh = Notification.objects.get(recipient=practitioner, kind="allocation")
    with translation.override("cy"):
        reference = str(journey.case.reference)
    assert welsh.subject == f"Achos newydd wedi'i ddyrannu: {reference}"
    # The email is sent by a worker once the allocation commits (never, in this test's
    # transaction): send it as the worker does.
    from notifications.services import send_notification_email_now

    assert send_notification_email_now(notification_id=welsh.pk)
    email = next(m for m in mail.outbox if m.to == ["ymarferydd@example.org"])
    assert email.subject == welsh.subject
    assert "Agorwch ef:" in email.body and "Open it:" not in email.body
    # The manager who allocated (English) was told of the referral in English.
    english = Notification.objects.filter(recipient=manager, kind="new_referral").first()
    if english is not None:
        assert english.subject.startswith("New referral for")


@pytest.fixture
def journey(team_a, manager, practitioner, referrer):
    return make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage=Stage.PHASE2,
        phase1_ended_days_ago=45,
        reviews_held=1,
    )


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _lang(pdf: bytes) -> str:
    return str(PdfReader(io.BytesIO(pdf)).trailer["/Root"].get("/Lang", ""))


def test_the_family_plan_prints_in_the_lead_carers_language(journey) -> None:
    plan = journey.plans[0]
    english = _text(render_family_plan_pdf(plan))
    assert "Family Plan" in english and "Cynllun Teulu" not in english

    Person.objects.filter(pk=journey.adult.pk).update(language="cy")
    pdf = render_family_plan_pdf(plan)
    welsh = _text(pdf)
    assert "Cynllun Teulu" in welsh
    assert "Our goals" not in welsh
    assert _lang(pdf) in ("cy", "")  # WeasyPrint sets /Lang from <html lang> when it can


def test_the_bilingual_family_plan_has_both_languages_side_by_side(journey, manager) -> None:
    plan = journey.plans[0]
    text = _text(render_family_plan_pdf(plan, "both"))
    for english, welsh in [
        ("Family Plan", "Cynllun Teulu"),
        ("Our goals", "Ein nodau"),
        ("Signatures", "Llofnodion"),
    ]:
        assert english in text and welsh in text, (english, welsh)
    # Through the print link, as a manager opens it.
    client = Client()
    client.force_login(manager)
    response = client.get(reverse("cases:plan_pdf", args=[plan.pk]) + "?lang=both")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Cynllun Teulu" in _text(response.content)
    # An unknown choice is the family's language, not an error.
    response = client.get(reverse("cases:plan_pdf", args=[plan.pk]) + "?lang=xx")
    assert response.status_code == 200


def test_side_by_side_pairs_each_section_in_its_own_language() -> None:
    from django.utils.translation import gettext as _

    def render() -> str:
        return (
            '<html lang="x"><head></head><body><h1>T</h1>'
            f"<h2>{_('Family Plan')}</h2><p>a</p><div class='s'><h2>{_('Signatures')}</h2></div>"
            "</body></html>"
        )

    html = side_by_side(render)
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    assert len(rows) == 3
    assert (
        'lang="cy"><h2>Cynllun Teulu</h2>' in rows[1]
        and 'lang="en"><h2>Family Plan</h2>' in rows[1]
    )
    assert html.startswith('<html lang="x">') or 'lang="cy"' in html


def test_the_review_report_prints_in_the_familys_language(journey) -> None:
    from reviews.models import Review

    review = Review.objects.filter(case=journey.case, held_on__isnull=False).first()
    Person.objects.filter(pk=journey.adult.pk).update(language="cy")
    welsh = _text(render_review_report_pdf(review))
    assert "Cynnydd" in welsh  # "Progress"
    both = _text(render_review_report_pdf(review, "both"))
    assert "Progress" in both and "Cynnydd" in both


# --- Family members: preferred language and the Active Offer ------------------------------


def _post_referral(client: Client, team, extra: dict) -> object:
    return client.post(reverse("referrals:new"), referral_post(team=team, **extra))


def test_a_members_language_and_active_offer_are_saved_and_shown(
    referrer,
    manager,
    team_a,
    celery_eager,
) -> None:
    client = Client()
    client.force_login(referrer)
    offered = timezone.localdate() - timedelta(days=2)
    response = _post_referral(
        client,
        team_a,
        {
            "members-0-language": "cy",
            "members-0-active_offer": "made",
            "members-0-active_offer_on": offered.isoformat(),
            "members-0-active_offer_by": "Rhian Social-Worker",
            "members-1-language": "en",
            "members-1-active_offer": "not_made",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mother = Person.objects.get(first_name="Carys")
    assert (mother.language, mother.active_offer) == ("cy", "made")
    assert (mother.active_offer_on, mother.active_offer_by) == (offered, "Rhian Social-Worker")
    child_row = Person.objects.get(first_name="Dylan")
    assert (child_row.language, child_row.active_offer) == ("en", "not_made")
    from referrals.models import ReferredMember

    snapshot = ReferredMember.objects.get(first_name="Carys")
    assert (snapshot.language, snapshot.active_offer, snapshot.active_offer_on) == (
        "cy",
        "made",
        offered,
    )
    # Shown on the referral (the family's household).
    manager_client = Client()
    manager_client.force_login(manager)
    page = manager_client.get(response["Location"]).content.decode()
    assert "Active Offer made" in page and "Rhian Social-Worker" in page
    assert "Active Offer not made" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"members-0-active_offer": "", "members-0-active_offer_on": "2026-01-05"},
            "active_offer_on",
            "Give a date only when the Active Offer was made.",
        ),
        (
            {"members-0-active_offer": "made", "members-0-active_offer_on": "2999-01-05"},
            "active_offer_on",
            "The Active Offer cannot be made in the future.",
        ),
        (
            {"members-0-active_offer": "not_made", "members-0-active_offer_by": "Someone"},
            "active_offer_by",
            "Say who made the offer only when the Active Offer was made.",
        ),
        ({"members-0-language": "fr"}, "language", "Select a valid choice."),
        ({"members-0-active_offer": "maybe"}, "active_offer", "Select a valid choice."),
    ],
)
def test_an_active_offer_that_does_not_make_sense_is_refused(
    referrer, team_a, fields, field, message
) -> None:
    client = Client()
    client.force_login(referrer)
    response = _post_referral(client, team_a, fields)
    assert response.status_code == 200
    assert message.split(" %(")[0].replace("'", "&#x27;") in response.content.decode()
    assert not Person.objects.exists()

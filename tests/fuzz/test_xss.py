"""Script payloads typed into every free-text field are shown as text, never as markup.

One family is walked through the real forms from referral to closure with a payload in
every free-text field on the way: family name, address, reason, referrer's details,
members' names and ethnicity, decision explanation, waiting-list notes, Safety Plan,
decision notes, contact notes, goal title and levels, Family Plan, consent, review,
booster, closure notes and override reason. Every page that shows them is fetched, and
the raw payload must never be in the HTML while its escaped form is. The PDFs (Family
Plan, review report, subject access summary) and notification emails must be produced,
with the payload in them as text.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from cases.forms import FRAMEWORK_FIELDS
from cases.models import Case, FamilyPlan
from families.models import Person
from notifications.models import Notification
from notifications.services import send_notification_email_now
from outcomes.models import Goal
from reference.models import (
    ClosureReason,
    GoalCategory,
    OnwardService,
    ScreeningOutcome,
    ScreeningReason,
)
from referrals.models import Referral, WaitingListEntry
from reviews.models import Review
from tests.referrals.post_data import adult, child, referral_post
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

from .harness import login

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
# All three in one (75 characters: it fits every free-text field but the phone number).
PAYLOAD = f"{SCRIPT}{IMG} {JS_URL}"
# What must never reach a page as it was typed.
RAW = [SCRIPT, IMG.lstrip('">')]
# Attributes that would run a javascript: URL the user typed.
JS_ATTRIBUTE = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def minute() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class Pages:
    """Fetches pages and checks each for the payload; remembers what it fetched."""

    def __init__(self, payload: str) -> None:
        self.payload = payload
        self.escaped = str(escape(payload))

    def check_html(self, url: str, html: str) -> None:
        if url.startswith("/reviews/"):
            # Known bug, pinned in test_found_bugs.py: the review form's help text is the
            # goal's level-0 text, unescaped. Only that occurrence is let through.
            html = html.replace(f"0 = {self.payload} 0<", "<")
        for raw in RAW:
            assert raw not in html, f"{url}: {raw!r} is in the page unescaped"
        assert str(escape(self.escaped)) not in html, f"{url}: the payload is escaped twice"
        assert not JS_ATTRIBUTE.search(html), f"{url}: a javascript: URL in an attribute"

    def get(self, client: Client, url: str, *, shows: bool | str = True, **params: str) -> str:
        """GET a page that shows the payload (escaped), or `shows` (a page that truncates)."""
        response = client.get(url, params)
        assert response.status_code == 200, f"GET {url} -> {response.status_code}"
        html = response.content.decode()
        self.check_html(url, html)
        if shows:
            expected = self.escaped if shows is True else shows
            assert expected in html, f"{url}: the payload is not shown (escaped)"
        return html

    def post(self, client: Client, url: str, data: dict, *, status: int = 302) -> str:
        response = client.post(url, data)
        html = response.content.decode()
        assert response.status_code == status, (
            f"POST {url} -> {response.status_code}: {html[:2000] if status != 302 else ''}"
        )
        if response.status_code == 200:
            self.check_html(url, html)
        return html

    def pdf(self, client: Client, url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, f"GET {url} -> {response.status_code}"
        assert response["Content-Type"] == "application/pdf"
        return self.pdf_text(response.content, url)

    def pdf_text(self, content: bytes, url: str) -> str:
        assert content.startswith(b"%PDF"), url
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        # Escaped, the payload is printed as text; as markup it would vanish or be an image.
        assert "alert(1)" in text, f"{url}: the payload is not printed as text"
        return text


def test_payloads_in_every_free_text_field_are_shown_escaped(
    team_a, referrer, manager, practitioner, settings
) -> None:
    payload = PAYLOAD
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    p = Pages(payload)
    ref, mgr, wkr = login(referrer), login(manager), login(practitioner)
    team_a.booster_limit = 0  # the booster needs a manager's reason, which the page shows
    team_a.save(update_fields=["booster_limit"])

    # --- The referral ------------------------------------------------------------------
    person = {"first_name": payload, "last_name": payload, "ethnicity": payload}
    fields = {
        "family_name": payload,
        "address": f"1 {payload} Road\n{payload}",
        "reason_for_referral": payload,
        "referrer_name": payload,
        "referrer_role": payload,
        "referrer_team": payload,
        "referrer_agency": payload,
        "referrer_phone": IMG,
        "members": [adult(**person), child(**person)],
    }
    # A draft, and a form sent back with an error, show what was typed.
    p.post(ref, reverse("referrals:new"), referral_post(team=team_a, action="draft", **fields))
    p.get(ref, reverse("referrals:drafts"))
    draft = ref.get(reverse("referrals:drafts")).context["drafts"][0]
    p.get(ref, reverse("referrals:draft", args=[draft.pk]))
    p.post(
        ref,
        reverse("referrals:new"),
        referral_post(team=team_a, referrer_email="not an email", **fields),
        status=200,
    )
    p.post(ref, reverse("referrals:new"), referral_post(team=team_a, **fields))
    referral = Referral.objects.get(family__name=payload)
    detail = reverse("referrals:detail", args=[referral.pk])
    p.get(ref, detail)
    p.get(ref, reverse("home"))
    p.get(mgr, reverse("referrals:screening"))
    p.get(mgr, reverse("referrals:list"))
    p.get(mgr, reverse("referrals:list"), q=payload)
    p.get(mgr, reverse("referrals:decide", args=[referral.pk]))
    p.post(
        mgr,
        reverse("referrals:first_contact", args=[referral.pk]),
        {
            "version": str(Referral.objects.get(pk=referral.pk).version),
            "contacted_at": minute(),
            "spoken_to": payload[:120],
            "method": "phone",
            "note": payload,
        },
    )
    p.get(mgr, detail)
    p.get(mgr, reverse("notifications:list"))
    p.get(mgr, reverse("home"), shows=False)

    # --- Screening: on the waiting list, then allocated -----------------------------------
    no_space = ScreeningOutcome.objects.get(code="no-space")
    p.post(
        mgr,
        reverse("referrals:decide", args=[referral.pk]),
        {
            "version": str(Referral.objects.get(pk=referral.pk).version),
            "outcome": str(no_space.pk),
            "reason": str(ScreeningReason.objects.filter(outcome=no_space).first().pk),
            "detail": payload,
            "priority": "2",
        },
    )
    entry = WaitingListEntry.objects.current().get(referral=referral)
    p.post(
        mgr,
        reverse("referrals:waiting_edit", args=[entry.pk]),
        {"priority": "1", "notes": payload, "version": str(entry.version)},
    )
    p.get(mgr, reverse("referrals:waiting_list"))
    p.get(mgr, reverse("referrals:waiting_edit", args=[entry.pk]))
    p.get(mgr, detail)
    p.post(
        mgr,
        reverse("referrals:allocate", args=[referral.pk]),
        {
            "version": str(Referral.objects.get(pk=referral.pk).version),
            "worker": str(practitioner.pk),
        },
    )
    case = Case.objects.get(referral=referral)
    page = reverse("cases:detail", args=[case.pk])

    def version() -> str:
        return str(Case.objects.get(pk=case.pk).version)

    # --- Assessment and Phase 1 -------------------------------------------------------
    p.post(wkr, reverse("cases:start_assessment", args=[case.pk]), {"started_at": minute()})
    assessment = case.assessment
    p.post(
        wkr,
        reverse("cases:assessment", args=[case.pk]),
        {
            "version": str(assessment.version),
            "completed_at": minute(),
            "hours_spent": "8",
            "safety_plan": payload,
            "safety_plan_agreed_on": timezone.localdate().isoformat(),
            **{
                name: payload
                for name in FRAMEWORK_FIELDS
                if name != "readiness"  # a choice, not free text
            },
        },
    )
    p.get(wkr, reverse("cases:assessment", args=[case.pk]))
    p.post(
        wkr,
        reverse("cases:decide", args=[case.pk]),
        {"version": version(), "decision": "proceed", "notes": payload},
    )
    people = list(Person.objects.filter(family=case.family).order_by("kind"))
    p.post(
        wkr,
        reverse("cases:add_contact", args=[case.pk]),
        {
            "started_at": minute(),
            "duration_minutes": "60",
            "mode": "home_visit",
            "work_type": "direct",
            "people_seen": [str(x.pk) for x in people],
            "notes": payload,
        },
    )
    goal = {
        "title": payload,
        "category": str(GoalCategory.objects.first().pk),
        "members": [str(people[0].pk)],
        "baseline": "-1",
        **{f"level_{n}": f"{payload} {n}" for n in ("minus2", "minus1", "0", "plus1", "plus2")},
    }
    # Sent back with an error, then saved.
    p.post(wkr, reverse("outcomes:add_goal", args=[case.pk]), {**goal, "baseline": "9"}, status=200)
    p.post(wkr, reverse("outcomes:add_goal", args=[case.pk]), goal)
    plan = {
        "needs": payload,
        "service_actions": payload,
        "invited_services": [str(OnwardService.objects.first().pk)],
        "agreed_on": timezone.localdate().isoformat(),
        "agreed_with": payload,
    }
    p.post(wkr, reverse("cases:add_plan", args=[case.pk]), plan)
    p.get(wkr, reverse("cases:add_plan", args=[case.pk]))
    p.post(
        wkr,
        reverse("families:consent", args=[case.family_id]),
        {
            "person": str(people[0].pk),
            "topic": "sharing",
            "agreed": "yes",
            "who_may_be_told": payload,
            "recorded_on": timezone.localdate().isoformat(),
            "notes": payload,
        },
    )
    p.get(wkr, reverse("families:consent", args=[case.family_id]))
    p.get(wkr, page)
    p.get(wkr, reverse("cases:mine"))
    p.get(wkr, reverse("home"))
    p.get(mgr, reverse("cases:list"))
    p.get(mgr, reverse("cases:list"), q=payload, shows=False)
    p.get(mgr, reverse("reminders:due"))
    p.get(wkr, reverse("notifications:list"))

    # --- Phase 2 ------------------------------------------------------------------------
    # Phase 1 ends short of the model: the worker asks, the manager signs off.
    end_url = reverse("cases:end_phase1", args=[case.pk])
    ending = {
        "version": version(),
        "ended_on": timezone.localdate().isoformat(),
        f"goal_{Goal.objects.get(case=case).pk}": "0",
        "outcomes_missing_reason": payload,
    }
    p.post(wkr, end_url, {**ending, "action": "request", "early_reason": payload})
    p.get(wkr, page)
    p.get(mgr, reverse("cases:list"))
    p.get(mgr, reverse("cases:phase1_signoff", args=[case.pk]))
    p.post(
        mgr, reverse("cases:phase1_signoff", args=[case.pk]), {"approved": "yes", "note": payload}
    )
    p.get(wkr, end_url)
    p.post(wkr, end_url, {**ending, "version": version()})
    p.get(wkr, page)
    review = Review.objects.filter(case=case).order_by("due_on").first()
    p.post(
        wkr,
        reverse("reviews:record", args=[review.pk]),
        {
            "version": str(review.version),
            "held_on": timezone.localdate().isoformat(),
            "attendees": payload,
            "progress": payload,
            "children_wellbeing": payload,
            "plan_still_fit": "yes",
            "outside_window_reason": payload,
            f"goal_{Goal.objects.get(case=case).pk}": "0",
        },
    )
    p.get(wkr, reverse("reviews:record", args=[review.pk]))
    review.refresh_from_db()
    p.get(wkr, reverse("reviews:report", args=[review.pk]))  # the preview
    p.post(
        wkr,
        reverse("reviews:report", args=[review.pk]),
        {"version": str(review.version), "action": "send"},
    )
    p.post(
        mgr,
        reverse("reviews:add_booster", args=[case.pk]),
        {
            "requested_by": "family",
            "requested_on": timezone.localdate().isoformat(),
            "delivered_by": str(practitioner.pk),
            "delivered_on": timezone.localdate().isoformat(),
            "duration_minutes": "60",
            "notes": payload,
            "over_limit_reason": payload,
        },
    )
    p.pdf(wkr, reverse("cases:plan_pdf", args=[FamilyPlan.objects.get(case=case).pk]))
    p.pdf(wkr, reverse("reviews:report_pdf", args=[review.pk]))
    p.get(ref, detail)  # the referrer sees the review report listed

    # --- Closure ----------------------------------------------------------------------
    p.post(
        wkr,
        reverse("cases:close", args=[case.pk]),
        {
            "version": version(),
            "reason": str(ClosureReason.objects.get(code="disengaged").pk),
            "closed_on": timezone.localdate().isoformat(),
            "substance_change": "reduced",
            "notes": payload,
            f"child_{people[1].pk}": "stayed_home",
            "measures_missing_reason": payload,
        },
    )
    p.post(
        mgr,
        reverse("cases:override", args=[case.pk]),
        {"successful": "yes", "reason": payload, "version": "1"},
    )
    html = p.get(mgr, page)
    assert p.escaped in html.split("overridden by", 1)[-1], "the override reason is not shown"
    p.get(mgr, reverse("cases:list"), stage="open", shows=False)
    p.get(mgr, reverse("audit:log"), shows=str(escape(SCRIPT)))  # truncated to 60
    p.get(mgr, reverse("privacy:subject_access"), name=payload, shows=False)
    p.get(ref, reverse("notifications:list"))

    # --- Documents: the subject access export and the notification emails -------------
    export = mgr.post(reverse("privacy:subject_access_export", args=[people[0].pk]))
    assert export.status_code == 200, export.status_code
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        p.pdf_text(archive.read("summary.pdf"), "subject access summary.pdf")
        assert json.loads(archive.read("data.json"))["family"]["name"] == payload
    for notification in Notification.objects.filter(emailed_at__isnull=True):
        send_notification_email_now(notification_id=notification.pk)
    assert mail.outbox, "no notification email was sent"
    for message in mail.outbox:
        for body, kind in message.alternatives:
            assert kind == "text/html"
            p.check_html(f"email {message.subject!r}", body)

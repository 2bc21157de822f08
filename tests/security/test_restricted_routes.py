"""Issue 13: restrictions and the referrer's wall hold on every route, proved by walking the
URL resolver rather than a list of pages.

- A restricted family (its case, the case's children, a re-referral, a waiting-list entry,
  feedback and a complaint): every route of the project, its ids filled with these records,
  is asked by a manager of the same team and a worker who are not named on the restriction.
  None may answer 200 with the family's name or a member's name in the body.
- A referrer (another agency) whose referral a manager linked to a family the referrer did
  not refer: every route, filled with that family's records and the referrer's own
  referral, must show none of the family's data; nor may the duplicate check.

A route added to the project is walked automatically. If it takes ids this test cannot fill,
it fails with a message: add the route to KWARGS (with the restricted records it shows) or to
NO_FAMILY_RECORD with the reason it cannot show a family.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.access_matrix import World, build_world

pytestmark = pytest.mark.django_db

FAMILY = "Xandrelle family"
SECRETS = (FAMILY, "Xandrelle", "Ysoldeen", "7 Zennor Row")


@dataclass
class Restricted:
    world: World
    journey: Any  # the restricted family's Phase 2 case (tests.cases.journey.Journey)
    closed: Any  # a restricted, closed case (a closure to override)
    rereferral: Any  # a new referral of the restricted family, awaiting screening
    waiting: Any  # a waiting-list entry of the restricted family
    linked: Any  # another referrer's referral, linked by the manager to the family
    feedback: Any
    complaint: Any

    @property
    def case(self) -> Any:
        return self.journey.case


def _referrals(r: Restricted) -> list[dict]:
    return [
        {"pk": pk}
        for pk in (r.case.referral_id, r.rereferral.pk, r.waiting.referral_id, r.linked.pk)
    ]


def _case(r: Restricted) -> list[dict]:
    return [{"pk": r.case.pk}, {"pk": r.closed.case.pk}]


def _decisions(r: Restricted) -> list[dict]:
    from referrals.models import ScreeningDecision

    decisions = ScreeningDecision.all_versions.filter(referral__family=r.case.family)
    return [{"decision_pk": pk} for pk in decisions.values_list("pk", flat=True)]


# URL name -> the kwargs of every restricted record it is asked about.
KWARGS: dict[str, Callable[[Restricted], list[dict]]] = {
    "referrals:waiting_edit": lambda r: [{"pk": r.waiting.pk}],
    "referrals:detail": _referrals,
    "referrals:decide": _referrals,
    "referrals:first_contact": _referrals,
    "referrals:allocate": _referrals,
    "referrals:link_family": _referrals,
    "referrals:apply_update": _referrals,
    "cases:detail": _case,
    "cases:start_assessment": _case,
    "cases:assessment": _case,
    "cases:decide": _case,
    "cases:add_contact": _case,
    "cases:add_plan": _case,
    "cases:plan_pdf": lambda r: [{"plan_pk": p.pk} for p in r.journey.plans],
    "cases:end_phase1": _case,
    "cases:finish_step_down": _case,
    "cases:close": _case,
    "cases:phase1_signoff": _case,
    "cases:override": _case,
    "cases:restrict": _case,
    "outcomes:add_goal": _case,
    "outcomes:add_reading": _case,
    "outcomes:services": _case,
    "outcomes:record_services": lambda r: [
        {"pk": r.case.pk, "person_pk": person.pk, "occasion": occasion}
        for person in (r.journey.adult, r.journey.child)
        for occasion in ("before", "after")
    ],
    "reviews:record": lambda r: [{"pk": v.pk} for v in r.case.reviews.all()],
    "reviews:report_pdf": lambda r: [{"pk": v.pk} for v in r.case.reviews.all()],
    "reviews:report": lambda r: [{"pk": v.pk} for v in r.case.reviews.all()],
    "reviews:add_booster": _case,
    "reviews:correct": lambda r: [{"review_pk": v.pk} for v in r.case.reviews.all()],
    "reviews:withdraw": lambda r: [{"review_pk": v.pk} for v in r.case.reviews.all()],
    "cases:corrections": _case,
    "cases:correct_contact": lambda r: [{"contact_pk": c.pk} for c in r.case.contacts.all()],
    "cases:withdraw_contact": lambda r: [{"contact_pk": c.pk} for c in r.case.contacts.all()],
    "outcomes:correct_goal": lambda r: [{"goal_pk": g.pk} for g in r.journey.goals],
    "outcomes:withdraw_goal": lambda r: [{"goal_pk": g.pk} for g in r.journey.goals],
    "outcomes:correct_reading": lambda r: [{"reading_pk": x.pk} for x in r.journey.readings],
    "outcomes:withdraw_reading": lambda r: [{"reading_pk": x.pk} for x in r.journey.readings],
    "referrals:correct_decision": _decisions,
    "referrals:withdraw_decision": _decisions,
    "families:consent": lambda r: [{"pk": r.case.family_id}, {"pk": r.closed.case.family_id}],
    "privacy:subject_access_export": lambda r: [
        {"person_pk": p.pk} for p in r.case.family.members.all()
    ],
    "privacy:anonymise": lambda r: [{"pk": r.closed.case.family_id}],
    "reporting:export": lambda r: [{"fmt": "csv"}, {"fmt": "xlsx"}],
    "datareturn:download": lambda r: [{"fmt": "csv"}, {"fmt": "xlsx"}],
    "teamwork:feedback_edit": lambda r: [{"pk": r.feedback.pk}],
    "teamwork:feedback_delete": lambda r: [{"pk": r.feedback.pk}],
    "teamwork:complaint_edit": lambda r: [{"pk": r.complaint.pk}],
    "teamwork:complaint_delete": lambda r: [{"pk": r.complaint.pk}],
}

# Routes with ids that can never show a family: the reason each is safe to leave unfilled.
NO_FAMILY_RECORD: dict[str, str] = {
    "referrals:draft": "a draft is its owner's own typing, never a recorded family",
    "referrals:draft_delete": "a draft is its owner's own typing, never a recorded family",
    "notifications:open": "a user's own notification; who is notified is tested separately",
    "reporting:build": "a report card build: aggregate figures only",
    "reporting:build_pdf": "a report card build: aggregate figures only",
    "reporting:published_card": "a published report card: aggregate figures only",
    "reporting:published_export": "a published report card's figures: aggregates only",
    "reporting:target": "a team's baseline and target for a measure: no family",
    "imports:template": "the blank import template: no record at all",
    "imports:run": "a history import of the manager's own team: the spreadsheet's rows",
    "imports:confirm": "confirms a history import of the manager's own team (POST)",
    "teamwork:consultation_edit": "a consultation names no family or case",
    "teamwork:consultation_delete": "a consultation names no family or case",
    "teamwork:training_edit": "a training session names no family or case",
    "teamwork:training_delete": "a training session names no family or case",
    "api:client": "a partner client (system administrators only) names no family",
    "api:token_issue": "a partner client's token names no family",
    "api:token_revoke": "a partner client's token names no family",
    "api:receipt": "a client's own referral, by token only (a session gets 401): its status",
    "api:team_figures": "published figures: aggregates, by token only (a session gets 401)",
}

# Query strings every route without ids is also asked with: the searches look for the family
# (by a part of its name: a search box that shows what was typed is no leak).
SEARCH = {"q": "Xandrell", "name": "Xandrell", "family": "Xandrell"}


def _routes(patterns, namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # superusers only (tests/security/test_url_matrix.py)
            ns = ":".join(filter(None, [namespace, p.namespace])) or None
            yield from _routes(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            if str(p.pattern).startswith(settings.STATIC_URL.lstrip("/")):
                continue
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name or f"<unnamed URL {p.pattern}>", set(p.pattern.converters)


ROUTES = sorted(_routes(get_resolver().url_patterns), key=lambda item: item[0])


def urls_for(r: Restricted, name: str, params: set[str]) -> list[str]:
    if not params:
        return [reverse(name)]
    if name in KWARGS and name not in NO_FAMILY_RECORD:
        filled = KWARGS[name](r)
        assert filled, f"{name}: the restricted family has no record to fill it with"
    assert name in KWARGS or name in NO_FAMILY_RECORD, (
        f"{name} takes ids ({sorted(params)}) this test cannot fill: add it to KWARGS in "
        f"{__name__} with the restricted records it shows, or to NO_FAMILY_RECORD with why it "
        "never shows a family"
    )
    if name in NO_FAMILY_RECORD:
        return []
    return [reverse(name, kwargs=kwargs) for kwargs in KWARGS[name](r)]


# --- the world ------------------------------------------------------------------------------


def _build() -> Restricted:
    from accounts.models import Role
    from cases.pathway import Stage
    from cases.services import restrict_case
    from families.models import Person
    from referrals import services as referral_services
    from teamwork.models import Complaint, Feedback
    from tests.cases.journey import make_case
    from tests.factories import (
        MembershipFactory,
        PersonFactory,
        ReferralFactory,
        UserFactory,
        WaitingListEntryFactory,
    )
    from tests.referrals.test_services import make_data, mother

    world = build_world()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        worker2 = UserFactory(username="mx_practitioner2")
        MembershipFactory(user=worker2, team=world.team_a, role=Role.PRACTITIONER)
    world.extra["practitioner2"] = worker2
    manager, worker = world.users["manager"], world.users["practitioner"]
    referrer = world.users["referrer"]

    journey = make_case(
        world.team_a,
        manager,
        worker,
        referrer,
        stage=Stage.PHASE2,
        family_name=FAMILY,
        goals=1,
        contacts=1,
        readings=1,
        plans=1,
        reviews_held=1,
        boosters=1,
    )
    closed = make_case(
        world.team_a, manager, worker, referrer, stage=Stage.CLOSED, family_name=FAMILY
    )
    for j in (journey, closed):
        family = j.case.family
        family.address = "7 Zennor Row"
        family.postcode = "NP16 5HT"
        family.save(update_fields=["address", "postcode"])
        for person in Person.objects.filter(family=family):
            person.last_name = "Xandrelle"
            person.save(update_fields=["last_name"])
        PersonFactory(family=family, first_name="Ysoldeen", last_name="Xandrelle")
        restrict_case(case_id=j.case.pk, user=manager, restricted=True, people=[])
    family = journey.case.family
    rereferral = ReferralFactory(team=world.team_a, family=family, created_by=referrer)
    waiting = WaitingListEntryFactory(
        referral__team=world.team_a, referral__family=family, referral__created_by=referrer
    )
    # Another agency refers a family at the same postcode (typed its own way); the manager
    # links it to the restricted family and applies nothing.
    other = world.extra["other_referrer"]
    data = make_data(
        world.team_a,
        family_name="Typedname family",
        address="Flat 2",
        postcode="np165ht",
        members=[mother(first_name="Typedadult", last_name="Typed")],
    )
    data.members.append(
        referral_services.MemberData(
            kind="child",
            first_name="Typedchild",
            last_name="Typed",
            relationship="child",
            date_of_birth=date(2019, 1, 1),
        )
    )
    linked = referral_services.submit_referral(user=other, data=data, submission_key=uuid.uuid4())
    referral_services.link_referral_to_family(
        referral_id=linked.pk, user=manager, family_id=family.pk
    )
    linked.refresh_from_db()
    feedback = Feedback.objects.create(
        case=journey.case,
        given_by="family",
        received_on=date.today(),
        positive=True,
        comments="Ysoldeen was pleased",
    )
    complaint = Complaint.objects.create(
        team=world.team_a,
        case=journey.case,
        received_on=date.today(),
        summary="Xandrelle family complained",
    )
    return Restricted(
        world=world,
        journey=journey,
        closed=closed,
        rereferral=rereferral,
        waiting=waiting,
        linked=linked,
        feedback=feedback,
        complaint=complaint,
    )


SESSIONS: dict[str, str] = {}
WHO = {
    "manager2": "a manager of the team not named on the restriction",
    "practitioner2": "a worker of the team not named on the restriction",
    "csw": "the team's consultant social worker, not named",
    "other_referrer": "a referrer whose referral was linked to the family",
}


@pytest.fixture(scope="module")
def restricted(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            r = _build()
            users = {**r.world.users, **r.world.extra}
            with override_settings(SESSION_COOKIE_AGE=60 * 60 * 24):
                for role in [*WHO, "manager"]:
                    client = Client()
                    client.force_login(users[role])
                    SESSIONS[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            yield r
        finally:
            SESSIONS.clear()
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def handler(restricted):
    return Client().handler


def client_for(handler, role: str) -> Client:
    client = Client()
    client.handler = handler
    client.cookies[settings.SESSION_COOKIE_NAME] = SESSIONS[role]
    return client


def leaks(response) -> list[str]:
    if response.status_code != 200:
        return []
    if response.get("Content-Type", "").startswith("text/html") or response.get(
        "Content-Type", ""
    ).startswith("text/"):
        body = response.content.decode(errors="replace")
    else:
        body = response.content.decode("latin-1")
    return [s for s in SECRETS if s in body]


def walk(r: Restricted, client: Client, name: str, params: set[str]) -> list[str]:
    found = []
    for url in urls_for(r, name, params):
        asks = [client.get(url), client.post(url, {})]
        if not params:
            asks.append(client.get(url, SEARCH))
        for response in asks:
            for secret in leaks(response):
                found.append(f"{response.request['REQUEST_METHOD']} {url}: {secret!r}")
    return found


# --- the walks --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager2", "practitioner2", "csw"])
@pytest.mark.parametrize(("name", "params"), ROUTES, ids=[n for n, _p in ROUTES])
def test_no_route_shows_a_restricted_family_to_staff_not_named_on_it(
    restricted, handler, role: str, name: str, params: set[str]
):
    found = walk(restricted, client_for(handler, role), name, params)
    assert not found, f"{name} shows the restricted family to {WHO[role]}: {found}"


@pytest.mark.parametrize(("name", "params"), ROUTES, ids=[n for n, _p in ROUTES])
def test_no_route_shows_a_referrer_a_family_they_did_not_refer(
    restricted, handler, name: str, params: set[str]
):
    found = walk(restricted, client_for(handler, "other_referrer"), name, params)
    assert not found, f"{name} shows the referrer a family they did not refer: {found}"


def test_the_walk_is_not_vacuous(restricted, handler):
    """The control: a named manager does see the family on its pages, so the walks above
    would notice a leak."""
    client = client_for(handler, "manager")
    for name in ("cases:detail", "referrals:detail"):
        (url, *_rest) = urls_for(restricted, name, {"pk"})
        assert FAMILY in client.get(url).content.decode(), name
    assert (
        "Typedname family"
        in client_for(handler, "other_referrer")
        .get(reverse("referrals:detail", args=[restricted.linked.pk]))
        .content.decode()
    )


def test_every_route_with_ids_is_filled_or_explained():
    names = {name for name, params in ROUTES if params}
    unknown = sorted(names - set(KWARGS) - set(NO_FAMILY_RECORD))
    assert not unknown, f"routes with ids this test cannot fill: {unknown}"
    stale = sorted((set(KWARGS) | set(NO_FAMILY_RECORD)) - names)
    assert not stale, f"entries for routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", ["manager2", "practitioner2", "other_referrer"])
def test_the_duplicate_check_never_shows_the_restricted_family(restricted, handler, role: str):
    from tests.referrals.post_data import referral_post

    client = client_for(handler, role)
    response = client.post(
        reverse("referrals:new"),
        referral_post(team=restricted.world.team_a, postcode="np16 5ht", family_name="Probe"),
    )
    assert response.status_code in (200, 302)
    assert not leaks(response)
    if response.status_code == 302:
        assert not leaks(client.get(response["Location"]))

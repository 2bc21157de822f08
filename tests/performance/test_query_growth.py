"""Every GET route × every role, on two sizes of data: no page's query count grows with
the data, and none runs more than QUERY_BUDGET queries (issue 15).

The routes are read from the URL resolver, the Django admin's included, so a new route is
walked without being listed here. Each is asked for with the ids of the access matrix's
world (tests/security/access_matrix.py: URL_KWARGS) or, for the admin, of a row of the
admin's model; a route this test cannot fill ids for fails unless ALLOWED says why.

Sizes: the matrix's world, then the same world with about four times the records (more
referrals, waiting families, cases at every stage, notifications, team activity, and a
longer history for the world's own case and family). Every route is first asked for once
to warm what a running server has warm (templates, content types), then counted at the
small size and at the large size; a route whose count is higher at the large size is asked
for again before it fails, so a one-off (a stored figure refreshed after the data changed)
is not taken for growth. The admin's routes are walked as the administrator: the admin
sends everyone else to its login page before any of its views runs.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection, reset_queries, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.security.access_matrix import ROLES, URL_KWARGS, World, build_world

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 15
# Pages whose one INSERT of view entries is written only once they name a family's record:
# the smaller world's log may name none. One query more, once, whatever the size after.
INSERT_ONCE = {"audit:log"}
SIGNED_IN = [r for r in ROLES if r != "anonymous"]
# Searches, asked for with a term as well as bare (issue 15: they grew with the data): the
# route -> the query string, from the world. Walked as "<route>?search".
SEARCHES = {
    "privacy:subject_access": lambda w: f"name={w.journey.adult.last_name[:3]}",
    "audit:log": lambda w: f"actor={w.users['practitioner'].username}",
}

# Routes this test does not ask for, each with the reason.
ALLOWED: dict[str, str] = {
    "admin:view_on_site": "redirects to the record's own page, which is walked itself",
    "admin:<unnamed URL (?P<url>.*)$>": "the admin's catch-all: a redirect or 404, no page",
    "admin:<unnamed URL <path:object_id>/>": "redirects an old change URL to the change page",
    # The partner API answers a client's bearer token, not a signed-in role (401 without
    # one): its queries are pinned in tests/api.
    "api:receipt": "a partner client's receipt, by its token (tests/api)",
    "api:team_figures": "a partner client's figures, by its token (tests/api)",
}


def _routes(patterns, namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) or None
            yield from _routes(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            if str(p.pattern).startswith(settings.STATIC_URL.lstrip("/")):
                continue
            name = p.name or f"<unnamed URL {p.pattern}>"
            yield f"{namespace}:{name}" if namespace else name


def every_route() -> list[str]:
    return sorted(set(_routes(get_resolver().url_patterns)))


def admin_models() -> dict[str, tuple[type, str]]:
    """Each registered model's admin route names -> (model, action)."""
    from django.apps import apps

    routes = {}
    for model in apps.get_models():
        if admin.site.is_registered(model):
            prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
            for action in ("changelist", "add", "change", "delete", "history"):
                routes[prefix + action] = (model, action)
    return routes


def kwargs_for(name: str, world: World) -> dict[str, object] | None:
    """The kwargs to reverse a route with; None when this test cannot fill them."""
    if name in URL_KWARGS:
        return URL_KWARGS[name](world)
    models = admin_models()
    if name in models:
        model, action = models[name]
        if action in ("changelist", "add"):
            return {}
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        return None if pk is None else {"object_id": pk}
    if name == "admin:app_list":
        return {"app_label": "cases"}
    if name in ("admin:otp_totp_totpdevice_config", "admin:otp_totp_totpdevice_qrcode"):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        return {"pk": TOTPDevice.objects.values_list("pk", flat=True).first()}
    if name == "admin:auth_user_password_change":
        return {"id": world.users["practitioner"].pk}
    try:
        reverse(name)
    except NoReverseMatch:
        return None
    return {}


def add_team_rows(world: World, team, manager, worker, referrer, tag: str) -> None:
    """One more of each kind of a team's records: a referral awaiting screening, a family
    waiting, cases at every stage (one closed long ago), team activity, and a caseworker."""
    import time_machine

    from accounts.models import Membership, Role
    from cases.pathway import Stage
    from teamwork.models import Consultation, TrainingSession
    from tests.cases.journey import make_case
    from tests.factories import ReferralFactory, UserFactory, WaitingListEntryFactory

    today = timezone.localdate()
    helper = UserFactory(username=f"growth_{tag}")
    Membership.objects.create(user=helper, team=team, role=Role.PRACTITIONER)
    referrer = referrer or helper
    ReferralFactory(team=team, created_by=referrer)
    WaitingListEntryFactory(referral__team=team, referral__created_by=referrer)
    for stage, who in [
        (Stage.AWAITING_ASSESSMENT, helper),
        (Stage.PHASE1, worker),
        (Stage.PHASE2, worker),
        (Stage.CLOSED, helper),
    ]:
        make_case(
            team,
            manager,
            who,
            referrer,
            stage=stage,
            goals=2,
            contacts=2,
            plans=None if stage == Stage.PHASE1 else 1,
            reviews_held=1 if stage in (Stage.PHASE2, Stage.CLOSED) else 0,
        )
    with time_machine.travel(timezone.now() - timedelta(days=365 * 8 + 30), tick=False):
        make_case(team, manager, worker, referrer, stage=Stage.CLOSED)
    Consultation.objects.create(
        team=team, held_on=today, asked_by="A health visitor", agency="Health", topic="Sleep"
    )
    TrainingSession.objects.create(team=team, course="Growth", held_on=today, attendees=3)


def referral_rows(world: World) -> None:
    """The world's referral as the survey's busiest ones are (issue 15): a re-referral of its
    family with the household as referred (their substances), screening decisions, updates
    applied to the family's record, and the earlier referral."""
    from reference.models import Substance
    from referrals.models import FamilyUpdate, ReferredMember, ScreeningDecision
    from tests.factories import ReferralFactory, reason

    users, referral, now = world.users, world.referral, timezone.now()
    earlier = ReferralFactory(
        team=world.team_a,
        family=referral.family,
        created_by=users["referrer"],
        received_at=now - timedelta(days=400),
    )
    referral.is_rereferral, referral.previous_referral = True, earlier
    referral.family_name = referral.family.name
    referral.save(update_fields=["is_rereferral", "previous_referral", "family_name"])
    substances = list(Substance.objects.all()[:2])
    person = referral.family.members.first()
    for n in range(3):
        member = ReferredMember.objects.create(
            referral=referral,
            person=person if n == 0 else None,
            kind="adult",
            first_name=f"Referred{n}",
            last_name="Jones",
            relationship="mother",
        )
        member.substances.set(substances)
    why = reason("accepted")
    ScreeningDecision.objects.create(
        referral=earlier,
        outcome=why.outcome,
        reason=why,
        decided_by=users["manager"],
        decided_at=now - timedelta(days=399),
    )
    for n in range(2):
        ScreeningDecision.objects.create(
            referral=referral,
            outcome=why.outcome,
            reason=why,
            decided_by=users["manager"],
            decided_at=now - timedelta(hours=n + 1),
        )
    for n in range(2):
        FamilyUpdate.objects.create(
            referral=referral,
            family=referral.family,
            field=f"family:field{n}",
            label="Address",
            before="1 High Street",
            after="2 High Street",
            applied_by=users["manager"],
            applied_at=now,
        )


def team_b_rows(world: World, tag: str) -> None:
    users = world.users
    add_team_rows(
        world,
        world.team_b,
        users["other_team_manager"],
        users["other_team_practitioner"],
        None,
        tag,
    )


def grow(world: World, copies: int = 3) -> None:
    """Add `copies` more of everything the world has (about four times the rows), and a
    longer history for the world's own case and family."""
    from accounts.models import Membership, Role
    from cases.models import ContactMode, WorkType
    from cases.services import ContactData, record_contact
    from outcomes.services import add_goal
    from teamwork.models import Complaint, Feedback
    from tests.cases.journey import goal_data
    from tests.factories import (
        NotificationFactory,
        PersonFactory,
        ReferralDraftFactory,
        TeamFactory,
        UserFactory,
    )

    users, case, today = world.users, world.case, timezone.localdate()
    for i in range(copies):
        add_team_rows(
            world, world.team_a, users["manager"], users["practitioner"], users["referrer"], f"a{i}"
        )
        team_b_rows(world, f"b{i}")
        # More teams, each with its manager, caseworkers and cases (the administrator's load
        # tables and data return read every team's: issue 15).
        team = TeamFactory(name=f"Growth team {i}")
        manager = UserFactory(username=f"growth_manager{i}")
        Membership.objects.create(user=manager, team=team, role=Role.MANAGER)
        add_team_rows(world, team, manager, manager, None, f"t{i}")
        Feedback.objects.create(case=case, given_by="family", received_on=today, positive=False)
        Complaint.objects.create(team=world.team_a, case=case, received_on=today, summary="x")
        ReferralDraftFactory(owner=users["referrer"], title=f"Draft {i}")
        for user in users.values():
            NotificationFactory(recipient=user, url="/")
        # The world's own case and family: more people, contacts and goals.
        PersonFactory(family=case.family, first_name=f"Growth{i}")
        for n in range(3):
            record_contact(
                case_id=case.pk,
                user=users["practitioner"],
                data=ContactData(
                    started_at=timezone.now() - timedelta(hours=i * 5 + n + 1),
                    duration_minutes=30,
                    mode=ContactMode.PHONE,
                    work_type=WorkType.DIRECT,
                    out_of_hours=False,
                    people_seen=[world.journey.adult],
                    methods=[],
                    notes=f"Growth contact {i}.{n}",
                ),
            )
        add_goal(case_id=case.pk, user=users["practitioner"], data=goal_data(i + 2))


def admin_rows(world: World) -> None:
    """One row of each model the admin shows that the matrix's world has none of, so that
    every change, delete and history page of the admin is walked."""
    from axes.models import AccessAttempt, AccessFailureLog
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from outcomes.models import Instrument, Occasion, Reading, ServiceOccasion, ServiceUse
    from outcomes.services import ReadingData, record_reading
    from reminders.models import Kind, Reminder, Step
    from reporting.models import Narrative
    from reviews.models import Requester
    from reviews.services import record_booster
    from tests.factories import UserFactory

    users, case, today = world.users, world.case, timezone.localdate()
    Group.objects.create(name="Query growth")
    AccessAttempt.objects.create(
        username="someone", ip_address="127.0.0.1", user_agent="x", failures_since_start=1
    )
    AccessFailureLog.objects.create(username="someone", ip_address="127.0.0.1", user_agent="x")
    # Someone else's devices: a user of the walk with one must pass the second factor.
    owner = UserFactory(username="device_owner")
    StaticDevice.objects.create(user=owner, name="backup")
    TOTPDevice.objects.create(user=owner, name="phone")
    # A reading for the admin's reading pages (the world may hold one already).
    if not Reading.objects.filter(
        person=world.journey.adult, instrument=Instrument.WEMWBS, occasion=Occasion.START
    ).exists():
        record_reading(
            case_id=case.pk,
            user=users["practitioner"],
            data=ReadingData(
                person=world.journey.adult,
                instrument=Instrument.WEMWBS,
                occasion=Occasion.START,
                taken_on=today,
                total=40,
            ),
        )
    ServiceUse.objects.create(
        case=case,
        person=world.journey.adult,
        occasion=ServiceOccasion.BEFORE,
        recorded_on=today,
        recorded_by=users["practitioner"],
    )
    Reminder.objects.create(
        team=world.team_a,
        item_type="case",
        item_id=case.pk,
        kind=Kind.ASSESSMENT,
        step=Step.DUE,
        due_at=timezone.now(),
    )
    Narrative.objects.create(
        scope_key=f"team-{world.team_a.pk}",
        period_start=today - timedelta(days=90),
        period_end=today,
        updated_by=users["manager"],
    )
    record_booster(
        case_id=case.pk,
        user=users["practitioner"],
        requested_by=Requester.FAMILY,
        requested_on=today,
        delivered_by=users["practitioner"],
        delivered_on=today,
        duration_minutes=60,
    )


# role -> session key, signed in once per module
SESSIONS: dict[str, str] = {}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            admin_rows(world)
            referral_rows(world)
            team_b_rows(world, "b")  # team B's staff see rows of theirs at the small size too
            # Signed in as tests/conftest.py's settings have it: no second factor asked for
            # (a module fixture runs before that function fixture).
            with override_settings(
                SESSION_COOKIE_AGE=60 * 60 * 24, TWO_FACTOR_ROLES=[], TWO_FACTOR_FOR_ADMINS=False
            ):
                for role, user in world.users.items():
                    client = Client()
                    client.force_login(user)
                    SESSIONS[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            yield world
        finally:
            SESSIONS.clear()
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def count_queries(client: Client, url: str) -> tuple[int, int]:
    # The connection keeps the last 9000 queries a context logged, and a context counts the
    # log's growth: once full, every page counted none. Each count starts from an empty log.
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries)


def test_no_route_grows_with_the_data_or_passes_the_budget(world: World, settings):
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    # A signed-in session is written (3 queries) once a minute at most, by whichever page
    # comes then (accounts.middleware.SessionRenewalMiddleware; its writes are tested in
    # tests/accounts/test_session.py). The walk takes longer than a minute, so without this
    # a page picked by the clock counts 3 queries more: CI failed on a 13-query page so.
    settings.SESSION_TOUCH_SECONDS = 10**10

    # Content types are read once per process and kept (ContentTypeManager's cache): warm
    # it as a running server is, so the first page naming a model does not count its
    # one-off lookup as growth.
    ContentType.objects.get_for_models(*apps.get_models())
    handler = Client().handler

    def client_for(role: str) -> Client:
        client = Client()
        client.handler = handler
        client.cookies[settings.SESSION_COOKIE_NAME] = SESSIONS[role]
        return client

    clients = {role: client_for(role) for role in SIGNED_IN}
    urls, unfilled = {}, []
    for name in every_route():
        if name in ALLOWED:
            continue
        kwargs = kwargs_for(name, world)
        if kwargs is None:
            unfilled.append(name)
        else:
            urls[name] = reverse(name, kwargs=kwargs)
    assert not unfilled, f"routes with no ids to ask for (fill them or add to ALLOWED): {unfilled}"
    for name, query in SEARCHES.items():
        urls[f"{name}?search"] = f"{urls[name]}?{query(world)}"

    def roles_for(name: str) -> list[str]:
        # The admin site sends every user but staff to its own login page before any of its
        # views runs (tests/security/test_url_matrix.py::test_django_admin): its routes are
        # walked as the administrator.
        return ["admin"] if name.startswith("admin:") else SIGNED_IN

    for url in urls.values():  # what a running server has warm (templates, content types)
        clients["admin"].get(url)
    small = {}
    for name, url in urls.items():
        for role in roles_for(name):
            small[name, role] = count_queries(clients[role], url)
    grow(world)
    failures = []
    for (name, role), (status, before) in small.items():
        status_after, after = count_queries(clients[role], urls[name])
        if after > before:
            status_after, after = count_queries(clients[role], urls[name])
        if after > before + (1 if name.split("?")[0] in INSERT_ONCE else 0):
            failures.append(f"{name} as {role}: {before} -> {after} queries (grows)")
        if after > QUERY_BUDGET:
            failures.append(f"{name} as {role}: {after} queries (> {QUERY_BUDGET})")
        if status_after != status:
            failures.append(f"{name} as {role}: status {status} -> {status_after}")
    assert not failures, "\n".join(failures)


def test_allowed_routes_exist():
    assert not set(ALLOWED) - set(every_route()), "ALLOWED names routes that are gone"

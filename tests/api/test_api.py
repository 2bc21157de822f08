"""The partner API: tokens, scopes and teams, referrals with the form's rules and a
receipt to poll, published figures suppressed as on board outputs, reference lists,
rate limits and problem+json errors, and every call audited (issue 20)."""

from __future__ import annotations

import inspect
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.models import ApiCall
from api.views import AuditedView
from reference.models import ScreeningOutcome
from referrals.models import Referral, ReferralStatus
from referrals.services import decide_referral
from reporting.periods import previous_quarter, quarter_containing
from reporting.queries import team_scope
from tests.api.support import _fresh_rate_limits, api, child, make_client, member, referral_json  # noqa: F401
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def partner(team_a):
    return make_client([team_a])


def submit(key: str, body: dict):
    return api(key).post(reverse("api:submit_referral"), body, content_type="application/json")


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


# --- referrals ----------------------------------------------------------------------------


def test_a_referral_submitted_through_the_api_reads_its_decision(partner, team_a, manager):
    client, key = partner
    response = submit(key, referral_json(team_a))
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert receipt["status"] == "submitted"
    assert receipt["outcome"] is None and receipt["decided"] is None
    referral = Referral.objects.get(submission_key=receipt["receipt"])
    assert referral.team == team_a and referral.created_by == client.user
    assert referral.household.count() == 2

    accepted = ScreeningOutcome.objects.get(code="accepted")
    decision = decide_referral(
        referral_id=referral.pk, user=manager, outcome=accepted, reason=accepted.reasons.first()
    )

    polled = api(key).get(reverse("api:receipt", args=[receipt["receipt"]]))
    assert polled.status_code == 200
    assert polled.json() == {
        "receipt": receipt["receipt"],
        "status": ReferralStatus.ACCEPTED,
        "status_label": "Accepted: awaiting allocation",
        "received": receipt["received"],
        "outcome": str(accepted),
        "decided": decision.decided_at.date().isoformat(),
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda: {"consent_date": None}, "consent_date", "Give the date the family consented."),
        (
            lambda: {"members": [member(), child(date_of_birth=None)]},
            "members[1].date_of_birth",
            "Give the child's date of birth.",
        ),
        (
            lambda: {"members": [member(), member(first_name="Huw", relationship="father")]},
            "members",
            "Add at least one child or unborn child.",
        ),
        (
            lambda: {"members": [member(), child(substances=member()["substances"])]},
            "members[1].substances",
            "Substances are recorded for adults.",
        ),
        (lambda: {"consent_date": "2999-01-01"}, "consent_date", "cannot be in the future"),
    ],
)
def test_a_referral_gets_the_web_forms_messages(partner, team_a, change, field, message):
    _client, key = partner
    body = assert_problem(submit(key, referral_json(team_a, **change())), 400)
    assert any(message in m for m in body["errors"][field]), body
    assert not Referral.objects.exists()


def test_the_shape_of_a_referral_is_checked_before_the_form(partner, team_a):
    _client, key = partner
    body = assert_problem(submit(key, {"team": "north", "members": "none"}), 400)
    assert {"team", "members", "family_name"} <= set(body["errors"])
    assert_problem(submit(key, ["not", "an", "object"]), 400)
    response = api(key).post(
        reverse("api:submit_referral"), "{not json", content_type="application/json"
    )
    assert_problem(response, 400)


def test_a_client_refers_only_to_its_teams(partner, team_b):
    _client, key = partner
    body = assert_problem(submit(key, referral_json(team_b)), 400)
    assert "team" in body["errors"]
    assert not Referral.objects.exists()


def test_the_same_submission_key_gives_the_same_receipt(partner, team_a):
    _client, key = partner
    body = referral_json(team_a, submission_key=str(uuid.uuid4()))
    first = submit(key, body)
    again = submit(key, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["receipt"] == again.json()["receipt"] == body["submission_key"]
    assert Referral.objects.count() == 1
    # Another client reusing that key learns nothing of the first referral.
    _other, other_key = make_client([partner[0].teams.get()])
    assert_problem(submit(other_key, body), 409)


def test_a_receipt_is_its_clients_alone(partner, team_a, referrer):
    _client, key = partner
    receipt = submit(key, referral_json(team_a)).json()["receipt"]
    _other, other_key = make_client([team_a])
    assert_problem(api(other_key).get(reverse("api:receipt", args=[receipt])), 404)
    assert_problem(api(key).get(reverse("api:receipt", args=[uuid.uuid4()])), 404)


# --- authentication, scopes, rate limits --------------------------------------------------


@pytest.mark.parametrize("name", ["api:submit_referral", "api:figures", "api:reference"])
@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Bearer ifss_abc_def", "Basic x"])
def test_without_a_good_token_every_call_is_refused(name, header, client):
    headers = {"Authorization": header} if header else {}
    method = client.post if name == "api:submit_referral" else client.get
    response = method(reverse(name), {}, content_type="application/json", headers=headers)
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert body["title"] == "Unauthorized"


def test_a_revoked_token_is_refused(partner, admin_user):
    from api.services import revoke_token

    client, key = partner
    assert api(key).get(reverse("api:reference")).status_code == 200
    revoke_token(token_id=client.tokens.get().pk, by=admin_user)
    assert_problem(api(key).get(reverse("api:reference")), 401)


def test_a_client_without_the_scope_gets_404(team_a):
    _reader, reader_key = make_client([team_a], referrals=False)
    assert_problem(submit(reader_key, referral_json(team_a)), 404)
    assert_problem(api(reader_key).get(reverse("api:receipt", args=[uuid.uuid4()])), 404)
    _referrer, referrer_key = make_client([team_a], figures=False)
    assert_problem(api(referrer_key).get(reverse("api:figures")), 404)
    assert_problem(
        api(referrer_key).get(reverse("api:team_figures", args=[team_a.pk, "2026Q1"])), 404
    )


def test_each_client_has_its_own_rate_limit(team_a):
    _slow, slow_key = make_client([team_a], per_minute=2)
    _other, other_key = make_client([team_a], per_minute=2)
    for _ in range(2):
        assert api(slow_key).get(reverse("api:reference")).status_code == 200
    response = api(slow_key).get(reverse("api:reference"))
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert api(other_key).get(reverse("api:reference")).status_code == 200


def test_the_rate_limit_is_counted_where_every_process_sees_it(team_a, requires_redis):
    """With Redis configured the count is in Redis, not in one process's memory: another
    process's connection sees the same calls, so several gunicorn workers give a client its
    limit once, not once each."""
    from django.conf import settings
    from django.core.cache.backends.redis import RedisCache

    from api.throttling import ClientRateThrottle

    client, key = make_client([team_a], per_minute=2)
    for _ in range(2):
        assert api(key).get(reverse("api:reference")).status_code == 200
    conf = settings.CACHES["api_throttle"]
    another_process = RedisCache(conf["LOCATION"], conf)
    ident = f"{client.pk}-{client.created_at.timestamp():.6f}"
    counted = another_process.get(
        ClientRateThrottle.cache_format % {"scope": "api_client", "ident": ident}
    )
    assert counted is not None and len(counted) == 2
    cache.clear()  # this process's memory is not where the count lives
    assert_problem(api(key).get(reverse("api:reference")), 429)


# --- figures and reference lists ----------------------------------------------------------


def _publish(team, period):
    """Publish the team's card as its manager would (frozen from then on)."""
    from reporting.services import publish_card
    from tests.factories import UserFactory

    admin = UserFactory(username=f"publisher-{team.pk}", is_superuser=True)
    return publish_card(user=admin, scope=team_scope(team), period=period, basis="events")


def test_published_figures_are_the_clients_teams_and_suppressed(
    partner, team_a, team_b, manager, practitioner, referrer, settings
):
    from api.figures import quarter_key
    from tests.cases.journey import make_case

    settings.REPORT_SUPPRESS_BELOW = 5
    period = quarter_containing(timezone.localdate() - timedelta(days=1))
    q = quarter_key(period.start)
    make_case(team_a, manager, practitioner, referrer)  # one family: 1, printed as "<5"
    _publish(team_a, period)
    _publish(team_b, period)
    _client, key = partner

    listed = api(key).get(reverse("api:figures")).json()
    assert [(row["team"], row["quarter"]) for row in listed] == [(team_a.pk, q)]

    figures = api(key).get(reverse("api:team_figures", args=[team_a.pk, q]))
    assert figures.status_code == 200
    data = figures.json()
    assert data["suppressed_below"] == 5
    assert data["throughput"][0]["team"] == team_a.name
    cells = data["throughput"][0]["cells"]
    assert cells["referrals"] == {"n": "<5", "pct": ""}
    assert all(c["n"] in ("0", "<5") for c in cells.values()), cells
    assert data["measures"] and {"code", "value", "numerator", "denominator"} <= set(
        data["measures"][0]
    )

    unpublished = quarter_key(previous_quarter(period).start)
    for team_id, asked in [
        (team_b.pk, q),  # another team's
        (team_a.pk, unpublished),
        (team_a.pk, "2026Q9"),
        (team_a.pk, "soon"),
        (10**12, q),
    ]:
        assert_problem(api(key).get(f"/api/v1/figures/{team_id}/{asked}/"), 404)


def test_a_client_reads_the_figures_as_published_until_a_revision_is(
    partner, team_a, manager, practitioner, referrer, settings
):
    """Records entered after publication never change what a client reads for that quarter;
    a revision does, with its number and reason (issue 16's frozen cards, issue 20)."""
    from api.figures import quarter_key
    from reporting.services import publish_revision
    from tests.cases.journey import make_case

    settings.REPORT_SUPPRESS_BELOW = None
    period = quarter_containing(timezone.localdate() - timedelta(days=1))
    url = reverse("api:team_figures", args=[team_a.pk, quarter_key(period.start)])
    make_case(team_a, manager, practitioner, referrer)
    first = _publish(team_a, period)
    _client, key = partner

    def referrals() -> str:
        return api(key).get(url).json()["throughput"][0]["cells"]["referrals"]["n"]

    published = api(key).get(url).json()
    assert (published["revision"], published["revision_reason"]) == (0, "")
    assert referrals() == "1"

    make_case(team_a, manager, practitioner, referrer)  # a second family, entered later
    assert referrals() == "1", "a published quarter changed without a revision"
    assert [r["revision"] for r in api(key).get(reverse("api:figures")).json()] == [0]

    publish_revision(
        user=manager,
        scope=team_scope(team_a),
        period=period,
        basis="events",
        revision=first.revision,
        reason="A referral received in the quarter was entered late.",
    )
    revised = api(key).get(url).json()
    assert (revised["revision"], revised["revision_reason"]) == (
        1,
        "A referral received in the quarter was entered late.",
    )
    assert referrals() == "2"
    assert [r["revision"] for r in api(key).get(reverse("api:figures")).json()] == [1]


def test_reference_lists(partner, team_a):
    _client, key = partner
    data = api(key).get(reverse("api:reference")).json()
    assert data["teams"] == [{"id": team_a.pk, "name": team_a.name}]
    assert {"id", "code", "name"} == set(data["presenting_issues"][0])
    assert {"code": "adult", "name": "Adult"} in data["member_kinds"]


# --- every call is audited ----------------------------------------------------------------


def _api_routes(resolver: URLResolver | None = None, namespace: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            yield from _api_routes(entry, f"{namespace}{inner}:" if inner else namespace)
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "cls"):
            yield f"{namespace}{entry.name}", entry.callback.cls


# Every DRF route of the project, with the arguments to call it.
ROUTES = {
    "api:submit_referral": ("post", []),
    "api:receipt": ("get", [uuid.UUID(int=1)]),
    "api:figures": ("get", []),
    "api:team_figures": ("get", [1, "2026Q1"]),
    "api:reference": ("get", []),
    "api:schema": ("get", []),
    "api:docs": ("get", []),
    "api:no_such_route": ("get", []),
}


def test_every_api_route_is_audited_and_listed_here() -> None:
    routes = dict(_api_routes())
    assert set(routes) == set(ROUTES)
    for name, view in routes.items():
        assert issubclass(view, AuditedView), name
        assert "finalize_response" not in vars(view), f"{name} bypasses the audit"
        assert inspect.getmro(view).index(AuditedView) < inspect.getmro(view).index(
            AuditedView.__mro__[1]
        )


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_call_is_kept_with_who_what_when_and_status(name, partner, admin_user):
    client, key = partner
    method, args = ROUTES[name]
    url = reverse(name, args=args)
    caller = api(key)
    if name == "api:docs":  # the docs are for signed-in staff, not for clients
        caller = api(None)
        caller.force_login(admin_user)
    response = getattr(caller, method)(url, {}, content_type="application/json")
    call = ApiCall.objects.get()
    assert (call.method, call.path, call.status) == (method.upper(), url, response.status_code)
    assert call.at is not None
    if name == "api:docs":
        assert call.user == admin_user and call.client is None
    else:
        assert call.client == client
    # A call without a token is kept too, with nobody as its client.
    ApiCall.objects.all().delete()
    getattr(api(None), method)(url, {}, content_type="application/json")
    if name != "api:docs":  # (the docs send anonymous visitors to the sign-in page)
        assert ApiCall.objects.get().client is None

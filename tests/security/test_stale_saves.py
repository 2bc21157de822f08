"""Every edit form refuses a stale save, and shows the other person's change (issue 13,
finding 7).

Edit routes are found, not listed: every page of the project is opened by every role that
may see it (the access matrix's world), and every POST form on it is read. A form that
carries a `version` is an edit form; the route it posts to is walked below. A form that
posts without a version must be listed in NOT_AN_EDIT with the reason it cannot overwrite
anyone's change (it creates a new row, or acts on the user's own account): a new edit form
without a version check fails test_every_form_is_versioned_or_listed.

For each edit route: two managers of the team (A and B) load the form; B saves a change;
A then saves the form loaded before it. A's save must be refused with the stale message,
the page must show B's change, and the record must still hold B's change. A route found
here needs a scenario only when the form's own values are not a valid save, or a record in
a particular state is needed; otherwise its first text area is what B and A change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from cases.models import Case
from tests.security.access_matrix import MATRIX, ROLES, World
from tests.security.test_url_matrix import as_role, handler, world  # noqa: F401 - fixtures
from tests.security.walk import post_forms, url_of

pytestmark = pytest.mark.django_db

# The stale messages: another person's save, or the same form sent twice, or an entry
# already amended or withdrawn by another person (cases.amendments.check_current).
STALE = ("Someone else", "have already been saved", "by someone else")
A, B = "manager", "manager2"  # two managers of team A

# Routes that take a POST from a form without a version, and why that cannot overwrite
# another person's change.
NOT_AN_EDIT = {
    "set_language": (
        "the signed-in user's own language choice (a switcher on every page): the last choice "
        "is the one wanted, and it changes no record anyone else edits"
    ),
    "login": "signs in; no record",
    "password_change": "the user's own password",
    "two_factor_setup": "the user's own second factor",
    "two_factor_verify": "the user's own second factor",
    "referrals:new": "creates a referral (a one-time submission key stops a double submit)",
    "cases:phase1_signoff": (
        "decides a pending request once; a second decision is refused, the request being no "
        "longer pending"
    ),
    "api:client_new": "creates a partner client",
    "api:token_issue": "issues a new token (a new row, shown once)",
    "api:token_revoke": "revoking is final and idempotent: a second revoke changes nothing",
    "reporting:publish": (
        "creates the first published card of a quarter; the service refuses a second (a later "
        "change is a revision, reporting:revision, which is versioned)"
    ),
    "referrals:draft": "a draft is its owner's alone: nobody else can save it",
    "referrals:draft_delete": "a draft is its owner's alone",
    "cases:start_assessment": "creates the assessment; a second start is refused by its stage",
    "cases:add_contact": "creates a contact",
    "cases:add_plan": "creates a new numbered plan; the earlier plans are kept",
    "outcomes:add_goal": "creates a goal",
    "outcomes:add_reading": "creates a reading",
    "reviews:add_booster": "creates a booster session",
    "families:consent": "creates a consent record; earlier ones are kept",
    "privacy:anonymise": "an action on the whole family, refused unless it is due",
    "notifications:open": "the user's own notification",
    "notifications:read_all": "the user's own notifications",
    "notifications:preferences": "the user's own choices, all sent at once (the last wins)",
    "reporting:recompute": "queues the figures; no record is typed",
    "reporting:request_pdf": "queues a PDF; no record is typed",
    "teamwork:consultation_new": "creates a record (a one-time submission key)",
    "teamwork:training_new": "creates a record (a one-time submission key)",
    "teamwork:feedback_new": "creates a record (a one-time submission key)",
    "teamwork:complaint_new": "creates a record (a one-time submission key)",
    "teamwork:consultation_delete": "deletes; the confirmation page shows the record",
    "teamwork:training_delete": "deletes; the confirmation page shows the record",
    "teamwork:feedback_delete": "deletes; the confirmation page shows the record",
    "teamwork:complaint_delete": "deletes; the confirmation page shows the record",
    "imports:upload": "checks a file into a new import run (the dry run); writes no record",
    "imports:confirm": "confirms a checked run once; the service refuses a second confirmation",
}


@dataclass
class Scenario:
    url: str  # the page that carries the form
    b: dict[str, str | list[str]] = field(default_factory=dict)  # B's change
    a: dict[str, str | list[str]] = field(default_factory=dict)  # A's (stale) change
    shown: str = ""  # what of B's change A's refused page must show
    # Who A and B are: two managers, or for a page only an administrator has, the
    # administrator in two tabs (each tab's form carries the version it was loaded with).
    roles: tuple[str, str] = ("manager", "manager2")


def _reason(effect: str) -> tuple[str, str]:
    from reference.models import ScreeningReason

    reason = ScreeningReason.objects.filter(outcome__effect=effect).select_related("outcome")[0]
    return str(reason.outcome_id), str(reason.pk)


def _decide(w: World) -> Scenario:
    outcome, reason = _reason("accept")
    choice = {"outcome": outcome, "reason": reason}
    return Scenario(
        url_of(w, "referrals:decide"),
        b={**choice, "detail": "Changed by B"},
        a={**choice, "detail": "Changed by A"},
        shown="Accepted",
    )


def _allocate(w: World) -> Scenario:
    from django.urls import reverse

    worker, co = w.users["practitioner"], w.users["csw"]
    return Scenario(
        reverse("referrals:allocate", kwargs={"pk": w.waiting.referral.pk}),
        b={"worker": str(worker.pk)},
        a={"worker": str(co.pk)},
        shown="Allocated",
    )


def _first_contact(w: World) -> Scenario:
    # Both keep the time the form offers (now): it is after the referral was received.
    spoken = {"spoken_to": "The social worker", "method": "phone"}
    return Scenario(
        url_of(w, "referrals:detail"), b=spoken, a=spoken, shown="bi-check-circle text-success"
    )


def _services(w: World) -> Scenario:
    from reference.models import ServiceType

    first, second = ServiceType.objects.order_by("pk")[:2]
    return Scenario(
        url_of(w, "outcomes:record_services"),
        b={"services": [str(first.pk)], "none_used": ""},
        a={"services": [str(second.pk)], "none_used": ""},
        shown=first.name,
    )


def _case_at(w: World, stage: str, **kwargs) -> object:
    from tests.cases.journey import make_case

    return make_case(
        w.team_a,
        w.users["manager"],
        w.users["practitioner"],
        w.users["referrer"],
        stage=stage,
        **kwargs,
    ).case


def _proceed(w: World) -> Scenario:
    from django.urls import reverse

    case = _case_at(w, "assessment", complete_assessment=True)
    go = {"decision": "proceed", "phase1_start": ""}  # from the day the assessment ended
    return Scenario(
        reverse("cases:decide", kwargs={"pk": case.pk}),
        b={**go, "notes": "Changed by B"},
        a={**go, "notes": "Changed by A"},
        shown="Phase 1",
    )


def _end_phase1(w: World) -> Scenario:
    from django.urls import reverse

    case = _case_at(w, "phase1", plans=1)
    today = timezone.localdate().isoformat()
    return Scenario(
        reverse("cases:end_phase1", kwargs={"pk": case.pk}),
        # Short of the model: a manager ending it signs off with the reason, and the
        # missing end-of-phase scores are explained.
        b={"ended_on": today, "early_reason": "Agreed", "outcomes_missing_reason": "Not yet"},
        a={"ended_on": today, "early_reason": "Agreed", "outcomes_missing_reason": "Not yet"},
        shown="Phase 2",
    )


def _close(w: World) -> Scenario:
    from families.models import MemberKind, Person
    from reference.models import ClosureReason

    reason = str(ClosureReason.objects.values_list("pk", flat=True)[0])
    common = {
        "reason": reason,
        "substance_change": "reduced",
        # Every child's outcome is chosen, and missing closing measures are explained.
        "measures_missing_reason": "Not collected in this test",
    }
    case = Case.objects.get(pk=resolve(urlsplit(url_of(w, "cases:close")).path).kwargs["pk"])
    for child in Person.objects.filter(
        family_id=case.family_id, kind__in=[MemberKind.CHILD, MemberKind.UNBORN]
    ):
        common[f"child_{child.pk}"] = "stayed_home"
    return Scenario(
        url_of(w, "cases:close"),
        b={**common, "notes": "Changed by B"},
        a={**common, "notes": "Changed by A"},
        shown="Closed",
    )


def _restrict(w: World) -> Scenario:
    named = [str(w.users["manager"].pk)]  # A stays able to see the case
    return Scenario(
        url_of(w, "cases:restrict"),
        b={"restricted": "on", "people": named},
        a={"restricted": "", "people": []},
        shown="Restricted to",
    )


def _override(w: World) -> Scenario:
    return Scenario(
        url_of(w, "cases:override"),
        b={"successful": "yes", "reason": "Changed by B"},
        a={"successful": "no", "reason": "Changed by A"},
        shown="Changed by B",
    )


def _waiting(w: World) -> Scenario:
    return Scenario(
        url_of(w, "referrals:waiting_edit"),
        b={"notes": "Changed by B", "priority": "1"},
        a={"notes": "Changed by A", "priority": "3"},
        shown="Changed by B",
    )


def _earlier_decision(w: World) -> Scenario:
    """The latest decision sets where the referral stands and cannot be withdrawn: withdraw
    an earlier one (the world's referral was screened once; this is a decision before it)."""
    from datetime import timedelta

    from django.urls import reverse

    from referrals.models import ScreeningDecision

    d = w.decision
    earlier = ScreeningDecision.objects.create(
        **{
            f.attname: getattr(d, f.attname)
            for f in ScreeningDecision._meta.concrete_fields
            if not f.primary_key and f.name not in {"corrects", "retired_at", "retired_by"}
        }
        | {"decided_at": d.decided_at - timedelta(days=1), "version": 1}
    )
    return Scenario(
        reverse("referrals:withdraw_decision", kwargs={"decision_pk": earlier.pk}),
        b={"confirm": "on", "reason": "Changed by B"},
        a={"confirm": "on", "reason": "Changed by A"},
        shown="Changed by B",
    )


def _amend(name: str, *, withdraw: bool, **also: str) -> Callable[[World], Scenario]:
    """Correcting or withdrawing an entry (cases.amendments): B's save retires the entry
    with B's reason, so A's save of the form loaded before must be refused, showing that
    the entry was amended or withdrawn, and why. A withdrawal must be confirmed."""
    confirm = {"confirm": "on"} if withdraw else {}

    def scenario(w: World) -> Scenario:
        return Scenario(
            url_of(w, name),
            b={**confirm, **also, "reason": "Changed by B"},
            a={**confirm, **also, "reason": "Changed by A"},
            shown="Changed by B",
        )

    return scenario


AMENDMENTS = {
    **{
        name: _amend(name, withdraw=False)
        for name in (
            "cases:correct_contact",
            "outcomes:correct_goal",
            "outcomes:correct_reading",
            "referrals:correct_decision",
        )
    },
    # The review's report fields added since the world's review was held are required.
    "reviews:correct": _amend("reviews:correct", withdraw=False, children_wellbeing="Well"),
    **{
        name: _amend(name, withdraw=True)
        for name in (
            "cases:withdraw_contact",
            "outcomes:withdraw_goal",
            "outcomes:withdraw_reading",
            "reviews:withdraw",
        )
    },
    "referrals:withdraw_decision": _earlier_decision,
}


def _record_review(w: World) -> Scenario:
    """A review still due (the world's is already held, and a held review is corrected,
    not recorded again): B records it, and A's older form is refused showing B's record."""
    from django.urls import reverse

    from outcomes.models import Goal
    from reviews.models import Review

    case = _case_at(w, "phase2", phase1_ended_days_ago=30)
    review = Review.objects.filter(case=case, held_on__isnull=True).order_by("offset_months")[0]
    common = {
        "held_on": timezone.localdate().isoformat(),
        "attendees": "Mother, worker",
        "children_wellbeing": "The children are safe.",
        "plan_still_fit": "yes",
        "outside_window_reason": "Held when the family could.",
        **{f"goal_{g.pk}": "0" for g in Goal.objects.filter(case=case)},
    }
    return Scenario(
        reverse("reviews:record", kwargs={"pk": review.pk}),
        b={**common, "progress": "Changed by B"},
        a={**common, "progress": "Changed by A"},
        shown="Changed by B",
    )


def _api_client(w: World) -> Scenario:
    return Scenario(
        url_of(w, "api:client"),
        b={"requests_per_minute": "4321"},
        a={"requests_per_minute": "8765"},
        shown="4321",
        roles=("admin", "admin"),
    )


def _target(w: World) -> Scenario:
    """A baseline and target must change to be saved: B and A set different ones."""
    from django.urls import reverse

    return Scenario(
        reverse("reporting:target", kwargs={"code": "referrals_received"}),
        b={"baseline": "10", "target": "12", "reason": "Changed by B"},
        a={"baseline": "20", "target": "22", "reason": "Changed by A"},
        shown="12.00",
    )


SCENARIOS: dict[str, Callable[[World], Scenario]] = {
    "reporting:target": _target,
    **AMENDMENTS,
    "referrals:decide": _decide,
    "referrals:allocate": _allocate,
    "referrals:first_contact": _first_contact,
    "referrals:waiting_edit": _waiting,
    "cases:decide": _proceed,
    "cases:end_phase1": _end_phase1,
    "cases:close": _close,
    "cases:restrict": _restrict,
    "cases:override": _override,
    "outcomes:record_services": _services,
    "reviews:record": _record_review,
    "api:client": _api_client,
}

# Pages whose forms appear only for a record in another state than the world's.
DISCOVER_ALSO = {"referrals:allocate": _allocate}


def _target(action: str, page_url: str) -> str | None:
    try:
        return resolve(urlsplit(action or page_url).path).view_name
    except Resolver404:
        return None


def _discover(world: World, as_role) -> dict[str, tuple[str, bool]]:  # noqa: F811
    """Route posted to -> (a page carrying the form, whether the form has a version)."""
    found: dict[str, tuple[str, bool]] = {}
    pages = [
        (url_of(world, name), role)
        for name in sorted(MATRIX)
        for role in ROLES
        if MATRIX[name][role] == 200
    ] + [(make(world).url, A) for make in DISCOVER_ALSO.values()]
    seen = set()
    for url, role in pages:
        response = as_role(role).get(url)
        if "html" not in response.get("Content-Type", ""):
            continue
        for form in post_forms(response.content.decode()):
            target = _target(form["action"], url)
            if target is None or (target, "version" in form["names"]) in seen:
                continue
            seen.add((target, "version" in form["names"]))
            versioned = "version" in form["names"]
            if target not in found or versioned:
                found[target] = (url, versioned)
    return found


_FOUND: dict[int, dict[str, tuple[str, bool]]] = {}


@pytest.fixture
def edit_forms(world: World, as_role):  # noqa: F811
    """The walk, once per module's world (each test's own changes are rolled back)."""
    if id(world) not in _FOUND:
        _FOUND.clear()
        _FOUND[id(world)] = _discover(world, as_role)
    return _FOUND[id(world)]


def test_every_form_is_versioned_or_listed(edit_forms):
    unversioned = sorted(name for name, (_url, versioned) in edit_forms.items() if not versioned)
    missing = [name for name in unversioned if name not in NOT_AN_EDIT]
    assert not missing, f"forms that post without a version (add one, or list why): {missing}"
    versioned_but_listed = sorted(n for n, (_u, v) in edit_forms.items() if v and n in NOT_AN_EDIT)
    assert not versioned_but_listed, versioned_but_listed


def test_the_walk_finds_the_known_edit_forms(edit_forms):
    versioned = {name for name, (_url, v) in edit_forms.items() if v}
    assert set(SCENARIOS) <= versioned, set(SCENARIOS) - versioned


def _form_on(html: str, target: str, url: str) -> dict:
    forms = [f for f in post_forms(html) if _target(f["action"], url) == target]
    assert forms, f"{target}: the form is not on {url}"
    return forms[0]


def _edit_routes() -> list[str]:
    # Parametrised from the world at collection time is not possible (no database yet):
    # every route of the matrix is a candidate, and those without a versioned form skip.
    return sorted(MATRIX)


@pytest.mark.parametrize("name", _edit_routes())
def test_a_stale_save_is_refused_and_shows_the_other_change(
    world: World,  # noqa: F811
    as_role,  # noqa: F811
    edit_forms,
    name: str,
):
    if name not in edit_forms or not edit_forms[name][1]:
        pytest.skip("no versioned form posts to this route")
    page_url = edit_forms[name][0]
    if name in SCENARIOS:
        scenario = SCENARIOS[name](world)
    else:
        scenario = Scenario(page_url)
    client_a, client_b = (as_role(role) for role in scenario.roles)
    form_a = _form_on(client_a.get(scenario.url).content.decode(), name, scenario.url)
    form_b = _form_on(client_b.get(scenario.url).content.decode(), name, scenario.url)
    if name not in SCENARIOS:
        # The first text area, else the first text box: what B and A each change.
        area = next(iter(sorted(form_a["textareas"])), None) or next(
            iter(sorted(form_a["texts"])), None
        )
        assert area, f"{name}: no text to change: add a scenario to SCENARIOS"
        scenario.b, scenario.a = {area: "Changed by B"}, {area: "Changed by A"}
        scenario.shown = "Changed by B"
    action = form_a["action"] or scenario.url

    saved = client_b.post(action, {**form_b["data"], **scenario.b}, follow=True)
    page_b = saved.content.decode()
    assert saved.redirect_chain, f"{name}: B's save was not accepted:\n{_errors(page_b)}"
    assert not any(m in page_b for m in STALE)

    refused = client_a.post(action, {**form_a["data"], **scenario.a}, follow=True)
    page_a = refused.content.decode()
    assert any(m in page_a for m in STALE), f"{name}: A's save was not refused:\n{_errors(page_a)}"
    assert scenario.shown in page_a, f"{name}: B's change ({scenario.shown}) is not shown"
    if "Changed by A" in str(scenario.a.values()):
        now = client_b.get(scenario.url).content.decode()
        assert "Changed by A" not in now, f"{name}: A's stale save overwrote B's"


def _errors(html: str) -> str:
    import re

    return "\n".join(re.findall(r'class="[^"]*(?:invalid-feedback|alert)[^"]*"[^>]*>(.*?)<', html))[
        :2000
    ]

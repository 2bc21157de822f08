"""The pages the accessibility walk scans: every main page of every role (issue 17).

`test_accessibility.test_every_main_page_of_every_role_passes_axe` signs in as each demo
role, loads every page listed for it in PAGES (the paths are made from the demo data and
the extra records `add_state` makes), then follows every same-site link it finds, one page
per route; axe-core scans each page as it loads (tests/browser/conftest.py) and any WCAG
2.0/2.1/2.2 A or AA violation fails the test. The Django admin walk (role "admin") also
loads every registered model's list.

`tests/accessibility/test_page_list.py` (no browser) checks that every named URL of the
project is here: in PAGES for at least one role, in SCANNED_ELSEWHERE (a browser test that
loads it, so it is scanned there), or in NOT_PAGES with the reason it is no page.

To add a page (a new route): put its name in PAGES with the roles that use it and, when it
takes arguments, a line in ARGS that makes them from `Objects`. If it needs a record the
demo lacks, make it in `add_state`. Run `tests/accessibility/test_page_list.py` to see
what is missing, then the walk for one role:
`pytest tests/browser/test_accessibility.py -k "every_main_page and manager"`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

WORKER, CSW, MANAGER, PERF, BOARD, REFERRER, ADMIN = (
    "worker.gwent",
    "csw.gwent",
    "manager.gwent",
    "perf.gwent",
    "board.gwent",
    "referrer",
    "admin",
)
ROLES = (WORKER, CSW, MANAGER, PERF, BOARD, REFERRER, ADMIN)
STAFF = {WORKER, CSW, MANAGER, PERF}

# Route name -> the roles whose walk must scan it (each role also scans whatever else it
# reaches by following links).
PAGES: dict[str, set[str]] = {
    "login": set(ROLES),  # scanned as each role signs in
    "home": set(ROLES),
    "password_change": {WORKER, ADMIN},
    "password_change_done": {WORKER},
    "two_factor_manage": {WORKER, MANAGER},
    "two_factor_setup": {WORKER},
    # Referrals
    "referrals:list": STAFF | {REFERRER, ADMIN},
    "referrals:new": {WORKER, MANAGER, PERF, REFERRER},
    "referrals:drafts": {REFERRER, WORKER},
    "referrals:draft": {REFERRER},
    "referrals:draft_delete": {REFERRER},
    "referrals:screening": {MANAGER, ADMIN},
    "referrals:waiting_list": {MANAGER},
    "referrals:waiting_edit": {MANAGER},
    "referrals:detail": STAFF | {REFERRER, ADMIN},
    "referrals:decide": {MANAGER},
    "referrals:allocate": {MANAGER},
    "referrals:correct_decision": {MANAGER},
    "referrals:withdraw_decision": {MANAGER},
    # Cases
    "cases:list": STAFF | {ADMIN},
    "cases:mine": {WORKER},
    "cases:detail": STAFF | {ADMIN},
    "cases:start_assessment": {WORKER},
    "cases:assessment": {WORKER},
    "cases:decide": {WORKER},
    "cases:add_contact": {WORKER},
    "cases:add_plan": {WORKER},
    "cases:end_phase1": {WORKER},
    "cases:phase1_signoff": {MANAGER},
    "cases:close": {WORKER},
    "cases:override": {MANAGER},
    "cases:restrict": {MANAGER},
    "cases:corrections": {WORKER, MANAGER},
    "cases:correct_contact": {WORKER},
    "cases:withdraw_contact": {WORKER},
    "outcomes:add_goal": {WORKER},
    "outcomes:add_reading": {WORKER},
    "outcomes:services": {WORKER},
    "outcomes:record_services": {WORKER},
    "outcomes:correct_goal": {WORKER},
    "outcomes:withdraw_goal": {WORKER},
    "outcomes:correct_reading": {WORKER},
    "outcomes:withdraw_reading": {WORKER},
    "reviews:record": {WORKER},
    "reviews:report": {WORKER, MANAGER},
    "reviews:correct": {WORKER},
    "reviews:withdraw": {WORKER},
    "reviews:add_booster": {WORKER},
    # Due, audit, notifications
    "reminders:due": {MANAGER},
    "reminders:mine": {WORKER},
    "audit:log": {MANAGER, ADMIN},
    "notifications:list": STAFF | {BOARD, REFERRER},
    "notifications:preferences": {WORKER, MANAGER, REFERRER},
    # Reporting
    "reporting:card": {MANAGER, PERF, ADMIN},
    "reporting:narrative": {MANAGER},
    "reporting:build": {MANAGER},
    "reporting:reports": {MANAGER, PERF, BOARD},
    "reporting:revision": {PERF},
    "reporting:published_card": {MANAGER, PERF, BOARD},
    "reporting:agenda": {MANAGER, PERF},
    "reporting:targets": {MANAGER, PERF},
    "reporting:target": {MANAGER, PERF},
    "teamwork:consultations": {WORKER},
    "teamwork:consultation_new": {WORKER},
    "teamwork:consultation_edit": {WORKER},
    "teamwork:consultation_delete": {WORKER},
    "teamwork:training": {WORKER},
    "teamwork:training_new": {WORKER},
    "teamwork:training_edit": {WORKER},
    "teamwork:training_delete": {WORKER},
    "teamwork:feedback": {WORKER},
    "teamwork:feedback_new": {WORKER},
    "teamwork:feedback_edit": {WORKER},
    "teamwork:feedback_delete": {WORKER},
    "teamwork:complaints": {MANAGER},
    "teamwork:complaint_new": {MANAGER},
    "teamwork:complaint_edit": {MANAGER},
    "teamwork:complaint_delete": {MANAGER},
    # Privacy
    "families:consent": {WORKER},
    "privacy:subject_access": {MANAGER},
    "privacy:retention": {MANAGER},
    "privacy:anonymise": {MANAGER},
    # Imports, partner API, data return
    "imports:upload": {MANAGER},
    "imports:run": {MANAGER},
    "api:docs": {WORKER},
    "api:clients": {ADMIN},
    "api:client_new": {ADMIN},
    "api:client": {ADMIN},
    "datareturn:page": {MANAGER, BOARD},
    # The Django admin (the administrator only): the index, every app and every model's
    # list (checked against the admin's registry), and one form of each other kind.
    "admin:index": {ADMIN},
    "admin:app_list": {ADMIN},
    "admin:add": {ADMIN},
    "admin:change": {ADMIN},
    "admin:delete": {ADMIN},
    "admin:history": {ADMIN},
    "admin:password_change": {ADMIN},
    "admin:user_password_change": {ADMIN},
}

# Pages that only a step of a journey reaches (a POST's answer, a sign-in in progress): the
# browser test named loads them, so the conftest scans them there.
SCANNED_ELSEWHERE: dict[str, str] = {
    "two_factor_verify": "test_two_factor.py (sign-in with a second factor)",
    "two_factor_codes": "test_two_factor.py (the recovery codes shown after setup)",
    "two_factor_disable": "test_two_factor.py (turning two-factor sign-in off)",
    "api:token_issue": "test_accessibility.py::test_admin_issues_a_partner_token (POST answer)",
    "admin:password_change_done": "shown after the admin's own password change (admin/)",
}

# Not pages: JSON, downloads, POST-only actions, fragments swapped in by htmx.
NOT_PAGES: dict[str, str] = {
    "healthz": "health check (JSON)",
    "readyz": "readiness check (JSON)",
    "logout": "POST: signs out",
    "keepalive": "POST: renews the session (JSON)",
    "autosave": "POST: saves a form draft (JSON)",
    "bench_floor": "benchmark endpoint (plain text)",
    "set_language": "POST only: sets the language cookie and goes back",
    "javascript_catalog": "script (the Welsh strings of the front end's JavaScript)",
    "referrals:first_contact": "POST only",
    "referrals:link_family": "POST only",
    "referrals:apply_update": "POST only",
    "cases:plan_pdf": "download (PDF; tagged PDF/UA, tests/accessibility/test_pdf_tags.py)",
    "cases:finish_step_down": "POST only",
    "reviews:report_pdf": "download (PDF; tagged PDF/UA, tests/accessibility/test_pdf_tags.py)",
    "reporting:recompute": "POST only",
    "reporting:export": "download (CSV/XLSX)",
    "reporting:published_export": "download (a published card's figures, CSV/XLSX)",
    "reporting:request_pdf": "POST only",
    "reporting:build_pdf": "download (PDF)",
    "reporting:publish": "POST only",
    "teamwork:feedback_cases": "htmx fragment (the case chooser's matches)",
    "teamwork:complaint_cases": "htmx fragment (the case chooser's matches)",
    "privacy:subject_access_export": "POST only (download)",
    "notifications:open": "POST only",
    "notifications:read_all": "POST only",
    "imports:template": "download (CSV/XLSX)",
    "imports:confirm": "POST only",
    "api:submit_referral": "partner API (JSON)",
    "api:receipt": "partner API (JSON)",
    "api:figures": "partner API (JSON)",
    "api:team_figures": "partner API (JSON)",
    "api:reference": "partner API (JSON)",
    "api:schema": "partner API (OpenAPI JSON)",
    "api:no_such_route": "partner API (JSON 404)",
    "api:token_revoke": "POST only",
    "datareturn:download": "download (CSV/XLSX)",
    "admin:jsi18n": "script",
    "admin:autocomplete": "JSON",
    "admin:view_on_site": "redirect",
    "admin:logout": "POST: signs out",
    "admin:login": "the admin's sign-in: a signed-in administrator is sent on",
}


@dataclass
class Objects:
    """The demo records the walk's pages are made from."""

    case_phase1: Any
    case_phase2: Any
    case_closed: Any
    case_awaiting: Any
    submitted: Any
    accepted: Any
    decision: Any
    waiting: Any
    draft: Any
    contact: Any
    goal: Any
    reading: Any
    person: Any
    review_held: Any
    review_due: Any
    review_signoff: Any
    retention: Any
    build: Any
    published: Any
    teamwork: dict
    import_run: Any
    api_client: Any


# Route name -> its URL arguments, made from the demo records.
ARGS: dict[str, Callable[[Objects], dict]] = {
    "referrals:draft": lambda o: {"draft_id": o.draft.pk},
    "referrals:draft_delete": lambda o: {"draft_id": o.draft.pk},
    "referrals:waiting_edit": lambda o: {"pk": o.waiting.pk},
    "referrals:detail": lambda o: {"pk": o.case_phase1.referral_id},
    "referrals:decide": lambda o: {"pk": o.submitted.pk},
    "referrals:allocate": lambda o: {"pk": o.accepted.pk},
    "referrals:correct_decision": lambda o: {"decision_pk": o.decision.pk},
    "referrals:withdraw_decision": lambda o: {"decision_pk": o.decision.pk},
    "cases:detail": lambda o: {"pk": o.case_phase1.pk},
    "cases:start_assessment": lambda o: {"pk": o.case_awaiting.pk},
    "cases:assessment": lambda o: {"pk": o.case_phase1.pk},
    "cases:decide": lambda o: {"pk": o.case_phase1.pk},
    "cases:add_contact": lambda o: {"pk": o.case_phase1.pk},
    "cases:add_plan": lambda o: {"pk": o.case_phase1.pk},
    "cases:end_phase1": lambda o: {"pk": o.case_phase1.pk},
    "cases:phase1_signoff": lambda o: {"pk": o.case_phase1.pk},
    "cases:close": lambda o: {"pk": o.case_phase2.pk},
    "cases:override": lambda o: {"pk": o.case_closed.pk},
    "cases:restrict": lambda o: {"pk": o.case_phase1.pk},
    "cases:corrections": lambda o: {"pk": o.case_phase1.pk},
    "cases:correct_contact": lambda o: {"contact_pk": o.contact.pk},
    "cases:withdraw_contact": lambda o: {"contact_pk": o.contact.pk},
    "outcomes:add_goal": lambda o: {"pk": o.case_phase1.pk},
    "outcomes:add_reading": lambda o: {"pk": o.case_phase1.pk},
    "outcomes:services": lambda o: {"pk": o.case_phase1.pk},
    "outcomes:record_services": lambda o: {
        "pk": o.case_phase1.pk,
        "person_pk": o.person.pk,
        "occasion": "before",
    },
    "outcomes:correct_goal": lambda o: {"goal_pk": o.goal.pk},
    "outcomes:withdraw_goal": lambda o: {"goal_pk": o.goal.pk},
    "outcomes:correct_reading": lambda o: {"reading_pk": o.reading.pk},
    "outcomes:withdraw_reading": lambda o: {"reading_pk": o.reading.pk},
    "reviews:record": lambda o: {"pk": o.review_due.pk},
    "reviews:report": lambda o: {"pk": o.review_held.pk},
    "reviews:correct": lambda o: {"review_pk": o.review_held.pk},
    "reviews:withdraw": lambda o: {"review_pk": o.review_held.pk},
    "reviews:add_booster": lambda o: {"pk": o.case_phase2.pk},
    "reporting:build": lambda o: {"pk": o.build.pk},
    "reporting:published_card": lambda o: {"pk": o.published.pk},
    "reporting:target": lambda o: {"code": "referrals_received"},
    "teamwork:consultation_edit": lambda o: {"pk": o.teamwork["consultations"].pk},
    "teamwork:consultation_delete": lambda o: {"pk": o.teamwork["consultations"].pk},
    "teamwork:training_edit": lambda o: {"pk": o.teamwork["training"].pk},
    "teamwork:training_delete": lambda o: {"pk": o.teamwork["training"].pk},
    "teamwork:feedback_edit": lambda o: {"pk": o.teamwork["feedback"].pk},
    "teamwork:feedback_delete": lambda o: {"pk": o.teamwork["feedback"].pk},
    "teamwork:complaint_edit": lambda o: {"pk": o.teamwork["complaints"].pk},
    "teamwork:complaint_delete": lambda o: {"pk": o.teamwork["complaints"].pk},
    "families:consent": lambda o: {"pk": o.case_phase1.family_id},
    "privacy:anonymise": lambda o: {"pk": o.retention.pk},
    "imports:run": lambda o: {"pk": o.import_run.pk},
    "api:client": lambda o: {"pk": o.api_client.pk},
    "admin:app_list": lambda o: {"app_label": "accounts"},
}

# Per role, a route whose page for that role is another record than ARGS gives.
ROLE_ARGS: dict[tuple[str, str], Callable[[Objects], dict]] = {
    # The manager signs off the report a worker put to them.
    (MANAGER, "reviews:report"): lambda o: {"pk": o.review_signoff.pk},
    # The referrer's own referral.
    (REFERRER, "referrals:detail"): lambda o: {"pk": o.case_phase1.referral_id},
}

ADMIN_PATHS = {
    "admin:add": "/admin/accounts/team/add/",
    "admin:change": "/admin/accounts/team/{team}/change/",
    "admin:delete": "/admin/accounts/membership/{membership}/delete/",
    "admin:history": "/admin/accounts/team/{team}/history/",
    "admin:password_change": "/admin/password_change/",
    "admin:user_password_change": "/admin/accounts/user/{user}/password/",
}


def add_state() -> Objects:
    """The records the demo lacks that some pages need (a draft, a Phase 1 sign-off waiting,
    a report put to a manager, a family due for retention review, a built and a published
    card, team activity, a checked import, a partner client), and the demo records used."""
    from django.utils import timezone

    from accounts.models import ReportSignoff, Team, User
    from api import services as api_services
    from cases import services as case_services
    from cases.amendments import EntryStatus
    from cases.models import Case, Contact
    from cases.pathway import Stage
    from families.models import Family, Person
    from families.retention import refresh_last_closed
    from imports import services as import_services
    from outcomes.models import Goal, Reading
    from referrals.models import (
        Referral,
        ReferralDraft,
        ReferralStatus,
        ScreeningDecision,
        WaitingListEntry,
    )
    from reporting import publishing
    from reporting import services as reporting_services
    from reporting.models import BuildStatus, ReportBuild
    from reporting.periods import quarter_containing
    from reporting.queries import team_scope
    from reviews import services as review_services
    from reviews.models import Review
    from teamwork.views import KINDS
    from tests.imports.sheets import as_csv, throughput_rows

    users = {u.username: u for u in User.objects.all()}
    team = Team.objects.get(name__icontains="gwent")
    cases = Case.objects.filter(team=team).order_by("pk")
    # The practitioner's own cases from the demo's stories (its history adds many others).
    case_phase1 = cases.filter(stage=Stage.PHASE1, worker=users[WORKER]).first()
    case_phase2 = cases.filter(stage=Stage.PHASE2, worker=users[WORKER]).first()
    case_closed = cases.filter(stage=Stage.CLOSED).first()
    case_awaiting = cases.filter(stage=Stage.AWAITING_ASSESSMENT).first()
    today = timezone.localdate()

    draft = ReferralDraft.objects.create(
        owner=users[REFERRER], title="Draft referral", data={"family_name": "Draft"}
    )
    case_services.request_phase1_signoff(
        case_id=case_phase1.pk,
        user=users[WORKER],
        reason="The family moved out of the area.",
        ends_on=today,
    )
    # A held review's report put to the team's managers (a team that wants a sign-off).
    Team.objects.filter(pk=team.pk).update(review_report_signoff=ReportSignoff.MANAGER)
    signoff = Review.objects.filter(
        case__team=team, held_on__isnull=False, report_sent_at__isnull=True
    ).exclude(case=case_phase2)
    review_signoff = signoff.first()
    review_services.submit_review_report(
        review_id=review_signoff.pk, user=users[WORKER], version=review_signoff.version
    )
    # The closed case's family: last seen more than the retention period ago.
    long_ago = timezone.now() - timedelta(days=365 * 8 + 30)
    Case.objects.filter(pk=case_closed.pk).update(closed_at=long_ago)
    refresh_last_closed(Family.objects.filter(pk=case_closed.family_id))
    Referral.objects.filter(family=case_closed.family).update(received_at=long_ago)

    scope = team_scope(team)
    period = quarter_containing(today - timedelta(days=100))
    # The demo's history publishes the team's past quarters; publish this one if it has not.
    published = publishing.latest(scope, period, "events") or reporting_services.publish_card(
        user=users[PERF], scope=scope, period=period, basis="events"
    )
    build = ReportBuild.objects.create(
        scope_key=scope.key,
        scope_label=scope.label,
        team=team,
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        basis="events",
        requested_by=users[MANAGER],
        status=BuildStatus.DONE,
        progress=100,
        queued_at=timezone.now(),
        finished_at=timezone.now(),
        pdf=b"%PDF-1.4 a report card",
    )
    teamwork = {
        "consultations": KINDS["consultations"].model.objects.create(
            team=team, held_on=today, asked_by="A school nurse", agency="Health", topic="Sleep"
        ),
        "training": KINDS["training"].model.objects.create(
            team=team, course="Motivational interviewing", held_on=today, attendees=12
        ),
        "feedback": KINDS["feedback"].model.objects.create(
            case=case_phase1, given_by="family", received_on=today, positive=True
        ),
        "complaints": KINDS["complaints"].model.objects.create(
            team=team, case=case_phase1, received_on=today, summary="A missed visit"
        ),
    }
    la = team.local_authorities.order_by("name").first().name
    import_run = import_services.check_import(
        team=team,
        user=users[MANAGER],
        file_name="history.csv",
        content=as_csv(throughput_rows(la)),
    )
    api_client = api_services.create_client(
        name="Partner system",
        teams=[team],
        can_read_figures=True,
        can_submit_referrals=True,
        requests_per_minute=60,
        by=users[ADMIN],
    )
    referrals = Referral.objects.filter(team=team)

    def mine(author: str) -> dict:
        return {author: users[WORKER], "entry_status": EntryStatus.CURRENT}

    decisions = ScreeningDecision.objects.filter(referral__team=team).order_by("pk")
    return Objects(
        case_phase1=case_phase1,
        case_phase2=case_phase2,
        case_closed=case_closed,
        case_awaiting=case_awaiting,
        submitted=referrals.filter(status=ReferralStatus.SUBMITTED).first(),
        accepted=referrals.filter(status=ReferralStatus.ACCEPTED).first(),
        decision=decisions.first(),
        waiting=WaitingListEntry.objects.current().filter(referral__team=team).first(),
        draft=draft,
        # Entries the practitioner recorded (only their author or a manager corrects one).
        contact=Contact.objects.filter(case=case_phase1, **mine("recorded_by")).first(),
        goal=Goal.objects.filter(case__team=team, **mine("created_by")).first(),
        reading=Reading.objects.filter(case__team=team, **mine("recorded_by")).first(),
        person=Person.objects.filter(family=case_phase1.family).first(),
        review_held=Review.objects.filter(
            case=case_phase2, held_on__isnull=False, **mine("recorded_by")
        ).first(),
        review_due=Review.objects.filter(case=case_phase2, held_on__isnull=True).first(),
        review_signoff=review_signoff,
        retention=case_closed.family,
        build=build,
        published=published,
        teamwork=teamwork,
        import_run=import_run,
        api_client=api_client,
    )


def start_paths(username: str, objects: Objects) -> list[tuple[str, str]]:
    """(route name, path) of every page listed for the role, in PAGES order."""
    from django.urls import reverse

    from accounts.models import Membership, Team, User

    paths = []
    for name, roles in PAGES.items():
        if username not in roles or name == "login":
            continue
        if name in ADMIN_PATHS:
            path = ADMIN_PATHS[name].format(
                team=Team.objects.order_by("pk").first().pk,
                membership=Membership.objects.order_by("pk").first().pk,
                user=User.objects.get(username=username).pk,
            )
        elif (username, name) in ROLE_ARGS:
            path = reverse(name, kwargs=ROLE_ARGS[(username, name)](objects))
        elif ARGS.get(name) is not None:
            path = reverse(name, kwargs=ARGS[name](objects))
        else:
            path = reverse(name)
        paths.append((name, path))
    return paths


def page_key(path: str) -> str | None:
    """The route a path is a page of (one page per route: the walk does not visit every
    row). Each Django admin list is its own page (each has its own filters and actions);
    the admin's forms count one of each kind."""
    from django.urls import Resolver404, resolve

    try:
        name = resolve(path).view_name
    except Resolver404:
        return None
    return route_key(name)


# The Django admin's own pages (not a model's).
ADMIN_SITE_NAMES = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:app_list",
}


def route_key(name: str) -> str:
    import re

    if name in ADMIN_SITE_NAMES:
        return name
    if name.startswith("admin:") and name.endswith("_changelist"):
        return name
    if re.match(r"^admin:.+_password_change$", name):
        return "admin:user_password_change"
    return re.sub(r"^admin:.+_(add|change|delete|history)$", r"admin:\1", name)

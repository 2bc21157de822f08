"""The access matrix as data: every named URL of the project × every role → the GET status.

docs/access-matrix.md is the same matrix in words; tests/security/test_url_matrix.py walks
every URL for every role and asserts it. A URL added to the project without an entry here
fails that test, so every new page has to be placed in the matrix on purpose.

Statuses: 200 the page (or PDF) is shown; 302 a redirect (anonymous users go to the login
page); 404 the user may not see the record or the page, and cannot tell whether it exists;
405 the view takes POST only (the POST side is covered by POST_DENIED below).

The records each URL is asked about are built once by build_world(): team A with one user
per role, team B with a manager and a practitioner, and team A's records (see World).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.test import override_settings
from django.utils import timezone

ROLES = [
    "anonymous",
    "referrer",
    "practitioner",
    "csw",
    "manager",
    "performance",
    "board",
    "other_team_manager",
    "other_team_practitioner",
    "admin",
]
SIGNED_IN = [r for r in ROLES if r != "anonymous"]
# Team A's staff: the roles that may see team A's personal data (accounts.STAFF_ROLES).
TEAM_A_STAFF = ["practitioner", "csw", "manager", "performance"]
TEAM_B = ["other_team_manager", "other_team_practitioner"]
MANAGERS = ["manager", "other_team_manager"]


def row(default: int, anonymous: int = 302, **roles: int) -> dict[str, int]:
    """One matrix row: `default` for every signed-in role, overridden per role."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    statuses = {r: default for r in SIGNED_IN}
    statuses.update(roles)
    statuses["anonymous"] = anonymous
    return statuses


def only(*allowed: str, status: int = 200) -> dict[str, int]:
    """Shown to the roles named, 404 for every other signed-in role."""
    return row(404, **{r: status for r in allowed})


# Everyone signed in; the page itself limits what it lists to the user's own records.
EVERYONE = row(200)
# Team A's records: team A's staff and the administrator. Referrers, board members and
# other teams get 404.
TEAM_A_RECORD = only(*TEAM_A_STAFF, "admin")
# A manager's page of their own teams (each manager sees their own team's rows).
MANAGER_PAGE = only(*MANAGERS, "admin")
# Team A's record that only team A's manager (and the administrator) may act on.
TEAM_A_MANAGER_ONLY = only("manager", "admin")
# POST-only views: GET is refused with 405 before anything is looked up.
POST_ONLY = row(405)
# Team activity (teamwork/views.py): the staff of every team keep their own team's
# consultations, training sessions and feedback (the list and the form are theirs); a
# record of team A is team A's staff's. Complaints: managers and performance officers.
TEAMWORK_PAGE = only(*TEAM_A_STAFF, *TEAM_B, "admin")
COMPLAINTS_PAGE = only("manager", "performance", "other_team_manager", "admin")
COMPLAINT_RECORD = only("manager", "performance", "admin")
# Correcting or withdrawing an entry of team A (cases.amendments): its author (the
# practitioner recorded the world's entries) and team A's manager.
ENTRY_AUTHOR_OR_MANAGER = only("practitioner", "manager")

MATRIX: dict[str, dict[str, int]] = {
    # --- accounts: sign-in, dashboard, two-factor ---
    "home": EVERYONE,  # the dashboard: each role sees its own panels
    "login": row(302, anonymous=200),  # signed-in users are sent on to the dashboard
    # --- health checks (ifss.health): open, no personal data, no database for healthz ---
    "healthz": row(200, anonymous=200),
    "readyz": row(200, anonymous=200),
    "logout": POST_ONLY,
    "password_change": EVERYONE,
    # The benchmark's floor page: served only while IFSS_BENCH_FLOOR is on (off here).
    "bench_floor": row(404),
    "password_change_done": EVERYONE,
    "two_factor_manage": EVERYONE,
    "two_factor_setup": EVERYONE,
    "two_factor_verify": EVERYONE,
    "two_factor_codes": POST_ONLY,
    "two_factor_disable": POST_ONLY,
    "keepalive": POST_ONLY,
    "autosave": POST_ONLY,
    # The language switcher (POST only, signed out too: the sign-in page has it) and the
    # JavaScript catalogue (the interface's words, no data; signed out too).
    "set_language": row(405, anonymous=405),
    "javascript_catalog": row(200, anonymous=200),
    # --- referrals ---
    "referrals:list": EVERYONE,  # filtered by Referral.objects.visible_to
    "referrals:new": row(200, board=404),  # board members cannot refer
    "referrals:drafts": EVERYONE,  # the user's own drafts only
    "referrals:draft": only("referrer"),  # a draft is its owner's alone, even for the admin
    "referrals:draft_delete": only("referrer"),
    "referrals:screening": MANAGER_PAGE,
    "referrals:waiting_list": MANAGER_PAGE,
    "referrals:waiting_edit": TEAM_A_MANAGER_ONLY,
    "referrals:detail": only("referrer", *TEAM_A_STAFF, "admin"),  # the referrer's own
    "referrals:decide": TEAM_A_MANAGER_ONLY,
    "referrals:first_contact": POST_ONLY,
    "referrals:allocate": TEAM_A_MANAGER_ONLY,
    # A manager links a referral to a known family, and applies its differences to the record.
    "referrals:link_family": POST_ONLY,
    "referrals:apply_update": POST_ONLY,
    # A screening decision is a manager's: a manager of its team corrects it (not the
    # administrator, who is no team's manager).
    "referrals:correct_decision": only("manager"),
    "referrals:withdraw_decision": only("manager"),
    # --- cases ---
    "cases:list": EVERYONE,  # filtered by Case.objects.visible_to
    "cases:mine": EVERYONE,  # the user's own caseload
    "cases:detail": TEAM_A_RECORD,
    "cases:start_assessment": TEAM_A_RECORD,
    "cases:assessment": TEAM_A_RECORD,
    "cases:decide": TEAM_A_RECORD,
    "cases:add_contact": TEAM_A_RECORD,
    "cases:add_plan": TEAM_A_RECORD,
    "cases:plan_pdf": TEAM_A_RECORD,
    "cases:end_phase1": TEAM_A_RECORD,
    "cases:finish_step_down": row(404),  # POST only, but answers 404 (not 405) to GET
    "cases:close": TEAM_A_RECORD,
    # Only a manager of the case's team: the administrator is not one (404).
    "cases:override": only("manager"),
    "cases:restrict": only("manager"),
    "cases:corrections": TEAM_A_RECORD,  # the case's amended and withdrawn entries
    # An entry is corrected or withdrawn by its author (the practitioner recorded the
    # world's entries) or a manager of the team; anyone else gets 404.
    "cases:correct_contact": ENTRY_AUTHOR_OR_MANAGER,
    "cases:withdraw_contact": ENTRY_AUTHOR_OR_MANAGER,
    "cases:phase1_signoff": only("manager"),  # a worker's request to end Phase 1 early
    # --- outcomes ---
    "outcomes:add_goal": TEAM_A_RECORD,
    "outcomes:add_reading": TEAM_A_RECORD,
    "outcomes:services": TEAM_A_RECORD,  # services used before and after, per person
    "outcomes:record_services": TEAM_A_RECORD,
    "outcomes:correct_goal": ENTRY_AUTHOR_OR_MANAGER,
    "outcomes:withdraw_goal": ENTRY_AUTHOR_OR_MANAGER,
    "outcomes:correct_reading": ENTRY_AUTHOR_OR_MANAGER,
    "outcomes:withdraw_reading": ENTRY_AUTHOR_OR_MANAGER,
    # --- reviews ---
    "reviews:record": TEAM_A_RECORD,
    # The report's preview, where the team sends it (or puts it to a manager to sign off).
    "reviews:report": TEAM_A_RECORD,
    # The written report also goes to the referrer who made the referral.
    "reviews:report_pdf": only("referrer", *TEAM_A_STAFF, "admin"),  # once sent
    "reviews:add_booster": TEAM_A_RECORD,
    "reviews:correct": ENTRY_AUTHOR_OR_MANAGER,  # a held review
    "reviews:withdraw": ENTRY_AUTHOR_OR_MANAGER,
    # --- reminders, audit, notifications ---
    "reminders:due": MANAGER_PAGE,
    # A caseworker's own deadlines: every role that carries a caseload, in any team.
    "reminders:mine": only("practitioner", "csw", "manager", *TEAM_B),
    "audit:log": MANAGER_PAGE,
    "notifications:list": EVERYONE,  # the user's own notifications
    "notifications:open": POST_ONLY,
    "notifications:read_all": POST_ONLY,
    "notifications:preferences": EVERYONE,  # the user's own choices
    # --- families: consent, subject access, retention (team managers only, not the admin) ---
    "families:consent": TEAM_A_RECORD,
    "privacy:subject_access": only(*MANAGERS),
    "privacy:subject_access_export": POST_ONLY,
    "privacy:retention": only(*MANAGERS),
    "privacy:anonymise": only("manager"),
    # --- reporting: aggregate figures (report cards), no personal data ---
    # The card and its exports: managers and performance officers of a team, for their own
    # teams and the local authorities those teams serve; the administrator, for all.
    "reporting:card": only(*MANAGERS, "performance", "admin"),
    "reporting:export": only(*MANAGERS, "performance", "admin"),
    "reporting:request_pdf": POST_ONLY,
    "reporting:recompute": POST_ONLY,
    # The narrative of a team's card: its managers (and the administrator) only.
    "reporting:narrative": only(*MANAGERS, "performance", "admin"),
    # The data development agenda: a team's managers and performance officers (their own).
    "reporting:agenda": only(*MANAGERS, "performance", "admin"),
    # Baselines and targets: a team's managers and performance officers (their own team).
    "reporting:targets": only(*MANAGERS, "performance", "admin"),
    "reporting:target": only(*MANAGERS, "performance", "admin"),
    # A built PDF of team A's card: the one who asked for it, team A's managers,
    # performance officers and board members, and the administrator.
    "reporting:build": only("manager", "performance", "admin"),
    "reporting:build_pdf": only("manager", "performance", "admin"),
    # Board members see the finished report cards of their teams here.
    "reporting:reports": only(*MANAGERS, "performance", "board", "admin"),
    # Publishing: a team's managers and performance officers; the board reads what they
    # published (a live build is the board's 404: it sees published figures only).
    "reporting:publish": POST_ONLY,
    "reporting:revision": only(*MANAGERS, "performance", "admin"),
    "reporting:published_card": only("manager", "performance", "board", "admin"),
    "reporting:published_export": only("manager", "performance", "board", "admin"),
    # Team activity: referrers and board members never reach it.
    "teamwork:consultations": TEAMWORK_PAGE,
    "teamwork:consultation_new": TEAMWORK_PAGE,
    "teamwork:consultation_edit": TEAM_A_RECORD,
    "teamwork:consultation_delete": TEAM_A_RECORD,
    "teamwork:training": TEAMWORK_PAGE,
    "teamwork:training_new": TEAMWORK_PAGE,
    "teamwork:training_edit": TEAM_A_RECORD,
    "teamwork:training_delete": TEAM_A_RECORD,
    "teamwork:feedback": TEAMWORK_PAGE,
    "teamwork:feedback_new": TEAMWORK_PAGE,
    "teamwork:feedback_edit": TEAM_A_RECORD,
    "teamwork:feedback_delete": TEAM_A_RECORD,
    "teamwork:feedback_cases": TEAMWORK_PAGE,  # the case chooser's matches (the user's own)
    "teamwork:complaints": COMPLAINTS_PAGE,
    "teamwork:complaint_new": COMPLAINTS_PAGE,
    "teamwork:complaint_edit": COMPLAINT_RECORD,
    "teamwork:complaint_delete": COMPLAINT_RECORD,
    "teamwork:complaint_cases": COMPLAINTS_PAGE,
    # --- imports: a manager's history import, for their own teams (not the administrator) ---
    "imports:upload": only(*MANAGERS),
    "imports:template": only(*MANAGERS),
    "imports:run": only("manager"),
    "imports:confirm": POST_ONLY,
    # --- partner API (api/): the docs for staff; clients and tokens for the administrator ---
    "api:docs": only(*TEAM_A_STAFF, *TEAM_B, "admin"),
    "api:clients": only("admin"),
    "api:client_new": only("admin"),
    "api:client": only("admin"),
    "api:token_issue": POST_ONLY,
    "api:token_revoke": POST_ONLY,
    # The data return for commissioners: managers, performance officers, board members.
    "datareturn:page": only(*MANAGERS, "performance", "board", "admin"),
    "datareturn:download": only(*MANAGERS, "performance", "board", "admin"),
}

# The API's token routes: partner clients, not signed-in people, call them (no session
# answers anything but 401 or, for the schema, staff's 200). Their access rules (token,
# scope, teams: else 404) are walked in tests/api/test_api.py.
TOKEN_ROUTES = {
    "api:submit_referral",
    "api:receipt",
    "api:figures",
    "api:team_figures",
    "api:reference",
    "api:schema",
    "api:no_such_route",
}

# POST: the roles that must get 404 (and change nothing) when they POST an empty form.
# By default these are the roles whose GET is 404; views that take POST only, or answer
# GET with 404 for everyone, list them here.
POST_DENIED_OVERRIDES: dict[str, list[str]] = {
    "referrals:first_contact": [r for r in SIGNED_IN if r not in ("manager", "admin")],
    "referrals:link_family": [r for r in SIGNED_IN if r not in ("manager", "admin")],
    "referrals:apply_update": [r for r in SIGNED_IN if r not in ("manager", "admin")],
    "cases:finish_step_down": [r for r in SIGNED_IN if r not in (*TEAM_A_STAFF, "admin")],
    "notifications:open": [r for r in SIGNED_IN if r != "referrer"],  # the referrer's own
    "privacy:subject_access_export": [r for r in SIGNED_IN if r != "manager"],
    "reporting:request_pdf": [r for r in SIGNED_IN if r not in (*MANAGERS, "performance", "admin")],
    "reporting:recompute": [r for r in SIGNED_IN if r not in (*MANAGERS, "performance", "admin")],
    "reporting:publish": [r for r in SIGNED_IN if r not in (*MANAGERS, "performance", "admin")],
    "imports:confirm": [r for r in SIGNED_IN if r != "manager"],
    "api:token_issue": [r for r in SIGNED_IN if r != "admin"],
    "api:token_revoke": [r for r in SIGNED_IN if r != "admin"],
}


def post_denied(name: str) -> list[str]:
    if name in POST_DENIED_OVERRIDES:
        return POST_DENIED_OVERRIDES[name]
    return [r for r in SIGNED_IN if MATRIX[name][r] == 404]


# --- the world -------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]  # role -> user (no entry for "anonymous")
    team_a: Any
    team_b: Any
    referral: Any  # team A, by the referrer, awaiting screening
    draft: Any  # the referrer's draft
    waiting: Any  # a current waiting-list entry in team A
    journey: Any  # tests.cases.journey.Journey: a team A case in Phase 2
    review: Any  # its held review
    plan: Any  # its Family Plan
    goal: Any
    contact: Any
    reading: Any  # the Phase 2 case's start WEMWBS reading, by the practitioner
    decision: Any  # the screening decision that accepted the Phase 2 family
    retention: Any  # Journey of a team A case closed more than 8 years ago
    notifications: dict[str, Any]  # role -> a notification for that user
    report_build: Any  # a finished PDF of team A's report card, asked for by its manager
    extra: dict[str, Any] = field(default_factory=dict)
    published_card: Any = None  # team A's card of the last quarter, as published
    # Team A's activity records, one per kind (teamwork.views.KINDS): the slug -> record.
    teamwork: dict[str, Any] = field(default_factory=dict)
    import_run: Any = None  # a checked history import of team A, by its manager
    api_token: Any = None  # a partner client's token (api.models.ApiToken)

    @property
    def case(self) -> Any:
        return self.journey.case


# URL name -> the kwargs to reverse it with, from the world.
URL_KWARGS: dict[str, Callable[[World], dict[str, int | str]]] = {
    "referrals:draft": lambda w: {"draft_id": w.draft.pk},
    "referrals:draft_delete": lambda w: {"draft_id": w.draft.pk},
    "referrals:waiting_edit": lambda w: {"pk": w.waiting.pk},
    "referrals:detail": lambda w: {"pk": w.referral.pk},
    "referrals:decide": lambda w: {"pk": w.referral.pk},
    "referrals:first_contact": lambda w: {"pk": w.referral.pk},
    "referrals:allocate": lambda w: {"pk": w.referral.pk},
    "referrals:link_family": lambda w: {"pk": w.referral.pk},
    "referrals:apply_update": lambda w: {"pk": w.referral.pk},
    "cases:detail": lambda w: {"pk": w.case.pk},
    "cases:start_assessment": lambda w: {"pk": w.case.pk},
    "cases:assessment": lambda w: {"pk": w.case.pk},
    "cases:decide": lambda w: {"pk": w.case.pk},
    "cases:add_contact": lambda w: {"pk": w.case.pk},
    "cases:add_plan": lambda w: {"pk": w.case.pk},
    "cases:plan_pdf": lambda w: {"plan_pk": w.plan.pk},
    "cases:end_phase1": lambda w: {"pk": w.case.pk},
    "cases:phase1_signoff": lambda w: {"pk": w.case.pk},
    "cases:finish_step_down": lambda w: {"pk": w.case.pk},
    "cases:close": lambda w: {"pk": w.case.pk},
    "cases:override": lambda w: {"pk": w.retention.case.pk},  # needs a closure
    "cases:restrict": lambda w: {"pk": w.case.pk},
    "cases:corrections": lambda w: {"pk": w.case.pk},
    "cases:correct_contact": lambda w: {"contact_pk": w.contact.pk},
    "cases:withdraw_contact": lambda w: {"contact_pk": w.contact.pk},
    "outcomes:add_goal": lambda w: {"pk": w.case.pk},
    "outcomes:add_reading": lambda w: {"pk": w.case.pk},
    "outcomes:services": lambda w: {"pk": w.case.pk},
    "outcomes:record_services": lambda w: {
        "pk": w.case.pk,
        "person_pk": w.journey.adult.pk,
        "occasion": "before",
    },
    "reviews:record": lambda w: {"pk": w.review.pk},
    "reviews:report": lambda w: {"pk": w.review.pk},
    "reviews:report_pdf": lambda w: {"pk": w.review.pk},
    "reviews:add_booster": lambda w: {"pk": w.case.pk},
    "reviews:correct": lambda w: {"review_pk": w.review.pk},
    "reviews:withdraw": lambda w: {"review_pk": w.review.pk},
    "outcomes:correct_goal": lambda w: {"goal_pk": w.goal.pk},
    "outcomes:withdraw_goal": lambda w: {"goal_pk": w.goal.pk},
    "outcomes:correct_reading": lambda w: {"reading_pk": w.reading.pk},
    "outcomes:withdraw_reading": lambda w: {"reading_pk": w.reading.pk},
    "referrals:correct_decision": lambda w: {"decision_pk": w.decision.pk},
    "referrals:withdraw_decision": lambda w: {"decision_pk": w.decision.pk},
    "notifications:open": lambda w: {"pk": w.notifications["referrer"].pk},
    "families:consent": lambda w: {"pk": w.case.family_id},
    "privacy:subject_access_export": lambda w: {"person_pk": w.journey.adult.pk},
    "privacy:anonymise": lambda w: {"pk": w.retention.case.family_id},
    "reporting:export": lambda w: {"fmt": "csv"},
    "api:client": lambda w: {"pk": w.api_token.client_id},
    "api:token_issue": lambda w: {"pk": w.api_token.client_id},
    "api:token_revoke": lambda w: {"pk": w.api_token.client_id, "token_id": w.api_token.pk},
    "datareturn:download": lambda w: {"fmt": "csv"},
    "reporting:build": lambda w: {"pk": w.report_build.pk},
    "reporting:build_pdf": lambda w: {"pk": w.report_build.pk},
    "reporting:published_card": lambda w: {"pk": w.published_card.pk},
    "reporting:published_export": lambda w: {"pk": w.published_card.pk, "fmt": "csv"},
    "reporting:target": lambda w: {"code": "referrals_received"},
    "teamwork:consultation_edit": lambda w: {"pk": w.teamwork["consultations"].pk},
    "teamwork:consultation_delete": lambda w: {"pk": w.teamwork["consultations"].pk},
    "teamwork:training_edit": lambda w: {"pk": w.teamwork["training"].pk},
    "teamwork:training_delete": lambda w: {"pk": w.teamwork["training"].pk},
    "teamwork:feedback_edit": lambda w: {"pk": w.teamwork["feedback"].pk},
    "teamwork:feedback_delete": lambda w: {"pk": w.teamwork["feedback"].pk},
    "teamwork:complaint_edit": lambda w: {"pk": w.teamwork["complaints"].pk},
    "teamwork:complaint_delete": lambda w: {"pk": w.teamwork["complaints"].pk},
    "imports:template": lambda w: {"kind": "csv"},
    "imports:run": lambda w: {"pk": w.import_run.pk},
    "imports:confirm": lambda w: {"pk": w.import_run.pk},
}


def _member(team, role: str, username: str):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username=username)
    MembershipFactory(user=user, team=team, role=role)
    return user


def published_figures() -> dict:
    """A published card's data: every measure of the catalogue, all zero."""
    from reporting import measures

    return {
        "measures": {
            d.code: {
                "value": 0,
                "numerator": None,
                "denominator": None,
                "unit": "count",
                "rows": [],
            }
            for d in measures.CATALOGUE
        },
        "throughput": [],
        "context": {},
        "cost_avoidance": None,
        "narrative": {},
    }


def build_world() -> World:
    """Build the records every URL is asked about. Call inside a transaction that the
    caller rolls back (the audit log cannot be deleted from on PostgreSQL)."""
    import time_machine

    from accounts.models import Role
    from cases.models import Contact
    from cases.pathway import Stage
    from imports.models import ImportRun
    from referrals.models import ScreeningDecision
    from reporting.models import BuildStatus, PublishedCard, ReportBuild
    from teamwork.models import Complaint, Consultation, Feedback, TrainingSession
    from tests.cases.journey import make_case
    from tests.factories import (
        NotificationFactory,
        PersonFactory,
        ReferralDraftFactory,
        ReferralFactory,
        TeamFactory,
        UserFactory,
        WaitingListEntryFactory,
    )

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        team_a = TeamFactory(name="Matrix North IFST")
        team_b = TeamFactory(name="Matrix South IFST")
        users = {
            "referrer": _member(team_a, Role.REFERRER, "mx_referrer"),
            "practitioner": _member(team_a, Role.PRACTITIONER, "mx_practitioner"),
            "csw": _member(team_a, Role.CSW, "mx_csw"),
            "manager": _member(team_a, Role.MANAGER, "mx_manager"),
            "performance": _member(team_a, Role.PERFORMANCE, "mx_performance"),
            "board": _member(team_a, Role.BOARD, "mx_board"),
            "other_team_manager": _member(team_b, Role.MANAGER, "mx_manager_b"),
            "other_team_practitioner": _member(team_b, Role.PRACTITIONER, "mx_practitioner_b"),
            "admin": UserFactory(username="mx_admin", is_staff=True, is_superuser=True),
        }
        # Not roles of the matrix: for the targeted tests of restricted cases and referrers.
        extra = {
            "other_referrer": _member(team_a, Role.REFERRER, "mx_referrer2"),
            "manager2": _member(team_a, Role.MANAGER, "mx_manager2"),
        }

    manager, worker, referrer = users["manager"], users["practitioner"], users["referrer"]
    referral = ReferralFactory(team=team_a, created_by=referrer, family__name="Screening family")
    PersonFactory(family=referral.family, first_name="Sian")
    draft = ReferralDraftFactory(owner=referrer, title="Draft family")
    waiting = WaitingListEntryFactory(
        referral__team=team_a, referral__created_by=referrer, referral__family__name="Waiting"
    )
    journey = make_case(
        team_a,
        manager,
        worker,
        referrer,
        stage=Stage.PHASE2,
        family_name="Phase Two family",
        goals=1,
        contacts=1,
        plans=1,
        readings=1,
        reviews_held=1,
    )
    with time_machine.travel(timezone.now() - timedelta(days=365 * 8 + 60), tick=False):
        retention = make_case(
            team_a, manager, worker, referrer, stage=Stage.CLOSED, family_name="Retention family"
        )
    notifications = {
        role: NotificationFactory(recipient=user, url="/") for role, user in users.items()
    }
    today = timezone.localdate()
    report_build = ReportBuild.objects.create(
        scope_key=f"team-{team_a.pk}",
        scope_label=team_a.name,
        team=team_a,
        period_start=today - timedelta(days=90),
        period_end=today,
        period_label="Last quarter",
        requested_by=manager,
        status=BuildStatus.DONE,
        progress=100,
        finished_at=timezone.now(),
        pdf=b"%PDF-1.4 a report card",
    )
    published_card = PublishedCard.objects.create(
        scope_key=f"team-{team_a.pk}",
        scope_label=team_a.name,
        team=team_a,
        period_start=today - timedelta(days=90),
        period_end=today,
        period_label="Last quarter",
        basis="events",
        data=published_figures(),
        published_at=timezone.now(),
        published_by=manager,
    )
    teamwork = {
        "consultations": Consultation.objects.create(
            team=team_a, held_on=today, asked_by="A school nurse", agency="Health", topic="Sleep"
        ),
        "training": TrainingSession.objects.create(
            team=team_a, course="Motivational interviewing", held_on=today, attendees=12
        ),
        "feedback": Feedback.objects.create(
            case=journey.case, given_by="family", received_on=today, positive=True
        ),
        "complaints": Complaint.objects.create(
            team=team_a, case=journey.case, received_on=today, summary="A missed visit"
        ),
    }
    return World(
        users=users,
        team_a=team_a,
        team_b=team_b,
        referral=referral,
        draft=draft,
        waiting=waiting,
        journey=journey,
        review=next(r for r in journey.reviews if r.held_on),
        plan=journey.plans[-1],
        goal=journey.goals[0],
        contact=Contact.objects.filter(case=journey.case).first(),
        reading=journey.readings[0],
        decision=ScreeningDecision.objects.filter(referral=journey.case.referral).first(),
        retention=retention,
        notifications=notifications,
        report_build=report_build,
        extra=extra,
        published_card=published_card,
        teamwork=teamwork,
        import_run=ImportRun.objects.create(
            team=team_a, uploaded_by=manager, file_name="history.csv", sha256="0" * 64
        ),
        api_token=_api_token(team_a),
    )


def _api_token(team):
    from api import services

    client = services.create_client(
        name="Matrix partner",
        teams=[team],
        can_read_figures=True,
        can_submit_referrals=True,
        requests_per_minute=100,
        by=None,
    )
    token, _key = services.issue_token(client=client, by=None)
    return token

"""Every form and command endpoint, fed fuzzed input by Hypothesis.

Each target starts from a payload its page accepts (checked once: the unchanged payload
must get `ok_status`), then Hypothesis mutates a few fields per example: hostile text
(unicode, control characters, NUL, very long), numbers (negative, huge, unicode digits),
dates (year 1 to 9999, impossible, DST gaps), missing keys, several values for one field,
and tampered hidden fields (version, submission_key, TOTAL_FORMS, another team's ids).

After every request: the status is below 500, and invariants.py finds nothing invalid in
the database (a case's stage moved only along pathway.TRANSITIONS, no contact outside
1..1440 minutes, no reading or goal score out of range, ...). Each example runs in a
savepoint that is rolled back, so every example starts from the fixture's records.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import event, given
from hypothesis import strategies as st

from cases import pathway
from cases.services import request_phase1_signoff
from families.models import MemberKind
from notifications.models import Notification
from outcomes.services import ServiceUseData, record_service_use
from reference.models import (
    ClosureReason,
    GoalCategory,
    LegalStatus,
    NotProceedReason,
    OnwardService,
    PracticeMethod,
    ScreeningOutcome,
    ScreeningReason,
    ServiceType,
    Substance,
)
from referrals.models import ReferralStatus
from tests.cases.journey import make_case
from tests.cases.phase1_support import end_phase1_signed_off
from tests.factories import (
    CaseFactory,
    FamilyFactory,
    PersonFactory,
    ReferralDraftFactory,
    ReferralFactory,
    WaitingListEntryFactory,
)
from tests.referrals.post_data import adult, child, referral_post
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

from .harness import (
    FUZZ,
    Request,
    Target,
    assert_same_site_redirect,
    login,
    send_and_check,
)
from .strategies import json_values, mutated, values

pytestmark = pytest.mark.django_db

Stage = pathway.Stage


def minute(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def pks(model, **filters) -> list[str]:
    return [str(pk) for pk in model.objects.filter(**filters).values_list("pk", flat=True)]


class World:
    """The fixtures a target needs, made on demand (each test builds only its own)."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.request = request

    def __getattr__(self, name: str):
        return self.request.getfixturevalue(name)

    def case(self, stage: Stage, **kwargs):
        return make_case(
            self.team_a, self.manager, self.practitioner, self.referrer, stage=stage, **kwargs
        )

    def elsewhere(self):
        """A case of the other team: its ids are what a tampered form would point at."""
        return make_case(
            self.team_b,
            self.other_manager,
            self.other_practitioner,
            self.referrer,
            stage=Stage.PHASE1,
            goals=1,
        )

    @property
    def today(self) -> str:
        return timezone.localdate().isoformat()


DATES = [
    "{today}",
    "{yesterday}",
    "{tomorrow}",
    "0001-01-01",
    "9999-12-31",
    "1900-01-01",
]


def dates(extra: tuple[str, ...] = ()) -> list[str]:
    today = timezone.localdate()
    out = [
        d.format(
            today=today.isoformat(),
            yesterday=(today - timedelta(days=1)).isoformat(),
            tomorrow=(today + timedelta(days=1)).isoformat(),
        )
        for d in DATES
    ]
    return out + list(extra)


def moments() -> list[str]:
    now = timezone.now()
    return [minute(now), minute(now - timedelta(days=400)), minute(now + timedelta(hours=2))]


# --- Referrals ---------------------------------------------------------------------------


def referral_target(w: World) -> Target:
    """The referral form at /new/ and at a saved draft, with each of its three actions."""
    other = ReferralFactory(team=w.team_b)
    team_b_family = FamilyFactory(team=w.team_b, postcode="NP20 1AA")
    draft = ReferralDraftFactory(owner=w.referrer)
    urls = [reverse("referrals:new"), reverse("referrals:draft", args=[draft.pk])]

    def draw(data: st.DataObject) -> Request:
        url = data.draw(st.sampled_from(urls), label="url")
        action = data.draw(st.sampled_from(["submit", "draft", "add_member"]), label="action")
        return Request(url, target.mutate(data, {**target.payload, "action": action}))

    target = Target(
        client=login(w.referrer),
        url=urls[0],
        payload=referral_post(team=w.team_a),
        draw=draw,
        extra_keys=[
            "link_family",
            "members-0-DELETE",
            "members-1-DELETE",
            "members-2-kind",
            "members-2-last_name",
        ],
        key_values={
            "team": [w.team_b.pk, "0"],
            "action": ["submit", "draft", "add_member", "delete"],
            "submission_key": [other.submission_key, uuid.uuid4(), f"{{{uuid.uuid4()}}}"],
            "members-TOTAL_FORMS": ["0", "1", "3", "20", "21", "1001", "-1", "²"],
            "members-INITIAL_FORMS": ["1", "2", "5", "-1"],
            "members-MAX_NUM_FORMS": ["0", "1", "1000"],
            "members-MIN_NUM_FORMS": ["0", "5"],
            "link_family": [team_b_family.pk, "new", "0"],
            "members-0-kind": ["child", "unborn"],
            "members-1-kind": ["adult", "unborn"],
            "members-1-due_date": dates(),
            "members-1-date_of_birth": dates(("2010-01-01", "2000-01-01")),
            "members-0-legal_status": pks(LegalStatus),
            "members-1-substances": pks(Substance),
            "consent_given": ["yes", "no"],
            "consent_date": dates(),
            "presenting_issues": ["99999999", "-1"],
            "local_authority": ["99999999"],
            "route": ["99999999"],
        },
    )
    return target


def rereferral_target(w: World) -> Target:
    """Linking to a family the form offered: the merge of the household on record."""
    family = FamilyFactory(team=w.team_a, postcode="NP20 1AA", name="Evans family")
    PersonFactory(family=family, first_name="Carys", last_name="Evans", date_of_birth=None)
    PersonFactory(
        family=family,
        kind=MemberKind.CHILD,
        first_name="Dylan",
        last_name="Evans",
        relationship="child",
        date_of_birth=date(2018, 6, 7),
    )
    PersonFactory(
        family=family,
        kind=MemberKind.UNBORN,
        first_name="",
        last_name="Evans",
        relationship="child",
        date_of_birth=None,
        due_date=timezone.localdate() + timedelta(weeks=10),
    )
    target = referral_target(w)
    target.client = login(w.practitioner)  # team staff: a referrer is never offered a family
    target.draw = None
    target.payload = referral_post(
        team=w.team_a,
        link_family=str(family.pk),
        members=[adult(), child(), adult(first_name="Owen", relationship="father")],
    )
    target.key_values["link_family"] += [family.pk]
    target.key_values["members-2-kind"] = ["unborn", "child"]
    target.key_values["members-2-date_of_birth"] = ["", "2018-06-07"]
    return target


def draft_delete_target(w: World) -> Target:
    draft = ReferralDraftFactory(owner=w.referrer)
    theirs = ReferralDraftFactory(owner=w.other_referrer)

    def draw(data: st.DataObject) -> Request:
        pk = data.draw(st.sampled_from([draft.pk, theirs.pk, 0, 2**31, 2**63]), label="draft")
        return Request(reverse("referrals:draft_delete", args=[pk]), {})

    return Target(
        login(w.referrer), reverse("referrals:draft_delete", args=[draft.pk]), {}, draw=draw
    )


def decide_target(w: World) -> Target:
    referral = ReferralFactory(team=w.team_a, created_by=w.referrer)
    accepted = ScreeningOutcome.objects.get(code="accepted")
    return Target(
        client=login(w.manager),
        url=reverse("referrals:decide", args=[referral.pk]),
        payload={
            "version": str(referral.version),
            "outcome": str(accepted.pk),
            "reason": str(ScreeningReason.objects.filter(outcome=accepted).first().pk),
            "detail": "Meets the criteria.",
            "onward_service": "",
            "priority": "2",
        },
        key_values={
            "version": [referral.version + 1, referral.version - 1, 0, 2**63],
            "outcome": pks(ScreeningOutcome),
            "reason": pks(ScreeningReason),
            "onward_service": pks(OnwardService),
            "priority": ["1", "3", "0", "4"],
        },
    )


def first_contact_target(w: World) -> Target:
    referral = ReferralFactory(
        team=w.team_a, created_by=w.referrer, received_at=timezone.now() - timedelta(hours=3)
    )
    return Target(
        client=login(w.manager),
        url=reverse("referrals:first_contact", args=[referral.pk]),
        payload={
            "version": str(referral.version),
            "contacted_at": minute(timezone.now() - timedelta(hours=1)),
            "spoken_to": "Sam",
            "method": "phone",
            "note": "Rang back",
        },
        key_values={
            "version": [referral.version + 1, 0],
            "method": ["fax", ""],
            "spoken_to": ["", " "],
            "contacted_at": moments() + [minute(referral.received_at - timedelta(minutes=1))],
        },
    )


def link_family_target(w: World) -> Target:
    """A manager links a referrer's referral to a known family the page offers."""
    known = FamilyFactory(team=w.team_a, postcode="NP20 1AA", name="Evans family")
    theirs = FamilyFactory(team=w.team_b, postcode="NP20 1AA")
    referral = ReferralFactory(
        team=w.team_a, created_by=w.referrer, family_name="Evans", postcode="NP20 1AA"
    )
    return Target(
        client=login(w.manager),
        url=reverse("referrals:link_family", args=[referral.pk]),
        payload={"family": str(known.pk), "version": str(referral.version)},
        key_values={
            "family": [theirs.pk, referral.family_id, "0", "-1", "99999999999999999999"],
            "version": [referral.version + 1, 0],
        },
    )


def apply_update_target(w: World) -> Target:
    """A manager applies one difference between a re-referral and the family's record."""
    family = FamilyFactory(team=w.team_a, address="1 High Street")
    referral = ReferralFactory(
        team=w.team_a,
        created_by=w.referrer,
        family=family,
        family_name="Evans",
        address="2 Other Road",
        is_rereferral=True,
    )
    return Target(
        client=login(w.manager),
        url=reverse("referrals:apply_update", args=[referral.pk]),
        payload={"key": "family:address", "before": "1 High Street"},
        key_values={
            "key": ["family:name", "family:", "member:1:kind", "member:x:new", ":::", "a" * 61],
            "before": ["", "2 Other Road", "x" * 5001],
        },
    )


def waiting_edit_target(w: World) -> Target:
    entry = WaitingListEntryFactory(referral__team=w.team_a, referral__created_by=w.referrer)
    return Target(
        client=login(w.manager),
        url=reverse("referrals:waiting_edit", args=[entry.pk]),
        payload={"priority": "1", "notes": "Urgent: school concerns.", "version": "1"},
        key_values={"priority": ["0", "4", "-1", "2"]},
    )


def allocate_target(w: World) -> Target:
    referral = ReferralFactory(team=w.team_a, created_by=w.referrer, status=ReferralStatus.ACCEPTED)
    return Target(
        client=login(w.manager),
        url=reverse("referrals:allocate", args=[referral.pk]),
        payload={
            "version": str(referral.version),
            "worker": str(w.practitioner.pk),
            "co_worker": "",
        },
        key_values={
            "version": [referral.version + 1, 0],
            "worker": [w.other_practitioner.pk, w.referrer.pk, w.practitioner2.pk, w.manager.pk],
            "co_worker": [
                w.other_practitioner.pk,
                w.referrer.pk,
                w.practitioner.pk,
                w.practitioner2.pk,
            ],
        },
    )


# --- Cases -------------------------------------------------------------------------------


def start_assessment_target(w: World) -> Target:
    journey = w.case(Stage.AWAITING_ASSESSMENT, received_days_ago=2)
    return Target(
        client=login(w.practitioner),
        url=reverse("cases:start_assessment", args=[journey.case.pk]),
        payload={"started_at": minute(timezone.now() - timedelta(hours=1))},
        key_values={"started_at": moments() + [minute(journey.referral.received_at)]},
    )


def assessment_target(w: World) -> Target:
    journey = w.case(Stage.ASSESSMENT, received_days_ago=2)
    assessment = journey.assessment
    return Target(
        client=login(w.practitioner),
        url=reverse("cases:assessment", args=[journey.case.pk]),
        payload={
            "version": str(assessment.version),
            "completed_at": minute(timezone.now() - timedelta(minutes=5)),
            "hours_spent": "8.5",
            "safety_plan": "Grandmother collects the children.",
            "safety_plan_agreed_on": w.today,
            "child_strengths": "Loves school.",
            "child_risks": "Misses mornings.",
            "child_voice": "I want Mum to be OK.",
            "parenting_strengths": "Warm.",
            "parenting_risks": "Drinks in the day.",
            "substance_history": "Ten years, one detox.",
            "readiness": "contemplation",
            "family_strengths": "Nain nearby.",
            "family_risks": "Rent arrears.",
        },
        key_values={
            "readiness": ["", "action", "denial", "0"],
            "version": [assessment.version + 1, 0],
            "completed_at": moments() + [minute(assessment.started_at - timedelta(hours=1))],
            "hours_spent": ["0", "200", "200.01", "-0.01", "8.555", "999.99", "1e2"],
            "safety_plan_agreed_on": dates(),
        },
    )


def proceed_target(w: World) -> Target:
    journey = w.case(Stage.ASSESSMENT, received_days_ago=2, complete_assessment=True)
    completed = timezone.localtime(journey.assessment.completed_at).date()
    return Target(
        client=login(w.practitioner),
        url=reverse("cases:decide", args=[journey.case.pk]),
        payload={
            "version": str(type(journey.case).objects.get(pk=journey.case.pk).version),
            "decision": "proceed",
            "not_proceed_reason": "",
            "phase1_start": "",
            "slip_reason": "",
            "notes": "The family wants to change.",
        },
        key_values={
            "version": [journey.case.version + 1, 0],
            "decision": ["not_proceed", "proceed"],
            "not_proceed_reason": pks(NotProceedReason),
            "phase1_start": [(completed + timedelta(days=n)).isoformat() for n in (-1, 0, 1, 7, 8)],
            "slip_reason": ["Bank holiday", " "],
        },
    )


def contact_target(w: World) -> Target:
    journey = w.case(Stage.PHASE1)
    other = w.elsewhere()
    return Target(
        client=login(w.practitioner),
        url=reverse("cases:add_contact", args=[journey.case.pk]),
        payload={
            "started_at": minute(timezone.now() - timedelta(hours=1)),
            "duration_minutes": "60",
            "mode": "home_visit",
            "work_type": "direct",
            "people_seen": [str(journey.adult.pk), str(journey.child.pk)],
            "methods": pks(PracticeMethod)[:1],
            "notes": "Talked about routines.",
        },
        extra_keys=["out_of_hours", "child_seen", "child_seen_alone"],
        key_values={
            "child_seen": ["on", ""],
            "child_seen_alone": ["on", ""],
            "duration_minutes": ["0", "1", "1440", "1441", "-60", "59.5"],
            "people_seen": [other.adult.pk, other.child.pk],
            "started_at": moments() + [minute(journey.case.allocated_at - timedelta(days=2))],
            "mode": ["text", "carrier pigeon"],
        },
    )


def plan_target(w: World) -> Target:
    journey = w.case(Stage.PHASE1)
    return Target(
        client=login(w.practitioner),
        url=reverse("cases:add_plan", args=[journey.case.pk]),
        payload={
            "needs": "Stable routines.",
            "service_actions": "IFST: weekly visits.",
            "invited_services": pks(OnwardService)[:1],
            "agreed_on": w.today,
            "agreed_with": "Mother, social worker",
        },
        key_values={
            "agreed_on": dates(),
            "invited_services": ["99999999", "-1"],
        },
    )


def end_phase1_target(w: World) -> Target:
    w.team_a.step_down_enabled = True
    # The unchanged payload meets the model; the fuzzed ones may not (a sign-off is asked).
    w.team_a.phase1_min_weeks = w.team_a.phase1_min_hours = 0
    w.team_a.save(update_fields=["step_down_enabled", "phase1_min_weeks", "phase1_min_hours"])
    journey = w.case(Stage.PHASE1, plans=1)
    start = journey.reload().phase1_start
    return Target(
        client=login(w.practitioner),
        url=reverse("cases:end_phase1", args=[journey.case.pk]),
        payload={
            "version": str(journey.case.version),
            "ended_on": w.today,
            "outcomes_missing_reason": "Scored at the first review.",
        },
        extra_keys=["step_down", "early_reason", "action"],
        key_values={
            "version": [journey.case.version + 1, 0],
            "ended_on": dates(((start - timedelta(days=1)).isoformat(), start.isoformat())),
            "step_down": ["on", "true", "false", "0"],
            "action": ["request", "end", ""],
            "outcomes_missing_reason": ["", " "],
        },
    )


def phase1_signoff_target(w: World) -> Target:
    journey = w.case(Stage.PHASE1, plans=1)
    request_phase1_signoff(
        case_id=journey.case.pk, user=w.practitioner, reason="The family is moving away."
    )
    return Target(
        client=login(w.manager),
        url=reverse("cases:phase1_signoff", args=[journey.case.pk]),
        payload={"approved": "yes", "note": "Agreed with the social worker."},
        key_values={"approved": ["maybe", "", "no"], "note": ["", " "]},
    )


def finish_step_down_target(w: World) -> Target:
    w.team_a.step_down_enabled = True
    w.team_a.save(update_fields=["step_down_enabled"])
    journey = w.case(Stage.PHASE1, plans=1)
    end_phase1_signed_off(
        case_id=journey.case.pk,
        worker=w.practitioner,
        manager=w.manager,
        ended_on=timezone.localdate(),
        step_down=True,
    )
    return Target(
        client=login(w.practitioner),
        url=reverse("cases:finish_step_down", args=[journey.case.pk]),
        payload={"version": str(journey.reload().version)},
        extra_keys=["stage", "to_stage"],
        key_values={"stage": ["closed", "phase1"], "to_stage": ["closed", "awaiting_assessment"]},
    )


def close_target(w: World) -> Target:
    journey = w.case(Stage.PHASE2)
    other = w.elsewhere()
    return Target(
        client=login(w.practitioner),
        url=reverse("cases:close", args=[journey.case.pk]),
        payload={
            "version": str(type(journey.case).objects.get(pk=journey.case.pk).version),
            "reason": str(ClosureReason.objects.get(code="completed").pk),
            "closed_on": w.today,
            "substance_change": "reduced",
            "destination_services": pks(OnwardService)[:1],
            "notes": "Goals met.",
            f"child_{journey.child.pk}": "stayed_home",
            "measures_missing_reason": "Closed before the first review.",
        },
        extra_keys=[f"child_{other.child.pk}", f"child_{journey.adult.pk}"],
        key_values={
            "version": [journey.case.version + 1, 0],
            "reason": pks(ClosureReason),
            "closed_on": dates(),
            "substance_change": ["stopped", "unknown", "worse"],
            f"child_{journey.child.pk}": ["accommodated", "closed_ss", "not_known", "adopted"],
            f"child_{other.child.pk}": ["stayed_home"],
            f"child_{journey.adult.pk}": ["stayed_home"],
        },
    )


def override_target(w: World) -> Target:
    journey = w.case(Stage.CLOSED)
    return Target(
        client=login(w.manager),
        url=reverse("cases:override", args=[journey.case.pk]),
        payload={"successful": "no", "reason": "A child was accommodated.", "version": "1"},
        key_values={"successful": ["yes", "no", "derived", "maybe"], "reason": [" ", "\n"]},
    )


def restrict_target(w: World) -> Target:
    journey = w.case(Stage.AWAITING_ASSESSMENT)
    return Target(
        client=login(w.manager),
        url=reverse("cases:restrict", args=[journey.case.pk]),
        payload={
            "restricted": "on",
            "people": [str(w.practitioner2.pk)],
            "version": str(type(journey.case).objects.get(pk=journey.case.pk).version),
        },
        key_values={
            "people": [w.other_practitioner.pk, w.referrer.pk, w.board_member.pk, w.csw.pk],
            "restricted": ["", "off", "false"],
        },
    )


# --- Outcomes and Phase 2 --------------------------------------------------------------


def goal_target(w: World) -> Target:
    journey = w.case(Stage.PHASE1)
    other = w.elsewhere()
    return Target(
        client=login(w.practitioner),
        url=reverse("outcomes:add_goal", args=[journey.case.pk]),
        payload={
            "title": "Mother stops drinking during the day",
            "category": pks(GoalCategory)[0],
            "members": [str(journey.adult.pk)],
            "level_minus2": "Drinking every day",
            "level_minus1": "Drinking most days",
            "level_0": "Two dry days a week",
            "level_plus1": "Four dry days a week",
            "level_plus2": "No daytime drinking",
            "baseline": "-1",
        },
        extra_keys=["is_substance", "weight"],
        key_values={
            "baseline": ["-2", "2", "-3", "3", "+1", "1.0"],
            "members": [other.adult.pk],
            "category": pks(GoalCategory),
            "weight": ["0", "-1", "100"],
        },
    )


def reading_target(w: World, *, sdq: bool = False) -> Target:
    journey = w.case(Stage.PHASE1, readings=0)
    other = w.elsewhere()
    payload = {
        "person": str(journey.adult.pk),
        "instrument": "wemwbs",
        "occasion": "start",
        "taken_on": w.today,
        "total": "40",
    }
    if sdq:
        payload = {
            "person": str(journey.child.pk),
            "instrument": "sdq",
            "occasion": "end_phase1",
            "taken_on": w.today,
            "sdq_emotional": "5",
            "sdq_conduct": "4",
            "sdq_hyperactivity": "6",
            "sdq_peer": "3",
            "sdq_prosocial": "7",
            "sdq_informant": "parent",
            "sdq_version": "4_17",
        }
    scores = ["-1", "0", "10", "11", "13", "14", "70", "71", "65535", "65536"]
    return Target(
        client=login(w.practitioner),
        url=reverse("outcomes:add_reading", args=[journey.case.pk]),
        payload=payload,
        extra_keys=["total", "sdq_emotional", "sdq_prosocial"],
        key_values={
            "person": [journey.adult.pk, journey.child.pk, other.adult.pk, other.child.pk],
            "instrument": ["wemwbs", "sdq", "phq9"],
            "occasion": ["start", "closure", "end_phase1", "later"],
            "taken_on": dates(),
            "total": scores,
            "sdq_emotional": scores,
            "sdq_conduct": scores,
            "sdq_hyperactivity": scores,
            "sdq_peer": scores,
            "sdq_prosocial": scores,
        },
    )


def service_use_target(w: World) -> Target:
    """One person's services before or after: new and existing records, an "after" that is
    too early (Phase 1), people of another family or unborn, and tampered versions."""
    journey = w.case(Stage.PHASE2)
    early = w.case(Stage.PHASE1)
    other = w.elsewhere()
    case = journey.case
    unborn = PersonFactory(
        family=case.family,
        kind=MemberKind.UNBORN,
        first_name="",
        date_of_birth=None,
        due_date=timezone.localdate() + timedelta(weeks=8),
    )
    record_service_use(
        case_id=case.pk,
        user=w.practitioner,
        data=ServiceUseData(
            person=journey.child,
            occasion="before",
            recorded_on=timezone.localdate(),
            services=[],
            version=0,
        ),
    )

    def url(c, person, occasion: str) -> str:
        return reverse("outcomes:record_services", args=[c.pk, person.pk, occasion])

    urls = [
        url(case, journey.adult, "before"),
        url(case, journey.adult, "after"),
        url(case, journey.child, "before"),  # an edit: its version is 1
        url(early.case, early.adult, "after"),  # too early
        url(case, other.adult, "before"),  # another family: 404
        url(case, unborn, "before"),  # 404
        url(other.case, other.adult, "before"),  # another team: 404
        reverse("outcomes:record_services", args=[case.pk, journey.adult.pk, "during"]),
    ]

    def draw(data: st.DataObject) -> Request:
        return Request(
            data.draw(st.sampled_from(urls), label="url"), target.mutate(data, target.payload)
        )

    received = timezone.localtime(journey.referral.received_at).date()
    target = Target(
        client=login(w.practitioner),
        url=urls[0],
        payload={"version": "0", "recorded_on": w.today, "services": pks(ServiceType)[:2]},
        draw=draw,
        extra_keys=["none_used"],
        key_values={
            "version": ["1", "2", "-1", str(2**63)],
            "recorded_on": dates(
                ((received - timedelta(days=1)).isoformat(), received.isoformat())
            ),
            "services": [*pks(ServiceType), "99999999", "-1"],
            "none_used": ["on", "", "false"],
        },
    )
    return target


def review_target(w: World) -> Target:
    journey = w.case(Stage.PHASE2, goals=2)
    review = journey.reviews[0]
    other = w.elsewhere()
    phase1_end = journey.reload().phase1_end
    goal_fields = {f"goal_{g.pk}": "1" for g in journey.goals}
    return Target(
        client=login(w.practitioner),
        url=reverse("reviews:record", args=[review.pk]),
        payload={
            "version": str(review.version),
            "held_on": w.today,
            "attendees": "Mother, social worker",
            "progress": "Good progress.",
            "children_wellbeing": "Safe and settled.",
            "plan_still_fit": "yes",
            "services_signposted": pks(OnwardService)[:1],
            "outside_window_reason": "Held early: the family moves next month.",
            **goal_fields,
        },
        extra_keys=[f"goal_{other.goals[0].pk}"],
        key_values={
            "version": [review.version + 1, 0],
            "held_on": dates(((phase1_end - timedelta(days=1)).isoformat(),)),
            "outside_window_reason": ["", " "],
            "plan_still_fit": ["no", "maybe"],
            **{k: ["-3", "3", "-2", "2", ""] for k in goal_fields},
            f"goal_{other.goals[0].pk}": ["1"],
        },
    )


def review_report_target(w: World) -> Target:
    journey = w.case(Stage.PHASE2, goals=1, reviews_held=1, reports_sent=False)
    review = journey.reviews[0]
    review.refresh_from_db()
    return Target(
        client=login(w.practitioner),
        url=reverse("reviews:report", args=[review.pk]),
        payload={"version": str(review.version), "action": "send"},
        key_values={
            "version": [review.version + 1, 0, "-1", str(2**63)],
            "action": ["submit", "send", "sign", ""],
        },
    )


def booster_target(w: World) -> Target:
    journey = w.case(Stage.PHASE2)
    return Target(
        client=login(w.practitioner),
        url=reverse("reviews:add_booster", args=[journey.case.pk]),
        payload={
            "requested_by": "family",
            "requested_on": w.today,
            "delivered_by": str(w.practitioner.pk),
            "delivered_on": w.today,
            "duration_minutes": "60",
            "notes": "Relapse prevention.",
            "over_limit_reason": "",
        },
        key_values={
            "requested_by": ["team", "social_worker", "granny"],
            "requested_on": dates(),
            "delivered_on": dates(),
            "delivered_by": [w.other_practitioner.pk, w.referrer.pk, w.manager.pk],
            "duration_minutes": ["0", "1440", "1441", "-1"],
        },
    )


# --- Families, notifications, accounts --------------------------------------------------


def consent_target(w: World) -> Target:
    journey = w.case(Stage.AWAITING_ASSESSMENT)
    other = w.elsewhere()
    return Target(
        client=login(w.practitioner),
        url=reverse("families:consent", args=[journey.case.family_id]),
        payload={
            "person": str(journey.adult.pk),
            "topic": "sharing",
            "agreed": "yes",
            "who_may_be_told": "School, GP",
            "recorded_on": w.today,
            "notes": "Signed the form.",
        },
        key_values={
            "person": [other.adult.pk, journey.child.pk],
            "topic": ["referral", "evaluation", "everything"],
            "agreed": ["no", "maybe"],
            "recorded_on": dates(),
        },
    )


def subject_access_target(w: World) -> Target:
    journey = w.case(Stage.PHASE1)
    other = w.elsewhere()
    choices = [journey.adult.pk, journey.child.pk, other.adult.pk, 0, 2**31, 2**63]

    def draw(data: st.DataObject) -> Request:
        # The view reads no form: the id in the URL is all there is to tamper with.
        pk = data.draw(st.sampled_from(choices), label="person")
        return Request(reverse("privacy:subject_access_export", args=[pk]), {})

    def check(response, request: Request) -> None:
        if response.status_code == 200:
            assert response["Content-Type"] == "application/zip"

    return Target(
        client=login(w.manager),
        url=reverse("privacy:subject_access_export", args=[journey.adult.pk]),
        payload={},
        ok_status=200,
        draw=draw,
        check=check,
    )


def anonymise_target(w: World) -> Target:
    long_ago = timezone.now() - timedelta(days=365 * 9)
    due = CaseFactory(
        team=w.team_a,
        worker=w.practitioner,
        stage=Stage.CLOSED,
        closed_at=long_ago,
        allocated_at=long_ago,
        referral__received_at=long_ago,
    )
    PersonFactory(family=due.family)
    recent = w.case(Stage.CLOSED)
    other = CaseFactory(
        team=w.team_b,
        worker=w.other_practitioner,
        stage=Stage.CLOSED,
        closed_at=long_ago,
        allocated_at=long_ago,
        referral__received_at=long_ago,
    )
    choices = [due.family_id, recent.case.family_id, other.family_id, 0, 2**63]

    def draw(data: st.DataObject) -> Request:
        pk = data.draw(st.sampled_from(choices), label="family")  # the view reads no form
        return Request(reverse("privacy:anonymise", args=[pk]), {})

    def check(response, request: Request) -> None:
        from families.models import Family

        for family in Family.objects.filter(pk__in=[recent.case.family_id, other.family_id]):
            assert family.anonymised_at is None, "a family not due was anonymised"

    return Target(
        client=login(w.manager),
        url=reverse("privacy:anonymise", args=[due.family_id]),
        payload={},
        draw=draw,
        check=check,
    )


def notification_open_target(w: World) -> Target:
    theirs = Notification.objects.create(recipient=w.manager, subject="Not yours", url="/cases/")

    def draw(data: st.DataObject) -> Request:
        url = data.draw(
            st.one_of(
                st.sampled_from(
                    [
                        "/cases/",
                        "",
                        "//evil.example/",
                        "https://evil.example/",
                        "javascript:alert(1)",
                        "/\\evil.example/",
                        "\\\\evil.example",
                        "http:/evil.example",
                        " //evil.example",
                        "/%2F%2Fevil.example",
                        "https://testserver/cases/",
                    ]
                ),
                st.text(max_size=60).filter(lambda s: "\x00" not in s),
            ),
            label="stored url",
        )
        mine = Notification.objects.create(recipient=w.practitioner, subject="Yours", url=url[:300])
        pk = data.draw(st.sampled_from([mine.pk, theirs.pk, 0]), label="notification")
        return Request(reverse("notifications:open", args=[pk]), {})

    def check(response, request: Request) -> None:
        assert_same_site_redirect(response, request)

    return Target(
        client=login(w.practitioner),
        url=reverse("notifications:open", args=[theirs.pk]),
        payload={},
        ok_status=404,
        draw=draw,
        check=check,
    )


def notification_read_all_target(w: World) -> Target:
    Notification.objects.create(recipient=w.practitioner, subject="One", url="/")
    return Target(
        client=login(w.practitioner),
        url=reverse("notifications:read_all"),
        payload={"next": "/"},
        extra_keys=["recipient", "pk"],
        key_values={"recipient": [w.manager.pk], "pk": ["0"]},
        check=assert_same_site_redirect,
    )


def notification_preferences_target(w: World) -> Target:
    from notifications.models import DEFAULT_CHANNELS, Channel, Kind, Preference

    def check(response, request) -> None:
        # Whatever was sent, escalations are never off and every row is a known choice.
        assert not Preference.objects.filter(kind=Kind.ESCALATION, channel=Channel.OFF).exists()
        assert set(Preference.objects.values_list("channel", flat=True)) <= set(Channel.values)

    return Target(
        client=login(w.practitioner),
        url=reverse("notifications:preferences"),
        payload={**DEFAULT_CHANNELS, "reminder_notice": "app"},
        key_values={kind: [*Channel.values, "bogus"] for kind in Kind.values},
        check=check,
    )


def autosave_target(w: World) -> Target:
    def draw(data: st.DataObject) -> Request:
        shape = data.draw(st.sampled_from(["form", "any", "bytes"]), label="shape")
        if shape == "bytes":
            body = data.draw(st.binary(max_size=200), label="body")
        elif shape == "any":
            body = json.dumps(data.draw(json_values, label="json"))
        else:
            path = data.draw(st.one_of(st.sampled_from(["/cases/1/", "/", "x", ""]), values()))
            fields = data.draw(
                st.dictionaries(
                    st.one_of(
                        st.sampled_from(["notes", "csrfmiddlewaretoken"]), st.text(max_size=5)
                    ),
                    st.one_of(values(), st.lists(values(), max_size=3), json_values),
                    max_size=5,
                ),
                label="fields",
            )
            body = json.dumps({"path": path, "fields": fields})
        return Request(reverse("autosave"), body, content_type="application/json")

    def check(response, request: Request) -> None:
        assert response.status_code in (204, 400), response.status_code

    return Target(
        client=login(w.practitioner),
        url=reverse("autosave"),
        payload={},
        ok_status=204,
        first=Request(
            reverse("autosave"),
            json.dumps({"path": "/cases/1/contacts/new/", "fields": {"notes": ["Talked"]}}),
            content_type="application/json",
        ),
        draw=draw,
        check=check,
    )


def _totp(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def two_factor_setup_target(w: World) -> Target:
    from accounts.twofactor import issue_enrolment_code
    from accounts.twofactor_views import ENROLMENT_KEY

    client = login(w.practitioner)
    # The enrolment code first (a password alone shows no secret), then the pending device.
    code = issue_enrolment_code(user=w.practitioner, issued_by=None)
    client.post(reverse("two_factor_setup"), {"enrolment_code": code})
    client.get(reverse("two_factor_setup"))  # makes the pending device
    device = TOTPDevice.objects.get(user=w.practitioner, confirmed=False)
    target = Target(
        client=client,
        url=reverse("two_factor_setup"),
        payload={"token": _totp(device)},
        ok_status=200,
        key_values={"token": ["000000", "١٢٣٤٥٦", " 123 456 ", "12345678901234567"]},
    )

    def draw(data: st.DataObject) -> Request:
        # A right code cycles the session key, and the rolled-back savepoint takes the new
        # session with it: sign in again, past the enrolment code, before each example.
        client.force_login(w.practitioner)
        session = client.session
        session[ENROLMENT_KEY] = w.practitioner.pk
        session.save()
        return Request(target.url, target.mutate(data, target.payload))

    target.draw = draw
    return target


def two_factor_verify_target(w: World) -> Target:
    user = w.csw
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    client = login(user)  # signed in with a password only: the device is not yet verified

    def draw(data: st.DataObject) -> Request:
        token = data.draw(values(["000000", "123456"]), label="token")
        target = data.draw(
            st.one_of(
                st.sampled_from(
                    ["/cases/", "//evil.example/", "https://evil.example/", "/\\evil.example"]
                ),
                values(),
            ),
            label="next",
        )
        from urllib.parse import urlencode

        return Request(
            f"{reverse('two_factor_verify')}?{urlencode({'next': target})}", {"token": token}
        )

    return Target(
        client=client,
        url=reverse("two_factor_verify"),
        payload={"token": "000000"},
        ok_status=200,
        draw=draw,
        check=assert_same_site_redirect,
    )


def password_change_target(w: World) -> Target:
    from tests.factories import PASSWORD

    return Target(
        client=login(w.practitioner),
        url=reverse("password_change"),
        payload={
            "old_password": PASSWORD,
            "new_password1": "a much longer passphrase 42",
            "new_password2": "a much longer passphrase 42",
        },
        relogin=w.practitioner,
    )


# --- Reporting ---------------------------------------------------------------------------


def card_query(w: World) -> dict[str, str]:
    return {
        "scope": f"team-{w.team_a.pk}",
        "period_kind": "quarter",
        "year": "2025",
        "quarter": "2",
        "basis": "events",
    }


CARD_VALUES = {
    "scope": ["all", "team-0", "la-1", "team-", "team-1x"],
    "period_kind": ["year", "range", "week"],
    "year": ["1999", "2000", "2100", "2101"],
    "quarter": ["1", "4", "5", "0"],
    "date_from": ["2025-04-01", "2026-03-31", "1900-01-01"],
    "date_to": ["2025-06-30", "2025-03-31", "2100-12-31"],
    "basis": ["cohort", "people"],
}


def with_query(w: World, name: str, body: dict) -> Target:
    """A reporting form: the scope and period are in the query string, fuzzed too."""
    from urllib.parse import urlencode

    query = card_query(w)
    query_values = {k: [*v, f"team-{w.team_b.pk}"] for k, v in CARD_VALUES.items()}

    def draw(data: st.DataObject) -> Request:
        params = data.draw(
            st.one_of(st.just(query), mutated(query, key_values=query_values)), label="query"
        )
        form = target.mutate(data, body) if body else {}
        return Request(f"{reverse(name)}?{urlencode(params, doseq=True)}", form)

    target = Target(
        client=login(w.manager),
        url=f"{reverse(name)}?{urlencode(query)}",
        payload=body,
        draw=draw,
        key_values={"version": ["0", "2", str(2**63)]},
    )
    return target


def narrative_target(w: World) -> Target:
    return with_query(
        w,
        "reporting:narrative",
        {
            "version": "1",
            "story": "Referrals rose after the school campaign.",
            "partners": "Schools",
            "what_works": "Early contact",
            "action_plan": "Keep it up",
        },
    )


def agenda_target(w: World) -> Target:
    """The team's data development agenda (reporting.services.save_agenda)."""
    return Target(
        client=login(w.manager),
        url=f"{reverse('reporting:agenda')}?team={w.team_a.pk}",
        payload={"version": "1", "items": "School attendance\nOffending"},
        key_values={"version": ["0", "2", str(2**63)]},
    )


def measure_target_target(w: World) -> Target:
    """A measure's baseline and target, with the reason (reporting.services.set_target)."""
    return Target(
        client=login(w.manager),
        url=(
            f"{reverse('reporting:target', kwargs={'code': 'referrals_received'})}"
            f"?team={w.team_a.pk}"
        ),
        payload={"version": "0", "baseline": "10", "target": "12", "reason": "Agreed."},
        key_values={
            "version": ["1", str(2**63)],
            "baseline": ["-1", "1e9", "NaN", "12.345"],
            "target": ["-1", "1e9", "Infinity"],
        },
    )


def revision_target(w: World) -> Target:
    """Nothing is published in the fixture: the page answers with the form and a message."""
    target = with_query(
        w, "reporting:revision", {"revision": "0", "reason": "A visit was corrected."}
    )
    target.ok_status = 200
    return target


def _teamwork_records(w: World, slug: str):
    """A record of the kind in team A (the manager's) and one in team B, and the cases."""
    from teamwork.views import KINDS

    kind = KINDS[slug]
    ours, theirs = w.case(Stage.PHASE1).case, w.elsewhere().case
    today = timezone.localdate()

    def record(case):
        fields = {
            "consultations": {"held_on": today, "asked_by": "A", "agency": "B", "topic": "C"},
            "training": {"held_on": today, "course": "Course", "attendees": 3},
            "feedback": {"received_on": today, "given_by": "family", "positive": True},
            "complaints": {"received_on": today, "summary": "Late"},
        }[slug]
        if slug in ("feedback", "complaints"):
            fields["case"] = case
        if slug != "feedback":
            fields["team"] = case.team
        return kind.model.objects.create(**fields)

    return kind, ours, theirs, record(ours), record(theirs)


def _teamwork_rules_hold(kind, theirs_record):
    """Whatever was posted: no record dated in the future or before 2000, no negative
    attendees, no case of another team or referred after the record, and team B's record
    untouched."""

    def check(response, request: Request) -> None:
        today = timezone.localdate()
        for r in kind.model.objects.all():
            day = getattr(r, kind.date_field)
            assert date(2000, 1, 1) <= day <= today, f"{kind.slug} dated {day}"
            if kind.slug == "training":
                assert 0 <= r.attendees <= 10000
            case = getattr(r, "case", None)
            if case is not None:
                assert day >= timezone.localtime(case.referral.received_at).date()
                if kind.slug == "complaints":
                    assert case.team_id == r.team_id, "a complaint against another team's case"
        saved = kind.model.objects.get(pk=theirs_record.pk)
        assert saved.version == theirs_record.version, "team B's record was changed"

    return check


def teamwork_target(slug: str) -> Callable[[World], Target]:
    """The create and edit forms of one kind of team activity (teamwork/views.py)."""

    def build(w: World) -> Target:
        kind, ours, theirs, record, their_record = _teamwork_records(w, slug)
        today = timezone.localdate().isoformat()
        payload = {
            "consultations": {
                "held_on": today,
                "asked_by": "Sam Jones",
                "agency": "Health",
                "topic": "Sleep",
                "led_to_referral": "on",
            },
            "training": {"course": "MI", "held_on": today, "attendees": "12", "audience": "HVs"},
            "feedback": {
                "case": str(ours.pk),
                "given_by": "family",
                "received_on": today,
                "positive": "True",
                "comments": "Helpful",
            },
            "complaints": {"received_on": today, "case": str(ours.pk), "summary": "Late"},
        }[slug]
        payload = {**payload, "submission_key": str(uuid.uuid4()), "version": "1"}
        urls = [
            reverse(kind.new_name),
            reverse(kind.edit_name, args=[record.pk]),
            reverse(kind.edit_name, args=[their_record.pk]),
        ]

        def draw(data: st.DataObject) -> Request:
            url = data.draw(st.sampled_from(urls), label="url")
            return Request(url, target.mutate(data, target.payload))

        target = Target(
            client=login(w.manager),
            url=urls[0],
            payload=payload,
            draw=draw,
            check=_teamwork_rules_hold(kind, their_record),
            extra_keys=["team"],
            # Only the fields this kind has: a tampered field is drawn often enough to count.
            key_values={
                k: v
                for k, v in {
                    kind.date_field: dates(("1999-12-31", "2000-01-01")),
                    "version": ["0", "2", str(2**63)],
                    "submission_key": ["x", f"{{{uuid.uuid4()}}}", "", uuid.uuid4()],
                    "team": [w.team_b.pk, w.team_a.pk, "0"],
                    "case": [theirs.pk, ours.pk, "0", 2**63],
                    "attendees": ["0", "-1", "10001", "2147483648", "١٢"],
                    "positive": ["True", "False", "", "on"],
                    "given_by": ["family", "social_worker", "board"],
                }.items()
                if k in payload or k == "team"
            },
        )
        return target

    return build


def teamwork_delete_target(slug: str) -> Callable[[World], Target]:
    def build(w: World) -> Target:
        kind, _ours, _theirs, record, their_record = _teamwork_records(w, slug)
        choices = [record.pk, their_record.pk, 0, 2**31, 2**63]

        def draw(data: st.DataObject) -> Request:
            pk = data.draw(st.sampled_from(choices), label="record")  # the view reads no form
            return Request(reverse(kind.delete_name, args=[pk]), {})

        return Target(
            client=login(w.manager),
            url=reverse(kind.delete_name, args=[record.pk]),
            payload={},
            draw=draw,
            check=_teamwork_rules_hold(kind, their_record),
        )

    return build


def login_target(w: World) -> Target:
    from django.test import Client

    from tests.factories import PASSWORD

    return Target(
        client=Client(raise_request_exception=False),
        url=reverse("login"),
        payload={"username": w.practitioner.username, "password": PASSWORD, "next": "/cases/"},
        key_values={
            "username": [w.manager.username, w.practitioner.username.upper()],
            "next": ["//evil.example/", "https://evil.example/", "/\\evil.example"],
        },
        check=assert_same_site_redirect,
    )


def account_commands_target(w: World) -> Target:
    """The two-factor and session commands: no form, only a POST."""
    names = ["keepalive", "two_factor_codes", "two_factor_disable"]

    def draw(data: st.DataObject) -> Request:
        name = data.draw(st.sampled_from(names), label="command")  # no form to fuzz
        return Request(reverse(name), {})

    return Target(
        client=login(w.practitioner),
        url=reverse("keepalive"),
        payload={},
        ok_status=204,
        draw=draw,
        check=assert_same_site_redirect,
    )


# --- Corrections and withdrawals (cases.amendments) ----------------------------------------

AMEND_VALUES = {
    "version": ["0", "2", "-1", "99999999999"],
    "reason": ["", " ", "Typed 600 for 60", "x" * 2001],
}


def _amendable(w: World, kind: str):
    from cases.models import Contact
    from referrals.models import ScreeningDecision

    journey = w.case(Stage.PHASE2, goals=1, contacts=1, readings=1, reviews_held=1)
    entry = {
        "contact": lambda: Contact.objects.filter(case=journey.case).first(),
        "goal": lambda: journey.goals[0],
        "reading": lambda: journey.readings[0],
        "review": lambda: next(r for r in journey.reviews if r.held_on),
        "decision": lambda: ScreeningDecision.objects.filter(
            referral=journey.case.referral
        ).first(),
    }[kind]()
    return entry, journey


WITHDRAW_URLS = {
    "contact": ("cases:withdraw_contact", "contact_pk"),
    "goal": ("outcomes:withdraw_goal", "goal_pk"),
    "reading": ("outcomes:withdraw_reading", "reading_pk"),
    "review": ("reviews:withdraw", "review_pk"),
    "decision": ("referrals:withdraw_decision", "decision_pk"),
}


def withdraw_target(kind: str) -> Callable[[World], Target]:
    def build(w: World) -> Target:
        entry, _journey = _amendable(w, kind)
        if kind == "decision":  # the latest decision is never withdrawn: an earlier one
            from referrals.models import ScreeningDecision

            entry = ScreeningDecision.objects.create(
                referral=entry.referral,
                outcome=entry.outcome,
                reason=entry.reason,
                decided_by=w.manager,
                decided_at=entry.decided_at - timedelta(days=1),
            )
        name, key = WITHDRAW_URLS[kind]
        return Target(
            client=login(w.manager if kind == "decision" else w.practitioner),
            url=reverse(name, kwargs={key: entry.pk}),
            payload={"version": str(entry.version), "reason": "Recorded in error", "confirm": "on"},
            key_values={**AMEND_VALUES, "confirm": ["", "off", "on"]},
        )

    return build


def correct_contact_target(w: World) -> Target:
    contact, journey = _amendable(w, "contact")
    other = w.elsewhere()
    return Target(
        client=login(w.practitioner),
        url=reverse("cases:correct_contact", args=[contact.pk]),
        payload={
            "version": str(contact.version),
            "reason": "Typed 600 for 60",
            "started_at": minute(contact.started_at),
            "duration_minutes": "60",
            "mode": "home_visit",
            "work_type": "direct",
            "people_seen": [str(journey.adult.pk)],
            "notes": "Corrected.",
        },
        extra_keys=["out_of_hours", "methods"],
        key_values={
            **AMEND_VALUES,
            "duration_minutes": ["0", "1", "1440", "1441", "-60"],
            "people_seen": [other.adult.pk],
            "started_at": moments(),
        },
    )


def correct_goal_target(w: World) -> Target:
    goal, journey = _amendable(w, "goal")
    other = w.elsewhere()
    return Target(
        client=login(w.practitioner),
        url=reverse("outcomes:correct_goal", args=[goal.pk]),
        payload={
            "version": str(goal.version),
            "reason": "Wrong baseline",
            "title": goal.title,
            "category": str(goal.category_id),
            "level_minus2": "a",
            "level_minus1": "b",
            "level_0": "c",
            "level_plus1": "d",
            "level_plus2": "e",
            "baseline": "0",
        },
        extra_keys=["is_substance", "members"],
        key_values={
            **AMEND_VALUES,
            "baseline": ["-3", "3", "x"],
            "members": [other.adult.pk, journey.adult.pk],
            "category": pks(GoalCategory) + ["0"],
        },
    )


def correct_reading_target(w: World) -> Target:
    reading, journey = _amendable(w, "reading")
    other = w.elsewhere()
    return Target(
        client=login(w.practitioner),
        url=reverse("outcomes:correct_reading", args=[reading.pk]),
        payload={
            "version": str(reading.version),
            "reason": "Wrong total",
            "person": str(reading.person_id),
            "instrument": reading.instrument,
            "occasion": reading.occasion,
            "taken_on": w.today,
            "total": "41",
        },
        extra_keys=["sdq_informant", "sdq_version", "sdq_emotional", "sdq_prosocial"],
        key_values={
            **AMEND_VALUES,
            "instrument": ["wemwbs", "swemwbs", "sdq", "score15"],
            "total": ["6", "7", "13", "14", "35", "36", "70", "71"],
            "person": [other.adult.pk, journey.child.pk],
            "sdq_informant": ["parent", "teacher", "self", "aunt"],
            "sdq_version": ["2_4", "4_17", "0_1"],
            "taken_on": dates(),
        },
    )


def correct_review_target(w: World) -> Target:
    review, journey = _amendable(w, "review")
    goal = journey.goals[0]
    return Target(
        client=login(w.practitioner),
        url=reverse("reviews:correct", args=[review.pk]),
        payload={
            "version": str(review.version),
            "reason": "Wrong score",
            "held_on": review.held_on.isoformat(),
            "attendees": "Mother, worker",
            "progress": "Steady.",
            "children_wellbeing": "Safe at home.",
            "outside_window_reason": "Held when the family could.",
            "plan_still_fit": "yes",
            f"goal_{goal.pk}": "1",
        },
        extra_keys=["services_signposted"],
        key_values={
            **AMEND_VALUES,
            f"goal_{goal.pk}": ["-3", "3", ""],
            "held_on": dates(),
            "plan_still_fit": ["no", "maybe"],
        },
    )


def correct_decision_target(w: World) -> Target:
    decision, _journey = _amendable(w, "decision")
    return Target(
        client=login(w.manager),
        url=reverse("referrals:correct_decision", args=[decision.pk]),
        payload={
            "version": str(decision.version),
            "reason": "Wrong coded reason",
            "reason_code": str(decision.reason_id),
            "detail": "Accepted after the panel.",
        },
        extra_keys=["onward_service"],
        key_values={**AMEND_VALUES, "reason_code": pks(ScreeningReason) + ["0"]},
    )


def _import_file(w: World, cells: dict[str, str]):
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.columns import NAMES

    la = w.team_a.local_authorities.order_by("name").first()
    row = {"reference": "REF-1", "referral_date": "2024-04-01", "local_authority": la.name}
    row |= {"screening_outcome": "accepted", "screening_reason": "meets-criteria"}
    row |= {"decision_date": "2024-04-02", "assessment_start": "2024-04-03"}
    row |= cells
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=NAMES)
    writer.writeheader()
    writer.writerow(row)
    return SimpleUploadedFile("history.csv", out.getvalue().encode("utf-8", "surrogatepass"))


def import_upload_target(w: World) -> Target:
    """The dry run: every cell of a row, and the team, hostile; it must never be a 500."""
    from imports.columns import NAMES

    url = reverse("imports:upload")

    def draw(data: st.DataObject) -> Request:
        cells = data.draw(
            st.dictionaries(st.sampled_from(NAMES), values(DATES), max_size=4), label="cells"
        )
        team = data.draw(
            st.sampled_from([str(w.team_a.pk), str(w.team_b.pk), "", "9" * 20]), label="team"
        )
        return Request(url, {"team": team, "file": _import_file(w, cells)})

    return Target(
        client=login(w.manager),
        url=url,
        payload={},
        draw=draw,
        first=Request(url, {"team": str(w.team_a.pk), "file": _import_file(w, {})}),
    )


def import_confirm_target(w: World) -> Target:
    from imports.services import check_import

    run = check_import(
        team=w.team_a, user=w.manager, file_name="h.csv", content=_import_file(w, {}).read()
    )
    url = reverse("imports:confirm", args=[run.pk])
    return Target(client=login(w.manager), url=url, payload={"confirm": "1"})


def _api_client(w: World):
    from api import services

    client = services.create_client(
        name="Fuzzed partner",
        teams=[w.team_a],
        can_read_figures=True,
        can_submit_referrals=False,
        requests_per_minute=60,
        by=w.admin_user,
    )
    services.issue_token(client=client, by=w.admin_user)
    return client


API_CLIENT_VALUES = {
    "teams": ["0", "-1", str(2**63), "x"],
    "requests_per_minute": ["0", "-1", str(2**63), "1e3", "10001"],
    "can_read_figures": ["on", "", "false"],
}


def api_client_new_target(w: World) -> Target:
    return Target(
        client=login(w.admin_user),
        url=reverse("api:client_new"),
        payload={
            "name": "Newport WCCIS",
            "teams": [str(w.team_a.pk)],
            "can_read_figures": "on",
            "requests_per_minute": "60",
        },
        key_values=API_CLIENT_VALUES,
    )


def api_client_edit_target(w: World) -> Target:
    client = _api_client(w)
    return Target(
        client=login(w.admin_user),
        url=reverse("api:client", args=[client.pk]),
        payload={
            "teams": [str(w.team_b.pk)],
            "can_submit_referrals": "on",
            "requests_per_minute": "5",
            "version": str(client.version),
        },
        key_values={**API_CLIENT_VALUES, "version": ["0", str(client.version + 1), "x"]},
    )


def api_token_target(w: World) -> Target:
    """Issue a token (the page shows it: 200) or revoke one; the ids in the URL are fixed."""
    client = _api_client(w)
    token = client.tokens.get()
    urls = [
        reverse("api:token_issue", args=[client.pk]),
        reverse("api:token_revoke", args=[client.pk, token.pk]),
    ]

    def draw(data: st.DataObject) -> Request:
        return Request(
            data.draw(st.sampled_from(urls), label="url"), target.mutate(data, {"x": "1"})
        )

    target = Target(
        client=login(w.admin_user), url=urls[0], payload={"x": "1"}, ok_status=200, draw=draw
    )
    return target


TARGETS: dict[str, Callable[[World], Target]] = {
    "referrals:new referrals:draft": referral_target,
    "referrals:new re-referral": rereferral_target,
    "referrals:draft_delete": draft_delete_target,
    "referrals:decide": decide_target,
    "referrals:first_contact": first_contact_target,
    "referrals:waiting_edit": waiting_edit_target,
    "referrals:allocate": allocate_target,
    "referrals:link_family": link_family_target,
    "referrals:apply_update": apply_update_target,
    "cases:start_assessment": start_assessment_target,
    "cases:assessment": assessment_target,
    "cases:decide": proceed_target,
    "cases:add_contact": contact_target,
    "cases:add_plan": plan_target,
    "cases:end_phase1": end_phase1_target,
    "cases:phase1_signoff": phase1_signoff_target,
    "cases:finish_step_down": finish_step_down_target,
    "cases:close": close_target,
    "cases:override": override_target,
    "cases:restrict": restrict_target,
    "outcomes:add_goal": goal_target,
    "outcomes:add_reading wemwbs": reading_target,
    "outcomes:add_reading sdq": lambda w: reading_target(w, sdq=True),
    "outcomes:record_services": service_use_target,
    "reviews:record": review_target,
    "reviews:report": review_report_target,
    "reviews:add_booster": booster_target,
    "families:consent": consent_target,
    "privacy:subject_access_export": subject_access_target,
    "privacy:anonymise": anonymise_target,
    "notifications:open": notification_open_target,
    "notifications:read_all": notification_read_all_target,
    "notifications:preferences": notification_preferences_target,
    "autosave": autosave_target,
    "two_factor_setup": two_factor_setup_target,
    "two_factor_verify": two_factor_verify_target,
    "password_change": password_change_target,
    "reporting:narrative": narrative_target,
    "reporting:agenda": agenda_target,
    "reporting:target": measure_target_target,
    "reporting:request_pdf": lambda w: with_query(w, "reporting:request_pdf", {}),
    "reporting:recompute": lambda w: with_query(w, "reporting:recompute", {}),
    "reporting:publish": lambda w: with_query(w, "reporting:publish", {}),
    "reporting:revision": revision_target,
    "teamwork:consultation_new teamwork:consultation_edit": teamwork_target("consultations"),
    "teamwork:training_new teamwork:training_edit": teamwork_target("training"),
    "teamwork:feedback_new teamwork:feedback_edit": teamwork_target("feedback"),
    "teamwork:complaint_new teamwork:complaint_edit": teamwork_target("complaints"),
    "teamwork:consultation_delete": teamwork_delete_target("consultations"),
    "teamwork:training_delete": teamwork_delete_target("training"),
    "teamwork:feedback_delete": teamwork_delete_target("feedback"),
    "teamwork:complaint_delete": teamwork_delete_target("complaints"),
    "login": lambda w: login_target(w),
    "imports:upload": import_upload_target,
    "imports:confirm": import_confirm_target,
    "keepalive two_factor_codes two_factor_disable": lambda w: account_commands_target(w),
    "cases:correct_contact": correct_contact_target,
    "outcomes:correct_goal": correct_goal_target,
    "outcomes:correct_reading": correct_reading_target,
    "reviews:correct": correct_review_target,
    "referrals:correct_decision": correct_decision_target,
    "cases:withdraw_contact": withdraw_target("contact"),
    "outcomes:withdraw_goal": withdraw_target("goal"),
    "outcomes:withdraw_reading": withdraw_target("reading"),
    "reviews:withdraw": withdraw_target("review"),
    "referrals:withdraw_decision": withdraw_target("decision"),
    "api:client_new": api_client_new_target,
    "api:client": api_client_edit_target,
    "api:token_issue api:token_revoke": api_token_target,
}


@pytest.fixture(params=sorted(TARGETS))
def target(request: pytest.FixtureRequest) -> Target:
    """The target with its records, once per test; its unchanged payload must succeed."""
    built = TARGETS[request.param](World(request))
    response = send_and_check(built.client, built.baseline(), check=built.check)
    assert response.status_code == built.ok_status, (
        f"the valid payload for {request.param} got {response.status_code}, "
        f"not {built.ok_status}: {response.content[:500]!r}"
    )
    return built


@FUZZ
@given(data=st.data())
def test_fuzzed_post_is_never_a_500_and_saves_nothing_invalid(target: Target, data) -> None:
    response = send_and_check(target.client, target.fuzzed(data), check=target.check)
    event(f"status {response.status_code}")  # see --hypothesis-show-statistics


def test_every_post_endpoint_is_fuzzed() -> None:
    """A new POST endpoint in a urls.py needs a target here (or a reason it has none)."""
    from django.urls import get_resolver

    not_forms = {
        "home",
        "login",
        "logout",
        "password_change_done",
        "two_factor_manage",
        "healthz",  # a health check: GET only, no form
        "readyz",  # a health check: GET only, no form
        # The partner API's token routes: schemathesis fuzzes them from their schema
        # (tests/api/test_schemathesis.py).
        "api:submit_referral",
        "api:receipt",
        "api:figures",
        "api:team_figures",
        "api:reference",
        "api:schema",
        "api:no_such_route",
        # Django's set_language: a language code outside LANGUAGES is ignored, and an
        # unsafe `next` is not followed (tests/i18n/test_language.py).
        "set_language",
        "javascript_catalog",  # the translations for the scripts: GET only
    }
    # Pages that only show things (GET): test_query_params.py fuzzes their filters.
    read_only = {
        "referrals:list",
        "referrals:drafts",
        "referrals:screening",
        "referrals:waiting_list",
        "referrals:detail",
        "cases:list",
        "cases:mine",
        "cases:detail",
        "outcomes:services",
        "cases:corrections",
        "cases:plan_pdf",
        "reviews:report_pdf",
        "reminders:due",
        "reminders:mine",
        "audit:log",
        "privacy:subject_access",
        "privacy:retention",
        "notifications:list",
        "reporting:card",
        "reporting:export",
        "reporting:build",
        "reporting:build_pdf",
        "reporting:reports",
        "reporting:published_card",
        "reporting:published_export",  # a download of a published card (GET)
        "reporting:targets",  # the list of every measure's baseline and target (GET)
        "teamwork:consultations",
        "teamwork:training",
        "teamwork:feedback",
        "teamwork:complaints",
        "teamwork:feedback_cases",  # the case chooser's matches: ?case= fuzzed there
        "teamwork:complaint_cases",
        "bench_floor",  # the benchmark's floor: no form, 404 unless the benchmark is on
        "imports:template",
        "imports:run",
        "api:clients",
        "api:docs",
        "datareturn:page",
        "datareturn:download",
    }
    covered = {word for name in TARGETS for word in name.split(" ")}
    names: set[str] = set()

    def walk(patterns, prefix: str = "") -> None:
        for p in patterns:
            if hasattr(p, "url_patterns"):
                if getattr(p, "namespace", None) == "admin":
                    continue
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                walk(p.url_patterns, ns)
            elif p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns)
    missing = names - covered - read_only - not_forms
    assert not missing, f"endpoints without a fuzz target: {sorted(missing)}"

"""Writes along the case pathway. `move_case` is the only writer of a case's stage."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Role, Team, User
from core.errors import ServiceError, StaleEdit
from families.models import Family, MemberKind, Person
from families.retention import refresh_last_closed
from notifications.services import notify_user
from reference.models import ClosureReason, NotProceedReason, OnwardService, PracticeMethod

from . import deadlines, hooks, pathway, signals
from .amendments import EntryStatus, check_current, check_reason, copy_of, may_correct, retire
from .models import (
    Assessment,
    Case,
    ChildOutcome,
    ChildOutcomeKind,
    Closure,
    Contact,
    Decision,
    FamilyPlan,
    Phase1EndScore,
    Phase1SignOff,
    Readiness,
    StageChange,
    SubstanceChange,
    WorkType,
)


def _lock_case(case_id: int, version: int | None = None) -> Case:
    case = (
        Case.objects.select_for_update()
        .select_related("team", "referral", "family")
        .get(pk=case_id)
    )
    if version is not None and case.version != version:
        raise StaleEdit(
            _(
                "Someone else updated this case while you were working on it. "
                "Its latest state is shown; what you typed is still in the form."
            )
        )
    return case


def _moment(day: date) -> datetime:
    """A stage change dated by a day the user entered: midday that day, never the future."""
    return min(timezone.make_aware(datetime.combine(day, time(12, 0))), timezone.now())


def _last_change_at(case: Case) -> datetime:
    return (
        StageChange.objects.filter(case=case)
        .order_by("-changed_at")
        .values_list("changed_at", flat=True)[0]
    )


def _facts(case: Case) -> pathway.CaseFacts:
    assessment = Assessment.objects.filter(case=case).first()
    return pathway.CaseFacts(
        stage=case.stage,
        step_down_enabled=case.team.step_down_enabled,
        assessment_decision=assessment.decision if assessment else "",
        has_plan=FamilyPlan.objects.filter(case=case).exists(),
    )


@transaction.atomic
def move_case(
    *,
    case_id: int,
    user: User,
    to_stage: pathway.Stage | str,
    note: str = "",
    version: int | None = None,
    when: datetime | None = None,
) -> Case:
    """Lock the case, check the pathway table and guards, save, and write the history."""
    case = _lock_case(case_id, version)
    target = pathway.Stage(to_stage)
    refused = pathway.refusal(_facts(case), target)
    if refused:
        raise ServiceError(refused)
    when = when or timezone.now()
    previous = case.stage
    case.stage = target
    fields = ["stage", "version"]
    if target is pathway.Stage.CLOSED:
        case.closed_at = when
        fields.append("closed_at")
    case.version += 1
    case.save(update_fields=fields)
    refresh_last_closed(Family.objects.filter(pk=case.family_id))
    StageChange.objects.create(
        case=case,
        from_stage=previous,
        to_stage=target,
        changed_by=user,
        changed_at=when,
        note=note,
    )
    if target in (pathway.Stage.PHASE1, pathway.Stage.PHASE2, pathway.Stage.CLOSED):
        _tell_referrer_of_stage(case, target)
    signals.stage_changed.send(Case, case=case, previous=previous, target=target)
    return case


@transaction.atomic
def open_case(
    *,
    referral_id: int,
    family_id: int,
    team_id: int,
    user: User,
    worker: User,
    co_worker: User | None,
    allocated_at: datetime,
    assessment_clock_from: datetime,
    over_capacity_reason: str = "",
) -> Case:
    """Open the case of an allocated referral at the first stage of the pathway, with its
    first history row. The allocation's checks (status, worker, capacity) are the
    caller's; the stage and its history are written here and in move_case only."""
    case = Case.objects.create(
        assessment_clock_from=assessment_clock_from,
        referral_id=referral_id,
        family_id=family_id,
        team_id=team_id,
        worker=worker,
        co_worker=co_worker,
        stage=pathway.FIRST_STAGE,
        allocated_at=allocated_at,
        allocated_by=user,
        over_capacity_reason=over_capacity_reason,
    )
    refresh_last_closed(Family.objects.filter(pk=family_id))  # open: nothing to count from
    StageChange.objects.create(
        case=case,
        from_stage="",
        to_stage=pathway.FIRST_STAGE,
        changed_by=user,
        changed_at=allocated_at,
        note=_("Allocated to %(worker)s") % {"worker": worker},
    )
    return case


@dataclass(frozen=True, kw_only=True)
class ImportedCase:
    """A case carried over from a team's earlier records (imports.services): the fields
    of the Case row, and the stages it went through as (stage, moment) pairs, in order.
    The import's checking has already refused a history the pathway does not allow."""

    referral_id: int  # referrals sit above cases in the layers: ids, not their models
    family: Family
    team: Team
    worker_id: int
    allocated_at: datetime
    assessment_clock_from: datetime
    phase1_planned_start: str | date | None
    phase1_start: str | date | None
    phase1_end: str | date | None
    stages: list[tuple[str, datetime]]
    note: str


@transaction.atomic
def import_cases(*, user: User, cases: list[ImportedCase], batch_size: int) -> list[Case]:
    """Write imported cases in bulk, each at the last stage of its history, with a history
    row per stage. No side effects: the families were worked with before the app."""
    created = Case.objects.bulk_create(
        [
            Case(
                referral_id=c.referral_id,
                family=c.family,
                team=c.team,
                worker_id=c.worker_id,
                stage=c.stages[-1][0],
                allocated_at=c.allocated_at,
                allocated_by=user,
                assessment_clock_from=c.assessment_clock_from,
                phase1_planned_start=c.phase1_planned_start,
                phase1_start=c.phase1_start,
                phase1_end=c.phase1_end,
                closed_at=c.stages[-1][1] if c.stages[-1][0] == pathway.Stage.CLOSED else None,
            )
            for c in cases
        ],
        batch_size=batch_size,
    )
    refresh_last_closed(Family.objects.filter(pk__in={c.family.pk for c in cases}))
    changes = []
    for spec, case in zip(cases, created, strict=True):
        previous = ""
        for stage, moment in spec.stages:
            changes.append(
                StageChange(
                    case=case,
                    from_stage=previous,
                    to_stage=stage,
                    changed_by=user,
                    changed_at=moment,
                    note=spec.note,
                )
            )
            previous = stage
    StageChange.objects.bulk_create(changes, batch_size=batch_size)
    return created


def _tell_referrer_of_stage(case: Case, stage: pathway.Stage) -> None:
    from notifications.services import tell_referrer

    # The referrer is told the family by the name they gave it, never the team's record.
    named = case.referral.name_as_referred
    tell_referrer(
        case.referral,
        subject=lambda: (
            _("%(ref)s: %(stage)s")
            % {"ref": case.referral.reference, "stage": pathway.LABELS[stage]}
        ),
        body=lambda: (
            _("The case of %(family)s with %(team)s has moved to: %(stage)s.")
            % {"family": named, "team": case.team, "stage": pathway.LABELS[stage]}
        ),
    )


# --- Assessment ------------------------------------------------------------------------


@transaction.atomic
def start_assessment(*, case_id: int, user: User, started_at: datetime) -> Assessment:
    case = _lock_case(case_id)
    # Forms give minutes; a start in the minute the referral arrived is not "before" it.
    if started_at < case.referral.received_at.replace(second=0, microsecond=0):
        raise ServiceError(_("An assessment cannot start before the referral was received."))
    if started_at > timezone.now():
        raise ServiceError(_("The assessment start cannot be in the future."))
    assessment, _created = Assessment.objects.get_or_create(case=case)
    assessment.started_at = started_at
    assessment.version += 1
    assessment.save(update_fields=["started_at", "version"])
    move_case(case_id=case.pk, user=user, to_stage=pathway.Stage.ASSESSMENT, when=started_at)
    return assessment


@dataclass
class AssessmentSides:
    """The Assessment Framework's three sides, each with its strengths and risks."""

    child_strengths: str = ""
    child_risks: str = ""
    child_voice: str = ""
    parenting_strengths: str = ""
    parenting_risks: str = ""
    substance_history: str = ""
    readiness: str = ""
    family_strengths: str = ""
    family_risks: str = ""


@transaction.atomic
def update_assessment(
    *,
    assessment_id: int,
    user: User,
    version: int,
    completed_at: datetime | None,
    hours_spent: Decimal | None,
    safety_plan: str,
    safety_plan_agreed_on: date | None,
    sides: AssessmentSides | None = None,
) -> Assessment:
    """Save the assessment. Without `sides`, what the framework's sides say is kept."""
    assessment = Assessment.objects.select_for_update().select_related("case").get(pk=assessment_id)
    if assessment.version != version:
        raise StaleEdit(
            _(
                "Someone else updated this assessment while you were working on it. "
                "Its latest state is shown; what you typed is still in the form."
            )
        )
    if completed_at is not None:
        if assessment.started_at and completed_at < assessment.started_at:
            raise ServiceError(_("The assessment cannot be completed before it started."))
        if completed_at > timezone.now():
            raise ServiceError(_("The completion time cannot be in the future."))
    if hours_spent is not None and hours_spent < 0:
        raise ServiceError(_("Hours spent cannot be negative."))
    if safety_plan_agreed_on is not None:
        if safety_plan_agreed_on > timezone.localdate():
            raise ServiceError(_("The Safety Plan cannot be agreed in the future."))
        if safety_plan_agreed_on < timezone.localtime(assessment.case.allocated_at).date():
            raise ServiceError(_("The Safety Plan cannot be agreed before the case began."))
    if sides is not None and sides.readiness not in ("", *Readiness.values):
        raise ServiceError(_("Choose the readiness to change from the list."))
    if sides is not None:
        for name, value in asdict(sides).items():
            setattr(assessment, name, value.strip())
    assessment.completed_at = completed_at
    assessment.hours_spent = hours_spent
    assessment.safety_plan = safety_plan
    assessment.safety_plan_agreed_on = safety_plan_agreed_on
    assessment.version += 1
    assessment.save()
    return assessment


@transaction.atomic
def decide_after_assessment(
    *,
    case_id: int,
    user: User,
    decision: str,
    not_proceed_reason: NotProceedReason | None = None,
    notes: str = "",
    phase1_start: date | None = None,
    slip_reason: str = "",
    decided_on: date | None = None,
    version: int | None = None,
) -> Case:
    """Proceed to Phase 1 (its start may slip up to a week, with a reason), or not
    proceed with a coded reason, which closes the case on `decided_on` (default: now)."""
    case = _lock_case(case_id, version)
    assessment = Assessment.objects.select_for_update().filter(case=case).first()
    if assessment is None or case.stage != pathway.Stage.ASSESSMENT:
        raise ServiceError(_("Record the assessment first."))
    if assessment.completed_at is None:
        raise ServiceError(_("Record when the assessment was completed before deciding."))
    assessment.decision = decision
    assessment.decision_notes = notes
    if decision == Decision.NOT_PROCEED:
        if not_proceed_reason is None:
            raise ServiceError(_("Give the coded reason the family is not proceeding."))
        assessment.not_proceed_reason = not_proceed_reason
        assessment.save(update_fields=["decision", "decision_notes", "not_proceed_reason"])
        when = None
        if decided_on is not None:
            if decided_on > timezone.localdate():
                raise ServiceError(_("The decision cannot be dated in the future."))
            if decided_on < timezone.localtime(assessment.completed_at).date():
                raise ServiceError(_("The decision cannot be before the assessment was completed."))
            # The case closes on the day the decision was taken, not when it was keyed in.
            when = max(_moment(decided_on), _last_change_at(case))
        return move_case(
            case_id=case.pk,
            user=user,
            to_stage=pathway.Stage.CLOSED,
            note=_("Did not proceed: %(reason)s") % {"reason": not_proceed_reason},
            when=when,
        )
    if decision != Decision.PROCEED:
        raise ServiceError(_("Choose whether the family proceeds."))
    planned = timezone.localtime(assessment.completed_at).date()
    start = phase1_start or planned
    if start < planned:
        raise ServiceError(_("Phase 1 cannot start before the assessment was completed."))
    if start - planned > deadlines.PHASE1_MAX_SLIP:
        raise ServiceError(_("Phase 1 can start at most a week after the assessment."))
    if start > planned and not slip_reason.strip():
        raise ServiceError(_("Give the reason Phase 1 starts later than planned."))
    assessment.not_proceed_reason = None
    assessment.save(update_fields=["decision", "decision_notes", "not_proceed_reason"])
    case.phase1_planned_start = planned
    case.phase1_start = start
    case.phase1_slip_reason = slip_reason.strip()
    case.save(update_fields=["phase1_planned_start", "phase1_start", "phase1_slip_reason"])
    return move_case(case_id=case.pk, user=user, to_stage=pathway.Stage.PHASE1, when=_moment(start))


# --- Contacts -------------------------------------------------------------------------


@dataclass
class ContactData:
    started_at: datetime
    duration_minutes: int
    mode: str
    work_type: str
    out_of_hours: bool
    people_seen: list[Person]
    methods: list[PracticeMethod]
    notes: str = ""
    child_seen: bool = False
    child_seen_alone: bool = False


def _check_contact(case: Case, data: ContactData) -> None:
    if data.duration_minutes <= 0:
        raise ServiceError(_("A contact must last at least a minute."))
    if data.duration_minutes > deadlines.MAX_CONTACT_MINUTES:
        raise ServiceError(_("A contact cannot last more than 24 hours."))
    if data.started_at > timezone.now() + deadlines.CLOCK_SKEW:
        raise ServiceError(_("A contact cannot be recorded in the future."))
    if data.started_at < case.allocated_at - deadlines.CONTACT_BEFORE_ALLOCATION:
        raise ServiceError(_("A contact cannot be before the case was allocated."))
    if any(p.family_id != case.family_id for p in data.people_seen):
        raise ServiceError(_("Only members of this family can be recorded as seen."))
    if data.child_seen_alone and not data.child_seen:
        raise ServiceError(_("A child seen alone was seen: record the child as seen too."))


@transaction.atomic
def record_contact(*, case_id: int, user: User, data: ContactData) -> Contact:
    case = _lock_case(case_id)
    if not case.is_open:
        raise ServiceError(_("Contacts cannot be added to a closed case."))
    _check_contact(case, data)
    contact = Contact.objects.create(
        case=case,
        started_at=data.started_at,
        duration_minutes=data.duration_minutes,
        mode=data.mode,
        work_type=data.work_type,
        out_of_hours=data.out_of_hours,
        child_seen=data.child_seen,
        child_seen_alone=data.child_seen_alone,
        notes=data.notes,
        stage=case.stage,
        recorded_by=user,
    )
    contact.people_seen.set(data.people_seen)
    contact.methods.set(data.methods)
    return contact


def _contact_to_amend(contact_id: int, user: User, version: int) -> Contact:
    """The contact, locked, if this user may correct it (its author or a manager of the
    team) and it is still the current version the form was opened on."""
    contact = Contact.all_versions.select_for_update().select_related("case").get(pk=contact_id)
    if not may_correct(user, team_id=contact.case.team_id, author_id=contact.recorded_by_id):
        raise ServiceError(_("Only the contact's author or a manager of the team can correct it."))
    check_current(contact, version)
    return contact


@transaction.atomic
def correct_contact(
    *, contact_id: int, user: User, data: ContactData, reason: str, version: int
) -> Contact:
    """A corrected contact: a new row pointing at the original, which is kept, marked
    amended, with who, when and why. Figures count the new row only. A closed case's
    contacts can be corrected too: a typo found later must not stay in the figures."""
    contact = _contact_to_amend(contact_id, user, version)
    reason = check_reason(reason)
    case = Case.objects.select_for_update().get(pk=contact.case_id)
    _check_contact(case, data)
    retire(contact, status=EntryStatus.AMENDED, user=user, reason=reason, when=timezone.now())
    corrected = copy_of(
        contact,
        started_at=data.started_at,
        duration_minutes=data.duration_minutes,
        mode=data.mode,
        work_type=data.work_type,
        out_of_hours=data.out_of_hours,
        child_seen=data.child_seen,
        child_seen_alone=data.child_seen_alone,
        notes=data.notes,
    )
    corrected.save()
    corrected.people_seen.set(data.people_seen)
    corrected.methods.set(data.methods)
    return corrected


@transaction.atomic
def withdraw_contact(*, contact_id: int, user: User, reason: str, version: int) -> Contact:
    """Withdraw a contact recorded in error: kept, marked withdrawn, counted nowhere."""
    contact = _contact_to_amend(contact_id, user, version)
    reason = check_reason(reason)
    retire(contact, status=EntryStatus.WITHDRAWN, user=user, reason=reason, when=timezone.now())
    return contact


# --- Family Plan and the end of Phase 1 -----------------------------------------------


@transaction.atomic
def agree_family_plan(
    *,
    case_id: int,
    user: User,
    needs: str,
    service_actions: str,
    invited_services: list[OnwardService],
    agreed_on: date,
    agreed_with: str = "",
) -> FamilyPlan:
    """A new version of the Family Plan. Earlier versions are kept."""
    case = _lock_case(case_id)
    if case.stage not in (pathway.Stage.PHASE1, pathway.Stage.STEP_DOWN, pathway.Stage.PHASE2):
        raise ServiceError(_("A Family Plan is agreed during or after Phase 1."))
    if agreed_on > timezone.localdate():
        raise ServiceError(_("The plan cannot be agreed in the future."))
    if agreed_on < timezone.localtime(case.allocated_at).date():
        raise ServiceError(_("The plan cannot be agreed before the case began."))
    last = FamilyPlan.objects.filter(case=case).order_by("-number").first()
    plan = FamilyPlan.objects.create(
        case=case,
        number=(last.number + 1) if last else 1,
        needs=needs,
        service_actions=service_actions,
        agreed_on=agreed_on,
        agreed_with=agreed_with,
        created_by=user,
    )
    plan.invited_services.set(invited_services)
    return plan


def phase1_direct_hours(case: Case) -> float:
    """Direct hours logged during Phase 1: what the team's minimum is held to."""
    minutes = Contact.objects.filter(
        case=case, stage=pathway.Stage.PHASE1, work_type=WorkType.DIRECT
    ).aggregate(total=Sum("duration_minutes"))["total"]
    return (minutes or 0) / 60


def phase1_shortfall(case: Case, ended_on: date) -> list[str]:
    """How ending Phase 1 on ended_on falls short of the team's minimum weeks and hours."""
    if case.phase1_start is None:
        return []
    return pathway.phase1_shortfall(
        start=case.phase1_start,
        ended_on=ended_on,
        direct_hours=phase1_direct_hours(case),
        min_weeks=case.team.phase1_min_weeks,
        min_hours=case.team.phase1_min_hours,
    )


class NeedsSignOff(ServiceError):
    """Phase 1 would end short of the model: a manager must sign it off, with a reason."""


def _is_manager(user: User, case: Case) -> bool:
    return permissions.is_manager_of(user, case.team_id)


@transaction.atomic
def request_phase1_signoff(
    *, case_id: int, user: User, reason: str, ends_on: date | None = None
) -> Phase1SignOff:
    """A worker asks a manager to sign off ending Phase 1 short of the model (on ends_on,
    today unless given)."""
    case = _lock_case(case_id)
    if case.stage != pathway.Stage.PHASE1:
        raise ServiceError(_("Only a case in Phase 1 can end Phase 1."))
    if not reason.strip():
        raise ServiceError(_("Give the reason Phase 1 should end early."))
    if Phase1SignOff.objects.pending().filter(case=case).exists():
        raise ServiceError(_("A request is already waiting for a manager's sign-off."))
    short = phase1_shortfall(case, ends_on or timezone.localdate())
    if not short:
        raise ServiceError(_("Phase 1 meets the model: it can end without a sign-off."))
    signoff = Phase1SignOff.objects.create(
        case=case,
        requested_by=user,
        requested_at=timezone.now(),
        reason=reason.strip(),
        shortfall="; ".join(short),
    )
    url = reverse("cases:phase1_signoff", args=[case.pk])
    for manager in User.objects.filter(
        memberships__team=case.team, memberships__role=Role.MANAGER, memberships__active=True
    ).distinct():
        notify_user(
            recipient=manager,
            subject=lambda: (
                _("Sign-off asked: ending Phase 1 early for %(ref)s") % {"ref": case.reference}
            ),
            body=lambda: (
                _("%(worker)s asks to end Phase 1 early (%(short)s): %(reason)s")
                % {"worker": user, "short": signoff.shortfall, "reason": signoff.reason}
            ),
            url=url,
        )
    return signoff


@transaction.atomic
def decide_phase1_signoff(*, case_id: int, user: User, approved: bool, note: str) -> Phase1SignOff:
    """A manager signs off (or refuses) ending Phase 1 early, always with a reason."""
    case = _lock_case(case_id)
    if not _is_manager(user, case):
        raise ServiceError(_("Only a manager of the team can sign off ending Phase 1 early."))
    signoff = Phase1SignOff.objects.select_for_update().pending().filter(case=case).first()
    if signoff is None:
        raise ServiceError(_("No request is waiting for a sign-off."))
    if not note.strip():
        raise ServiceError(_("Give the reason for your decision."))
    signoff.decided_by = user
    signoff.decided_at = timezone.now()
    signoff.approved = approved
    signoff.decision_note = note.strip()
    signoff.save(update_fields=["decided_by", "decided_at", "approved", "decision_note"])
    notify_user(
        recipient=signoff.requested_by,
        subject=lambda: (
            (
                _("Signed off: ending Phase 1 early for %(ref)s")
                if approved
                else _("Not signed off: ending Phase 1 early for %(ref)s")
            )
            % {"ref": case.reference}
        ),
        body=lambda: _("%(manager)s: %(note)s") % {"manager": user, "note": signoff.decision_note},
        url=reverse("cases:detail", args=[case.pk]),
    )
    return signoff


def _approved_signoff(case: Case) -> Phase1SignOff | None:
    return Phase1SignOff.objects.filter(case=case, approved=True).order_by("-decided_at").first()


@transaction.atomic
def end_phase1(
    *,
    case_id: int,
    user: User,
    ended_on: date,
    step_down: bool = False,
    version: int | None = None,
    scores: dict[int, int] | None = None,
    outcomes_missing_reason: str = "",
    early_reason: str = "",
) -> Case:
    """End the intensive phase: into step-down (if the team uses it) or Phase 2, and
    schedule the Phase 2 reviews from the end of Phase 1. Short of the team's minimum weeks
    or hours it needs a manager's sign-off (a manager ending it signs off with a reason).
    It asks for the end-of-phase GAS scores and readings, or the reason they are missing."""
    case = _lock_case(case_id, version)
    if case.stage != pathway.Stage.PHASE1:
        raise ServiceError(_("Only a case in Phase 1 can end Phase 1."))
    if case.phase1_start and ended_on < case.phase1_start:
        raise ServiceError(_("Phase 1 cannot end before it started."))
    if ended_on > timezone.localdate():
        raise ServiceError(_("Phase 1 cannot end in the future."))
    target = pathway.Stage.STEP_DOWN if step_down else pathway.Stage.PHASE2
    refused = pathway.refusal(_facts(case), target)  # the plan first, then the model
    if refused:
        raise ServiceError(refused)
    scores = scores or {}
    # outcomes checks the scores and lists what is missing (cases.hooks).
    missing = hooks.phase1_gaps(case, scores)
    if missing and not outcomes_missing_reason.strip():
        raise ServiceError(
            _(
                "The end of Phase 1 asks for the goal scores and readings. Missing: "
                "%(missing)s. Record them, or give the reason they are missing."
            )
            % {"missing": "; ".join(missing)}
        )
    signoff = None
    short = phase1_shortfall(case, ended_on)
    if short:
        signoff = _approved_signoff(case)
        if signoff is None and _is_manager(user, case):
            if not early_reason.strip():
                raise NeedsSignOff(
                    _(
                        "Phase 1 would end short of the model (%(short)s). As a manager you "
                        "can sign this off: give the reason."
                    )
                    % {"short": "; ".join(short)}
                )
            now = timezone.now()
            signoff = Phase1SignOff.objects.create(
                case=case,
                requested_by=user,
                requested_at=now,
                reason=early_reason.strip(),
                shortfall="; ".join(short),
                decided_by=user,
                decided_at=now,
                approved=True,
                decision_note=early_reason.strip(),
            )
        elif signoff is None:
            raise NeedsSignOff(
                _(
                    "Phase 1 would end short of the model (%(short)s). Ending it now needs "
                    "a manager's sign-off: give the reason and ask for it."
                )
                % {"short": "; ".join(short)}
            )
    for goal_id, score in scores.items():
        Phase1EndScore.objects.update_or_create(
            goal_id=goal_id,
            defaults={"score": score, "scored_on": ended_on, "recorded_by": user},
        )
    case.phase1_end = ended_on
    case.phase1_early_signoff = signoff
    case.phase1_outcomes_missing_reason = outcomes_missing_reason.strip() if missing else ""
    case.save(
        update_fields=["phase1_end", "phase1_early_signoff", "phase1_outcomes_missing_reason"]
    )
    note = (
        _("Ended early, signed off by %(manager)s") % {"manager": signoff.decided_by}
        if signoff
        else ""
    )
    case = move_case(case_id=case.pk, user=user, to_stage=target, when=_moment(ended_on), note=note)
    signals.phase1_ended.send(Case, case=case)  # reviews schedules the Phase 2 reviews
    return case


@transaction.atomic
def finish_step_down(
    *, case_id: int, user: User, finished_on: date | None = None, version: int | None = None
) -> Case:
    """Into Phase 2 on the day the step-down finished (default: now)."""
    when = None
    if finished_on is not None:
        case = _lock_case(case_id, version)
        last = _last_change_at(case)
        if finished_on > timezone.localdate():
            raise ServiceError(_("The step-down cannot finish in the future."))
        if finished_on < timezone.localtime(last).date():
            raise ServiceError(_("The step-down cannot finish before it started."))
        when = max(_moment(finished_on), last)
    return move_case(
        case_id=case_id, user=user, to_stage=pathway.Stage.PHASE2, version=version, when=when
    )


# --- Closure --------------------------------------------------------------------------


@transaction.atomic
def close_case(
    *,
    case_id: int,
    user: User,
    reason: ClosureReason,
    closed_on: date,
    substance_change: str,
    child_outcomes: dict[int, str],
    destination_services: list[OnwardService],
    notes: str = "",
    reasons_not_known: dict[int, str] | None = None,
    measures_missing_reason: str = "",
    version: int | None = None,
) -> Closure:
    """Close the case with a coded reason; success is derived from the reason.

    Every outcome is chosen, never assumed (issue 14): the substance-use change, and an
    outcome for every child of the household ("not known" with its reason). The closing
    readings and goal scores the team expects are there, or the reason they are not is
    recorded. The case closes on the typed day: its closed_at and the stage change use it,
    so the closure counts in the period of that day, whenever it was keyed in."""
    case = _lock_case(case_id, version)
    if not case.is_open:
        raise ServiceError(_("This case is already closed."))
    if reason is None:
        raise ServiceError(_("Give the reason for closing the case."))
    if closed_on > timezone.localdate():
        raise ServiceError(_("A case cannot be closed in the future."))
    if closed_on < timezone.localtime(case.allocated_at).date():
        raise ServiceError(_("A case cannot be closed before it was allocated."))
    last_change = StageChange.objects.filter(case=case).order_by("-changed_at", "-pk").first()
    if last_change and closed_on < timezone.localtime(last_change.changed_at).date():
        raise ServiceError(
            _("A case cannot be closed before its last change of stage (%(day)s).")
            % {"day": timezone.localtime(last_change.changed_at).date().strftime("%d/%m/%Y")}
        )
    if substance_change not in SubstanceChange.values:
        raise ServiceError(
            _(
                "Choose what happened to substance use by closure "
                "(\u201cNot known\u201d is a choice)."
            )
        )
    children = {
        p.pk: p
        for p in Person.objects.filter(
            family=case.family, kind__in=[MemberKind.CHILD, MemberKind.UNBORN]
        )
    }
    unknown = set(child_outcomes) - set(children)
    if unknown:
        raise ServiceError(_("Outcomes can be recorded only for this family's children."))
    missing = [c.full_name for pk, c in children.items() if not child_outcomes.get(pk)]
    if missing:
        raise ServiceError(
            _(
                "Record an outcome for every child (\u201cNot known\u201d, with why, is a choice). "
                "Missing: %(names)s"
            )
            % {"names": ", ".join(missing)}
        )
    if any(o not in ChildOutcomeKind.values for o in child_outcomes.values()):
        raise ServiceError(_("Choose an outcome from the list for every child."))
    why = {pk: (text or "").strip() for pk, text in (reasons_not_known or {}).items()}
    unexplained = [
        children[pk].full_name
        for pk, o in child_outcomes.items()
        if o == ChildOutcomeKind.NOT_KNOWN and not why.get(pk)
    ]
    if unexplained:
        raise ServiceError(
            _("Say why the outcome is not known for: %(names)s") % {"names": ", ".join(unexplained)}
        )
    gaps = hooks.closing_gaps(case.pk)  # registered by outcomes
    if gaps and not measures_missing_reason.strip():
        raise ServiceError(
            _(
                "Some closing readings or goal scores are missing. "
                "Record them, or say why not: %(gaps)s"
            )
            % {"gaps": " ".join(gaps)}
        )
    closure = Closure.objects.create(
        case=case,
        reason=reason,
        closed_on=closed_on,
        derived_success=reason.counts_as_success,
        substance_change=substance_change,
        notes=notes,
        measures_missing_reason=measures_missing_reason.strip() if gaps else "",
        closed_by=user,
    )
    closure.destination_services.set(destination_services)
    ChildOutcome.objects.bulk_create(
        ChildOutcome(
            closure=closure,
            person=children[pk],
            outcome=outcome,
            reason_not_known=why.get(pk, "") if outcome == ChildOutcomeKind.NOT_KNOWN else "",
        )
        for pk, outcome in child_outcomes.items()
    )
    when = _moment(closed_on)
    if last_change and when < last_change.changed_at:
        when = last_change.changed_at  # the same day, after an earlier change that day
    move_case(
        case_id=case.pk,
        user=user,
        to_stage=pathway.Stage.CLOSED,
        note=_("Closed: %(reason)s") % {"reason": reason},
        when=when,
    )
    return closure


@transaction.atomic
def override_success(
    *, closure_id: int, user: User, successful: bool | None, reason: str, version: int | None = None
) -> Closure:
    """A manager overrides the derived success class, always with a reason."""
    closure = Closure.objects.select_for_update().select_related("case").get(pk=closure_id)
    if version is not None and closure.version != version:
        raise StaleEdit(
            _(
                "Someone else changed the success class while you were working on it. "
                "What is saved now is shown; what you typed is still in the form."
            )
        )
    if not permissions.is_manager_of(user, closure.case.team_id):
        raise ServiceError(_("Only a manager of the team can override the success class."))
    if successful is not None and not reason.strip():
        raise ServiceError(_("Give the reason for overriding the success class."))
    closure.success_override = successful
    closure.override_reason = reason.strip() if successful is not None else ""
    closure.overridden_by = user if successful is not None else None
    closure.version += 1
    closure.save(update_fields=["success_override", "override_reason", "overridden_by", "version"])
    return closure


@transaction.atomic
def restrict_case(
    *, case_id: int, user: User, restricted: bool, people: list[User], version: int | None = None
) -> Case:
    """A manager limits who may see a case. The manager and the case's workers always stay
    on the list, so nobody locks the case away from the people doing the work."""
    case = _lock_case(case_id, version)
    if not permissions.is_manager_of(user, case.team_id):
        raise ServiceError(_("Only a manager of the team can restrict a case."))
    case.restricted = restricted
    case.version += 1
    case.save(update_fields=["restricted", "version"])
    keep = {pk for pk in (user.pk, case.worker_id, case.co_worker_id) if pk is not None}
    case.restricted_to.set(list({p.pk for p in people} | keep) if restricted else [])
    return case

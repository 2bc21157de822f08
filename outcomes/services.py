from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from cases import pathway
from cases.amendments import EntryStatus, check_current, check_reason, copy_of, may_correct, retire
from cases.models import Case
from core.errors import ServiceError, StaleEdit
from families.models import MemberKind, Person
from reference.models import GoalCategory, ServiceType

from . import instruments
from .models import (
    GAS_LEVELS,
    Goal,
    GoalScore,
    Instrument,
    Reading,
    SdqInformant,
    SdqVersion,
    ServiceOccasion,
    ServiceUse,
)


@dataclass
class GoalData:
    title: str
    category: GoalCategory
    is_substance: bool
    members: list[Person]
    levels: dict[int, str]  # -2..2 -> description
    baseline: int
    weight: int = 1


@transaction.atomic
def add_goal(*, case_id: int, user: User, data: GoalData, scored_on: date | None = None) -> Goal:
    """A goal with its GAS level descriptions; the baseline is its score at the start."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if not case.is_open:
        raise ServiceError(_("Goals cannot be added to a closed case."))
    if data.baseline not in GAS_LEVELS:
        raise ServiceError(_("Goal scores run from -2 to +2."))
    if any(not (data.levels.get(level) or "").strip() for level in GAS_LEVELS):
        raise ServiceError(_("Describe every level from -2 to +2."))
    if any(p.family_id != case.family_id for p in data.members):
        raise ServiceError(_("A goal can be for members of this family only."))
    goal = Goal.objects.create(
        case=case,
        title=data.title,
        category=data.category,
        is_substance=data.is_substance,
        level_minus2=data.levels[-2],
        level_minus1=data.levels[-1],
        level_0=data.levels[0],
        level_plus1=data.levels[1],
        level_plus2=data.levels[2],
        baseline=data.baseline,
        weight=data.weight,
        created_by=user,
    )
    goal.members.set(data.members)
    GoalScore.objects.create(
        goal=goal,
        review=None,
        score=data.baseline,
        scored_on=scored_on or timezone.localdate(),
        recorded_by=user,
    )
    return goal


@dataclass
class ReadingData:
    person: Person
    instrument: str
    occasion: str
    taken_on: date
    total: int | None = None
    sdq_emotional: int | None = None
    sdq_conduct: int | None = None
    sdq_hyperactivity: int | None = None
    sdq_peer: int | None = None
    sdq_prosocial: int | None = None
    sdq_informant: str = ""
    sdq_version: str = ""


SDQ_SUBSCALES = ("sdq_emotional", "sdq_conduct", "sdq_hyperactivity", "sdq_peer")


def _reading_fields(case: Case, data: ReadingData) -> dict:
    """The columns of a reading, checked against the instrument's published rules."""
    person = data.person
    if person.family_id != case.family_id:
        raise ServiceError(_("The reading must be for a member of this family."))
    if data.taken_on > timezone.localdate():
        raise ServiceError(_("A reading cannot be taken in the future."))
    if data.taken_on < timezone.localtime(case.referral.received_at).date():
        raise ServiceError(_("A reading cannot be taken before the family was referred."))
    fields: dict = {}
    if data.instrument == Instrument.WEMWBS:
        if person.kind != MemberKind.ADULT:
            raise ServiceError(_("WEMWBS is for adults."))
        if data.total is None or not 14 <= data.total <= 70:
            raise ServiceError(_("A WEMWBS total runs from 14 to 70."))
        fields["total"] = data.total
    elif data.instrument == Instrument.SWEMWBS:
        if person.kind != MemberKind.ADULT:
            raise ServiceError(_("SWEMWBS is for adults."))
        if data.total is None or data.total not in instruments.SWEMWBS_METRIC:
            raise ServiceError(_("A SWEMWBS raw total (7 items) runs from 7 to 35."))
        fields["total"] = data.total
        fields["metric_score"] = instruments.swemwbs_metric(data.total)
    elif data.instrument == Instrument.SDQ:
        if person.kind != MemberKind.CHILD:
            raise ServiceError(_("The SDQ is for children and young people aged 2 to 17."))
        if data.sdq_informant not in SdqInformant.values:
            raise ServiceError(
                _("Say who completed the SDQ: a parent, a teacher or the young person.")
            )
        if data.sdq_version not in SdqVersion.values:
            raise ServiceError(_("Say which version of the SDQ was used: 2-4 or 4-17."))
        refused = instruments.sdq_refusal(
            data.sdq_version, data.sdq_informant, person.age_on(data.taken_on)
        )
        if refused:
            raise ServiceError(_(refused))
        values = {name: getattr(data, name) for name in (*SDQ_SUBSCALES, "sdq_prosocial")}
        if any(v is None or not 0 <= v <= 10 for v in values.values()):
            raise ServiceError(_("Each SDQ subscale runs from 0 to 10."))
        fields.update(values)
        fields["sdq_informant"] = data.sdq_informant
        fields["sdq_version"] = data.sdq_version
        # Total difficulties: the four difficulty subscales, not the prosocial one.
        fields["total"] = sum(values[name] for name in SDQ_SUBSCALES)
    else:
        raise ServiceError(_("Choose a measure."))
    return fields


@transaction.atomic
def record_reading(*, case_id: int, user: User, data: ReadingData) -> Reading:
    """A WEMWBS or SWEMWBS total for an adult, or SDQ subscales for a child aged 2-17, with
    who completed it. Scores only."""
    case = Case.objects.select_for_update().select_related("referral").get(pk=case_id)
    fields = _reading_fields(case, data)
    if Reading.objects.filter(
        case=case, person=data.person, instrument=data.instrument, occasion=data.occasion
    ).exists():
        raise ServiceError(
            _("This person already has a %(measure)s reading for that occasion.")
            % {"measure": Instrument(data.instrument).label}
        )
    return Reading.objects.create(
        case=case,
        person=data.person,
        instrument=data.instrument,
        occasion=data.occasion,
        taken_on=data.taken_on,
        recorded_by=user,
        **fields,
    )


# "After the work" is what a family member uses once the intensive work is over: from
# Phase 2 (after Phase 1 and any step-down), or at closure, early or not. The pathway
# holds the rule; the case page offers the form by it too.
SERVICES_AFTER_STAGES = pathway.SERVICES_AFTER_STAGES
# Services are counted for the people the work is with; an unborn child has none.
SERVICE_USE_KINDS = (MemberKind.ADULT, MemberKind.CHILD)
SHORT_OCCASION = {
    ServiceOccasion.BEFORE: gettext_lazy("before the work"),
    ServiceOccasion.AFTER: gettext_lazy("after the work"),
}


@dataclass
class ServiceUseData:
    person: Person
    occasion: str
    recorded_on: date
    services: list[ServiceType]
    version: int  # the record's version the form was opened on; 0 when there was none


@transaction.atomic
def record_service_use(*, case_id: int, user: User, data: ServiceUseData) -> ServiceUse:
    """Record, or replace, the types of service one family member used before or after
    the work. An empty list is the answer "none used"."""
    case = Case.objects.select_for_update().select_related("referral").get(pk=case_id)
    person = data.person
    if person.family_id != case.family_id:
        raise ServiceError(_("The record must be for a member of this family."))
    if person.kind not in SERVICE_USE_KINDS:
        raise ServiceError(_("Services are recorded for adults and children, not unborn babies."))
    if data.occasion not in ServiceOccasion.values:
        raise ServiceError(_("Choose before or after the work."))
    if data.occasion == ServiceOccasion.AFTER and case.stage not in SERVICES_AFTER_STAGES:
        raise ServiceError(
            _("Services after the work are recorded once the case reaches Phase 2, or closes.")
        )
    if data.recorded_on > timezone.localdate():
        raise ServiceError(_("The record cannot be dated in the future."))
    if data.recorded_on < timezone.localtime(case.referral.received_at).date():
        raise ServiceError(_("The record cannot be dated before the family was referred."))
    current = (
        ServiceUse.objects.select_for_update()
        .filter(case=case, person=person, occasion=data.occasion)
        .first()
    )
    kept = set(current.services.values_list("pk", flat=True)) if current else set()
    retired = [s.name for s in data.services if not s.active and s.pk not in kept]
    if retired:
        raise ServiceError(
            _("%(names)s is no longer on the list of services.") % {"names": ", ".join(retired)}
        )
    if current is None:
        try:
            with transaction.atomic():
                current = ServiceUse.objects.create(
                    case=case,
                    person=person,
                    occasion=data.occasion,
                    recorded_on=data.recorded_on,
                    recorded_by=user,
                )
        except IntegrityError:
            # Two saves of a new record at once: the unique constraint lets one through.
            raise StaleEdit(_stale_message(person, data.occasion, twice=True)) from None
    elif data.version != current.version:
        raise StaleEdit(_stale_message(person, data.occasion, twice=data.version == 0))
    else:
        current.recorded_on = data.recorded_on
        current.recorded_by = user
        current.version += 1
        current.save(update_fields=["recorded_on", "recorded_by", "version"])
    current.services.set(data.services)
    return current


def _stale_message(person: Person, occasion: str, *, twice: bool) -> str:
    names = {"name": person.full_name, "when": SHORT_OCCASION[occasion]}
    if twice:
        return (
            _(
                "The services %(name)s used %(when)s have already been saved (was this form sent "
                "twice?). What is saved now is shown; your choices are still in the form. Save "
                "again only if yours should replace it."
            )
            % names
        )
    return (
        _(
            "Someone else changed the services %(name)s used %(when)s while you were working on "
            "them. What is saved now is shown; your choices are still in the form. Save again "
            "only if yours should replace it."
        )
        % names
    )


# --- Corrections and withdrawals (cases.amendments) ---------------------------------------


def _to_amend(model: type, pk: int, user: User, version: int, author: str):
    entry = model.all_versions.select_for_update().select_related("case").get(pk=pk)
    if not may_correct(user, team_id=entry.case.team_id, author_id=getattr(entry, f"{author}_id")):
        raise ServiceError(_("Only the entry's author or a manager of the team can correct it."))
    check_current(entry, version)
    return entry


def _retire_scores(goal: Goal, *, status: str, user: User, reason: str, when) -> list[GoalScore]:
    scores = list(GoalScore.objects.select_for_update().filter(goal=goal))
    for score in scores:
        retire(score, status=status, user=user, reason=reason, when=when)
    return scores


@transaction.atomic
def correct_goal(*, goal_id: int, user: User, data: GoalData, reason: str, version: int) -> Goal:
    """A corrected goal: a new goal pointing at the original, which is kept, marked amended.
    Its scores move with it as new rows (the originals kept, marked amended), the start
    score taking the corrected baseline."""
    goal = _to_amend(Goal, goal_id, user, version, "created_by")
    reason = check_reason(reason)
    if data.baseline not in GAS_LEVELS:
        raise ServiceError(_("Goal scores run from -2 to +2."))
    if any(not (data.levels.get(level) or "").strip() for level in GAS_LEVELS):
        raise ServiceError(_("Describe every level from -2 to +2."))
    if any(p.family_id != goal.case.family_id for p in data.members):
        raise ServiceError(_("A goal can be for members of this family only."))
    now = timezone.now()
    retire(goal, status=EntryStatus.AMENDED, user=user, reason=reason, when=now)
    scores = _retire_scores(goal, status=EntryStatus.AMENDED, user=user, reason=reason, when=now)
    corrected = copy_of(
        goal,
        title=data.title,
        category_id=data.category.pk,
        is_substance=data.is_substance,
        level_minus2=data.levels[-2],
        level_minus1=data.levels[-1],
        level_0=data.levels[0],
        level_plus1=data.levels[1],
        level_plus2=data.levels[2],
        baseline=data.baseline,
        weight=data.weight,
    )
    corrected.save()
    corrected.members.set(data.members)
    for score in scores:
        start = score.review_id is None
        copy_of(score, goal_id=corrected.pk, score=data.baseline if start else score.score).save()
    return corrected


@transaction.atomic
def withdraw_goal(*, goal_id: int, user: User, reason: str, version: int) -> Goal:
    """A goal recorded in error: kept with its scores, all marked withdrawn."""
    goal = _to_amend(Goal, goal_id, user, version, "created_by")
    reason = check_reason(reason)
    now = timezone.now()
    retire(goal, status=EntryStatus.WITHDRAWN, user=user, reason=reason, when=now)
    _retire_scores(goal, status=EntryStatus.WITHDRAWN, user=user, reason=reason, when=now)
    return goal


@transaction.atomic
def correct_reading(
    *, reading_id: int, user: User, data: ReadingData, reason: str, version: int
) -> Reading:
    """A corrected reading: a new row pointing at the original, kept and marked amended."""
    reading = _to_amend(Reading, reading_id, user, version, "recorded_by")
    reason = check_reason(reason)
    case = Case.objects.select_for_update().select_related("referral").get(pk=reading.case_id)
    fields = _reading_fields(case, data)
    clash = Reading.objects.filter(
        case=case, person=data.person, instrument=data.instrument, occasion=data.occasion
    ).exclude(pk=reading.pk)
    if clash.exists():
        raise ServiceError(
            _("This person already has a %(measure)s reading for that occasion.")
            % {"measure": Instrument(data.instrument).label}
        )
    retire(reading, status=EntryStatus.AMENDED, user=user, reason=reason, when=timezone.now())
    blank = {
        "total": None,
        "metric_score": None,
        "sdq_informant": "",
        "sdq_version": "",
        **{name: None for name in (*SDQ_SUBSCALES, "sdq_prosocial")},
    }
    corrected = copy_of(
        reading,
        person_id=data.person.pk,
        instrument=data.instrument,
        occasion=data.occasion,
        taken_on=data.taken_on,
        **{**blank, **fields},
    )
    corrected.save()
    return corrected


@transaction.atomic
def withdraw_reading(*, reading_id: int, user: User, reason: str, version: int) -> Reading:
    reading = _to_amend(Reading, reading_id, user, version, "recorded_by")
    reason = check_reason(reason)
    retire(reading, status=EntryStatus.WITHDRAWN, user=user, reason=reason, when=timezone.now())
    return reading

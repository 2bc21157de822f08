from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from cases.errors import ServiceError, StaleEdit
from cases.models import Case
from cases.pathway import Stage
from families.models import MemberKind, Person
from reference.models import GoalCategory, ServiceType

from .models import (
    GAS_LEVELS,
    Goal,
    GoalScore,
    Instrument,
    Reading,
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


SDQ_SUBSCALES = ("sdq_emotional", "sdq_conduct", "sdq_hyperactivity", "sdq_peer")


@transaction.atomic
def record_reading(*, case_id: int, user: User, data: ReadingData) -> Reading:
    """A WEMWBS total for an adult, or SDQ subscales for a child aged 3-16. Scores only."""
    case = Case.objects.select_for_update().select_related("referral").get(pk=case_id)
    person = data.person
    if person.family_id != case.family_id:
        raise ServiceError(_("The reading must be for a member of this family."))
    if data.taken_on > timezone.localdate():
        raise ServiceError(_("A reading cannot be taken in the future."))
    if data.taken_on < timezone.localtime(case.referral.received_at).date():
        raise ServiceError(_("A reading cannot be taken before the family was referred."))
    fields: dict[str, int | None] = {}
    if data.instrument == Instrument.WEMWBS:
        if person.kind != MemberKind.ADULT:
            raise ServiceError(_("WEMWBS is for adults."))
        if data.total is None or not 14 <= data.total <= 70:
            raise ServiceError(_("A WEMWBS total runs from 14 to 70."))
        fields["total"] = data.total
    elif data.instrument == Instrument.SDQ:
        age = person.age_on(data.taken_on)
        if person.kind != MemberKind.CHILD or age is None or not 3 <= age <= 16:
            raise ServiceError(_("The SDQ is for children aged 3 to 16."))
        values = {name: getattr(data, name) for name in (*SDQ_SUBSCALES, "sdq_prosocial")}
        if any(v is None or not 0 <= v <= 10 for v in values.values()):
            raise ServiceError(_("Each SDQ subscale runs from 0 to 10."))
        fields.update(values)
        # Total difficulties: the four difficulty subscales, not the prosocial one.
        fields["total"] = sum(values[name] for name in SDQ_SUBSCALES)
    else:
        raise ServiceError(_("Choose a measure."))
    if Reading.objects.filter(
        case=case, person=person, instrument=data.instrument, occasion=data.occasion
    ).exists():
        raise ServiceError(
            _("This person already has a %(measure)s reading for that occasion.")
            % {"measure": Instrument(data.instrument).label}
        )
    return Reading.objects.create(
        case=case,
        person=person,
        instrument=data.instrument,
        occasion=data.occasion,
        taken_on=data.taken_on,
        recorded_by=user,
        **fields,
    )


# "After the work" is what a family member uses once the intensive work is over: from
# Phase 2 (after Phase 1 and any step-down), or at closure, early or not.
SERVICES_AFTER_STAGES = frozenset({Stage.PHASE2, Stage.CLOSED})
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

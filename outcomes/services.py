from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases.errors import ServiceError
from cases.models import Case
from families.models import MemberKind, Person
from reference.models import GoalCategory

from .models import GAS_LEVELS, Goal, GoalScore, Instrument, Reading


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

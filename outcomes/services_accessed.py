"""Reading the services accessed before and after the work, per person (DOMAIN.md section 4).

Reads only: the writes are outcomes.services.record_service_use."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from cases.models import Case
from families.models import MemberKind, Person

from .models import ServiceOccasion, ServiceUse
from .services import SERVICE_USE_KINDS


@dataclass
class ServiceRow:
    """One family member's before and after records (None: not recorded)."""

    person: Person
    before: ServiceUse | None
    after: ServiceUse | None

    @staticmethod
    def _names(use: ServiceUse | None) -> list[str]:
        return [s.name for s in use.services.all()] if use else []

    @property
    def before_names(self) -> list[str]:
        return self._names(self.before)

    @property
    def after_names(self) -> list[str]:
        return self._names(self.after)

    @property
    def cells(self) -> list[tuple[ServiceUse | None, list[str], str]]:
        """(record, names of its types, occasion) for the before and after columns."""
        return [
            (self.before, self.before_names, ServiceOccasion.BEFORE.value),
            (self.after, self.after_names, ServiceOccasion.AFTER.value),
        ]

    @property
    def before_count(self) -> int | None:
        return len(self.before_names) if self.before else None

    @property
    def after_count(self) -> int | None:
        return len(self.after_names) if self.after else None


def service_rows(case: Case) -> list[ServiceRow]:
    """A row per adult and child of the case's family: three queries, whatever its size."""
    people = Person.objects.filter(family_id=case.family_id, kind__in=SERVICE_USE_KINDS)
    uses = (
        ServiceUse.objects.filter(case=case)
        .select_related("recorded_by")
        .prefetch_related("services")
    )
    by_person: dict[tuple[int, str], ServiceUse] = {(u.person_id, u.occasion): u for u in uses}
    return [
        ServiceRow(
            person=p,
            before=by_person.get((p.pk, ServiceOccasion.BEFORE)),
            after=by_person.get((p.pk, ServiceOccasion.AFTER)),
        )
        for p in people
    ]


def adults_without_after(case: Case) -> list[Person]:
    """Adults with a "before" record and no "after" one: pairs that closure would leave
    unmatched, which the report card cannot count."""
    mine = ServiceUse.objects.filter(case=case, person=OuterRef("pk"))
    return list(
        Person.objects.filter(family_id=case.family_id, kind=MemberKind.ADULT)
        .filter(Exists(mine.filter(occasion=ServiceOccasion.BEFORE)))
        .exclude(Exists(mine.filter(occasion=ServiceOccasion.AFTER)))
    )

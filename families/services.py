"""A family's consent records. Subject access and anonymisation are the privacy app's."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ServiceError

from .models import Consent, Person


@transaction.atomic
def record_consent(
    *,
    person: Person,
    user: User,
    topic: str,
    agreed: bool,
    who_may_be_told: str,
    recorded_on: date,
    notes: str = "",
) -> Consent:
    if recorded_on > timezone.localdate():
        raise ServiceError(_("Consent cannot be recorded in the future."))
    return Consent.objects.create(
        person=person,
        topic=topic,
        agreed=agreed,
        who_may_be_told=who_may_be_told.strip(),
        recorded_on=recorded_on,
        recorded_by=user,
        notes=notes.strip(),
    )

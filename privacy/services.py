"""Data protection: consent records, subject access exports, retention and anonymisation."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Case as Cases
from django.db.models import Exists, F, OuterRef, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from core.errors import ServiceError
from families.models import Consent, Family, Person


def _log(user: User, obj, event: str, **extra) -> None:
    from auditlog.models import LogEntry

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj.__class__),
        object_pk=str(obj.pk),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        action=LogEntry.Action.ACCESS,
        actor=user,
        additional_data={"event": event, **extra},
    )


def subject_access_export(*, person: Person, user: User) -> bytes:
    """Everything held about one person, as a zip: a PDF summary and the data as JSON."""
    from weasyprint import HTML

    from cases.models import Contact
    from outcomes.models import Goal, Reading, ServiceUse
    from referrals.models import Referral

    family = person.family
    referrals = list(
        Referral.objects.filter(family=family)
        .select_related("team", "route")
        .prefetch_related("decisions__outcome", "decisions__reason", "household")
    )
    contacts = list(Contact.objects.filter(people_seen=person).order_by("started_at"))
    goals = list(
        Goal.objects.filter(Q(members=person) | Q(members__isnull=True, case__family=family))
        .distinct()
        .prefetch_related("scores")
    )
    readings = list(Reading.objects.filter(person=person))
    service_uses = list(  # per case, "before" then "after"
        ServiceUse.objects.filter(person=person)
        .order_by("case", "-occasion")
        .prefetch_related("services")
    )
    consents = list(Consent.objects.filter(person=person))
    data = {
        "produced_at": timezone.now(),
        "produced_by": user.get_username(),
        "person": {
            "id": person.pk,
            "name": person.full_name,
            "kind": person.kind,
            "sex": person.sex,
            "date_of_birth": person.date_of_birth,
            "due_date": person.due_date,
            "relationship": person.relationship,
            "ethnicity": person.ethnicity,
            "substances": [s.name for s in person.substances.all()],
            "legal_status": str(person.legal_status or ""),
        },
        "family": {
            "name": family.name,
            "address": family.address,
            "postcode": family.postcode,
            "local_authority": str(family.local_authority),
        },
        "referrals": [
            {
                "id": r.pk,
                "team": str(r.team),
                "received_at": r.received_at,
                "reason": r.reason_for_referral,
                "status": r.get_status_display(),
                # What the referral said about the family and this person, as referred.
                "as_referred": {
                    "family_name": r.family_name,
                    "address": r.address,
                    "postcode": r.postcode,
                    "this_person": [
                        {
                            "name": m.full_name,
                            "date_of_birth": m.date_of_birth,
                            "due_date": m.due_date,
                            "relationship": m.relationship,
                        }
                        for m in r.household.all()
                        if m.person_id == person.pk
                    ],
                },
                "decisions": [
                    {
                        "outcome": str(d.outcome),
                        "reason": str(d.reason),
                        "detail": d.detail,
                        "decided_at": d.decided_at,
                    }
                    for d in r.decisions.all()
                ],
            }
            for r in referrals
        ],
        "contacts_seen_at": [
            {
                "at": c.started_at,
                "minutes": c.duration_minutes,
                "mode": c.get_mode_display(),
                "notes": c.notes,
            }
            for c in contacts
        ],
        "goals": [{"goal": g.title, "scores": [s.score for s in g.scores.all()]} for g in goals],
        "readings": [
            {
                "measure": r.instrument,
                "occasion": r.occasion,
                "taken_on": r.taken_on,
                "total": r.total,
            }
            for r in readings
        ],
        "services_used": [
            {
                "case": u.case_id,
                "occasion": u.occasion,
                "recorded_on": u.recorded_on,
                "services": [s.name for s in u.services.all()],
            }
            for u in service_uses
        ],
        "consents": [
            {
                "topic": c.get_topic_display(),
                "agreed": c.agreed,
                "who_may_be_told": c.who_may_be_told,
                "recorded_on": c.recorded_on,
            }
            for c in consents
        ],
    }
    html = render_to_string(
        "reporting/pdf/subject_access.html", {"data": data, "generated_at": timezone.now()}
    )
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.pdf", pdf)
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2))
    _log(user, person, "subject_access_export")
    return buffer.getvalue()


def retention_due(*, team_ids: list[int]):
    """Families whose last case closed more than the retention period ago, with nothing
    open, no referral since and not yet anonymised: the manager's review queue.

    Family.last_closed_at (families.retention: NULL while a case is open) is a range of
    family_retention_idx in the order shown; each candidate's referrals since the cutoff
    are one probe of the referral's family index. Proportional to the families shown, not
    to the team's history (docs/performance.md)."""
    from referrals.models import Referral

    cutoff = timezone.now() - timedelta(days=365 * settings.RETENTION_YEARS)
    referred_since = Referral.objects.filter(family=OuterRef("pk"), received_at__gt=cutoff)
    return (
        Family.objects.filter(
            team_id__in=team_ids, anonymised_at__isnull=True, last_closed_at__lt=cutoff
        )
        .filter(~Exists(referred_since))
        .annotate(last_closed=F("last_closed_at"))
        .select_related("local_authority", "team")
        .order_by("last_closed_at")
    )


@transaction.atomic
def anonymise_family(*, family_id: int, user: User) -> Family:
    """Remove identities and free text; keep what the statistics need (dates of events,
    local authority, coded fields, years of birth, scores). Logged; never silent."""
    from accounts.models import FormDraft
    from cases.amendments import EntryStatus
    from cases.models import Assessment, Closure, Contact, FamilyPlan
    from notifications.models import Notification
    from outcomes.models import Goal, GoalScore, Reading
    from referrals.models import (
        FamilyUpdate,
        Referral,
        ReferredMember,
        ScreeningDecision,
        WaitingListEntry,
    )
    from reminders import duestore
    from reminders.models import Unit
    from reviews.models import Booster, Review

    family = Family.objects.select_for_update().get(pk=family_id)
    if not permissions.is_manager_of(user, family.team_id):
        raise ServiceError(_("Only a manager of the team can anonymise its records."))
    if family.anonymised_at is not None:
        raise ServiceError(_("This family's records are already anonymised."))
    if not retention_due(team_ids=[family.team_id]).filter(pk=family.pk).exists():
        raise ServiceError(_("This family is not yet due for anonymisation."))

    referrals = Referral.objects.filter(family=family)
    referrer_emails = list(referrals.values_list("referrer_email", flat=True))
    cases = family.cases.all()
    urls = [reverse("referrals:detail", args=[r.pk]) for r in referrals]
    urls += [reverse("cases:detail", args=[c.pk]) for c in cases]
    urls += [reverse("reviews:record", args=[r.pk]) for r in Review.objects.filter(case__in=cases)]
    urls += [
        reverse("reviews:report_pdf", args=[r.pk]) for r in Review.objects.filter(case__in=cases)
    ]
    # QuerySet.update, not save(): the audit log must not record the names being removed
    # (it is append-only, so they could never be taken out again).
    for person in Person.objects.filter(family=family).only("pk", "date_of_birth", "due_date"):
        Person.objects.filter(pk=person.pk).update(
            first_name="",
            last_name=_("Anonymised"),
            date_of_birth=person.date_of_birth.replace(month=1, day=1)
            if person.date_of_birth
            else None,
            due_date=person.due_date.replace(day=1) if person.due_date else None,
        )
    Consent.objects.filter(person__family=family).update(notes="", who_may_be_told="")
    referrals.update(
        referrer_name=_("Anonymised"),
        referrer_phone="",
        referrer_email="anonymised@invalid",
        referrer_team="",
        referrer_role="",
        reason_for_referral="",
        # The family as each referral described it: the same identities, removed alike.
        family_name=Cases(
            When(family_name="", then=Value("")), default=Value(str(_("Anonymised")))
        ),
        address="",
        postcode="",
    )
    for member in ReferredMember.objects.filter(referral__family=family).only(
        "pk", "date_of_birth", "due_date"
    ):
        ReferredMember.objects.filter(pk=member.pk).update(
            first_name="",
            last_name=_("Anonymised"),
            ethnicity="",
            date_of_birth=member.date_of_birth.replace(month=1, day=1)
            if member.date_of_birth
            else None,
            due_date=member.due_date.replace(day=1) if member.due_date else None,
        )
    FamilyUpdate.objects.filter(family=family).update(before="", after="", label="")
    # Every version of an amendable entry (cases.amendments): amended and withdrawn ones
    # hold the same personal text, and their reasons may name people.
    ScreeningDecision.all_versions.filter(referral__family=family).update(detail="")
    Assessment.objects.filter(case__in=cases).update(safety_plan="", decision_notes="")
    Contact.all_versions.filter(case__in=cases).update(notes="")
    FamilyPlan.objects.filter(case__in=cases).update(needs="", service_actions="", agreed_with="")
    Goal.all_versions.filter(case__in=cases).update(
        title=_("Goal"),
        level_minus2="",
        level_minus1="",
        level_0="",
        level_plus1="",
        level_plus2="",
    )
    Review.all_versions.filter(case__in=cases).update(attendees="", progress="")
    retired = ~Q(entry_status=EntryStatus.CURRENT)
    for model, to_family in (
        (ScreeningDecision, "referral__family"),
        (Contact, "case__family"),
        (Goal, "case__family"),
        (GoalScore, "goal__case__family"),
        (Reading, "case__family"),
        (Review, "case__family"),
    ):
        model.all_versions.filter(retired, **{to_family: family}).update(
            retired_reason=_("(anonymised)")
        )
    Booster.objects.filter(case__in=cases).update(notes="", over_limit_reason="")
    Closure.objects.filter(case__in=cases).update(notes="", override_reason="")
    WaitingListEntry.objects.filter(referral__family=family).update(notes="", left_because="")
    cases.update(phase1_slip_reason="")
    # Notices about the family: linked to its pages, or emailed to its referrers naming it
    # or one of its referrals (a referrer's subject gives the referral's number, not the
    # family's name).
    about_family = Q(subject__icontains=family.name) | Q(body__icontains=family.name)
    for referral in referrals:
        about_family |= Q(subject__startswith=f"{referral.reference}:")
    removed = Notification.objects.filter(
        Q(url__in=urls) | (Q(email__in=referrer_emails) & about_family)
    ).delete()[0]
    page_prefixes = Q()
    for url in urls:
        page_prefixes |= Q(path__startswith=url)
    FormDraft.objects.filter(page_prefixes).delete()
    anonymised_name = _("Anonymised family %(id)s") % {"id": family.pk}
    Family.objects.filter(pk=family.pk).update(
        name=anonymised_name, address="", postcode="", anonymised_at=timezone.now()
    )
    family.refresh_from_db()
    # QuerySet.update sends no signal: the family's name shows on its deadlines.
    duestore.mark(Unit.FAMILY, family.pk)
    _log(user, family, "anonymised", notifications_removed=removed)
    return family

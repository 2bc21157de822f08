"""Writes for referral intake, screening and allocation. Views call these, nothing else writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import (
    CASEWORKER_ROLES,
    AssessmentTargetFrom,
    LocalAuthority,
    Membership,
    Role,
    Team,
    User,
)
from cases.amendments import EntryStatus, check_current, check_reason, copy_of, retire
from cases.loads import intensive_load
from cases.models import Case, hides_family
from cases.services import open_case
from core.errors import ServiceError, StaleEdit
from families.models import Family, Person, normalise_postcode
from notifications.models import Kind as NoticeKind
from notifications.services import notify_user, tell_referrer
from reference.models import (
    Effect,
    LegalStatus,
    OnwardService,
    PresentingIssue,
    ReferralRoute,
    ScreeningOutcome,
    ScreeningReason,
    Substance,
)

from .models import (
    ALLOCATABLE,
    SCREENABLE,
    ContactMethod,
    FamilyUpdate,
    Priority,
    Referral,
    ReferralDraft,
    ReferralStatus,
    ReferredMember,
    ScreeningDecision,
    WaitingListEntry,
)

# The first-contact note is short: the detail belongs in the case record.
FIRST_CONTACT_NOTE_MAX = Referral._meta.get_field("first_contact_note").max_length


class AlreadySubmitted(ServiceError):
    def __init__(self, referral: Referral) -> None:
        super().__init__(_("This referral was already submitted."))
        self.referral = referral


@dataclass
class MemberData:
    kind: str
    last_name: str
    relationship: str
    first_name: str = ""
    sex: str = ""
    date_of_birth: date | None = None
    due_date: date | None = None
    ethnicity: str = ""
    substances: list[Substance] = field(default_factory=list)
    legal_status: LegalStatus | None = None
    language: str = ""
    active_offer: str = ""
    active_offer_on: date | None = None
    active_offer_by: str = ""


@dataclass
class ReferralData:
    team: Team
    family_name: str
    address: str
    postcode: str
    local_authority: LocalAuthority
    household_type: str
    route: ReferralRoute
    referrer_name: str
    referrer_role: str
    referrer_team: str
    referrer_agency: str
    referrer_local_authority: LocalAuthority | None
    referrer_phone: str
    referrer_email: str
    presenting_issues: list[PresentingIssue]
    proceedings: str
    consent_given: bool
    consent_date: date | None
    reason_for_referral: str
    members: list[MemberData]


def find_possible_duplicates(
    *,
    team: Team,
    postcode: str,
    members: list[MemberData],
    user: User | None = None,
    exclude_family_id: int | None = None,
    limit: int = 5,
) -> list[Family]:
    """Families of the team who may already be known: same name and date of birth, or the
    same postcode however it was typed. With `user`, only families that user may see
    (Family.objects.visible_to: their teams, and no restricted family that does not name
    them); without, every family of the team, for a yes/no answer that shows nothing."""
    match = Q()
    for member in members:
        if member.date_of_birth and member.last_name:
            match |= Q(
                members__last_name__iexact=member.last_name,
                members__first_name__iexact=member.first_name,
                members__date_of_birth=member.date_of_birth,
            )
    if postcode and normalise_postcode(postcode):
        match |= Q(postcode=normalise_postcode(postcode))
    if not match:
        return []
    families = Family.objects.filter(team=team, anonymised_at__isnull=True)
    if user is not None:
        families = families.visible_to(user)
    if exclude_family_id is not None:
        families = families.exclude(pk=exclude_family_id)
    return list(
        families.filter(match)
        .distinct()
        .select_related("local_authority")
        .prefetch_related("members", "referrals")
        .order_by("-created_at")[:limit]
    )


MEMBER_FIELDS = (
    "kind",
    "first_name",
    "last_name",
    "sex",
    "date_of_birth",
    "due_date",
    "relationship",
    "ethnicity",
    "legal_status",
    "language",
    "active_offer",
    "active_offer_on",
    "active_offer_by",
)


def _same_person(known: Person, data: MemberData | ReferredMember) -> bool:
    same_name = (
        known.last_name.lower() == data.last_name.lower()
        and known.first_name.lower() == data.first_name.lower()
    )
    # A missing date of birth on either side matches on name and kind alone, so a
    # re-referral never duplicates a parent whose birth date was not known.
    same_birth = (
        known.date_of_birth == data.date_of_birth
        if known.date_of_birth and data.date_of_birth
        else known.kind == data.kind
    )
    return same_name and same_birth


def _record_household(referral: Referral, members: list[MemberData]) -> list[ReferredMember]:
    """The household as referred: one row per member typed, kept as it was."""
    rows = []
    for data in members:
        row = ReferredMember.objects.create(
            referral=referral, **{attr: getattr(data, attr) for attr in MEMBER_FIELDS}
        )
        row.substances.set(data.substances)
        rows.append(row)
    return rows


def _match_household(referral: Referral) -> None:
    """Point each referred member at the family member they are (or at nobody)."""
    known = list(referral.family.members.all())
    for row in referral.household.all():
        person = next((p for p in known if _same_person(p, row)), None)
        if row.person_id != (person.pk if person else None):
            row.person = person
            row.save(update_fields=["person"])


def _new_family(data: ReferralData) -> Family:
    family = Family.objects.create(
        team=data.team,
        name=data.family_name,
        address=data.address,
        postcode=normalise_postcode(data.postcode),
        local_authority=data.local_authority,
        household_type=data.household_type,
    )
    for member in data.members:
        person = Person.objects.create(
            family=family, **{attr: getattr(member, attr) for attr in MEMBER_FIELDS}
        )
        person.substances.set(member.substances)
    return family


def _previous_referral(family: Family, before: datetime, exclude: int | None = None):
    """The earlier episode a re-referral links back to: the referral of the family's latest
    case if it had one, else its latest referral."""
    earlier = Referral.objects.filter(family=family, received_at__lte=before).exclude(pk=exclude)
    return (
        earlier.filter(case__isnull=False).order_by("-received_at", "-pk").first()
        or earlier.order_by("-received_at", "-pk").first()
    )


def may_see_family(user: User, family: Family) -> bool:
    return Family.objects.visible_to(user).filter(pk=family.pk).exists()


def _alert_managers(referral: Referral, family: Family) -> None:
    """Tell the team's managers of a new referral; of a family with a restricted case, only
    the managers named on it (cases.models.hides_family: the one rule)."""
    url = reverse("referrals:detail", args=[referral.pk])
    for manager in _team_members(referral.team, Role.MANAGER):
        if hides_family(manager, family.pk):
            continue
        notify_user(
            recipient=manager,
            subject=lambda: (
                _("New referral for %(team)s: %(ref)s")
                % {"team": referral.team, "ref": referral.reference}
            ),
            body=lambda: (
                _("A referral from %(referrer)s (%(agency)s) is waiting for screening.")
                % {"referrer": referral.referrer_name, "agency": referral.referrer_agency}
            ),
            url=url,
            kind=NoticeKind.NEW_REFERRAL,
            topic=f"referral:{referral.pk}",
        )


@transaction.atomic
def submit_referral(
    *,
    user: User,
    data: ReferralData,
    submission_key: uuid.UUID,
    link_family: Family | None = None,
    draft: ReferralDraft | None = None,
    received_at: datetime | None = None,
) -> Referral:
    """Record a referral and the household as referred. Without `link_family` a new family
    is recorded from it; linking to a known family (team staff who may see it) makes it a
    re-referral and writes nothing into that family: a manager applies the differences one
    by one (apply_family_update). Submitting the same form twice returns the first one."""
    already = Referral.objects.filter(submission_key=submission_key).first()
    if already is not None:
        raise AlreadySubmitted(already)
    if link_family is not None:
        if link_family.team_id != data.team.pk:
            raise ServiceError(_("That family belongs to another team."))
        if not may_see_family(user, link_family):
            raise ServiceError(_("Only the team's staff can link a referral to a known family."))

    family = _new_family(data) if link_family is None else link_family
    received = received_at or timezone.now()
    previous = _previous_referral(family, received) if link_family is not None else None
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                team=data.team,
                family=family,
                created_by=user,
                received_at=received,
                route=data.route,
                referrer_name=data.referrer_name,
                referrer_role=data.referrer_role,
                referrer_team=data.referrer_team,
                referrer_agency=data.referrer_agency,
                referrer_local_authority=data.referrer_local_authority,
                referrer_phone=data.referrer_phone,
                referrer_email=data.referrer_email,
                proceedings=data.proceedings,
                consent_given=data.consent_given,
                consent_date=data.consent_date,
                reason_for_referral=data.reason_for_referral,
                is_rereferral=link_family is not None,
                previous_referral=previous,
                family_name=data.family_name,
                address=data.address,
                postcode=normalise_postcode(data.postcode),
                local_authority=data.local_authority,
                household_type=data.household_type,
                submission_key=submission_key,
            )
    except IntegrityError:
        # Two identical submissions racing: the other one won. Anything else is a real error.
        winner = Referral.objects.filter(submission_key=submission_key).first()
        if winner is None:
            raise
        raise AlreadySubmitted(winner) from None
    referral.presenting_issues.set(data.presenting_issues)
    _record_household(referral, data.members)
    _match_household(referral)
    if draft is not None:
        draft.delete()
    _alert_managers(referral, family)
    return referral


@transaction.atomic
def link_referral_to_family(
    *, referral_id: int, user: User, family_id: int, version: int | None = None
) -> Referral:
    """A manager links a referral to a family the team already knows (a re-referral). The
    family's record is not changed; the family recorded from this referral alone is removed
    when nothing else refers to it. The referral keeps what it said as referred."""
    referral = _lock_referral(referral_id, version)
    if not permissions.is_manager_of(user, referral.team_id):
        raise ServiceError(_("Only a manager of the team can link a referral to a family."))
    if referral.status not in SCREENABLE:
        raise ServiceError(_("A referral can be linked to a family only before allocation."))
    family = (
        Family.objects.visible_to(user)
        .filter(team_id=referral.team_id, anonymised_at__isnull=True)
        .filter(pk=family_id)
        .first()
    )
    if family is None or family.pk == referral.family_id:
        raise ServiceError(_("Choose one of the families shown."))
    recorded_from_this = referral.family
    referral.family = family
    referral.is_rereferral = True
    referral.previous_referral = _previous_referral(
        family, referral.received_at, exclude=referral.pk
    )
    _bump(referral, "family", "is_rereferral", "previous_referral")
    _match_household(referral)
    _remove_if_unused(recorded_from_this)
    return referral


def _remove_if_unused(family: Family) -> None:
    """The family recorded from one referral, once that referral is linked elsewhere: kept
    if anything else (another referral, a case, a consent) refers to it."""
    if Referral.objects.filter(family=family).exists() or family.cases.exists():
        return
    try:
        with transaction.atomic():
            family.members.filter(consents__isnull=True).delete()
            if not family.members.exists():
                family.delete()
    except ProtectedError:
        pass


# --- the differences between a referral and the family's record -----------------------------


@dataclass
class Difference:
    key: str  # "family:address", "member:<referred member id>:<field>", "member:<id>:new"
    label: str
    before: str
    after: str


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


FAMILY_FIELDS = ("address", "postcode", "local_authority", "household_type")


def family_differences(referral: Referral, household: list | None = None) -> list[Difference]:
    """What the referral said that the family's record does not say (yet). A blank on the
    referral is no difference: a referrer who did not know a fact does not erase it.
    `household`: the referral's members already read, each with its person and both their
    substances (the referral page's); None reads them."""
    if not referral.has_snapshot:
        return []
    family = referral.family
    out = []
    for name in FAMILY_FIELDS:
        said, known = getattr(referral, name), getattr(family, name)
        if said not in (None, "") and said != known:
            out.append(
                Difference(
                    f"family:{name}",
                    str(Family._meta.get_field(name).verbose_name),
                    _shown(known),
                    _shown(said),
                )
            )
    rows = (
        household
        if household is not None
        else referral.household.select_related("person", "legal_status").prefetch_related(
            "substances", "person__substances"
        )
    )
    for row in rows:
        person = row.person
        if person is None:
            out.append(
                Difference(f"member:{row.pk}:new", _("New member"), "", _shown(row.full_name))
            )
            continue
        for name in MEMBER_FIELDS:
            said, known = getattr(row, name), getattr(person, name)
            if said not in (None, "") and said != known:
                out.append(
                    Difference(
                        f"member:{row.pk}:{name}",
                        f"{person.full_name}: {Person._meta.get_field(name).verbose_name}",
                        _shown(known),
                        _shown(said),
                    )
                )
        said_s = {s.pk for s in row.substances.all()}
        known_s = {s.pk for s in person.substances.all()}
        if said_s != known_s:
            out.append(
                Difference(
                    f"member:{row.pk}:substances",
                    f"{person.full_name}: {Person._meta.get_field('substances').verbose_name}",
                    _shown(person.substances.all()),
                    _shown(row.substances.all()),
                )
            )
    return out


@transaction.atomic
def apply_family_update(*, referral_id: int, user: User, key: str, before: str) -> FamilyUpdate:
    """A manager applies one difference between the referral and the family's record, on
    purpose: the family's fact changes, with a history row (who, when, from which referral,
    before and after); the referral and every earlier record stay as they were. `before` is
    the value the manager saw: if the record changed since, nothing is applied."""
    referral = _lock_referral(referral_id, None)
    if not Referral.objects.managed_by(user).filter(pk=referral.pk).exists():
        raise ServiceError(_("Only a manager of the team can update the family's record."))
    family = Family.objects.select_for_update().get(pk=referral.family_id)
    current = {d.key: d for d in family_differences(referral)}
    diff = current.get(key)
    if diff is None:
        raise ServiceError(_("This difference is no longer there: it was applied already."))
    if diff.before != before:
        raise StaleEdit(
            _(
                "Someone else changed the family's record while you were looking at it. "
                "Check the differences below again."
            )
        )
    try:
        with transaction.atomic():
            person = _apply(referral, family, key)
    except IntegrityError:
        # A change the record's rules refuse on its own (an unborn child needs its due
        # date first, say): nothing is applied, and the manager is told why.
        raise ServiceError(
            _(
                "This change cannot be applied on its own: apply the related change first "
                "(for an unborn child, the due date)."
            )
        ) from None
    return FamilyUpdate.objects.create(
        referral=referral,
        family=family,
        person=person,
        field=key,
        label=diff.label[:200],
        before=diff.before,
        after=diff.after,
        applied_by=user,
        applied_at=timezone.now(),
    )


def _apply(referral: Referral, family: Family, key: str) -> Person | None:
    person = None
    parts = key.split(":")
    if parts[0] == "family":
        setattr(family, parts[1], getattr(referral, parts[1]))
        family.save(update_fields=[parts[1]])
    else:
        row = ReferredMember.objects.select_related("person").get(
            pk=int(parts[1]), referral=referral
        )
        if parts[2] == "new":
            person = Person.objects.create(
                family=family, **{attr: getattr(row, attr) for attr in MEMBER_FIELDS}
            )
            person.substances.set(row.substances.all())
            row.person = person
            row.save(update_fields=["person"])
        else:
            person = row.person
            if parts[2] == "substances":
                person.substances.set(row.substances.all())
            else:
                setattr(person, parts[2], getattr(row, parts[2]))
                person.save(update_fields=[parts[2]])
    return person


def _team_members(team: Team, *roles: str) -> list[User]:
    return list(
        User.objects.filter(
            memberships__team=team,
            memberships__role__in=roles,
            memberships__active=True,
            is_active=True,
        ).distinct()
    )


def save_draft(
    *, user: User, data: dict[str, list[str]], draft: ReferralDraft | None
) -> ReferralDraft:
    # The draft keeps every field as the list of values typed (multi-selects have several).
    # PostgreSQL keeps no NUL characters; what else was typed is kept as it is.
    data = {
        key.replace("\x00", ""): [str(v).replace("\x00", "") for v in values]
        for key, values in data.items()
    }
    typed = data.get("family_name") or [""]
    title = (typed[0] if typed else "").strip()[:200] or _("Untitled referral")
    if draft is None:
        return ReferralDraft.objects.create(owner=user, data=data, title=title)
    draft.data = data
    draft.title = title
    draft.save(update_fields=["data", "title", "updated_at"])
    return draft


def _lock_referral(referral_id: int, version: int | None) -> Referral:
    referral = (
        Referral.objects.select_for_update().select_related("team", "family").get(pk=referral_id)
    )
    if version is not None and referral.version != version:
        raise StaleEdit(
            _(
                "Someone else updated this referral while you were looking at it. "
                "Check its latest state below; what you typed is still in the form."
            )
        )
    return referral


def _checked_moment(moment: datetime | None, referral: Referral) -> datetime:
    now = timezone.now()
    if moment is None:
        return now
    if moment > now:
        raise ServiceError(_("This cannot be dated in the future."))
    if moment < referral.received_at:
        raise ServiceError(_("This cannot be dated before the referral was received."))
    return moment


def _bump(referral: Referral, *fields: str) -> None:
    referral.version += 1
    referral.save(update_fields=[*fields, "version"])


@transaction.atomic
def record_first_contact(
    *,
    referral_id: int,
    user: User,
    contacted_at: datetime,
    spoken_to: str,
    method: str,
    note: str = "",
    version: int | None = None,
) -> Referral:
    """First contact with the referrer: when, who was spoken to, how, and a short note."""
    referral = _lock_referral(referral_id, version)
    if contacted_at < referral.received_at.replace(second=0, microsecond=0):
        raise ServiceError(_("First contact cannot be before the referral was received."))
    if contacted_at > timezone.now():
        raise ServiceError(_("First contact cannot be in the future."))
    if not spoken_to.strip():
        raise ServiceError(_("Say who was spoken to."))
    if method not in ContactMethod.values:
        raise ServiceError(_("Say how the contact was made."))
    if len(note) > FIRST_CONTACT_NOTE_MAX:
        raise ServiceError(_("Keep the note to %(n)s characters.") % {"n": FIRST_CONTACT_NOTE_MAX})
    referral.first_contact_at = contacted_at
    referral.first_contact_with = spoken_to.strip()
    referral.first_contact_method = method
    referral.first_contact_note = note.strip()
    _bump(
        referral,
        "first_contact_at",
        "first_contact_with",
        "first_contact_method",
        "first_contact_note",
    )
    return referral


@transaction.atomic
def decide_referral(
    *,
    referral_id: int,
    user: User,
    outcome: ScreeningOutcome,
    reason: ScreeningReason,
    detail: str = "",
    onward_service: OnwardService | None = None,
    priority: int = Priority.MEDIUM,
    version: int | None = None,
    decided_at: datetime | None = None,
) -> ScreeningDecision:
    """Record a coded screening decision with its mandatory reason, and tell the referrer.
    `decided_at` back-dates a decision keyed in late (or historic data); never the future."""
    referral = _lock_referral(referral_id, version)
    if referral.status not in SCREENABLE:
        raise ServiceError(
            _("A decision can no longer be recorded: the referral is %(status)s.")
            % {"status": referral.get_status_display().lower()}
        )
    if reason.outcome_id != outcome.pk:
        raise ServiceError(_("That reason does not belong to the chosen outcome."))
    if outcome.needs_detail and not detail.strip():
        raise ServiceError(_("Explain the decision: this outcome needs a written reason."))
    if outcome.effect == Effect.REFER_ON and onward_service is None:
        raise ServiceError(_("Say which service the family is referred on to."))

    now = _checked_moment(decided_at, referral)
    decision = ScreeningDecision.objects.create(
        referral=referral,
        outcome=outcome,
        reason=reason,
        detail=detail.strip(),
        onward_service=onward_service if outcome.effect == Effect.REFER_ON else None,
        decided_by=user,
        decided_at=now,
    )
    current_wait = WaitingListEntry.objects.current().filter(referral=referral).first()
    if outcome.effect == Effect.WAITING_LIST:
        if current_wait is None:
            WaitingListEntry.objects.create(
                referral=referral, priority=priority, notes=detail.strip(), added_at=now
            )
        else:
            current_wait.priority = priority
            current_wait.save(update_fields=["priority"])
        referral.status = ReferralStatus.WAITING
    else:
        if current_wait is not None:
            current_wait.left_at = now
            current_wait.left_because = str(outcome)
            current_wait.save(update_fields=["left_at", "left_because"])
        referral.status = {
            Effect.ACCEPT: ReferralStatus.ACCEPTED,
            Effect.REFER_ON: ReferralStatus.REFERRED_ON,
            Effect.CLOSE: ReferralStatus.CLOSED,
        }[Effect(outcome.effect)]
    _bump(referral, "status")
    tell_referrer(
        referral,
        subject=lambda: _("%(ref)s: %(outcome)s") % {"ref": referral.reference, "outcome": outcome},
        body=lambda: (
            _("The %(team)s screened your referral. Outcome: %(outcome)s. Reason: %(reason)s.")
            % {"team": referral.team, "outcome": outcome, "reason": reason}
            + (f"\n\n{detail.strip()}" if detail.strip() else "")
            + (
                "\n\n" + _("Referred on to: %(service)s") % {"service": onward_service}
                if decision.onward_service
                else ""
            )
        ),
    )
    return decision


@transaction.atomic
def update_waiting_entry(
    *, entry_id: int, user: User, priority: int, notes: str, version: int | None = None
) -> WaitingListEntry:
    entry = WaitingListEntry.objects.select_for_update().get(pk=entry_id, left_at__isnull=True)
    if version is not None and entry.version != version:
        raise StaleEdit(
            _(
                "Someone else updated this waiting-list entry while you were working on it. "
                "What is saved now is shown; what you typed is still in the form."
            )
        )
    entry.priority = priority
    entry.notes = notes
    entry.version += 1
    entry.save(update_fields=["priority", "notes", "version"])
    return entry


class OverCapacity(ServiceError):
    """The worker is at capacity: the allocation needs a confirmation with a reason."""


def is_caseworker(team: Team, user: User) -> bool:
    return (
        Membership.objects.active().filter(team=team, user=user, role__in=CASEWORKER_ROLES).exists()
    )


def _assessment_clock_from(referral: Referral, allocated_at: datetime) -> datetime:
    """When the team's assessment target starts counting, on the basis the team chose
    (the report card shows the time from referral and from allocation whatever it is)."""
    basis = referral.team.assessment_target_from
    if basis == AssessmentTargetFrom.ALLOCATION:
        return allocated_at
    if basis == AssessmentTargetFrom.WAITING_LIST and (
        WaitingListEntry.objects.filter(referral=referral).exists()
    ):
        return allocated_at
    return referral.received_at


@transaction.atomic
def allocate_referral(
    *,
    referral_id: int,
    user: User,
    worker: User,
    co_worker: User | None = None,
    version: int | None = None,
    allocated_at: datetime | None = None,
    over_capacity_reason: str = "",
) -> Case:
    """Open a case for an accepted or waiting family with a spearhead worker. A worker
    already at the team's capacity takes another family only with a recorded reason."""
    referral = _lock_referral(referral_id, version)
    if referral.status not in ALLOCATABLE:
        raise ServiceError(
            _("This referral cannot be allocated: it is %(status)s.")
            % {"status": referral.get_status_display().lower()}
        )
    if not is_caseworker(referral.team, worker):
        raise ServiceError(_("The worker must be a practitioner in this team."))
    if co_worker is not None:
        if co_worker.pk == worker.pk:
            raise ServiceError(_("The co-worker must be a different person."))
        if not is_caseworker(referral.team, co_worker):
            raise ServiceError(_("The co-worker must be a practitioner in this team."))
    load = intensive_load(referral.team, worker)
    over_capacity_reason = over_capacity_reason.strip()
    if load >= referral.team.practitioner_capacity:
        if not over_capacity_reason:
            raise OverCapacity(
                _(
                    "%(worker)s already has %(load)s of %(capacity)s intensive families. "
                    "Confirm the allocation past capacity and give the reason."
                )
                % {"worker": worker, "load": load, "capacity": referral.team.practitioner_capacity}
            )
    else:
        over_capacity_reason = ""
    now = _checked_moment(allocated_at, referral)
    case = open_case(
        referral_id=referral.pk,
        family_id=referral.family_id,
        team_id=referral.team_id,
        user=user,
        worker=worker,
        co_worker=co_worker,
        allocated_at=now,
        assessment_clock_from=_assessment_clock_from(referral, now),
        over_capacity_reason=over_capacity_reason,
    )
    WaitingListEntry.objects.current().filter(referral=referral).update(
        left_at=now, left_because=_("Allocated")
    )
    referral.status = ReferralStatus.ALLOCATED
    _bump(referral, "status")

    case_url = reverse("cases:detail", args=[case.pk])
    for person in filter(None, [worker, co_worker]):
        notify_user(
            recipient=person,
            subject=lambda: _("New case allocated: %(ref)s") % {"ref": case.reference},
            body=lambda: (
                _("%(manager)s allocated %(family)s to you.")
                % {"manager": user, "family": referral.family}
            ),
            url=case_url,
            kind=NoticeKind.ALLOCATION,
            topic=f"case:{case.pk}",
        )
    # The referrer is told the family by the name they gave it, never the team's record.
    tell_referrer(
        referral,
        subject=lambda: _("%(ref)s: allocated") % {"ref": referral.reference},
        body=lambda: (
            _("%(family)s has been allocated to %(worker)s of %(team)s.")
            % {"family": referral.name_as_referred, "worker": worker, "team": referral.team}
        ),
    )
    return case


# --- Corrections and withdrawals of screening decisions (cases.amendments) ---------------


def _decision_to_amend(decision_id: int, user: User, version: int) -> ScreeningDecision:
    decision = (
        ScreeningDecision.all_versions.select_for_update()
        .select_related("referral", "outcome")
        .get(pk=decision_id)
    )
    # A decision is a manager's: its author or another manager of the team corrects it.
    if not permissions.is_manager_of(user, decision.referral.team_id):
        raise ServiceError(_("Only a manager of the team can correct a screening decision."))
    check_current(decision, version)
    return decision


def _latest_decision(referral: Referral) -> ScreeningDecision | None:
    return (
        ScreeningDecision.objects.filter(referral=referral).order_by("-decided_at", "-pk").first()
    )


@transaction.atomic
def correct_decision(
    *,
    decision_id: int,
    user: User,
    reason_code: ScreeningReason,
    detail: str,
    onward_service: OnwardService | None,
    reason: str,
    version: int,
) -> ScreeningDecision:
    """Correct a decision's coded reason, explanation or onward service: a new decision
    pointing at the original, which is kept, marked amended. The outcome itself is not
    corrected here: it moved the referral on (waiting list, allocation), so a different
    outcome is a new decision."""
    decision = _decision_to_amend(decision_id, user, version)
    why = check_reason(reason)
    outcome = decision.outcome
    if reason_code.outcome_id != outcome.pk:
        raise ServiceError(
            _("The reason must belong to the decision's outcome (%(outcome)s).")
            % {"outcome": outcome}
        )
    if outcome.needs_detail and not detail.strip():
        raise ServiceError(_("Explain the decision: this outcome needs a written reason."))
    if outcome.effect == Effect.REFER_ON and onward_service is None:
        raise ServiceError(_("Say which service the family is referred on to."))
    retire(decision, status=EntryStatus.AMENDED, user=user, reason=why, when=timezone.now())
    corrected = copy_of(
        decision,
        reason_id=reason_code.pk,
        detail=detail.strip(),
        onward_service_id=onward_service.pk if outcome.effect == Effect.REFER_ON else None,
    )
    corrected.save()
    return corrected


@transaction.atomic
def withdraw_decision(
    *, decision_id: int, user: User, reason: str, version: int
) -> ScreeningDecision:
    """Withdraw a decision recorded in error: kept, marked withdrawn, counted nowhere. The
    latest decision is where the referral stands now (its status, the waiting list), so it
    is not withdrawn: record the right decision instead, or correct its reason."""
    decision = _decision_to_amend(decision_id, user, version)
    why = check_reason(reason)
    if _latest_decision(decision.referral) == decision:
        raise ServiceError(
            _(
                "This is the referral's latest decision: it sets where the referral stands. "
                "Record the right decision, or correct this one's reason."
            )
        )
    retire(decision, status=EntryStatus.WITHDRAWN, user=user, reason=why, when=timezone.now())
    return decision

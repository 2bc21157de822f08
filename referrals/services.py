"""Writes for referral intake, screening and allocation. Views call these, nothing else writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CASEWORKER_ROLES, LocalAuthority, Membership, Role, Team, User
from cases import pathway
from cases.errors import ServiceError, StaleEdit
from cases.models import Case, StageChange
from families.models import Family, Person
from notifications.services import notify_address, notify_user
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
    Priority,
    Referral,
    ReferralDraft,
    ReferralStatus,
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


def normalise_postcode(postcode: str) -> str:
    return " ".join(postcode.upper().split())


def find_possible_duplicates(
    *, team: Team, postcode: str, members: list[MemberData], limit: int = 5
) -> list[Family]:
    """Families of the team who may already be known: same name and date of birth,
    or the same postcode."""
    match = Q()
    for member in members:
        if member.date_of_birth and member.last_name:
            match |= Q(
                members__last_name__iexact=member.last_name,
                members__first_name__iexact=member.first_name,
                members__date_of_birth=member.date_of_birth,
            )
    if postcode:
        match |= Q(postcode=normalise_postcode(postcode))
    if not match:
        return []
    return list(
        Family.objects.filter(team=team)
        .filter(match)
        .distinct()
        .select_related("local_authority")
        .prefetch_related("members", "referrals")
        .order_by("-created_at")[:limit]
    )


def _save_members(family: Family, members: list[MemberData], *, merge: bool) -> None:
    existing = list(family.members.all()) if merge else []
    for data in members:
        person = None
        for known in existing:
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
            if same_name and same_birth:
                person = known
                break
        if person is None:
            person = Person(family=family)
        for attr in (
            "kind",
            "first_name",
            "last_name",
            "sex",
            "date_of_birth",
            "due_date",
            "relationship",
            "ethnicity",
            "legal_status",
        ):
            value = getattr(data, attr)
            # A re-referral adds what it knows; a blank never erases what is on record.
            if value not in (None, "") or person.pk is None:
                setattr(person, attr, value)
        person.save()
        person.substances.set(data.substances)


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
    """Record a referral, its family and household. Linking to a known family makes it a
    re-referral. Submitting the same form twice returns the first referral."""
    already = Referral.objects.filter(submission_key=submission_key).first()
    if already is not None:
        raise AlreadySubmitted(already)
    if link_family is not None and link_family.team_id != data.team.pk:
        raise ServiceError(_("That family belongs to another team."))

    if link_family is None:
        family = Family.objects.create(
            team=data.team,
            name=data.family_name,
            address=data.address,
            postcode=normalise_postcode(data.postcode),
            local_authority=data.local_authority,
            household_type=data.household_type,
        )
    else:
        family = link_family
        family.address = data.address or family.address
        family.postcode = normalise_postcode(data.postcode) or family.postcode
        family.local_authority = data.local_authority
        family.household_type = data.household_type or family.household_type
        family.save(update_fields=["address", "postcode", "local_authority", "household_type"])
    _save_members(family, data.members, merge=link_family is not None)

    previous = (
        Referral.objects.filter(family=family).order_by("-received_at").first()
        if link_family is not None
        else None
    )
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                team=data.team,
                family=family,
                created_by=user,
                received_at=received_at or timezone.now(),
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
                submission_key=submission_key,
            )
    except IntegrityError:
        # Two identical submissions racing: the other one won. Anything else is a real error.
        winner = Referral.objects.filter(submission_key=submission_key).first()
        if winner is None:
            raise
        raise AlreadySubmitted(winner) from None
    referral.presenting_issues.set(data.presenting_issues)
    if draft is not None:
        draft.delete()

    url = reverse("referrals:detail", args=[referral.pk])
    for manager in _team_members(data.team, Role.MANAGER):
        notify_user(
            recipient=manager,
            subject=_("New referral for %(team)s: %(family)s")
            % {"team": data.team, "family": family},
            body=_("A referral from %(referrer)s (%(agency)s) is waiting for screening.")
            % {"referrer": data.referrer_name, "agency": data.referrer_agency},
            url=url,
        )
    return referral


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
        subject=_("Referral for %(family)s: %(outcome)s")
        % {"family": referral.family, "outcome": outcome},
        body=_("The %(team)s screened your referral. Outcome: %(outcome)s. Reason: %(reason)s.")
        % {"team": referral.team, "outcome": outcome, "reason": reason}
        + (f"\n\n{detail.strip()}" if detail.strip() else "")
        + (
            "\n\n" + _("Referred on to: %(service)s") % {"service": onward_service}
            if decision.onward_service
            else ""
        ),
    )
    return decision


def tell_referrer(referral: Referral, *, subject: str, body: str, url: str | None = None) -> None:
    """Tell whoever submitted the referral, and the named referrer too when a team member
    keyed it in for them (a phone referral), so the referrer always hears the outcome."""
    notify_user(
        recipient=referral.created_by,
        subject=subject,
        body=body,
        url=url or reverse("referrals:detail", args=[referral.pk]),
    )
    if referral.referrer_email.lower() != (referral.created_by.email or "").lower():
        notify_address(email=referral.referrer_email, subject=subject, body=body)


@transaction.atomic
def update_waiting_entry(
    *, entry_id: int, user: User, priority: int, notes: str
) -> WaitingListEntry:
    entry = WaitingListEntry.objects.select_for_update().get(pk=entry_id, left_at__isnull=True)
    entry.priority = priority
    entry.notes = notes
    entry.save(update_fields=["priority", "notes"])
    return entry


def caseworkers_with_load(team: Team) -> list[User]:
    """The team's caseworkers, each annotated with intensive and open case counts, least
    loaded first; `over_capacity` when their intensive families reach the team's capacity."""
    # One join to the team's open cases, not two count subqueries per worker: the stage list
    # lets it probe case_worker_stage_idx for each worker's open cases alone, never the
    # closed ones. Exists, not a join to memberships: a person may hold two caseworker roles.
    open_cases = FilteredRelation(
        "cases", condition=Q(cases__team=team, cases__stage__in=pathway.OPEN_STAGES)
    )
    caseworker = Membership.objects.filter(
        user=OuterRef("pk"), team=team, role__in=CASEWORKER_ROLES, active=True
    )
    workers = list(
        User.objects.filter(Exists(caseworker), is_active=True)
        # The names the load tables and worker choices show; a wide row otherwise.
        .only("pk", "username", "first_name", "last_name")
        .alias(open_case=open_cases)
        .annotate(
            intensive_load=Count(
                "open_case", filter=Q(open_case__stage__in=pathway.INTENSIVE_STAGES)
            ),
            open_load=Count("open_case"),
        )
        .order_by("intensive_load", "first_name", "last_name")
    )
    for worker in workers:
        worker.over_capacity = worker.intensive_load >= team.practitioner_capacity
    return workers


def intensive_load(team: Team, worker: User) -> int:
    """The worker's families in the intensive stages in this team: what capacity counts."""
    return Case.objects.filter(team=team, worker=worker, stage__in=pathway.INTENSIVE_STAGES).count()


class OverCapacity(ServiceError):
    """The worker is at capacity: the allocation needs a confirmation with a reason."""


def is_caseworker(team: Team, user: User) -> bool:
    return (
        Membership.objects.active().filter(team=team, user=user, role__in=CASEWORKER_ROLES).exists()
    )


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
    from_waiting_list = WaitingListEntry.objects.filter(referral=referral).exists()
    case = Case.objects.create(
        assessment_clock_from=now if from_waiting_list else referral.received_at,
        referral=referral,
        family=referral.family,
        team=referral.team,
        worker=worker,
        co_worker=co_worker,
        stage=pathway.Stage.AWAITING_ASSESSMENT,
        allocated_at=now,
        allocated_by=user,
        over_capacity_reason=over_capacity_reason,
    )
    StageChange.objects.create(
        case=case,
        from_stage="",
        to_stage=pathway.Stage.AWAITING_ASSESSMENT,
        changed_by=user,
        changed_at=now,
        note=_("Allocated to %(worker)s") % {"worker": worker},
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
            subject=_("New case allocated: %(family)s") % {"family": referral.family},
            body=_("%(manager)s allocated %(family)s to you.")
            % {"manager": user, "family": referral.family},
            url=case_url,
        )
    tell_referrer(
        referral,
        subject=_("Referral for %(family)s: allocated") % {"family": referral.family},
        body=_("%(family)s has been allocated to %(worker)s of %(team)s.")
        % {"family": referral.family, "worker": worker, "team": referral.team},
    )
    return case

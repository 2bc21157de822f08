"""The reminder sweep. Idempotent by a unique database key per (item, kind, step); only
steps whose window is current are sent, and anything older is summarised once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Team, User
from cases.models import Case, hides_family
from notifications.models import Kind as NoticeKind
from notifications.services import notify_user
from referrals.models import Referral

from . import deadlines
from .models import Kind, Reminder, Step

WINDOW = timedelta(days=1)
# Deadlines that are a notice on the day they are seen, with no "before" step.
ONE_SHOT = {Kind.PHASE1_HOURS, Kind.ORPHANED}


def current_step(due_at: datetime, now: datetime, *, before_days: int, escalate_days: int):
    """The step whose window contains now, or None. Windows: the notice from `before_days`
    ahead until the due moment; "due" for a day after it; the escalation for a day from
    `escalate_days` overdue."""
    if due_at - timedelta(days=before_days) <= now < due_at:
        return Step.BEFORE
    if due_at <= now < due_at + WINDOW:
        return Step.DUE
    escalate_at = due_at + timedelta(days=max(escalate_days, 1))
    if escalate_at <= now < escalate_at + WINDOW:
        return Step.ESCALATE
    return None


def is_past_all_windows(due_at: datetime, now: datetime, *, escalate_days: int) -> bool:
    return now >= due_at + timedelta(days=max(escalate_days, 1)) + WINDOW


def claim(deadline: deadlines.Deadline, step: str) -> Reminder | None:
    """Insert the reminder's unique row. Whoever inserts it sends it; anyone else (a second
    sweep, a second worker) gets None and sends nothing."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                team_id=deadline.team_id,
                item_type=deadline.item_type,
                item_id=deadline.item_id,
                kind=deadline.kind,
                step=step,
                due_at=deadline.due_at,
            )
    except IntegrityError:
        return None


@dataclass
class SweepResult:
    sent: int = 0
    summarised: int = 0
    rechecks: int = 0


def _message(deadline: deadlines.Deadline, step: str) -> tuple[str, str]:
    due = timezone.localtime(deadline.due_at).strftime("%d %b %Y %H:%M")
    label = Kind(deadline.kind).label
    words = {"what": label, "ref": deadline.reference}
    if step == Step.BEFORE:
        subject = _("Due soon: %(what)s, %(ref)s") % words
    elif step == Step.DUE:
        subject = _("Due now: %(what)s, %(ref)s") % words
    else:
        subject = _("Overdue: %(what)s, %(ref)s") % words
    title = deadlines.title_in_language(deadline.title)
    body = _("%(title)s. Due %(due)s.") % {"title": title, "due": due}
    return subject, body


def restricted_families(found: list[deadlines.Deadline]) -> dict[tuple[str, int, str], int]:
    """The deadlines of a family with a restricted case: their key -> the family's id. Only
    the people the restriction names may be told of them (cases.models.hides_family)."""
    families = set(Case.objects.filter(restricted=True).values_list("family_id", flat=True))
    if not families:
        return {}
    case_ids = {d.case_id for d in found if d.case_id is not None}
    referral_ids = {d.item_id for d in found if d.item_type == "referral"}
    of_case = dict(
        Case.objects.filter(pk__in=case_ids, family_id__in=families).values_list("pk", "family_id")
    )
    of_referral = dict(
        Referral.objects.filter(pk__in=referral_ids, family_id__in=families).values_list(
            "pk", "family_id"
        )
    )
    out = {}
    for d in found:
        family = of_referral.get(d.item_id) if d.item_type == "referral" else None
        family = family or of_case.get(d.case_id)
        if family is not None:
            out[d.key] = family
    return out


def _may_be_told(user: User, family_id: int | None) -> bool:
    return user.is_active and (family_id is None or not hides_family(user, family_id))


@transaction.atomic
def _send(
    deadline: deadlines.Deadline,
    step: str,
    managers: list[int],
    users: dict,
    family_id: int | None = None,
) -> int:
    reminder = claim(deadline, step)
    if reminder is None:
        return 0
    if step == Step.ESCALATE or deadline.kind in {Kind.ORPHANED} or not deadline.recipients:
        to = managers
        notice = NoticeKind.ESCALATION
    elif deadline.kind == Kind.PHASE1_HOURS:
        to = list(dict.fromkeys([*deadline.recipients, *managers]))
        notice = NoticeKind.REMINDER_NOTICE if step == Step.BEFORE else NoticeKind.REMINDER_DUE
    else:
        to = deadline.recipients
        notice = NoticeKind.REMINDER_NOTICE if step == Step.BEFORE else NoticeKind.REMINDER_DUE
    topic = (
        f"case:{deadline.case_id}"
        if deadline.case_id
        else f"{deadline.item_type}:{deadline.item_id}"
    )
    # A restricted family's deadline goes only to the people named on its restriction.
    active = [users[uid] for uid in to if uid in users and _may_be_told(users[uid], family_id)]
    if not active:
        # Nobody left to tell (the worker is inactive): the managers must hear of it.
        active = [
            users[uid] for uid in managers if uid in users and _may_be_told(users[uid], family_id)
        ]
    for user in active:
        notify_user(
            recipient=user,
            # Written in each recipient's language.
            subject=lambda: _message(deadline, step)[0],
            body=lambda: _message(deadline, step)[1],
            url=deadline.url,
            reminder=reminder,
            kind=notice,
            topic=topic,
        )
    return 1


def sweep(*, now: datetime | None = None, team_ids: list[int] | None = None) -> SweepResult:
    """Send every reminder whose window is current. Safe to run twice, or twice at once."""
    now = now or timezone.now()
    result = SweepResult()
    teams = {t.pk: t for t in Team.objects.all()}
    managers = deadlines.managers_by_team(team_ids)
    found = deadlines.collect(now, team_ids)
    user_ids = {uid for d in found for uid in d.recipients} | {
        uid for ids in managers.values() for uid in ids
    }
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    already = set(
        Reminder.objects.filter(item_id__in={d.item_id for d in found}).values_list(
            "item_type", "item_id", "kind", "step"
        )
    )
    restricted = restricted_families(found)
    backlog: dict[int, list[deadlines.Deadline]] = defaultdict(list)
    for deadline in found:
        team = teams[deadline.team_id]
        if deadline.kind in ONE_SHOT:
            step = Step.DUE
        else:
            step = current_step(
                deadline.due_at,
                now,
                before_days=team.reminder_days_before,
                escalate_days=team.escalate_after_days,
            )
        if step is not None:
            if (*deadline.key, step) not in already:
                result.sent += _send(
                    deadline,
                    step,
                    managers.get(deadline.team_id, []),
                    users,
                    restricted.get(deadline.key),
                )
            continue
        escalated = (*deadline.key, Step.ESCALATE) in already
        summarised = (*deadline.key, Step.SUMMARY) in already
        if (
            not escalated
            and not summarised
            and is_past_all_windows(deadline.due_at, now, escalate_days=team.escalate_after_days)
        ):
            backlog[deadline.team_id].append(deadline)
    for team_id, items in backlog.items():
        result.summarised += _summarise(
            teams[team_id], items, managers.get(team_id, []), users, restricted
        )
    result.rechecks = recheck_waiting_list(now=now, team_ids=team_ids)
    return result


@transaction.atomic
def _summarise(
    team: Team,
    items: list[deadlines.Deadline],
    managers: list[int],
    users,
    restricted: dict | None = None,
) -> int:
    """Items already past every reminder window (a rule just switched on, a restored
    database): one message to each manager instead of a storm of overdue notices. A
    restricted family's items are listed only to the managers its restriction names."""
    restricted = restricted or {}
    claimed = [d for d in items if claim(d, Step.SUMMARY) is not None]
    if not claimed:
        return 0
    for user_id in managers:
        user = users.get(user_id)
        if user is None:
            continue
        mine = [
            d
            for d in claimed
            if d.key not in restricted or not hides_family(user, restricted[d.key])
        ]
        if not mine:
            continue

        def body(mine: list = mine, team: object = team) -> str:
            """Written in the recipient's language."""
            lines = "\n".join(
                "- "
                + _("%(kind)s: %(family)s (due %(date)s)")
                % {
                    "kind": Kind(d.kind).label,
                    "family": d.family,
                    "date": f"{timezone.localtime(d.due_at):%d %b %Y}",
                }
                for d in mine[:50]
            )
            more = len(mine) - 50
            text = (
                _(
                    "%(n)s items in %(team)s were already past their reminder windows. They "
                    "are on the due and overdue page:"
                )
                % {"n": len(mine), "team": team}
                + "\n"
                + lines
            )
            if more > 0:
                text += "\n" + _("...and %(n)s more.") % {"n": more}
            return text

        def subject(mine: list = mine, team: object = team) -> str:
            return _("%(n)s overdue items in %(team)s") % {"n": len(mine), "team": team}

        notify_user(
            recipient=user,
            subject=subject,
            body=body,
            url=reverse("reminders:due"),
            kind=NoticeKind.ESCALATION,
        )
    return len(claimed)


def recheck_waiting_list(*, now: datetime, team_ids: list[int] | None = None) -> int:
    """Tell managers, at most once a day, that a worker has room and families are waiting."""
    sent = 0
    day_key = int(timezone.localdate(now).strftime("%Y%m%d"))
    managers = deadlines.managers_by_team(team_ids)
    for team_id in deadlines.teams_with_free_capacity_and_waiting(team_ids):
        marker = deadlines.Deadline(
            team_id,
            f"team-{team_id}",
            day_key,
            Kind.WAITING_RECHECK,
            now,
            gettext_noop("Capacity has freed"),
            reverse("referrals:waiting_list"),
            "",
        )
        with transaction.atomic():
            reminder = claim(marker, Step.DUE)
            if reminder is None:
                continue
            for user in User.objects.filter(pk__in=managers.get(team_id, []), is_active=True):
                notify_user(
                    recipient=user,
                    subject=lambda: _("A practitioner has capacity: recheck the waiting list"),
                    body=lambda: _(
                        "A practitioner is below the team's capacity and families are waiting. "
                        "Take the most appropriate family, not necessarily the oldest."
                    ),
                    url=reverse("referrals:waiting_list"),
                    reminder=reminder,
                    kind=NoticeKind.CAPACITY,
                )
            sent += 1
    return sent

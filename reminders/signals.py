"""Every save or delete that can move a deadline leaves a DueChange in the same
transaction, so that the due page's stored items (reminders.duestore) are brought up to
date before they are next read. Bookkeeping for derived data, not a business rule: the
rules stay in reminders.deadlines. Writes that bypass the models (QuerySet.update, COPY)
call duestore.mark() or duestore.mark_everything() themselves."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from .models import Unit

# Saves that change nothing a deadline reads: signing in.
SIGN_IN_FIELDS = frozenset({"last_login", "password"})


def _watch(model: str, unit: str, unit_id: Callable[[Model], int | None]) -> None:
    from django.apps import apps

    from . import duestore

    def changed(sender, instance, **kwargs) -> None:
        fields = kwargs.get("update_fields")
        if model == "accounts.User" and fields and set(fields) <= SIGN_IN_FIELDS:
            return
        if kwargs.get("raw"):  # loaddata: the fixture's own records, marked by whoever loads
            return
        pk = unit_id(instance)
        if pk is not None:
            duestore.mark(unit, pk)

    cls = apps.get_model(model)
    uid = f"duestore:{model}"
    post_save.connect(changed, sender=cls, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=cls, weak=False, dispatch_uid=uid)


def connect() -> None:
    by_case = lambda obj: obj.case_id  # noqa: E731
    _watch("cases.Case", Unit.CASE, lambda obj: obj.pk)
    _watch("cases.Contact", Unit.CASE, by_case)
    _watch("cases.Assessment", Unit.CASE, by_case)
    _watch("reviews.Review", Unit.CASE, by_case)
    _watch("outcomes.Reading", Unit.CASE, by_case)
    _watch("referrals.Referral", Unit.REFERRAL, lambda obj: obj.pk)
    _watch("families.Family", Unit.FAMILY, lambda obj: obj.pk)
    _watch("families.Person", Unit.FAMILY, lambda obj: obj.family_id)
    _watch("accounts.Membership", Unit.WORKER, lambda obj: obj.user_id)
    _watch("accounts.User", Unit.WORKER, lambda obj: obj.pk)
    _watch("accounts.Team", Unit.TEAM, lambda obj: obj.pk)


def recheck_when_capacity_frees(sender, case, previous, target, **kwargs) -> None:
    """cases.signals.stage_changed: a worker's intensive load fell, so families on the
    waiting list may now be taken (queued after commit, as move_case did before)."""
    from cases import pathway
    from core.queueing import enqueue_on_commit

    from .tasks import recheck_waiting_list

    if previous in pathway.INTENSIVE_STAGES and target not in pathway.INTENSIVE_STAGES:
        enqueue_on_commit(recheck_waiting_list, case.team_id)

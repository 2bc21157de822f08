"""Corrections of recorded entries, the way statutory record systems keep them.

An entry (a contact, goal, goal score, reading, review or screening decision) is never
edited in place. A correction is a new row that points at the one it corrects
(`corrects`); the original is kept, marked "amended", with who retired it, when and why.
A withdrawal marks the entry "withdrawn", with who, when and why, and adds nothing.

Each amendable model's default manager (`objects`) returns current rows only, so every
figure, list and deadline reads the corrected value and never a withdrawn one;
`all_versions` returns every row, for the history. A query that reaches an amendable
model through a join (`contacts__...`, `scores__...`) bypasses managers: it filters on
CURRENT_ONLY itself (reporting/queries.py does).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ServiceError, StaleEdit


class EntryStatus(models.TextChoices):
    CURRENT = "current", gettext_lazy("Current")
    AMENDED = "amended", gettext_lazy("Amended")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")


CURRENT_ONLY = {"entry_status": EntryStatus.CURRENT}


class CurrentManager(models.Manager):
    """The default manager of an amendable model: amended and withdrawn rows are history,
    never figures."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(**CURRENT_ONLY)


class Amendable(models.Model):
    """The columns of an entry that can be corrected or withdrawn. A concrete model declares
    `objects = CurrentManager...` first and `all_versions = models.Manager...` after it
    (the first declared is the default), and adds amendable_constraints(prefix)."""

    entry_status = models.CharField(
        gettext_lazy("status"),
        max_length=10,
        choices=EntryStatus.choices,
        default=EntryStatus.CURRENT,
        db_default=EntryStatus.CURRENT.value,  # rows bulk-loaded by COPY are current
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("corrects"),
    )
    retired_at = models.DateTimeField(
        gettext_lazy("amended or withdrawn at"), null=True, blank=True
    )
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("amended or withdrawn by"),
    )
    retired_reason = models.TextField(
        gettext_lazy("reason for the correction"), blank=True, default="", db_default=""
    )

    # Declared by each concrete model (see above); named here for the type checker.
    all_versions: models.Manager[Any]

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.entry_status == EntryStatus.CURRENT


def amendable_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(entry_status__in=EntryStatus.values), name=f"{prefix}_status_valid"
        ),
        # A current entry has no retirement; an amended or withdrawn one always says who,
        # when and why.
        models.CheckConstraint(
            condition=(
                Q(entry_status=EntryStatus.CURRENT, retired_at__isnull=True, retired_reason="")
                | (
                    ~Q(entry_status=EntryStatus.CURRENT)
                    & Q(retired_at__isnull=False, retired_by__isnull=False)
                    & ~Q(retired_reason="")
                )
            ),
            name=f"{prefix}_retired_says_why",
        ),
    ]


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for the correction or withdrawal."))
    return reason


def check_current(entry: Amendable, version: int) -> None:
    """Refuse a correction of a row already amended or withdrawn, or changed since the form
    was opened (the same stale-save rule as every other edit)."""
    if not entry.is_current:
        raise StaleEdit(
            _(
                "This entry has already been %(status)s by someone else. Its history is shown; "
                "what you typed is still in the form."
            )
            % {"status": EntryStatus(entry.entry_status).label.lower()}
        )
    if getattr(entry, "version", version) != version:
        raise StaleEdit(
            _(
                "Someone else updated this entry while you were working on it. "
                "Its latest state is shown; what you typed is still in the form."
            )
        )


def retire(entry: Amendable, *, status: str, user, reason: str, when) -> None:
    entry.entry_status = status
    entry.retired_at = when
    entry.retired_by = user
    entry.retired_reason = reason
    fields = ["entry_status", "retired_at", "retired_by", "retired_reason"]
    if hasattr(entry, "version"):
        entry.version += 1
        fields.append("version")
    entry.save(update_fields=fields)


AmendableT = TypeVar("AmendableT", bound=Amendable)


def copy_of(entry: AmendableT, **changes: object) -> AmendableT:
    """An unsaved new row with the entry's column values, the changes applied, pointing at
    the entry it corrects."""
    model = type(entry)
    values = {
        f.attname: getattr(entry, f.attname)
        for f in model._meta.concrete_fields
        if not f.primary_key
        and f.name not in {"entry_status", "corrects", "retired_at"}
        and f.name not in {"retired_by", "retired_reason", "version"}
    }
    values.update({k: v for k, v in changes.items()})
    new = model(**values)
    new.corrects = entry
    return new


def may_correct(user, *, team_id: int, author_id: int | None) -> bool:
    """The entry's author (still on the team's staff) or a manager of the team."""
    from accounts import permissions

    return permissions.may_correct(user, team_id=team_id, author_id=author_id)


class ReadOnlyHistoryAdmin:
    """Admin for an amendable model: every version is shown, none is changed, added or
    deleted there (a correction goes through its service, with a reason)."""

    def get_queryset(self, request):
        # Every field is shown as text: each key is joined with the record (not a query per
        # key and row), and what the admin's names read (ScaledAdmin.join).
        rows = self.model.all_versions.select_related(
            *(f.name for f in self.model._meta.fields if f.many_to_one or f.one_to_one)
        )
        join = getattr(self, "join", None)
        return join(rows) if join is not None else rows

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

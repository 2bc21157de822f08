from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, router
from django.db.models.signals import pre_save
from django.http import HttpRequest
from django.utils.encoding import smart_str

from accounts.models import User


def record_view(*objects: models.Model | None) -> None:
    """Log that the current user (set by the audit middleware) viewed these records: the
    entries django-auditlog's access log would write, one per record, in one INSERT."""
    record_access(view_entries(*objects))


def record_access(entries: list) -> None:
    """Write access entries (of view_entries and listed_entries together: one INSERT)."""
    if entries:
        _write_access(entries)


def view_entries(*objects: models.Model | None) -> list:
    """The access entries of record_view, unwritten."""
    from auditlog.models import DEFAULT_OBJECT_REPR, LogEntry
    from auditlog.registry import auditlog

    viewed = list(
        {
            (obj.__class__, obj.pk): obj
            for obj in objects
            if obj is not None and obj.pk is not None and auditlog.contains(obj.__class__)
        }.values()
    )
    if not viewed:
        return []
    types = ContentType.objects.get_for_models(*{obj.__class__ for obj in viewed})
    entries = []
    for obj in viewed:
        try:
            text = smart_str(obj)
        except ObjectDoesNotExist:
            text = DEFAULT_OBJECT_REPR
        additional = getattr(obj, "get_additional_data", None)
        entries.append(
            LogEntry(
                content_type=types[obj.__class__],
                object_pk=str(obj.pk),
                object_id=obj.pk if isinstance(obj.pk, int) else None,
                object_repr=text[:200],
                # No model is registered with serialize_data (audit/apps.py): auditlog
                # stores no copy of a record on an access entry.
                serialized_data=None,
                additional_data=additional() if callable(additional) else None,
            )
        )
    return entries


def record_listed(shown: dict[type[models.Model], dict[int, str]]) -> None:
    """Log that the current user saw these records named on a list (model -> record id ->
    the name shown), without loading the records: a list page knows what it showed."""
    record_access(listed_entries(shown))


def listed_entries(shown: dict[type[models.Model], dict[int, str]]) -> list:
    """The access entries of record_listed, unwritten."""
    from auditlog.models import LogEntry

    shown = {model: rows for model, rows in shown.items() if rows}
    if not shown:
        return []
    types = ContentType.objects.get_for_models(*shown)
    return [
        LogEntry(
            content_type=types[model],
            object_pk=str(pk),
            object_id=pk,
            object_repr=smart_str(text)[:200],
            additional_data={"listed": True},
        )
        for model, rows in shown.items()
        for pk, text in rows.items()
        if pk is not None
    ]


# The apps whose records are staff and settings, not the families' data.
NOT_PERSONAL_APPS = {"accounts", "auth", "reference"}


def is_personal(model: type[models.Model]) -> bool:
    """A record of a family's data: its changes are logged, and so are its reads."""
    from auditlog.registry import auditlog

    return auditlog.contains(model) and model._meta.app_label not in NOT_PERSONAL_APPS


def record_entries_read(entries: list) -> None:
    """An audit entry names the record it is about: reading it is logged as a view of it."""
    shown: dict[type[models.Model], dict[int, str]] = {}
    for entry in entries:
        kind = ContentType.objects.get_for_id(entry.content_type_id)  # cached by the manager
        model = kind.model_class()
        if model is not None and is_personal(model) and str(entry.object_pk).isdigit():
            shown.setdefault(model, {})[int(entry.object_pk)] = entry.object_repr
    record_listed(shown)


def _write_access(entries: list) -> None:
    from auditlog.cid import get_cid
    from auditlog.models import LogEntry

    using = router.db_for_write(LogEntry)
    for entry in entries:
        entry.action = LogEntry.Action.ACCESS
        entry.cid = get_cid()
    # The log table's append-only trigger refuses UPDATE and DELETE, not INSERT.
    if len(entries) < 3:
        # A row or two: each saved, one INSERT each (save() sends pre_save itself).
        # bulk_create wraps its INSERT in a transaction of its own, BEGIN and COMMIT around
        # it when the request runs outside one: three queries for any number of rows.
        for entry in entries:
            entry.save(using=using, force_insert=True)
        return
    for entry in entries:
        # bulk_create sends no pre_save; auditlog's request context (the audit middleware)
        # fills in the actor, address and port from it, as it does on save().
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using=using, update_fields=None)
    # One INSERT for all the rows.
    LogEntry.objects.using(using).bulk_create(entries)


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address. X-Forwarded-For is believed only behind IFSS_PROXY_COUNT
    trusted proxies, reading that many hops from the right: a client cannot forge it."""
    if request is None:
        return None
    proxies = settings.AXES_IPWARE_PROXY_COUNT or 0
    if proxies:
        hops = [
            h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()
        ]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def record_sign_in(
    *,
    request: HttpRequest | None,
    user: User | None,
    event: str,
    username: str = "",
    by: User | None = None,
) -> None:
    """A sign-in event about `user` (the actor too, unless `by` acted on the user's
    account, or the sign-in failed)."""
    from auditlog.models import LogEntry

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(user.pk) if user else "",
        object_id=user.pk if user else None,
        object_repr=(user.get_username() if user else username)[:200],
        action=LogEntry.Action.ACCESS,
        actor=by or (user if event != "login_failed" else None),
        remote_addr=client_address(request),
        additional_data={
            "event": event,
            "username": username or (user.get_username() if user else ""),
        },
    )


# How many of a record's latest views "Who has viewed this record" folds: enough for weeks
# of a busy case, and a bounded read over ifss_logentry_viewers_idx however old the case.
VIEWS_FOLDED = 500


@dataclass
class Viewer:
    """One person's views of a record, folded into one line."""

    actor_id: int | None
    actor: str | None
    views: int
    last_at: datetime
    first_at: datetime
    remote_addr: str | None
    more: bool = False  # the window was full: they may have viewed it earlier too


def recent_viewers(obj: models.Model, limit: int = 20) -> list[Viewer]:
    """Who has viewed this record, one line per person with a count, most recent first."""
    from auditlog.models import LogEntry

    views = list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj.__class__),
            object_pk=str(obj.pk),
            action=LogEntry.Action.ACCESS,
        )
        # Over ifss_logentry_viewers_idx (audit migration 0002): the newest views first,
        # and only what the lines show.
        .order_by("-timestamp")
        .values_list(
            "actor_id",
            "actor__username",
            "actor__first_name",
            "actor__last_name",
            "timestamp",
            "remote_addr",
        )[:VIEWS_FOLDED]
    )
    full = len(views) == VIEWS_FOLDED
    folded: dict[int | None, Viewer] = {}
    for actor_id, username, first, last, at, addr in views:
        viewer = folded.get(actor_id)
        if viewer is None:
            if len(folded) == limit:
                continue
            name = f"{first} {last}".strip() or username if actor_id else None
            folded[actor_id] = Viewer(actor_id, name, 1, at, at, addr, more=full)
        else:
            viewer.views += 1
            viewer.first_at = at
    return list(folded.values())

"""Reads in the Django admin are logged like reads anywhere else (issue 13, finding 5).

Every model admin of the installation is wrapped (audit.apps.AuditConfig.ready) so that its
list, change, history and delete pages write a view entry for each record of the family
data they show. Keys to those records are typed as ids (raw_id_fields) instead of a
drop-down that would list every family of every team on every change form; the one record
a key names is logged with the record that names it.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse

from .services import is_personal, listed_entries, record_access, record_entries_read, view_entries


def _personal_keys(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if (f.many_to_one or f.one_to_one or f.many_to_many)
        and f.concrete
        and f.related_model is not None
        and is_personal(f.related_model)
    ]


def _keys_of(objs: list[models.Model]) -> dict[type[models.Model], dict[int, str]]:
    """The personal records the rows' keys name (the admin shows them as ids), by id:
    nothing is loaded, so a page of rows costs one INSERT, not a query per key."""
    named: dict[type[models.Model], dict[int, str]] = {}
    for obj in objs:
        for field in obj._meta.get_fields():
            if not ((field.many_to_one or field.one_to_one) and field.concrete):
                continue
            if field.related_model and is_personal(field.related_model):
                pk = getattr(obj, field.attname, None)
                if pk is not None:
                    named.setdefault(field.related_model, {})[pk] = f"#{pk}"
    return named


def _record(objs: list[models.Model]) -> None:
    # The records shown and the personal records their keys name: one INSERT.
    record_access(view_entries(*objs) + listed_entries(_keys_of(objs)))


def _context(response: HttpResponse) -> dict[str, Any]:
    return getattr(response, "context_data", None) or {}


class AuditedAdminMixin:
    """Writes a view entry for the personal records an admin page shows."""

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = _context(response).get("cl")
        if changelist is not None:
            shown = list(changelist.result_list)
            if self.model._meta.label == "auditlog.LogEntry":
                record_entries_read(shown)
            else:
                _record(shown)
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        self._record_object(_context(response).get("original"))
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)  # type: ignore[misc]
        self._record_object(_context(response).get("object"))
        return response

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        response = super().delete_view(request, object_id, extra_context)  # type: ignore[misc]
        self._record_object(_context(response).get("object"))
        return response

    def _record_object(self, obj: models.Model | None) -> None:
        if obj is None:
            return
        if obj._meta.label == "auditlog.LogEntry":
            record_entries_read([obj])
        else:
            _record([obj])


def _keys_as_ids(options: type, model: type[models.Model]) -> dict[str, Any]:
    own = tuple(options.raw_id_fields)
    return {"raw_id_fields": own + tuple(f for f in _personal_keys(model) if f not in own)}


def audit_every_admin() -> None:
    """Wrap every registered model admin in AuditedAdminMixin, with keys to personal records
    as ids in it and its inlines. Called once, after the admin has imported every app's
    admin module."""
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        current = type(admin.site.get_model_admin(model))
        if issubclass(current, AuditedAdminMixin):
            continue
        inlines = [
            type(
                inline.__name__,
                (inline,),
                {**_keys_as_ids(inline, inline.model), "__module__": inline.__module__},
            )
            for inline in current.inlines
        ]
        audited = type(
            current.__name__,
            (AuditedAdminMixin, current),
            # Named for the module that defined the admin, not for this one.
            {**_keys_as_ids(current, model), "inlines": inlines, "__module__": current.__module__},
        )
        admin.site.unregister(model)
        admin.site.register(model, audited)

"""The Django admin at national scale (issue 15): no page's queries grow with the data.

- A foreign key or many-to-many field to a large table is a raw id field (a number and the
  chosen record's name), never a <select> of every row; only SMALL_TABLES (reference lists,
  a few dozen rows) keep their <select>.
- Change lists join the foreign keys they show (list_select_related) and count at most
  COUNT_CAP rows (CappedPaginator; show_full_result_count = False).
- The delete confirmation shows, per kind of related record, how many would go (one COUNT
  each), instead of listing every one of them.
- Inlines of large tables are read-only lists with their foreign keys joined.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .formsets import BoundedInline

# Tables of a few dozen rows at most: a <select> of them is fine. Every other table a
# foreign key points at is large (tests/performance/test_admin_scale.py).
SMALL_TABLES = {
    "accounts.team",
    "accounts.localauthority",
    "auth.group",
    "auth.permission",
    "contenttypes.contenttype",
    "reference.presentingissue",
    "reference.substance",
    "reference.legalstatus",
    "reference.referralroute",
    "reference.onwardservice",
    "reference.servicetype",
    "reference.notproceedreason",
    "reference.practicemethod",
    "reference.goalcategory",
    "reference.screeningoutcome",
    "reference.screeningreason",
    "reference.closurereason",
    "reporting.measure",
}


def is_small(model: type[models.Model]) -> bool:
    return model._meta.label_lower in SMALL_TABLES


def relation_fields(model: type[models.Model]) -> list[models.Field]:
    """The editable foreign keys, one-to-ones and many-to-manys a form of model shows."""
    return [
        f
        for f in model._meta.get_fields()
        if f.is_relation and f.concrete and getattr(f, "editable", False) and not f.auto_created
    ]


def large_relations(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.name for f in relation_fields(model) if not is_small(f.related_model))


# A change list counts at most this many rows: past it, it says "10000" and the search
# or the filters narrow the list.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows (a COUNT over a LIMITed subquery): the admin's count of
    a whole table grows with the table."""

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            self._capped_count = self.object_list[:COUNT_CAP].count()
        return self._capped_count


class ScaledAdmin(admin.ModelAdmin):
    """A ModelAdmin whose pages run a fixed number of queries, whatever the data."""

    show_full_result_count = False
    list_per_page = 50
    paginator = CappedPaginator

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        large = large_relations(model)
        self.raw_id_fields = tuple(
            dict.fromkeys(
                [*self.raw_id_fields, *(f for f in large if f not in self.autocomplete_fields)]
            )
        )
        if self.list_select_related is False and tuple(self.list_display) == ("__str__",):
            self.list_select_related = True  # what __str__ reads: every non-null key
        elif self.list_select_related is False:
            shown = {f.name for f in model._meta.concrete_fields if f.many_to_one}
            self.list_select_related = list(
                dict.fromkeys([*(n for n in self.list_display if n in shown), *self.str_related])
            )

    # The related records __str__ reads (e.g. a case's family), joined on the change list.
    str_related: tuple[str, ...] = ()

    def get_deleted_objects(self, objs, request: HttpRequest):  # noqa: ANN001, ANN201
        """How many records of each kind refer to objs (one level down, all counted in one
        query per object), and which of them protect it: not a list of every record."""
        relations = [r for r in self.model._meta.related_objects if not r.many_to_many]
        figures = {
            f"n{i}": Subquery(
                rel.related_model._base_manager.filter(**{rel.field.name: OuterRef("pk")})
                .order_by()
                .values(rel.field.name)
                .annotate(n=Count("pk"))
                .values("n")
            )
            for i, rel in enumerate(relations)
        }
        lines, counts, protected = [], {}, []
        for obj in objs:
            lines.append(f"{obj._meta.verbose_name}: {obj}")
            row = self.model._base_manager.filter(pk=obj.pk).annotate(**figures)
            found = row.values(*figures).first() or {}
            for i, rel in enumerate(relations):
                n = found.get(f"n{i}") or 0
                if not n:
                    continue
                name = str(rel.related_model._meta.verbose_name_plural)
                if rel.on_delete in (models.PROTECT, models.RESTRICT):
                    protected.append(_("%(n)s %(kind)s refer to it") % {"n": n, "kind": name})
                else:
                    counts[name] = counts.get(name, 0) + n
        counts[str(self.model._meta.verbose_name_plural)] = len(objs)
        lines += [f"{name}: {n}" for name, n in counts.items()]
        perms_needed = set() if self.has_delete_permission(request) else {self.opts.verbose_name}
        return lines, counts, perms_needed, protected


class ReadOnlyInline(BoundedInline):
    """A large table's rows under their parent, listed read-only with their foreign keys
    joined: edited through the app's own pages (the services), not here. Capped like every
    inline (accounts.formsets)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj=None):  # noqa: ANN001, ANN201
        return [f.name for f in self.model._meta.fields if f.editable] + [
            f.name for f in self.model._meta.many_to_many
        ]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False

    def get_queryset(self, request: HttpRequest):  # noqa: ANN201
        related = [f.name for f in self.model._meta.fields if f.many_to_one]
        m2m = [f.name for f in self.model._meta.many_to_many]
        return super().get_queryset(request).select_related(*related).prefetch_related(*m2m)

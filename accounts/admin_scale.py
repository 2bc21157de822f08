"""The Django admin at national scale (issue 15): no page's queries grow with the data.

- A foreign key or many-to-many field to a large table is a raw id field (a number and the
  chosen record's name), never a <select> of every row; only SMALL_TABLES (reference lists,
  a few dozen rows) keep their <select>.
- Change lists join the foreign keys they show (list_select_related) and count at most
  COUNT_CAP rows (CappedPaginator; show_full_result_count = False).
- The delete confirmation shows, per kind of related record, how many would go (each
  counted up to DELETE_COUNT_CAP, in one query), instead of listing every one of them.
- Inlines of large tables are read-only lists with their foreign keys joined.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Func, OuterRef, Subquery
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator
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


def str_related_of(model: type[models.Model], site: admin.AdminSite) -> tuple[str, ...] | None:
    """The related records model's __str__ reads, as its admin declares them (str_related);
    None when its admin does not say."""
    if site.is_registered(model):
        return getattr(site.get_model_admin(model), "str_related", None) or None
    return None


class NamedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw id field whose chosen record's name is read in one query with what that name
    reads (a referral's or a signoff's name reads its family): Django's own widget reads the
    record alone, and its __str__ then one query more per key it names."""

    def label_and_url_for_value(self, value):
        model = self.rel.model
        related = str_related_of(model, self.admin_site)
        rows = model._default_manager.using(self.db)
        # Without a declared list: every non-null key, joined (one row, by its key).
        rows = rows.select_related(*related) if related else rows.select_related()
        try:
            obj = rows.get(**{self.rel.get_related_field().name: value})
        except (ValueError, model.DoesNotExist, ValidationError):
            return "", ""
        name = f"{self.admin_site.name}:{obj._meta.app_label}_{obj._meta.model_name}_change"
        try:
            url = reverse(name, args=(obj.pk,))
        except NoReverseMatch:
            url = ""  # no admin for the model
        return Truncator(obj).words(14), url


# A small table's choices, read once per request: a page with two keys to local authorities,
# or an inline of several rows each with a <select> of teams, reads the table once.
_CHOICES: WeakKeyDictionary[HttpRequest, dict[object, list]] = WeakKeyDictionary()


def shared_choices(
    db_field: models.Field,
    formfield,
    request: HttpRequest | None,
) -> None:
    """Give formfield (a <select> of a small table) its choices as a list read once per
    request for its model and limits: a form's copies in a formset then read nothing.
    Foreign keys only, in admins without forms of their own: a form that narrows a field's
    queryset in its __init__ (as Django's UserChangeForm does its permissions, a
    many-to-many) would still be shown the list read here."""
    if request is None or formfield is None or not is_small(db_field.related_model):
        return
    related = db_field.related_model
    if not hasattr(formfield, "queryset") or not isinstance(related, type):
        return
    key = (
        related._meta.label_lower,
        type(db_field).__name__,
        str(formfield.queryset.query),
        formfield.empty_label if hasattr(formfield, "empty_label") else None,
    )
    per_request = _CHOICES.setdefault(request, {})
    if key not in per_request:
        # Through iter(): list() of the choices would ask their len(), a COUNT query.
        per_request[key] = list(iter(formfield.choices))
    formfield.choices = per_request[key]


class ScaledFormfields:
    """Raw id fields that name their record in one query, and small tables' <select>s of a
    foreign key read once per request (for ScaledAdmin and the inlines)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = NamedRawIdWidget(
                db_field.remote_field, self.admin_site, using=kwargs.get("using")
            )
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        shared_choices(db_field, formfield, request)
        return formfield


def keys_of(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.fields if f.many_to_one or f.one_to_one]


# A change list counts at most this many rows: past it, it says "10000" and the search
# or the filters narrow the list.
COUNT_CAP = 10_000
# What a delete confirmation counts of each kind of related record, at most.
DELETE_COUNT_CAP = 1_000


def indexed_order(model: type[models.Model], ordering: list) -> bool:
    """Whether an index of the model's own table begins with these fields (each a plain
    column, ascending or descending): the primary key, a unique or indexed field, or an
    index or unique constraint in Meta."""
    names = []
    for item in ordering:
        if not isinstance(item, str) or "__" in item or item.lstrip("-") == "?":
            return False
        field = model._meta.get_field(item.lstrip("-")) if item.lstrip("-") != "pk" else None
        if field is not None and (field.is_relation or not field.concrete):
            return False
        names.append(model._meta.pk.name if field is None else field.name)
    leads = [
        [f.name] for f in model._meta.concrete_fields if f.primary_key or f.unique or f.db_index
    ]
    leads += [list(i.fields) for i in model._meta.indexes]
    leads += [list(c.fields) for c in model._meta.constraints if getattr(c, "fields", None)]
    return any([n.lstrip("-") for n in lead[: len(names)]] == names for lead in leads)


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows (a COUNT over a LIMITed subquery): the admin's count of
    a whole table grows with the table."""

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            self._capped_count = self.object_list[:COUNT_CAP].count()
        return self._capped_count


def fixed_filters(model: type[models.Model], filters, hierarchy: str | None) -> tuple:
    """A large table's change-list filters, each offering choices that do not come from
    reading the table: a field's own choices, yes/no, fixed date ranges, a short table's
    rows. A plain field's filter lists the values found in every row (a DISTINCT of the
    whole table) and a date hierarchy the years found (another): the first is left out,
    the second becomes the date's fixed ranges (today, the past 7 days, this month, this
    year)."""
    kept = []
    for item in filters:
        if isinstance(item, str) and "__" not in item:
            field = model._meta.get_field(item)
            if field.is_relation and not is_small(field.related_model):
                continue  # a list of every row of a large table
            if not (
                field.is_relation
                or getattr(field, "choices", None)
                or isinstance(field, (models.BooleanField, models.DateField))
            ):
                continue
        kept.append(item)
    if hierarchy and hierarchy not in kept:
        kept.append(hierarchy)
    return tuple(kept)


class ScaledAdmin(ScaledFormfields, admin.ModelAdmin):
    """A ModelAdmin whose pages run a fixed number of queries, whatever the data."""

    show_full_result_count = False
    list_per_page = 50
    paginator = CappedPaginator

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        if not is_small(model):
            self.list_filter = fixed_filters(model, self.list_filter, self.date_hierarchy)
            self.date_hierarchy = None
            # "Show counts" counts every row under each filter choice: not for a large table.
            self.show_facets = admin.ShowFacets.NEVER
        large = large_relations(model)
        self.raw_id_fields = tuple(
            dict.fromkeys(
                [*self.raw_id_fields, *(f for f in large if f not in self.autocomplete_fields)]
            )
        )
        # What the list shows and what its names read (str_related), not every non-null
        # key: select_related() of all of them joined a service use's 18 tables, and
        # planning that join took 62 ms of each page's 79.
        if self.list_select_related is False:
            shown = {f.name for f in model._meta.concrete_fields if f.many_to_one}
            self.list_select_related = list(
                dict.fromkeys([*(n for n in self.list_display if n in shown), *self.str_related])
            )

    # The related records __str__ reads (e.g. a case's family), joined on the change list,
    # with the record on its change and delete pages, and with a raw id field naming it.
    str_related: tuple[str, ...] = ()

    def join(self, rows: models.QuerySet) -> models.QuerySet:
        """The admin's rows with what their names read and what the change list shows
        (ReadOnlyHistoryAdmin calls this on its own queryset of every version). The change
        list joins list_select_related only to a queryset that joins nothing yet, so what
        it would join is joined here too."""
        if self.list_select_related is True:
            return rows.select_related()
        related = [*(self.list_select_related or ()), *self.str_related]
        # A shown key's record is named by its own __str__: what that reads is joined too
        # (a reading's case is "Case 12: Jones", its family's name).
        keys = {f.name: f for f in self.model._meta.fields if f.is_relation}
        for name in list(related):
            if name in keys and keys[name].related_model is not None:
                inner = str_related_of(keys[name].related_model, self.admin_site) or ()
                related += [f"{name}__{x}" for x in inner]
        return rows.select_related(*dict.fromkeys(related)) if related else rows

    def get_queryset(self, request: HttpRequest):
        return self.join(super().get_queryset(request))

    def get_ordering(self, request: HttpRequest):
        """The admin's own ordering, or the model's if an index can serve it (or the table
        is a short reference list); otherwise the newest first (the primary key's index).
        A model ordered by a related record (a service use by its person's name) made its
        change list sort the whole table for each page: 4.3 s for 50 rows at national
        scale."""
        if self.ordering:
            return self.ordering
        ordering = list(self.model._meta.ordering)
        if ordering and (is_small(self.model) or indexed_order(self.model, ordering)):
            return ordering
        return ("-pk",)

    def get_deleted_objects(self, objs, request: HttpRequest):
        """How many records of each kind refer to objs (one level down, all counted in one
        query per object, each count stopping past DELETE_COUNT_CAP), and which of them
        protect it: not a list of every record, and no count of every row a team holds."""
        relations = [r for r in self.model._meta.related_objects if not r.many_to_many]
        figures = {f"n{i}": capped_count(rel) for i, rel in enumerate(relations)}
        lines, counts, protected = [], {}, []
        over = _("more than %(n)s") % {"n": f"{DELETE_COUNT_CAP:,}"}
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
                    shown = over if n > DELETE_COUNT_CAP else n
                    protected.append(_("%(n)s %(kind)s refer to it") % {"n": shown, "kind": name})
                else:
                    counts[name] = counts.get(name, 0) + n
        # A sum past the cap is only known to be past it.
        counts = {name: over if n > DELETE_COUNT_CAP else n for name, n in counts.items()}
        counts[str(self.model._meta.verbose_name_plural)] = len(objs)
        lines += [f"{name}: {n}" for name, n in counts.items()]
        perms_needed = set() if self.has_delete_permission(request) else {self.opts.verbose_name}
        return lines, counts, perms_needed, protected


def capped_count(rel) -> Func:
    """How many rows of a relation refer to the outer row, counting at most
    DELETE_COUNT_CAP + 1 of them: a COUNT over a LIMITed subquery of the rows' keys, so a
    team's 100,000 feedback records cost what a thousand do."""
    first = (
        rel.related_model._base_manager.filter(**{rel.field.name: OuterRef("pk")})
        .order_by()
        .values(rel.field.name)[: DELETE_COUNT_CAP + 1]
    )
    return Func(
        Subquery(first),
        template="(SELECT COUNT(*) FROM %(expressions)s AS capped)",
        output_field=models.IntegerField(),
    )


class ReadOnlyInline(ScaledFormfields, BoundedInline):
    """A large table's rows under their parent, listed read-only with their foreign keys
    joined: edited through the app's own pages (the services), not here. Capped like every
    inline (accounts.formsets)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [f.name for f in self.model._meta.fields if f.editable] + [
            f.name for f in self.model._meta.many_to_many
        ]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def join(self, rows: models.QuerySet) -> models.QuerySet:
        m2m = [f.name for f in self.model._meta.many_to_many]
        return rows.select_related(*keys_of(self.model)).prefetch_related(*m2m)

    def get_queryset(self, request: HttpRequest):
        return self.join(super().get_queryset(request))

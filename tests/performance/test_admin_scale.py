"""The Django admin at scale (issue 15), for EVERY registered ModelAdmin and its inlines:
every foreign key or many-to-many a form shows points at a small reference table
(accounts.admin_scale.SMALL_TABLES) or is a raw id / autocomplete field; inlines of large
tables are read-only; change lists of large tables do not count every row. That the
change list, change form and delete confirmation of each run a number of queries that does
not grow with the rows is walked in tests/performance/test_query_growth.py, which asks for
every admin route on two sizes of data."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin

from accounts.admin_scale import (
    SMALL_TABLES,
    CappedPaginator,
    ReadOnlyInline,
    indexed_order,
    is_small,
    relation_fields,
)

# Editable inlines whose rows per parent are few whatever the data, and why.
BOUNDED_INLINES = {
    "accounts.membership": "a user's few memberships, on the user's page",
    "otp_static.statictoken": "a device's ten recovery codes",
    "reporting.measuretarget": "a measure's target per team (15 teams)",
}


def registered() -> list[tuple[type, admin.ModelAdmin]]:
    return [
        (model, admin.site.get_model_admin(model))
        for model in apps.get_models()
        if admin.site.is_registered(model)
    ]


def large_selects(model: type, model_admin, parent: type | None = None) -> list[str]:
    """The relation fields of model's form that would render a <select> of a large table."""
    chosen = {*model_admin.raw_id_fields, *model_admin.autocomplete_fields}
    readonly = set(model_admin.readonly_fields)
    exclude = set(model_admin.exclude or ())
    bad = []
    for field in relation_fields(model):
        if parent is not None and field.related_model is parent:
            continue  # the inline's own parent: not shown
        if field.name in chosen or field.name in readonly or field.name in exclude:
            continue
        if not is_small(field.related_model):
            bad.append(f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}")
    return bad


@pytest.mark.parametrize(
    ("model", "model_admin"), registered(), ids=[m._meta.label for m, _a in registered()]
)
def test_no_select_of_a_large_table(model, model_admin):
    bad = large_selects(model, model_admin)
    for inline_class in model_admin.inlines:
        inline = inline_class(model, admin.site)
        if isinstance(inline, ReadOnlyInline):
            continue
        bad += large_selects(inline.model, inline, parent=model)
        if not is_small(inline.model) and inline.model._meta.label_lower not in BOUNDED_INLINES:
            bad.append(f"inline {inline.model._meta.label} is editable: make it ReadOnlyInline")
    assert not bad, f"{model._meta.label}'s admin shows a <select> of a large table: {bad}"


@pytest.mark.parametrize(
    ("model", "model_admin"), registered(), ids=[m._meta.label for m, _a in registered()]
)
def test_large_change_lists_do_not_count_every_row(model, model_admin):
    if is_small(model):
        return
    assert model_admin.show_full_result_count is False, model._meta.label
    assert model_admin.show_facets is admin.ShowFacets.NEVER, model._meta.label  # no counts
    assert issubclass(model_admin.paginator, CappedPaginator), model._meta.label
    shown = {f.name for f in model._meta.concrete_fields if f.many_to_one}
    listed = [n for n in model_admin.list_display if n in shown]
    if listed and model_admin.list_select_related is not True:
        assert set(listed) <= set(model_admin.list_select_related), model._meta.label


@pytest.mark.parametrize(
    ("model", "model_admin"), registered(), ids=[m._meta.label for m, _a in registered()]
)
def test_large_change_lists_are_ordered_by_an_index(model, model_admin, rf):
    """A change list of a large table sorts by what an index of its own table serves: one
    ordered by a related record (a service use by its person) sorted the whole table for
    every page, 4.3 s for 50 rows at national scale."""
    if is_small(model):
        return
    ordering = list(model_admin.get_ordering(rf.get("/admin/")))
    assert ordering and indexed_order(model, ordering), f"{model._meta.label}: {ordering}"


def test_indexed_order_knows_an_index_from_a_join():
    from cases.models import Contact
    from outcomes.models import ServiceUse
    from referrals.models import Referral

    assert indexed_order(Referral, ["-received_at"])
    assert indexed_order(ServiceUse, ["-pk"])
    assert not indexed_order(ServiceUse, ["person", "occasion"])
    assert not indexed_order(Contact, ["case__family__name"])
    assert not indexed_order(Contact, ["duration_minutes"])


def test_small_tables_exist():
    labels = {m._meta.label_lower for m in apps.get_models()}
    assert SMALL_TABLES <= labels, SMALL_TABLES - labels


@pytest.mark.django_db
def test_the_delete_confirmation_counts_each_kind_up_to_its_cap(admin_client, monkeypatch):
    """A team's delete confirmation says how many of its records would go, or that they
    would stop it, counting each kind only up to DELETE_COUNT_CAP: past it, "more than"."""
    from django.urls import reverse

    from accounts import admin_scale
    from tests.factories import CaseFactory, TeamFactory

    team = TeamFactory()
    for _ in range(3):
        CaseFactory(team=team)
    url = reverse("admin:accounts_team_delete", args=[team.pk])
    # Cases, referrals and families protect their team (on_delete=PROTECT).
    assert "<li>3 cases refer to it</li>" in admin_client.get(url).content.decode()
    monkeypatch.setattr(admin_scale, "DELETE_COUNT_CAP", 3)
    assert "<li>3 cases refer to it</li>" in admin_client.get(url).content.decode()  # exact
    monkeypatch.setattr(admin_scale, "DELETE_COUNT_CAP", 2)
    page = admin_client.get(url).content.decode()
    assert "<li>more than 2 cases refer to it</li>" in page
    assert "3 cases" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "model_admin"), registered(), ids=[m._meta.label for m, _a in registered()]
)
def test_change_list_filters_read_no_distinct_of_a_large_table(admin_client, model, model_admin):
    """A change list's filters and date hierarchy offer their choices from short tables or
    fixed ranges: a DISTINCT over a large table (the kinds or years found in every audit
    entry) reads the whole of it on every page. Asked with no rows: the choices are read
    whatever the data."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    with CaptureQueriesContext(connection) as ctx:
        assert admin_client.get(url).status_code == 200
    small = {apps.get_model(label)._meta.db_table for label in SMALL_TABLES}
    bad = []
    for query in ctx.captured_queries:
        sql = query["sql"]
        if not re.match(r"\s*SELECT DISTINCT", sql):
            continue
        table = re.search(r'\bFROM "([^"]+)"', sql)
        if table and table.group(1) not in small:
            bad.append(sql[:200])
    assert not bad, f"{opts.label}'s change list reads a DISTINCT of a large table: {bad}"


@pytest.mark.django_db
def test_reviews_are_filtered_by_the_offsets_the_teams_hold(admin_client):
    from datetime import date

    from django.urls import reverse

    from reviews.models import Review
    from tests.factories import CaseFactory

    case = CaseFactory()
    case.team.review_offsets_months = [1, 3, 6, 9, 12]
    case.team.save(update_fields=["review_offsets_months"])
    for months in (3, 9):
        Review.objects.create(case=case, offset_months=months, due_on=date(2026, months, 1))
    url = reverse("admin:reviews_review_changelist")
    page = admin_client.get(url).content.decode()
    assert "9-month review" in page  # offered: a team holds it
    response = admin_client.get(url, {"offset_months": "9"})
    assert [r.offset_months for r in response.context["cl"].result_list] == [9]


@pytest.mark.django_db
def test_asking_for_filter_counts_counts_nothing_on_a_large_table(admin_client):
    """Django's "Show counts" (?_facets) counts every row under each filter choice; a large
    table's change list offers no such link and ignores the parameter."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("admin:auditlog_logentry_changelist")
    assert "_facets" not in admin_client.get(url).content.decode()
    with CaptureQueriesContext(connection) as plain:
        admin_client.get(url)
    with CaptureQueriesContext(connection) as asked:
        assert admin_client.get(url, {"_facets": "True"}).status_code == 200
    assert len(asked) == len(plain)

from __future__ import annotations

from datetime import datetime, time

from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.lookups import GreaterThan
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import Membership, User
from accounts.paging import SEEK_PARAMS, seek_page
from audit.services import record_entries_read
from core.forms import DATE_WIDGET
from core.http import AuthenticatedHttpRequest

RECORD_TYPES = {
    "case": ("cases", "case"),
    "referral": ("referrals", "referral"),
    "family": ("families", "family"),
    "person": ("families", "person"),
    "user": ("accounts", "user"),
}


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("User name"), required=False, max_length=150)
    record = forms.ChoiceField(
        label=_("Record"),
        required=False,
        choices=[("", _("Any"))] + [(k, k.title()) for k in RECORD_TYPES],
    )
    record_id = forms.IntegerField(
        label=_("Record number"), required=False, min_value=1, max_value=2**63 - 1
    )
    action = forms.TypedChoiceField(
        label=_("Action"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any"))] + [(v, str(label)) for v, label in LogEntry.Action.choices],
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)


def _records_visible_to(user) -> Q:
    """Entries about referrals, families, people and cases only where the manager may see
    the record itself (their teams, and restricted cases that name them).

    Checked entry by entry, not as whole-team sets (issue 15): an entry's integer key
    (object_id, which auditlog and the app's own access entries fill for an integer key) is
    probed against the record kind's visible rows, so PostgreSQL walks the timestamp index
    and checks only the entries it shows (docs/performance.md)."""
    from cases.models import Case
    from families.models import Family, Person
    from referrals.models import Referral

    guarded_referrals = (
        Referral.objects.filter(team_id__in=permissions.manager_team_ids(user))
        .visible_to(user)
        .values("pk")
    )
    guarded = {
        Case: Case.objects.visible_to(user),
        Referral: Referral.objects.filter(pk__in=guarded_referrals),
        Family: Family.objects.visible_to(user),
        Person: Person.objects.filter(family__in=Family.objects.visible_to(user)),
    }
    # Every other logged record that belongs to a case or a referral (feedback, contacts,
    # decisions...): shown only where its case or referral is. Found from the fields, so a
    # record type logged later is guarded too.
    from auditlog.registry import auditlog

    visible_cases = Case.objects.visible_to(user).values("pk")
    for model in auditlog.get_models():
        if model in guarded:
            continue
        names = {f.name: f for f in model._meta.concrete_fields if f.is_relation}
        if "case" in names and names["case"].related_model is Case:
            rows = model.objects.filter(case__in=visible_cases)
            if names["case"].null:
                rows = model.objects.filter(Q(case__isnull=True) | Q(case__in=visible_cases))
            guarded[model] = rows
        elif "referral" in names and names["referral"].related_model is Referral:
            guarded[model] = model.objects.filter(referral__in=guarded_referrals)
    types = ContentType.objects.get_for_models(*guarded)
    allowed = ~Q(content_type__in=list(types.values()))
    for model, rows in guarded.items():
        # One probe of the record's primary key per entry looked at, by the entry's integer
        # key (auditlog and the app's access entries fill object_id from the same key as
        # object_pk). A scalar subquery, not EXISTS: PostgreSQL 15 may turn an EXISTS into
        # a hash of the whole visible set (linear again); and "> 0", not IS NOT NULL, which
        # it would guess 0.5% true and then read the members' whole log to sort it.
        found = Subquery(rows.filter(pk=OuterRef("object_id")).order_by().values(one=Value(1))[:1])
        allowed |= Q(content_type=types[model]) & Q(GreaterThan(found, 0))
    return allowed


def _at(day, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Managers search what their teams' people viewed and changed; administrators, all."""
    user = request.user
    manager_teams = permissions.manager_team_ids(user)
    if not (user.is_superuser or manager_teams):
        raise Http404
    # The page's users and record kinds are read after its entries (two small queries), not
    # joined into the search: the planner guesses the visibility rule leaves one entry, and
    # for one entry it scanned every user per entry found (a family's 2,000 entries: 300 ms).
    qs = LogEntry.objects.prefetch_related("actor", "content_type").order_by("-timestamp", "-pk")
    if not user.is_superuser:
        members = Membership.objects.filter(team_id__in=manager_teams).values("user_id")
        qs = qs.filter(actor_id__in=members).filter(_records_visible_to(user))
    form = AuditSearchForm(request.GET or None)
    if form.is_valid():
        d = form.cleaned_data
        if d["actor"]:
            # The named user's id by a subquery, not a join with the users: under OR the
            # planner joined every user to every entry it looked at (a worker's name, as
            # their manager: 3.5 million comparisons, 114-174 ms; docs/performance.md).
            # A name that is no one's searches the records' names alone (one small query
            # to know): otherwise the walk for a user who is not there tests every entry.
            named = User.objects.filter(username__iexact=d["actor"]).values("pk")
            by_name = Q(object_repr__iexact=d["actor"])
            qs = qs.filter((Q(actor_id__in=named) | by_name) if named.exists() else by_name)
        if d["record"]:
            app_label, model = RECORD_TYPES[d["record"]]
            qs = qs.filter(content_type=ContentType.objects.get_by_natural_key(app_label, model))
        if d["record_id"]:
            qs = qs.filter(object_pk=str(d["record_id"]))
        if d["action"] is not None:
            qs = qs.filter(action=d["action"])
        if d["date_from"]:
            qs = qs.filter(
                timestamp__gte=timezone.make_aware(datetime.combine(d["date_from"], time.min))
            )
        if d["date_to"]:
            qs = qs.filter(
                timestamp__lte=timezone.make_aware(datetime.combine(d["date_to"], time.max))
            )
    # Not counted: the log only grows, and its count cost more than the page (issue 15).
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The visibility rule is a probe per kind per entry looked at; the planner adds
            # up all eighteen kinds' probes for every entry in the log, judges the query
            # dear and compiles it (JIT: 4-6 s at factor 0.04) to read 51 rows in 30 ms.
            # For this transaction only.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        page = seek_page(qs, request.GET, 50, key="timestamp")
    # Each entry names the record it is about: reading the log is a view of those records.
    record_entries_read(page.object_list)
    query = request.GET.copy()
    for name in SEEK_PARAMS:
        query.pop(name, None)
    return render(
        request,
        "audit/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )

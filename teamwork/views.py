"""Team work beyond cases, recorded in the app (DOMAIN.md section 5): consultations,
training sessions, feedback and complaints. They feed the report card's "how much" and
"how well" measures (reporting/queries.py reads them).

One table of kinds drives one set of views, services and URLs: a list (team-scoped, newest
first, searchable), a create form, an edit form and a delete confirmation per kind.

Who may reach them: team staff (practitioner, CSW, manager, performance officer) record
consultations, training and feedback; complaints are for managers and performance officers.
Board members and referrers get 404, and so does another team's record. A record tied to
a restricted case is hidden from staff the case does not name, as the case itself is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import attrgetter, or_
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import STAFF_ROLES, Role, Team, User
from accounts.paging import CountedPaginator
from audit.services import record_listed
from cases.models import Case, hidden_rows
from core.errors import ServiceError, StaleEdit
from core.formflow import carry_version, submit_to_service
from families.models import Family

from .forms import (
    ComplaintForm,
    ConsultationForm,
    FeedbackForm,
    TeamworkFilterForm,
    TeamworkForm,
    TrainingSessionForm,
    case_label,
    typed_case_id,
)
from .models import Complaint, Consultation, Feedback, TeamworkRecord, TrainingSession

PAGE_SIZE = 25
# Cases offered on the feedback and complaint forms: open, or closed this recently
# (feedback often comes at the 12-month follow-up).
CASE_CHOICE_DAYS = 2 * 365


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], object]
    css: str = ""  # the list cell's class


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _short(text: str) -> str:
    return Truncator(text).chars(80)


def _day(value: date) -> str:
    return dateformat.format(value, "j M Y")


def _case_label(case: Case | None) -> str:
    return case_label(case) if case else "–"


# Each kind's totals over the records listed: (how many, the figures shown). The count is
# the list's paginator's too, so the records are counted once, not twice.
Totals = tuple[int, list[tuple[str, object]]]


def _consultation_totals(qs: QuerySet) -> Totals:
    agg = qs.aggregate(n=Count("pk"), referred=Count("pk", filter=Q(led_to_referral=True)))
    return agg["n"], [(_("Consultations"), agg["n"]), (_("Led to a referral"), agg["referred"])]


def _training_totals(qs: QuerySet) -> Totals:
    agg = qs.aggregate(n=Count("pk"), people=Sum("attendees"))
    return agg["n"], [(_("Sessions"), agg["n"]), (_("Attendees"), agg["people"] or 0)]


def _feedback_totals(qs: QuerySet) -> Totals:
    agg = qs.aggregate(n=Count("pk"), good=Count("pk", filter=Q(positive=True)))
    n, good = agg["n"], agg["good"]
    share = (
        _("%(good)s of %(n)s (%(pct)s%%)") % {"good": good, "n": n, "pct": round(100 * good / n)}
        if n
        else "–"
    )
    return n, [(_("Received"), n), (_("Positive"), share)]


def _complaint_totals(qs: QuerySet) -> Totals:
    n = qs.count()
    return n, [(_("Complaints"), n)]


@dataclass(frozen=True)
class Kind:
    slug: str  # the list's URL segment and URL name: "consultations"
    one: str  # the prefix of the other URL names: "consultation_new", "_edit", "_delete"
    model: type[TeamworkRecord]
    form: type[TeamworkForm]
    title: Any  # the list's heading (lazy)
    noun: Any  # one record, for headings and messages (lazy)
    roles: tuple[str, ...]
    date_field: str
    search: tuple[str, ...]  # the fields the list's text search looks in
    related: tuple[str, ...]  # what a list row shows, loaded with it
    columns: tuple[Column, ...]
    totals: Callable[[QuerySet], Totals]

    @property
    def has_case(self) -> bool:
        return any(f.name == "case" for f in self.model._meta.fields)

    @property
    def fields(self) -> list[str]:
        return list(self.form._meta.fields)

    def team_of(self, record: TeamworkRecord) -> Team:
        return record.team  # every kind keeps its team (feedback, its case's)

    # URL names, for reverse() and the templates' {% url %}.
    @property
    def list_name(self) -> str:
        return f"teamwork:{self.slug}"

    @property
    def new_name(self) -> str:
        return f"teamwork:{self.one}_new"

    @property
    def edit_name(self) -> str:
        return f"teamwork:{self.one}_edit"

    @property
    def delete_name(self) -> str:
        return f"teamwork:{self.one}_delete"

    @property
    def cases_name(self) -> str:
        return f"teamwork:{self.one}_cases"


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            slug="consultations",
            one="consultation",
            model=Consultation,
            form=ConsultationForm,
            title=gettext_lazy("Consultations"),
            noun=gettext_lazy("Consultation"),
            roles=STAFF_ROLES,
            date_field="held_on",
            search=("asked_by", "agency", "topic"),
            related=("team",),
            columns=(
                Column(gettext_lazy("Date"), lambda r: _day(r.held_on), "text-nowrap"),
                Column(gettext_lazy("Who asked"), attrgetter("asked_by")),
                Column(gettext_lazy("Agency"), attrgetter("agency")),
                Column(gettext_lazy("Topic"), lambda r: _short(r.topic)),
                Column(gettext_lazy("Led to a referral"), lambda r: _yes_no(r.led_to_referral)),
            ),
            totals=_consultation_totals,
        ),
        Kind(
            slug="training",
            one="training",
            model=TrainingSession,
            form=TrainingSessionForm,
            title=gettext_lazy("Training sessions"),
            noun=gettext_lazy("Training session"),
            roles=STAFF_ROLES,
            date_field="held_on",
            search=("course", "audience"),
            related=("team",),
            columns=(
                Column(gettext_lazy("Date"), lambda r: _day(r.held_on), "text-nowrap"),
                Column(gettext_lazy("Course"), attrgetter("course")),
                Column(gettext_lazy("Audience"), lambda r: _short(r.audience) or "–"),
                Column(gettext_lazy("Attendees"), attrgetter("attendees")),
            ),
            totals=_training_totals,
        ),
        Kind(
            slug="feedback",
            one="feedback",
            model=Feedback,
            form=FeedbackForm,
            title=gettext_lazy("Feedback"),
            noun=gettext_lazy("Feedback"),
            roles=STAFF_ROLES,
            date_field="received_on",
            search=("comments", "case__family__name"),
            related=("team", "case__family"),
            columns=(
                Column(gettext_lazy("Received"), lambda r: _day(r.received_on), "text-nowrap"),
                Column(gettext_lazy("Case"), lambda r: _case_label(r.case)),
                Column(gettext_lazy("From"), lambda r: r.get_given_by_display()),
                Column(gettext_lazy("Positive"), lambda r: _yes_no(r.positive)),
                Column(gettext_lazy("Comments"), lambda r: _short(r.comments) or "–"),
            ),
            totals=_feedback_totals,
        ),
        Kind(
            slug="complaints",
            one="complaint",
            model=Complaint,
            form=ComplaintForm,
            title=gettext_lazy("Complaints"),
            noun=gettext_lazy("Complaint"),
            roles=(Role.MANAGER, Role.PERFORMANCE),
            date_field="received_on",
            search=("summary", "case__family__name"),
            related=("team", "case__family"),
            columns=(
                Column(gettext_lazy("Received"), lambda r: _day(r.received_on), "text-nowrap"),
                Column(gettext_lazy("Case"), lambda r: _case_label(r.case)),
                Column(gettext_lazy("Summary"), lambda r: _short(r.summary)),
            ),
            totals=_complaint_totals,
        ),
    )
}
TEAM_COLUMN_LABEL = gettext_lazy("Team")


# --- who may see what ------------------------------------------------------------------------


def team_ids_for(user: User, kind: Kind) -> list[int] | None:
    """The teams whose records of this kind the user may keep (None: every team)."""
    if user.is_superuser:
        return None
    ids = permissions.team_ids_with_any(user, kind.roles)
    if not ids:
        raise Http404
    return ids


def records_for(user: User, kind: Kind) -> QuerySet:
    ids = team_ids_for(user, kind)
    qs = kind.model.objects.all()
    if ids is None:
        return qs
    qs = qs.filter(team_id__in=ids)
    if kind.has_case:
        qs = qs.exclude(hidden_rows(user, "case_id"))
    return qs


def get_record_for_user(user: User, kind: Kind, pk: int) -> TeamworkRecord:
    return get_object_or_404(records_for(user, kind).select_related(*kind.related), pk=pk)


def _teams(user: User, kind: Kind) -> list[Team]:
    ids = team_ids_for(user, kind)
    qs = Team.objects.all() if ids is None else Team.objects.filter(pk__in=ids)
    return list(qs.order_by("name"))


def _case_choices(user: User, kind: Kind, teams: list[Team], keep: int | None) -> QuerySet:
    """Cases the user may see in these teams: open, recently closed, or the one the record
    already names."""
    since = timezone.now() - timedelta(days=CASE_CHOICE_DAYS)
    recent = Q(closed_at__isnull=True) | Q(closed_at__gte=since)
    if keep is not None:
        recent |= Q(pk=keep)
    return (
        Case.objects.visible_to(user)
        .filter(recent, team__in=teams)
        .select_related("family", "referral")
        .order_by("family__name", "-pk")
    )


# --- services --------------------------------------------------------------------------------


def _check(kind: Kind, fields: dict[str, Any]) -> None:
    """The rules about the case a record names: the record's team, and not before the
    family was referred."""
    case = fields.get("case")
    if case is None:
        return
    team = fields.get("team")
    if team is not None and case.team_id != team.pk:
        raise ServiceError(_("That case belongs to another team."))
    referred = timezone.localtime(case.referral.received_at).date()
    if fields[kind.date_field] < referred:
        raise ServiceError(
            _("The family was referred on %(day)s: this cannot have come before that.")
            % {"day": referred.strftime("%d/%m/%Y")}
        )


@transaction.atomic
def record_activity(*, kind: Kind, submission_key: uuid.UUID, fields: dict[str, Any]) -> Any:
    """Record one activity. The same form sent twice returns the first record."""
    already = kind.model.objects.filter(submission_key=submission_key).first()
    if already is not None:
        return already
    _check(kind, fields)
    try:
        with transaction.atomic():
            return kind.model.objects.create(submission_key=submission_key, **fields)
    except IntegrityError:
        # Two identical submissions racing: the other one won. Anything else is a real error.
        winner = kind.model.objects.filter(submission_key=submission_key).first()
        if winner is None:
            raise
        return winner


def _unchanged(record: models.Model, fields: dict[str, Any]) -> bool:
    for name, value in fields.items():
        attname = record._meta.get_field(name).attname
        if getattr(record, attname) != (value.pk if isinstance(value, models.Model) else value):
            return False
    return True


@transaction.atomic
def update_activity(*, kind: Kind, record_id: int, version: int, fields: dict[str, Any]) -> Any:
    record = kind.model.objects.select_for_update().get(pk=record_id)
    if record.version != version:
        if _unchanged(record, fields):
            return record  # the same save sent twice: nothing to overwrite
        raise StaleEdit(
            _(
                "Someone else changed this record while you were working on it. "
                "Its latest state is shown; what you typed is still in the form."
            )
        )
    _check(kind, fields)
    for name, value in fields.items():
        setattr(record, name, value)
    record.version += 1
    record.save()
    return record


@transaction.atomic
def delete_activity(*, kind: Kind, record_id: int) -> None:
    # One instance at a time, so the audit log records the deletion with its fields.
    for record in kind.model.objects.select_for_update().filter(pk=record_id):
        record.delete()


# --- views -----------------------------------------------------------------------------------


def _columns(kind: Kind, many_teams: bool) -> list[Column]:
    team = Column(TEAM_COLUMN_LABEL, kind.team_of)
    return [team, *kind.columns] if many_teams else list(kind.columns)


def _search(kind: Kind, qs: QuerySet, form: TeamworkFilterForm) -> tuple[QuerySet, str]:
    """The records the search asks for, and the query string that asks for them again."""
    if not form.is_valid():
        return qs, ""
    data = form.cleaned_data
    q = data["q"].strip()
    if q:
        qs = qs.filter(reduce(or_, (Q(**{f"{f}__icontains": q}) for f in kind.search)))
    if data["date_from"]:
        qs = qs.filter(**{f"{kind.date_field}__gte": data["date_from"]})
    if data["date_to"]:
        qs = qs.filter(**{f"{kind.date_field}__lte": data["date_to"]})
    asked = {"q": q, "date_from": data["date_from"], "date_to": data["date_to"]}
    return qs, urlencode({k: v for k, v in asked.items() if v})


def _record_families(cases: list[Case | None]) -> None:
    """Feedback and complaints name the family of their case, on the list, the record and
    the choice of cases: who saw which family is logged, as on the case pages."""
    record_listed({Family: {c.family_id: c.family.name for c in cases if c is not None}})


def _choices_seen(cases: QuerySet | None) -> None:
    if cases is not None:
        _record_families(list(cases))


def record_list(request: HttpRequest, kind: Kind) -> HttpResponse:
    qs = records_for(request.user, kind)
    form = TeamworkFilterForm(request.GET or None)
    qs, query = _search(kind, qs, form)
    many_teams = request.user.is_superuser or len(team_ids_for(request.user, kind) or []) > 1
    columns = _columns(kind, many_teams)
    ordered = qs.select_related(*kind.related).order_by(f"-{kind.date_field}", "-pk")
    count, totals = kind.totals(qs)
    page = CountedPaginator(ordered, PAGE_SIZE, count=count).get_page(request.GET.get("page"))
    if kind.has_case:
        _record_families([r.case for r in page])
    return render(
        request,
        "teamwork/list.html",
        {
            "kind": kind,
            "kinds": _reachable(request.user),
            "form": form,
            "query": query,
            "page": page,
            "totals": totals,
            "headings": [c.label for c in columns],
            "rows": [(r, [(c.value(r), c.css) for c in columns]) for r in page],
        },
    )


def _reachable(user: User) -> list[Kind]:
    """The kinds this user may keep, for the tabs above each list."""
    if user.is_superuser:
        return list(KINDS.values())
    return [k for k in KINDS.values() if permissions.team_ids_with_any(user, k.roles)]


def _fields(kind: Kind, data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in kind.fields}


def _submission_key(request: HttpRequest) -> uuid.UUID:
    try:
        return uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return uuid.uuid4()  # a new form, or a tampered key: still never a 500


def record_new(request: HttpRequest, kind: Kind) -> HttpResponse:
    teams = _teams(request.user, kind)
    cases = _case_choices(request.user, kind, teams, None) if kind.has_case else None
    form = kind.form(request.POST or None, teams=teams, cases=cases, **_case_search(kind))
    key = _submission_key(request)
    record, _stale = submit_to_service(
        request,
        form,
        lambda d: record_activity(kind=kind, submission_key=key, fields=_fields(kind, d)),
        _("%(what)s recorded.") % {"what": kind.noun},
    )
    if record is not None:
        return redirect(kind.list_name)
    return render(
        request,
        "teamwork/form.html",
        {"kind": kind, "form": form, "submission_key": key, "record": None},
    )


def record_edit(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, kind, pk)
    teams = _teams(request.user, kind)
    cases = _case_choices(request.user, kind, teams, record.case_id) if kind.has_case else None
    form = kind.form(
        request.POST or None, instance=record, teams=teams, cases=cases, **_case_search(kind)
    )
    saved, stale = submit_to_service(
        request,
        form,
        lambda d: update_activity(
            kind=kind, record_id=record.pk, version=d["version"], fields=_fields(kind, d)
        ),
        _("%(what)s saved.") % {"what": kind.noun},
    )
    if saved is not None:
        return redirect(kind.list_name)
    latest = None
    if stale:
        latest = get_record_for_user(request.user, kind, pk)
        # Saving again now is a deliberate overwrite of the version shown.
        carry_version(form, latest.version)
        latest = [(c.label, c.value(latest)) for c in kind.columns]
    if kind.has_case:
        # The form shows the record's case, by its family's name: log it, as the list does.
        _record_families([record.case])
    return render(
        request,
        "teamwork/form.html",
        {"kind": kind, "form": form, "record": record, "latest": latest},
    )


# Matches offered as a case's number or family name is typed.
CASE_MATCHES = 10


def _case_search(kind: Kind) -> dict[str, str]:
    return {"case_search_url": reverse(kind.cases_name)} if kind.has_case else {}


def case_matches(request: HttpRequest, kind: Kind) -> HttpResponse:
    """The cases a record of this kind may name that match what was typed (a case number or
    part of a family's name): the same cases the form accepts, at most CASE_MATCHES."""
    teams = _teams(request.user, kind)
    typed = request.GET.get("case", request.GET.get("q", "")).replace("\x00", "").strip()[:100]
    matches: list[Case] = []
    number = typed_case_id(typed)
    qs = _case_choices(request.user, kind, teams, None)
    if number is not None:
        matches = list(qs.filter(pk=number)[:1])
    elif len(typed) >= 2:
        matches = list(qs.filter(family__name__icontains=typed)[:CASE_MATCHES])
    return render(
        request,
        "teamwork/_case_matches.html",
        {"matches": [(c.pk, case_label(c)) for c in matches], "typed": typed},
    )


def record_delete(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, kind, pk)
    if request.method == "POST":
        delete_activity(kind=kind, record_id=record.pk)
        messages.success(request, _("%(what)s deleted.") % {"what": kind.noun})
        return redirect(kind.list_name)
    columns = _columns(kind, many_teams=True)
    if kind.has_case:
        _record_families([record.case])
    return render(
        request,
        "teamwork/confirm_delete.html",
        {"kind": kind, "record": record, "cells": [(c.label, c.value(record)) for c in columns]},
    )


def urlpatterns() -> list:
    """Four pages per kind, named for the kind: "teamwork:consultations",
    "teamwork:consultation_new", "teamwork:consultation_edit", "teamwork:consultation_delete"."""
    patterns = []
    for kind in KINDS.values():
        k = {"kind": kind}
        patterns += [
            path(f"{kind.slug}/", record_list, k, name=kind.slug),
            path(f"{kind.slug}/new/", record_new, k, name=f"{kind.one}_new"),
            path(f"{kind.slug}/<int:pk>/", record_edit, k, name=f"{kind.one}_edit"),
            path(f"{kind.slug}/<int:pk>/delete/", record_delete, k, name=f"{kind.one}_delete"),
        ]
        if kind.has_case:
            patterns.append(path(f"{kind.slug}/cases/", case_matches, k, name=f"{kind.one}_cases"))
    return patterns
